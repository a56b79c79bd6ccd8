//! The jwt module as the CLI sees it: decode, summarise, print.
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use wif_doctor::jwt::{self, TokenVersion};

fn token(claims: serde_json::Value) -> String {
    format!(
        "{}.{}.c2ln",
        URL_SAFE_NO_PAD.encode(json!({"typ": "JWT", "alg": "RS256", "kid": "k"}).to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

#[test]
fn summary_json_shape() {
    let t = token(json!({
        "aud": "api://gcp-wif", "iss": "https://sts.windows.net/tid-1/", "ver": "1.0",
        "sub": "oid-1", "oid": "oid-1", "tid": "tid-1", "appid": "client-1",
        "iat": 1_000, "nbf": 1_000, "exp": "87400",
    }));
    let s = jwt::summarize(&format!("Bearer {t}\n"), 1_000).unwrap();
    let v = serde_json::to_value(&s).unwrap();
    assert_eq!(v["sha256"], jwt::sha256_hex(&t));
    assert_eq!(v["version"], "v1");
    assert_eq!(v["header"]["alg"], "RS256");
    assert_eq!(v["header"]["x5t"], serde_json::Value::Null);
    assert_eq!(v["identity"]["client_id"], "client-1");
    assert_eq!(v["times"]["exp"]["utc"], "1970-01-02 00:16:40 UTC");
    assert_eq!(v["times"]["exp"]["relative"], "in 24 h");
    assert_eq!(v["times"]["iat"]["relative"], "now");
    assert_eq!(v["claims"]["exp"], "87400");
    assert!(
        s.notes
            .iter()
            .any(|n| n.en().contains("not its client ID (appid/azp = client-1)"))
    );
    assert_eq!(jwt::decode(&t).unwrap().version(), TokenVersion::V1);
    // The secret-free identifier is stable across paste variants and never the token.
    assert_ne!(jwt::sha256_hex(&t), t);
}

#[test]
fn errors_are_single_line() {
    for input in [
        "",
        "abc",
        "a.b",
        "a.b.c.d.e",
        "!!!.e30.sig",
        "e30.!!!.sig",
        "W10.e30.sig",
    ] {
        let e = jwt::decode(input).unwrap_err().to_string();
        assert!(
            e.starts_with("not a JWT: ") && !e.contains('\n'),
            "{input}: {e}"
        );
    }
}
