//! Secrets: the header reaches only the identity endpoint; nothing prints the token or
//! header (every `World::run` also asserts that on all output).

mod common;
use common::*;
use wif_doctor::sim::Scenario;

#[test]
fn header_is_sent_only_to_the_identity_endpoint_across_commands() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.app_service_env();
    set(&mut env, "GCP_PROJECT_NUMBER", "123456789012");
    set(&mut env, "GCP_WORKLOAD_IDENTITY_POOL_ID", "azure-pool");
    set(&mut env, "GCP_WORKLOAD_IDENTITY_PROVIDER_ID", "azure-mi");
    for args in [
        vec!["token"],
        vec!["token", "--json"],
        vec!["values"],
        vec!["values", "--json"],
        vec!["config", "--stdout"],
        vec!["config", "--json"],
    ] {
        let r = w.run(&env, &args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.all());
    }
    let reqs = w.sim.requests();
    assert!(!reqs.is_empty());
    let header = w.sim.identity_header();
    for q in &reqs {
        let carries = q.headers.iter().any(|(_, v)| v.contains(header))
            || q.query.contains(header)
            || q.body.contains(header);
        let is_identity = q.listener == "http" && q.path.eq_ignore_ascii_case("/msi/token");
        assert!(
            !carries || is_identity,
            "header sent to {} {}{}",
            q.listener,
            q.host,
            q.path
        );
        if is_identity {
            assert!(carries);
        }
    }
}

#[test]
fn demo_mode_prints_no_secret_either() {
    let w = World::new(Scenario::Healthy);
    // The in-process simulator of --demo has its own header; no output may look like a token.
    for args in [
        vec!["--demo", "token"],
        vec!["--demo", "token", "--json"],
        vec!["--demo", "values", "--json"],
        vec!["--demo", "config", "--stdout"],
    ] {
        let r = w.run(&w.base_env(), &args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.all());
        assert!(!looks_like_jwt_in(&r.all()));
        if args.contains(&"config") {
            assert!(r.stdout.contains("<IDENTITY_HEADER: redacted>"));
        }
    }
}
