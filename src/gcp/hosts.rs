//! Which hosts may receive our credentials. The Azure token goes to STS and a Google
//! token to Google APIs; a typo or a planted environment variable must not redirect either
//! to another host, or over plain HTTP.

use crate::i18n::Text;
use crate::msg;
use url::Url;

/// `sts.UNIVERSE`, `sts.mtls.UNIVERSE`, `sts.REGION.rep.UNIVERSE` and Private Service
/// Connect's `sts-ENDPOINT.p.UNIVERSE`.
pub fn host_allowed_sts(host: &str, universe: &str) -> bool {
    let label = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if host == format!("sts.{universe}") || host == format!("sts.mtls.{universe}") {
        return true;
    }
    if let Some(region) = host
        .strip_prefix("sts.")
        .and_then(|h| h.strip_suffix(&format!(".rep.{universe}")))
    {
        return label(region);
    }
    if let Some(psc) = host
        .strip_prefix("sts-")
        .and_then(|h| h.strip_suffix(&format!(".p.{universe}")))
    {
        return label(psc);
    }
    false
}

/// The STS token URL: https, and an STS host of the universe. The problem is a predicate
/// that follows the value.
pub fn validate_token_url(raw: &str, universe: &str) -> Result<(), Text> {
    let url =
        Url::parse(raw.trim()).map_err(|e| msg!("gcp.host.not_url", error = e.to_string()))?;
    if url.scheme() != "https" {
        return Err(msg!("gcp.host.not_https", scheme = url.scheme()).into());
    }
    let host = url.host_str().unwrap_or_default();
    if !host_allowed_sts(host, universe) {
        return Err(msg!("gcp.host.not_sts", host = host, universe = universe).into());
    }
    Ok(())
}

/// A universe domain is a DNS name such as `googleapis.com`.
pub fn validate_universe_domain(s: &str) -> Result<(), Text> {
    let ok = s.contains('.')
        && s.split('.').all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
    if ok {
        Ok(())
    } else {
        Err(msg!("gcp.host.not_universe").into())
    }
}

/// A Vertex AI location (`us-central1`, `europe-west4`, `global`): it becomes part of a host name.
pub fn validate_location(s: &str) -> Result<(), Text> {
    let ok = !s.is_empty()
        && !s.starts_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(msg!("gcp.host.not_location").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sts_hosts() {
        for ok in [
            "sts.googleapis.com",
            "sts.mtls.googleapis.com",
            "sts.europe-west3.rep.googleapis.com",
            "sts-vpc1.p.googleapis.com",
        ] {
            assert!(host_allowed_sts(ok, "googleapis.com"), "{ok}");
        }
        for bad in [
            "evil.com",
            "sts.googleapis.com.evil.com",
            "sts..rep.googleapis.com",
            "xsts.googleapis.com",
        ] {
            assert!(!host_allowed_sts(bad, "googleapis.com"), "{bad}");
        }
    }

    #[test]
    fn token_url_must_be_https_sts() {
        assert!(
            validate_token_url("https://sts.googleapis.com/v1/token", "googleapis.com").is_ok()
        );
        assert!(
            validate_token_url("http://sts.googleapis.com/v1/token", "googleapis.com")
                .unwrap_err()
                .en()
                .contains("unencrypted")
        );
        assert!(validate_token_url("https://127.0.0.1:8765/v1/token", "googleapis.com").is_err());
        assert!(validate_token_url("not a url", "googleapis.com").is_err());
    }

    #[test]
    fn location_and_universe_cannot_smuggle_a_host() {
        assert!(validate_location("us-central1").is_ok());
        assert!(validate_location("global").is_ok());
        assert!(validate_location("x.example.com#").is_err());
        assert!(validate_location("evil.com/").is_err());
        assert!(validate_universe_domain("googleapis.com").is_ok());
        assert!(validate_universe_domain("evil.com/x").is_err());
        assert!(validate_universe_domain("localhost").is_err());
    }
}
