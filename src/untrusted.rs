//! Text we did not write — server bodies, token claims, settings, file contents — made safe
//! to put on a terminal or into a Markdown report.
//!
//! A server that can put `ESC ]0;…BEL` or `ESC [2J` or `\r` on the operator's screen can
//! retitle or clear the terminal and forge a line such as `wif-doctor: ok`. Every control
//! character is therefore shown as a visible escape instead: C0 (including CR, LF and TAB in
//! [`line`]), ESC, DEL, C1, and the Unicode bidi embeddings/overrides/isolates and line
//! separators that reorder or break what the reader sees. `--json` output does not need
//! this: serde escapes control characters itself.

use std::borrow::Cow;

/// About how much server text a finding shows before it is cut (see [`capped`]).
pub const SHOWN_BYTES: usize = 2048;

/// True for every character [`line`] escapes.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        // bidi embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI, PDI)
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        // line and paragraph separators: some terminals and viewers break lines there
        | '\u{2028}' | '\u{2029}'
    )
}

fn escape(c: char, out: &mut String) {
    use std::fmt::Write;
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{0}'..='\u{1f}' | '\u{7f}' => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        _ => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

fn sanitise(s: &str, keep_newline: bool) -> Cow<'_, str> {
    let bad = |c: char| is_unsafe(c) && !(keep_newline && c == '\n');
    let Some(first) = s.find(bad) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 16);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        if bad(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One line of untrusted text: every control character, newline included, becomes a
/// visible escape (`\x1b`, `\r`, `\n`, `\u{9b}`, `\u{202e}`). Borrowed when nothing changed.
pub fn line(s: &str) -> Cow<'_, str> {
    sanitise(s, false)
}

/// Untrusted multi-line text: like [`line`], but `'\n'` is kept (a lone `'\r'` still shows
/// as `\r`, so a line cannot be overwritten).
pub fn block(s: &str) -> Cow<'_, str> {
    sanitise(s, true)
}

fn breaks_line(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Server text quoted inside one of our one-line sentences: only the characters that
/// break a line (LF, CR, VT, FF, NEL, U+2028/2029) become visible escapes here, so a server
/// cannot start a line of its own (`\r\nwif-doctor: ok`) between ours, even in a face
/// that keeps newlines ([`block`]). Everything else is left to the face's sanitiser (and
/// to serde for `--json`), so nothing is escaped twice.
pub fn inline(s: &str) -> Cow<'_, str> {
    let Some(first) = s.find(breaks_line) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        if breaks_line(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// At most about `max` bytes of `s` (cut at a character boundary), then
/// `… N more bytes`; borrowed when it fits. Cap before sanitising, so the count is of the
/// server's bytes.
pub fn capped(s: &str, max: usize) -> Cow<'_, str> {
    if s.len() <= max {
        return Cow::Borrowed(s);
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}… {} more bytes", &s[..end], s.len() - end))
}

/// Server text for a finding: capped at [`SHOWN_BYTES`], then [`block`]-sanitised.
pub fn server_text(s: &str) -> String {
    block(&capped(s, SHOWN_BYTES)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(line("hello, 世界"), Cow::Borrowed(_)));
        assert!(matches!(block("a\nb"), Cow::Borrowed(_)));
    }

    #[test]
    fn forged_screen_is_defused() {
        let evil = "x\u{1b}]0;owned\u{7}\u{1b}[2J\r\nwif-doctor: ok";
        assert_eq!(
            line(evil),
            "x\\x1b]0;owned\\x07\\x1b[2J\\r\\nwif-doctor: ok"
        );
        assert_eq!(
            block(evil),
            "x\\x1b]0;owned\\x07\\x1b[2J\\r\nwif-doctor: ok"
        );
    }

    #[test]
    fn c1_del_tab_and_bidi_are_escaped() {
        assert_eq!(line("a\u{9b}2J\u{7f}\tb"), "a\\u{9b}2J\\x7f\\tb");
        assert_eq!(line("\u{202e}cod.exe"), "\\u{202e}cod.exe");
        assert_eq!(line("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
        assert_eq!(block("\u{85}"), "\\u{85}");
    }

    #[test]
    fn inline_breaks_no_line_and_leaves_the_rest() {
        assert_eq!(inline("a\r\nwif-doctor: ok"), "a\\r\\nwif-doctor: ok");
        assert_eq!(inline("x\u{2028}y\u{1b}"), "x\\u{2028}y\u{1b}");
        assert!(matches!(inline("plain \u{1b}"), Cow::Borrowed(_)));
    }

    #[test]
    fn capped_counts_the_rest() {
        assert_eq!(capped("abcdef", 6), "abcdef");
        assert_eq!(capped("abcdef", 4), "abcd… 2 more bytes");
        // Never splits a character.
        assert_eq!(capped("ééé", 3), "é… 4 more bytes");
        let big = "x".repeat(100_000);
        let s = server_text(&big);
        assert!(s.len() < 2100, "{}", s.len());
        assert!(s.ends_with("… 97952 more bytes"), "{s}");
    }
}
