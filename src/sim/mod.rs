//! Loopback simulator of the cloud endpoints wif-doctor talks to: Azure
//! managed-identity token services (plain HTTP, like the real link-local
//! endpoints), Entra OIDC discovery/JWKS and Google STS, IAM Credentials,
//! Resource Manager `testIamPermissions` and Vertex AI `countTokens` (HTTPS
//! with a generated CA, reached by production host name through a DNS
//! override). Tests and `--demo` run the real client against it.
//!
//! This module is deliberately an *independent counterpart* of the client: it
//! imports nothing from the rest of the crate, so a shared misunderstanding
//! cannot make both sides agree on something the real services do not do.

mod azure;
mod entra;
mod gcp_project;
mod google;
mod http;
mod keys;
mod proxy;
mod scenario;
mod sts;
mod tenant;
mod tls;
mod token;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

pub use gcp_project::SimGoogle;
pub use http::RecordedRequest;
pub use scenario::{ParseScenarioError, Scenario};
pub use tenant::{ARM_RESOURCE, IdentityKind, SimApp, SimIdentity, SimTenant, TokenVersion};

use http::{ListenerKind, SimRequest, SimResponse};
use keys::KeySet;
use tenant::ResolvedResource;

/// Production host names the HTTPS listener answers for (certificate SANs).
const AZURE_HOSTS: &[&str] = &[entra::LOGIN_HOST, entra::STS_HOST];
/// Regional Vertex AI hosts included in [`Sim::resolve_entries`].
const REGIONAL_AIPLATFORM: &[&str] = &[
    "us-central1-aiplatform.googleapis.com",
    "europe-west1-aiplatform.googleapis.com",
    "europe-west4-aiplatform.googleapis.com",
];
/// Cap on the request log so a long demo session cannot grow without bound.
const MAX_RECORDED: usize = 10_000;

/// Knobs for one simulator instance.
#[derive(Clone, Debug, Default)]
pub struct SimOptions {
    pub scenario: Scenario,
    /// Delay injected before every response (all hosts, Google included).
    pub latency: Duration,
    /// Where the HTTPS listener binds (default `127.0.0.1:0`). `127.0.0.1:443` lets
    /// unmodified clients reach it through an `/etc/hosts` entry alone.
    pub https_listen: Option<SocketAddr>,
    /// Also run a CONNECT proxy on `127.0.0.1:0` that tunnels only the simulated host
    /// names to the HTTPS listener (for `HTTPS_PROXY`).
    pub proxy: bool,
    /// Write one line per request (method, host, path, status) to stderr.
    pub log_to_stderr: bool,
}

/// Shared state behind both listeners.
pub(crate) struct State {
    pub opts: SimOptions,
    pub tenant: SimTenant,
    /// RSA signing keys, generated in the background (see [`start`]).
    keys: OnceLock<KeySet>,
    keys_ready: watch::Receiver<bool>,
    pub identity_header: String,
    pub msi_secret: String,
    pub google: google::GoogleState,
    log: Mutex<Vec<RecordedRequest>>,
}

impl State {
    /// One request-log line on stderr when [`SimOptions::log_to_stderr`] is set. Callers
    /// pass method, host, path and outcome only (never headers, bodies or queries);
    /// control characters are replaced so a client cannot forge log lines.
    fn echo(&self, line: std::fmt::Arguments<'_>) {
        if self.opts.log_to_stderr {
            let line: String = line
                .to_string()
                .chars()
                .map(|c| if c.is_control() { '?' } else { c })
                .collect();
            eprintln!("simulate: {line}");
        }
    }

    /// The signing keys; blocks until generated (request handlers await [`State::keys_ready`]
    /// first, so only synchronous callers ever wait here).
    pub(crate) fn keys(&self) -> &KeySet {
        self.keys.wait()
    }

    /// Resolves once the signing keys exist.
    pub(crate) async fn keys_ready(&self) {
        let _ = self.keys_ready.clone().wait_for(|ready| *ready).await;
    }

    fn record(&self, r: RecordedRequest) {
        if let Ok(mut log) = self.log.lock()
            && log.len() < MAX_RECORDED
        {
            log.push(r);
        }
    }

    /// Mints a token as the HTTP endpoints do, honouring the scenario.
    fn mint_http(&self, identity: &SimIdentity, res: &ResolvedResource) -> token::Minted {
        let tweaks = self.opts.scenario.token_tweaks();
        let key = if tweaks.rogue_key {
            &self.keys().rogue
        } else {
            &self.keys().primary
        };
        token::mint(
            &self.tenant,
            key,
            identity,
            res,
            now() + tweaks.iat_offset_secs,
        )
    }
}

/// Current Unix time in seconds.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Host names the HTTPS listener answers for, the only CONNECT destinations the
/// proxy accepts: the Entra and Google hosts and the regional Vertex AI hosts.
pub(crate) fn serves_host(host: &str) -> bool {
    AZURE_HOSTS.contains(&host)
        || google::GOOGLE_HOSTS.contains(&host)
        || host
            .strip_suffix("-aiplatform.googleapis.com")
            .is_some_and(|loc| loc != "global" && gcp_project::LOCATIONS.contains(&loc))
}

/// Top-level dispatch: metadata listener → Azure MI endpoints; HTTPS → by
/// `Host` (Entra, then Google), anything else 404.
fn route(state: &State, kind: ListenerKind, req: &SimRequest) -> SimResponse {
    let routed = match kind {
        ListenerKind::Http => Some(azure::route(state, req)),
        ListenerKind::Https if AZURE_HOSTS.contains(&req.host.as_str()) => entra::route(state, req),
        ListenerKind::Https => google::dispatch(state, req),
    };
    routed.unwrap_or_else(|| SimResponse::not_found(req))
}

/// Handle to a running simulator. Serving stops on [`Sim::shutdown`] or drop.
pub struct Sim {
    state: Arc<State>,
    http_addr: SocketAddr,
    https_addr: SocketAddr,
    proxy_addr: Option<SocketAddr>,
    ca_pem: String,
    shutdown: watch::Sender<bool>,
}

/// Binds both loopback listeners and starts serving on the current Tokio
/// runtime. Generates a fresh CA and endpoint secrets; the RSA signing keys (two 2048-bit keys,
/// most of the start-up cost) are generated on a blocking thread after this returns, and
/// requests wait for them, so `--demo` draws its first frame meanwhile.
pub async fn start(opts: SimOptions) -> io::Result<Sim> {
    // Regional Vertex hosts (`us-central1-aiplatform.googleapis.com`) are
    // siblings of `aiplatform.googleapis.com`, not subdomains: only
    // `*.googleapis.com` (as on Google's real certificate) covers them.
    let tls_names: Vec<&str> = AZURE_HOSTS
        .iter()
        .chain(google::GOOGLE_HOSTS)
        .chain(REGIONAL_AIPLATFORM)
        .copied()
        .chain([
            "*.googleapis.com",
            "*.aiplatform.googleapis.com",
            "localhost",
        ])
        .collect();
    let material = tls::build(&tls_names)?;

    let (keys_done, keys_ready) = watch::channel(false);
    let tenant = SimTenant::demo();
    let google = google::GoogleState::new(&tenant, opts.scenario);
    let state = Arc::new(State {
        opts,
        tenant,
        google,
        keys: OnceLock::new(),
        keys_ready,
        identity_header: keys::random_guid(),
        msi_secret: keys::random_guid(),
        log: Mutex::new(Vec::new()),
    });

    let filling = state.clone();
    tokio::task::spawn_blocking(move || {
        // Generation fails only when the system RNG does; keep trying rather than serve nothing.
        let keys = loop {
            match KeySet::generate() {
                Ok(k) => break k,
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
            }
        };
        let _ = filling.keys.set(keys);
        let _ = keys_done.send(true);
    });

    let http_listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let https_bind = state
        .opts
        .https_listen
        .unwrap_or(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
    let https_listener = TcpListener::bind(https_bind)
        .await
        .map_err(|e| io::Error::new(e.kind(), format!("cannot listen on {https_bind}: {e}")))?;
    let http_addr = http_listener.local_addr()?;
    let https_addr = https_listener.local_addr()?;
    let proxy_listener = if state.opts.proxy {
        Some(TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?)
    } else {
        None
    };
    let proxy_addr = proxy_listener
        .as_ref()
        .map(TcpListener::local_addr)
        .transpose()?;
    let (shutdown, rx) = watch::channel(false);

    if let Some(listener) = proxy_listener {
        tokio::spawn(proxy::serve(
            listener,
            proxy::tunnel_target(https_addr),
            state.clone(),
            rx.clone(),
        ));
    }

    tokio::spawn(http::serve(
        http_listener,
        ListenerKind::Http,
        None,
        state.clone(),
        rx.clone(),
    ));
    tokio::spawn(http::serve(
        https_listener,
        ListenerKind::Https,
        Some(material.acceptor),
        state.clone(),
        rx,
    ));

    Ok(Sim {
        state,
        http_addr,
        https_addr,
        proxy_addr,
        ca_pem: material.ca_pem,
        shutdown,
    })
}

impl Sim {
    /// `http://127.0.0.1:PORT` of the metadata listener.
    pub fn metadata_base(&self) -> String {
        format!("http://{}", self.http_addr)
    }

    /// Value for `IDENTITY_ENDPOINT` (App Service 2019-08-01).
    pub fn identity_endpoint(&self) -> String {
        format!("{}/msi/token", self.metadata_base())
    }

    /// Value for `MSI_ENDPOINT` (legacy 2017-09-01).
    pub fn msi_endpoint(&self) -> String {
        format!("{}/MSI/token", self.metadata_base())
    }

    /// IMDS base to use instead of `http://169.254.169.254`.
    pub fn imds_endpoint(&self) -> String {
        self.metadata_base()
    }

    pub fn metadata_addr(&self) -> SocketAddr {
        self.http_addr
    }

    pub fn https_addr(&self) -> SocketAddr {
        self.https_addr
    }

    /// `http://127.0.0.1:PORT` of the CONNECT proxy, for `HTTPS_PROXY` (when
    /// [`SimOptions::proxy`] was set).
    pub fn https_proxy(&self) -> Option<String> {
        self.proxy_addr.map(|a| format!("http://{a}"))
    }

    /// Every production host name mapped to the HTTPS listener, for
    /// `reqwest::ClientBuilder::resolve`.
    pub fn resolve_entries(&self) -> Vec<(String, SocketAddr)> {
        AZURE_HOSTS
            .iter()
            .chain(google::GOOGLE_HOSTS)
            .chain(REGIONAL_AIPLATFORM)
            .map(|h| (h.to_string(), self.https_addr))
            .collect()
    }

    /// PEM of the generated CA (the only root clients should trust).
    pub fn ca_pem(&self) -> String {
        self.ca_pem.clone()
    }

    pub fn write_ca_file(&self, path: &Path) -> io::Result<()> {
        std::fs::write(path, &self.ca_pem)
    }

    /// Value for `IDENTITY_HEADER` (sent as `X-IDENTITY-HEADER`).
    pub fn identity_header(&self) -> &str {
        &self.state.identity_header
    }

    /// Value for `MSI_SECRET` (sent as `secret`).
    pub fn msi_secret(&self) -> &str {
        &self.state.msi_secret
    }

    pub fn scenario(&self) -> Scenario {
        self.state.opts.scenario
    }

    pub fn tenant(&self) -> &SimTenant {
        &self.state.tenant
    }

    pub fn tenant_id(&self) -> &str {
        &self.state.tenant.tenant_id
    }

    pub fn system_identity(&self) -> &SimIdentity {
        &self.state.tenant.system
    }

    pub fn user_identities(&self) -> &[SimIdentity] {
        &self.state.tenant.user_assigned
    }

    /// App with the default manifest (v1 tokens).
    pub fn app_v1(&self) -> &SimApp {
        &self.state.tenant.app_v1
    }

    /// App with `requestedAccessTokenVersion = 2` (v2 tokens).
    pub fn app_v2(&self) -> &SimApp {
        &self.state.tenant.app_v2
    }

    /// `iss` of tokens of a version.
    pub fn issuer(&self, version: TokenVersion) -> String {
        self.state.tenant.issuer(version)
    }

    /// `kid` of the published signing key.
    pub fn signing_kid(&self) -> &str {
        self.state.keys().primary.kid()
    }

    /// A valid token for the system-assigned identity and the v1 or v2 app,
    /// signed with the published key regardless of scenario.
    pub fn mint_token(&self, version: TokenVersion) -> String {
        let app = match version {
            TokenVersion::V1 => self.app_v1(),
            TokenVersion::V2 => self.app_v2(),
        };
        self.mint_token_for(self.system_identity(), &app.identifier_uri)
            .unwrap_or_default()
    }

    /// A valid token for any identity and registered `resource` (same rules as
    /// the endpoints), or `None` if the resource is unknown.
    pub fn mint_token_for(&self, identity: &SimIdentity, resource: &str) -> Option<String> {
        let resolved = self.state.tenant.resolve_resource(resource)?;
        Some(
            token::mint(
                &self.state.tenant,
                &self.state.keys().primary,
                identity,
                &resolved,
                now(),
            )
            .jwt,
        )
    }

    /// The simulated Google project as the client's settings should name it
    /// for the current scenario (project, pool, provider, service account to
    /// impersonate if any, Vertex location and model).
    pub fn google(&self) -> SimGoogle {
        SimGoogle::for_scenario(&self.state.tenant, self.state.opts.scenario)
    }

    /// Signs arbitrary JOSE `header` and `claims` with the published key (an
    /// RS256 signature whatever `header.alg` says), for tests that need
    /// tokens the endpoints never issue (long subjects, odd claims, bad `alg`).
    pub fn sign_jwt(&self, header: &serde_json::Value, claims: &serde_json::Value) -> String {
        self.state.keys().primary.sign_jwt(header, claims)
    }

    /// Snapshot of every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    pub fn clear_requests(&self) {
        if let Ok(mut l) = self.state.log.lock() {
            l.clear();
        }
    }

    /// Stops accepting and closes open connections (hanging ones included).
    pub fn shutdown(&self) {
        let _ = self.shutdown.send(true);
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim")
            .field("metadata", &self.http_addr)
            .field("https", &self.https_addr)
            .field("scenario", &self.state.opts.scenario)
            .finish_non_exhaustive()
    }
}
