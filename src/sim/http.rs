//! Server plumbing shared by both listeners: accept loop (optionally TLS),
//! hyper HTTP/1.1 or HTTP/2 connections, bounded request bodies, the request log,
//! injected latency, and a small response type the route handlers return.
//!
//! Handlers are plain synchronous functions from [`SimRequest`] to
//! [`SimResponse`]; everything asynchronous (hanging, streaming, latency,
//! shutdown) lives here.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http_body_util::{BodyExt, Limited};
use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use hyper::header::{CONTENT_TYPE, HOST, HeaderName, HeaderValue};
use hyper::http::uri::Authority;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use super::State;

/// Largest request body the simulator reads; larger ones get 413.
const MAX_REQUEST_BODY: usize = 1024 * 1024;
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Which listener a request arrived on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListenerKind {
    Http,
    Https,
}

impl ListenerKind {
    fn label(self) -> &'static str {
        match self {
            ListenerKind::Http => "http",
            ListenerKind::Https => "https",
        }
    }
}

/// One request as seen by the simulator, recorded verbatim (secrets
/// included) so tests can prove where credentials were sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `"http"` (metadata listener), `"https"`, or `"proxy"` (a request to the CONNECT
    /// proxy; `path` is then `host:port` for a CONNECT, `host path` otherwise).
    pub listener: &'static str,
    /// Host without port, lowercased (`127.0.0.1`, `login.microsoftonline.com`, …).
    pub host: String,
    pub method: String,
    pub path: String,
    /// Raw query string without `?` (empty if none).
    pub query: String,
    /// Header names lowercased, in arrival order.
    pub headers: Vec<(String, String)>,
    /// Body as (lossy) UTF-8; empty if it exceeded the size bound.
    pub body: String,
}

impl RecordedRequest {
    /// First value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// First value of a decoded query parameter.
    pub fn query_param(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// Parsed request handed to route handlers.
pub(crate) struct SimRequest {
    pub host: String,
    pub method: hyper::Method,
    pub path: String,
    pub params: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl SimRequest {
    /// First value of a query parameter (exact, case-sensitive name).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// First value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What a handler wants sent back.
pub(crate) struct SimResponse {
    pub status: StatusCode,
    pub headers: Vec<(&'static str, String)>,
    pub body: ResponseBody,
}

pub(crate) enum ResponseBody {
    Bytes(Bytes),
    /// `chunk` repeated until `total` bytes were sent (chunked encoding).
    Stream {
        chunk: Bytes,
        total: usize,
    },
    /// Never answer (until shutdown).
    Hang,
}

impl SimResponse {
    /// JSON body with `application/json; charset=utf-8`.
    pub fn json(status: StatusCode, value: &impl serde::Serialize) -> Self {
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
        SimResponse {
            status,
            headers: vec![("content-type", "application/json; charset=utf-8".into())],
            body: ResponseBody::Bytes(Bytes::from(body)),
        }
    }

    pub fn text(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Self {
        SimResponse {
            status,
            headers: vec![("content-type", content_type.to_string())],
            body: ResponseBody::Bytes(body.into()),
        }
    }

    pub fn hang() -> Self {
        SimResponse {
            status: StatusCode::OK,
            headers: Vec::new(),
            body: ResponseBody::Hang,
        }
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Generic 404 for unknown hosts/paths.
    pub fn not_found(req: &SimRequest) -> Self {
        SimResponse::json(
            StatusCode::NOT_FOUND,
            &serde_json::json!({
                "error": "not_found",
                "error_description": format!(
                    "wif-doctor simulator has no route for {} {}{}",
                    req.method, req.host, req.path
                ),
            }),
        )
    }
}

/// Response body: a single buffer or a bounded repeated stream.
pub(crate) struct SimBody {
    once: Option<Bytes>,
    chunk: Bytes,
    remaining: usize,
}

impl SimBody {
    fn full(b: Bytes) -> Self {
        SimBody {
            once: Some(b),
            chunk: Bytes::new(),
            remaining: 0,
        }
    }
    fn stream(chunk: Bytes, total: usize) -> Self {
        let remaining = if chunk.is_empty() { 0 } else { total };
        SimBody {
            once: None,
            chunk,
            remaining,
        }
    }
}

impl Body for SimBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if let Some(b) = this.once.take() {
            return Poll::Ready(Some(Ok(Frame::data(b))));
        }
        if this.remaining == 0 {
            return Poll::Ready(None);
        }
        let n = this.remaining.min(this.chunk.len());
        this.remaining -= n;
        Poll::Ready(Some(Ok(Frame::data(this.chunk.slice(..n)))))
    }

    fn is_end_stream(&self) -> bool {
        self.once.is_none() && self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        match &self.once {
            // Streams report no exact size, so hyper uses chunked encoding.
            None if self.remaining > 0 => SizeHint::default(),
            Some(b) => SizeHint::with_exact(b.len() as u64),
            None => SizeHint::with_exact(0),
        }
    }
}

/// Resolves when the handle asks for shutdown or is dropped.
pub(crate) async fn shutdown_signal(mut rx: watch::Receiver<bool>) {
    loop {
        if *rx.borrow_and_update() {
            return;
        }
        if rx.changed().await.is_err() {
            return;
        }
    }
}

/// Accept loop for one listener: each connection runs `serve_one` in its own task and is
/// torn down on shutdown (which also releases hanging requests and open tunnels).
pub(crate) async fn accept_each<F, Fut>(
    listener: TcpListener,
    shutdown: watch::Receiver<bool>,
    mut serve_one: F,
) where
    F: FnMut(tokio::net::TcpStream) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let stop = shutdown_signal(shutdown.clone());
    tokio::pin!(stop);
    loop {
        let stream = tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                // Transient (e.g. EMFILE): back off briefly instead of spinning.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let conn_stop = shutdown_signal(shutdown.clone());
        let work = serve_one(stream);
        tokio::spawn(async move {
            tokio::select! {
                _ = conn_stop => {}
                _ = work => {}
            }
        });
    }
}

/// The simulator's HTTP or HTTPS listener.
pub(crate) async fn serve(
    listener: TcpListener,
    kind: ListenerKind,
    tls: Option<TlsAcceptor>,
    state: Arc<State>,
    shutdown: watch::Receiver<bool>,
) {
    accept_each(listener, shutdown, move |stream| {
        let state = state.clone();
        let tls = tls.clone();
        async move {
            match tls {
                Some(acceptor) => {
                    let Ok(Ok(tls_stream)) =
                        tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                    else {
                        return;
                    };
                    let h2 = tls_stream.get_ref().1.alpn_protocol() == Some(b"h2");
                    serve_connection(TokioIo::new(tls_stream), kind, state, h2).await;
                }
                None => serve_connection(TokioIo::new(stream), kind, state, false).await,
            }
        }
    })
    .await
}

/// HTTP/2 when the client chose it by ALPN (as Google's and Entra's front ends offer), else 1.1.
async fn serve_connection<I>(io: I, kind: ListenerKind, state: Arc<State>, h2: bool)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(handle(state, kind, req).await) }
    });
    if h2 {
        let mut builder = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
        builder.timer(TokioTimer::new());
        let _ = builder.serve_connection(io, service).await;
        return;
    }
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .keep_alive(true);
    let _ = builder.serve_connection(io, service).await;
}

/// Host the client addressed: URI authority (absolute-form) or `Host` header,
/// port stripped, lowercased.
fn request_host(req: &Request<Incoming>) -> String {
    if let Some(auth) = req.uri().authority() {
        return auth.host().to_ascii_lowercase();
    }
    req.headers()
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<Authority>().ok())
        .map(|a| a.host().trim_matches(['[', ']']).to_ascii_lowercase())
        .unwrap_or_default()
}

async fn handle(
    state: Arc<State>,
    kind: ListenerKind,
    req: Request<Incoming>,
) -> Response<SimBody> {
    let host = request_host(&req);
    let (parts, body) = req.into_parts();
    let (body, too_large) = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(collected) => (collected.to_bytes(), false),
        Err(_) => (Bytes::new(), true),
    };
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let query = parts.uri.query().unwrap_or("").to_string();
    let sreq = SimRequest {
        host,
        method: parts.method,
        path: parts.uri.path().to_string(),
        params: url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        headers,
        body,
    };
    state.record(RecordedRequest {
        listener: kind.label(),
        host: sreq.host.clone(),
        method: sreq.method.to_string(),
        path: sreq.path.clone(),
        query,
        headers: sreq.headers.clone(),
        body: String::from_utf8_lossy(&sreq.body).into_owned(),
    });

    // Recorded before waiting for the background-generated keys: a request is logged
    // when it arrives, however early.
    state.keys_ready().await;
    let resp = if too_large {
        SimResponse::json(
            StatusCode::PAYLOAD_TOO_LARGE,
            &serde_json::json!({"error": "request_too_large"}),
        )
    } else {
        super::route(&state, kind, &sreq)
    };

    let outcome = match resp.body {
        ResponseBody::Hang => "no answer (scenario)".to_string(),
        _ => resp.status.as_u16().to_string(),
    };
    state.echo(format_args!(
        "{} {} {} -> {outcome}",
        sreq.method, sreq.host, sreq.path
    ));

    if !state.opts.latency.is_zero() {
        tokio::time::sleep(state.opts.latency).await;
    }
    into_hyper(resp).await
}

async fn into_hyper(resp: SimResponse) -> Response<SimBody> {
    let body = match resp.body {
        ResponseBody::Bytes(b) => SimBody::full(b),
        ResponseBody::Stream { chunk, total } => SimBody::stream(chunk, total),
        ResponseBody::Hang => std::future::pending().await,
    };
    let mut out = Response::new(body);
    *out.status_mut() = resp.status;
    for (name, value) in resp.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            out.headers_mut().append(n, v);
        }
    }
    if !out.headers().contains_key(CONTENT_TYPE) {
        out.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
    }
    out
}
