//! An identity endpoint's, IMDS's or Entra ID's error answer, read for its structure (HTTP
//! status, `error`, `statusCode`, AADSTS codes, the message fields), and the structured
//! catalogue `assets/i18n/identity.toml` whose rules explain it.

use super::ErrorKind;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// What an error answer says about itself. Server text is sanitised for inline display.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// OAuth `error` (IMDS, Entra), or `error.code` (Cloud Shell, Service Fabric).
    pub error: Option<String>,
    /// The App Service body's own `statusCode`.
    pub status_code: Option<i64>,
    /// `message`, `error_description`, `Message`, `ExceptionMessage`, `error.message`:
    /// whichever are present, in that order.
    pub messages: Vec<String>,
    /// Entra error codes (`AADSTS500011`), from the messages and `error_codes`.
    pub codes: Vec<String>,
    /// `correlationId` (App Service) or `correlation_id` (Entra).
    pub correlation: Option<String>,
}

const MESSAGE_FIELDS: [&str; 4] = [
    "message",
    "error_description",
    "Message",
    "ExceptionMessage",
];

fn inline(s: &str) -> String {
    crate::untrusted::inline(s.trim()).into_owned()
}

impl Answer {
    pub fn read(status: u16, json: Option<&Map<String, Value>>) -> Answer {
        let mut a = Answer {
            status,
            ..Answer::default()
        };
        let Some(j) = json else { return a };
        let str_of = |k: &str| j.get(k).and_then(Value::as_str).map(inline);
        for k in MESSAGE_FIELDS {
            if let Some(m) = str_of(k).filter(|m| !m.is_empty()) {
                a.messages.push(m);
            }
        }
        match j.get("error") {
            Some(Value::String(e)) => a.error = Some(inline(e)),
            Some(Value::Object(o)) => {
                a.error = o.get("code").and_then(Value::as_str).map(inline);
                if let Some(m) = o.get("message").and_then(Value::as_str) {
                    a.messages.push(inline(m));
                }
            }
            _ => {}
        }
        a.status_code = j.get("statusCode").and_then(|v| match v {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        });
        a.correlation = str_of("correlationId").or_else(|| str_of("correlation_id"));
        for m in &a.messages {
            for code in aadsts_codes(m) {
                if !a.codes.contains(&code) {
                    a.codes.push(code);
                }
            }
        }
        if let Some(Value::Array(codes)) = j.get("error_codes") {
            for c in codes.iter().filter_map(Value::as_i64) {
                let code = format!("AADSTS{c}");
                if !a.codes.contains(&code) {
                    a.codes.push(code);
                }
            }
        }
        a
    }

    /// The server's own words to quote: the first message, else the `error` value.
    pub fn message(&self) -> Option<&str> {
        self.messages
            .first()
            .or(self.error.as_ref())
            .map(String::as_str)
    }

    /// The resource or application an Entra message names: "…principal named X was not
    /// found…", "…application named X was not found…", "Application with identifier 'X'…".
    pub fn named(&self) -> Option<String> {
        self.messages.iter().find_map(|m| {
            between(m, "named ", " was not found")
                .or_else(|| between(m, "identifier '", "'"))
                .map(str::to_string)
        })
    }

    /// The tenant an Entra message names: "…in the tenant named X." / "…directory 'X'".
    pub fn tenant(&self) -> Option<String> {
        self.messages.iter().find_map(|m| {
            between(m, "tenant named ", ". ")
                .or_else(|| between(m, "tenant named ", "."))
                .or_else(|| between(m, "directory '", "'"))
                .filter(|t| !t.trim().is_empty())
                .map(|t| t.trim().to_string())
        })
    }
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = s.find(start)? + start.len();
    let rest = &s[i..];
    let j = rest.find(end)?;
    let v = rest[..j].trim();
    (!v.is_empty() && v.len() <= 512).then_some(v)
}

/// `AADSTS` followed by digits, wherever it occurs.
fn aadsts_codes(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find("AADSTS") {
        let after = &rest[i + 6..];
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            out.push(format!("AADSTS{digits}"));
        }
        rest = &after[digits.len()..];
    }
    out
}

/// One explanation in `identity.toml`: the conditions it matches on; its texts are the
/// catalogue keys `<id>.summary`, `<id>.cause`, `<id>.fix` (and variants).
#[derive(Debug, Clone, Deserialize)]
pub struct Rule {
    pub id: String,
    pub kind: ErrorKind,
    #[serde(default)]
    pub aadsts: Vec<String>,
    #[serde(default)]
    pub error: Vec<String>,
    #[serde(default)]
    pub status_code: Vec<i64>,
    #[serde(default)]
    pub prefix: Vec<String>,
    #[serde(default)]
    pub status: Vec<u16>,
    #[serde(default)]
    pub status_min: Option<u16>,
    #[serde(default)]
    pub status_max: Option<u16>,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub api_version: Option<String>,
}

/// What the request was, for rules that depend on it.
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    /// `SourceKind::id()`.
    pub source: &'a str,
    pub api_version: &'a str,
}

impl Rule {
    /// How structural the rule is: codes first, then fields, then text, then status.
    fn rank(&self) -> u8 {
        if !self.aadsts.is_empty() {
            0
        } else if !self.prefix.is_empty() {
            2
        } else if !self.error.is_empty() || !self.status_code.is_empty() {
            1
        } else if !self.status.is_empty()
            || self.status_min.is_some()
            || self.status_max.is_some()
            || self.api_version.is_some()
            || !self.sources.is_empty()
        {
            3
        } else {
            4
        }
    }

    pub fn matches(&self, a: &Answer, asked: Asked<'_>) -> bool {
        let any = |list: &[String], f: &dyn Fn(&str) -> bool| {
            list.is_empty() || list.iter().any(|x| f(x))
        };
        any(&self.aadsts, &|c| {
            a.codes.iter().any(|x| x.eq_ignore_ascii_case(c))
        }) && any(&self.error, &|e| {
            a.error
                .as_deref()
                .is_some_and(|x| x.eq_ignore_ascii_case(e))
        }) && (self.status_code.is_empty()
            || a.status_code.is_some_and(|c| self.status_code.contains(&c)))
            && any(&self.prefix, &|p| {
                let p = p.to_ascii_lowercase();
                a.messages
                    .iter()
                    .any(|m| m.to_ascii_lowercase().starts_with(&p))
            })
            && (self.status.is_empty() || self.status.contains(&a.status))
            && self.status_min.is_none_or(|m| a.status >= m)
            && self.status_max.is_none_or(|m| a.status <= m)
            && any(&self.sources, &|s| s == asked.source)
            && self
                .api_version
                .as_deref()
                .is_none_or(|v| v == asked.api_version.trim())
    }
}

#[derive(Deserialize)]
struct File {
    rule: Vec<Rule>,
}

/// Every rule, most structural first (file order within a rank).
pub fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let mut r = toml::from_str::<File>(crate::i18n::source("identity"))
            .expect("assets/i18n/identity.toml has [[rule]] entries (tests/catalogues.rs)")
            .rule;
        r.sort_by_key(Rule::rank);
        r
    })
}

/// The rule that explains an answer; the catalogue ends with a catch-all.
pub fn explain(a: &Answer, asked: Asked<'_>) -> Option<&'static Rule> {
    rules().iter().find(|r| r.matches(a, asked))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(status: u16, v: Value) -> Answer {
        Answer::read(status, v.as_object())
    }

    #[test]
    fn reads_app_service_imds_and_entra_shapes() {
        let a = read(
            500,
            json!({"statusCode":500,"message":"An unexpected error occured while fetching the AAD Token.","correlationId":"8997f3a2"}),
        );
        assert_eq!(a.status_code, Some(500));
        assert_eq!(a.correlation.as_deref(), Some("8997f3a2"));
        assert_eq!(
            a.message(),
            Some("An unexpected error occured while fetching the AAD Token.")
        );
        let e = read(
            400,
            json!({"error":"invalid_resource","error_description":"AADSTS500011: The resource principal named api://x./default was not found in the tenant named t1. This can happen","error_codes":[500011, 7]}),
        );
        assert_eq!(e.error.as_deref(), Some("invalid_resource"));
        assert_eq!(e.codes, vec!["AADSTS500011", "AADSTS7"]);
        assert_eq!(e.named().as_deref(), Some("api://x./default"));
        assert_eq!(e.tenant().as_deref(), Some("t1"));
        let sf = read(
            404,
            json!({"error":{"code":"ManagedIdentityNotFound","message":"no identity"}}),
        );
        assert_eq!(sf.error.as_deref(), Some("ManagedIdentityNotFound"));
        assert_eq!(sf.message(), Some("no identity"));
        assert_eq!(
            read(400, json!([1])),
            Answer {
                status: 400,
                ..Default::default()
            }
        );
    }

    #[test]
    fn rules_load_ranked_and_end_with_a_catch_all() {
        let r = rules();
        assert!(r.len() >= 10);
        assert_eq!(r.last().unwrap().id, "identity.other");
        assert!(r.windows(2).all(|w| w[0].rank() <= w[1].rank()));
        for rule in r {
            for part in ["summary", "cause", "fix"] {
                let key = format!("{}.{part}", rule.id);
                assert!(crate::i18n::has_key(&key), "{key} missing");
            }
        }
    }
}
