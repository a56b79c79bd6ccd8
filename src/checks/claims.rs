//! token.claims: what STS will reject or what is unsafe, judged locally.

use super::{CheckId, Finding};
use crate::jwt::{DecodedJwt, TokenVersion, format_utc, relative};
use serde_json::json;

/// Google tolerates about a minute of clock skew either way (measured).
const SKEW: i64 = 60;
/// Google's mapped `google.subject` limit.
const MAX_SUBJECT_BYTES: usize = 127;
const ARM_AUDIENCES: &[&str] = &[
    "https://management.azure.com/",
    "https://management.azure.com",
    "https://management.core.windows.net/",
];
const GRAPH_AUDIENCES: &[&str] = &[
    "https://graph.microsoft.com",
    "https://graph.microsoft.com/",
    "00000003-0000-0000-c000-000000000000",
];

pub fn check(jwt: &DecodedJwt, now: i64) -> Finding {
    let id = CheckId::TokenClaims;
    let aud = jwt.aud();
    let aud_text = aud.join(", ");
    let data = json!({
        "iss": jwt.iss(), "aud": aud, "sub": jwt.sub(), "tid": jwt.tid(),
        "version": jwt.version(), "alg": jwt.alg(), "kid": jwt.kid(),
        "iat": jwt.iat(), "nbf": jwt.nbf(), "exp": jwt.exp(),
    });
    let refetch = "fetch a fresh token (wif-doctor fetches one on every run; the app's Google library does too) \
                   and check this machine's clock: date -u";

    match jwt.exp() {
        None => {
            return Finding::fail(
                id,
                "the token has no exp claim; STS rejects it",
                "request the token from the managed-identity endpoint, not another issuer",
            )
            .with_data(data);
        }
        Some(exp) if exp < now - SKEW => {
            return Finding::fail(
                id,
                format!("the token expired at {} ({}); STS answers 'ID Token issued at … is stale to sign-in'", format_utc(exp), relative(exp, now)),
                refetch,
            )
            .with_data(data);
        }
        _ => {}
    }
    for (name, t) in [("iat", jwt.iat()), ("nbf", jwt.nbf())] {
        if let Some(t) = t
            && t > now + SKEW
        {
            return Finding::fail(
                id,
                format!("the token's {name} is {} ({}), beyond Google's ~60 s clock-skew tolerance", format_utc(t), relative(t, now)),
                "fix this machine's clock (date -u; enable NTP) — the token looks issued in the future",
            )
            .with_data(data);
        }
    }
    let header = jwt.header_problems();
    if !header.is_empty() {
        return Finding::fail(
            id,
            header.join("\n"),
            "use an Entra ID access token (RS256) from the managed-identity endpoint",
        )
        .with_data(data);
    }
    if jwt.kid().is_none() {
        return Finding::fail(
            id,
            "the token header has no kid; STS cannot find the signing key",
            "use an Entra ID access token from the managed-identity endpoint",
        )
        .with_data(data);
    }
    let Some(sub) = jwt.sub() else {
        return Finding::fail(
            id,
            "the token has no sub claim; google.subject=assertion.sub would be empty",
            "use a managed-identity access token (its sub is the identity's object ID)",
        )
        .with_data(data);
    };
    if sub.len() > MAX_SUBJECT_BYTES {
        return Finding::fail(
            id,
            format!("sub is {} bytes; Google limits the mapped google.subject to {MAX_SUBJECT_BYTES} bytes", sub.len()),
            "map a shorter value, e.g. --attribute-mapping=google.subject=assertion.oid",
        )
        .with_data(data);
    }
    if aud.iter().any(|a| GRAPH_AUDIENCES.contains(&a.as_str())) {
        return Finding::fail(
            id,
            format!("the audience is Microsoft Graph ({aud_text}); Graph tokens carry a nonce and their signature cannot be verified by Google"),
            "request the token for a dedicated Entra application: --resource api://<appId> (AZURE_RESOURCE_URI)",
        )
        .with_data(data);
    }

    let version = match jwt.version() {
        TokenVersion::V1 => "v1",
        TokenVersion::V2 => "v2",
        TokenVersion::Unknown => "unknown-version",
    };
    let exp = jwt.exp().unwrap_or(now);
    let lifetime = jwt.iat().map(|iat| exp.saturating_sub(iat));
    let summary = format!(
        "{version} token for {aud_text}, sub {sub}, expires {} ({})",
        format_utc(exp),
        relative(exp, now)
    );
    if aud.iter().any(|a| ARM_AUDIENCES.contains(&a.as_str())) {
        return Finding::warn(
            id,
            format!(
                "{summary}. The audience is Azure Resource Manager: this token is a working Azure control-plane \
                 credential if it ever leaks (a log, a proxy, a misconfigured provider)"
            ),
            "use a dedicated, permission-less audience: APP_ID=$(az ad app create --display-name gcp-wif-audience \
             --query appId -o tsv); az ad app update --id $APP_ID --identifier-uris api://$APP_ID; az ad sp create \
             --id $APP_ID; then set AZURE_RESOURCE_URI=api://$APP_ID and add it to the provider's allowed audiences",
        )
        .with_data(data);
    }
    if let Some(l) = lifetime
        && l > 48 * 3600
    {
        return Finding::warn(
            id,
            format!(
                "{summary}; its lifetime is {} h, above Google's documented 48 h maximum",
                l / 3600
            ),
            "use a managed-identity token (about 24 h)",
        )
        .with_data(data);
    }
    Finding::pass(id, summary).with_data(data)
}
