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

fn has_japanese(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'))
}

#[test]
fn japanese_values_name_the_wrong_value_and_the_exact_command() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.app_service_env();
    set(&mut env, "LANG", "ja_JP.UTF-8");
    let args = [
        "values",
        "--project-number",
        "demo-project",
        "--pool",
        "azure-pool",
    ];
    let r = w.run(&env, &args);
    assert_eq!(r.code, 0, "{}", r.all());
    // The note about the project number is Japanese and keeps the value and the command.
    let note = r
        .stdout
        .lines()
        .find(|l| l.contains("\"demo-project\""))
        .unwrap_or_else(|| panic!("no note names the value:\n{}", r.stdout));
    assert!(has_japanese(note), "{note}");
    assert!(note.contains("プロジェクト番号"), "{note}");
    assert!(
        note.contains("gcloud projects describe demo-project --format='value(projectNumber)'"),
        "{note}"
    );
    // Labels follow the console's terms; commands stay as they are.
    assert!(r.stdout.contains("許可するオーディエンス"), "{}", r.stdout);
    assert!(r.stdout.contains("属性マッピング"), "{}", r.stdout);
    assert!(
        r.stdout.contains("providers create-oidc azure-mi")
            || r.stdout.contains("providers create-oidc '<PROVIDER_ID>'"),
        "{}",
        r.stdout
    );

    // --json: text fields follow the language, values do not.
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let ja = w.run(&env, &json_args).json();
    let why = ja["missing"][0]["why"].as_str().unwrap_or_default();
    assert!(has_japanese(why), "{}", ja["missing"]);
    assert!(!has_japanese(&ja["gcloud"].to_string()));
    assert!(!has_japanese(ja["terraform"].as_str().unwrap()));

    // LC_ALL=C (over LANG=ja) and --lang en: no Japanese at all.
    let mut c = env.clone();
    set(&mut c, "LC_ALL", "C");
    let r = w.run(&c, &args);
    assert!(!has_japanese(&r.all()), "{}", r.all());
    let mut en_args = vec!["--lang", "en"];
    en_args.extend(args);
    let r = w.run(&env, &en_args);
    assert!(!has_japanese(&r.all()), "{}", r.all());
    let en = w.run(&c, &json_args).json();
    assert_eq!(en["gcloud"], ja["gcloud"]);
    assert_eq!(en["principal_set"], ja["principal_set"]);
}
