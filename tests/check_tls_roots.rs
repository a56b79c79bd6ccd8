//! Where the TLS roots came from is told: a container without a CA store runs on the bundled
//! Mozilla roots, `env` and `check` say so, and a TLS failure there is explained as the missing
//! store (scripts/images.sh proves the same inside a Debian root without ca-certificates).

mod common;
use common::*;
use wif_doctor::sim::Scenario;

/// No CA store: neither SSL_CERT_FILE nor SSL_CERT_DIR, and the (fake) system root has no
/// /etc/ssl: the system store yields nothing.
fn no_ca_store(w: &World) -> Vec<(String, String)> {
    let mut env = w.full_env();
    unset(&mut env, "SSL_CERT_FILE");
    unset(&mut env, "SSL_CERT_DIR");
    env
}

/// The system store of the (fake) root holds the simulator's CA, as Debian's
/// /etc/ssl/certs/ca-certificates.crt would hold a corporate one; no SSL_CERT_* variable.
fn platform_store(w: &World) -> Vec<(String, String)> {
    let certs = w.root().join("etc/ssl/certs");
    std::fs::create_dir_all(&certs).unwrap();
    std::fs::copy(&w.ca, certs.join("ca-certificates.crt")).unwrap();
    no_ca_store(w)
}

#[test]
fn env_reports_the_platform_store_when_it_has_certificates() {
    let w = World::new(Scenario::Healthy);
    let env = platform_store(&w);
    let r = w.run(&env, &["env", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["tls_roots"], "platform");
    let text = w.run(&env, &["env"]);
    assert!(
        text.stdout.lines().any(|l| l.contains("TLS roots")
            && l.contains("the system's CA store")
            && l.contains("ca-certificates.crt")),
        "{}",
        text.stdout
    );
}

#[test]
fn env_reports_the_variables_when_ssl_cert_file_is_set() {
    let w = World::new(Scenario::Healthy);
    let r = w.run(&w.full_env(), &["env", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["tls_roots"], "environment");
    assert!(
        r.json()["tls_roots_description"]
            .as_str()
            .unwrap()
            .contains("SSL_CERT_FILE"),
        "{}",
        r.stdout
    );
}

#[test]
fn env_reports_the_bundled_roots_without_a_ca_store() {
    let w = World::new(Scenario::Healthy);
    let r = w.run(&no_ca_store(&w), &["env", "--json"]);
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
    let r = w.run(&no_ca_store(&w), &["check", "--json"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let j = r.json();
    let check = |id: &str| finding(&j, id).clone();
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
fn check_on_the_platform_store_keeps_its_wording() {
    let w = World::new(Scenario::Healthy);
    let r = w.run(&platform_store(&w), &["check", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let sig = r.json()["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "token.signature")
        .unwrap()
        .clone();
    assert_eq!(sig["status"], "pass");
    assert_eq!(sig["data"]["tls_roots"], "platform");
    assert!(
        !sig["detail"].as_str().unwrap().contains("TLS roots"),
        "{sig}"
    );
}
