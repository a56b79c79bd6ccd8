//! One normalisation for every setting, applied once at resolve time, so the checks, the
//! credential file, the values, the report and the wizard all use the same value.
//!
//! Copy/paste from a portal leaves spaces, quotes, line breaks, no-break and zero-width
//! spaces around a value; none of them is ever part of an ID, a domain, an email, a URL or
//! a header value. They are removed here and the raw form is kept beside the value (see
//! [`super::Sourced::raw`]) so `gcp.settings` can show it. What remains inside a value is
//! left alone: the validators reject it with a message naming the setting.
//!
//! A value that cannot form a request at all (a control character in a header value, a
//! URL that is not http(s) or is too long) is a [`SettingsError`]: a usage error, exit 2.

use super::SettingsError;
use crate::diagnose::text::{PasteProblem, QUOTES, is_invisible};
use crate::diagnose::visible;
use crate::i18n::{Msg, Text};
use crate::msg;

/// Longest URL we send; well over any real endpoint, well under servers' limits (8 KiB).
pub const MAX_URL: usize = 2048;

/// A value with copy/paste artefacts removed, and which ones there were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalised {
    pub value: String,
    pub problems: Vec<PasteProblem>,
}

/// Zero-width characters carry nothing anywhere in a value; the others are only removed
/// at the edges.
fn zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Other control characters are not paste artefacts: they stay, and the validators (or
/// [`check_header_value`]) refuse them.
fn edge(c: char) -> bool {
    c.is_whitespace() || QUOTES.contains(&c) || is_invisible(c)
}

/// Strip surrounding whitespace, line breaks, quotes and invisible characters, and
/// zero-width characters anywhere.
pub fn normalise(raw: &str) -> Normalised {
    let inner = raw.trim_matches(edge);
    let start = &raw[..raw.len() - raw.trim_start_matches(edge).len()];
    let end = &raw[raw.trim_end_matches(edge).len()..];
    let edges = format!("{start}{end}");
    let mut problems = Vec::new();
    if edges.contains(['\n', '\r']) {
        problems.push(PasteProblem::LineBreak);
    }
    if edges
        .chars()
        .any(|c| c.is_whitespace() && !matches!(c, '\n' | '\r') && !is_invisible(c))
    {
        problems.push(PasteProblem::Whitespace);
    }
    if edges.chars().any(|c| QUOTES.contains(&c)) {
        problems.push(PasteProblem::Quotes);
    }
    if edges.chars().any(is_invisible) || inner.chars().any(zero_width) {
        problems.push(PasteProblem::Invisible);
    }
    Normalised {
        value: inner.chars().filter(|c| !zero_width(*c)).collect(),
        problems,
    }
}

/// A URL we will send a request to: http(s), a host, no control characters, bounded length.
pub fn check_request_url(setting: &str, value: &str) -> Result<(), SettingsError> {
    let bad = |why: Msg| SettingsError::Invalid {
        what: setting.to_string(),
        value: visible(&truncated(value)).into(),
        why: why.into(),
    };
    if value.len() > MAX_URL {
        return Err(bad(msg!(
            "settings.url.too_long",
            bytes = value.len().to_string(),
            max = MAX_URL.to_string()
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(bad(msg!("settings.url.control")));
    }
    let url = url::Url::parse(value)
        .map_err(|e| bad(msg!("settings.url.invalid", error = e.to_string())))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad(msg!(
            "settings.url.scheme",
            scheme = url.scheme().to_string()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad(msg!("settings.url.no_host")));
    }
    Ok(())
}

/// A header value (a secret: never shown): visible ASCII and spaces only.
pub fn check_header_value(setting: &str, value: &str) -> Result<(), SettingsError> {
    let why = if value.chars().any(|c| matches!(c, '\r' | '\n')) {
        "settings.header.line_break"
    } else if value.chars().any(char::is_control) {
        "settings.header.control"
    } else if !value.is_ascii() {
        "settings.header.non_ascii"
    } else {
        return Ok(());
    };
    Err(SettingsError::Invalid {
        what: setting.to_string(),
        value: Msg::new("settings.header.hidden").into(),
        why: Text::from(Msg::new(why)),
    })
}

fn truncated(s: &str) -> String {
    const SHOW: usize = 200;
    match s.char_indices().nth(SHOW) {
        Some((i, _)) => format!("{}… ({} more bytes)", &s[..i], s.len() - i),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_paste_artefacts_and_says_which() {
        let n = normalise("azure-pool ");
        assert_eq!(n.value, "azure-pool");
        assert_eq!(n.problems, [PasteProblem::Whitespace]);
        let n = normalise("\u{00A0}\"us-central1\"\r\n");
        assert_eq!(n.value, "us-central1");
        assert!(n.problems.contains(&PasteProblem::LineBreak));
        assert!(n.problems.contains(&PasteProblem::Quotes));
        assert!(n.problems.contains(&PasteProblem::Invisible));
        assert!(
            PasteProblem::Invisible
                .msg()
                .render(crate::i18n::Lang::En)
                .starts_with("an invisible")
        );
        let n = normalise("azure\u{200B}-pool");
        assert_eq!(n.value, "azure-pool");
        assert_eq!(n.problems.len(), 1);
        assert_eq!(normalise("azure-pool").problems, Vec::<PasteProblem>::new());
        // Inside a value only zero-width characters go; the validators judge the rest.
        assert_eq!(normalise("a b\u{00A0}c").value, "a b\u{00A0}c");
        assert_eq!(normalise(" \t\r\n").value, "");
    }

    #[test]
    fn request_urls() {
        assert!(check_request_url("IDENTITY_ENDPOINT", "http://127.0.0.1:8081/msi/token").is_ok());
        for bad in [
            "ftp://x/y",
            "file:///etc/passwd",
            "not a url",
            "http://a/\nb",
            "https://",
        ] {
            let e = check_request_url("IDENTITY_ENDPOINT", bad).unwrap_err();
            assert!(e.to_string().contains("IDENTITY_ENDPOINT"), "{e}");
        }
        let long = format!("https://x/{}", "a".repeat(MAX_URL));
        let e = check_request_url("--token-url", &long).unwrap_err();
        assert!(e.to_string().contains("over 2048"), "{e}");
        assert!(e.to_string().len() < 600, "the message is bounded");
    }

    #[test]
    fn header_values_never_show_the_secret() {
        assert!(check_header_value("IDENTITY_HEADER", "abc-123").is_ok());
        let e = check_header_value("IDENTITY_HEADER", "s3cret\r\nX-Evil: 1").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("IDENTITY_HEADER") && text.contains("line break"));
        assert!(!text.contains("s3cret"));
    }
}
