//! The catalogues under `assets/i18n/` are complete in both languages (issue 10): every
//! template has English and Japanese with the same placeholders, keys are unique and start
//! with their file's name, every file is compiled in, and every key the code names exists.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use wif_doctor::i18n::{FILES, Lang, entries, has_key, placeholders};

fn has_japanese(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
    })
}

#[test]
fn every_catalogue_parses_and_is_compiled_in() {
    let (_, errors) = entries();
    assert!(errors.is_empty(), "{errors:#?}");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/i18n");
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let compiled: BTreeSet<String> = FILES.iter().map(|(s, _)| s.to_string()).collect();
    assert_eq!(
        on_disk, compiled,
        "assets/i18n/*.toml vs FILES in src/i18n/catalogue.rs"
    );
}

#[test]
fn every_template_has_both_languages_with_the_same_placeholders() {
    let (all, _) = entries();
    let mut problems = Vec::new();
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (key, t) in &all {
        if let Some(first) = seen.insert(key, t.file) {
            problems.push(format!(
                "{key}: defined twice ({first}.toml, {}.toml)",
                t.file
            ));
        }
        if key.split('.').next() != Some(t.file) {
            problems.push(format!(
                "{key}: in {}.toml but does not start with `{}.`",
                t.file, t.file
            ));
        }
        match (&t.en, &t.ja, &t.all) {
            (None, None, Some(_)) => continue,
            (Some(en), Some(ja), None) => {
                let (pe, pj) = (placeholders(en), placeholders(ja));
                if pe != pj {
                    problems.push(format!("{key}: placeholders differ: en {pe:?}, ja {pj:?}"));
                }
                let words = en
                    .split_whitespace()
                    .filter(|w| w.chars().any(char::is_alphabetic))
                    .count();
                if words >= 3 && !has_japanese(ja) {
                    problems.push(format!("{key}: the ja text is not Japanese: {ja:?}"));
                }
            }
            (None, _, None) => problems.push(format!("{key}: no English")),
            (_, None, None) => problems.push(format!("{key}: no Japanese")),
            _ => problems.push(format!("{key}: `all` together with en/ja")),
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Keys the code names literally: `msg!("k"`, `tr!("k"`, `Msg::new("k"`.
#[test]
fn every_key_named_in_code_exists() {
    fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let src = std::fs::read_to_string(&p).unwrap();
                for pat in ["msg!(\"", "tr!(\"", "Msg::new(\""] {
                    for (i, _) in src.match_indices(pat) {
                        let before = src[..i].chars().next_back().unwrap_or(' ');
                        let line = &src[src[..i].rfind('\n').map_or(0, |n| n + 1)..i];
                        if before.is_alphanumeric()
                            || before == '_'
                            || line.trim_start().starts_with("//")
                        {
                            continue;
                        }
                        let rest = &src[i + pat.len()..];
                        let key = &rest[..rest.find('"').unwrap_or(0)];
                        out.push((p.display().to_string(), key.to_string()));
                    }
                }
            }
        }
    }
    let mut named = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut named,
    );
    let missing: Vec<String> = named
        .iter()
        .filter(|(_, k)| !k.contains('{') && !has_key(k))
        .map(|(f, k)| format!("{f}: {k}"))
        .collect();
    assert!(
        missing.is_empty(),
        "keys not in assets/i18n/:\n{}",
        missing.join("\n")
    );
}

#[test]
fn check_titles_render_in_both_languages() {
    use wif_doctor::checks::CheckId;
    for id in CheckId::ALL {
        let en = id.title().render(Lang::En);
        let ja = id.title().render(Lang::Ja);
        assert!(!en.starts_with("check."), "{en}");
        assert!(has_japanese(&ja), "{ja}");
    }
}

#[test]
fn templates_fill_typed_values_and_keep_literal_braces() {
    let mut out = String::new();
    wif_doctor::i18n::render_template("a {x} {{y}} {missing} }", &mut out, |n, o| {
        if n == "x" {
            o.push('1');
            true
        } else {
            false
        }
    });
    assert_eq!(out, "a 1 {y} {missing} }");
    assert_eq!(
        placeholders("{a} and {b_2} but not {{c}}"),
        ["a", "b_2"].iter().map(|s| s.to_string()).collect()
    );
}
