//! SSL_CERT_FILE / SSL_CERT_DIR are checked before the TLS stack sees them: a FIFO, a device,
//! a directory or a huge file is an error naming the variable, quickly, never a hang or an
//! unbounded read; a directory store in SSL_CERT_DIR works.

mod common;
use common::*;
use std::time::{Duration, Instant};
use wif_doctor::sim::Scenario;

/// Far below the run's own deadlines: nothing waited on the file.
const QUICK: Duration = Duration::from_secs(15);

fn mkfifo(path: &std::path::Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

#[test]
fn bad_ssl_cert_file_is_named_and_bounded() {
    let w = World::new(Scenario::Healthy);
    let fifo = w.dir.path().join("certs.fifo");
    mkfifo(&fifo);
    let dir = w.dir.path().join("a-directory");
    std::fs::create_dir_all(&dir).unwrap();
    let huge = w.dir.path().join("huge.pem");
    // Sparse: 64 GiB of nothing costs no disk, and would cost 64 GiB of memory if read.
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(64 << 30)
        .unwrap();
    for (path, what) in [
        (fifo.display().to_string(), "is a FIFO"),
        ("/dev/zero".to_string(), "is a character device"),
        (dir.display().to_string(), "is a directory"),
        (huge.display().to_string(), "is over 16384 KiB"),
    ] {
        let mut env = w.full_env();
        set(&mut env, "SSL_CERT_FILE", &path);
        let t = Instant::now();
        let r = w.run(&env, &["check", "--json"]);
        let took = t.elapsed();
        assert!(took < QUICK, "{path}: took {took:?}");
        assert_eq!(r.code, 1, "{path}: {}", r.all());
        assert!(!r.all().contains("panicked"), "{}", r.all());
        let report = r.json();
        let sts = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "sts.exchange")
            .unwrap_or_else(|| panic!("no sts.exchange: {report}"))
            .to_string();
        assert!(
            sts.contains(&format!("{path} (named by SSL_CERT_FILE) {what}")),
            "{path}: the STS finding names the variable and what is wrong: {sts}"
        );
        // Commands that make no TLS request are not held up by it.
        let t = Instant::now();
        let r = w.run(&env, &["env", "--json"]);
        assert!(t.elapsed() < QUICK);
        assert_eq!(r.code, 0, "{}", r.all());
    }
}

#[test]
fn ssl_cert_dir_alone_is_a_trust_store() {
    let w = World::new(Scenario::Healthy);
    let certs = w.dir.path().join("certs");
    std::fs::create_dir_all(&certs).unwrap();
    std::fs::copy(&w.ca, certs.join("sim-ca.pem")).unwrap();
    let mut env = w.full_env();
    unset(&mut env, "SSL_CERT_FILE");
    set(&mut env, "SSL_CERT_DIR", certs.to_str().unwrap());
    let r = w.run(&env, &["check", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["ok"], true);

    // Without the simulator's CA the same run fails on trust, not on the store.
    let empty = w.dir.path().join("empty-certs");
    std::fs::create_dir_all(&empty).unwrap();
    set(&mut env, "SSL_CERT_DIR", empty.to_str().unwrap());
    let r = w.run(&env, &["check", "--json"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stdout.contains(&format!(
            "no usable certificate in SSL_CERT_DIR={}",
            empty.display()
        )),
        "{}",
        r.stdout
    );
}
