//! token.claims: what STS will reject or what is unsafe, judged locally.

use super::{CheckId, Finding};
use crate::jwt::{DecodedJwt, TokenVersion, format_utc, relative};
use crate::i18n::Text;
use crate::msg;
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
    let fail = |detail: Text, fix: Text| Finding::fail(id, detail, fix).with_data(data.clone());

    match jwt.exp() {
        None => {
            return fail(
                msg!("claims.check.no_exp").into(),
                msg!("claims.check.no_exp_fix").into(),
            );
        }
        Some(exp) if exp < now - SKEW => {
            return fail(
                msg!(
                    "claims.check.expired",
                    at = format_utc(exp),
                    when = relative(exp, now)
                )
                .into(),
                msg!("claims.check.expired_fix", clock = "date -u").into(),
            );
        }
        _ => {}
    }
    for (name, t) in [("iat", jwt.iat()), ("nbf", jwt.nbf())] {
        if let Some(t) = t
            && t > now + SKEW
        {
            return fail(
                msg!(
                    "claims.check.future",
                    claim = name,
                    at = format_utc(t),
                    when = relative(t, now)
                )
                .into(),
                msg!("claims.check.future_fix", clock = "date -u").into(),
            );
        }
    }
    let header = jwt.header_problems();
    if !header.is_empty() {
        let mut detail = Text::new();
        for h in header {
            detail.line(h);
        }
        return fail(detail, msg!("claims.check.header_fix").into());
    }
    if jwt.kid().is_none() {
        return fail(
            msg!("claims.check.no_kid").into(),
            msg!("claims.check.no_kid_fix").into(),
        );
    }
    let Some(sub) = jwt.sub() else {
        return fail(
            msg!("claims.check.no_sub").into(),
            msg!("claims.check.no_sub_fix").into(),
        );
    };
    if sub.len() > MAX_SUBJECT_BYTES {
        return fail(
            msg!(
                "claims.check.sub_too_long",
                len = sub.len(),
                max = MAX_SUBJECT_BYTES
            )
            .into(),
            msg!(
                "claims.check.sub_too_long_fix",
                flag = "--attribute-mapping=google.subject=assertion.oid"
            )
            .into(),
        );
    }
    if aud.iter().any(|a| GRAPH_AUDIENCES.contains(&a.as_str())) {
        return fail(
            msg!("claims.check.aud_graph", aud = &aud_text).into(),
            msg!(
                "claims.check.aud_graph_fix",
                flag = "--resource api://<appId>",
                var = "AZURE_RESOURCE_URI"
            )
            .into(),
        );
    }

    let version = match jwt.version() {
        TokenVersion::V1 => "v1",
        TokenVersion::V2 => "v2",
        TokenVersion::Unknown => "unknown-version",
    };
    let exp = jwt.exp().unwrap_or(now);
    let lifetime = jwt.iat().map(|iat| exp.saturating_sub(iat));
    let summary = msg!(
        "claims.check.summary",
        version = version,
        aud = &aud_text,
        sub = sub,
        at = format_utc(exp),
        when = relative(exp, now)
    );
    if aud.iter().any(|a| ARM_AUDIENCES.contains(&a.as_str())) {
        return Finding::warn(
            id,
            Text::from(summary).and(msg!("claims.check.aud_arm")),
            msg!("claims.check.aud_arm_fix", commands = msg!("claims.cmd.dedicated_audience")),
        )
        .with_data(data);
    }
    if let Some(l) = lifetime
        && l > 48 * 3600
    {
        return Finding::warn(
            id,
            Text::from(summary).and(msg!("claims.check.lifetime", hours = l / 3600)),
            msg!("claims.check.lifetime_fix"),
        )
        .with_data(data);
    }
    Finding::pass(id, summary).with_data(data)
}
