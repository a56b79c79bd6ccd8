//! Pre-connection: while the identity request is in flight, the hosts the run will need get a
//! connection through a bare `HEAD /` — no credential, no body — and only hosts the settings
//! lint accepted.

mod common;
use common::*;
use std::collections::BTreeSet;
use wif_doctor::sim::Scenario;

fn warmups(w: &World) -> Vec<wif_doctor::sim::RecordedRequest> {
    w.sim
        .requests()
        .into_iter()
        .filter(|q| q.method == "HEAD")
        .collect()
}

#[test]
fn warmups_carry_nothing_and_reach_only_the_run_s_hosts() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.full_env();
    let sa = w.sim.google().service_account_email;
    set(&mut env, "GCP_SERVICE_ACCOUNT", &sa);
    let r = w.run(&env, &["check", "--json"]);
    assert!(r.code == 0 || r.code == 1, "{}", r.all());
    let heads = warmups(&w);
    let hosts: BTreeSet<&str> = heads.iter().map(|q| q.host.as_str()).collect();
    assert_eq!(
        hosts,
        BTreeSet::from([
            "sts.windows.net",
            "login.microsoftonline.com",
            "sts.googleapis.com",
            "iamcredentials.googleapis.com",
            "cloudresourcemanager.googleapis.com",
            "us-central1-aiplatform.googleapis.com",
        ])
    );
    for q in &heads {
        assert_eq!(q.path, "/", "{q:?}");
        assert!(q.query.is_empty() && q.body.is_empty(), "{q:?}");
        let header = w.sim.identity_header();
        for (name, value) in &q.headers {
            assert!(
                !name.eq_ignore_ascii_case("authorization") && !value.contains(header),
                "a credential travelled with a warm-up: {q:?}"
            );
            assert!(!looks_like_jwt_in(value), "{q:?}");
        }
    }
}

#[test]
fn no_google_host_is_warmed_when_an_endpoint_setting_is_unsafe() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.full_env();
    set(&mut env, "GCP_LOCATION", "us-central1/../evil");
    let r = w.run(&env, &["check", "--json"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let google: Vec<String> = warmups(&w)
        .iter()
        .filter(|q| q.host.ends_with("googleapis.com"))
        .map(|q| q.host.clone())
        .collect();
    assert!(google.is_empty(), "{google:?}");
}
