//! Entra access tokens for managed identities, with the claim set observed in
//! real MI tokens (v1 and v2 shapes; reference §3.2–3.4).

use serde::Serialize;

use super::keys::{SigningKey, random_b64url};
use super::tenant::{ResolvedResource, SimIdentity, SimTenant, TokenVersion};

/// Observed MI token lifetime: `exp − iat` = 86 700 s (≈ 24 h 05 min).
pub(crate) const TOKEN_LIFETIME_SECS: i64 = 86_700;

/// A signed token and its timing, for building endpoint responses.
#[derive(Clone, Debug)]
pub(crate) struct Minted {
    pub jwt: String,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Serialize)]
struct Header<'a> {
    typ: &'static str,
    alg: &'static str,
    /// v1 only; same value as `kid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    x5t: Option<&'a str>,
    kid: &'a str,
}

#[derive(Serialize)]
struct Claims<'a> {
    aud: &'a str,
    iss: String,
    iat: i64,
    nbf: i64,
    exp: i64,
    aio: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    appid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    appidacr: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    azp: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    azpacr: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    idp: Option<String>,
    idtyp: &'static str,
    oid: &'a str,
    rh: String,
    sub: &'a str,
    tid: &'a str,
    uti: String,
    ver: &'static str,
    xms_mirid: &'a str,
}

/// Signs a token for `identity` and `resource`, issued at `iat`.
pub(crate) fn mint(
    tenant: &SimTenant,
    key: &SigningKey,
    identity: &SimIdentity,
    resource: &ResolvedResource,
    iat: i64,
) -> Minted {
    let v1 = resource.version == TokenVersion::V1;
    let iss = tenant.issuer(resource.version);
    let header = Header {
        typ: "JWT",
        alg: "RS256",
        x5t: v1.then_some(key.kid()),
        kid: key.kid(),
    };
    let exp = iat + TOKEN_LIFETIME_SECS;
    let claims = Claims {
        aud: &resource.aud,
        iss: iss.clone(),
        iat,
        nbf: iat,
        exp,
        aio: format!("k2{}=", random_b64url(42)),
        appid: v1.then_some(identity.client_id.as_str()),
        appidacr: v1.then_some("2"),
        azp: (!v1).then_some(identity.client_id.as_str()),
        azpacr: (!v1).then_some("2"),
        idp: v1.then_some(iss),
        idtyp: "app",
        oid: &identity.object_id,
        rh: format!("1.{}.", random_b64url(48)),
        sub: &identity.object_id,
        tid: &tenant.tenant_id,
        uti: random_b64url(16),
        ver: if v1 { "1.0" } else { "2.0" },
        xms_mirid: &identity.resource_id,
    };
    Minted {
        jwt: key.sign_jwt(&header, &claims),
        iat,
        exp,
    }
}
