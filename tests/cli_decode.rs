//! `wif-doctor decode`: local decoding; malformed input is one line, exit 1, no panic.

mod common;
use common::*;
use wif_doctor::sim::{Scenario, TokenVersion};

#[test]
fn decodes_from_stdin_file_and_argument_without_echoing_the_token() {
    let w = World::new(Scenario::Healthy);
    let token = w.sim.mint_token(TokenVersion::V1);
    let r = w.run_stdin(
        &w.base_env(),
        &["decode", "--json"],
        Some(token.clone().into_bytes()),
    );
    assert_eq!(r.code, 0, "{}", r.all());
    let j = r.json();
    assert_eq!(j["identity"]["sub"], w.sim.system_identity().object_id);
    assert_eq!(j["version"], "v1");
    assert_eq!(j["sha256"].as_str().unwrap().len(), 64);

    let file = w.dir.path().join("t.jwt");
    std::fs::write(&file, &token).unwrap();
    let arg = format!("@{}", file.display());
    let r = w.run(&w.base_env(), &["decode", &arg]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains("expires"), "{}", r.stdout);
    assert!(
        w.sim.requests().is_empty(),
        "decoding never touches the network"
    );
}

#[test]
fn malformed_inputs_fail_in_one_line() {
    let w = World::new(Scenario::Healthy);
    let html =
        b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>...</body></html>".to_vec();
    let huge: Vec<u8> = (0..10 * 1024 * 1024)
        .map(|i| b"abcdefgh.-_"[i % 11])
        .collect();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("one segment", b"not-a-token".to_vec()),
        (
            "two segments",
            b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0".to_vec(),
        ),
        ("bad base64", b"eyJhbGciOiJSUzI1NiJ9.%%%%.sig".to_vec()),
        ("non-JSON", b"bm90IGpzb24.bm90IGpzb24.c2ln".to_vec()),
        ("html page", html),
        ("10 MB of garbage", huge),
        ("empty", Vec::new()),
    ];
    for (what, input) in cases {
        let r = w.run_stdin(&w.base_env(), &["decode"], Some(input));
        assert_eq!(r.code, 1, "{what}: {}", r.all());
        assert!(r.stdout.is_empty(), "{what}");
        assert_eq!(
            r.stderr.lines().count(),
            1,
            "{what}: one line: {}",
            r.stderr
        );
        assert!(
            r.stderr.starts_with("wif-doctor: error: not a JWT"),
            "{what}: {}",
            r.stderr
        );
        assert!(r.stderr.len() < 300, "{what}: short: {}", r.stderr);
    }
}

#[test]
fn decode_ignores_settings_it_does_not_need() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.base_env();
    set(&mut env, "WIF_DOCTOR_TIMEOUT", "not-a-duration");
    let token = w.sim.mint_token(TokenVersion::V2);
    let r = w.run_stdin(&env, &["decode", "--json"], Some(token.into_bytes()));
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["version"], "v2");
}

fn japanese(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'))
}

/// Issue 10: under a Japanese locale the decoder speaks Japanese and keeps the values (the
/// claim values, the relative times' numbers); `LC_ALL=C` and `--lang en` print no Japanese.
#[test]
fn decode_speaks_the_locale_and_keeps_the_values() {
    let w = World::new(Scenario::Healthy);
    let token = w.sim.mint_token(TokenVersion::V1);
    let sub = w.sim.system_identity().object_id.clone();

    let mut ja = w.base_env();
    set(&mut ja, "LANG", "ja_JP.UTF-8");
    let r = w.run_stdin(&ja, &["decode"], Some(token.clone().into_bytes()));
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(japanese(&r.stdout), "{}", r.stdout);
    assert!(r.stdout.contains(&sub), "{}", r.stdout);
    assert!(r.stdout.contains("v1.0 トークン"), "{}", r.stdout);
    let r = w.run_stdin(&ja, &["decode", "--json"], Some(token.clone().into_bytes()));
    let rel = r.json()["times"]["exp"]["relative"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(rel.ends_with('後') && rel.contains("時間"), "{rel}");

    let r = w.run_stdin(&ja, &["decode"], Some(b"a.b.c.d".to_vec()));
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stderr.contains("JWT ではありません") && r.stderr.contains("4 つ"),
        "{}",
        r.stderr
    );

    for (var, value, args) in [
        ("LC_ALL", "C", vec!["decode"]),
        ("LANG", "ja_JP.UTF-8", vec!["--lang", "en", "decode"]),
    ] {
        let mut env = w.base_env();
        set(&mut env, "LANG", "ja_JP.UTF-8");
        set(&mut env, var, value);
        let r = w.run_stdin(&env, &args, Some(token.clone().into_bytes()));
        assert_eq!(r.code, 0, "{}", r.all());
        assert!(!japanese(&r.all()), "{var}={value} {args:?}: {}", r.all());
        assert!(r.stdout.contains("v1.0 token"), "{}", r.stdout);
    }
}
