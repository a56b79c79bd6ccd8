//! The one place HTTP clients are built.
//!
//! Two clients share one configuration: `api` (Google and Entra over TLS, honours
//! proxies, never follows redirects, one connection pool for a whole run) and `identity` (the managed-identity
//! endpoint: never proxied — a corporate proxy must not see `X-IDENTITY-HEADER` — and
//! never redirected, so the header cannot follow a redirect elsewhere).

mod roots;

pub use roots::{RootSources, Roots};

use crate::i18n::Text;
use crate::msg;
use crate::settings::Settings;
use reqwest::{Client, ClientBuilder, Response, redirect};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

const USER_AGENT: &str = concat!("wif-doctor/", env!("CARGO_PKG_VERSION"));

/// The clients of one run.
#[derive(Debug, Clone)]
pub struct Http {
    pub api: Client,
    pub identity: Client,
    pub timeout: Duration,
    verifier: Arc<roots::LazyVerifier>,
}

#[derive(Debug)]
pub enum HttpError {
    /// The TLS library's own words.
    Setup(String),
}

impl HttpError {
    pub fn message(&self) -> Text {
        match self {
            HttpError::Setup(why) => msg!("tls.setup", why = why).into(),
        }
    }
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message().fmt(f)
    }
}

impl std::error::Error for HttpError {}

impl Http {
    pub fn new(settings: &Settings) -> Result<Http, HttpError> {
        Http::with_roots(
            settings.timeout,
            &settings.resolve,
            RootSources::from_env(&settings.extra_roots_pem, &settings.sysroot),
        )
    }

    /// Clients on this machine's own CA store (the environment's SSL_CERT_FILE/DIR, else `/`).
    pub fn build(
        timeout: Duration,
        resolve: &[(String, SocketAddr)],
        extra_pem: &[String],
    ) -> Result<Http, HttpError> {
        Http::with_roots(
            timeout,
            resolve,
            RootSources::from_env(extra_pem, std::path::Path::new("/")),
        )
    }

    /// One TLS configuration for the run: building it parses nothing; the roots load on a
    /// background thread and the first certificate check waits for them.
    pub fn with_roots(
        timeout: Duration,
        resolve: &[(String, SocketAddr)],
        sources: RootSources,
    ) -> Result<Http, HttpError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let verifier = Arc::new(roots::LazyVerifier::start(sources, provider.clone()));
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| HttpError::Setup(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(verifier.clone())
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let base = || -> ClientBuilder {
            let mut b = Client::builder()
                .user_agent(USER_AGENT)
                .timeout(timeout)
                .connect_timeout(timeout.min(Duration::from_secs(5)))
                .tls_backend_preconfigured(tls.clone());
            for (host, addr) in resolve {
                b = b.resolve(host, *addr);
            }
            b
        };
        // Google's token and API endpoints never redirect; following one would re-post the
        // STS form (the Azure token) to wherever the redirect points.
        let api = base()
            .redirect(redirect::Policy::none())
            .build()
            .map_err(|e| HttpError::Setup(chain(&e)))?;
        let identity = base()
            .no_proxy()
            .redirect(redirect::Policy::none())
            .connect_timeout(timeout.min(Duration::from_secs(2)))
            .build()
            .map_err(|e| HttpError::Setup(chain(&e)))?;
        Ok(Http {
            api,
            identity,
            timeout,
            verifier,
        })
    }

    /// Where the trusted roots came from, or why none could be loaded (waits for the loader).
    pub fn roots(&self) -> Result<Roots, Text> {
        self.verifier.roots()
    }

    /// Opens (TCP + TLS, HTTP/2 where offered) a pooled connection to each host in the
    /// background, so a later request there costs one round trip. Each carries a bare `HEAD /`
    /// with no credential; its answer is ignored.
    pub fn warm(&self, hosts: impl IntoIterator<Item = String>) {
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        for host in hosts {
            let Ok(url) = url::Url::parse(&format!("https://{host}/")) else {
                continue;
            };
            let req = self.api.head(url).timeout(self.timeout);
            rt.spawn(async move {
                let _ = req.send().await;
            });
        }
    }
}

/// Why a request produced no response, in words an operator can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Nothing listens there (connection refused / unreachable).
    Connect(String),
    /// No answer within the timeout.
    Timeout,
    /// TLS handshake or certificate problem.
    Tls(String),
    /// DNS could not resolve the host.
    Dns(String),
    Other(String),
}

impl Failure {
    pub fn from_reqwest(e: &reqwest::Error) -> Failure {
        let text = chain(e);
        let lower = text.to_ascii_lowercase();
        if e.is_timeout() || lower.contains("timed out") {
            Failure::Timeout
        } else if lower.contains("certificate")
            || lower.contains("tls")
            || lower.contains("handshake")
        {
            Failure::Tls(text)
        } else if lower.contains("dns error")
            || lower.contains("failed to lookup")
            || lower.contains("name or service")
        {
            Failure::Dns(text)
        } else if e.is_connect() {
            Failure::Connect(text)
        } else {
            Failure::Other(text)
        }
    }

    pub fn is_retryable(&self) -> bool {
        matches!(self, Failure::Connect(_) | Failure::Other(_))
    }
}

impl Failure {
    /// In words, with the error chain (the library's own words) as a value.
    pub fn message(&self) -> Text {
        match self {
            Failure::Connect(t) => msg!("tls.failure.connect", why = t),
            Failure::Timeout => msg!("tls.failure.timeout"),
            Failure::Tls(t) => msg!("tls.failure.tls", why = t),
            Failure::Dns(t) => msg!("tls.failure.dns", why = t),
            Failure::Other(t) => msg!("tls.failure.other", why = t),
        }
        .into()
    }
}

/// In the process language (faces); the engine passes [`Failure::message`] on.
impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message().fmt(f)
    }
}

/// An error's message with its causes, on one line, deduplicated.
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = s.source();
    }
    parts.join(": ").replace('\n', " ")
}

/// A body read with a hard cap, so a 10 MB (or endless) answer costs bounded memory.
#[derive(Debug)]
pub enum BodyError {
    TooLarge { limit: usize },
    Read(Failure),
}

pub async fn read_limited(mut resp: Response, limit: usize) -> Result<Vec<u8>, BodyError> {
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge { limit });
    }
    let mut buf = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if buf.len() + chunk.len() > limit {
                    return Err(BodyError::TooLarge { limit });
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(buf),
            Err(e) => return Err(BodyError::Read(Failure::from_reqwest(&e))),
        }
    }
}

/// The `<title>` of an HTML page, to say what a proxy or login page was.
pub fn html_title(body: &str) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = lower[start..].find('>')? + start + 1;
    let end = lower[open_end..].find("</title")? + open_end;
    let t = body[open_end..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (!t.is_empty()).then(|| t.chars().take(120).collect())
}

/// Does this body look like HTML rather than JSON?
pub fn looks_like_html(content_type: Option<&str>, body: &[u8]) -> bool {
    if content_type.is_some_and(|c| c.to_ascii_lowercase().contains("html")) {
        return true;
    }
    let head = String::from_utf8_lossy(&body[..body.len().min(256)])
        .trim_start()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html") || head.starts_with("<head")
}

/// A short, single-line excerpt of a body for error messages.
pub fn excerpt(body: &[u8], max: usize) -> String {
    let s = String::from_utf8_lossy(body);
    let one = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > max {
        format!("{}…", one.chars().take(max).collect::<String>())
    } else {
        one
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_html_title() {
        let page = "<!DOCTYPE html><html><head><TITLE>\n  Sign in to your account </TITLE></head>";
        assert_eq!(html_title(page).as_deref(), Some("Sign in to your account"));
        assert!(looks_like_html(None, page.as_bytes()));
        assert!(!looks_like_html(Some("application/json"), b"{\"a\":1}"));
    }

    #[test]
    fn excerpt_is_one_line_and_bounded() {
        let e = excerpt(b"a\nb\n\n c", 100);
        assert_eq!(e, "a b c");
        assert_eq!(excerpt(&[b'x'; 50], 10).chars().count(), 11);
    }

    #[test]
    fn builds_clients() {
        let http = Http::build(
            Duration::from_secs(1),
            &[("sts.googleapis.com".into(), "127.0.0.1:1".parse().unwrap())],
            &[],
        )
        .unwrap();
        assert_eq!(http.timeout, Duration::from_secs(1));
    }
}
