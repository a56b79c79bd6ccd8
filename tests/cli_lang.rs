//! The CLI speaks the process language (issue 10): `--help` from the catalogue, `--json`
//! text fields in the language with keys, ids and statuses unchanged, and no Japanese at all
//! under `LC_ALL=C` or `--lang en`, whatever `LANG` says.

mod common;
use clap::CommandFactory;
use common::*;
use std::path::Path;

fn has_japanese(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c as u32,
            0x3000..=0x303F   // CJK punctuation (、。)
            | 0x3040..=0x30FF // hiragana, katakana
            | 0x4E00..=0x9FFF // kanji
            | 0xFF00..=0xFFEF) // full-width forms
    })
}

/// The binary with a clean environment, `HOME`/`TMPDIR`/cwd in `dir`, and `lang_env`.
fn run_with(dir: &Path, lang_env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wif-doctor"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("TMPDIR", dir)
        .env("WIF_DOCTOR_SYSROOT", dir)
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .args(args);
    for (k, v) in lang_env {
        cmd.env(k, v);
    }
    let r = run_child(cmd, None, RUN_DEADLINE);
    assert!(!r.stderr.contains("panicked at"), "panic:\n{}", r.all());
    assert!(!looks_like_jwt_in(&r.all()), "a JWT leaked:\n{}", r.all());
    r
}

const JA: &[(&str, &str)] = &[("LANG", "ja_JP.UTF-8")];

#[test]
fn help_is_japanese_under_a_japanese_locale_and_english_with_lang_en() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["--help"][..],
        &["-h"],
        &["config", "--help"],
        &["subject-token", "--help"],
        &["simulate", "--help"],
        &["help", "report"],
    ] {
        let ja = run_with(dir.path(), JA, args);
        assert_eq!(ja.code, 0, "{args:?}:\n{}", ja.all());
        assert!(has_japanese(&ja.stdout), "{args:?} in ja:\n{}", ja.stdout);
        assert!(ja.stdout.contains("使い方:"), "{args:?}:\n{}", ja.stdout);

        let mut en_args = vec!["--lang", "en"];
        en_args.extend_from_slice(args);
        let en = run_with(dir.path(), JA, &en_args);
        assert_eq!(en.code, 0, "{en_args:?}:\n{}", en.all());
        assert!(!has_japanese(&en.all()), "{en_args:?}:\n{}", en.all());
        assert!(en.stdout.contains("Usage:"), "{en_args:?}:\n{}", en.stdout);
    }
    // The flag's values and the commands stay as they are in Japanese.
    let ja = run_with(dir.path(), JA, &["config", "--help"]);
    for value in [
        "--form",
        "--executable-timeout-millis",
        "subject-token",
        "url",
        "executable",
    ] {
        assert!(ja.stdout.contains(value), "{value}:\n{}", ja.stdout);
    }
    // WIF_DOCTOR_LANG and --lang=ja also choose Japanese.
    let r = run_with(dir.path(), &[("WIF_DOCTOR_LANG", "ja")], &["--help"]);
    assert!(has_japanese(&r.stdout));
    let r = run_with(dir.path(), &[], &["--lang=ja", "check", "--help"]);
    assert!(has_japanese(&r.stdout), "{}", r.stdout);
}

#[test]
fn every_argument_and_command_has_help_in_both_languages() {
    fn walk(cmd: &clap::Command, sub: Option<&str>, problems: &mut Vec<String>) {
        let name = sub.unwrap_or("root");
        let about = format!("cli.help.{name}.about");
        check(&about, problems);
        for a in cmd.get_arguments() {
            let id = a.get_id().as_str();
            let keys = wif_doctor::cli::help_keys(sub, id);
            match keys.iter().find(|k| wif_doctor::i18n::has_key(k)) {
                Some(k) => check(k, problems),
                None => problems.push(format!("{name}: --{id} has no {keys:?}")),
            }
        }
        for s in cmd.get_subcommands() {
            walk(s, Some(s.get_name()), problems);
        }
    }
    fn check(key: &str, problems: &mut Vec<String>) {
        match wif_doctor::i18n::lookup(key) {
            None => problems.push(format!("{key} missing")),
            Some(t) => {
                if t.en.is_none() || t.ja.as_deref().is_none_or(|ja| !has_japanese(ja)) {
                    problems.push(format!("{key}: needs en and Japanese ja"));
                }
            }
        }
    }
    let mut cmd = wif_doctor::cli::Cli::command();
    cmd.build();
    let mut problems = Vec::new();
    walk(&cmd, None, &mut problems);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every key of `a` is in `b` and the reverse, arrays have the same lengths, and the fields
/// that are values (ids, statuses, booleans, numbers) are equal; text may differ.
fn same_shape(
    a: &serde_json::Value,
    b: &serde_json::Value,
    path: &str,
    problems: &mut Vec<String>,
) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let kx: Vec<_> = x.keys().collect();
            let ky: Vec<_> = y.keys().collect();
            if kx != ky {
                problems.push(format!("{path}: keys {kx:?} vs {ky:?}"));
                return;
            }
            for (k, v) in x {
                same_shape(v, &y[k], &format!("{path}.{k}"), problems);
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                problems.push(format!("{path}: {} vs {} items", x.len(), y.len()));
                return;
            }
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                same_shape(v, w, &format!("{path}[{i}]"), problems);
            }
        }
        (Value::String(x), Value::String(y)) => {
            let last = path.rsplit('.').next().unwrap_or("");
            let value_field =
                matches!(last, "id" | "status" | "check" | "kind" | "source" | "code");
            if value_field && x != y {
                problems.push(format!("{path}: {x:?} vs {y:?}"));
            }
        }
        (x, y) => {
            if std::mem::discriminant(x) != std::mem::discriminant(y) {
                problems.push(format!("{path}: {x} vs {y}"));
            } else if !x.is_string() && !x.is_number() && x != y {
                // Numbers are times and durations (they differ between two runs).
                problems.push(format!("{path}: {x} vs {y}"));
            }
        }
    }
}

#[test]
fn check_json_has_the_same_keys_ids_and_statuses_in_english_and_japanese() {
    let dir = tempfile::tempdir().unwrap();
    for scenario in ["--demo", "--demo=audience-mismatch"] {
        let en = run_with(dir.path(), &[("LANG", "C")], &["check", scenario, "--json"]);
        let ja = run_with(dir.path(), JA, &["check", scenario, "--json"]);
        assert_eq!(en.code, ja.code, "{scenario}:\n{}\n{}", en.all(), ja.all());
        let (en_v, ja_v) = (en.json(), ja.json());
        let mut problems = Vec::new();
        same_shape(&en_v, &ja_v, "", &mut problems);
        assert!(problems.is_empty(), "{scenario}:\n{}", problems.join("\n"));
        assert!(!has_japanese(&en.stdout), "{scenario} en:\n{}", en.stdout);
        assert!(has_japanese(&ja.stdout), "{scenario} ja:\n{}", ja.stdout);
        // The ids are the same, in the same order.
        let ids = |v: &serde_json::Value| -> Vec<String> {
            v["checks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| format!("{} {}", c["id"], c["status"]))
                .collect()
        };
        assert_eq!(ids(&en_v), ids(&ja_v));
    }
}

#[test]
fn no_japanese_under_lc_all_c_or_lang_en_in_any_command() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let report = format!("{d}/r.md");
    let cred = format!("{d}/c.json");
    let runs: &[&[&str]] = &[
        &["--help"],
        &["--demo=list"],
        &["env", "--demo"],
        &["env", "--demo", "--json"],
        &["token", "--demo"],
        &["token", "--demo", "--json"],
        &["values", "--demo"],
        &["values", "--demo", "--json"],
        &["check", "--demo"],
        &["check", "--demo=audience-mismatch"],
        &["check", "--demo", "--json"],
        &["config", "--demo", "--stdout"],
        &["config", "--demo", "--force", "--output", &cred],
        &["config", "--demo", "--output", &cred],
        &["config", "--demo", "--form", "executable", "--stdout"],
        &["report", "--demo", "--force", "--output", &report],
        &["subject-token", "--demo=identity-500"],
        &["decode", "not-a-token"],
        &["decode", "@/nonexistent/token.txt"],
        &["check", "--demo=no-such-scenario"],
        &["config", "--form", "bogus"],
        &["simulate", "--demo"],
        &["env"],
        &["check"],
    ];
    for args in runs {
        for (how, env, extra) in [
            (
                "LC_ALL=C",
                &[("LANG", "ja_JP.UTF-8"), ("LC_ALL", "C")][..],
                &[][..],
            ),
            ("--lang en", JA, &["--lang", "en"][..]),
        ] {
            let mut all_args: Vec<&str> = extra.to_vec();
            all_args.extend_from_slice(args);
            let r = run_with(dir.path(), env, &all_args);
            assert!(!has_japanese(&r.all()), "{how} {all_args:?}:\n{}", r.all());
            if args[0] == "report" {
                let text = std::fs::read_to_string(&report).unwrap();
                assert!(!has_japanese(&text), "{how}: report:\n{text}");
            }
        }
    }
}

#[test]
fn japanese_cli_text_keeps_values_and_commands() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.md").display().to_string();
    // The report: headings in Japanese, values and check ids as they are.
    let r = run_with(dir.path(), JA, &["report", "--demo", "--output", &report]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(has_japanese(&r.stdout), "{}", r.stdout);
    assert!(r.stdout.contains(&report), "{}", r.stdout);
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.starts_with("# wif-doctor サポート レポート"), "{text}");
    for heading in [
        "## 概要",
        "## 設定",
        "## 環境",
        "## トークン",
        "## チェック",
    ] {
        assert!(text.contains(heading), "{heading}:\n{text}");
    }
    assert!(text.contains("PASS `"), "{text}");
    assert!(text.contains("| 123456789012 |"), "{text}");
    assert!(text.contains("`token.claims`"), "{text}");
    // The checklist's summary line and a usage error.
    let r = run_with(dir.path(), JA, &["check", "--demo"]);
    assert!(r.stdout.contains("合格"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("wif-doctor check: Azure マネージド ID -> Google Cloud")
    );
    let r = run_with(dir.path(), JA, &["simulate", "--demo"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(
            "wif-doctor: 使い方の誤り: simulate では --demo ではなく --scenario を指定します"
        ),
        "{}",
        r.stderr
    );
    // The executable-source protocol: the code and the structure stay, the message is Japanese.
    let r = run_with(
        dir.path(),
        &[
            ("LANG", "ja_JP.UTF-8"),
            ("GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE", "1"),
        ],
        &["subject-token", "--demo"],
    );
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    let mut keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["code", "message", "success", "version"]);
    assert!(
        r.stdout.starts_with(
            r#"{"version":1,"success":false,"code":"interactive_unsupported","message":""#
        ),
        "{}",
        r.stdout
    );
    assert_eq!(v["code"], "interactive_unsupported");
    let message = v["message"].as_str().unwrap();
    assert!(has_japanese(message), "{message}");
    assert!(
        message.contains("GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE=1"),
        "{message}"
    );
}
