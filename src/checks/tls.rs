//! What the run's TLS roots mean for a finding. A container without a CA store runs on
//! wif-doctor's bundled Mozilla roots (see `http::Roots`): the operator is told so, and a TLS
//! failure on those roots is explained as the missing store, not as a firewall.

use crate::http::{Failure, Roots};
use crate::i18n::Text;
use crate::msg;

/// The run's roots as [`crate::http::Http::roots`] reports them: where they came from, or why
/// none could be loaded.
pub type Loaded = Result<Roots, Text>;

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
pub fn describe(roots: &Loaded) -> Text {
    match roots {
        Ok(Roots::Environment) => msg!("tls.roots.environment").into(),
        Ok(Roots::Platform(path)) => {
            msg!("tls.roots.platform", path = path.display().to_string()).into()
        }
        Ok(Roots::Bundled) => msg!("tls.roots.bundled").into(),
        Err(e) => msg!("tls.roots.none", why = e).into(),
    }
}

/// The line a finding carries when the bundled roots stood in; nothing on the platform store.
pub fn note(roots: &Loaded) -> Option<Text> {
    matches!(roots, Ok(Roots::Bundled))
        .then(|| msg!("tls.roots.note", roots = describe(roots)).into())
}

/// `detail` plus the roots note, when there is one.
pub fn with_note(detail: impl Into<Text>, roots: &Loaded) -> Text {
    let mut detail = detail.into();
    if let Some(n) = note(roots) {
        detail.line(n);
    }
    detail
}

/// The fix for a request that got no answer: on the bundled roots a TLS failure means the
/// server's CA is not among them; anything else keeps the caller's fix.
pub fn fix(roots: &Loaded, failure: &Failure, otherwise: impl Into<Text>) -> Text {
    if matches!(roots, Ok(Roots::Bundled)) && matches!(failure, Failure::Tls(_)) {
        msg!(
            "tls.bundled_fix",
            dir = "/usr/local/share/ca-certificates/",
            update = "update-ca-certificates",
            var = "SSL_CERT_FILE"
        )
        .into()
    } else {
        otherwise.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn platform() -> Loaded {
        Ok(Roots::Platform("/etc/ssl/certs/ca-certificates.crt".into()))
    }

    fn bundled() -> Loaded {
        Ok(Roots::Bundled)
    }

    #[test]
    fn platform_roots_change_nothing() {
        assert_eq!(note(&platform()), None);
        assert_eq!(with_note("d", &platform()).en(), "d");
        let tls = Failure::Tls("invalid peer certificate: UnknownIssuer".into());
        assert_eq!(fix(&platform(), &tls, "firewall").en(), "firewall");
        assert_eq!(id(&platform()), "platform");
    }

    #[test]
    fn bundled_roots_are_named_and_explain_tls_failures() {
        let d = with_note("cannot fetch x", &bundled()).en();
        assert!(d.starts_with("cannot fetch x\nTLS roots: wif-doctor's bundled Mozilla roots"));
        assert!(d.contains("ca-certificates"));
        let tls = Failure::Tls("invalid peer certificate: UnknownIssuer".into());
        let f = fix(&bundled(), &tls, "firewall").en();
        assert!(f.contains("update-ca-certificates") && f.contains("SSL_CERT_FILE"));
        // A refused connection is not a CA problem, bundled roots or not.
        let refused = Failure::Connect("connection refused".into());
        assert_eq!(fix(&bundled(), &refused, "firewall").en(), "firewall");
        assert_eq!(id(&bundled()), "bundled");
    }

    #[test]
    fn bundled_roots_in_japanese_keep_the_commands_and_paths() {
        let tls = Failure::Tls("invalid peer certificate: UnknownIssuer".into());
        let f = fix(&bundled(), &tls, "firewall").render(Lang::Ja);
        assert!(f.contains("証明書"), "{f}");
        assert!(
            f.contains("update-ca-certificates") && f.contains("SSL_CERT_FILE"),
            "{f}"
        );
        assert!(f.contains("/usr/local/share/ca-certificates/"), "{f}");
        let d = describe(&platform()).render(Lang::Ja);
        assert!(
            d.contains("/etc/ssl/certs/ca-certificates.crt") && d.contains("システム"),
            "{d}"
        );
        let n = with_note("x", &bundled()).render(Lang::Ja);
        assert!(
            n.contains("ca-certificates") && n.contains("ルート証明書"),
            "{n}"
        );
    }
}
