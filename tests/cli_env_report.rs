//! `env` (the Environment screen's twin), `report` (the Report screen's twin), and pipes.

mod common;
use common::*;
use std::os::unix::fs::PermissionsExt;
use wif_doctor::sim::Scenario;

#[test]
fn env_json_names_the_source_every_origin_and_what_is_missing() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.app_service_env();
    set(&mut env, "GCP_WORKLOAD_IDENTITY_POOL_ID", "azure-pool");
    set(&mut env, "WEBSITE_SITE_NAME", "my-app");
    let r = w.run(&env, &["env", "--json", "--provider", "azure-mi"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let j = r.json();
    assert_eq!(j["source"]["kind"], "app_service");
    let setting = |name: &str| {
        j["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(
        setting("pool")["origin"],
        "environment GCP_WORKLOAD_IDENTITY_POOL_ID"
    );
    assert_eq!(setting("provider")["origin"], "flag --provider");
    assert_eq!(
        setting("resource")["origin"],
        "environment AZURE_RESOURCE_URI"
    );
    assert!(
        setting("identity_header")["value"]
            .as_str()
            .unwrap()
            .contains("hidden")
    );
    let missing: Vec<&str> = j["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["env"].as_str().unwrap())
        .collect();
    assert_eq!(missing, ["GCP_PROJECT_NUMBER", "GCP_PROJECT_ID"]);
    let cmd = j["appsettings_command"].as_str().unwrap();
    assert!(
        cmd.starts_with(
            "az webapp config appsettings set -g <RESOURCE_GROUP> -n my-app --settings"
        ),
        "{cmd}"
    );
    assert!(
        cmd.contains("GCP_PROJECT_NUMBER=<PROJECT_NUMBER>")
            && cmd.contains("GCP_WORKLOAD_IDENTITY_POOL_ID=azure-pool"),
        "{cmd}"
    );
    assert!(w.sim.requests().is_empty(), "env makes no request");
}

#[test]
fn env_in_the_kudu_container_explains_where_to_go() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.base_env();
    set(&mut env, "KUDU_WEBSSH_PORT", "3000");
    let r = w.run(&env, &["env"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains("Kudu"), "{}", r.stdout);
    assert!(r.stdout.contains("Development Tools → SSH"), "{}", r.stdout);
}

#[test]
fn report_is_written_0600_redacted_even_when_checks_fail() {
    let w = World::new(Scenario::AudienceMismatch);
    let path = w.dir.path().join("report.md");
    let r = w.run(
        &w.full_env(),
        &["report", "--output", path.to_str().unwrap(), "--json"],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["ok"], false);
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let md = std::fs::read_to_string(&path).unwrap();
    assert!(md.starts_with("# wif-doctor support report"), "{md}");
    assert!(md.contains("FAIL `sts.exchange`"), "{md}");
    assert!(
        md.contains("--allowed-audiences="),
        "the fix is in the report"
    );
    assert!(!md.contains(w.sim.identity_header()), "header in report");
    assert!(
        !looks_like_jwt_in(&md) && !md.contains("ya29."),
        "token in report"
    );

    let r = w.run(
        &w.full_env(),
        &["report", "--output", path.to_str().unwrap()],
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let w = World::new(Scenario::Healthy);
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("wif-doctor"));
    cmd.env_clear().envs(w.full_env()).args(["values"]);
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    drop(child.stdout.take()); // the reader goes away, like `| head -0`
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}
