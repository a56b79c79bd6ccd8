//! Property tests for the two guards every untrusted text passes: the sanitiser
//! (`wif_doctor::untrusted`) and the secret scrubber (`wif_doctor::secret::Registry`).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use proptest::prelude::*;
use wif_doctor::secret::{Registry, Secret};
use wif_doctor::untrusted;

/// Any string, biased towards the characters that matter: C0, ESC sequences, DEL, C1,
/// bidi controls, line separators, backslashes, plus ordinary and wide text.
fn hostile_text() -> impl Strategy<Value = String> {
    let interesting = prop_oneof![
        (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap()),
        Just('\u{7f}'),
        (0x80u32..0xa0).prop_map(|c| char::from_u32(c).unwrap()),
        (0x202au32..0x202f).prop_map(|c| char::from_u32(c).unwrap()),
        (0x2066u32..0x206a).prop_map(|c| char::from_u32(c).unwrap()),
        Just('\u{2028}'),
        Just('\u{2029}'),
        Just('\\'),
        Just('a'),
        Just('世'),
        any::<char>(),
    ];
    prop::collection::vec(interesting, 0..200).prop_map(|v| v.into_iter().collect())
}

proptest! {
    #[test]
    fn no_control_character_survives_line(s in hostile_text()) {
        let out = untrusted::line(&s);
        prop_assert!(!out.chars().any(untrusted::is_unsafe), "{:?} -> {:?}", s, out);
    }

    #[test]
    fn only_newline_survives_block(s in hostile_text()) {
        let out = untrusted::block(&s);
        prop_assert!(
            !out.chars().any(|c| c != '\n' && untrusted::is_unsafe(c)),
            "{:?} -> {:?}", s, out
        );
        // Lines are kept: as many newlines out as in.
        prop_assert_eq!(out.matches('\n').count(), s.matches('\n').count());
    }

    #[test]
    fn safe_text_is_unchanged(s in "[ -~世界é]{0,100}") {
        let out = untrusted::line(&s);
        prop_assert_eq!(out.as_ref(), s.as_str());
    }

    #[test]
    fn capped_text_is_bounded_and_counts_the_rest(s in hostile_text(), max in 0usize..300) {
        let out = untrusted::capped(&s, max).into_owned();
        if s.len() <= max {
            prop_assert_eq!(out, s);
        } else {
            prop_assert!(out.len() <= max + 40);
            let shown = out.split("… ").next().unwrap().len();
            let suffix = format!("… {} more bytes", s.len() - shown);
            prop_assert!(out.ends_with(&suffix), "{:?}", out);
        }
    }
}

// ---------------------------------------------------------------- the scrubber

/// Secrets as they come: JWTs (three base64url segments), GUID-like headers, and
/// arbitrary printable values with the characters encoders treat differently.
fn secret() -> impl Strategy<Value = String> {
    let seg =
        || prop::collection::vec(any::<u8>(), 12..120).prop_map(|b| URL_SAFE_NO_PAD.encode(b));
    prop_oneof![
        (seg(), seg(), seg()).prop_map(|(a, b, c)| format!("{a}.{b}.{c}")),
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[ -~]{12,80}",
    ]
}

#[derive(Debug, Clone, Copy)]
enum Encoding {
    Raw,
    PercentUpper,
    PercentLower,
    PercentAllUpper,
    Form,
    Json,
    JsonSlash,
    B64,
    B64NoPad,
    B64Url,
    B64UrlNoPad,
    /// base64 of `prefix ++ secret ++ suffix` (a Basic header, an echoed blob).
    B64Embedded(u8, u8),
}

fn encoding() -> impl Strategy<Value = Encoding> {
    prop_oneof![
        Just(Encoding::Raw),
        Just(Encoding::PercentUpper),
        Just(Encoding::PercentLower),
        Just(Encoding::PercentAllUpper),
        Just(Encoding::Form),
        Just(Encoding::Json),
        Just(Encoding::JsonSlash),
        Just(Encoding::B64),
        Just(Encoding::B64NoPad),
        Just(Encoding::B64Url),
        Just(Encoding::B64UrlNoPad),
        (0u8..7, 0u8..7).prop_map(|(a, b)| Encoding::B64Embedded(a, b)),
    ]
}

fn percent(s: &str, keep: impl Fn(u8) -> bool, lower: bool, plus: bool) -> String {
    s.bytes()
        .map(|b| {
            if keep(b) {
                (b as char).to_string()
            } else if plus && b == b' ' {
                "+".into()
            } else if lower {
                format!("%{b:02x}")
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn encode(s: &str, e: Encoding) -> String {
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || b"-._~".contains(&b);
    match e {
        Encoding::Raw => s.into(),
        Encoding::PercentUpper => percent(s, unreserved, false, false),
        Encoding::PercentLower => percent(s, unreserved, true, false),
        Encoding::PercentAllUpper => percent(s, |b| b.is_ascii_alphanumeric(), false, false),
        Encoding::Form => url::form_urlencoded::byte_serialize(s.as_bytes()).collect(),
        Encoding::Json => {
            let j = serde_json::to_string(s).unwrap();
            j[1..j.len() - 1].to_string()
        }
        Encoding::JsonSlash => {
            let j = serde_json::to_string(s).unwrap();
            j[1..j.len() - 1].replace('/', "\\/")
        }
        Encoding::B64 => STANDARD.encode(s),
        Encoding::B64NoPad => STANDARD_NO_PAD.encode(s),
        Encoding::B64Url => URL_SAFE.encode(s),
        Encoding::B64UrlNoPad => URL_SAFE_NO_PAD.encode(s),
        Encoding::B64Embedded(a, b) => {
            let mut bytes = b"user:".repeat(a as usize);
            bytes.extend_from_slice(s.as_bytes());
            bytes.extend(std::iter::repeat_n(b'!', b as usize));
            STANDARD.encode(bytes)
        }
    }
}

/// The characters of `encoded` that depend on the secret's bytes alone (a base64
/// character holds 6 bits; those at the edges mix with neighbouring bytes), as
/// 16-character windows.
fn must_not_survive(encoded: &str, secret_len: usize, e: Encoding) -> Vec<String> {
    let prefix = match e {
        Encoding::B64Embedded(a, _) => 5 * a as usize,
        _ => 0,
    };
    let inner = match e {
        Encoding::B64Embedded(..)
        | Encoding::B64
        | Encoding::B64NoPad
        | Encoding::B64Url
        | Encoding::B64UrlNoPad => {
            let start = (8 * prefix).div_ceil(6);
            let end = 8 * (prefix + secret_len) / 6;
            &encoded[start..end]
        }
        _ => encoded,
    };
    let b = inner.as_bytes();
    if b.len() <= 16 {
        return vec![inner.to_string()];
    }
    b.windows(16)
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn a_registered_secret_never_survives_in_any_encoding(
        secret in secret(),
        e in encoding(),
        before in "[ -~\n]{0,40}",
        after in "[ -~\n]{0,40}",
    ) {
        let r = Registry::new();
        r.add(&Secret::new(secret.clone()));
        let enc = encode(&secret, e);
        let body = format!("{before}{enc}{after}");
        let out = r.scrub(&body);
        for w in must_not_survive(&enc, secret.len(), e) {
            prop_assert!(!out.contains(&w), "{:?} survived in {:?} ({:?})", w, out, e);
        }
    }

    #[test]
    fn each_segment_of_a_registered_jwt_never_survives(
        (a, b, c) in (
            prop::collection::vec(any::<u8>(), 12..120),
            prop::collection::vec(any::<u8>(), 12..120),
            prop::collection::vec(any::<u8>(), 12..120),
        ),
        which in 0usize..3,
        e in encoding(),
        before in "[ -~]{0,40}",
    ) {
        let segs = [a, b, c].map(|s| URL_SAFE_NO_PAD.encode(s));
        let token = segs.join(".");
        let r = Registry::new();
        r.add(&Secret::new(token));
        let enc = encode(&segs[which], e);
        let out = r.scrub(&format!("{before}{enc} tail"));
        for w in must_not_survive(&enc, segs[which].len(), e) {
            prop_assert!(!out.contains(&w), "segment {} {:?} survived in {:?}", which, w, out);
        }
    }

    #[test]
    fn text_without_secrets_is_unchanged(s in "[ -~]{0,200}") {
        let r = Registry::new();
        // Guaranteed absent from the generated text: it holds a non-ASCII character.
        r.add(&Secret::new("sécret-value-never-in-ascii-text"));
        prop_assert_eq!(r.scrub(&s), s);
    }
}
