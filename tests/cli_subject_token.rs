//! `wif-doctor subject-token`: the executable-source protocol (AIP-4117) field for field,
//! the variables the libraries set, the output-file protocol, and its secrecy: the token
//! appears on stdout only in a success response, never on stderr, and the header never.

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;
use wif_doctor::sim::Scenario;

const JWT_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";
const ID_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:id_token";

/// Runs `subject-token` as a library would (its variables on top of `env`). Unlike
/// `World::run` it allows the token on stdout: that is the protocol. Everything else about
/// secrecy is asserted here.
fn run_subject_token(w: &World, env: &[(String, String)], args: &[&str]) -> Run {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wif-doctor"));
    cmd.env_clear()
        .envs(env.iter().cloned())
        .arg("subject-token")
        .args(args);
    let run = run_child(cmd, None, Duration::from_secs(60));
    assert_eq!(run.stderr, "", "subject-token writes nothing to stderr");
    assert!(
        !run.stdout.contains(w.sim.identity_header()),
        "IDENTITY_HEADER leaked: {}",
        run.stdout
    );
    assert_eq!(
        run.stdout.matches('\n').count(),
        1,
        "exactly one JSON line: {}",
        run.stdout
    );
    run
}

fn library_env(w: &World) -> Vec<(String, String)> {
    let g = w.sim.google();
    let mut env = w.app_service_env();
    set(&mut env, "AZURE_RESOURCE_URI", &g.app_id_uri);
    set(
        &mut env,
        "GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE",
        &format!(
            "//iam.googleapis.com/projects/{}/locations/global/workloadIdentityPools/{}/providers/{}",
            g.project_number, g.pool, g.provider
        ),
    );
    set(&mut env, "GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE", JWT_TYPE);
    set(&mut env, "GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE", "0");
    set(&mut env, "GOOGLE_EXTERNAL_ACCOUNT_REVOKE", "0");
    env
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn failure_fields(r: &Run) -> (String, String) {
    assert_eq!(r.code, 1, "{}", r.all());
    let v = r.json();
    assert_eq!(
        keys(&v),
        ["code", "message", "success", "version"]
            .map(String::from)
            .into(),
        "{v}"
    );
    assert_eq!(v["version"], 1);
    assert_eq!(v["success"], false);
    assert!(!looks_like_jwt_in(&r.stdout), "no token in a failure: {v}");
    let message = v["message"].as_str().unwrap().to_string();
    assert!(!message.contains('\n') && !message.is_empty(), "{message}");
    (v["code"].as_str().unwrap().to_string(), message)
}

#[test]
fn success_response_field_for_field() {
    let w = World::new(Scenario::Healthy);
    let r = run_subject_token(&w, &library_env(&w), &[]);
    assert_eq!(r.code, 0, "{}", r.all());
    let v = r.json();
    assert_eq!(
        keys(&v),
        [
            "expiration_time",
            "id_token",
            "success",
            "token_type",
            "version"
        ]
        .map(String::from)
        .into()
    );
    assert_eq!(v["version"], 1);
    assert_eq!(v["success"], true);
    assert_eq!(v["token_type"], JWT_TYPE);
    // The id_token is the managed identity's token for the resource, and expiration_time
    // is its expiry in epoch seconds.
    let token = v["id_token"].as_str().unwrap();
    let jwt = wif_doctor::jwt::decode(token).unwrap();
    assert_eq!(jwt.claims["aud"], w.sim.google().app_id_uri.as_str());
    let exp = v["expiration_time"].as_i64().unwrap();
    assert_eq!(Some(exp), jwt.exp());
    assert!(exp > wif_doctor::session::now());
    assert_eq!(w.identity_requests(), 1);
    // And it passes the validation Google's libraries apply.
    assert!(matches!(
        wif_doctor::gcp::subject_token::validate(&r.stdout, wif_doctor::session::now()),
        Ok(wif_doctor::gcp::subject_token::Verdict::Token { .. })
    ));
}

#[test]
fn failure_responses_field_for_field_with_stable_codes() {
    let w = World::new(Scenario::Healthy);
    // A wrong header: what check would say, on one line.
    let mut env = library_env(&w);
    set(&mut env, "IDENTITY_HEADER", "not-the-header");
    let (code, message) = failure_fields(&run_subject_token(&w, &env, &[]));
    assert_eq!(code, "header_rejected");
    let check = w.run(&env, &["token"]);
    let first = check
        .stderr
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("wif-doctor: error: ");
    assert!(message.starts_with(first), "{message}\nvs check: {first}");
    assert!(message.contains("(fix: "), "{message}");

    // No identity at all.
    let mut env = library_env(&w);
    unset(&mut env, "IDENTITY_ENDPOINT");
    unset(&mut env, "IDENTITY_HEADER");
    let (code, _) = failure_fields(&run_subject_token(&w, &env, &[]));
    assert_eq!(code, "no_source");

    // Nothing listening.
    let mut env = library_env(&w);
    set(
        &mut env,
        "IDENTITY_ENDPOINT",
        &format!("http://127.0.0.1:{}/msi/token", closed_port()),
    );
    let (code, message) = failure_fields(&run_subject_token(&w, &env, &[]));
    assert_eq!(code, "unreachable", "{message}");

    // A bad setting is answered in the protocol too, not as a usage error on stderr.
    let mut env = library_env(&w);
    set(&mut env, "WIF_DOCTOR_TIMEOUT", "soon");
    let (code, _) = failure_fields(&run_subject_token(&w, &env, &[]));
    assert_eq!(code, "settings");
}

#[test]
fn an_expired_token_is_refused() {
    let w = World::new(Scenario::ExpiredToken);
    let (code, message) = failure_fields(&run_subject_token(&w, &library_env(&w), &[]));
    assert_eq!(code, "token_expired", "{message}");
}

#[test]
fn a_hanging_endpoint_is_answered_before_the_deadline() {
    let w = World::new(Scenario::IdentityHang);
    let started = std::time::Instant::now();
    let (code, message) = failure_fields(&run_subject_token(
        &w,
        &library_env(&w),
        &["--deadline=1500ms"],
    ));
    assert_eq!(code, "timeout", "{message}");
    assert!(message.contains("1500 ms"), "{message}");
    // Bounded: well under the 10 s per-request timeout it would otherwise wait for.
    assert!(started.elapsed() < Duration::from_secs(8));
}

#[test]
fn library_variables_are_honoured() {
    let w = World::new(Scenario::Healthy);
    // Interactive mode is refused before any request.
    let mut env = library_env(&w);
    set(&mut env, "GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE", "1");
    let (code, message) = failure_fields(&run_subject_token(&w, &env, &[]));
    assert_eq!(code, "interactive_unsupported");
    assert!(message.contains("GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE=1"));
    assert_eq!(w.identity_requests(), 0);

    // The id_token type is answered as asked.
    let mut env = library_env(&w);
    set(
        &mut env,
        "GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE",
        ID_TOKEN_TYPE,
    );
    let r = run_subject_token(&w, &env, &[]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["token_type"], ID_TOKEN_TYPE);

    // Without the variable (Rust's library sets none), the JWT type.
    let mut env = library_env(&w);
    unset(&mut env, "GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE");
    unset(&mut env, "GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE");
    let r = run_subject_token(&w, &env, &[]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["token_type"], JWT_TYPE);

    // A SAML type cannot be served from an Azure token.
    let mut env = library_env(&w);
    set(
        &mut env,
        "GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE",
        "urn:ietf:params:oauth:token-type:saml2",
    );
    let (code, message) = failure_fields(&run_subject_token(&w, &env, &[]));
    assert_eq!(code, "unsupported_token_type");
    assert!(message.contains(JWT_TYPE), "{message}");

    // A pool (not provider) audience would be refused by STS: said here first.
    let mut env = library_env(&w);
    let g = w.sim.google();
    set(
        &mut env,
        "GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE",
        &format!(
            "//iam.googleapis.com/projects/{}/locations/global/workloadIdentityPools/{}",
            g.project_number, g.pool
        ),
    );
    let (code, message) = failure_fields(&run_subject_token(&w, &env, &[]));
    assert_eq!(code, "invalid_audience", "{message}");
}

#[test]
fn output_file_receives_the_same_response_atomically_with_mode_0600() {
    let w = World::new(Scenario::Healthy);
    let cache = w.home().join("token-cache.json");
    std::fs::write(&cache, "stale").unwrap();
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut env = library_env(&w);
    set(
        &mut env,
        "GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE",
        cache.to_str().unwrap(),
    );
    let r = run_subject_token(&w, &env, &[]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(std::fs::read_to_string(&cache).unwrap(), r.stdout);
    let mode = std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // Nothing else is left in the directory (the temporary file was renamed).
    let names: Vec<_> = std::fs::read_dir(w.home())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("token-cache.json")]);

    // A failure replaces the cached success, so no library reuses a token it should not.
    set(&mut env, "IDENTITY_HEADER", "not-the-header");
    let r = run_subject_token(&w, &env, &[]);
    assert_eq!(r.code, 1);
    assert_eq!(std::fs::read_to_string(&cache).unwrap(), r.stdout);
    assert!(!looks_like_jwt_in(
        &std::fs::read_to_string(&cache).unwrap()
    ));

    // An output file that cannot be written is a failure, explained.
    let mut env = library_env(&w);
    let nowhere = w.dir.path().join("no/such/dir/cache.json");
    set(
        &mut env,
        "GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE",
        nowhere.to_str().unwrap(),
    );
    let (code, message) = failure_fields(&run_subject_token(&w, &env, &[]));
    assert_eq!(code, "output_file");
    assert!(
        message.contains("GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE"),
        "{message}"
    );
}

#[test]
fn demo_answers_from_the_simulator() {
    let w = World::new(Scenario::Healthy);
    let r = run_subject_token(&w, &w.base_env(), &["--demo"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["success"], true);
    let (code, _) = failure_fields(&run_subject_token(
        &w,
        &w.base_env(),
        &["--demo=identity-500"],
    ));
    assert_eq!(code, "resource_unknown");
}

#[test]
fn help_says_stdout_carries_a_token() {
    let w = World::new(Scenario::Healthy);
    let r = w.run(&w.base_env(), &["subject-token", "--help"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout
            .contains("standard output carries the managed-identity token"),
        "{}",
        r.stdout
    );
    let r = w.run(&w.base_env(), &["--help"]);
    assert!(r.stdout.contains("subject-token"), "{}", r.stdout);
}
