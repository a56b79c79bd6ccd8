//! A string that must never reach output, logs or disk by accident.
//!
//! The Azure access token is a bearer credential and `IDENTITY_HEADER` guards the
//! identity endpoint. Wrapping both in [`Secret`] makes every accidental `{:?}`,
//! `{}` or `serde` serialisation impossible: the only way to the value is the
//! explicit [`Secret::expose`].

use std::fmt;

/// A secret value; `Debug` shows only its length, and there is no `Display` or `Serialize`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The raw value, for the one place that must send it (a header, a form field, a 0600 file).
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A safe description for humans: `set (36 characters, hidden)`.
    pub fn describe(&self) -> String {
        format!("set ({} characters, hidden)", self.0.chars().count())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<{} bytes hidden>)", self.0.len())
    }
}

/// Replace every occurrence of each secret in `text` with a marker, so raw bodies from
/// servers (which may echo what we sent) can be shown without leaking. The JSON-escaped
/// spelling of a secret (`a\/b` for `a/b`) is replaced too.
pub fn scrub(text: &str, secrets: &[&Secret]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        if s.len() < 4 {
            continue;
        }
        let raw = s.expose().to_string();
        let json = serde_json::to_string(s.expose())
            .map(|j| j[1..j.len() - 1].to_string())
            .unwrap_or_else(|_| raw.clone());
        // JSON may also escape '/' as '\/'.
        for variant in [json.replace('/', "\\/"), raw.replace('/', "\\/"), json, raw] {
            out = out.replace(&variant, "<redacted>");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_value() {
        let s = Secret::new("super-secret-header-value");
        let shown = format!("{s:?}");
        assert!(!shown.contains("super-secret"), "{shown}");
        assert!(shown.contains("25 bytes"));
    }

    #[test]
    fn scrub_replaces_json_escaped_spellings() {
        let s = Secret::new("ab/cd\"ef");
        assert_eq!(
            scrub(r#"{"m":"ab\/cd\"ef"}"#, &[&s]),
            r#"{"m":"<redacted>"}"#
        );
        assert_eq!(
            scrub(r#"{"m":"ab/cd\"ef"}"#, &[&s]),
            r#"{"m":"<redacted>"}"#
        );
    }

    #[test]
    fn scrub_replaces_all_occurrences() {
        let s = Secret::new("abcdef");
        assert_eq!(
            scrub("x abcdef y abcdef", &[&s]),
            "x <redacted> y <redacted>"
        );
    }
}
