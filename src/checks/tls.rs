//! What the run's TLS roots mean for a finding. A container without a CA store runs on
//! wif-doctor's bundled Mozilla roots (see `http::Roots`): the operator is told so, and a TLS
//! failure on those roots is explained as the missing store, not as a firewall.

use crate::http::{Failure, Roots};

/// The run's roots as [`crate::http::Http::roots`] reports them: where they came from, or why
/// none could be loaded.
pub type Loaded = Result<Roots, String>;

/// Why a TLS failure on the bundled roots happens, and the fix.
const BUNDLED_TLS_FIX: &str = "only the bundled Mozilla roots are trusted here, and the CA that signed this \
    server's certificate (a TLS-inspecting proxy's, or another private CA) is not among them: install \
    ca-certificates and add that CA (copy it to /usr/local/share/ca-certificates/ and run \
    update-ca-certificates), or set SSL_CERT_FILE to a PEM bundle that holds it";

/// Stable name for JSON (`data.tls_roots`, `env --json`).
pub fn id(roots: &Loaded) -> &'static str {
    match roots {
        Ok(Roots::Environment) => "environment",
        Ok(Roots::Platform(_)) => "platform",
        Ok(Roots::Bundled) => "bundled",
        Err(_) => "none",
    }
}

/// Where the trusted roots came from, in words.
pub fn describe(roots: &Loaded) -> String {
    match roots {
        Ok(Roots::Environment) => "the CA certificates named by SSL_CERT_FILE / SSL_CERT_DIR".into(),
        Ok(Roots::Platform(path)) => format!("the system's CA store ({})", path.display()),
        Ok(Roots::Bundled) => "wif-doctor's bundled Mozilla roots: no CA certificate could be loaded from this system \
             (SSL_CERT_FILE, SSL_CERT_DIR and /etc/ssl/certs give none; is ca-certificates installed?)"
            .into(),
        Err(e) => format!("none: {e}"),
    }
}

/// The line a finding carries when the bundled roots stood in; nothing on the platform store.
pub fn note(roots: &Loaded) -> Option<String> {
    matches!(roots, Ok(Roots::Bundled)).then(|| format!("TLS roots: {}", describe(roots)))
}

/// `detail` plus the roots note, when there is one.
pub fn with_note(detail: String, roots: &Loaded) -> String {
    match note(roots) {
        Some(n) => format!("{detail}\n{n}"),
        None => detail,
    }
}

/// The fix for a request that got no answer: on the bundled roots a TLS failure means the
/// server's CA is not among them; anything else keeps the caller's fix.
pub fn fix(roots: &Loaded, failure: &Failure, otherwise: &str) -> String {
    if matches!(roots, Ok(Roots::Bundled)) && matches!(failure, Failure::Tls(_)) {
        BUNDLED_TLS_FIX.to_string()
    } else {
        otherwise.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform() -> Loaded {
        Ok(Roots::Platform("/etc/ssl/certs/ca-certificates.crt".into()))
    }

    fn bundled() -> Loaded {
        Ok(Roots::Bundled)
    }

    #[test]
    fn platform_roots_change_nothing() {
        assert_eq!(note(&platform()), None);
        assert_eq!(with_note("d".into(), &platform()), "d");
        let tls = Failure::Tls("invalid peer certificate: UnknownIssuer".into());
        assert_eq!(fix(&platform(), &tls, "firewall"), "firewall");
        assert_eq!(id(&platform()), "platform");
    }

    #[test]
    fn bundled_roots_are_named_and_explain_tls_failures() {
        let d = with_note("cannot fetch x".into(), &bundled());
        assert!(d.starts_with("cannot fetch x\nTLS roots: wif-doctor's bundled Mozilla roots"));
        assert!(d.contains("ca-certificates"));
        let tls = Failure::Tls("invalid peer certificate: UnknownIssuer".into());
        let f = fix(&bundled(), &tls, "firewall");
        assert!(f.contains("update-ca-certificates") && f.contains("SSL_CERT_FILE"));
        // A refused connection is not a CA problem, bundled roots or not.
        let refused = Failure::Connect("connection refused".into());
        assert_eq!(fix(&bundled(), &refused, "firewall"), "firewall");
        assert_eq!(id(&bundled()), "bundled");
    }
}
