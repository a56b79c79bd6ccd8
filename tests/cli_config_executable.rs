//! `wif-doctor config --form executable`: the file field for field, no secret in it, the
//! refusals (whitespace, timeout, output file), the App Service warnings, and the command it
//! names really answering as the libraries expect.

mod common;
use common::*;
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use wif_doctor::sim::Scenario;

fn google_env(w: &World) -> Vec<(String, String)> {
    let g = w.sim.google();
    let mut env = w.app_service_env();
    set(&mut env, "AZURE_RESOURCE_URI", &g.app_id_uri);
    set(&mut env, "GCP_PROJECT_NUMBER", &g.project_number);
    set(&mut env, "GCP_WORKLOAD_IDENTITY_POOL_ID", &g.pool);
    set(&mut env, "GCP_WORKLOAD_IDENTITY_PROVIDER_ID", &g.provider);
    env
}

fn binary() -> String {
    std::fs::canonicalize(assert_cmd::cargo::cargo_bin("wif-doctor"))
        .unwrap()
        .display()
        .to_string()
}

fn audience(w: &World) -> String {
    let g = w.sim.google();
    format!(
        "//iam.googleapis.com/projects/{}/locations/global/workloadIdentityPools/{}/providers/{}",
        g.project_number, g.pool, g.provider
    )
}

#[test]
fn writes_the_executable_form_field_for_field() {
    let w = World::new(Scenario::Healthy);
    let r = w.run(&google_env(&w), &["config", "--form", "executable"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let path = w.home().join("gcp_credentials.json");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(w.sim.identity_header()));
    assert!(!text.contains(&w.sim.identity_endpoint()));
    let got: serde_json::Value = serde_json::from_str(&text).unwrap();
    let expected = json!({
        "universe_domain": "googleapis.com",
        "type": "external_account",
        "audience": audience(&w),
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "token_url": "https://sts.googleapis.com/v1/token",
        "credential_source": {
            "executable": {
                "command": format!(
                    "{} subject-token --resource={} --deadline=28500ms",
                    binary(),
                    w.sim.google().app_id_uri
                ),
                "timeout_millis": 30000
            }
        }
    });
    assert_eq!(got, expected);
    // The app settings line for this form, and the exports.
    let az = format!(
        "az webapp config appsettings set -g <RESOURCE_GROUP> -n '<APP_NAME>' --settings GOOGLE_APPLICATION_CREDENTIALS={} GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1",
        path.display()
    );
    assert!(r.stdout.contains(&az), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("export GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("NOT by .NET"), "{}", r.stdout);
    // Not set in this environment: said so.
    assert!(
        r.stdout.contains(
            "warning: GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1 is not in this environment"
        ),
        "{}",
        r.stdout
    );

    // --json carries the same, and the default form stays url.
    let mut env = google_env(&w);
    set(&mut env, "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES", "1");
    set(&mut env, "WEBSITE_SITE_NAME", "my-app");
    let r = w.run(&env, &["config", "--form", "executable", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let j = r.json();
    assert_eq!(j["form"], "executable");
    assert_eq!(j["outcome"], "unchanged");
    assert_eq!(
        j["appsettings_command"],
        az.replace("'<APP_NAME>'", "my-app")
    );
    assert_eq!(
        j["command"],
        expected["credential_source"]["executable"]["command"]
    );
    // The binary runs outside /home on "App Service": it would not survive a restart.
    let warnings = j["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].as_str().unwrap().contains("outside /home"),
        "{warnings:?}"
    );

    let out = w.dir.path().join("url.json");
    let r = w.run(
        &google_env(&w),
        &["config", "--json", "--output", out.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["form"], "url");
    assert_eq!(
        r.json()["appsettings_command"],
        format!(
            "az webapp config appsettings set -g <RESOURCE_GROUP> -n '<APP_NAME>' --settings GOOGLE_APPLICATION_CREDENTIALS={}",
            out.display()
        )
    );
}

#[test]
fn selector_timeout_output_file_and_impersonation() {
    let w = World::new(Scenario::Healthy);
    let cache = w.home().join(".wif-doctor-token.json");
    let out = w.dir.path().join("creds.json");
    let r = w.run(
        &google_env(&w),
        &[
            "config",
            "--form=executable",
            "--output",
            out.to_str().unwrap(),
            "--executable-timeout-millis",
            "10000",
            "--executable-output-file",
            cache.to_str().unwrap(),
            "--client-id",
            "11111111-2222-3333-4444-555555555555",
            "--service-account",
            "vertex@demo-project.iam.gserviceaccount.com",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    let got: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(
        got["credential_source"]["executable"],
        json!({
            "command": format!(
                "{} subject-token --resource={} --client-id=11111111-2222-3333-4444-555555555555 --deadline=8500ms",
                binary(),
                w.sim.google().app_id_uri
            ),
            "timeout_millis": 10000,
            "output_file": cache.display().to_string(),
        })
    );
    assert_eq!(
        got["service_account_impersonation_url"],
        "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/vertex@demo-project.iam.gserviceaccount.com:generateAccessToken"
    );
    // The cache starts as a well-formed failure response (Node's library fails on a
    // missing output file; every library re-runs the command on a failure response).
    let placeholder = std::fs::read_to_string(&cache).unwrap();
    let mode = std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(matches!(
        wif_doctor::gcp::subject_token::validate(&placeholder, 0),
        Ok(wif_doctor::gcp::subject_token::Verdict::Failure { .. })
    ));
}

#[test]
fn refusals_are_explained() {
    let w = World::new(Scenario::Healthy);
    let env = google_env(&w);
    for (args, code, words) in [
        (
            vec!["--executable-timeout-millis", "4999"],
            2,
            "outside the libraries' range",
        ),
        (
            vec!["--executable-timeout-millis", "120001"],
            2,
            "outside the libraries' range",
        ),
        (
            vec!["--executable-output-file", "/tmp/cache.json"],
            2,
            "is not under $HOME",
        ),
        (vec!["--resource", "api://my app"], 2, "whitespace"),
    ] {
        let mut all = vec!["config", "--form", "executable"];
        all.extend(args.iter().copied());
        let r = w.run(&env, &all);
        assert_eq!(r.code, code, "{args:?}: {}", r.all());
        assert!(r.stderr.contains(words), "{args:?}: {}", r.stderr);
    }
    assert!(!w.home().join("gcp_credentials.json").exists());

    // Settings the audience needs are named.
    let r = w.run(&w.app_service_env(), &["config", "--form", "executable"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("--project-number (GCP_PROJECT_NUMBER)"));
}

#[test]
fn a_binary_path_with_whitespace_is_refused() {
    let w = World::new(Scenario::Healthy);
    let dir = w.dir.path().join("my tools");
    std::fs::create_dir_all(&dir).unwrap();
    let copy: PathBuf = dir.join("wif-doctor");
    std::fs::copy(assert_cmd::cargo::cargo_bin("wif-doctor"), &copy).unwrap();
    let out = std::process::Command::new(&copy)
        .env_clear()
        .envs(google_env(&w))
        .args(["config", "--form", "executable"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("contains whitespace"), "{stderr}");
    assert!(
        stderr.contains("split the command on whitespace"),
        "{stderr}"
    );
    assert!(!w.home().join("gcp_credentials.json").exists());
}

#[test]
fn the_written_command_answers_like_a_library_expects() {
    let w = World::new(Scenario::Healthy);
    let mut env = google_env(&w);
    let r = w.run(&env, &["config", "--form", "executable", "--stdout"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let cfg = r.json();
    // Run it exactly as google-auth does: split on whitespace, the library's variables on
    // top of the app's environment.
    let command = cfg["credential_source"]["executable"]["command"]
        .as_str()
        .unwrap();
    let parts: Vec<&str> = command.split_whitespace().collect();
    // The app may lack AZURE_RESOURCE_URI: the flag in the command carries it.
    unset(&mut env, "AZURE_RESOURCE_URI");
    let out = std::process::Command::new(parts[0])
        .args(&parts[1..])
        .env_clear()
        .envs(env)
        .env(
            "GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE",
            cfg["audience"].as_str().unwrap(),
        )
        .env(
            "GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE",
            cfg["subject_token_type"].as_str().unwrap(),
        )
        .env("GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE", "0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(matches!(
        wif_doctor::gcp::subject_token::validate(&stdout, wif_doctor::session::now()),
        Ok(wif_doctor::gcp::subject_token::Verdict::Token { .. })
    ));
}
