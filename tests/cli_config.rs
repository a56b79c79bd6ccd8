//! `wif-doctor config`: the seed's structure field for field, mode 0600, no clobbering.

mod common;
use common::*;
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
use wif_doctor::sim::Scenario;

fn google_env(w: &World) -> Vec<(String, String)> {
    let mut env = w.app_service_env();
    set(&mut env, "GCP_PROJECT_NUMBER", "123456789012");
    set(
        &mut env,
        "GCP_WORKLOAD_IDENTITY_POOL_ID",
        "azure-workload-pool",
    );
    set(
        &mut env,
        "GCP_WORKLOAD_IDENTITY_PROVIDER_ID",
        "azure-workload-provider",
    );
    env
}

#[test]
fn writes_the_seed_structure_with_mode_0600() {
    let w = World::new(Scenario::Healthy);
    let r = w.run(&google_env(&w), &["config"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let path = w.home().join("gcp_credentials.json");
    assert!(
        r.stdout.contains(&format!(
            "export GOOGLE_APPLICATION_CREDENTIALS={}",
            path.display()
        )),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("rotates"),
        "warns that the header changes: {}",
        r.stdout
    );
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    let text = std::fs::read_to_string(&path).unwrap();
    let got: serde_json::Value = serde_json::from_str(&text).unwrap();
    let expected = json!({
        "universe_domain": "googleapis.com",
        "type": "external_account",
        "audience": "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-workload-pool/providers/azure-workload-provider",
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "token_url": "https://sts.googleapis.com/v1/token",
        "credential_source": {
            "url": format!("{}?resource={}&api-version=2019-08-01", w.sim.identity_endpoint(), w.sim.app_v1().identifier_uri),
            "headers": { "X-IDENTITY-HEADER": w.sim.identity_header() },
            "format": { "type": "json", "subject_token_field_name": "access_token" }
        }
    });
    assert_eq!(got, expected);
    // Key order as in the seed.
    let keys: Vec<&str> = [
        "universe_domain",
        "\"type\"",
        "audience",
        "subject_token_type",
        "token_url",
        "credential_source",
    ]
    .into_iter()
    .collect();
    let positions: Vec<usize> = keys.iter().map(|k| text.find(k).unwrap()).collect();
    assert!(positions.windows(2).all(|p| p[0] < p[1]), "{text}");
    // The URL in the file really fetches a token from the identity endpoint.
    let url = got["credential_source"]["url"].as_str().unwrap();
    let parsed = url::Url::parse(url).unwrap();
    assert_eq!(
        parsed
            .query_pairs()
            .find(|(k, _)| k == "resource")
            .unwrap()
            .1,
        w.sim.app_v1().identifier_uri
    );
}

#[test]
fn service_account_adds_impersonation_url() {
    let w = World::new(Scenario::Healthy);
    let out = w.dir.path().join("creds.json");
    let r = w.run(
        &google_env(&w),
        &[
            "config",
            "--output",
            out.to_str().unwrap(),
            "--service-account",
            "vertex@demo-project.iam.gserviceaccount.com",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    let got: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(
        got["service_account_impersonation_url"],
        "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/vertex@demo-project.iam.gserviceaccount.com:generateAccessToken"
    );
}

#[test]
fn refuses_to_clobber_without_force() {
    let w = World::new(Scenario::Healthy);
    let out = w.dir.path().join("creds.json");
    std::fs::write(&out, "{\"mine\": true}\n").unwrap();
    let r = w.run(
        &google_env(&w),
        &["config", "--output", out.to_str().unwrap()],
    );
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "{\"mine\": true}\n");

    let r = w.run(
        &google_env(&w),
        &[
            "config",
            "--output",
            out.to_str().unwrap(),
            "--force",
            "--json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["outcome"], "replaced");
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("external_account")
    );
    // Same content again is not an error.
    let r = w.run(
        &google_env(&w),
        &["config", "--output", out.to_str().unwrap(), "--json"],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["outcome"], "unchanged");
}

#[test]
fn stdout_redacts_the_header_and_missing_settings_are_named() {
    let w = World::new(Scenario::Healthy);
    let r = w.run(&google_env(&w), &["config", "--stdout"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let j = r.json();
    assert_eq!(
        j["credential_source"]["headers"]["X-IDENTITY-HEADER"],
        "<IDENTITY_HEADER: redacted>"
    );

    let r = w.run(&w.app_service_env(), &["config"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("--project-number (GCP_PROJECT_NUMBER)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--pool"), "{}", r.stderr);
}

#[test]
fn other_sources_and_missing_directories_are_explained() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.base_env();
    set(&mut env, "AZURE_IMDS_ENDPOINT", &w.sim.imds_endpoint());
    set(&mut env, "GCP_PROJECT_NUMBER", "123456789012");
    let r = w.run(&env, &["config"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stderr.contains("Azure VM instance metadata service"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("create-cred-config") && r.stderr.contains("--azure --app-id-uri="),
        "{}",
        r.stderr
    );

    let missing = w.dir.path().join("no/such/dir/creds.json");
    let r = w.run(
        &google_env(&w),
        &["config", "--output", missing.to_str().unwrap()],
    );
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stderr.contains("does not exist") && r.stderr.contains("mkdir -p"),
        "{}",
        r.stderr
    );
}
