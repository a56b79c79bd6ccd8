//! Where the TLS roots came from is told: a container without a CA store runs on the bundled
//! Mozilla roots, `env` and `check` say so, and a TLS failure there is explained as the missing
//! store (scripts/images.sh proves the same inside a Debian root without ca-certificates).

mod common;
use common::*;
use std::time::Duration;
use wif_doctor::sim::Scenario;

/// The environment without SSL_CERT_FILE / SSL_CERT_DIR: the system store decides.
fn no_ssl_vars(w: &World) -> Vec<(String, String)> {
    let mut env = w.full_env();
    unset(&mut env, "SSL_CERT_FILE");
    unset(&mut env, "SSL_CERT_DIR");
    env
}

/// Runs wif-doctor with no CA store on the machine: in a private mount namespace (CI runs as
/// root) an empty directory hides `/etc/ssl` and `/etc/pki`, as in a container without
/// ca-certificates.
fn run_without_ca_store(w: &World, args: &[&str]) -> Run {
    let empty = w.dir.path().join("no-certs");
    std::fs::create_dir_all(&empty).unwrap();
    let hide: Vec<String> = ["/etc/ssl", "/etc/pki"]
        .iter()
        .filter(|d| std::path::Path::new(d).is_dir())
        .map(|d| format!("mount --bind '{}' {d} && ", empty.display()))
        .collect();
    let script = format!("{}exec \"$0\" \"$@\"", hide.concat());
    let mut cmd = std::process::Command::new("unshare");
    cmd.args(["--mount", "--propagation", "private", "sh", "-c", &script])
        .arg(env!("CARGO_BIN_EXE_wif-doctor"))
        .args(args)
        .env_clear()
        .envs(no_ssl_vars(w));
    let run = run_child(cmd, None, Duration::from_secs(60));
    w.assert_no_secrets(&run);
    run
}

#[test]
fn env_reports_the_roots_named_by_ssl_cert_file() {
    let w = World::new(Scenario::Healthy);
    let r = w.run(&w.full_env(), &["env", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["tls_roots"], "environment");
    let text = w.run(&w.full_env(), &["env"]);
    assert!(
        text.stdout
            .lines()
            .any(|l| l.contains("TLS roots") && l.contains("named by SSL_CERT_FILE")),
        "{}",
        text.stdout
    );
}

#[test]
fn env_reports_the_platform_store_when_it_has_certificates() {
    let w = World::new(Scenario::Healthy);
    if !std::path::Path::new("/etc/ssl/certs/ca-certificates.crt").is_file() {
        eprintln!("skipped: this machine has no system CA bundle");
        return;
    }
    let r = w.run(&no_ssl_vars(&w), &["env", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["tls_roots"], "platform");
    assert!(
        r.json()["tls_roots_description"]
            .as_str()
            .unwrap()
            .contains("the system's CA store (/etc/ssl/certs/ca-certificates.crt)"),
        "{}",
        r.stdout
    );
}

#[test]
fn env_reports_the_bundled_roots_without_a_ca_store() {
    let w = World::new(Scenario::Healthy);
    let r = run_without_ca_store(&w, &["env", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let j = r.json();
    assert_eq!(j["tls_roots"], "bundled");
    assert!(
        j["tls_roots_description"]
            .as_str()
            .unwrap()
            .contains("bundled Mozilla roots"),
        "{j}"
    );
}

#[test]
fn check_on_bundled_roots_names_the_missing_ca_store() {
    let w = World::new(Scenario::Healthy);
    let r = run_without_ca_store(&w, &["check", "--json"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let j = r.json();
    let check = |id: &str| {
        j["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no {id} in {j}"))
            .clone()
    };
    // The identity endpoint is plain HTTP: unaffected.
    assert_eq!(check("azure.token")["status"], "pass");
    // Both TLS hops fail on the simulator's private CA, and say why.
    for id in ["token.signature", "sts.exchange"] {
        let c = check(id);
        assert_eq!(c["status"], "fail", "{c}");
        let detail = c["detail"].as_str().unwrap();
        assert!(detail.contains("TLS failed"), "{id}: {detail}");
        assert!(
            detail.contains("TLS roots: wif-doctor's bundled Mozilla roots"),
            "{id}: {detail}"
        );
        let fix = c["fix"].as_str().unwrap();
        assert!(
            fix.contains("ca-certificates") && fix.contains("SSL_CERT_FILE"),
            "{id}: {fix}"
        );
        assert_eq!(c["data"]["tls_roots"], "bundled", "{c}");
    }
}

#[test]
fn check_on_named_roots_keeps_its_wording() {
    let w = World::new(Scenario::Healthy);
    let r = w.run(&w.full_env(), &["check", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let sig = r.json()["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "token.signature")
        .unwrap()
        .clone();
    assert_eq!(sig["status"], "pass");
    assert_eq!(sig["data"]["tls_roots"], "environment");
    assert!(
        !sig["detail"].as_str().unwrap().contains("TLS roots"),
        "{sig}"
    );
}
