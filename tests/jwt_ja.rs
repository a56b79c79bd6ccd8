//! The token decoder's words in Japanese (issue 10): errors and notes are Japanese, and
//! still carry the values (counts, claim values, hints) exactly as they are.
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use wif_doctor::i18n::Lang;
use wif_doctor::jwt;

fn japanese(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'))
}

fn token(header: serde_json::Value, claims: serde_json::Value) -> String {
    format!(
        "{}.{}.c2ln",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

#[test]
fn decode_errors_in_japanese_keep_their_numbers_and_stay_one_line() {
    let ja = |input: &str| jwt::decode(input).unwrap_err().message().render(Lang::Ja);
    let e = ja("a.b.c.d");
    assert!(
        e.starts_with("JWT ではありません: ") && e.contains("4 つ"),
        "{e}"
    );
    let e = ja("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0");
    assert!(e.contains("署名セグメントがありません"), "{e}");
    let e = ja("eyJhbGciOiJSUzI1NiJ9.eyJz+WIiOiJ4In0.sig");
    assert!(
        e.contains("ペイロードセグメント") && e.contains("バイト位置 4") && e.contains("'+'"),
        "{e}"
    );
    let e = ja(&"x".repeat(70_000));
    assert!(e.contains("70000 バイト") && e.contains("65536"), "{e}");
    for input in ["", "a.b.c.d.e", "W10.e30.sig", "e30.eyJ.sig"] {
        let e = ja(input);
        assert!(japanese(&e) && !e.contains('\n'), "{input}: {e}");
        let en = jwt::decode(input).unwrap_err().message().en();
        assert!(
            en.starts_with("not a JWT: ") && !japanese(&en),
            "{input}: {en}"
        );
    }
}

#[test]
fn notes_in_japanese_name_the_claim_values() {
    let t = token(
        json!({"typ": "JWT", "alg": "none"}),
        json!({"aud": ["https://graph.microsoft.com", "api://gcp-wif"],
               "iss": "https://login.microsoftonline.com/tid-1/v2.0", "ver": "2.0",
               "sub": "oid-1", "oid": "oid-1", "tid": "tid-2", "azp": "client-1",
               "iat": 1_000, "exp": 2_000}),
    );
    let s = jwt::summarize(&t, 1_000 + 3 * 3600).unwrap();
    let notes: Vec<String> = s.notes.iter().map(|n| n.render(Lang::Ja)).collect();
    let all = notes.join("\n");
    for n in &notes {
        assert!(japanese(n), "{n}");
    }
    assert!(
        all.contains("\"none\"") && all.contains("署名がない"),
        "{all}"
    );
    assert!(
        all.contains("オブジェクト (プリンシパル) ID") && all.contains("client-1"),
        "{all}"
    );
    assert!(
        all.contains("テナント (tid-1)") && all.contains("`tid` (tid-2)"),
        "{all}"
    );
    assert!(
        all.contains("https://graph.microsoft.com") && all.contains("許可するオーディエンス"),
        "{all}"
    );
    assert!(
        all.contains("2 時間 43 分前") && all.contains("1970-01-01 00:33:20 UTC"),
        "{all}"
    );
    assert!(all.contains("v2.0 トークン"), "{all}");
    // The relative times in --json follow the language: the English rendering has no Japanese.
    let exp = s.times.exp.as_ref().unwrap();
    assert_eq!(exp.relative.en(), "2 h 43 m ago");
    assert_eq!(exp.relative.render(Lang::Ja), "2 時間 43 分前");
}
