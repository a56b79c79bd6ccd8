//! A tiny template renderer (`{name}` placeholders, `{{` and `}}` for literal braces) and a
//! matcher for error texts with named slots (`The issuer in ID Token {iss} does not match …`).

use std::collections::BTreeMap;

pub(crate) type Vars = BTreeMap<&'static str, String>;

/// Fills `{name}` from `vars`. An unknown name renders as `<name>` so a gap is visible but
/// never breaks the text.
pub(crate) fn render(template: &str, vars: &Vars) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let c = rest.as_bytes()[i];
        let after = &rest[i + 1..];
        if after.as_bytes().first() == Some(&c) {
            out.push(c as char);
            rest = &after[1..];
            continue;
        }
        if c == b'}' {
            out.push('}');
            rest = after;
            continue;
        }
        match after.find('}') {
            Some(j) if is_name(&after[..j]) => {
                let name = &after[..j];
                match vars.get(name) {
                    // Values are often the server's words: they never start a line.
                    Some(v) => out.push_str(&crate::untrusted::inline(v)),
                    None => {
                        out.push('<');
                        out.push_str(name);
                        out.push('>');
                    }
                }
                rest = &after[j + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The placeholder names a template uses.
#[cfg(test)]
pub(crate) fn placeholders(template: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        if let Some(escaped) = after.strip_prefix('{') {
            rest = escaped;
            continue;
        }
        match after.find('}') {
            Some(j) if is_name(&after[..j]) => {
                names.push(after[..j].to_string());
                rest = &after[j + 1..];
            }
            _ => rest = after,
        }
    }
    names
}

/// Matches `text` against `pattern`, whose `{name}` slots capture text (case-insensitive for
/// the literal parts; each slot takes the shortest text up to the next literal, the last
/// slot takes the rest, minus a trailing `.` when the pattern ends with one).
pub(crate) fn capture(pattern: &str, text: &str) -> Option<Vec<(String, String)>> {
    // Split into literals and slot names.
    let mut literals = Vec::new();
    let mut names = Vec::new();
    let mut rest = pattern;
    let mut lit = String::new();
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        match after.find('}') {
            Some(j) if is_name(&after[..j]) => {
                lit.push_str(&rest[..i]);
                literals.push(std::mem::take(&mut lit));
                names.push(after[..j].to_string());
                rest = &after[j + 1..];
            }
            _ => {
                lit.push_str(&rest[..=i]);
                rest = after;
            }
        }
    }
    lit.push_str(rest);
    literals.push(lit);

    let lower = text.to_ascii_lowercase();
    let first = literals[0].to_ascii_lowercase();
    if !lower.starts_with(&first) {
        return None;
    }
    let mut pos = first.len();
    let mut caps = Vec::new();
    for (k, name) in names.iter().enumerate() {
        let next = literals[k + 1].to_ascii_lowercase();
        let is_last = k + 1 == names.len();
        let end = if is_last {
            if next.is_empty() {
                lower.len()
            } else if lower.ends_with(&next) && lower.len() - next.len() >= pos {
                lower.len() - next.len()
            } else {
                return None;
            }
        } else {
            pos + lower[pos..].find(&next)?
        };
        caps.push((name.clone(), text[pos..end].trim().to_string()));
        pos = end + next.len();
    }
    Some(caps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders() {
        let mut v = Vars::new();
        v.insert("a", "A".into());
        assert_eq!(render("x {a} {b} {{a}} }} {", &v), "x A <b> {a} } {");
        assert_eq!(render("extract('/t/{{sub}}')", &v), "extract('/t/{sub}')");
        assert_eq!(placeholders("{a} {{b}} {c_1}"), vec!["a", "c_1"]);
    }

    #[test]
    fn captures() {
        let p = "The issuer in ID Token {iss} does not match the expected one in config: {want}";
        let c = capture(
            p,
            "the issuer in ID Token https://sts.windows.net/t/ does not match the expected one in config: https://login.microsoftonline.com/t/v2.0",
        )
        .unwrap();
        assert_eq!(c[0].1, "https://sts.windows.net/t/");
        assert_eq!(c[1].1, "https://login.microsoftonline.com/t/v2.0");
        let c = capture(
            "The audience in ID Token [{aud}] does not match the expected audience.",
            "The audience in ID Token [api://x] does not match the expected audience.",
        )
        .unwrap();
        assert_eq!(c, vec![("aud".to_string(), "api://x".to_string())]);
        assert!(capture("A {x} B", "C").is_none());
    }
}
