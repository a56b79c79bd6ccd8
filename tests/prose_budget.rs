//! Words live in `assets/i18n/`, not in code (issue 10): at most 80 string literals of six
//! or more words in `src/` outside the simulator and tests. Doc comments are not literals;
//! a word is a whitespace-separated run holding a letter (so `{}` and `--` are not words).

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use std::path::{Path, PathBuf};
use std::str::FromStr;

const BUDGET: usize = 80;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn words(literal: &str) -> usize {
    literal
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count()
}

/// `true` for `#[doc ...]` and `#[cfg(test)]` attribute groups.
fn attr_is(g: &proc_macro2::Group, what: &str) -> bool {
    let s = g.stream().to_string();
    let s: String = s.split_whitespace().collect();
    match what {
        "doc" => s.starts_with("doc="),
        _ => s == "cfg(test)",
    }
}

/// Counts prose literals in `ts`, skipping doc attributes and `#[cfg(test)]` items; records
/// the names of `#[cfg(test)] mod name;` files.
fn count(ts: TokenStream, found: &mut Vec<String>, test_mods: &mut Vec<String>) {
    let tokens: Vec<TokenTree> = ts.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                // `#![doc = ...]` (inner) or `#[...]`.
                if matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!') {
                    i += 1;
                }
                if let Some(TokenTree::Group(g)) = tokens.get(i + 1)
                    && g.delimiter() == Delimiter::Bracket
                {
                    if attr_is(g, "doc") {
                        i += 2;
                        continue;
                    }
                    if attr_is(g, "cfg(test)") {
                        // Skip the item: up to its brace group or `;`.
                        let mut j = i + 2;
                        let mut ident_after_mod = false;
                        while j < tokens.len() {
                            match &tokens[j] {
                                TokenTree::Ident(id) if id == "mod" => ident_after_mod = true,
                                TokenTree::Ident(id) if ident_after_mod => {
                                    test_mods.push(id.to_string());
                                    ident_after_mod = false;
                                }
                                TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => break,
                                TokenTree::Punct(p) if p.as_char() == ';' => break,
                                _ => {}
                            }
                            j += 1;
                        }
                        i = j + 1;
                        continue;
                    }
                }
            }
            TokenTree::Group(g) => count(g.stream(), found, test_mods),
            TokenTree::Literal(l) => {
                let s = l.to_string();
                let is_str = s.starts_with('"') || s.starts_with("r\"") || s.starts_with("r#");
                if is_str && words(&s) >= 6 {
                    found.push(s);
                }
            }
            _ => {}
        }
        i += 1;
    }
}

#[test]
fn prose_in_code_stays_within_budget() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    let mut skipped: Vec<PathBuf> = vec![root.join("sim")];
    let mut per_file: Vec<(String, Vec<String>)> = Vec::new();
    // Two passes: the first learns which files are `#[cfg(test)] mod x;`.
    for pass in 0..2 {
        per_file.clear();
        for f in &files {
            if skipped.iter().any(|s| f.starts_with(s) || f == s) {
                continue;
            }
            let src = std::fs::read_to_string(f).unwrap();
            let ts =
                TokenStream::from_str(&src).unwrap_or_else(|e| panic!("{}: {e:?}", f.display()));
            let (mut found, mut test_mods) = (Vec::new(), Vec::new());
            count(ts, &mut found, &mut test_mods);
            if pass == 0 {
                let dir = if f
                    .file_name()
                    .is_some_and(|n| n == "mod.rs" || n == "lib.rs")
                {
                    f.parent().unwrap().to_path_buf()
                } else {
                    f.with_extension("")
                };
                for m in test_mods {
                    skipped.push(dir.join(format!("{m}.rs")));
                    skipped.push(dir.join(&m));
                }
            }
            if !found.is_empty() {
                let rel = f.strip_prefix(&root).unwrap().display().to_string();
                per_file.push((rel, found));
            }
        }
    }
    let total: usize = per_file.iter().map(|(_, v)| v.len()).sum();
    per_file.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
    let mut report = String::new();
    for (f, v) in &per_file {
        report.push_str(&format!("{:4} src/{f}\n", v.len()));
    }
    if std::env::var_os("PROSE_LIST").is_some() {
        for (f, v) in &per_file {
            for l in v {
                eprintln!("src/{f}: {l}");
            }
        }
    }
    eprintln!("{total} prose literals in src/ (budget {BUDGET}):\n{report}");
    assert!(
        total <= BUDGET,
        "{total} string literals of six or more words in src/ (budget {BUDGET}); move them to assets/i18n/ (PROSE_LIST=1 lists them):\n{report}"
    );
}

#[test]
fn the_counter_sees_literals_and_skips_docs_and_test_modules() {
    let src = r##"
        //! an inner doc comment with many many words in it
        /// a doc comment with many many words in it
        fn f() { let _ = format!("one two three four five six {}", 1); let _ = r#"a b c d e f"#; }
        #[cfg(test)]
        mod tests { fn g() { let _ = "one two three four five six seven"; } }
        #[cfg(test)]
        mod more;
        fn h() { let _ = "{} {} -- {}: five words only here"; }
    "##;
    let (mut found, mut mods) = (Vec::new(), Vec::new());
    count(TokenStream::from_str(src).unwrap(), &mut found, &mut mods);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(mods, vec!["tests".to_string(), "more".to_string()]);
}
