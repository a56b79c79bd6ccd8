//! `check` on an executable-sourced credential file (config.file): it passes when the file
//! wif-doctor wrote runs like a library runs it, and each failing condition is named with
//! its fix. The command's token never reaches check's output (World::run asserts it).

mod common;
use common::*;
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use wif_doctor::sim::Scenario;

const ALLOW: &str = "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES";

fn config_finding(w: &World, env: &[(String, String)]) -> Value {
    let r = w.run(env, &["check", "--json"]);
    let j = r.json();
    j["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "config.file")
        .cloned()
        .unwrap_or_else(|| panic!("no config.file in {j}"))
}

fn fails_with(f: &Value, detail: &[&str], fix: &[&str]) {
    assert_eq!(f["status"], "fail", "{f:#}");
    let d = f["detail"].as_str().unwrap();
    let x = f["fix"].as_str().unwrap_or_default();
    for want in detail {
        assert!(d.contains(want), "detail lacks {want:?}:\n{d}");
    }
    for want in fix {
        assert!(x.contains(want), "fix lacks {want:?}:\n{x}");
    }
}

/// The full environment, an executable-form file written by wif-doctor, and the opt-in.
fn setup(w: &World, extra: &[&str]) -> (Vec<(String, String)>, PathBuf) {
    let mut env = w.full_env();
    let cfg = w.dir.path().join("creds.json");
    let mut args = vec![
        "config",
        "--form",
        "executable",
        "--force",
        "--output",
        cfg.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let r = w.run(&env, &args);
    assert_eq!(r.code, 0, "{}", r.all());
    set(
        &mut env,
        "GOOGLE_APPLICATION_CREDENTIALS",
        cfg.to_str().unwrap(),
    );
    set(&mut env, ALLOW, "1");
    (env, cfg)
}

fn edit(cfg: &Path, f: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(cfg).unwrap()).unwrap();
    f(&mut v);
    std::fs::write(cfg, v.to_string()).unwrap();
}

fn command_of(cfg: &Path) -> String {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(cfg).unwrap()).unwrap();
    v["credential_source"]["executable"]["command"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A shell script at `dir/wif-doctor` (the name a lint trusts, the behaviour it must check).
fn script(dir: &Path, body: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join("wif-doctor");
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

#[test]
fn wif_doctors_executable_file_passes_and_is_run() {
    let w = World::new(Scenario::Healthy);
    let cache = w.home().join(".wif-doctor-token.json");
    let (env, _) = setup(&w, &["--executable-output-file", cache.to_str().unwrap()]);
    let before = w.identity_requests();
    let r = w.run(&env, &["check", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let j = r.json();
    let f = j["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "config.file")
        .unwrap();
    assert_eq!(f["status"], "pass", "{f:#}");
    assert!(
        f["detail"]
            .as_str()
            .unwrap()
            .contains("its command answered with a token valid until"),
        "{f:#}"
    );
    assert_eq!(f["data"]["executable_run"]["verdict"], "token");
    assert_eq!(f["data"]["executable_run"]["exit_code"], 0);
    // check's own fetch plus the command's.
    assert_eq!(w.identity_requests() - before, 2);
    // The command wrote the library's cache, privately.
    let mode = std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn the_opt_in_is_required_and_recovered_from_the_apps_environment() {
    let w = World::new(Scenario::Healthy);
    let (mut env, _) = setup(&w, &[]);
    unset(&mut env, ALLOW);
    set(&mut env, "WEBSITE_SITE_NAME", "my-app");
    fails_with(
        &config_finding(&w, &env),
        &["GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES is not set in the app's environment"],
        &[
            "az webapp config appsettings set -g <RESOURCE_GROUP> -n my-app --settings GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1",
        ],
    );
    set(&mut env, ALLOW, "true");
    fails_with(&config_finding(&w, &env), &["⟨true⟩"], &["=1"]);

    // The SSH shell lacks it, the app (PID 1 on App Service) has it: recovered, so no
    // failure; what remains is that this test binary lives outside /home.
    unset(&mut env, ALLOW);
    unset(&mut env, "WEBSITE_SITE_NAME");
    write(
        &w.root().join("proc/1/environ"),
        &format!("WEBSITE_SITE_NAME=my-app\0{ALLOW}=1\0PATH=/usr/bin\0"),
    );
    let f = config_finding(&w, &env);
    assert_eq!(f["status"], "warn", "{f:#}");
    let detail = f["detail"].as_str().unwrap();
    assert!(!detail.contains(ALLOW), "{detail}");
    assert!(detail.contains("outside /home"), "{detail}");
}

#[test]
fn timeout_out_of_range_and_relative_paths_fail() {
    let w = World::new(Scenario::Healthy);
    let (env, cfg) = setup(&w, &[]);
    edit(&cfg, |v| {
        v["credential_source"]["executable"]["timeout_millis"] = 4000.into()
    });
    fails_with(
        &config_finding(&w, &env),
        &[
            "`timeout_millis` is 4000",
            "Timeout must be between 5 and 120 seconds.",
        ],
        &["30000"],
    );
    edit(&cfg, |v| {
        v["credential_source"]["executable"]["timeout_millis"] = 30000.into();
        v["credential_source"]["executable"]["command"] = "wif-doctor subject-token".into();
    });
    fails_with(&config_finding(&w, &env), &["not an absolute path"], &[]);
}

#[test]
fn a_missing_unexecutable_or_false_program_fails() {
    let w = World::new(Scenario::Healthy);
    let (env, cfg) = setup(&w, &[]);
    let rest = command_of(&cfg).split_once(' ').unwrap().1.to_string();

    let gone = w.dir.path().join("gone/wif-doctor");
    edit(&cfg, |v| {
        v["credential_source"]["executable"]["command"] =
            format!("{} {rest}", gone.display()).into()
    });
    fails_with(
        &config_finding(&w, &env),
        &["does not exist", "App Service keeps only /home"],
        &["/home/site/wif-doctor"],
    );

    let copy = w.dir.path().join("noexec/wif-doctor");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::copy(assert_cmd::cargo::cargo_bin("wif-doctor"), &copy).unwrap();
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o644)).unwrap();
    edit(&cfg, |v| {
        v["credential_source"]["executable"]["command"] =
            format!("{} {rest}", copy.display()).into()
    });
    fails_with(
        &config_finding(&w, &env),
        &["is not executable (mode 644)"],
        &["chmod +x"],
    );

    let fake = script(&w.dir.path().join("fake"), "echo hello");
    edit(&cfg, |v| {
        v["credential_source"]["executable"]["command"] =
            format!("{} {rest}", fake.display()).into()
    });
    fails_with(
        &config_finding(&w, &env),
        &["is named wif-doctor but is not one", "⟨hello⟩"],
        &[],
    );

    // The real binary, the wrong subcommand.
    let me = std::fs::canonicalize(assert_cmd::cargo::cargo_bin("wif-doctor")).unwrap();
    edit(&cfg, |v| {
        v["credential_source"]["executable"]["command"] = format!("{} token", me.display()).into()
    });
    fails_with(
        &config_finding(&w, &env),
        &["instead of `subject-token`"],
        &[],
    );
}

#[test]
fn a_command_over_its_timeout_is_killed_and_reported() {
    let w = World::new(Scenario::Healthy);
    let (env, cfg) = setup(&w, &[]);
    let slow = script(
        &w.dir.path().join("slow"),
        &format!(
            "if [ \"$1\" = --version ]; then echo 'wif-doctor {}'; else exec sleep 30; fi",
            env!("CARGO_PKG_VERSION")
        ),
    );
    edit(&cfg, |v| {
        v["credential_source"]["executable"]["command"] =
            format!("{} subject-token", slow.display()).into();
        v["credential_source"]["executable"]["timeout_millis"] = 5000.into();
    });
    let started = std::time::Instant::now();
    fails_with(
        &config_finding(&w, &env),
        &["did not finish within the file's timeout_millis (5000 ms)"],
        &["wif-doctor token"],
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(25));
}

#[test]
fn a_failure_response_and_an_unwritable_output_file_fail() {
    let w = World::new(Scenario::Healthy);
    let (mut env, cfg) = setup(&w, &[]);
    // The command inherits the environment: a wrong header makes it answer a failure.
    set(&mut env, "IDENTITY_HEADER", "not-the-header");
    let f = config_finding(&w, &env);
    fails_with(&f, &["answered with a failure: code header_rejected"], &[]);
    assert_eq!(f["data"]["executable_run"]["verdict"], "failure");

    let (env, cfg2) = setup(&w, &[]);
    assert_eq!(cfg, cfg2);
    let nowhere = w.dir.path().join("no/such/dir/token.json");
    edit(&cfg, |v| {
        v["credential_source"]["executable"]["output_file"] = nowhere.display().to_string().into()
    });
    fails_with(
        &config_finding(&w, &env),
        &["code output_file", "its directory cannot be written"],
        &["--executable-output-file"],
    );

    // A malformed cache that Node would refuse (the command cannot replace it: a directory).
    let cache = w.home().join("cache.json");
    std::fs::create_dir_all(&cache).unwrap();
    edit(&cfg, |v| {
        v["credential_source"]["executable"]["output_file"] = cache.display().to_string().into()
    });
    fails_with(&config_finding(&w, &env), &["is not a regular file"], &[]);
}
