//! The catalogues: every TOML file under `assets/i18n/`, compiled in and flattened once into
//! one key → template map.
//!
//! Flattening: a table holding `en`/`ja` (or `all`, for language-neutral text such as a
//! command) is one template, keyed by its dotted path; an array element with an `id` string
//! starts a new path at that id (structured catalogues: match rules plus texts). Every other
//! value is data for the catalogue's own loader (`source`) and ignored here.

use super::Lang;
use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

macro_rules! files {
    ($($stem:literal),* $(,)?) => {
        /// (file stem, contents), in load order. A key's first segment is its file's stem.
        pub const FILES: &[(&str, &str)] = &[
            $(($stem, include_str!(concat!("../../assets/i18n/", $stem, ".toml")))),*
        ];
    };
}

files!(
    "check",
    "ui",
    "cli",
    "report",
    "sts",
    "audience",
    "google_api",
    "google",
    "identity",
    "azure",
    "lint",
    "settings",
    "claims",
    "gcp",
    "executable",
    "tls",
    "files",
);

/// One message in every language.
#[derive(Debug, Clone, Default)]
pub struct Template {
    pub en: Option<String>,
    pub ja: Option<String>,
    /// The same in every language (a command, a URL pattern).
    pub all: Option<String>,
    /// The file it came from.
    pub file: &'static str,
}

impl Template {
    pub fn get(&self, lang: Lang) -> Option<&str> {
        self.all
            .as_deref()
            .or(match lang {
                Lang::En => self.en.as_deref(),
                Lang::Ja => self.ja.as_deref(),
            })
            .or(self.en.as_deref())
    }
}

struct Loaded {
    map: HashMap<String, Template>,
    /// (key, file) in file order, duplicates included (the tests reject them).
    order: Vec<(String, &'static str)>,
    errors: Vec<String>,
}

fn loaded() -> &'static Loaded {
    static L: OnceLock<Loaded> = OnceLock::new();
    L.get_or_init(|| {
        let mut l = Loaded {
            map: HashMap::new(),
            order: Vec::new(),
            errors: Vec::new(),
        };
        for (stem, src) in FILES {
            match src.parse::<toml::Table>() {
                Ok(t) => flatten(&mut l, stem, "", &t),
                Err(e) => l.errors.push(format!("assets/i18n/{stem}.toml: {e}")),
            }
        }
        l
    })
}

fn flatten(l: &mut Loaded, file: &'static str, path: &str, t: &toml::Table) {
    let text = |k: &str| t.get(k).and_then(|v| v.as_str()).map(str::to_string);
    if t.contains_key("en") || t.contains_key("ja") || t.contains_key("all") {
        l.order.push((path.to_string(), file));
        l.map.insert(
            path.to_string(),
            Template {
                en: text("en"),
                ja: text("ja"),
                all: text("all"),
                file,
            },
        );
        return;
    }
    for (k, v) in t {
        let sub = if path.is_empty() {
            k.clone()
        } else {
            format!("{path}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(l, file, &sub, t),
            toml::Value::Array(a) => {
                for item in a {
                    if let toml::Value::Table(t) = item
                        && let Some(id) = t.get("id").and_then(|v| v.as_str())
                    {
                        flatten(l, file, id, t);
                    }
                }
            }
            _ => {}
        }
    }
}

pub fn lookup(key: &str) -> Option<&'static Template> {
    loaded().map.get(key)
}

pub fn has_key(key: &str) -> bool {
    lookup(key).is_some()
}

/// Every template as (key, template), in file order; then any parse errors as `Err`.
pub fn entries() -> (Vec<(&'static str, &'static Template)>, &'static [String]) {
    let l = loaded();
    let v = l
        .order
        .iter()
        .map(|(k, _)| (k.as_str(), &l.map[k]))
        .collect();
    (v, &l.errors)
}

/// The raw text of one catalogue file, for a structured catalogue's own loader.
pub fn source(stem: &str) -> &'static str {
    FILES
        .iter()
        .find(|(s, _)| *s == stem)
        .map(|(_, c)| *c)
        .unwrap_or("")
}

/// `true` when `key` is a language-neutral template (`all`).
pub fn neutral_key(key: &str) -> bool {
    lookup(key).is_some_and(|t| t.all.is_some())
}

/// The `{placeholder}` names in a template (`{{` and `}}` are literal braces).
pub fn placeholders(template: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    render_template(template, &mut String::new(), |name, _| {
        out.insert(name.to_string());
        true
    });
    out
}

/// Fills `template` into `out`; `fill(name, out)` writes a placeholder's value and returns
/// false when it has none (then `{name}` stays visible).
pub fn render_template(
    template: &str,
    out: &mut String,
    mut fill: impl FnMut(&str, &mut String) -> bool,
) {
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
        if c == b'{'
            && let Some(end) = after.find('}')
            && after[..end]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && end > 0
        {
            let name = &after[..end];
            if !fill(name, out) {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
            rest = &after[end + 1..];
            continue;
        }
        out.push(c as char);
        rest = after;
    }
    out.push_str(rest);
}
