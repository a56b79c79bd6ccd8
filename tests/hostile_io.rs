//! Hostile input on the files / servers / terminal / secrets side (issue 7, defects 3–6):
//! FIFOs, devices and directories where a file is expected, and hostile servers that
//! redirect, answer empty, flood, inject terminal escapes, echo secrets in every encoding,
//! or point `jwks_uri` at plain HTTP, loopback or the metadata address.
//!
//! The server cases run the real binary inside a private network namespace (created by a
//! dedicated thread with unshare(CLONE_NEWNET); CI runs as root): only loopback exists
//! there, and 169.254.169.254 is an address on that namespace's own `lo` where this test
//! listens, so "nothing was requested" is observed, and no packet can ever reach the real
//! metadata service.
#![cfg(target_os = "linux")]

mod common;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use common::{Run, finding, looks_like_jwt_in, run_child};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(5);
const IDENTITY_HEADER: &str = "9f3c2a71-hostile-header-5b8e-4d2f9a6c1e07";
const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
/// The terminal attack from the issue: retitle, clear, then forge a success line.
const FORGED: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\r\nwif-doctor: ok \u{9b}31m\u{202e}";

// ---------------------------------------------------------------- shared assertions

/// Nothing a server sent can act on the terminal or forge a line, in any output.
fn assert_no_terminal_control(text: &str) {
    for c in text.chars() {
        assert!(
            c == '\n' || !wif_doctor::untrusted::is_unsafe(c),
            "control character U+{:04X} reached the output:\n{text:?}",
            c as u32
        );
    }
    assert!(
        !text
            .lines()
            .any(|l| l.trim_start().starts_with("wif-doctor: ok")),
        "a forged line reached the output:\n{text}"
    );
}

/// Spellings of `secret` a leak could take (raw, percent-encoded, base64 both alphabets).
fn spellings(secret: &str) -> Vec<String> {
    let pct: String = secret
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    vec![
        secret.to_string(),
        pct.clone(),
        pct.to_ascii_lowercase(),
        STANDARD.encode(secret),
        URL_SAFE_NO_PAD.encode(secret),
    ]
}

/// No 16-character run of any spelling of `secret` appears in `text`.
fn assert_no_part_of(text: &str, secret: &str, what: &str) {
    for sp in spellings(secret) {
        let b = sp.as_bytes();
        for w in b.windows(16.min(b.len())).step_by(4) {
            let w = std::str::from_utf8(w).unwrap();
            assert!(!text.contains(w), "part of {what} ({w}) leaked:\n{text}");
        }
    }
}

fn assert_hostile_bounds(run: &Run) {
    run.assert_bounded(TIMEOUT);
    assert_no_terminal_control(&run.all());
    assert_no_part_of(&run.all(), IDENTITY_HEADER, "IDENTITY_HEADER");
    assert!(
        !looks_like_jwt_in(&run.all()),
        "a JWT leaked:\n{}",
        run.all()
    );
}

/// The binary under test; `WIF_DOCTOR_HOSTILE_BIN` runs this suite against another build
/// (to show that an older one fails it).
fn bin() -> std::process::Command {
    std::process::Command::new(
        std::env::var_os("WIF_DOCTOR_HOSTILE_BIN")
            .unwrap_or_else(|| env!("CARGO_BIN_EXE_wif-doctor").into()),
    )
}

fn plain_env(home: &Path) -> Vec<(String, String)> {
    std::fs::create_dir_all(home.join("root")).unwrap();
    vec![
        ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
        ("HOME".into(), home.display().to_string()),
        ("NO_COLOR".into(), "1".into()),
        (
            "WIF_DOCTOR_SYSROOT".into(),
            home.join("root").display().to_string(),
        ),
        ("WIF_DOCTOR_TIMEOUT".into(), "5s".into()),
    ]
}

fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

/// A FIFO (no writer: reading would block forever), /dev/zero (reading never ends) and a
/// directory, each with the words the error must use.
fn bad_files(dir: &Path) -> Vec<(String, &'static str)> {
    let fifo = dir.join("fifo");
    mkfifo(&fifo);
    let sub = dir.join("a-directory");
    std::fs::create_dir(&sub).unwrap();
    vec![
        (fifo.display().to_string(), "FIFO"),
        ("/dev/zero".to_string(), "character device"),
        (sub.display().to_string(), "directory"),
    ]
}

// ---------------------------------------------------------------- files (defect 3)

#[test]
fn decode_refuses_fifo_device_and_directory_at_once() {
    let dir = tempfile::tempdir().unwrap();
    for (path, kind) in bad_files(dir.path()) {
        let mut cmd = bin();
        cmd.env_clear()
            .envs(plain_env(dir.path()))
            .args(["decode", &format!("@{path}")]);
        let run = run_child(cmd, None, TIMEOUT);
        assert_eq!(run.code, 1, "{}", run.all());
        assert!(run.stderr.contains(kind), "{path}: {}", run.stderr);
        assert!(run.stderr.contains(&path), "{}", run.stderr);
        assert_hostile_bounds(&run);
    }
}

#[test]
fn credential_file_that_is_not_a_regular_file_is_named_and_typed() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = bad_files(dir.path());
    // Over the cap: "over N KiB", never "empty".
    let big = dir.path().join("big.json");
    std::fs::write(&big, vec![b' '; 2 * 1024 * 1024]).unwrap();
    files.push((big.display().to_string(), "over 1024 KiB"));
    for (path, kind) in files {
        let mut cmd = bin();
        cmd.env_clear()
            .envs(plain_env(dir.path()))
            .env("GOOGLE_APPLICATION_CREDENTIALS", &path)
            // No identity anywhere: only the local checks run, and nothing is fetched.
            .env("IDENTITY_ENDPOINT", "http://127.0.0.1:1/msi/token")
            .env("IDENTITY_HEADER", IDENTITY_HEADER)
            .args(["check", "--json"]);
        let run = run_child(cmd, None, TIMEOUT + TIMEOUT);
        let v: serde_json::Value =
            serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.all()));
        let f = finding(&v, "config.file");
        assert_eq!(f["status"], "fail", "{f}");
        let detail = f["detail"].as_str().unwrap();
        assert!(detail.contains(kind), "{path}: {detail}");
        assert!(
            detail.contains("GOOGLE_APPLICATION_CREDENTIALS"),
            "{detail}"
        );
        assert!(!detail.contains("empty"), "{detail}");
        assert_hostile_bounds(&run);
    }
}

#[test]
fn federated_token_file_that_is_not_a_regular_file_is_named_and_typed() {
    let dir = tempfile::tempdir().unwrap();
    for (path, kind) in bad_files(dir.path()) {
        let mut cmd = bin();
        cmd.env_clear()
            .envs(plain_env(dir.path()))
            .env("AZURE_FEDERATED_TOKEN_FILE", &path)
            .env("AZURE_CLIENT_ID", "00000000-0000-0000-0000-000000000001")
            .env("AZURE_TENANT_ID", TENANT)
            .args(["token"]);
        let run = run_child(cmd, None, TIMEOUT);
        assert_eq!(run.code, 1, "{}", run.all());
        assert!(run.stderr.contains(kind), "{path}: {}", run.stderr);
        assert!(
            run.stderr.contains("AZURE_FEDERATED_TOKEN_FILE"),
            "{}",
            run.stderr
        );
        assert_hostile_bounds(&run);
    }
}

// ---------------------------------------------------------------- a private network

type Job = Box<dyn FnOnce() + Send>;

/// A thread living in its own network namespace: sockets it binds and processes it
/// spawns see only that namespace's loopback (with 169.254.169.254 on it).
struct Netns {
    jobs: mpsc::Sender<Job>,
}

impl Netns {
    fn new() -> Netns {
        let (jobs, rx) = mpsc::channel::<Job>();
        let (ready, ready_rx) = mpsc::channel::<Result<(), String>>();
        std::thread::spawn(move || {
            // SAFETY: unshare affects only this thread's network namespace.
            if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
                let _ = ready.send(Err(format!(
                    "unshare(CLONE_NEWNET): {} (run as root)",
                    std::io::Error::last_os_error()
                )));
                return;
            }
            for args in [
                &["link", "set", "lo", "up"][..],
                &["addr", "add", "169.254.169.254/32", "dev", "lo"][..],
            ] {
                let ok = std::process::Command::new("ip")
                    .args(args)
                    .status()
                    .map(|s| s.success());
                if !matches!(ok, Ok(true)) {
                    let _ = ready.send(Err(format!("ip {args:?} failed: {ok:?} (iproute2)")));
                    return;
                }
            }
            let _ = ready.send(Ok(()));
            for job in rx {
                job();
            }
        });
        ready_rx
            .recv()
            .unwrap()
            .expect("a private network namespace");
        Netns { jobs }
    }

    fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = mpsc::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = tx.send(f());
            }))
            .unwrap();
        rx.recv().expect("the namespace thread ran the job")
    }

    fn listener(&self, addr: &'static str) -> std::net::TcpListener {
        self.run(move || {
            let l = std::net::TcpListener::bind(addr).expect("bind in the namespace");
            l.set_nonblocking(true).unwrap();
            l
        })
    }
}

// ---------------------------------------------------------------- hostile servers

#[derive(Debug, Clone)]
struct Req {
    host: String,
    method: String,
    path: String,
    authorization: String,
    body: String,
}

struct Resp {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn json(status: u16, v: serde_json::Value) -> Resp {
        Resp {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: v.to_string().into_bytes(),
        }
    }
}

type Handler = Arc<dyn Fn(&Req) -> Resp + Send + Sync>;

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<Req>>>);

impl Log {
    fn paths(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|r| format!("{} {}{}", r.method, r.host, r.path))
            .collect()
    }
}

async fn serve_conn<S>(io: S, handler: Handler, log: Log)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let svc = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let handler = handler.clone();
        let log = log.clone();
        async move {
            let host = req
                .headers()
                .get("host")
                .and_then(|h| h.to_str().ok())
                .unwrap_or_default()
                .split(':')
                .next()
                .unwrap_or_default()
                .to_string();
            let method = req.method().to_string();
            let authorization = req
                .headers()
                .get("authorization")
                .and_then(|h| h.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let path = req.uri().path().to_string();
            let body = req.into_body().collect().await?.to_bytes();
            let r = Req {
                host,
                method,
                path,
                authorization,
                body: String::from_utf8_lossy(&body).into_owned(),
            };
            log.0.lock().unwrap().push(r.clone());
            let resp = handler(&r);
            let mut b = hyper::Response::builder().status(resp.status);
            for (k, v) in resp.headers {
                b = b.header(k, v);
            }
            Ok::<_, hyper::Error>(b.body(Full::new(Bytes::from(resp.body))).unwrap())
        }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(hyper_util::rt::TokioIo::new(io), svc)
        .await;
}

/// A CA and an acceptor whose certificate covers the production names we impersonate.
fn tls(names: &[&str]) -> (tokio_rustls::TlsAcceptor, String) {
    use rcgen::{
        BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose,
        PKCS_ECDSA_P256_SHA256,
    };
    let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let leaf = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        )
        .unwrap();
    (
        tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        ca_cert.pem(),
    )
}

/// Production names the client may reach; all pinned to the hostile HTTPS listener.
const HOSTS: &[&str] = &[
    "sts.windows.net",
    "login.microsoftonline.com",
    "sts.googleapis.com",
    "iamcredentials.googleapis.com",
    "us-central1-aiplatform.googleapis.com",
    "aiplatform.googleapis.com",
];

/// One hostile world: an identity endpoint (plain HTTP, as on App Service), an HTTPS
/// listener impersonating Entra and Google, and connection counters on 127.0.0.1:P and
/// 169.254.169.254:443 that must stay at zero.
struct Hostile {
    rt: tokio::runtime::Runtime,
    ns: Netns,
    dir: tempfile::TempDir,
    identity_port: u16,
    https_port: u16,
    pub watch_port: u16,
    pub log: Log,
    pub watched: Arc<AtomicUsize>,
    ca: std::path::PathBuf,
}

impl Hostile {
    fn new(identity: Handler, https: Handler) -> Hostile {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let ns = Netns::new();
        let dir = tempfile::tempdir().unwrap();
        let log = Log::default();
        let watched = Arc::new(AtomicUsize::new(0));
        let id_l = ns.listener("127.0.0.1:0");
        let tls_l = ns.listener("127.0.0.1:0");
        let watch_l = ns.listener("127.0.0.1:0");
        let meta_l = ns.listener("169.254.169.254:443");
        let identity_port = id_l.local_addr().unwrap().port();
        let https_port = tls_l.local_addr().unwrap().port();
        let watch_port = watch_l.local_addr().unwrap().port();
        let (acceptor, ca_pem) = tls(HOSTS);
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, ca_pem).unwrap();
        let _g = rt.enter();
        let (l1, l2) = (
            tokio::net::TcpListener::from_std(id_l).unwrap(),
            tokio::net::TcpListener::from_std(tls_l).unwrap(),
        );
        let log1 = log.clone();
        rt.spawn(async move {
            while let Ok((s, _)) = l1.accept().await {
                tokio::spawn(serve_conn(s, identity.clone(), log1.clone()));
            }
        });
        let log2 = log.clone();
        rt.spawn(async move {
            while let Ok((s, _)) = l2.accept().await {
                let (acceptor, https, log) = (acceptor.clone(), https.clone(), log2.clone());
                tokio::spawn(async move {
                    if let Ok(t) = acceptor.accept(s).await {
                        serve_conn(t, https, log).await;
                    }
                });
            }
        });
        for l in [watch_l, meta_l] {
            let l = tokio::net::TcpListener::from_std(l).unwrap();
            let w = watched.clone();
            rt.spawn(async move {
                while let Ok((_s, _)) = l.accept().await {
                    w.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
        drop(_g);
        Hostile {
            rt,
            ns,
            dir,
            identity_port,
            https_port,
            watch_port,
            log,
            watched,
            ca,
        }
    }

    fn env(&self) -> Vec<(String, String)> {
        let mut env = plain_env(self.dir.path());
        let resolve: Vec<String> = HOSTS
            .iter()
            .map(|h| format!("{h}=127.0.0.1:{}", self.https_port))
            .collect();
        env.extend([
            ("SSL_CERT_FILE".into(), self.ca.display().to_string()),
            ("WIF_DOCTOR_RESOLVE".into(), resolve.join(",")),
            (
                "IDENTITY_ENDPOINT".into(),
                format!("http://127.0.0.1:{}/msi/token", self.identity_port),
            ),
            ("IDENTITY_HEADER".into(), IDENTITY_HEADER.into()),
            (
                "AZURE_RESOURCE_URI".into(),
                "api://wif-doctor-hostile".into(),
            ),
            ("GCP_PROJECT_NUMBER".into(), "123456789012".into()),
            ("GCP_PROJECT_ID".into(), "hostile-project".into()),
            ("GCP_WORKLOAD_IDENTITY_POOL_ID".into(), "azure-pool".into()),
            (
                "GCP_WORKLOAD_IDENTITY_PROVIDER_ID".into(),
                "azure-provider".into(),
            ),
            ("GCP_LOCATION".into(), "us-central1".into()),
        ]);
        env
    }

    fn run(&self, args: &[&str]) -> Run {
        let mut cmd = bin();
        cmd.env_clear().envs(self.env()).args(args);
        let run = self
            .ns
            .run(move || run_child(cmd, None, TIMEOUT + Duration::from_secs(25)));
        assert_hostile_bounds(&run);
        run
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        // Listeners die with the runtime.
        let _ = &self.rt;
    }
}

/// A JWT shaped like a v1 managed-identity token; its signature segment is the secret
/// part we watch for (it is not valid: the hostile keys do not matter).
fn hostile_jwt() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let header = serde_json::json!({"typ": "JWT", "alg": "RS256", "kid": "hostile-kid"});
    let claims = serde_json::json!({
        "aud": "api://wif-doctor-hostile",
        "iss": format!("https://sts.windows.net/{TENANT}/"),
        "iat": now - 60, "nbf": now - 60, "exp": now + 3600,
        "sub": "2b1c9c3e-0d55-4f4a-9a7e-hostile-sub",
        "tid": TENANT, "ver": "1.0", "appid": "3c0c8a1e-app", "idtyp": "app",
    });
    let sig: Vec<u8> = (0..256u32).map(|i| (i * 97 + 13) as u8).collect();
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(sig)
    )
}

fn token_response(token: &str) -> Resp {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    Resp::json(
        200,
        serde_json::json!({
            "access_token": token, "expires_on": (now + 3600).to_string(),
            "resource": "api://wif-doctor-hostile", "token_type": "Bearer",
            "client_id": "3c0c8a1e-app",
        }),
    )
}

fn identity(f: impl Fn(&Req) -> Resp + Send + Sync + 'static) -> Handler {
    Arc::new(f)
}

/// Entra and Google as they are, except `jwks_uri`, which the test chooses.
fn entra_with_jwks(jwks_uri: String) -> Handler {
    Arc::new(move |r: &Req| {
        if r.path.ends_with("/.well-known/openid-configuration") {
            Resp::json(
                200,
                serde_json::json!({
                    "issuer": format!("https://sts.windows.net/{TENANT}/"),
                    "jwks_uri": jwks_uri,
                }),
            )
        } else if r.path.contains("discovery") && r.path.ends_with("keys") {
            Resp::json(200, serde_json::json!({"keys": []}))
        } else {
            Resp::json(400, serde_json::json!({"error": "invalid_request"}))
        }
    })
}

// ---------------------------------------------------------------- servers (defect 4)

/// jwks_uri at plain http, at loopback, at the metadata address (by IP and by a disguised
/// name): token.signature fails naming the URI, and not one connection arrives.
#[test]
fn jwks_uri_off_the_issuers_hosts_is_refused_and_never_fetched() {
    let token = hostile_jwt();
    // The watcher's port is known only after binding: build the world first, then swap
    // the discovery answer through a shared cell.
    let jwks = Arc::new(Mutex::new(String::new()));
    let j = jwks.clone();
    let https: Handler = Arc::new(move |r: &Req| entra_with_jwks(j.lock().unwrap().clone())(r));
    let t = token.clone();
    let w = Hostile::new(identity(move |_| token_response(&t)), https);
    let cases = [
        format!("http://127.0.0.1:{}/common/discovery/keys", w.watch_port),
        format!("https://127.0.0.1:{}/common/discovery/keys", w.watch_port),
        "http://login.microsoftonline.com/common/discovery/keys".to_string(),
        "https://169.254.169.254/metadata/identity/oauth2/token".to_string(),
        "https://[::ffff:a9fe:a9fe]/keys".to_string(),
        // A name we pin to the loopback watcher: refused for the name alone.
        "https://metadata.google.internal/computeMetadata/v1/".to_string(),
    ];
    for uri in cases {
        *jwks.lock().unwrap() = uri.clone();
        let run = w.run(&["check", "--json"]);
        let v = run.json();
        let f = finding(&v, "token.signature");
        assert_eq!(f["status"], "fail", "{uri}: {f}");
        let detail = f["detail"].as_str().unwrap();
        assert!(detail.contains("refused"), "{uri}: {detail}");
        assert!(
            detail.contains(uri.split('/').nth(2).unwrap()),
            "{uri}: {detail}"
        );
        assert_eq!(w.watched.load(Ordering::SeqCst), 0, "{uri} was requested");
        assert!(
            !w.log.paths().iter().any(|p| p.contains("metadata")),
            "{:?}",
            w.log.paths()
        );
    }
    // The control: a jwks_uri on the issuer's own Microsoft host is fetched.
    *jwks.lock().unwrap() = "https://login.microsoftonline.com/common/discovery/keys".into();
    let run = w.run(&["check", "--json"]);
    let v = run.json();
    let f = finding(&v, "token.signature");
    assert!(
        f["detail"]
            .as_str()
            .unwrap()
            .contains("not in the issuer's JWKS"),
        "{f}"
    );
    assert!(
        w.log
            .paths()
            .iter()
            .any(|p| p == "GET login.microsoftonline.com/common/discovery/keys"),
        "{:?}",
        w.log.paths()
    );
}

// ---------------------------------------------------------------- terminal (defect 5)

/// An identity error carrying ESC ]0;…BEL ESC [2J \r\n "wif-doctor: ok": the CLI (text
/// and --json) and the report file show it escaped; nothing acts on the terminal.
#[test]
fn escape_sequences_from_a_server_are_shown_escaped_everywhere() {
    let w = Hostile::new(
        identity(|_| {
            Resp::json(
                400,
                serde_json::json!({"error": "invalid_request", "error_description": FORGED}),
            )
        }),
        entra_with_jwks(String::new()),
    );
    let run = w.run(&["token"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("\\x1b]0;pwned\\x07"), "{}", run.stderr);
    let run = w.run(&["check"]);
    assert!(run.stdout.contains("\\x1b[2J"), "{}", run.stdout);
    let run = w.run(&["check", "--json"]);
    let v = run.json();
    let detail = finding(&v, "azure.token")["detail"].as_str().unwrap();
    // JSON carries the server's words exactly (escaped by JSON itself, not twice).
    assert!(detail.contains("\u{1b}]0;pwned\u{7}"), "{detail:?}");
    let report = w.dir.path().join("report.md");
    let run = w.run(&["report", "--output", report.to_str().unwrap()]);
    assert!(matches!(run.code, 0 | 1), "{}", run.all());
    let text = std::fs::read_to_string(&report).unwrap();
    assert_no_terminal_control(&text);
    assert!(text.contains("\\x1b]0;pwned"), "{text}");
    assert_no_part_of(&text, IDENTITY_HEADER, "IDENTITY_HEADER");
}

// ---------------------------------------------------------------- secrets (defect 6)

/// The identity endpoint echoes IDENTITY_HEADER percent-encoded and base64-encoded; STS
/// echoes the token's signature segment, the token percent-encoded (lower-case hex) and
/// base64. None of it, whole or in part, reaches any output or the report.
#[test]
fn echoed_secrets_in_any_encoding_never_reach_output() {
    let token = hostile_jwt();
    let sig = token.rsplit('.').next().unwrap().to_string();
    let echo_header = format!(
        "header {} rejected (base64 {}, url {})",
        IDENTITY_HEADER.replace('-', "%2d"),
        STANDARD.encode(IDENTITY_HEADER),
        URL_SAFE_NO_PAD.encode(format!("X-IDENTITY-HEADER: {IDENTITY_HEADER}"))
    );
    let w = Hostile::new(
        identity(move |_| {
            Resp::json(
                401,
                serde_json::json!({"error": "unauthorized", "message": echo_header}),
            )
        }),
        entra_with_jwks(String::new()),
    );
    let run = w.run(&["token", "--json"]);
    assert_eq!(run.code, 1, "{}", run.all());

    let t = token.clone();
    let sts_echo = move |r: &Req| {
        if r.host == "sts.googleapis.com" {
            let form: Vec<(String, String)> = url::form_urlencoded::parse(r.body.as_bytes())
                .into_owned()
                .collect();
            let subject = form
                .iter()
                .find(|(k, _)| k == "subject_token")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let sig = subject.rsplit('.').next().unwrap_or_default().to_string();
            let pct: String = url::form_urlencoded::byte_serialize(subject.as_bytes())
                .collect::<String>()
                .replace('.', "%2e");
            Resp::json(
                400,
                serde_json::json!({
                    "error": "invalid_grant",
                    "error_description": format!(
                        "Unable to verify the ID Token signature {sig}; token={pct}; b64={}; part={}",
                        STANDARD.encode(&subject),
                        &sig[7..60]
                    ),
                }),
            )
        } else {
            entra_with_jwks("https://login.microsoftonline.com/common/discovery/keys".into())(r)
        }
    };
    let w = Hostile::new(identity(move |_| token_response(&t)), Arc::new(sts_echo));
    for args in [&["check"][..], &["check", "--json"][..]] {
        let run = w.run(args);
        assert!(
            w.log
                .paths()
                .iter()
                .any(|p| p == "POST sts.googleapis.com/v1/token"),
            "{:?}",
            w.log.paths()
        );
        assert!(
            run.all()
                .contains("Unable to verify the ID Token signature"),
            "{}",
            run.all()
        );
        assert_no_part_of(&run.all(), &sig, "the token's signature segment");
        assert_no_part_of(&run.all(), &token, "the Azure token");
    }
    let report = w.dir.path().join("report.md");
    w.run(&["report", "--output", report.to_str().unwrap()]);
    let text = std::fs::read_to_string(&report).unwrap();
    assert_no_part_of(&text, &sig, "the token's signature segment");
    assert_no_part_of(&text, &token, "the Azure token");
}

// ---------------------------------------------------------------- response-side errors

#[test]
fn identity_redirect_shows_its_sanitised_location_and_is_not_followed() {
    let w = Hostile::new(
        identity(|r| {
            if r.path == "/msi/token" {
                Resp {
                    status: 302,
                    headers: vec![(
                        "location",
                        // A header cannot carry ESC; C1 CSI (U+009B) as UTF-8 it can.
                        "http://127.0.0.1:9/login?next=\u{9b}2Jx".into(),
                    )],
                    body: Vec::new(),
                }
            } else {
                Resp::json(500, serde_json::json!({}))
            }
        }),
        entra_with_jwks(String::new()),
    );
    let run = w.run(&["token"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("redirect"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Location: http://127.0.0.1:9/login?next=\\u{9b}2Jx"),
        "{}",
        run.stderr
    );
    assert_eq!(
        w.log
            .paths()
            .iter()
            .filter(|p| p.contains("/login"))
            .count(),
        0,
        "the redirect was followed: {:?}",
        w.log.paths()
    );
}

#[test]
fn identity_empty_200_says_empty() {
    let w = Hostile::new(
        identity(|_| Resp {
            status: 200,
            headers: vec![("content-type", "application/json".into())],
            body: Vec::new(),
        }),
        entra_with_jwks(String::new()),
    );
    let run = w.run(&["token"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("empty body"), "{}", run.stderr);
}

#[test]
fn a_100_kb_error_text_is_capped_with_a_count() {
    let w = Hostile::new(
        identity(|_| {
            Resp::json(
                400,
                serde_json::json!({"error": "invalid_request", "error_description": "E".repeat(100_000)}),
            )
        }),
        entra_with_jwks(String::new()),
    );
    for args in [&["token"][..], &["check"][..]] {
        let run = w.run(args);
        assert!(run.all().len() < 16 * 1024, "{} bytes", run.all().len());
        assert!(run.all().contains("more bytes"), "{}", run.all());
    }
}

/// Later calls' tokens are secrets too: STS issues a federated token, generateAccessToken a
/// service-account token; the next servers echo them (raw, percent-encoded, base64) and
/// the identity header. None of it reaches any output.
#[test]
fn federated_and_service_account_tokens_are_scrubbed_from_later_bodies() {
    const FED: &str = "fed0.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-hostile-federated-token";
    const SA: &str = "sa0.ZyXwVuTsRqPoNmLkJiHgFeDcBa9876543210-hostile-service-account";
    let token = hostile_jwt();
    let t = token.clone();
    let google = move |r: &Req| -> Resp {
        let echo = |bearer: &str| {
            Resp::json(
                403,
                serde_json::json!({"error": {"code": 403, "status": "PERMISSION_DENIED",
                "message": format!(
                    "Permission denied for {} (pct {}, b64 {}, earlier {})",
                    bearer,
                    bearer.replace('.', "%2E"),
                    STANDARD.encode(bearer),
                    URL_SAFE_NO_PAD.encode(FED),
                )}}),
            )
        };
        match r.host.as_str() {
            "sts.googleapis.com" => Resp::json(
                200,
                serde_json::json!({"access_token": FED, "expires_in": 3599, "token_type": "Bearer",
                    "issued_token_type": "urn:ietf:params:oauth:token-type:access_token"}),
            ),
            "iamcredentials.googleapis.com" if r.authorization == format!("Bearer {FED}") => {
                Resp::json(
                    200,
                    serde_json::json!({"accessToken": SA, "expireTime": "2099-01-01T00:00:00Z"}),
                )
            }
            h if h.ends_with("aiplatform.googleapis.com") => {
                echo(r.authorization.trim_start_matches("Bearer "))
            }
            _ => {
                entra_with_jwks("https://login.microsoftonline.com/common/discovery/keys".into())(r)
            }
        }
    };
    let w = Hostile::new(identity(move |_| token_response(&t)), Arc::new(google));
    let mut cmd_env = w.env();
    cmd_env.push((
        "GCP_SERVICE_ACCOUNT".into(),
        "vertex-caller@hostile-project.iam.gserviceaccount.com".into(),
    ));
    let report = w.dir.path().join("report.md");
    for args in [
        vec!["check"],
        vec!["check", "--json"],
        vec!["report", "--output", report.to_str().unwrap(), "--force"],
    ] {
        let mut cmd = bin();
        cmd.env_clear().envs(cmd_env.clone()).args(&args);
        let run =
            w.ns.run(move || run_child(cmd, None, TIMEOUT + Duration::from_secs(25)));
        assert_hostile_bounds(&run);
        let paths = w.log.paths();
        assert!(
            paths
                .iter()
                .any(|p| p.contains("aiplatform.googleapis.com")),
            "Vertex was not called: {paths:?}\n{}",
            run.all()
        );
        let mut all = run.all();
        if let Ok(t) = std::fs::read_to_string(&report) {
            all.push_str(&t);
        }
        assert!(all.contains("Permission denied for"), "{all}");
        assert_no_part_of(&all, FED, "the federated token");
        assert_no_part_of(&all, SA, "the service-account token");
        assert_no_part_of(&all, &token, "the Azure token");
    }
}
