//! Words as data. Code says *what* to tell the user as a [`Msg`] (a catalogue key plus typed
//! arguments) or a [`Text`] (messages and verbatim values in sequence); the catalogues under
//! `assets/i18n/` say it, in English and Japanese. Only the faces (CLI, wizard, report,
//! `--json`) render, through [`Text::render`] or `Display`, which uses the process language
//! chosen once at start-up by [`Lang::detect`] and [`set_lang`]: the engine never asks.

mod catalogue;
mod text;

pub use catalogue::{
    FILES, Template, entries, has_key, lookup, neutral_key, placeholders, render_template, source,
};
pub use text::{Arg, Msg, Piece, Text};

use std::sync::atomic::{AtomicU8, Ordering};

/// A display language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Ja,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ja];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }

    /// `en`, `ja`, or a locale name such as `ja_JP.UTF-8`; `None` for anything else.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        let base = s.split(['_', '-', '.', '@']).next().unwrap_or("");
        match base {
            "en" | "c" | "posix" => Some(Lang::En),
            "ja" | "jp" => Some(Lang::Ja),
            _ => None,
        }
    }

    /// The language from, in order: `--lang`, `WIF_DOCTOR_LANG`, then the POSIX locale
    /// (`LC_ALL`, else `LC_MESSAGES`, else `LANG`: the first one set decides, `ja*` means
    /// Japanese, anything else English). `get` reads an environment variable.
    pub fn detect(flag: Option<&str>, get: impl Fn(&str) -> Option<String>) -> Lang {
        if let Some(l) = flag.and_then(Lang::parse) {
            return l;
        }
        if let Some(l) = get("WIF_DOCTOR_LANG").as_deref().and_then(Lang::parse) {
            return l;
        }
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Some(v) = get(var).filter(|v| !v.trim().is_empty()) {
                return if v.trim().to_ascii_lowercase().starts_with("ja") {
                    Lang::Ja
                } else {
                    Lang::En
                };
            }
        }
        Lang::En
    }
}

static CURRENT: AtomicU8 = AtomicU8::new(0);

/// Sets the process language (once, at start-up, from the command line and environment).
pub fn set_lang(lang: Lang) {
    CURRENT.store(lang as u8, Ordering::Relaxed);
}

/// The process language: what `Display` and `--json` use.
pub fn lang() -> Lang {
    match CURRENT.load(Ordering::Relaxed) {
        1 => Lang::Ja,
        _ => Lang::En,
    }
}

/// A message in the process language: `tr!("ui.quit")`, `tr!("sts.x", aud = a)`.
#[macro_export]
macro_rules! tr {
    ($($t:tt)*) => { $crate::msg!($($t)*).to_string() };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn detection_order_is_flag_then_ours_then_posix() {
        assert_eq!(Lang::detect(None, env(&[])), Lang::En);
        assert_eq!(
            Lang::detect(None, env(&[("LANG", "ja_JP.UTF-8")])),
            Lang::Ja
        );
        assert_eq!(
            Lang::detect(None, env(&[("LANG", "ja_JP.UTF-8"), ("LC_ALL", "C")])),
            Lang::En
        );
        assert_eq!(
            Lang::detect(None, env(&[("LANG", "C"), ("LC_MESSAGES", "ja_JP")])),
            Lang::Ja
        );
        assert_eq!(
            Lang::detect(Some("en"), env(&[("WIF_DOCTOR_LANG", "ja")])),
            Lang::En
        );
        assert_eq!(
            Lang::detect(None, env(&[("WIF_DOCTOR_LANG", "ja"), ("LC_ALL", "C")])),
            Lang::Ja
        );
        assert_eq!(
            Lang::detect(None, env(&[("LC_ALL", ""), ("LANG", "ja")])),
            Lang::Ja
        );
    }
}
