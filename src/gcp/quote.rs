//! Quoting for shell commands and HCL strings.

/// Quotes `s` for a POSIX shell with single quotes when it contains anything beyond
/// `[A-Za-z0-9_@%+=:,./-]`; an empty string becomes `''`.
pub fn shell_quote(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// A double-quoted HCL string literal, escaping `\`, `"`, control characters and the
/// template sequences `${` / `%{`.
pub fn hcl_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell() {
        assert_eq!(shell_quote("azure-pool"), "azure-pool");
        assert_eq!(shell_quote("api://x/y"), "api://x/y");
        assert_eq!(
            shell_quote("google.subject=assertion.sub,attribute.subject=assertion.sub"),
            "google.subject=assertion.sub,attribute.subject=assertion.sub"
        );
        assert_eq!(shell_quote("<POOL_ID>"), "'<POOL_ID>'");
        assert_eq!(shell_quote("Azure MI"), "'Azure MI'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("$HOME"), "'$HOME'");
    }

    #[test]
    fn hcl() {
        assert_eq!(hcl_string("plain"), r#""plain""#);
        assert_eq!(hcl_string(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(hcl_string("${var.x} %{if}"), r#""$${var.x} %%{if}""#);
        assert_eq!(hcl_string("$5 100%"), r#""$5 100%""#);
    }
}
