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
        let s = Secret(value);
        if s.len() >= AUTO_MIN {
            registry().add(&s);
        }
        s
    }
}

impl Secret {
    /// A secret; one of [`AUTO_MIN`] characters or more joins the run's [`registry`].
    pub fn new(value: impl Into<String>) -> Self {
        Secret::from(value.into())
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

    /// A safe description for humans: `set (36 characters, hidden)` (`files.secret.hidden`).
    pub fn describe_text(&self) -> crate::i18n::Text {
        crate::msg!("files.secret.hidden", chars = self.0.chars().count()).into()
    }

    /// [`Secret::describe_text`] in the process language, for faces that build strings.
    pub fn describe(&self) -> String {
        self.describe_text().to_string()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<{} bytes hidden>)", self.0.len())
    }
}

/// Secrets shorter than this are not registered (they would redact ordinary words).
const MIN_LEN: usize = 4;
/// Length of the pieces a long secret is cut into: any run of this many characters of any
/// spelling of a secret is redacted, so a server that echoes part of a token (its signature
/// segment, a truncated prefix) leaks nothing either.
const WINDOW: usize = 12;
/// The run's registry keeps at most this many distinct secrets (the wizard re-fetches on
/// every run; the least recently registered are dropped first), so memory stays bounded.
const MAX_SECRETS: usize = 32;
const MARK: &str = "<redacted>";

/// The run's secrets, and every spelling of them a server might echo.
///
/// [`Registry::scrub`] removes, case-insensitively, any [`WINDOW`]-character run of:
/// the raw value; its JSON-escaped spelling (also with `\/`); its percent-encoding (every
/// non-unreserved byte, every non-alphanumeric byte, or as `encodeURIComponent` does, as
/// `%XX` in either case, and the form encoding with `+` for space); and its base64 (standard and URL-safe alphabets, at
/// all three byte alignments, so padded, unpadded and embedded-in-a-longer-blob spellings
/// are all caught). A value that looks like a JWT also registers each of its segments.
/// Values shorter than [`WINDOW`] are matched whole.
#[derive(Default)]
pub struct Registry {
    inner: std::sync::RwLock<Inner>,
}

#[derive(Default)]
struct Inner {
    values: std::collections::VecDeque<String>,
    /// Each piece with the number of registered values it comes from, so adding or
    /// dropping a value touches only that value's pieces (the wizard re-fetches tokens; a
    /// full rebuild over every value on every fetch was the registry's main cost).
    windows: std::collections::HashMap<[u8; WINDOW], u32>,
    short: std::collections::HashMap<Vec<u8>, u32>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.inner.read().map(|i| i.values.len()).unwrap_or(0);
        write!(f, "Registry(<{n} secrets hidden>)")
    }
}

fn percent(v: &[u8], keep: impl Fn(u8) -> bool, space_plus: bool) -> String {
    let mut out = String::with_capacity(v.len() * 3);
    for &b in v {
        if keep(b) {
            out.push(b as char);
        } else if space_plus && b == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The part of base64(`k` unknown bytes ++ `v` ++ more unknown bytes) that depends only on `v`.
fn base64_cores(v: &[u8]) -> Vec<String> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let mut out = Vec::new();
    for k in 0..3usize {
        let mut bytes = vec![0u8; k];
        bytes.extend_from_slice(v);
        let start = (8 * k).div_ceil(6);
        let end = 8 * (k + v.len()) / 6;
        for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            let enc = engine.encode(&bytes);
            if end > start {
                out.push(enc[start..end].to_string());
            }
        }
    }
    out
}

/// Every spelling of `v` that [`Registry::scrub`] looks for.
fn spellings(v: &str) -> Vec<String> {
    let raw = v.as_bytes();
    let json = serde_json::to_string(v)
        .map(|j| j[1..j.len() - 1].to_string())
        .unwrap_or_else(|_| v.to_string());
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || b"-._~".contains(&b);
    let mut out = vec![
        v.to_string(),
        v.replace('/', "\\/"),
        json.replace('/', "\\/"),
        json,
        percent(raw, unreserved, false),
        // application/x-www-form-urlencoded (WHATWG): keeps `*-._`, space as '+'.
        percent(
            raw,
            |b| b.is_ascii_alphanumeric() || b"*-._".contains(&b),
            true,
        ),
        // JavaScript's encodeURIComponent keeps `!'()*-._~`.
        percent(
            raw,
            |b| b.is_ascii_alphanumeric() || b"!'()*-._~".contains(&b),
            false,
        ),
        percent(raw, |b| b.is_ascii_alphanumeric(), false),
    ];
    out.extend(base64_cores(raw));
    out.sort();
    out.dedup();
    out
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Register a secret (and, for a JWT, each of its segments). Idempotent.
    pub fn add(&self, secret: &Secret) {
        self.add_str(secret.expose());
    }

    fn add_str(&self, value: &str) {
        let mut values = vec![value];
        if value.split('.').count() == 3 {
            values.extend(value.split('.'));
        }
        let Ok(mut inner) = self.inner.write() else {
            return;
        };
        for v in values {
            if v.len() < MIN_LEN {
                continue;
            }
            // Registered already: it becomes the newest, so a secret still in use (the
            // identity header, re-registered on every fetch) is never the one dropped.
            if let Some(i) = inner.values.iter().position(|x| x == v) {
                if let Some(known) = inner.values.remove(i) {
                    inner.values.push_back(known);
                }
                continue;
            }
            inner.values.push_back(v.to_string());
            inner.count(v, 1);
        }
        while inner.values.len() > MAX_SECRETS {
            if let Some(old) = inner.values.pop_front() {
                inner.count(&old, -1);
            }
        }
    }

    /// Number of registered values (segments count separately).
    pub fn len(&self) -> usize {
        self.inner.read().map(|i| i.values.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `text` with every registered secret, whole or in part, in any spelling above,
    /// replaced by `<redacted>`.
    pub fn scrub(&self, text: &str) -> String {
        let Ok(inner) = self.inner.read() else {
            return text.to_string();
        };
        inner.scrub(text)
    }
}

impl Inner {
    /// Adds (`delta` 1) or drops (`delta` -1) the pieces of one value's spellings.
    fn count(&mut self, v: &str, delta: i32) {
        let mut windows = std::collections::HashSet::new();
        let mut short = std::collections::HashSet::new();
        for sp in spellings(v) {
            let b = sp.to_ascii_lowercase().into_bytes();
            if b.len() < WINDOW {
                if b.len() >= MIN_LEN {
                    short.insert(b);
                }
                continue;
            }
            for w in b.windows(WINDOW) {
                windows.insert(<[u8; WINDOW]>::try_from(w).expect("window length"));
            }
        }
        fn apply<K: std::hash::Hash + Eq>(
            map: &mut std::collections::HashMap<K, u32>,
            keys: std::collections::HashSet<K>,
            delta: i32,
        ) {
            for k in keys {
                if delta > 0 {
                    *map.entry(k).or_insert(0) += 1;
                } else if let Some(n) = map.get_mut(&k) {
                    *n -= 1;
                    if *n == 0 {
                        map.remove(&k);
                    }
                }
            }
        }
        apply(&mut self.windows, windows, delta);
        apply(&mut self.short, short, delta);
    }

    fn scrub(&self, text: &str) -> String {
        if self.values.is_empty() {
            return text.to_string();
        }
        let lower = text.as_bytes().to_ascii_lowercase();
        let n = lower.len();
        // covered[i]: byte i is part of a secret.
        let mut covered = vec![false; n];
        let mut mark = |from: usize, len: usize| covered[from..from + len].fill(true);
        if n >= WINDOW {
            for i in 0..=n - WINDOW {
                let w: &[u8; WINDOW] = lower[i..i + WINDOW].try_into().expect("window length");
                if self.windows.contains_key(w) {
                    mark(i, WINDOW);
                }
            }
        }
        for s in self.short.keys() {
            if s.len() > n {
                continue;
            }
            for i in 0..=n - s.len() {
                if lower[i..].starts_with(s) {
                    mark(i, s.len());
                }
            }
        }
        if !covered.contains(&true) {
            return text.to_string();
        }
        // Widen every covered run to character boundaries, so no half character survives.
        for i in (1..n).rev() {
            if covered[i] && !text.is_char_boundary(i) {
                covered[i - 1] = true;
            }
        }
        for i in 0..n.saturating_sub(1) {
            if covered[i] && !text.is_char_boundary(i + 1) {
                covered[i + 1] = true;
            }
        }
        let mut out = String::with_capacity(n);
        let mut i = 0;
        while i < n {
            let mut j = i + 1;
            while j < n && covered[j] == covered[i] {
                j += 1;
            }
            if covered[i] {
                out.push_str(MARK);
            } else {
                out.push_str(&text[i..j]);
            }
            i = j;
        }
        out
    }
}

/// The run's registry: every [`Secret`] of at least [`AUTO_MIN`] characters registers itself
/// here when created (the Azure token, IDENTITY_HEADER / MSI_SECRET, the STS and
/// service-account tokens), so bodies of later calls are scrubbed of earlier tokens.
pub fn registry() -> &'static Registry {
    static RUN: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    RUN.get_or_init(Registry::new)
}

/// Shorter secrets (test fixtures) are only scrubbed where passed explicitly to [`scrub`].
const AUTO_MIN: usize = 8;

/// `text` scrubbed of `secrets` and of everything in the run's [`registry`].
pub fn scrub(text: &str, secrets: &[&Secret]) -> String {
    // The common case: every secret passed is already in the run's registry (they register
    // when created), so its scrub alone is the same; building a local registry per call
    // was most of the cost of reading a response (found profiling fuzz/identity_response).
    if let Ok(inner) = registry().inner.read() {
        let known = |v: &str| v.len() < MIN_LEN || inner.values.iter().any(|x| x == v);
        let all_known = secrets.iter().all(|s| {
            let v = s.expose();
            known(v) && (v.split('.').count() != 3 || v.split('.').all(known))
        });
        if all_known {
            return inner.scrub(text);
        }
    }
    let local = Registry::new();
    for s in secrets {
        local.add(s);
    }
    registry().scrub(&local.scrub(text))
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

    fn jwt() -> String {
        use base64::Engine;
        let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.{}",
            e.encode(br#"{"alg":"RS256","typ":"JWT"}"#),
            e.encode(br#"{"aud":"api://AzureADTokenExchange","sub":"0b1c"}"#),
            e.encode((0u8..=255).collect::<Vec<u8>>())
        )
    }

    #[test]
    fn registry_scrubs_segments_encodings_and_parts() {
        use base64::Engine;
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        let token = jwt();
        let sig = token.rsplit('.').next().unwrap().to_string();
        let r = Registry::new();
        r.add(&Secret(token.clone()));
        let pct_lower = token.replace('.', "%2e");
        let bodies = [
            format!("bad signature {sig} here"),
            format!("token={pct_lower}&x=1"),
            format!("Basic {}", STANDARD.encode(format!("user:{token}"))),
            format!("{{\"t\":\"{}\"}}", URL_SAFE_NO_PAD.encode(&token)),
            format!("truncated {}...", &sig[5..40]),
        ];
        for b in &bodies {
            let out = r.scrub(b);
            assert!(out.contains(MARK), "{out}");
            assert!(!out.contains(&sig[10..22]), "{out}");
        }
        assert_eq!(r.scrub("nothing here"), "nothing here");
    }

    #[test]
    fn registry_keeps_text_around_non_ascii() {
        let r = Registry::new();
        r.add(&Secret("秘密のヘッダー値".into()));
        assert_eq!(r.scrub("前 秘密のヘッダー値 後"), "前 <redacted> 後");
    }

    #[test]
    fn registry_is_bounded() {
        let r = Registry::new();
        for i in 0..100 {
            r.add(&Secret(format!("secret-value-number-{i:04}")));
        }
        assert_eq!(r.len(), MAX_SECRETS);
        assert!(r.scrub("secret-value-number-0099").contains(MARK));
    }

    /// A secret registered again (the header, on every fetch) outlives any number of newer ones.
    #[test]
    fn a_secret_in_use_is_never_the_one_dropped() {
        let r = Registry::new();
        let header = Secret(String::from("identity-header-value-4d1c"));
        r.add(&header);
        for i in 0..10 * MAX_SECRETS {
            r.add(&Secret(format!("rotated-token-number-{i:04}")));
            r.add(&header);
        }
        assert_eq!(r.len(), MAX_SECRETS);
        assert_eq!(
            r.scrub("echo: identity-header-value-4d1c"),
            format!("echo: {MARK}")
        );
    }

    /// A secret passed to [`scrub`] that the run's registry does not hold (too short to
    /// register itself, or dropped) is still removed: the local registry path.
    #[test]
    fn scrub_covers_secrets_outside_the_run_registry() {
        let s = Secret::new("k3y-5");
        assert!(!registry().scrub("k3y-5").contains(MARK));
        assert_eq!(scrub("a k3y-5 b", &[&s]), format!("a {MARK} b"));
    }

    /// Dropping the oldest value drops only its own pieces: a piece another value shares
    /// is still redacted, and the dropped value's own pieces are not.
    #[test]
    fn dropping_a_value_keeps_pieces_shared_with_others() {
        let r = Registry::new();
        r.add(&Secret("oldest-unique-AAAA-shared-piece-xyz".into()));
        r.add(&Secret("newer-BBBB-shared-piece-xyz".into()));
        for i in 0..MAX_SECRETS - 1 {
            r.add(&Secret(format!("filler-value-number-{i:04}")));
        }
        assert_eq!(r.len(), MAX_SECRETS);
        assert_eq!(r.scrub("oldest-unique-AAAA"), "oldest-unique-AAAA");
        assert_eq!(r.scrub("x -shared-piece-xyz"), format!("x {MARK}"));
        assert!(r.scrub("newer-BBBB-shared").contains(MARK));
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
