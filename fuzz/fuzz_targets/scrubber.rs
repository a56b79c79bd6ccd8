//! The secrets registry (`secret::Registry::scrub`): a registered secret never survives in
//! a body, in any of the spellings a server may echo it in.
//!
//! Input: byte 0 chooses the spelling, byte 1 the secret's length, then the secret, then
//! the body around it (split at byte 2). Spellings: raw, JSON-escaped (also with `\/`),
//! percent-encoded (upper- or lower-case hex, and form encoding), base64 (standard and
//! URL-safe, padded or not, at any byte alignment), and a 12-character piece of the raw
//! value; each also upper-cased. Property: no 12-character run of the spelling (the whole
//! spelling when shorter) survives `scrub`, case-insensitively.
#![no_main]

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use libfuzzer_sys::fuzz_target;
use wif_doctor::secret::{Registry, Secret};

const WINDOW: usize = 12;

fn percent(v: &[u8], lower: bool) -> String {
    let mut out = String::new();
    for &b in v {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else if lower {
            out.push_str(&format!("%{b:02x}"));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The part of `encoded` (base64 of `k` bytes, the secret, more bytes) that only the
/// secret's bytes determine.
fn b64_core(encoded: &str, k: usize, len: usize) -> String {
    let start = (8 * k).div_ceil(6);
    let end = (8 * (k + len) / 6).min(encoded.len());
    encoded.get(start..end.max(start)).unwrap_or("").to_string()
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let (mode, len, split) = (data[0], data[1] as usize % 80, data[2] as usize);
    let rest = &data[3..];
    let len = len.min(rest.len());
    let secret = String::from_utf8_lossy(&rest[..len]).into_owned();
    if secret.len() < 4 {
        return;
    }
    let body = String::from_utf8_lossy(&rest[len..]).into_owned();
    let at = (split * body.len() / 256).min(body.len());
    let at = (0..=at)
        .rev()
        .find(|i| body.is_char_boundary(*i))
        .unwrap_or(0);
    let (before, after) = body.split_at(at);

    let raw = secret.as_bytes();
    let json = serde_json::to_string(&secret).unwrap();
    let json = json[1..json.len() - 1].to_string();
    let k = (mode as usize / 16) % 3;
    let mut framed = vec![0x5a_u8; k];
    framed.extend_from_slice(raw);
    framed.extend_from_slice(b"\xa5\x5a");
    // (embedded text, the part of it that must not survive)
    let (embedded, core) = match mode % 9 {
        0 => (secret.clone(), secret.clone()),
        1 => (json.clone(), json.clone()),
        2 => (json.replace('/', "\\/"), json.replace('/', "\\/")),
        3 => (percent(raw, false), percent(raw, false)),
        4 => (percent(raw, true), percent(raw, true)),
        5 => {
            let form: String = url::form_urlencoded::byte_serialize(raw).collect();
            (form.clone(), form)
        }
        6 => {
            let e = STANDARD.encode(&framed);
            let c = b64_core(&e, k, raw.len());
            (e, c)
        }
        7 => {
            let e = URL_SAFE_NO_PAD.encode(&framed);
            let c = b64_core(&e, k, raw.len());
            (e, c)
        }
        _ => {
            // A piece of the secret alone (a server echoing one segment or a prefix).
            let start = (split % secret.len()).min(secret.len().saturating_sub(WINDOW));
            let start = (0..=start)
                .rev()
                .find(|i| secret.is_char_boundary(*i))
                .unwrap_or(0);
            let end = (start + WINDOW).min(secret.len());
            let end = (end..=secret.len())
                .find(|i| secret.is_char_boundary(*i))
                .unwrap();
            let piece = secret[start..end].to_string();
            (piece.clone(), piece)
        }
    };
    let (embedded, core) = if mode & 0x08 != 0 {
        (embedded.to_ascii_uppercase(), core.to_ascii_uppercase())
    } else {
        (embedded, core)
    };
    let text = format!("{before}{embedded}{after}");

    let registry = Registry::new();
    registry.add(&Secret::new(secret.clone()));
    let out = registry.scrub(&text).to_ascii_lowercase();
    let core = core.to_ascii_lowercase();
    if core.len() < 4 {
        return;
    }
    // What survived is the text between our markers (a secret may spell part of the marker).
    for part in out.split("<redacted>") {
        if core.len() < WINDOW {
            assert!(!part.contains(&core), "{core:?} survived in {out:?}");
        } else {
            for w in core.as_bytes().windows(WINDOW) {
                assert!(
                    !part.as_bytes().windows(WINDOW).any(|o| o == w),
                    "the piece {:?} of the secret survived in {out:?}",
                    String::from_utf8_lossy(w)
                );
            }
        }
    }
});
