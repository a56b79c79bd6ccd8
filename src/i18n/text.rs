//! Messages as values: a key and typed arguments, rendered only by the faces.

use super::{Lang, catalogue, lang};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// One catalogue message: `key` names a template in `assets/i18n/`, `args` fill its
/// `{placeholders}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub key: Cow<'static, str>,
    pub args: Vec<(Cow<'static, str>, Arg)>,
}

/// A placeholder's value: a value shown as it is (an ID, a URL, a command, a server's
/// words), or more text in the same language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Value(String),
    Text(Text),
}

/// Rendered text: messages and verbatim values in sequence.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(pub Vec<Piece>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Msg(Msg),
    /// Shown exactly as it is, in every language.
    Value(String),
    /// Between two sentences: a space in English, nothing in Japanese.
    Space,
    /// A line break.
    Break,
}

/// `msg!("sts.audience_mismatch.summary", aud = token_aud, status = 401)`.
#[macro_export]
macro_rules! msg {
    ($key:expr $(, $name:ident = $val:expr)* $(,)?) => {
        $crate::i18n::Msg::new($key)$(.arg(stringify!($name), $val))*
    };
}

impl Msg {
    pub fn new(key: impl Into<Cow<'static, str>>) -> Msg {
        Msg {
            key: key.into(),
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: impl Into<Cow<'static, str>>, value: impl Into<Arg>) -> Msg {
        self.args.push((name.into(), value.into()));
        self
    }

    pub fn get(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    pub fn render(&self, lang: Lang) -> String {
        let mut out = String::new();
        self.render_into(lang, &mut out);
        out
    }

    fn render_into(&self, lang: Lang, out: &mut String) {
        match catalogue::lookup(&self.key).and_then(|t| t.get(lang)) {
            Some(template) => {
                catalogue::render_template(template, out, |name, out| match self.get(name) {
                    Some(a) => {
                        a.render_into(lang, out);
                        true
                    }
                    None => false,
                })
            }
            None => {
                // A key missing from the catalogue is a defect the catalogue tests catch;
                // show it plainly rather than nothing.
                out.push_str(&self.key);
                for (n, a) in &self.args {
                    out.push_str(if n == &self.args[0].0 { "(" } else { ", " });
                    out.push_str(n);
                    out.push('=');
                    a.render_into(lang, out);
                }
                if !self.args.is_empty() {
                    out.push(')');
                }
            }
        }
    }
}

impl Arg {
    fn render_into(&self, lang: Lang, out: &mut String) {
        match self {
            Arg::Value(v) => out.push_str(v),
            Arg::Text(t) => t.render_into(lang, out),
        }
    }

    pub fn as_value(&self) -> Option<&str> {
        match self {
            Arg::Value(v) => Some(v),
            Arg::Text(_) => None,
        }
    }
}

impl Text {
    pub fn new() -> Text {
        Text(Vec::new())
    }

    /// A value shown as it is.
    pub fn value(s: impl Into<String>) -> Text {
        Text(vec![Piece::Value(s.into())])
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|p| match p {
            Piece::Value(v) => v.is_empty(),
            Piece::Msg(_) => false,
            Piece::Space | Piece::Break => true,
        })
    }

    /// Appends directly (no separator).
    pub fn push(&mut self, t: impl Into<Text>) -> &mut Text {
        self.0.extend(t.into().0);
        self
    }

    /// Appends as a new sentence (a space before it in English, when not first).
    pub fn sentence(&mut self, t: impl Into<Text>) -> &mut Text {
        let t = t.into();
        if t.is_empty() {
            return self;
        }
        if !self.is_empty() {
            self.0.push(Piece::Space);
        }
        self.0.extend(t.0);
        self
    }

    /// Appends on a new line (when not first).
    pub fn line(&mut self, t: impl Into<Text>) -> &mut Text {
        let t = t.into();
        if t.is_empty() {
            return self;
        }
        if !self.is_empty() {
            self.0.push(Piece::Break);
        }
        self.0.extend(t.0);
        self
    }

    /// Builder forms of [`Text::sentence`] and [`Text::push`].
    pub fn then(mut self, t: impl Into<Text>) -> Text {
        self.sentence(t);
        self
    }

    pub fn and(mut self, t: impl Into<Text>) -> Text {
        self.push(t);
        self
    }

    /// Items joined by `sep` (a value, e.g. ", ").
    pub fn join<T: Into<Text>>(items: impl IntoIterator<Item = T>, sep: &str) -> Text {
        let mut out = Text::new();
        for (i, t) in items.into_iter().enumerate() {
            if i > 0 {
                out.0.push(Piece::Value(sep.to_string()));
            }
            out.push(t);
        }
        out
    }

    pub fn render(&self, lang: Lang) -> String {
        let mut out = String::new();
        self.render_into(lang, &mut out);
        out
    }

    fn render_into(&self, lang: Lang, out: &mut String) {
        for p in &self.0 {
            match p {
                Piece::Msg(m) => m.render_into(lang, out),
                Piece::Value(v) => out.push_str(v),
                Piece::Space => {
                    if lang == Lang::En && !out.ends_with([' ', '\n']) {
                        out.push(' ')
                    }
                }
                Piece::Break => out.push('\n'),
            }
        }
    }

    /// The English rendering, whatever the process language (tests compare against it).
    pub fn en(&self) -> String {
        self.render(Lang::En)
    }

    /// Every catalogue key used, depth first (for tests and `--json` consumers).
    pub fn keys(&self) -> Vec<&str> {
        let mut out = Vec::new();
        fn walk<'a>(t: &'a Text, out: &mut Vec<&'a str>) {
            for p in &t.0 {
                if let Piece::Msg(m) = p {
                    out.push(&m.key);
                    for (_, a) in &m.args {
                        if let Arg::Text(t) = a {
                            walk(t, out);
                        }
                    }
                }
            }
        }
        walk(self, &mut out);
        out
    }

    /// Applies `f` to every value (verbatim pieces and value arguments): the secret
    /// scrubber and the length cap run here, before anything is rendered.
    pub fn map_values(&mut self, f: &mut impl FnMut(&mut String)) {
        for p in &mut self.0 {
            match p {
                Piece::Value(v) => f(v),
                Piece::Msg(m) => {
                    for (_, a) in &mut m.args {
                        match a {
                            Arg::Value(v) => f(v),
                            Arg::Text(t) => t.map_values(f),
                        }
                    }
                }
                Piece::Space | Piece::Break => {}
            }
        }
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(lang()))
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(lang()))
    }
}

/// `--json` text fields follow the language, like every other face.
impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.render(lang()))
    }
}

impl Serialize for Msg {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.render(lang()))
    }
}

impl From<Msg> for Text {
    fn from(m: Msg) -> Text {
        Text(vec![Piece::Msg(m)])
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::value(s)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::value(s)
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Text {
        Text::value(s.clone())
    }
}

impl From<&Text> for Text {
    fn from(t: &Text) -> Text {
        t.clone()
    }
}

impl From<Text> for Arg {
    fn from(t: Text) -> Arg {
        Arg::Text(t)
    }
}

impl From<&Text> for Arg {
    fn from(t: &Text) -> Arg {
        Arg::Text(t.clone())
    }
}

impl From<Msg> for Arg {
    fn from(m: Msg) -> Arg {
        Arg::Text(m.into())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Value(s)
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Value(s.clone())
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Value(s.to_string())
    }
}

impl From<Cow<'_, str>> for Arg {
    fn from(s: Cow<'_, str>) -> Arg {
        Arg::Value(s.into_owned())
    }
}

macro_rules! number_args {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Value(n.to_string())
            }
        }
    )*};
}
number_args!(u8, u16, u32, u64, usize, i32, i64, f64);
