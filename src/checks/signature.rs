//! token.signature: OIDC discovery at `iss`, the JWKS, the `kid`, the RS256 signature —
//! what STS does first, done locally so its terse error becomes a precise one.

use super::{CheckId, Finding, tls};
use crate::google::{self, OidcError};
use crate::http::Http;
use crate::jwt::DecodedJwt;
use crate::secret::Secret;
use jsonwebtoken::Algorithm;
use crate::i18n::Text;
use crate::msg;
use serde_json::json;

pub async fn check(http: &Http, jwt: &DecodedJwt, token: &Secret) -> Finding {
    let id = CheckId::TokenSignature;
    let Some(iss) = jwt.iss() else {
        return Finding::fail(
            id,
            msg!("claims.signature.no_iss"),
            msg!("claims.signature.no_iss_fix"),
        );
    };
    let alg = match jwt.alg() {
        Some("RS256") => Algorithm::RS256,
        Some("ES256") => Algorithm::ES256,
        other => {
            return Finding::skip(
                id,
                msg!(
                    "claims.signature.alg_skip",
                    alg = other.unwrap_or("(missing)")
                ),
            );
        }
    };
    let Some(kid) = jwt.kid() else {
        return Finding::skip(id, msg!("claims.signature.no_kid_skip"));
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
            msg!(
                "claims.signature.issuer_differs",
                kid = kid,
                doc_iss = doc_iss,
                iss = iss
            ),
            msg!(
                "claims.signature.issuer_differs_fix",
                flag = format!("--issuer-uri='{iss}'")
            ),
        )
        .with_data(data);
    }
    // The first TLS hop of a run: where its roots came from is said here when it matters.
    Finding::pass(
        id,
        tls::with_note(
            msg!(
                "claims.signature.verified",
                kid = kid,
                jwks_uri = &discovery.jwks_uri
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
            msg!("claims.signature.bad_issuer", iss = i),
            msg!("claims.signature.entra_issuers_fix"),
        ),
        OidcError::Refused { url, why } => Finding::fail(
            id,
            msg!("claims.signature.refused", url = url, why = why, iss = iss),
            msg!("claims.signature.refused_fix"),
        ),
        OidcError::Transport { url, failure } => Finding::fail(
            id,
            tls::with_note(
                msg!(
                    "claims.signature.transport",
                    url = url,
                    failure = failure.message()
                ),
                &http.roots(),
            ),
            tls::fix(
                &http.roots(),
                &failure,
                msg!("claims.signature.transport_fix"),
            ),
        )
        .with_data(json!({"tls_roots": tls::id(&http.roots())})),
        OidcError::Status { url, status } => Finding::fail(
            id,
            msg!(
                "claims.signature.status",
                url = url,
                status = status,
                iss = iss
            ),
            msg!("claims.signature.status_fix"),
        ),
        OidcError::Malformed { url, why } => Finding::fail(
            id,
            msg!("claims.signature.malformed", url = url, why = why),
            msg!("claims.signature.malformed_fix", iss = iss),
        ),
        OidcError::UnknownKid { kid: k, known } => Finding::fail(
            id,
            msg!(
                "claims.signature.unknown_kid",
                kid = k,
                known = if known.is_empty() {
                    Text::from(msg!("claims.signature.no_keys"))
                } else {
                    Text::value(known.join(", "))
                },
                iss = iss
            ),
            msg!(
                "claims.signature.unknown_kid_fix",
                flag = "--jwk-json-path"
            ),
        ),
        OidcError::Signature(why) => Finding::fail(
            id,
            msg!("claims.signature.bad_signature", kid = kid, why = why),
            msg!("claims.signature.bad_signature_fix"),
        ),
    }
}
