//! The terminal sanitiser for text we did not write (`untrusted::{line, block, inline,
//! capped, server_text}`).
//!
//! Properties: no control character (C0, DEL, C1, bidi controls, line separators) survives
//! `line`; only '\n' survives `block`; nothing that breaks a line survives `inline`; text
//! with nothing unsafe is left as it is; `capped` keeps a prefix and says how much it cut.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wif_doctor::untrusted;

fn unsafe_char(c: char) -> bool {
    c.is_control() || untrusted::is_unsafe(c)
}

fn breaks_line(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let s = s.as_ref();

    let line = untrusted::line(s);
    assert!(
        !line.chars().any(unsafe_char),
        "line kept a control character: {line:?}"
    );
    let block = untrusted::block(s);
    assert!(
        !block.chars().any(|c| c != '\n' && unsafe_char(c)),
        "block kept a control character: {block:?}"
    );
    assert_eq!(
        block.matches('\n').count(),
        s.matches('\n').count(),
        "block keeps the lines"
    );
    let inline = untrusted::inline(s);
    assert!(
        !inline.chars().any(breaks_line),
        "inline kept a line break: {inline:?}"
    );
    if !s.chars().any(unsafe_char) {
        assert_eq!(line, s);
        assert_eq!(block, s);
        assert_eq!(inline, s);
    }
    // Sanitising is idempotent: an escape is plain text.
    assert_eq!(untrusted::line(&line), line);
    assert_eq!(untrusted::block(&block), block);

    let max = data.first().map_or(0, |b| *b as usize * 8);
    let capped = untrusted::capped(s, max);
    if s.len() <= max {
        assert_eq!(capped, s);
    } else {
        let cut = capped.rfind("… ").expect("a cut says so");
        assert!(cut <= max && s.starts_with(&capped[..cut]), "{capped:?}");
        assert!(capped.ends_with(" more bytes"));
    }
    let shown = untrusted::server_text(s);
    assert!(!shown.chars().any(|c| c != '\n' && unsafe_char(c)));
    assert!(
        shown.len() <= 8 * untrusted::SHOWN_BYTES + 64,
        "server text is capped"
    );
});
