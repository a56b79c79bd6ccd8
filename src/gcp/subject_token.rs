//! The executable-source response (AIP-4117): what `wif-doctor subject-token` prints, and
//! the validation Google's libraries apply to it, so `check` can judge a command's output
//! the way google-auth (`pluggable.py`) and Node (`executable-response.ts`) would.

use crate::i18n::{Msg, Text};
use crate::msg;
use serde::Serialize;
use serde_json::Value;

pub const VERSION: u64 = 1;
pub const JWT: &str = "urn:ietf:params:oauth:token-type:jwt";
pub const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";
pub const SAML2: &str = "urn:ietf:params:oauth:token-type:saml2";

/// Variables the libraries set for the command.
pub mod env {
    pub const AUDIENCE: &str = "GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE";
    pub const TOKEN_TYPE: &str = "GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE";
    pub const INTERACTIVE: &str = "GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE";
    pub const OUTPUT_FILE: &str = "GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE";
    pub const IMPERSONATED_EMAIL: &str = "GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL";
    pub const REVOKE: &str = "GOOGLE_EXTERNAL_ACCOUNT_REVOKE";
}

/// A success response. The token is the one value wif-doctor ever prints, because the
/// protocol demands it.
pub fn success(token_type: &str, id_token: &str, expiration_time: i64) -> String {
    // Structs rather than `json!`, to keep AIP-4117's key order.
    #[derive(Serialize)]
    struct Success<'a> {
        version: u64,
        success: bool,
        token_type: &'a str,
        id_token: &'a str,
        expiration_time: i64,
    }
    serde_json::to_string(&Success {
        version: VERSION,
        success: true,
        token_type,
        id_token,
        expiration_time,
    })
    .expect("plain values serialise")
}

/// A failure response: a stable `code` and a one-line `message`.
pub fn failure(code: &str, message: &str) -> String {
    #[derive(Serialize)]
    struct Failure<'a> {
        version: u64,
        success: bool,
        code: &'a str,
        message: String,
    }
    serde_json::to_string(&Failure {
        version: VERSION,
        success: false,
        code,
        message: one_line(message),
    })
    .expect("plain values serialise")
}

/// Newlines and runs of whitespace folded into single spaces (libraries show the message
/// inside their own one-line error).
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A response that passed the libraries' validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A usable token; the token itself is not kept here.
    Token {
        token_type: String,
        expiration_time: i64,
        token_len: usize,
    },
    /// A well-formed success whose token has expired: libraries run the command again
    /// when they find this in the output file, and refuse it from the command itself.
    Expired { expiration_time: i64 },
    /// A well-formed failure response.
    Failure { code: String, message: String },
}

/// Validates a response as google-auth and Node's google-auth-library do; `Err` carries
/// the reason in words close to theirs (`executable.response.…`). `expiration_time` is
/// required on success (AIP-4117 with an output file; Node always).
pub fn validate(text: &str, now: i64) -> Result<Verdict, Text> {
    let why = |m: Msg| -> Text { m.into() };
    let v: Value = serde_json::from_str(text.trim())
        .map_err(|e| why(msg!("executable.response.not_json", error = e.to_string())))?;
    let m = v
        .as_object()
        .ok_or_else(|| why(msg!("executable.response.not_object")))?;
    let missing = |field: &str| why(msg!("executable.response.missing", field = field));
    let not_a = |field: &str, kind: Msg| {
        why(msg!(
            "executable.response.wrong_type",
            field = field,
            kind = kind
        ))
    };
    let version = m
        .get("version")
        .ok_or_else(|| missing("version"))?
        .as_u64()
        .ok_or_else(|| not_a("version", msg!("executable.response.a_number")))?;
    if version > VERSION || version == 0 {
        return Err(why(msg!(
            "executable.response.version",
            version = version,
            supported = VERSION
        )));
    }
    let success = m
        .get("success")
        .ok_or_else(|| missing("success"))?
        .as_bool()
        .ok_or_else(|| not_a("success", msg!("executable.response.a_boolean")))?;
    let text_field = |k: &str| m.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    if !success {
        let (Some(code), Some(message)) = (text_field("code"), text_field("message")) else {
            return Err(why(msg!("executable.response.failure_fields")));
        };
        return Ok(Verdict::Failure {
            code: code.into(),
            message: message.into(),
        });
    }
    let expiration_time = m
        .get("expiration_time")
        .ok_or_else(|| why(msg!("executable.response.no_expiration")))?
        .as_i64()
        .ok_or_else(|| not_a("expiration_time", msg!("executable.response.whole_seconds")))?;
    let token_type = text_field("token_type").ok_or_else(|| missing("token_type"))?;
    let field = match token_type {
        JWT | ID_TOKEN => "id_token",
        SAML2 => "saml_response",
        other => {
            return Err(why(msg!(
                "executable.response.token_type",
                token_type = format!("{other:?}")
            )));
        }
    };
    let token = text_field(field).ok_or_else(|| missing(field))?;
    if expiration_time < now {
        return Ok(Verdict::Expired { expiration_time });
    }
    Ok(Verdict::Token {
        token_type: token_type.into(),
        expiration_time,
        token_len: token.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn success_round_trips_through_validation() {
        let r = success(JWT, "a.b.c", 2_000);
        assert!(
            r.starts_with(r#"{"version":1,"success":true,"token_type":"#),
            "{r}"
        );
        let v: Value = serde_json::from_str(&r).unwrap();
        assert_eq!(
            v,
            json!({"version":1,"success":true,"token_type":JWT,"id_token":"a.b.c","expiration_time":2000})
        );
        assert_eq!(
            validate(&r, 1_000),
            Ok(Verdict::Token {
                token_type: JWT.into(),
                expiration_time: 2_000,
                token_len: 5
            })
        );
        assert_eq!(
            validate(&r, 2_001),
            Ok(Verdict::Expired {
                expiration_time: 2_000
            })
        );
    }

    #[test]
    fn failure_is_one_line_and_validates() {
        let r = failure("header_rejected", "the header\n  was rejected");
        let v: Value = serde_json::from_str(&r).unwrap();
        assert_eq!(v["message"], "the header was rejected");
        assert_eq!(
            validate(&r, 0),
            Ok(Verdict::Failure {
                code: "header_rejected".into(),
                message: "the header was rejected".into()
            })
        );
    }

    #[test]
    fn reasons_render_in_japanese_with_the_field_names() {
        let e = validate(r#"{"version":1,"success":false,"code":"x"}"#, 0).unwrap_err();
        let ja = e.render(crate::i18n::Lang::Ja);
        assert!(
            ja.contains("`code`") && ja.contains("`message`") && ja.contains("必要"),
            "{ja}"
        );
        // The failure response itself: code and structure fixed, message as given.
        let r = failure("timeout", "ID エンドポイントから\n応答がありません");
        assert_eq!(
            r,
            r#"{"version":1,"success":false,"code":"timeout","message":"ID エンドポイントから 応答がありません"}"#
        );
    }

    #[test]
    fn malformed_responses_are_refused_with_the_reason() {
        for (text, why) in [
            ("", "not JSON"),
            ("[]", "not a JSON object"),
            (r#"{"success":true}"#, "version"),
            (r#"{"version":2,"success":true}"#, "unsupported version"),
            (r#"{"version":1}"#, "success"),
            (r#"{"version":1,"success":false,"code":"x"}"#, "`message`"),
            (
                r#"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":"t"}"#,
                "expiration_time",
            ),
            (
                r#"{"version":1,"success":true,"token_type":"x","id_token":"t","expiration_time":9}"#,
                "unsupported token_type",
            ),
            (
                r#"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","expiration_time":9}"#,
                "id_token",
            ),
        ] {
            let e = validate(text, 0).unwrap_err().en();
            assert!(e.contains(why), "{text}: {e}");
        }
    }
}
