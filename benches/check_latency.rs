//! How long `check` takes when every request costs 100 ms, against the critical path.
//!
//! The simulator delays every response by `LATENCY`. The critical path of a run is
//! identity → STS → permissions → Vertex AI (4 requests), with discovery + JWKS alongside;
//! with impersonation it gains generateAccessToken (5). A sequential run pays for every
//! request (identity, discovery, JWKS, STS, [impersonation], permissions, Vertex).
//! Run with `cargo bench --bench check_latency`; it exits non-zero if a run exceeds 1.15×.

use std::sync::Arc;
use std::time::{Duration, Instant};
use wif_doctor::checks::{self, Status};
use wif_doctor::settings::{EnvMap, Settings, SettingsArgs};
use wif_doctor::sim::Scenario;

const LATENCY: Duration = Duration::from_millis(100);
const RUNS: usize = 15;
const LIMIT: f64 = 1.15;

fn session(
    sim: &wif_doctor::sim::Sim,
    root: &std::path::Path,
    impersonate: bool,
) -> wif_doctor::session::Session {
    let args = SettingsArgs {
        sysroot: Some(root.to_path_buf()),
        ..Default::default()
    };
    let mut settings = Settings::resolve(&args, &EnvMap::new()).expect("settings");
    wif_doctor::demo::apply(&mut settings, sim);
    if impersonate {
        let sa = sim.google().service_account_email.clone();
        settings.service_account = Some(wif_doctor::settings::Sourced::new(
            sa,
            wif_doctor::settings::Origin::Demo,
        ));
    }
    wif_doctor::session::Session::new(settings).expect("session")
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let root = tempfile::tempdir().unwrap();
    let sim = rt
        .block_on(wif_doctor::demo::start(Scenario::Healthy, LATENCY))
        .unwrap();
    let mut failed = false;
    println!(
        "check_latency: {RUNS} runs each, {} ms injected per request",
        LATENCY.as_millis()
    );
    println!(
        "{:<24}{:>10}{:>10}{:>10}{:>14}{:>18}{:>8}",
        "variant", "min ms", "median", "max", "critical path", "sequential sum", "ratio"
    );
    for (name, impersonate, hops) in [
        ("direct access", false, 4u32),
        ("with impersonation", true, 5),
    ] {
        let mut times = Vec::new();
        let mut sums = Vec::new();
        for _ in 0..RUNS {
            let s = Arc::new(session(&sim, root.path(), impersonate));
            let t = Instant::now();
            let report = rt.block_on(checks::run_to_report(s));
            times.push(t.elapsed());
            assert!(report.ok, "{report:#?}");
            assert!(report.checks.iter().all(|c| c.status != Status::Fail));
            sums.push(report.checks.iter().map(|c| c.elapsed_ms).sum::<u64>());
        }
        times.sort();
        let critical = LATENCY * hops;
        let median = times[RUNS / 2];
        let ratio = median.as_secs_f64() / critical.as_secs_f64();
        let worst = times[RUNS - 1].as_secs_f64() / critical.as_secs_f64();
        sums.sort();
        println!(
            "{name:<24}{:>10}{:>10}{:>10}{:>14}{:>18}{:>8.2}",
            times[0].as_millis(),
            median.as_millis(),
            times[RUNS - 1].as_millis(),
            critical.as_millis(),
            sums[RUNS / 2],
            ratio
        );
        if worst > LIMIT {
            println!("  FAIL: slowest run is {worst:.2}× the critical path (limit {LIMIT}×)");
            failed = true;
        }
    }
    if failed {
        std::process::exit(1);
    }
}
