//! The credential-configuration lint (`lint_config`) on any file content.
//!
//! Properties: no panic; anything that is not a usable `external_account` file gets findings;
//! every finding has a message and a fix and serialises; no identity header value — the
//! current one or one written in the file — ever appears in a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::sync::OnceLock;
use wif_doctor::diagnose::{self, LintContext};
use wif_doctor::i18n::Lang;

const CURRENT_HEADER: &str = "9c7e5f1a-2b3d-4e6f-8a9b-CURRENT-header";

fn contexts() -> &'static [LintContext] {
    static C: OnceLock<Vec<LintContext>> = OnceLock::new();
    C.get_or_init(|| {
        vec![
            LintContext {
                current_identity_endpoint: Some("http://169.254.129.4:8081/msi/token".into()),
                current_identity_header: Some(CURRENT_HEADER.into()),
                resource: Some("api://wif-doctor".into()),
                on_app_service: true,
                expected_audience: Some(
                    "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/providers/azure-provider"
                        .into(),
                ),
                allow_executables: Some(("1".into(), "environment".into())),
                app_name: Some("my-app".into()),
            },
            LintContext::default(),
        ]
    })
}

/// Secret header values (`X-IDENTITY-HEADER`, `secret`) written in the file that must not be
/// echoed: long enough that a template's own words cannot contain them by chance, and not
/// also written elsewhere in the file (which the lint may quote, cleaned).
fn file_headers(text: &str) -> Vec<String> {
    let Ok(v) = serde_json::from_str::<Value>(text.trim_start_matches('\u{FEFF}')) else {
        return Vec::new();
    };
    let Some(h) = v
        .pointer("/credential_source/headers")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    // Everything else in the file, as the lint may show it cleaned (quotes, spaces removed).
    let cleaned = |t: &str| -> String {
        t.chars()
            .filter(|c| !c.is_whitespace() && !"'\"`\u{200b}\u{feff}".contains(*c))
            .collect()
    };
    h.iter()
        .filter(|(k, _)| {
            k.eq_ignore_ascii_case("x-identity-header") || k.eq_ignore_ascii_case("secret")
        })
        .filter_map(|(_, v)| v.as_str())
        .filter(|s| {
            s.len() >= 12
                && s.bytes().any(|b| b.is_ascii_digit())
                && s.bytes().any(|b| b.is_ascii_uppercase())
                && text.matches(*s).count() == 1
                && !cleaned(&text.replacen(*s, "", 1)).contains(&cleaned(s))
        })
        .map(str::to_string)
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let hidden = file_headers(text);
    for (i, lc) in contexts().iter().enumerate() {
        let issues = diagnose::lint_config(text, lc);
        let usable = serde_json::from_str::<Value>(text.trim_start_matches('\u{FEFF}'))
            .ok()
            .is_some_and(|v| {
                v.get("type").and_then(Value::as_str) == Some("external_account")
                    && v.get("credential_source").is_some_and(Value::is_object)
                    && v.get("audience").is_some_and(Value::is_string)
                    && v.get("token_url").is_some_and(Value::is_string)
            });
        if !usable {
            assert!(
                !issues.is_empty(),
                "context {i}: an unusable file passed the lint"
            );
        }
        for issue in &issues {
            assert!(
                Lang::ALL.iter().all(|&l| {
                    !issue.message.render(l).trim().is_empty()
                        && !issue.fix.render(l).trim().is_empty()
                }),
                "{issue:?}"
            );
            let shown = serde_json::to_string(issue).expect("findings serialise");
            let all = format!("{} {} {shown}", issue.message, issue.fix);
            if i == 0 && !text.contains(CURRENT_HEADER) {
                assert!(
                    !all.contains(CURRENT_HEADER),
                    "the current header leaked: {issue:?}"
                );
            }
            for h in &hidden {
                assert!(
                    !all.contains(h.as_str()),
                    "a header from the file leaked: {issue:?}"
                );
            }
        }
    }
});
