//! token.signature: OIDC discovery at `iss`, the JWKS, the `kid`, the RS256 signature —
//! what STS does first, done locally so its terse error becomes a precise one.

use super::{CheckId, Finding, tls};
use crate::google::{self, OidcError};
use crate::http::Http;
use crate::jwt::DecodedJwt;
use crate::secret::Secret;
use jsonwebtoken::Algorithm;
use serde_json::json;

pub async fn check(http: &Http, jwt: &DecodedJwt, token: &Secret) -> Finding {
    let id = CheckId::TokenSignature;
    let Some(iss) = jwt.iss() else {
        return Finding::fail(
            id,
            "the token has no iss claim, so its keys cannot be discovered",
            "use a managed-identity access token",
        );
    };
    let alg = match jwt.alg() {
        Some("RS256") => Algorithm::RS256,
        Some("ES256") => Algorithm::ES256,
        other => {
            return Finding::skip(
                id,
                format!(
                    "alg {} cannot be verified (see token.claims)",
                    other.unwrap_or("(missing)")
                ),
            );
        }
    };
    let Some(kid) = jwt.kid() else {
        return Finding::skip(id, "no kid in the token header (see token.claims)");
    };
    let discovery = match google::discover(http, iss).await {
        Ok(d) => d,
        Err(e) => return explain(http, id, iss, kid, e),
    };
    let jwks = match google::fetch_jwks(http, &discovery.jwks_uri).await {
        Ok(k) => k,
        Err(e) => return explain(http, id, iss, kid, e),
    };
    let data = json!({"discovery": discovery.url, "jwks_uri": discovery.jwks_uri, "kid": kid, "issuer_in_discovery": discovery.issuer, "tls_roots": tls::id(&http.roots())});
    if let Err(e) = google::verify_signature(token, kid, alg, &jwks) {
        return explain(http, id, iss, kid, e).with_data(data);
    }
    if let Some(doc_iss) = &discovery.issuer
        && doc_iss != iss
        && !doc_iss.contains("{tenantid}")
    {
        return Finding::warn(
            id,
            format!("signature verified with key {kid}, but the discovery document's issuer is {doc_iss} while the token says {iss}"),
            format!("configure the provider with the token's exact issuer: --issuer-uri='{iss}'"),
        )
        .with_data(data);
    }
    // The first TLS hop of a run: where its roots came from is said here when it matters.
    Finding::pass(
        id,
        tls::with_note(
            format!(
                "signature verified with key {kid} from {}",
                discovery.jwks_uri
            ),
            &http.roots(),
        ),
    )
    .with_data(data)
}

fn explain(http: &Http, id: CheckId, iss: &str, kid: &str, e: OidcError) -> Finding {
    match e {
        OidcError::BadIssuer(i) => Finding::fail(
            id,
            format!("the issuer {i} is not an https URL; Google requires https discovery"),
            "use an Entra ID token (issuer https://sts.windows.net/<tid>/ or https://login.microsoftonline.com/<tid>/v2.0)",
        ),
        OidcError::Refused { url, why } => Finding::fail(
            id,
            format!(
                "refused to fetch {url}: {why}; nothing was requested. Signing keys for {iss} come only over https from the issuer's own identity hosts"
            ),
            "check the token's issuer and the discovery document at <issuer>/.well-known/openid-configuration; an Entra ID issuer serves keys from https://login.microsoftonline.com (or its sovereign-cloud twin)",
        ),
        OidcError::Transport { url, failure } => Finding::fail(
            id,
            tls::with_note(
                format!(
                    "cannot fetch {url}: {failure}. STS would answer 'Error connecting to the given credential's issuer.'"
                ),
                &http.roots(),
            ),
            tls::fix(
                &http.roots(),
                &failure,
                "check outbound HTTPS from this machine (proxy settings, firewall); Google fetches the same URL from its side",
            ),
        )
        .with_data(json!({"tls_roots": tls::id(&http.roots())})),
        OidcError::Status { url, status } => Finding::fail(
            id,
            format!(
                "{url} answered HTTP {status}; the issuer {iss} does not serve OIDC discovery, so STS cannot verify the token"
            ),
            "use the token's exact issuer; for Entra it is https://sts.windows.net/<tid>/ (v1) or https://login.microsoftonline.com/<tid>/v2.0 (v2)",
        ),
        OidcError::Malformed { url, why } => Finding::fail(
            id,
            format!("{url} is not a usable OIDC document: {why}"),
            "check the issuer",
        ),
        OidcError::UnknownKid { kid: k, known } => Finding::fail(
            id,
            format!(
                "the token's signing key {k} is not in the issuer's JWKS (published keys: {}); STS answers 'Error connecting to the given credential's issuer.'",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ),
            "the token was not signed by this issuer's current keys: fetch a fresh token from the managed-identity endpoint; \
             if the provider has an uploaded JWKS (--jwk-json-path), re-upload the issuer's current keys or remove it",
        ),
        OidcError::Signature(why) => Finding::fail(
            id,
            format!(
                "the signature does not verify with key {kid} ({why}); STS answers 'Unable to verify the ID Token signature.'"
            ),
            "the token was altered or signed by another key: fetch a fresh token; never edit a token by hand",
        ),
    }
}
