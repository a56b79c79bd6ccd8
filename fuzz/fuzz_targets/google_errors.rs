//! Google STS and Google API error bodies: parsing and catalogue matching
//! (`explain_sts`, `parse_google_error`, `explain_impersonation`, `explain_permissions_error`,
//! `explain_vertex`).
//!
//! Input: a first line `STATUS CONTEXT` (CONTEXT 0: a real token and settings, 1: nothing
//! known), then the body as received. Properties: no panic; every STS answer maps to a
//! catalogue entry; every explanation has a summary and a fix; the server's words are kept
//! verbatim beside ours.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::sync::OnceLock;
use wif_doctor::diagnose::{self, Context};
use wif_doctor::jwt::TokenVersion;
use wif_doctor::untrusted;

fn contexts() -> &'static [Context] {
    static C: OnceLock<Vec<Context>> = OnceLock::new();
    C.get_or_init(|| {
        let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
        let known = Context {
            token_iss: Some(format!("https://sts.windows.net/{tenant}/")),
            token_aud: vec!["api://wif-doctor".into()],
            token_sub: Some("5c1e8e0a-3b8f-4a8e-9d1c-0f7c2a9e4b11".into()),
            token_tid: Some(tenant.into()),
            token_iat: Some(1_795_860_000),
            token_exp: Some(1_795_946_400),
            token_version: Some(TokenVersion::V1),
            project_number: Some("123456789012".into()),
            project_id: Some("my-project".into()),
            pool: Some("azure-pool".into()),
            provider: Some("azure-provider".into()),
            service_account: Some("vertex-caller@my-project.iam.gserviceaccount.com".into()),
            resource: Some("api://wif-doctor".into()),
            audience: None,
            now: 1_795_863_600,
        };
        vec![
            known,
            Context {
                now: 1_795_863_600,
                ..Context::default()
            },
        ]
    })
}

/// The server's words as an explanation quotes them: verbatim (line breaks made visible, as
/// every template value is), or Debug-quoted.
fn quoted(said: &str, words: &str) -> bool {
    said.contains(words)
        || said.contains(untrusted::inline(words).as_ref())
        || said.contains(&format!("{words:?}"))
}

/// Non-empty in both languages: a catalogue template that renders to nothing is a defect.
fn said(t: &wif_doctor::i18n::Text) -> bool {
    wif_doctor::i18n::Lang::ALL
        .iter()
        .all(|&l| !t.render(l).trim().is_empty())
}

fn check(e: &diagnose::Explanation, api: &str) {
    assert!(
        !e.id.is_empty() && said(&e.summary),
        "{api}: empty summary: {e:?}"
    );
    assert!(said(&e.fix), "{api}: empty fix: {e:?}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (head, body) = text.split_once('\n').unwrap_or((text, ""));
    let mut words = head.split(' ');
    let status: u16 = words
        .next()
        .and_then(|w| w.trim().parse().ok())
        .unwrap_or(400);
    let which: usize = words
        .next()
        .and_then(|w| w.trim().parse().ok())
        .unwrap_or(0);
    let ctx = &contexts()[which % contexts().len()];

    // STS: always a catalogue entry; an OAuth-shaped error keeps both strings verbatim.
    let sts = diagnose::explain_sts(status, body, ctx);
    check(&sts, "sts");
    assert!(
        diagnose::catalogue_ids().contains(&sts.id.as_str()),
        "unknown id {}",
        sts.id
    );
    let json: Option<Value> = serde_json::from_str(body.trim()).ok();
    if let Some(err) = json
        .as_ref()
        .and_then(|v| v.get("error"))
        .and_then(Value::as_str)
    {
        let desc = json
            .as_ref()
            .and_then(|v| v.get("error_description"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let said = format!("{} {}", sts.summary, sts.detail);
        assert!(
            quoted(&said, err),
            "sts {}: the server's error {err:?} is missing",
            sts.id
        );
        assert!(
            quoted(&said, desc),
            "sts {}: the server's error_description is missing",
            sts.id
        );
    }

    // Google's JSON error shape.
    let g = diagnose::parse_google_error(body);
    if let Some(g) = &g {
        let _ = (
            g.service(),
            g.consumer_project(),
            g.permission(),
            g.is_service_disabled(),
        );
    }
    let explained = [
        (
            "impersonation",
            diagnose::explain_impersonation(status, body, ctx),
        ),
        (
            "permissions",
            diagnose::explain_permissions_error(status, body, ctx),
        ),
        (
            "vertex",
            diagnose::explain_vertex(status, body, ctx, "us-central1", "gemini-2.5-flash"),
        ),
    ];
    for (api, e) in &explained {
        check(e, api);
        if let Some(g) = &g {
            let said = format!("{} {}", e.summary, e.detail);
            assert!(
                quoted(&said, &g.message),
                "{api} {}: the server's message {:?} is missing",
                e.id,
                g.message
            );
        }
    }
});
