//! `wif-doctor simulate` as a user runs it: the real binary in the background, its env
//! file sourced by clients, its CONNECT proxy the only way to the production host names
//! (no WIF_DOCTOR_RESOLVE), and SIGTERM to end it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Every variable the env file must export.
const NAMES: &[&str] = &[
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "AZURE_RESOURCE_URI",
    "GCP_PROJECT_NUMBER",
    "GCP_PROJECT_ID",
    "GCP_WORKLOAD_IDENTITY_POOL_ID",
    "GCP_WORKLOAD_IDENTITY_PROVIDER_ID",
    "GCP_LOCATION",
    "GCP_VERTEX_MODEL",
    "HTTPS_PROXY",
    "NO_PROXY",
    "SSL_CERT_FILE",
    "REQUESTS_CA_BUNDLE",
    "NODE_EXTRA_CA_CERTS",
];

struct Simulate {
    child: Child,
    dir: tempfile::TempDir,
    stderr: Arc<Mutex<String>>,
    stdout: Arc<Mutex<String>>,
    env: Vec<(String, String)>,
}

fn collect(mut r: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let buf = Arc::new(Mutex::new(String::new()));
    let b = buf.clone();
    std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = r.read(&mut chunk) {
            if n == 0 {
                break;
            }
            b.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&chunk[..n]));
        }
    });
    buf
}

impl Simulate {
    fn start(args: &[&str]) -> Simulate {
        let dir = tempfile::tempdir().unwrap();
        let env_file = dir.path().join("sim.env");
        let mut child = Command::new(env!("CARGO_BIN_EXE_wif-doctor"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .arg("simulate")
            .arg("--env-file")
            .arg(&env_file)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = collect(child.stdout.take().unwrap());
        let stderr = collect(child.stderr.take().unwrap());
        let deadline = Instant::now() + Duration::from_secs(60);
        while !stderr.lock().unwrap().contains("simulate: serving") {
            assert!(
                Instant::now() < deadline,
                "simulate did not start: {}",
                stderr.lock().unwrap()
            );
            if let Some(status) = child.try_wait().unwrap() {
                panic!("simulate exited {status}: {}", stderr.lock().unwrap());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let text = std::fs::read_to_string(&env_file).unwrap();
        // stdout is written before "serving" reaches stderr, but the reader thread may lag.
        while *stdout.lock().unwrap() != text {
            assert!(
                Instant::now() < deadline,
                "stdout never printed the env file's lines: {:?}",
                stdout.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let env = parse_env(&text);
        Simulate {
            child,
            dir,
            stderr,
            stdout,
            env,
        }
    }

    fn env_file(&self) -> PathBuf {
        self.dir.path().join("sim.env")
    }

    fn var(&self, name: &str) -> &str {
        self.env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("{name} missing from the env file"))
    }

    fn proxy_addr(&self) -> String {
        self.var("HTTPS_PROXY")
            .strip_prefix("http://")
            .unwrap()
            .to_string()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Request-log lines seen so far (waits briefly for the ones a request just caused).
    fn log_lines_after(&self, settle: Duration) -> Vec<String> {
        std::thread::sleep(settle);
        self.stderr()
            .lines()
            .filter(|l| l.starts_with("simulate: ") && l.contains(" -> "))
            .map(str::to_string)
            .collect()
    }

    /// SIGTERM, then the exit status within a deadline.
    fn terminate(&mut self) -> std::process::ExitStatus {
        self.signal("-TERM")
    }

    fn signal(&mut self, which: &str) -> std::process::ExitStatus {
        let ok = Command::new("kill")
            .args([which, &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {which} failed");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "simulate ignored SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Simulate {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `export NAME=value` lines (values here are never quoted: no spaces in temp paths).
fn parse_env(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(|l| {
            let rest = l
                .strip_prefix("export ")
                .unwrap_or_else(|| panic!("not an export line: {l}"));
            let (k, v) = rest.split_once('=').unwrap();
            (k.to_string(), v.trim_matches('\'').to_string())
        })
        .collect()
}

/// Sends `CONNECT target` on a fresh connection and returns the status line.
fn connect(proxy: &str, target: &str) -> String {
    let mut s = TcpStream::connect(proxy).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n").unwrap();
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line).unwrap();
    line.trim_end().to_string()
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn env_file_is_private_complete_and_printed() {
    let mut sim = Simulate::start(&[]);
    let file = sim.env_file();
    assert_eq!(mode(&file), 0o600, "env file mode");
    let text = std::fs::read_to_string(&file).unwrap();
    for name in NAMES {
        assert!(
            text.lines()
                .any(|l| l.starts_with(&format!("export {name}="))),
            "{name} missing:\n{text}"
        );
    }
    assert_eq!(sim.var("NO_PROXY"), "127.0.0.1,localhost");
    assert!(
        sim.var("IDENTITY_ENDPOINT")
            .starts_with("http://127.0.0.1:")
    );
    let ca = PathBuf::from(sim.var("SSL_CERT_FILE"));
    assert_eq!(ca.parent(), file.parent(), "CA sits next to the env file");
    assert_eq!(sim.var("REQUESTS_CA_BUNDLE"), ca.to_str().unwrap());
    assert_eq!(sim.var("NODE_EXTRA_CA_CERTS"), ca.to_str().unwrap());
    assert!(
        std::fs::read_to_string(&ca)
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----")
    );
    assert_eq!(
        *sim.stdout.lock().unwrap(),
        text,
        "stdout prints the same lines"
    );

    let status = sim.terminate();
    assert!(status.success(), "SIGTERM ends it with exit 0: {status}");
    assert!(
        sim.stderr()
            .trim_end()
            .ends_with("simulate: stopped (SIGTERM)")
    );
    assert!(
        !file.exists(),
        "the env file of a stopped simulator is removed"
    );
    assert!(!ca.exists());
}

#[test]
fn proxy_refuses_every_other_destination() {
    let sim = Simulate::start(&[]);
    let proxy = sim.proxy_addr();
    for target in [
        "example.com:443",
        "169.254.169.254:80",
        "169.254.169.254:443",
        "127.0.0.1:443",
        "[::1]:443",
        "sts.googleapis.com:80",
        "sts.googleapis.com.evil.example:443",
        "metadata.google.internal:80",
    ] {
        let status = connect(&proxy, target);
        assert!(
            status.starts_with("HTTP/1.1 403"),
            "CONNECT {target}: {status}"
        );
    }
    // A plain forward request (not CONNECT) is refused too.
    let mut s = TcpStream::connect(&proxy).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET http://169.254.169.254/metadata/identity/oauth2/token?resource=x HTTP/1.1\r\nHost: 169.254.169.254\r\nMetadata: true\r\n\r\n"
    )
    .unwrap();
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 403"), "{line}");

    let log = sim.log_lines_after(Duration::from_millis(200));
    let refused: Vec<_> = log.iter().filter(|l| l.contains("403 refused")).collect();
    assert_eq!(refused.len(), 9, "one refusal line each:\n{log:#?}");
    assert!(
        !log.iter()
            .any(|l| l.contains(" -> 200") || l.contains(" -> 502")),
        "nothing was tunnelled or connected:\n{log:#?}"
    );
    assert!(
        !sim.stderr().contains("resource=x"),
        "queries are never logged"
    );
    // The simulated hosts are tunnelled.
    assert!(connect(&proxy, "sts.googleapis.com:443").starts_with("HTTP/1.1 200"));
    assert!(
        connect(&proxy, "europe-west4-aiplatform.googleapis.com:443").starts_with("HTTP/1.1 200")
    );
}

#[test]
fn one_log_line_per_request_without_headers_or_bodies() {
    let sim = Simulate::start(&[]);
    let ca =
        reqwest::Certificate::from_pem(&std::fs::read(sim.var("SSL_CERT_FILE")).unwrap()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::builder()
        .proxy(reqwest::Proxy::https(sim.var("HTTPS_PROXY")).unwrap())
        .tls_certs_only([ca])
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let header_secret = "hdr-value-that-must-not-be-logged";
    let body_secret = "body-value-that-must-not-be-logged";
    rt.block_on(async {
        for _ in 0..3 {
            let r = client
                .post("https://sts.googleapis.com/v1/token")
                .header("x-test-secret", header_secret)
                .form(&[("subject_token", body_secret)])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 400, "the simulated STS answered");
        }
        let r = reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .get(format!(
                "{}?api-version=2019-08-01&resource=x",
                sim.var("IDENTITY_ENDPOINT")
            ))
            .header("X-IDENTITY-HEADER", sim.var("IDENTITY_HEADER"))
            .send()
            .await
            .unwrap();
        assert!(!r.status().is_success(), "unknown resource: {}", r.status());
    });
    let log = sim.log_lines_after(Duration::from_millis(200));
    let sts: Vec<_> = log
        .iter()
        .filter(|l| l.as_str() == "simulate: POST sts.googleapis.com /v1/token -> 400")
        .collect();
    assert_eq!(sts.len(), 3, "one line per STS request:\n{log:#?}");
    let tunnels = log
        .iter()
        .filter(|l| l.contains("CONNECT sts.googleapis.com:443 -> 200"))
        .count();
    assert!(
        (1..=3).contains(&tunnels),
        "CONNECTs logged once each:\n{log:#?}"
    );
    assert_eq!(
        log.iter()
            .filter(|l| l.contains("GET 127.0.0.1 /msi/token"))
            .count(),
        1,
        "{log:#?}"
    );
    let all = sim.stderr();
    for secret in [
        header_secret,
        body_secret,
        sim.var("IDENTITY_HEADER"),
        "resource=x",
    ] {
        assert!(!all.contains(secret), "{secret} logged:\n{all}");
    }
}

/// `wif-doctor check --json` with the simulator's environment plus `extra`, minus `drop`.
fn check_with(sim: &Simulate, extra: &[(&str, &str)], drop: &[&str]) -> std::process::Output {
    let root = sim.dir.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    Command::new(env!("CARGO_BIN_EXE_wif-doctor"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", sim.dir.path())
        .env("WIF_DOCTOR_SYSROOT", &root)
        .envs(
            sim.env
                .iter()
                .filter(|(k, _)| !drop.contains(&k.as_str()))
                .cloned(),
        )
        .envs(extra.iter().copied())
        .args(["check", "--json"])
        .output()
        .unwrap()
}

/// The identity client never uses a proxy, even one configured for every scheme with no
/// NO_PROXY exemption (the proxy would refuse the plain-HTTP identity request with 403).
#[test]
fn identity_request_bypasses_any_proxy() {
    let sim = Simulate::start(&[]);
    let proxy = sim.var("HTTPS_PROXY").to_string();
    let out = check_with(
        &sim,
        &[
            ("HTTP_PROXY", &proxy),
            ("http_proxy", &proxy),
            ("ALL_PROXY", &proxy),
        ],
        &["NO_PROXY", "no_proxy"],
    );
    assert!(
        out.status.success(),
        "check failed:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let log = sim.log_lines_after(Duration::from_millis(200));
    assert!(
        log.iter()
            .any(|l| l == "simulate: GET 127.0.0.1 /msi/token -> 200"),
        "{log:#?}"
    );
    assert!(
        !log.iter().any(|l| l.contains("refused")),
        "nothing went to the proxy but CONNECTs to Google and Entra:\n{log:#?}"
    );
}

#[test]
fn check_passes_through_the_proxy_with_real_name_resolution() {
    let sim = Simulate::start(&[]);
    let out = check_with(&sim, &[], &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "check failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["ok"], true);
    let log = sim.log_lines_after(Duration::from_millis(200));
    for line in [
        "simulate: CONNECT sts.googleapis.com:443 -> 200 tunnel",
        "simulate: POST sts.googleapis.com /v1/token -> 200",
        "simulate: GET 127.0.0.1 /msi/token -> 200",
    ] {
        assert!(log.iter().any(|l| l == line), "{line} missing:\n{log:#?}");
    }
    assert!(
        !log.iter().any(|l| l.contains("CONNECT 127.0.0.1")),
        "the identity request never goes through the proxy:\n{log:#?}"
    );
}

#[test]
fn listen_scenario_and_latency_flags() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let sim = Simulate::start(&[
        "--listen",
        &listen,
        "--scenario",
        "vertex-disabled",
        "--latency",
        "300",
    ]);
    assert!(
        sim.stderr().contains(&format!("HTTPS on {listen}")),
        "{}",
        sim.stderr()
    );
    assert!(sim.stderr().contains("vertex-disabled"));
    // The HTTPS listener answers on that address directly (as /etc/hosts entries reach it).
    let ca =
        reqwest::Certificate::from_pem(&std::fs::read(sim.var("SSL_CERT_FILE")).unwrap()).unwrap();
    let client = reqwest::Client::builder()
        .no_proxy()
        .resolve("sts.googleapis.com", listen.parse().unwrap())
        .tls_certs_only([ca])
        .build()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    let status = rt.block_on(async {
        client
            .post(format!("https://sts.googleapis.com:{port}/v1/token"))
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 400);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "latency applied"
    );
}

#[test]
fn bad_flags_are_usage_errors() {
    for args in [
        &["simulate", "--scenario", "no-such-fault"][..],
        &["simulate", "--listen", "not-an-address"][..],
        &["simulate", "--latency", "fast"][..],
        &["--demo", "simulate"][..],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_wif-doctor"))
            .env_clear()
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Ctrl+C ends it as SIGTERM does, also with a tunnel still open.
#[test]
fn sigint_ends_it_with_an_open_tunnel() {
    let mut sim = Simulate::start(&[]);
    let mut tunnel = TcpStream::connect(sim.proxy_addr()).unwrap();
    write!(
        tunnel,
        "CONNECT sts.googleapis.com:443 HTTP/1.1\r\nHost: sts.googleapis.com:443\r\n\r\n"
    )
    .unwrap();
    let mut line = String::new();
    BufReader::new(tunnel.try_clone().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    let status = sim.signal("-INT");
    assert!(status.success(), "{status}");
    assert!(
        sim.stderr()
            .trim_end()
            .ends_with("simulate: stopped (Ctrl+C)")
    );
    drop(tunnel);
}

/// Refusals are decided before any connection: a listener on a loopback port named by IP
/// literal, by `localhost` or by a production name with that port never sees a connection.
#[test]
fn refused_destinations_are_never_connected_to() {
    let sim = Simulate::start(&[]);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    for target in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("sts.googleapis.com:{port}"),
    ] {
        let status = connect(&sim.proxy_addr(), &target);
        assert!(
            status.starts_with("HTTP/1.1 403"),
            "CONNECT {target}: {status}"
        );
    }
    std::thread::sleep(Duration::from_millis(200));
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("the proxy connected to a refused destination: {other:?}"),
    }
}

/// The metadata address itself, in a private network namespace (CI runs as root) where
/// 169.254.169.254 is a listener of ours on loopback: CONNECTs to it on 80 and 443 are
/// refused and the listener never sees a connection. Nothing leaves the namespace.
#[test]
fn metadata_address_is_refused_without_connecting_in_a_private_namespace() {
    let outcome = std::thread::spawn(|| -> Result<(), String> {
        // SAFETY: unshare affects only this thread (and the processes it spawns).
        if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
            return Err(format!(
                "unshare(CLONE_NEWNET): {} (run as root)",
                std::io::Error::last_os_error()
            ));
        }
        for args in [
            &["link", "set", "lo", "up"][..],
            &["addr", "add", "169.254.169.254/32", "dev", "lo"][..],
        ] {
            let ok = Command::new("ip").args(args).status().map(|s| s.success());
            if !matches!(ok, Ok(true)) {
                return Err(format!("ip {args:?}: {ok:?} (iproute2)"));
            }
        }
        let listeners: Vec<_> = ["169.254.169.254:80", "169.254.169.254:443"]
            .iter()
            .map(|a| {
                let l = std::net::TcpListener::bind(a).unwrap();
                l.set_nonblocking(true).unwrap();
                l
            })
            .collect();
        let sim = Simulate::start(&[]);
        for target in ["169.254.169.254:80", "169.254.169.254:443"] {
            let status = connect(&sim.proxy_addr(), target);
            assert!(
                status.starts_with("HTTP/1.1 403"),
                "CONNECT {target}: {status}"
            );
        }
        std::thread::sleep(Duration::from_millis(200));
        for l in &listeners {
            match l.accept() {
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                other => return Err(format!("the metadata listener was reached: {other:?}")),
            }
        }
        let log = sim.log_lines_after(Duration::ZERO);
        assert_eq!(
            log.iter()
                .filter(|l| l.contains("CONNECT 169.254.169.254") && l.contains("403 refused"))
                .count(),
            2,
            "{log:#?}"
        );
        Ok(())
    })
    .join()
    .expect("the namespace thread");
    outcome.unwrap();
}

/// Scenario faults reach clients through the proxy as they do in-process.
#[test]
fn scenario_faults_show_through_the_proxy() {
    let sim = Simulate::start(&["--scenario", "audience-mismatch"]);
    let out = check_with(&sim, &[], &[]);
    assert_eq!(out.status.code(), Some(1), "check must fail");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sts = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "sts.exchange")
        .unwrap();
    assert_eq!(sts["status"], "fail", "{sts:#}");
    assert!(
        sts.to_string()
            .contains("does not match the expected audience"),
        "{sts:#}"
    );
    let log = sim.log_lines_after(Duration::from_millis(200));
    assert!(
        log.iter()
            .any(|l| l == "simulate: POST sts.googleapis.com /v1/token -> 400"),
        "{log:#?}"
    );
}
