//! `wif-doctor check` against every simulator scenario: the failing check, the actual
//! wrong value in `detail`, the right value or command in `fix`.

mod common;
use common::*;
use serde_json::Value;
use wif_doctor::sim::{Scenario, TokenVersion};

fn check(w: &World, env: &[(String, String)]) -> (Run, Value) {
    let r = w.run(env, &["check", "--json"]);
    let j = r.json();
    (r, j)
}

fn assert_fails(j: &Value, id: &str, detail_has: &[&str], fix_has: &[&str]) {
    let f = finding(j, id);
    assert_eq!(f["status"], "fail", "{id}: {f:#}");
    let detail = f["detail"].as_str().unwrap();
    let fix = f["fix"].as_str().unwrap_or_default();
    for d in detail_has {
        assert!(detail.contains(d), "{id}: detail lacks {d:?}:\n{detail}");
    }
    for x in fix_has {
        assert!(fix.contains(x), "{id}: fix lacks {x:?}:\n{fix}");
    }
    assert_eq!(j["ok"], false);
}

#[test]
fn healthy_passes_every_check() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.full_env();
    // Write the credential file with wif-doctor itself, then lint it; impersonate the SA.
    let cfg = w.dir.path().join("creds.json");
    let r = w.run(&env, &["config", "--output", cfg.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.all());
    set(
        &mut env,
        "GOOGLE_APPLICATION_CREDENTIALS",
        cfg.to_str().unwrap(),
    );
    set(
        &mut env,
        "GCP_SERVICE_ACCOUNT",
        &w.sim.google().service_account_email,
    );
    let (r, j) = check(&w, &env);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(j["ok"], true);
    let checks = j["checks"].as_array().unwrap();
    let ids: Vec<&str> = checks.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "azure.source",
            "azure.token",
            "token.claims",
            "token.signature",
            "gcp.settings",
            "config.file",
            "sts.exchange",
            "iam.impersonation",
            "gcp.permissions",
            "vertex.call"
        ]
    );
    for c in checks {
        assert_eq!(c["status"], "pass", "{c:#}");
    }
    assert!(
        finding(&j, "sts.exchange")["data"]["principal"]
            .as_str()
            .unwrap()
            .contains(&w.sim.system_identity().object_id)
    );
}

#[test]
fn human_output_is_a_checklist_with_summary() {
    let w = World::new(Scenario::Healthy);
    let r = w.run(&w.full_env(), &["check"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains("✓ sts.exchange"), "{}", r.stdout);
    assert!(r.stdout.contains("– iam.impersonation"), "{}", r.stdout);
    assert!(
        r.stdout
            .lines()
            .last()
            .unwrap()
            .starts_with("OK: 8 passed, 0 warnings, 0 failed, 2 skipped"),
        "{}",
        r.stdout
    );
    let r = w.run(&w.full_env(), &["check", "--ascii"]);
    assert!(r.stdout.contains("ok sts.exchange"), "{}", r.stdout);
    assert!(r.stdout.is_ascii(), "{}", r.stdout);
}

#[test]
fn audience_mismatch() {
    let w = World::new(Scenario::AudienceMismatch);
    let (r, j) = check(&w, &w.full_env());
    assert_eq!(r.code, 1);
    let aud = w.sim.app_v1().identifier_uri.clone();
    assert_fails(
        &j,
        "sts.exchange",
        &[&aud],
        &[
            &format!("--allowed-audiences='{aud}'"),
            "update-oidc azure-mi",
        ],
    );
}

#[test]
fn issuer_v1_v2_mismatch() {
    let w = World::new(Scenario::IssuerMismatch);
    let (_, j) = check(&w, &w.full_env());
    let v1 = w.sim.issuer(TokenVersion::V1);
    let v2 = w.sim.issuer(TokenVersion::V2);
    assert_fails(
        &j,
        "sts.exchange",
        &[&v1, &v2],
        &[&format!("--issuer-uri='{v1}'")],
    );
}

#[test]
fn expired_token() {
    let w = World::new(Scenario::ExpiredToken);
    let (_, j) = check(&w, &w.full_env());
    assert_fails(&j, "token.claims", &["expired at"], &["fresh token"]);
    assert_fails(&j, "sts.exchange", &["stale"], &["fresh"]);
}

#[test]
fn disabled_pool() {
    let w = World::new(Scenario::DisabledPool);
    let (_, j) = check(&w, &w.full_env());
    assert_fails(
        &j,
        "sts.exchange",
        &["azure-pool", "invalid_target"],
        &[
            "--no-disabled",
            "gcloud iam workload-identity-pools describe azure-pool",
        ],
    );
}

#[test]
fn project_id_instead_of_number() {
    let w = World::new(Scenario::ProjectIdAudience);
    let (_, j) = check(&w, &w.full_env());
    let describe = "gcloud projects describe demo-project --format='value(projectNumber)'";
    assert_fails(&j, "gcp.settings", &["demo-project"], &[describe]);
    assert_fails(
        &j,
        "sts.exchange",
        &["demo-project", "invalid_target"],
        &[describe],
    );
}

#[test]
fn attribute_condition_rejects() {
    let w = World::new(Scenario::AttributeCondition);
    let (_, j) = check(&w, &w.full_env());
    let tid = w.sim.tenant_id().to_string();
    assert_fails(
        &j,
        "sts.exchange",
        &["attribute condition", &tid],
        &["--attribute-condition", &tid],
    );
}

#[test]
fn missing_vertex_binding() {
    let w = World::new(Scenario::MissingVertexBinding);
    let (_, j) = check(&w, &w.full_env());
    let sub = &w.sim.system_identity().object_id;
    let set = format!(
        "principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/attribute.subject/{sub}"
    );
    assert_fails(
        &j,
        "gcp.permissions",
        &["aiplatform.endpoints.predict"],
        &[
            "add-iam-policy-binding demo-project",
            &set,
            "roles/aiplatform.user",
        ],
    );
    assert_fails(
        &j,
        "vertex.call",
        &["aiplatform.endpoints.predict"],
        &["roles/aiplatform.user"],
    );
}

#[test]
fn missing_workload_identity_user() {
    let w = World::new(Scenario::MissingWorkloadIdentityUser);
    let (_, j) = check(&w, &w.full_env());
    let sa = w
        .sim
        .google()
        .service_account
        .clone()
        .expect("scenario impersonates");
    let principal = format!(
        "principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/subject/{}",
        w.sim.system_identity().object_id
    );
    assert_fails(
        &j,
        "iam.impersonation",
        &[&sa, "iam.serviceAccounts.getAccessToken"],
        &[
            &format!("gcloud iam service-accounts add-iam-policy-binding {sa}"),
            &principal,
            "--role=roles/iam.workloadIdentityUser",
        ],
    );
    assert_eq!(finding(&j, "gcp.permissions")["status"], "skip");
}

#[test]
fn unknown_signing_key() {
    let w = World::new(Scenario::UnknownSigningKey);
    let (_, j) = check(&w, &w.full_env());
    assert_fails(
        &j,
        "token.signature",
        &["not in the issuer's JWKS", w.sim.signing_kid()],
        &["fresh token"],
    );
    assert_fails(
        &j,
        "sts.exchange",
        &["Error connecting to the given credential's issuer"],
        &[],
    );
}

#[test]
fn identity_endpoint_500_and_html() {
    let w = World::new(Scenario::Identity500);
    let (_, j) = check(&w, &w.full_env());
    assert_fails(
        &j,
        "azure.token",
        &[&w.sim.google().app_id_uri],
        &["az ad sp create"],
    );
    assert_eq!(finding(&j, "sts.exchange")["status"], "skip");

    let w = World::new(Scenario::IdentityHtml);
    let (_, j) = check(&w, &w.full_env());
    assert_fails(&j, "azure.token", &["HTML page"], &["IDENTITY_ENDPOINT"]);
}

#[test]
fn vertex_api_disabled() {
    let w = World::new(Scenario::VertexDisabled);
    let (_, j) = check(&w, &w.full_env());
    assert_fails(
        &j,
        "vertex.call",
        &["123456789012"],
        &["gcloud services enable aiplatform.googleapis.com --project=123456789012"],
    );
}

#[test]
fn stale_credential_config_is_linted() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.full_env();
    let cfg = w.dir.path().join("creds.json");
    // A file written with a header from before a restart.
    let mut old = env.clone();
    set(&mut old, "IDENTITY_HEADER", "header-value-before-restart");
    let r = w.run(&old, &["config", "--output", cfg.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.all());
    set(
        &mut env,
        "GOOGLE_APPLICATION_CREDENTIALS",
        cfg.to_str().unwrap(),
    );
    let (r, j) = check(&w, &env);
    assert!(!r.all().contains("header-value-before-restart"));
    assert_fails(
        &j,
        "config.file",
        &["X-IDENTITY-HEADER"],
        &["wif-doctor config --force"],
    );
}

#[test]
fn check_without_google_settings_skips_with_reasons() {
    let w = World::new(Scenario::Healthy);
    let (r, j) = check(&w, &w.app_service_env());
    assert_eq!(r.code, 1);
    assert_fails(
        &j,
        "gcp.settings",
        &["project_number"],
        &["--project-number"],
    );
    assert_eq!(finding(&j, "sts.exchange")["status"], "skip");
    assert!(
        finding(&j, "sts.exchange")["detail"]
            .as_str()
            .unwrap()
            .contains("gcp.settings")
    );
    assert_eq!(finding(&j, "azure.token")["status"], "pass");
}

#[test]
fn unsafe_endpoints_never_receive_a_token() {
    let w = World::new(Scenario::Healthy);
    let trap = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    trap.set_nonblocking(true).unwrap();
    let port = trap.local_addr().unwrap().port();
    for (flag, value, shown) in [
        (
            "--token-url",
            format!("http://127.0.0.1:{port}/v1/token"),
            "uses http",
        ),
        (
            "--token-url",
            format!("https://127.0.0.1:{port}/v1/token"),
            "not Google STS",
        ),
        (
            "--location",
            "x.example.com#".to_string(),
            "is not a location",
        ),
        (
            "--universe-domain",
            format!("127.0.0.1:{port}/x"),
            "is not a domain name",
        ),
    ] {
        let (r, j) = {
            let r = w.run(&w.full_env(), &["check", "--json", flag, &value]);
            let j = r.json();
            (r, j)
        };
        assert_eq!(r.code, 1);
        assert_fails(&j, "gcp.settings", &[&value, shown], &["unset it"]);
        assert_eq!(finding(&j, "sts.exchange")["status"], "skip", "{flag}");
        assert!(
            trap.accept().is_err(),
            "{flag}: something connected to the trap"
        );
        let sts = w
            .sim
            .requests()
            .iter()
            .filter(|q| q.host == "sts.googleapis.com")
            .count();
        assert_eq!(sts, 0, "{flag}: no token exchange at all");
    }
}
