//! token.signature: OIDC discovery at `iss`, the JWKS, the `kid`, the RS256 signature —
//! what STS does first, done locally so its terse error becomes a precise one.

use super::{CheckId, Finding, tls};
use crate::google::{self, OidcError};
use crate::http::{Failure, Http};
use crate::i18n::Text;
use crate::jwt::DecodedJwt;
use crate::msg;
use crate::secret::Secret;
use jsonwebtoken::Algorithm;
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
                {
                    let mut d = Text::from(msg!(
                        "claims.signature.transport",
                        url = &url,
                        failure = failure.message()
                    ));
                    d.line(transport_causes(&url, &failure));
                    d
                },
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
            msg!("claims.signature.unknown_kid_fix", flag = "--jwk-json-path"),
        ),
        OidcError::Signature(why) => Finding::fail(
            id,
            msg!("claims.signature.bad_signature", kid = kid, why = why),
            msg!("claims.signature.bad_signature_fix"),
        ),
    }
}

/// The possible causes of a request that got no answer, most likely first, and how to tell
/// them apart; empty when the failure says nothing more.
fn transport_causes(url: &str, failure: &Failure) -> Text {
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| url.to_string());
    let key = match failure {
        Failure::Tls(_) => "claims.signature.causes.tls",
        Failure::Dns(_) => "claims.signature.causes.dns",
        Failure::Timeout | Failure::Connect(_) => "claims.signature.causes.blocked",
        Failure::Other(_) => return Text::new(),
    };
    msg!(
        key,
        host = &host,
        probe = msg!("claims.cmd.s_client", host = &host),
        lookup = format!("getent hosts {host}")
    )
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use std::time::Duration;

    const ISS: &str = "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/";

    fn http() -> Http {
        Http::build(Duration::from_secs(1), &[], &[]).unwrap()
    }

    /// STS's answer for this case is 'Error connecting to the given credential's issuer.'
    /// (/work/shared/reference/google-sts-wif.md §2.4, the catalogue of real STS errors: "kid
    /// not found"); the issuer is the v1 shape of azure-managed-identity.md §3.6.
    #[test]
    fn unknown_kid_in_japanese_lists_the_keys_the_causes_and_the_flag() {
        let e = OidcError::UnknownKid {
            kid: "kid-old".into(),
            known: vec!["kid-a".into(), "kid-b".into()],
        };
        let f = explain(&http(), CheckId::TokenSignature, ISS, "kid-old", e);
        let (d, fix) = (f.detail.render(Lang::Ja), f.fix.render(Lang::Ja));
        assert!(d.contains("署名鍵") && d.contains("可能性の高い順"), "{d}");
        assert!(
            d.contains("kid-old") && d.contains("kid-a, kid-b") && d.contains(ISS),
            "{d}"
        );
        assert!(
            fix.contains("--jwk-json-path") && fix.contains("JWKS"),
            "{fix}"
        );
        let en = f.detail.en();
        assert!(en.contains("(published keys: kid-a, kid-b)"), "{en}");
    }

    #[test]
    fn unreachable_issuer_says_why_by_failure_kind() {
        let url = format!("{ISS}.well-known/openid-configuration");
        let dns = OidcError::Transport {
            url: url.clone(),
            // reqwest's words for a failed lookup, as recorded in
            // https://github.com/seanmonstar/reqwest/issues/1603 (the log line).
            failure: Failure::Dns(
                "error trying to connect: dns error: failed to lookup address information: No address associated with hostname"
                    .into(),
            ),
        };
        let f = explain(&http(), CheckId::TokenSignature, ISS, "k", dns);
        let d = f.detail.render(Lang::Ja);
        assert!(
            d.contains("名前解決に失敗しました") && d.contains(&url),
            "{d}"
        );
        assert!(
            d.contains("getent hosts sts.windows.net") && d.contains("HTTPS_PROXY"),
            "{d}"
        );
        // rustls's words for a chain to an untrusted CA (rustls::Error::InvalidCertificate
        // (UnknownIssuer) as displayed), the usual TLS-inspecting proxy symptom.
        let tls = OidcError::Transport {
            url,
            failure: Failure::Tls("invalid peer certificate: UnknownIssuer".into()),
        };
        let f = explain(&http(), CheckId::TokenSignature, ISS, "k", tls);
        let en = f.detail.en();
        assert!(en.contains("TLS-inspecting proxy"), "{en}");
        assert!(
            en.contains(
                "openssl s_client -connect sts.windows.net:443 -servername sts.windows.net"
            ),
            "{en}"
        );
    }

    /// STS's words for this case: 'Unable to verify the ID Token signature.'
    /// (/work/shared/reference/google-sts-wif.md §2.4: "kid found but signature doesn't
    /// verify (rotated/uploaded JWKS mismatch, token tampered)").
    #[test]
    fn a_bad_signature_lists_its_causes_in_both_languages() {
        let e = OidcError::Signature("InvalidSignature".into());
        let f = explain(&http(), CheckId::TokenSignature, ISS, "kid-1", e);
        let ja = f.detail.render(Lang::Ja);
        assert!(
            ja.contains("可能性の高い順")
                && ja.contains("kid-1")
                && ja.contains("InvalidSignature"),
            "{ja}"
        );
        assert!(ja.contains("wif-doctor decode"), "{ja}");
        let en = f.detail.en();
        assert!(
            en.contains("(1) the token was changed or cut")
                && en.contains("(2) the key published under kid-1"),
            "{en}"
        );
    }
}
