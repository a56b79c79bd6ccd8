//! The simulator's own forward proxy, for `HTTPS_PROXY`: unmodified clients (Python
//! requests and httpx, Node gaxios, wif-doctor's API client) reach the production host
//! names through it with no DNS override. It answers `CONNECT host:443` for the hosts
//! the HTTPS listener serves by splicing the connection to that listener — the one
//! address it ever connects to — and refuses everything else (other hosts, IP literals
//! such as the metadata address, other ports, non-CONNECT requests) with 403 before any
//! connection is attempted.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use super::http::{RecordedRequest, accept_each, shutdown_signal};
use super::{State, serves_host};

const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
const TUNNEL_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The only port tunnelled: HTTPS.
const TLS_PORT: u16 = 443;

/// The address tunnels go to: the HTTPS listener, on loopback when it is bound to the
/// unspecified address.
pub(crate) fn tunnel_target(https: SocketAddr) -> SocketAddr {
    let ip = match https.ip() {
        IpAddr::V4(v) if v.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v) if v.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, https.port())
}

/// Why a request is not tunnelled (the 403 body and the log line).
fn refusal(method: &Method, target: Option<(&str, Option<u16>)>) -> Option<&'static str> {
    if method != Method::CONNECT {
        return Some("this proxy only tunnels HTTPS (CONNECT) to the simulated hosts");
    }
    let Some((host, port)) = target else {
        return Some("CONNECT needs a host:port target");
    };
    if host.trim_matches(['[', ']']).parse::<IpAddr>().is_ok() {
        return Some("an IP address is not a simulated host name");
    }
    if port != Some(TLS_PORT) {
        return Some("only port 443 is tunnelled");
    }
    if !serves_host(host) {
        return Some("not a host the simulator serves");
    }
    None
}

/// Accept loop; every connection and tunnel ends on shutdown.
pub(crate) async fn serve(
    listener: TcpListener,
    target: SocketAddr,
    state: Arc<State>,
    shutdown: watch::Receiver<bool>,
) {
    let conns = shutdown.clone();
    accept_each(listener, shutdown, move |stream| {
        let state = state.clone();
        let shutdown = conns.clone();
        async move {
            let service = hyper::service::service_fn(move |req| {
                let state = state.clone();
                let shutdown = shutdown.clone();
                async move { Ok::<_, Infallible>(handle(state, target, shutdown, req).await) }
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT);
            let _ = builder
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades()
                .await;
        }
    })
    .await
}

fn text(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from(format!("{body}\n"))));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

async fn handle(
    state: Arc<State>,
    target: SocketAddr,
    shutdown: watch::Receiver<bool>,
    mut req: Request<Incoming>,
) -> Response<Full<Bytes>> {
    let authority = req.uri().authority().cloned();
    let host = authority
        .as_ref()
        .map(|a| a.host().to_ascii_lowercase())
        .unwrap_or_default();
    // The request target without any query (which could carry a credential).
    let request_target = match (req.method(), &authority) {
        (&Method::CONNECT, Some(a)) => a.to_string(),
        _ => format!(
            "{} {}",
            authority.as_ref().map(|a| a.as_str()).unwrap_or("-"),
            req.uri().path()
        ),
    };
    state.record(RecordedRequest {
        listener: "proxy",
        host: host.clone(),
        method: req.method().to_string(),
        path: request_target.clone(),
        query: String::new(),
        headers: req
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: String::new(),
    });
    let method = req.method().clone();
    let refused = refusal(
        &method,
        authority.as_ref().map(|a| (host.as_str(), a.port_u16())),
    );
    if let Some(why) = refused {
        state.echo(format_args!(
            "{method} {request_target} -> 403 refused: {why}"
        ));
        return text(
            StatusCode::FORBIDDEN,
            &format!("wif-doctor simulator: {why}"),
        );
    }
    // Connect before answering 200, so a dead listener is a 502 rather than a broken tunnel.
    let upstream =
        match tokio::time::timeout(TUNNEL_CONNECT_TIMEOUT, TcpStream::connect(target)).await {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => {
                state.echo(format_args!("{method} {request_target} -> 502: {e}"));
                return text(
                    StatusCode::BAD_GATEWAY,
                    "wif-doctor simulator: HTTPS listener unreachable",
                );
            }
            Err(_) => {
                state.echo(format_args!("{method} {request_target} -> 502: timed out"));
                return text(
                    StatusCode::BAD_GATEWAY,
                    "wif-doctor simulator: HTTPS listener unreachable",
                );
            }
        };
    state.echo(format_args!("{method} {request_target} -> 200 tunnel"));
    let upgrade = hyper::upgrade::on(&mut req);
    tokio::spawn(async move {
        let splice = async move {
            let Ok(upgraded) = upgrade.await else { return };
            let mut client = TokioIo::new(upgraded);
            let mut upstream = upstream;
            let _ = upstream.set_nodelay(true);
            let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
        };
        tokio::select! {
            _ = shutdown_signal(shutdown) => {}
            _ = splice => {}
        }
    });
    Response::new(Full::new(Bytes::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(target: &str) -> Option<&'static str> {
        let authority: hyper::http::uri::Authority = target.parse().unwrap();
        let host = authority.host().to_ascii_lowercase();
        refusal(&Method::CONNECT, Some((&host, authority.port_u16())))
    }

    /// A refusal is decided from the request alone, before any connection: the only
    /// address ever connected to is the HTTPS listener, and only when this says `None`.
    #[test]
    fn only_simulated_hosts_on_443_are_tunnelled() {
        for ok in [
            "sts.googleapis.com:443",
            "login.microsoftonline.com:443",
            "cloudresourcemanager.googleapis.com:443",
            "us-central1-aiplatform.googleapis.com:443",
            "STS.GOOGLEAPIS.COM:443",
        ] {
            assert_eq!(verdict(ok), None, "{ok}");
        }
        for refused in [
            "169.254.169.254:80",
            "169.254.169.254:443",
            "[fd00:ec2::254]:443",
            "127.0.0.1:443",
            "example.com:443",
            "sts.googleapis.com:8443",
            "sts.googleapis.com",
            "global-aiplatform.googleapis.com:443",
            "evil-aiplatform.googleapis.com:443",
        ] {
            assert!(verdict(refused).is_some(), "{refused}");
        }
        assert!(refusal(&Method::GET, None).is_some());
    }

    #[test]
    fn unspecified_listener_is_reached_on_loopback() {
        assert_eq!(
            tunnel_target("0.0.0.0:443".parse().unwrap()),
            "127.0.0.1:443".parse().unwrap()
        );
        assert_eq!(
            tunnel_target("127.0.0.2:8443".parse().unwrap()),
            "127.0.0.2:8443".parse().unwrap()
        );
    }
}
