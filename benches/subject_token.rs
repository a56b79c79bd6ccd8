//! What `wif-doctor subject-token` costs on top of the identity request it makes.
//!
//! Client libraries run the command on every token refresh, so its own cost (process start,
//! settings, HTTP client set-up, JSON) must stay small: at most 10 ms beyond the request.
//! Both sides hit the same in-process simulator identity endpoint over loopback HTTP:
//! - bare: one GET with the header on a fresh connection (no pooling), from this process;
//! - command: the real binary, spawned as a library spawns it, with the library's variables
//!   and the system's CA store (it builds its TLS clients as in production).
//!
//! Run with `cargo bench --bench subject_token`; it exits non-zero if the median difference
//! exceeds 10 ms.

use std::process::Command;
use std::time::{Duration, Instant};
use wif_doctor::sim::Scenario;

const RUNS: usize = 60;
const LIMIT: Duration = Duration::from_millis(10);

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn p90(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() * 9 / 10]
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sim = rt
        .block_on(wif_doctor::demo::start(Scenario::Healthy, Duration::ZERO))
        .unwrap();
    let root = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let endpoint = sim.identity_endpoint();
    let header = sim.identity_header().to_string();
    let resource = sim.google().app_id_uri.clone();
    let url = format!("{endpoint}?resource={resource}&api-version=2019-08-01");

    // Bare request: a client that never reuses a connection, as a fresh process cannot.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .no_proxy()
        .build()
        .unwrap();
    let bare_once = || {
        rt.block_on(async {
            let t = Instant::now();
            let resp = client
                .get(&url)
                .header("X-IDENTITY-HEADER", &header)
                .send()
                .await
                .unwrap();
            assert!(resp.status().is_success());
            let body = resp.bytes().await.unwrap();
            assert!(body.len() > 100);
            t.elapsed()
        })
    };

    let bin = env!("CARGO_BIN_EXE_wif-doctor");
    let command_once = |output_file: Option<&std::path::Path>| {
        let mut cmd = Command::new(bin);
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("WIF_DOCTOR_SYSROOT", root.path())
            .env("IDENTITY_ENDPOINT", &endpoint)
            .env("IDENTITY_HEADER", &header)
            .env("GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE", "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/providers/azure-provider")
            .env("GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE", "urn:ietf:params:oauth:token-type:jwt")
            .env("GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE", "0")
            .args([
                "subject-token",
                &format!("--resource={resource}"),
                "--deadline=28500ms",
            ]);
        if let Some(o) = output_file {
            cmd.env("GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE", o);
        }
        let t = Instant::now();
        let out = cmd.output().unwrap();
        let took = t.elapsed();
        assert!(out.status.success(), "{out:?}");
        assert!(out.stderr.is_empty());
        assert!(out.stdout.starts_with(br#"{"version":1,"success":true"#));
        took
    };

    // Warm up caches (page cache for the binary, the simulator's keys).
    for _ in 0..5 {
        bare_once();
        command_once(None);
    }
    let cache = home.path().join("token.json");
    let (mut bare, mut plain, mut cached) = (Vec::new(), Vec::new(), Vec::new());
    // Interleaved, so machine load drifts hit all three alike.
    for _ in 0..RUNS {
        bare.push(bare_once());
        plain.push(command_once(None));
        cached.push(command_once(Some(&cache)));
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let b = median(bare.clone());
    println!(
        "subject_token: {RUNS} interleaved runs each, loopback simulator, no injected latency"
    );
    println!(
        "{:<40}{:>12}{:>12}{:>16}",
        "variant", "median ms", "p90 ms", "over bare ms"
    );
    println!(
        "{:<40}{:>12.2}{:>12.2}{:>16}",
        "bare identity request",
        ms(b),
        ms(p90(bare)),
        "-"
    );
    let mut failed = false;
    for (name, v) in [
        ("wif-doctor subject-token", plain),
        ("  with GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE", cached),
    ] {
        let m = median(v.clone());
        let over = m.saturating_sub(b);
        println!(
            "{name:<40}{:>12.2}{:>12.2}{:>16.2}",
            ms(m),
            ms(p90(v)),
            ms(over)
        );
        if over > LIMIT {
            println!(
                "  FAIL: {:.2} ms over the bare request (limit {} ms)",
                ms(over),
                LIMIT.as_millis()
            );
            failed = true;
        }
    }
    if failed {
        std::process::exit(1);
    }
}
