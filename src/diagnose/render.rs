//! A matcher for error texts with named slots (`The issuer in ID Token {iss} does not match …`):
//! the STS catalogue's `captures` pick values out of what Google said. (Templates are filled
//! by `crate::i18n`.)

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
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
