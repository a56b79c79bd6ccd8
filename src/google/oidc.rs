//! What STS does first, done locally: OIDC discovery at the token's issuer, the JWKS,
//! and an RS256 signature check (jsonwebtoken; no hand-rolled crypto).

use crate::http::{self, BodyError, Failure, Http};
use crate::secret::Secret;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

const MAX_DOC: usize = 512 * 1024;

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
        why: String,
    },
    /// The token's `kid` is not in the JWKS.
    UnknownKid {
        kid: String,
        known: Vec<String>,
    },
    /// The key exists but the signature does not verify (or the key is unusable).
    Signature(String),
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
                why: "document too large".into(),
            },
            BodyError::Read(failure) => OidcError::Transport {
                url: url.into(),
                failure,
            },
        })?;
    serde_json::from_slice(&body).map_err(|_| OidcError::Malformed {
        url: url.into(),
        why: format!("not JSON: {}", http::excerpt(&body, 80)),
    })
}

/// `<iss>/.well-known/openid-configuration`, as Google fetches it.
pub async fn discover(http: &Http, issuer: &str) -> Result<Discovery, OidcError> {
    if !issuer.starts_with("https://") {
        return Err(OidcError::BadIssuer(issuer.into()));
    }
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let doc = get_json(http, &url).await?;
    let jwks_uri = doc["jwks_uri"]
        .as_str()
        .ok_or_else(|| OidcError::Malformed {
            url: url.clone(),
            why: "no jwks_uri".into(),
        })?
        .to_string();
    Ok(Discovery {
        issuer: doc["issuer"].as_str().map(str::to_string),
        url,
        jwks_uri,
    })
}

pub async fn fetch_jwks(http: &Http, uri: &str) -> Result<JwkSet, OidcError> {
    let doc = get_json(http, uri).await?;
    serde_json::from_value(doc).map_err(|e| OidcError::Malformed {
        url: uri.into(),
        why: e.to_string(),
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
    let key = DecodingKey::from_jwk(jwk)
        .map_err(|e| OidcError::Signature(format!("unusable key {kid}: {e}")))?;
    let mut validation = Validation::new(alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<serde_json::Value>(token.expose(), &key, &validation)
        .map(|_| ())
        .map_err(|e| OidcError::Signature(e.to_string()))
}
