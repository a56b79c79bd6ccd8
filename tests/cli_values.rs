//! `wif-doctor values`: every Google value derived from the live token and the settings.

mod common;
use common::*;
use wif_doctor::sim::{Scenario, TokenVersion};

#[test]
fn values_json_derives_everything_from_the_token() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.app_service_env();
    set(&mut env, "GCP_PROJECT_NUMBER", "123456789012");
    set(&mut env, "GCP_PROJECT_ID", "demo-project");
    set(&mut env, "GCP_WORKLOAD_IDENTITY_POOL_ID", "azure-pool");
    set(&mut env, "GCP_WORKLOAD_IDENTITY_PROVIDER_ID", "azure-mi");
    let r = w.run(&env, &["values", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let j = r.json();
    let sub = &w.sim.system_identity().object_id;
    let pool = "projects/123456789012/locations/global/workloadIdentityPools/azure-pool";
    assert_eq!(j["issuer_uri"], w.sim.issuer(TokenVersion::V1));
    assert_eq!(j["allowed_audience"], w.sim.app_v1().identifier_uri);
    assert_eq!(
        j["attribute_mapping"],
        "google.subject=assertion.sub,attribute.subject=assertion.sub"
    );
    assert_eq!(j["subject"], sub.as_str());
    assert_eq!(j["provider_resource"], format!("{pool}/providers/azure-mi"));
    assert_eq!(
        j["sts_audience"],
        format!("//iam.googleapis.com/{pool}/providers/azure-mi")
    );
    assert_eq!(
        j["principal"],
        format!("principal://iam.googleapis.com/{pool}/subject/{sub}")
    );
    assert_eq!(
        j["principal_set"],
        format!("principalSet://iam.googleapis.com/{pool}/attribute.subject/{sub}")
    );
    assert_eq!(j["missing"].as_array().unwrap().len(), 0);
    let gcloud = j["gcloud"].to_string();
    assert!(
        gcloud.contains("providers create-oidc azure-mi"),
        "{gcloud}"
    );
    assert!(gcloud.contains("--role=roles/aiplatform.user"), "{gcloud}");
    assert!(
        j["terraform"]
            .as_str()
            .unwrap()
            .contains("google_iam_workload_identity_pool_provider")
    );
}

#[test]
fn missing_settings_show_placeholders_and_name_their_flags() {
    let w = World::new(Scenario::Healthy);
    let r = w.run(&w.app_service_env(), &["values", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let j = r.json();
    assert!(
        j["principal_set"]
            .as_str()
            .unwrap()
            .contains("<PROJECT_NUMBER>")
    );
    assert!(j["principal_set"].as_str().unwrap().contains("<POOL_ID>"));
    let missing = j["missing"].to_string();
    for needle in [
        "--project-number",
        "GCP_PROJECT_NUMBER",
        "--pool",
        "GCP_WORKLOAD_IDENTITY_POOL_ID",
        "--provider",
    ] {
        assert!(missing.contains(needle), "{needle} in {missing}");
    }
}

#[test]
fn a_project_id_in_place_of_the_number_gets_a_warning() {
    let w = World::new(Scenario::Healthy);
    let r = w.run(
        &w.app_service_env(),
        &[
            "values",
            "--project-number",
            "demo-project",
            "--pool",
            "azure-pool",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains("looks like a project ID"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("gcloud projects describe demo-project --format='value(projectNumber)'"),
        "{}",
        r.stdout
    );
}
