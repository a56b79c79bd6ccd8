//! What STS does first, done locally: OIDC discovery at the token's issuer, the JWKS,
//! and an RS256 signature check (jsonwebtoken; no hand-rolled crypto).

use crate::http::{self, BodyError, Failure, Http};
use crate::i18n::Text;
use crate::msg;
use crate::secret::Secret;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

const MAX_DOC: usize = 512 * 1024;

/// The hosts that serve Entra ID discovery documents and signing keys, one group per cloud
/// (reference azure-managed-identity.md §3.6–3.7). Public and US Government share the v1
/// issuer host `sts.windows.net`, so they form one group.
const MICROSOFT_CLOUDS: &[&[&str]] = &[
    &[
        "sts.windows.net",
        "login.microsoftonline.com",
        "login.windows.net",
        "login.microsoftonline.us",
    ],
    &[
        "sts.chinacloudapi.cn",
        "login.chinacloudapi.cn",
        "login.partner.microsoftonline.cn",
    ],
    &["sts.microsoftonline.de", "login.microsoftonline.de"],
];

fn cloud_of(host: &str) -> Option<&'static [&'static str]> {
    MICROSOFT_CLOUDS
        .iter()
        .copied()
        .find(|c| c.iter().any(|h| h.eq_ignore_ascii_case(host)))
}

fn is_internal_v4(ip: std::net::Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (64..128).contains(&o[1])) // carrier-grade NAT
        || o[0] >= 240
}

fn is_internal_v6(ip: std::net::Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_internal_v4(v4);
    }
    let s = ip.segments();
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
}

/// A URL that came from a server (or from a token a server issued) may be fetched only if
/// it is https and its host is a name, or a public address: never loopback, link-local
/// (the metadata service), private or otherwise internal. The check is on the host as
/// written, before any connection; names are resolved by the normal resolver (tests pin
/// production names to the simulator with WIF_DOCTOR_RESOLVE, which is fine: the name is
/// what is judged).
pub fn check_server_url(url: &str) -> Result<url::Url, Text> {
    let u = url::Url::parse(url)
        .map_err(|e| Text::from(msg!("google.url.not_url", error = e.to_string())))?;
    if u.scheme() != "https" {
        return Err(msg!("google.url.not_https", scheme = u.scheme()).into());
    }
    let internal = |ip: String| Err(msg!("google.url.internal", ip = ip).into());
    match u.host() {
        None => Err(msg!("google.url.no_host").into()),
        Some(url::Host::Ipv4(ip)) if is_internal_v4(ip) => internal(ip.to_string()),
        Some(url::Host::Ipv6(ip)) if is_internal_v6(ip) => internal(ip.to_string()),
        Some(url::Host::Domain(d))
            if d.eq_ignore_ascii_case("localhost")
                || d.to_ascii_lowercase().ends_with(".localhost") =>
        {
            Err(msg!("google.url.this_machine", host = d).into())
        }
        Some(_) => Ok(u),
    }
}

/// The discovery document's `jwks_uri` must be https on the issuer's own Microsoft
/// identity hosts (the same cloud); for an issuer that is not Microsoft's (an AKS OIDC
/// issuer, say), on the issuer's own host. Anything else is refused before any request.
pub fn check_jwks_uri(issuer: &str, jwks_uri: &str) -> Result<(), Text> {
    let jwks = check_server_url(jwks_uri)?;
    let jwks_host = jwks.host_str().unwrap_or_default();
    let iss = url::Url::parse(issuer)
        .map_err(|e| Text::from(msg!("google.url.issuer_not_url", error = e.to_string())))?;
    let iss_host = iss.host_str().unwrap_or_default();
    match cloud_of(iss_host) {
        Some(cloud) if cloud.iter().any(|h| h.eq_ignore_ascii_case(jwks_host)) => Ok(()),
        Some(cloud) => Err(msg!(
            "google.url.not_microsoft",
            host = jwks_host,
            hosts = cloud.join(", ")
        )
        .into()),
        None if jwks_host.eq_ignore_ascii_case(iss_host) && jwks.port() == iss.port() => Ok(()),
        None => Err(msg!(
            "google.url.not_issuer_host",
            host = jwks_host,
            issuer_host = iss_host
        )
        .into()),
    }
}

#[derive(Debug, Clone)]
pub struct Discovery {
    pub url: String,
    pub issuer: Option<String>,
    pub jwks_uri: String,
}

#[derive(Debug, Clone)]
pub enum OidcError {
    /// The issuer is not an https URL.
    BadIssuer(String),
    /// A URL from the token or a server that wif-doctor refuses to fetch (nothing was sent).
    Refused {
        url: String,
        why: Text,
    },
    Transport {
        url: String,
        failure: Failure,
    },
    Status {
        url: String,
        status: u16,
    },
    Malformed {
        url: String,
        why: Text,
    },
    /// The token's `kid` is not in the JWKS.
    UnknownKid {
        kid: String,
        known: Vec<String>,
    },
    /// The key exists but the signature does not verify (or the key is unusable).
    Signature(Text),
}

async fn get_json(http: &Http, url: &str) -> Result<serde_json::Value, OidcError> {
    let resp = http
        .api
        .get(url)
        .send()
        .await
        .map_err(|e| OidcError::Transport {
            url: url.into(),
            failure: Failure::from_reqwest(&e),
        })?;
    let status = resp.status().as_u16();
    if status != 200 {
        return Err(OidcError::Status {
            url: url.into(),
            status,
        });
    }
    let body = http::read_limited(resp, MAX_DOC)
        .await
        .map_err(|e| match e {
            BodyError::TooLarge { .. } => OidcError::Malformed {
                url: url.into(),
                why: msg!("google.url.too_large").into(),
            },
            BodyError::Read(failure) => OidcError::Transport {
                url: url.into(),
                failure,
            },
        })?;
    serde_json::from_slice(&body).map_err(|_| OidcError::Malformed {
        url: url.into(),
        why: msg!("google.url.not_json", excerpt = http::excerpt(&body, 80)).into(),
    })
}

/// `<iss>/.well-known/openid-configuration`, as Google fetches it.
pub async fn discover(http: &Http, issuer: &str) -> Result<Discovery, OidcError> {
    if !issuer.starts_with("https://") {
        return Err(OidcError::BadIssuer(issuer.into()));
    }
    check_server_url(issuer).map_err(|why| OidcError::Refused {
        url: issuer.into(),
        why,
    })?;
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let doc = get_json(http, &url).await?;
    let jwks_uri = doc["jwks_uri"]
        .as_str()
        .ok_or_else(|| OidcError::Malformed {
            url: url.clone(),
            why: msg!("google.url.no_jwks_uri").into(),
        })?
        .to_string();
    check_jwks_uri(issuer, &jwks_uri).map_err(|why| OidcError::Refused {
        url: jwks_uri.clone(),
        why,
    })?;
    Ok(Discovery {
        issuer: doc["issuer"].as_str().map(str::to_string),
        url,
        jwks_uri,
    })
}

/// Fetch the JWKS at `uri`, which must have passed [`check_jwks_uri`] ([`discover`] does
/// that); it is checked as a server URL again here so no caller can skip the guard.
pub async fn fetch_jwks(http: &Http, uri: &str) -> Result<JwkSet, OidcError> {
    check_server_url(uri).map_err(|why| OidcError::Refused {
        url: uri.into(),
        why,
    })?;
    let doc = get_json(http, uri).await?;
    serde_json::from_value(doc).map_err(|e| OidcError::Malformed {
        url: uri.into(),
        why: Text::value(e.to_string()),
    })
}

/// Verify the signature only; claims (exp, aud, iss) are judged by their own checks.
pub fn verify_signature(
    token: &Secret,
    kid: &str,
    alg: Algorithm,
    jwks: &JwkSet,
) -> Result<(), OidcError> {
    let Some(jwk) = jwks.find(kid) else {
        return Err(OidcError::UnknownKid {
            kid: kid.into(),
            known: jwks
                .keys
                .iter()
                .filter_map(|k| k.common.key_id.clone())
                .collect(),
        });
    };
    let key = DecodingKey::from_jwk(jwk).map_err(|e| {
        OidcError::Signature(
            msg!("google.url.unusable_key", kid = kid, error = e.to_string()).into(),
        )
    })?;
    let mut validation = Validation::new(alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<serde_json::Value>(token.expose(), &key, &validation)
        .map(|_| ())
        .map_err(|e| OidcError::Signature(Text::value(e.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/";

    #[test]
    fn microsoft_jwks_on_the_issuers_cloud_is_allowed() {
        assert!(
            check_jwks_uri(
                V1,
                "https://login.microsoftonline.com/common/discovery/keys"
            )
            .is_ok()
        );
        assert!(
            check_jwks_uri(
                "https://login.microsoftonline.com/t/v2.0",
                "https://login.microsoftonline.com/t/discovery/v2.0/keys"
            )
            .is_ok()
        );
        assert!(
            check_jwks_uri(
                "https://sts.chinacloudapi.cn/t/",
                "https://login.chinacloudapi.cn/common/discovery/keys"
            )
            .is_ok()
        );
        // An AKS-style issuer: keys on its own host.
        assert!(
            check_jwks_uri(
                "https://oidc.prod-aks.azure.com/abc/",
                "https://oidc.prod-aks.azure.com/abc/openid/v1/jwks"
            )
            .is_ok()
        );
    }

    #[test]
    fn everything_else_is_refused() {
        for bad in [
            "http://login.microsoftonline.com/common/discovery/keys",
            "https://127.0.0.1/keys",
            "https://169.254.169.254/metadata/identity/oauth2/token",
            "https://2852039166/keys",
            "https://[::1]/keys",
            "https://[::ffff:169.254.169.254]/keys",
            "https://10.0.0.1/keys",
            "https://localhost/keys",
            "https://evil.example/keys",
            "https://login.microsoftonline.com.evil.example/keys",
            "https://login.chinacloudapi.cn/common/discovery/keys",
            "file:///etc/passwd",
            "not a url",
        ] {
            let e = check_jwks_uri(V1, bad);
            assert!(e.is_err(), "{bad} must be refused");
        }
        assert!(check_jwks_uri("https://oidc.example/abc/", "https://other.example/jwks").is_err());
    }

    #[test]
    fn server_urls_never_reach_internal_addresses() {
        for bad in [
            "https://169.254.169.254/",
            "https://127.0.0.53/",
            "https://192.168.1.1/",
            "https://172.16.0.1/",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
            "https://[fe80::1]/",
            "https://[fd00::1]/",
            "https://app.localhost/",
        ] {
            assert!(check_server_url(bad).is_err(), "{bad}");
        }
        assert!(check_server_url("https://sts.windows.net/t/").is_ok());
        assert!(check_server_url("https://20.190.128.1/").is_ok());
    }
}
