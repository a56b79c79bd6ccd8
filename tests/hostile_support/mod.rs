//! The invariants every hostile case must keep: it ends in bounded time and memory, exits
//! 0, 1 or 2, never panics, keeps `--json` output JSON, and leaks no secret (the harness's
//! own check on every run).
#![allow(dead_code)]

use crate::common::{Run, World};
use std::time::Duration;

/// Every hostile run passes `--timeout 5s`; it must end within that plus 2 s, under 50 MB.
pub const TIMEOUT: &str = "5s";
pub const TIMEOUT_DURATION: Duration = Duration::from_secs(5);

/// Run with `--timeout 5s` and check the invariants.
pub fn hostile(w: &World, env: &[(String, String)], args: &[&str]) -> Run {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--timeout", TIMEOUT]);
    let r = w.run(env, &all);
    invariants(&r, args);
    r
}

/// Bounded time and memory (the harness's [`Run::assert_bounded`]), exit 0/1/2, no
/// panic, and `--json` output that parses.
pub fn invariants(r: &Run, args: &[&str]) {
    let text = r.all();
    r.assert_bounded(TIMEOUT_DURATION);
    assert!(
        matches!(r.code, 0..=2),
        "{args:?}: exit code {} is not 0, 1 or 2\n{text}",
        r.code
    );
    assert!(!text.contains("panicked at"), "{args:?} panicked\n{text}");
    assert!(
        !text.contains("RUST_BACKTRACE"),
        "{args:?} panicked\n{text}"
    );
    if args.contains(&"--json") {
        let _ = r.json();
    }
}

pub use crate::common::finding;

pub fn status<'a>(report: &'a serde_json::Value, id: &str) -> &'a str {
    finding(report, id)["status"].as_str().unwrap_or_default()
}

pub fn detail(report: &serde_json::Value, id: &str) -> String {
    finding(report, id)["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Requests the simulator saw for a host (prefix match, e.g. `iamcredentials.`).
pub fn requests_to(w: &World, host_prefix: &str) -> Vec<String> {
    w.sim
        .requests()
        .iter()
        .filter(|q| q.host.starts_with(host_prefix))
        .map(|q| format!("{} {}{}", q.method, q.host, q.path))
        .collect()
}
