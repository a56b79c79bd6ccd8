//! Every identity-endpoint failure: a clear error line, exit 1, bounded time, no panic.

mod common;
use common::*;
use wif_doctor::sim::Scenario;

fn first_line(r: &Run) -> &str {
    r.stderr.lines().next().unwrap_or("")
}

fn assert_clean_failure(r: &Run) {
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stdout.is_empty(),
        "nothing on stdout on failure: {}",
        r.stdout
    );
    assert!(
        first_line(r).starts_with("wif-doctor: error: "),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert!(
        r.stderr.contains("fix: "),
        "every failure says how to fix it: {}",
        r.stderr
    );
}

#[test]
fn endpoint_500_explains_the_resource() {
    let w = World::new(Scenario::Identity500);
    let r = w.run(&w.app_service_env(), &["token"]);
    assert_clean_failure(&r);
    assert!(
        first_line(&r).contains(&w.sim.app_v1().identifier_uri),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("unexpected error occured"),
        "raw message kept: {}",
        r.stderr
    );
    assert!(r.stderr.contains("az ad sp create"), "{}", r.stderr);
    // 5xx is retried with backoff before giving up.
    let tries = w.identity_requests();
    assert_eq!(tries, 4);
}

#[test]
fn unknown_resource_and_default_suffix() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.app_service_env();
    set(
        &mut env,
        "AZURE_RESOURCE_URI",
        &format!("{}/.default", w.sim.app_v1().identifier_uri),
    );
    let r = w.run(&env, &["token"]);
    assert_clean_failure(&r);
    assert!(
        r.stderr.contains("/.default, which is a scope"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains(&format!("--resource {}", w.sim.app_v1().identifier_uri)),
        "{}",
        r.stderr
    );
}

#[test]
fn wrong_selector_is_400_and_not_retried() {
    let w = World::new(Scenario::Healthy);
    let r = w.run(
        &w.app_service_env(),
        &[
            "token",
            "--client-id",
            "00000000-1111-2222-3333-444444444444",
        ],
    );
    assert_clean_failure(&r);
    assert!(
        first_line(&r).contains("could not find the identity"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("00000000-1111-2222-3333-444444444444"),
        "{}",
        r.stderr
    );
    let tries = w.identity_requests();
    assert_eq!(tries, 1, "400 is never retried");
}

#[test]
fn stale_header_is_401_and_not_retried() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.app_service_env();
    set(
        &mut env,
        "IDENTITY_HEADER",
        "a-stale-header-value-from-before-restart",
    );
    let r = w.run(&env, &["token"]);
    assert_clean_failure(&r);
    assert!(
        first_line(&r).contains("rejected the IDENTITY_HEADER"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("rotates"), "{}", r.stderr);
    assert!(
        !r.all().contains("a-stale-header-value"),
        "the wrong header is a secret too"
    );
    let tries = w.identity_requests();
    assert_eq!(tries, 1);
}

#[test]
fn legacy_version_with_new_header_is_explained() {
    let w = World::new(Scenario::Healthy);
    let r = w.run(
        &w.app_service_env(),
        &["token", "--api-version", "2017-09-01"],
    );
    assert_clean_failure(&r);
    assert!(r.stderr.contains("2019-08-01"), "{}", r.stderr);
}

#[test]
fn unreachable_endpoint() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.app_service_env();
    set(
        &mut env,
        "IDENTITY_ENDPOINT",
        &format!("http://127.0.0.1:{}/msi/token", closed_port()),
    );
    let r = w.run(&env, &["token"]);
    assert_clean_failure(&r);
    assert!(first_line(&r).contains("cannot connect"), "{}", r.stderr);
    assert!(
        r.stderr.contains("managed identity is turned off") || r.stderr.contains("Kudu"),
        "{}",
        r.stderr
    );
}

#[test]
fn html_page_instead_of_json() {
    let w = World::new(Scenario::IdentityHtml);
    let r = w.run(&w.app_service_env(), &["token"]);
    assert_clean_failure(&r);
    assert!(first_line(&r).contains("HTML page"), "{}", r.stderr);
}

#[test]
fn hanging_endpoint_times_out() {
    let w = World::new(Scenario::IdentityHang);
    let r = w.run(&w.app_service_env(), &["token", "--timeout", "500ms"]);
    assert_clean_failure(&r);
    assert!(
        first_line(&r).contains("did not answer within 500 ms"),
        "{}",
        r.stderr
    );
}

#[test]
fn ten_megabyte_body_is_refused() {
    let w = World::new(Scenario::IdentityHuge);
    let r = w.run(&w.app_service_env(), &["token"]);
    assert_clean_failure(&r);
    assert!(
        first_line(&r).contains("more than 1024 KiB"),
        "{}",
        r.stderr
    );
}

#[test]
fn kudu_container_says_where_to_go() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.base_env();
    set(&mut env, "KUDU_WEBSSH_PORT", "3000");
    set(&mut env, "WEBSITE_SITE_NAME", "demo-app");
    let r = w.run(&env, &["token"]);
    assert_clean_failure(&r);
    assert!(first_line(&r).contains("Kudu"), "{}", r.stderr);
    assert!(r.stderr.contains("Development Tools → SSH"), "{}", r.stderr);
}

#[test]
fn app_service_without_identity_and_nothing_at_all() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.base_env();
    set(&mut env, "WEBSITE_SITE_NAME", "demo-app");
    let r = w.run(&env, &["token"]);
    assert_clean_failure(&r);
    assert!(
        r.stderr.contains("az webapp identity assign"),
        "{}",
        r.stderr
    );

    let r = w.run(&w.base_env(), &["token"]);
    assert_clean_failure(&r);
    assert!(
        first_line(&r).contains("no managed identity found"),
        "{}",
        r.stderr
    );
    assert!(w.sim.requests().is_empty(), "IMDS is not probed off Azure");
}

#[test]
fn header_without_endpoint_pairing() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.app_service_env();
    unset(&mut env, "IDENTITY_HEADER");
    let r = w.run(&env, &["token"]);
    assert_clean_failure(&r);
    assert!(
        first_line(&r).contains("IDENTITY_HEADER is not"),
        "{}",
        r.stderr
    );
}

#[test]
fn imds_identity_not_found() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.base_env();
    set(&mut env, "AZURE_IMDS_ENDPOINT", &w.sim.imds_endpoint());
    let r = w.run(
        &env,
        &[
            "token",
            "--client-id",
            "00000000-0000-0000-0000-00000000beef",
        ],
    );
    assert_clean_failure(&r);
    assert!(r.stderr.contains("Identity not found"), "{}", r.stderr);
}

#[test]
fn usage_errors_exit_2() {
    let w = World::new(Scenario::Healthy);
    let r = w.run(&w.app_service_env(), &["token", "--timeout", "fast"]);
    assert_eq!(r.code, 2, "{}", r.all());
    let r = w.run(&w.app_service_env(), &["token", "--resolve", "nonsense"]);
    assert_eq!(r.code, 2, "{}", r.all());
    let r = w.run(&w.app_service_env(), &["no-such-command"]);
    assert_eq!(r.code, 2, "{}", r.all());
    let r = w.run(&w.app_service_env(), &["--demo=no-such-scenario", "token"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("healthy"),
        "lists valid scenarios: {}",
        r.stderr
    );
}

/// A token service that echoes the header it got (JSON-escaped) in its error message.
fn echoing_endpoint(status: u16) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(8) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]).to_string();
            let header = req
                .lines()
                .find_map(|l| {
                    l.strip_prefix("X-IDENTITY-HEADER: ")
                        .or_else(|| l.strip_prefix("x-identity-header: "))
                })
                .unwrap_or("")
                .to_string();
            let body = serde_json::json!({"statusCode": status, "message": format!("header {header} is not valid")}).to_string();
            let body = body.replace('/', "\\/"); // the escaped spelling some servers use
            let _ = write!(
                s,
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}/msi/token")
}

#[test]
fn a_header_echoed_by_the_server_is_scrubbed_everywhere() {
    let w = World::new(Scenario::Healthy);
    let secret = "abc/def-secret-header-value";
    for status in [401, 400] {
        let mut env = w.full_env();
        set(&mut env, "IDENTITY_ENDPOINT", &echoing_endpoint(status));
        set(&mut env, "IDENTITY_HEADER", secret);
        let report = w.dir.path().join(format!("report-{status}.md"));
        for args in [
            vec!["token"],
            vec!["check", "--json"],
            vec!["report", "--output", report.to_str().unwrap()],
        ] {
            let r = w.run(&env, &args);
            let all = r.all();
            assert!(!all.contains("def-secret-header-value"), "{args:?}: {all}");
            assert!(
                all.contains("<redacted>") || args[0] == "report",
                "{args:?}: the message is kept, scrubbed: {all}"
            );
        }
        let md = std::fs::read_to_string(&report).unwrap();
        assert!(!md.contains("def-secret-header-value"), "{md}");
    }
}
