//! Every fault scenario in both languages (issue 10): under `LANG=ja_JP.UTF-8` the failing
//! finding is Japanese and still names the actual wrong value and the exact command (every
//! value and command of the English rendering appears verbatim in the Japanese one);
//! `LC_ALL=C` and `--lang en` print no Japanese; the JSON structure is the same in both.

mod common;
use common::*;
use serde_json::Value;
use wif_doctor::sim::Scenario;

pub fn has_japanese(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}' | '\u{3000}'..='\u{303f}')
    })
}

/// What must survive translation: `backticked` spans (commands) and tokens that are values
/// (URLs, resource paths, emails, `key=value`, role names, long numbers).
fn values(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('`') {
        let after = &rest[i + 1..];
        let Some(end) = after.find('`') else { break };
        if end > 0 {
            out.push(after[..end].to_string());
        }
        rest = &after[end + 1..];
    }
    let outside: String = text.split('`').step_by(2).collect::<Vec<_>>().join(" ");
    for w in outside.split_whitespace() {
        let w = w.trim_matches(|c: char| ",.;:()[]{}\"'«»“”!?".contains(c));
        let digits = w.chars().filter(char::is_ascii_digit).count();
        let valueish = w.contains("://")
            || w.starts_with("//")
            || w.contains('@')
            || w.starts_with("roles/")
            || (w.contains('=') && w.len() > 3)
            || digits >= 6;
        if valueish && !w.is_empty() {
            out.push(w.to_string());
        }
    }
    out
}

/// The JSON's structure: keys and kinds, not values.
fn shape(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(shape).collect()),
        Value::String(_) => "string".into(),
        Value::Number(_) => "number".into(),
        Value::Bool(_) => "bool".into(),
        Value::Null => Value::Null,
    }
}

fn env_with(w: &World, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = w.full_env();
    for (k, v) in extra {
        set(&mut env, k, v);
    }
    env
}

fn faces(scenario: Scenario) {
    let w = World::new(scenario);
    let en = w.run(
        &env_with(&w, &[("LANG", "ja_JP.UTF-8")]),
        &["check", "--json", "--lang", "en"],
    );
    let ja = w.run(
        &env_with(&w, &[("LANG", "ja_JP.UTF-8")]),
        &["check", "--json"],
    );
    let c = w.run(
        &env_with(&w, &[("LANG", "ja_JP.UTF-8"), ("LC_ALL", "C")]),
        &["check"],
    );
    let en_text = w.run(&env_with(&w, &[("LANG", "en_US.UTF-8")]), &["check"]);
    for (name, r) in [
        ("--lang en", &en),
        ("LC_ALL=C", &c),
        ("LANG=en_US", &en_text),
    ] {
        assert!(
            !has_japanese(&r.all()),
            "{}: {name} printed Japanese:\n{}",
            scenario.name(),
            r.all()
        );
    }
    assert_eq!(en.code, ja.code, "{}: exit codes differ", scenario.name());
    let (je, jj): (Value, Value) = (en.json(), ja.json());
    assert_eq!(je["ok"], jj["ok"]);
    let (ce, cj) = (
        je["checks"].as_array().unwrap(),
        jj["checks"].as_array().unwrap(),
    );
    assert_eq!(ce.len(), cj.len());
    let mut failing = 0;
    for (fe, fj) in ce.iter().zip(cj) {
        let id = fe["id"].as_str().unwrap();
        assert_eq!(fe["id"], fj["id"]);
        assert_eq!(fe["status"], fj["status"], "{id}");
        // Tokens and times differ run to run; the structure must not depend on the language.
        assert_eq!(
            shape(&fe["data"]),
            shape(&fj["data"]),
            "{id}: data differs by language"
        );
        if fe["status"] != "fail" {
            continue;
        }
        failing += 1;
        let text = |f: &Value| {
            format!(
                "{}\n{}\n{}",
                f["title"].as_str().unwrap_or_default(),
                f["detail"].as_str().unwrap_or_default(),
                f["fix"].as_str().unwrap_or_default()
            )
        };
        let (te, tj) = (text(fe), text(fj));
        for part in ["title", "detail", "fix"] {
            let s = fj[part].as_str().unwrap_or_default();
            assert!(
                s.is_empty() || has_japanese(s),
                "{} {id}: the Japanese {part} is not Japanese:\n{s}",
                scenario.name()
            );
        }
        for v in values(&te) {
            // The simulator gives every answer a fresh correlation ID; the two runs differ there.
            if te.contains(&format!("correlation ID {v}")) {
                continue;
            }
            assert!(
                tj.contains(&v),
                "{} {id}: the Japanese text lost the value {v:?}\n--- en\n{te}\n--- ja\n{tj}",
                scenario.name()
            );
        }
    }
    if scenario != Scenario::Healthy {
        assert!(failing > 0, "{}: no failing finding", scenario.name());
    }
}

macro_rules! scenarios {
    ($($name:ident => $s:expr),* $(,)?) => {$(
        #[test]
        fn $name() {
            faces($s);
        }
    )*};
}

scenarios! {
    healthy => Scenario::Healthy,
    identity_500 => Scenario::Identity500,
    identity_html => Scenario::IdentityHtml,
    identity_hang => Scenario::IdentityHang,
    identity_huge => Scenario::IdentityHuge,
    expired_token => Scenario::ExpiredToken,
    unknown_signing_key => Scenario::UnknownSigningKey,
    audience_mismatch => Scenario::AudienceMismatch,
    issuer_mismatch => Scenario::IssuerMismatch,
    disabled_pool => Scenario::DisabledPool,
    project_id_audience => Scenario::ProjectIdAudience,
    attribute_condition => Scenario::AttributeCondition,
    missing_vertex_binding => Scenario::MissingVertexBinding,
    missing_workload_identity_user => Scenario::MissingWorkloadIdentityUser,
    vertex_disabled => Scenario::VertexDisabled,
}

#[test]
fn every_scenario_is_covered() {
    assert_eq!(
        Scenario::all().len(),
        15,
        "add the new scenario to the list above"
    );
}

#[test]
fn values_are_found_in_backticks_and_tokens() {
    let v = values(
        "Run `gcloud x --project=p` for //iam.googleapis.com/projects/1 and a@b.c, roles/x.",
    );
    assert_eq!(
        v,
        [
            "gcloud x --project=p",
            "//iam.googleapis.com/projects/1",
            "a@b.c",
            "roles/x"
        ]
    );
}
