//! token.claims: what STS will reject or what is unsafe, judged locally.

use super::{CheckId, Finding};
use crate::i18n::Text;
use crate::jwt::{DecodedJwt, TokenVersion, format_utc, relative};
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
            msg!(
                "claims.check.aud_arm_fix",
                commands = msg!("claims.cmd.dedicated_audience")
            ),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    const NOW: i64 = 1_795_863_600; // 2026-11-28 11:00:00 UTC
    const SUB: &str = "5f2a1c3e-7b8d-4e6f-9a0b-1c2d3e4f5a6b";

    fn jwt(claims: serde_json::Value) -> DecodedJwt {
        let t = format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(json!({"typ": "JWT", "alg": "RS256", "kid": "k1"}).to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        crate::jwt::decode(&t).unwrap()
    }

    fn claims(aud: &str, iat: i64, exp: i64) -> serde_json::Value {
        json!({"aud": aud, "iss": "https://sts.windows.net/tid-1/", "ver": "1.0",
               "sub": SUB, "oid": SUB, "tid": "tid-1", "iat": iat, "nbf": iat, "exp": exp})
    }

    fn japanese(s: &str) -> bool {
        s.chars()
            .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'))
    }

    #[test]
    fn expired_token_in_japanese_names_the_time_the_causes_and_the_clock_command() {
        let f = check(
            &jwt(claims("api://gcp-wif", NOW - 90_000, NOW - 3 * 3600)),
            NOW,
        );
        assert_eq!(f.status, crate::checks::Status::Fail);
        let (d, fix) = (f.detail.render(Lang::Ja), f.fix.render(Lang::Ja));
        assert!(japanese(&d) && d.contains("有効期限"), "{d}");
        assert!(
            d.contains("2026-11-28 08:00:00 UTC") && d.contains("3 時間前"),
            "{d}"
        );
        assert!(d.contains("可能性の高い順"), "{d}");
        assert!(fix.contains("date -u"), "{fix}");
        // English keeps its words, and no Japanese leaks into it.
        let en = f.detail.en();
        assert!(
            en.starts_with("the token expired at 2026-11-28 08:00:00 UTC (3 h ago)"),
            "{en}"
        );
        assert!(!japanese(&en) && !japanese(&f.fix.en()));
    }

    #[test]
    fn graph_audience_in_japanese_keeps_the_audience_and_the_flag() {
        let f = check(
            &jwt(claims("https://graph.microsoft.com", NOW - 60, NOW + 3600)),
            NOW,
        );
        let (d, fix) = (f.detail.render(Lang::Ja), f.fix.render(Lang::Ja));
        assert!(
            japanese(&d) && d.contains("https://graph.microsoft.com"),
            "{d}"
        );
        assert!(japanese(&fix), "{fix}");
        assert!(
            fix.contains("--resource api://<appId>") && fix.contains("AZURE_RESOURCE_URI"),
            "{fix}"
        );
    }

    #[test]
    fn arm_audience_in_japanese_keeps_the_values_and_the_whole_command() {
        let f = check(
            &jwt(claims(
                "https://management.azure.com/",
                NOW - 60,
                NOW + 86_000,
            )),
            NOW,
        );
        assert_eq!(f.status, crate::checks::Status::Warn);
        let (d, fix) = (f.detail.render(Lang::Ja), f.fix.render(Lang::Ja));
        assert!(
            d.contains("https://management.azure.com/") && d.contains(SUB),
            "{d}"
        );
        assert!(
            d.contains("Azure Resource Manager") && d.contains("23 時間 53 分後"),
            "{d}"
        );
        assert!(
            fix.contains("az ad app create --display-name gcp-wif-audience --query appId -o tsv")
                && fix.contains("許可するオーディエンス"),
            "{fix}"
        );
        assert!(f.fix.en().contains("az ad sp create --id $APP_ID"));
    }

    #[test]
    fn a_clock_behind_in_japanese() {
        let f = check(&jwt(claims("api://gcp-wif", NOW + 600, NOW + 86_400)), NOW);
        let d = f.detail.render(Lang::Ja);
        assert!(
            d.contains("iat") && d.contains("10 分後") && d.contains("約 60 秒"),
            "{d}"
        );
        assert!(f.fix.render(Lang::Ja).contains("NTP"));
    }
}
