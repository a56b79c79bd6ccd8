//! Environment recovery (issue 7, defect 8): only on App Service, only from processes that
//! carry App Service markers (PID 1 first), only variables wif-doctor knows; the shell and
//! flags win; `env` names the process each value came from; reads are bounded.
//!
//! The decoys are real processes with planted environments. Off App Service the real
//! `/proc` is used (nothing may be adopted from it); for App Service a fake system root
//! holds copies of the decoys' own `/proc/PID/environ` and `comm`, so the test does not
//! depend on this machine's PID 1.

mod common;
mod hostile_support;
use common::*;
use hostile_support::*;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use wif_doctor::sim::Scenario;

/// A sleeping process with exactly `env` as its environment; killed on drop.
struct Decoy(Child);

impl Decoy {
    fn spawn(env: &[(&str, String)]) -> Decoy {
        let child = Command::new("sleep")
            .arg("120")
            .env_clear()
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .spawn()
            .expect("spawn sleep");
        let d = Decoy(child);
        // The environment is in place once exec'd: wait until /proc shows it.
        let path = format!("/proc/{}/environ", d.pid());
        for _ in 0..200 {
            if std::fs::read(&path).is_ok_and(|b| !b.is_empty()) {
                return d;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("decoy {} never showed its environment", d.pid());
    }

    fn pid(&self) -> u32 {
        self.0.id()
    }

    /// Copy this process's real environ and comm into `root/proc/AS/`.
    fn copy_into(&self, root: &Path, as_pid: u32) {
        let dir = root.join(format!("proc/{as_pid}"));
        std::fs::create_dir_all(&dir).unwrap();
        for f in ["environ", "comm"] {
            let bytes = std::fs::read(format!("/proc/{}/{f}", self.pid())).unwrap();
            std::fs::write(dir.join(f), bytes).unwrap();
        }
    }
}

impl Drop for Decoy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The planted values: everything a neighbour could inject.
fn planted(tag: &str) -> Vec<(&'static str, String)> {
    vec![
        ("GCP_PROJECT_NUMBER", format!("9{}", tag.len() * 111)),
        ("GCP_PROJECT_ID", format!("decoy-{tag}")),
        ("GCP_WORKLOAD_IDENTITY_POOL_ID", format!("pool-{tag}")),
        (
            "GCP_SERVICE_ACCOUNT",
            format!("sa-{tag}@decoy.iam.gserviceaccount.com"),
        ),
        ("AZURE_RESOURCE_URI", format!("api://decoy-{tag}")),
        (
            "GOOGLE_APPLICATION_CREDENTIALS",
            format!("/nonexistent/{tag}.json"),
        ),
        (
            "IDENTITY_ENDPOINT",
            format!("http://127.0.0.1:9/{tag}/msi/token"),
        ),
        ("IDENTITY_HEADER", format!("hdr-{tag}")),
    ]
}

fn env_json(w: &World, env: &[(String, String)], args: &[&str]) -> serde_json::Value {
    let mut all = vec!["env", "--json"];
    all.extend_from_slice(args);
    let r = hostile(w, env, &all);
    assert_eq!(r.code, 0, "{}", r.all());
    r.json()
}

fn setting<'a>(j: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    j["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no setting {name}: {j:#}"))
}

/// Off App Service, a neighbour's environment is never adopted — with or without the
/// markers on the neighbour itself — read from the real /proc.
#[test]
fn off_app_service_no_neighbour_is_adopted() {
    let w = World::new(Scenario::Healthy);
    let plain = Decoy::spawn(&planted("plainneighbour"));
    let mut marked_env = planted("markedneighbour");
    marked_env.push(("WEBSITE_SITE_NAME", "neighbour-site".into()));
    marked_env.push(("WEBSITE_INSTANCE_ID", "0123456789abcdef".into()));
    let marked = Decoy::spawn(&marked_env);

    let mut env = w.base_env();
    set(&mut env, "WIF_DOCTOR_SYSROOT", "/");
    // `env` only: with the real system root a `check` could decide this is an Azure VM
    // (DMI) and probe the metadata address, which tests never touch.
    for args in [vec!["env", "--json"], vec!["env"]] {
        let r = hostile(&w, &env, &args);
        let out = r.all();
        for tag in ["plainneighbour", "markedneighbour", "neighbour-site"] {
            assert!(
                !out.contains(tag),
                "{args:?} adopted a neighbour's value ({tag}):\n{out}"
            );
        }
        assert!(!out.contains("recovered from"), "{args:?}:\n{out}");
        assert!(
            !out.contains("hdr-"),
            "{args:?}: a planted header leaked:\n{out}"
        );
    }
    let j = env_json(&w, &env, &[]);
    assert_eq!(j["environment"]["recovered"], serde_json::json!([]));
    assert_eq!(
        setting(&j, "project_number")["value"],
        serde_json::Value::Null
    );
    assert_eq!(
        setting(&j, "resource")["value"],
        "https://management.azure.com/"
    );
    assert!(j["environment"]["app_service_site"].is_null(), "{j:#}");
    drop((plain, marked));
}

/// On App Service: PID 1 and marked processes supply what the shell lacks; unmarked
/// processes never do; the shell's environment and flags win; `env` names the process.
#[test]
fn on_app_service_only_marked_processes_fill_gaps() {
    let w = World::new(Scenario::Healthy);
    let g = w.sim.google();
    let root = w.root();

    // PID 1: the container entrypoint, with the App Service markers and the identity.
    let pid1 = Decoy::spawn(&[
        ("WEBSITE_SITE_NAME", "my-app".into()),
        ("WEBSITE_INSTANCE_ID", "abc123".into()),
        ("IDENTITY_ENDPOINT", w.sim.identity_endpoint()),
        ("IDENTITY_HEADER", w.sim.identity_header().into()),
        ("GCP_PROJECT_NUMBER", g.project_number.clone()),
    ]);
    pid1.copy_into(&root, 1);
    // A marked app worker with the rest of the app's settings.
    let worker = Decoy::spawn(&[
        ("WEBSITE_INSTANCE_ID", "abc123".into()),
        ("GCP_WORKLOAD_IDENTITY_POOL_ID", g.pool.clone()),
        ("GCP_WORKLOAD_IDENTITY_PROVIDER_ID", "from-worker".into()),
        ("GCP_PROJECT_ID", g.project_id.clone()),
        ("AZURE_RESOURCE_URI", g.app_id_uri.clone()),
        ("NOT_OURS", "ignored".into()),
    ]);
    worker.copy_into(&root, 40);
    // An unmarked neighbour (a sidecar, someone's shell) with planted values, earlier in
    // PID order than the worker.
    let neighbour = Decoy::spawn(&planted("sidecar"));
    neighbour.copy_into(&root, 30);

    let mut env = w.base_env();
    // The shell has one value itself: it wins over every recovered one.
    set(&mut env, "GCP_PROJECT_ID", "shell-project");
    let j = env_json(&w, &env, &["--provider", g.provider.as_str()]);
    let out = j.to_string();
    assert!(
        !out.contains("sidecar"),
        "an unmarked process was adopted: {j:#}"
    );
    assert!(
        !out.contains("ignored"),
        "an unknown variable was adopted: {j:#}"
    );

    let origin = |name: &str| setting(&j, name)["origin"].as_str().unwrap().to_string();
    assert_eq!(
        setting(&j, "project_number")["value"],
        g.project_number.as_str()
    );
    assert!(origin("project_number").contains("process 1 (sleep), /proc/1/environ"));
    assert_eq!(setting(&j, "pool")["value"], g.pool.as_str());
    assert!(
        origin("pool").contains("process 40 (sleep), /proc/40/environ"),
        "{j:#}"
    );
    assert_eq!(setting(&j, "project_id")["value"], "shell-project");
    assert_eq!(origin("project_id"), "environment GCP_PROJECT_ID");
    assert_eq!(setting(&j, "provider")["value"], g.provider.as_str());
    assert_eq!(origin("provider"), "flag --provider");

    let recovered = j["environment"]["recovered"].as_array().unwrap();
    let pool = recovered
        .iter()
        .find(|r| r["var"] == "GCP_WORKLOAD_IDENTITY_POOL_ID")
        .unwrap();
    assert_eq!(pool["pid"], 40);
    assert_eq!(pool["process"], "sleep");
    assert_eq!(pool["path"], "/proc/40/environ");
    assert!(
        recovered.iter().all(|r| r["var"] != "GCP_PROJECT_ID"),
        "the shell had it: {recovered:?}"
    );
    assert_eq!(j["environment"]["app_service_site"], "my-app");

    // Text: the process is named; the recovered header is described, never shown.
    let r = hostile(&w, &env, &["env"]);
    assert!(
        r.stdout
            .contains("recovered from process 40 (sleep), /proc/40/environ"),
        "{}",
        r.stdout
    );
    // And the recovered identity works end to end.
    let r = hostile(&w, &env, &["token", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    drop((pid1, worker, neighbour));
}

/// Reading other processes is bounded: a FIFO or device never blocks, an oversized
/// environ is skipped, a hostile process name is not printed raw.
#[test]
fn recovery_reads_are_bounded() {
    let w = World::new(Scenario::Healthy);
    let root = w.root();
    std::fs::create_dir_all(root.join("proc/1")).unwrap();
    std::fs::create_dir_all(root.join("proc/5")).unwrap();
    std::fs::create_dir_all(root.join("proc/6")).unwrap();
    std::fs::create_dir_all(root.join("proc/7")).unwrap();
    let fifo = |p: &Path| {
        let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    };
    fifo(&root.join("proc/1/environ"));
    fifo(&root.join("proc/5/environ"));
    std::os::unix::fs::symlink("/dev/zero", root.join("proc/6/environ")).unwrap();
    let mut big = b"WEBSITE_SITE_NAME=x\0GCP_PROJECT_NUMBER=666\0".to_vec();
    big.resize(2 * 1024 * 1024, b'a');
    std::fs::write(root.join("proc/7/environ"), big).unwrap();
    write(
        &root.join("proc/8/environ"),
        "WEBSITE_SITE_NAME=x\0GCP_LOCATION=europe-west4\0",
    );
    write(&root.join("proc/8/comm"), "evil\u{1b}]0;owned\u{7}\n");

    let mut env = w.base_env();
    set(&mut env, "WEBSITE_SITE_NAME", "my-app");
    let j = env_json(&w, &env, &[]);
    assert_eq!(
        setting(&j, "project_number")["value"],
        serde_json::Value::Null,
        "{j:#}"
    );
    assert_eq!(setting(&j, "location")["value"], "europe-west4");
    let r = hostile(&w, &env, &["env"]);
    assert!(!r.stdout.contains('\u{1b}'), "{}", r.stdout);
    assert!(
        r.stdout.contains("process 8 (evil?]0;owned?)"),
        "{}",
        r.stdout
    );
}
