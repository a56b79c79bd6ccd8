use super::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use std::time::{Duration, Instant};

const TID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OID: &str = "3f1a9e5c-0b7d-4c2e-9a51-6d2f8e4b7c10";
const APPID: &str = "a1b2c3d4-1111-2222-3333-444455556666";

fn b64(v: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

fn token(header: serde_json::Value, claims: serde_json::Value) -> String {
    format!("{}.{}.c2lnbmF0dXJl", b64(&header), b64(&claims))
}

fn v1_token() -> String {
    token(
        json!({"typ": "JWT", "alg": "RS256", "x5t": "kid-1", "kid": "kid-1"}),
        json!({
            "aud": "https://management.azure.com/",
            "iss": format!("https://sts.windows.net/{TID}/"),
            "iat": 1_692_158_288, "nbf": 1_692_158_288, "exp": 1_692_244_988,
            "appid": APPID, "appidacr": "2", "idtyp": "app",
            "oid": OID, "sub": OID, "tid": TID, "ver": "1.0",
            "xms_mirid": "/subscriptions/s/resourcegroups/rg/providers/Microsoft.Web/sites/app",
        }),
    )
}

fn v2_token() -> String {
    token(
        json!({"typ": "JWT", "alg": "RS256", "kid": "kid-2"}),
        json!({
            "aud": "0d7c2c2f-aaaa-bbbb-cccc-000000000001",
            "iss": format!("https://login.microsoftonline.com/{TID}/v2.0"),
            "iat": "1692158288", "nbf": "1692158288", "exp": "1692244988",
            "azp": APPID, "azpacr": "2", "idtyp": "app",
            "oid": OID, "sub": OID, "tid": TID, "ver": "2.0",
        }),
    )
}

#[test]
fn decodes_v1() {
    let t = decode(&v1_token()).unwrap();
    assert_eq!(t.alg(), Some("RS256"));
    assert_eq!(t.kid(), Some("kid-1"));
    assert_eq!(t.x5t(), Some("kid-1"));
    assert_eq!(t.typ(), Some("JWT"));
    assert_eq!(
        t.iss(),
        Some(format!("https://sts.windows.net/{TID}/").as_str())
    );
    assert_eq!(t.aud(), vec!["https://management.azure.com/".to_string()]);
    assert_eq!(t.sub(), Some(OID));
    assert_eq!(t.oid(), Some(OID));
    assert_eq!(t.tid(), Some(TID));
    assert_eq!(t.client_id(), Some(APPID));
    assert_eq!(t.client_id_claim(), Some("appid"));
    assert!(t.mirid().unwrap().ends_with("/sites/app"));
    assert_eq!(t.iat(), Some(1_692_158_288));
    assert_eq!(t.exp(), Some(1_692_244_988));
    assert_eq!(t.version(), TokenVersion::V1);
    assert_eq!(
        t.issuer_kind(),
        IssuerKind::Entra {
            cloud: AzureCloud::PublicOrUsGovernment,
            version: TokenVersion::V1,
            tenant: TID.to_string()
        }
    );
}

#[test]
fn decodes_v2_with_numeric_string_times() {
    let t = decode(&v2_token()).unwrap();
    assert_eq!(t.x5t(), None);
    assert_eq!(t.client_id(), Some(APPID));
    assert_eq!(t.client_id_claim(), Some("azp"));
    assert_eq!(t.iat(), Some(1_692_158_288));
    assert_eq!(t.nbf(), Some(1_692_158_288));
    assert_eq!(t.exp(), Some(1_692_244_988));
    assert_eq!(t.version(), TokenVersion::V2);
    assert!(matches!(
        t.issuer_kind(),
        IssuerKind::Entra {
            cloud: AzureCloud::Public,
            version: TokenVersion::V2,
            ..
        }
    ));
}

#[test]
fn time_claims_accept_numbers_strings_and_floats() {
    let t = decode(&token(
        json!({"alg": "RS256"}),
        json!({"iat": 10.9, "nbf": " 20 ", "exp": "30.5", "other": true}),
    ))
    .unwrap();
    assert_eq!((t.iat(), t.nbf(), t.exp()), (Some(10), Some(20), Some(30)));
    let t = decode(&token(
        json!({}),
        json!({"exp": "soon", "iat": null, "nbf": []}),
    ))
    .unwrap();
    assert_eq!((t.iat(), t.nbf(), t.exp()), (None, None, None));
}

#[test]
fn aud_array_and_version_from_issuer() {
    let t = decode(&token(
        json!({"alg": "RS256"}),
        json!({"aud": ["a", 1, "b"], "iss": format!("https://sts.chinacloudapi.cn/{TID}")}),
    ))
    .unwrap();
    assert_eq!(t.aud(), vec!["a".to_string(), "b".to_string()]);
    assert_eq!(t.version(), TokenVersion::V1);
    assert!(matches!(
        t.issuer_kind(),
        IssuerKind::Entra {
            cloud: AzureCloud::China,
            ..
        }
    ));
    let t = decode(&token(json!({}), json!({"iss": "https://example.com/"}))).unwrap();
    assert_eq!(t.version(), TokenVersion::Unknown);
    assert_eq!(t.issuer_kind(), IssuerKind::Other);
    assert!(t.aud().is_empty());
}

#[test]
fn classifies_sovereign_issuers() {
    let cases = [
        (
            format!("https://sts.windows.net/{TID}/"),
            AzureCloud::PublicOrUsGovernment,
            TokenVersion::V1,
        ),
        (
            format!("https://login.microsoftonline.com/{TID}/v2.0"),
            AzureCloud::Public,
            TokenVersion::V2,
        ),
        (
            format!("https://login.microsoftonline.us/{TID}/v2.0"),
            AzureCloud::UsGovernment,
            TokenVersion::V2,
        ),
        (
            format!("https://sts.chinacloudapi.cn/{TID}/"),
            AzureCloud::China,
            TokenVersion::V1,
        ),
        (
            format!("https://login.partner.microsoftonline.cn/{TID}/v2.0/"),
            AzureCloud::China,
            TokenVersion::V2,
        ),
        (
            format!("https://login.chinacloudapi.cn/{TID}/v2.0"),
            AzureCloud::China,
            TokenVersion::V2,
        ),
        (
            format!("https://sts.microsoftonline.de/{TID}/"),
            AzureCloud::Germany,
            TokenVersion::V1,
        ),
    ];
    for (iss, cloud, version) in cases {
        assert_eq!(
            classify_issuer(&iss),
            IssuerKind::Entra {
                cloud,
                version,
                tenant: TID.to_string()
            },
            "{iss}"
        );
    }
    for other in [
        format!("http://sts.windows.net/{TID}/"),
        format!("https://sts.windows.net/{TID}/v2.0"),
        format!("https://login.microsoftonline.com/{TID}/"),
        "https://sts.windows.net/".to_string(),
        "https://accounts.google.com".to_string(),
    ] {
        assert_eq!(classify_issuer(&other), IssuerKind::Other, "{other}");
    }
}

#[test]
fn strips_bearer_whitespace_and_quotes() {
    let t = v1_token();
    for input in [
        format!("  {t}\n"),
        format!("Bearer {t}"),
        format!("bearer   {t}\r\n"),
        format!("\"{t}\""),
    ] {
        assert!(decode(&input).is_ok(), "{input:.20}");
        assert_eq!(sha256_hex(&input), sha256_hex(&t));
    }
}

#[test]
fn sha256_is_hex_of_the_token() {
    // SHA-256("abc")
    assert_eq!(
        sha256_hex("abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn tolerates_padding_and_empty_signature() {
    use base64::engine::general_purpose::URL_SAFE;
    let h = URL_SAFE.encode(br#"{"alg":"none"}"#);
    let p = URL_SAFE.encode(br#"{"sub":"x"}"#);
    assert!(h.ends_with('=') || p.ends_with('='));
    let t = decode(&format!("{h}.{p}.")).unwrap();
    assert_eq!(t.sub(), Some("x"));
}

fn err(input: &str) -> String {
    let e = decode(input).unwrap_err().to_string();
    assert!(!e.contains('\n'), "multi-line error: {e}");
    assert!(e.starts_with("not a JWT: "), "{e}");
    assert!(e.len() < 220, "long error: {e}");
    e
}

#[test]
fn malformed_segment_counts() {
    assert_eq!(
        err("eyJhbGciOiJSUzI1NiJ9"),
        "not a JWT: expected 3 dot-separated segments, found 1 (is this the whole access_token value?)"
    );
    assert!(err("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0").contains("signature segment is missing"));
    assert!(err("a.b.c.d.e").contains("encrypted token (JWE)"));
    assert!(err("a.b.c.d").contains("found 4"));
    assert!(err("   ").contains("empty"));
    assert!(err("Bearer ").contains("empty"));
}

#[test]
fn malformed_base64() {
    let good = b64(&json!({"alg": "RS256"}));
    let e = err(&format!("{good}.eyJzdWIiOiJ4In0*.sig"));
    assert_eq!(
        e,
        "not a JWT: the payload segment is not valid base64url (byte 15)"
    );
    let e = err(&format!("{good}.eyJzd+IiOiJ4In0.sig"));
    assert!(
        e.contains("payload segment is not valid base64url (byte 5 is '+' or '/'"),
        "{e}"
    );
    let e = err(&format!("{good}.eyJzdWIi\nOiJ4In0.sig"));
    assert!(e.contains("byte 8 is whitespace or a line break"), "{e}");
    let e = err(&format!("{good}.eyJzdWIiOiJ4In0.si*g"));
    assert!(e.contains("signature segment"), "{e}");
    let e = err(&format!(".{good}.sig"));
    assert_eq!(e, "not a JWT: the header segment is empty");
    let e = err(&format!("{good}.abcde.sig"));
    assert!(
        e.contains("impossible base64url length (5 characters)"),
        "{e}"
    );
}

#[test]
fn malformed_json() {
    let sig = "c2ln";
    let obj = b64(&json!({"alg": "RS256"}));
    let e = err(&format!(
        "{}.{obj}.{sig}",
        URL_SAFE_NO_PAD.encode(b"not json")
    ));
    assert!(
        e.starts_with("not a JWT: the header is not valid JSON ("),
        "{e}"
    );
    let e = err(&format!(
        "{obj}.{}.{sig}",
        URL_SAFE_NO_PAD.encode(b"{\"sub\":")
    ));
    assert_eq!(
        e,
        "not a JWT: the payload is not valid JSON (it ends early)"
    );
    let e = err(&format!("{}.{obj}.{sig}", b64(&json!(["alg", "RS256"]))));
    assert_eq!(
        e,
        "not a JWT: the header is not a JSON object (found an array)"
    );
    let e = err(&format!("{obj}.{}.{sig}", b64(&json!("just a string"))));
    assert_eq!(
        e,
        "not a JWT: the payload is not a JSON object (found a string)"
    );
    let e = err(&format!(
        "{obj}.{}.{sig}",
        URL_SAFE_NO_PAD.encode([0xff, 0xfe, 0x00])
    ));
    assert!(
        e.starts_with("not a JWT: the payload is not valid JSON"),
        "{e}"
    );
}

#[test]
fn errors_never_echo_the_token() {
    let secret = "SECRETSECRETSECRET";
    for input in [
        secret.to_string(),
        format!("{secret}.{secret}"),
        format!("{secret}.{secret}.{secret}"),
        format!("eyJ{secret}*.x.y"),
        format!("{}.{secret}!.sig", b64(&json!({}))),
    ] {
        let e = decode(&input).unwrap_err().to_string();
        assert!(!e.contains("SECRET"), "{e}");
    }
}

#[test]
fn ten_megabytes_of_garbage_is_rejected_quickly() {
    let garbage: String = "x.".repeat(5 * 1024 * 1024);
    let start = Instant::now();
    let e = err(&garbage);
    assert!(
        start.elapsed() < Duration::from_millis(500),
        "{:?}",
        start.elapsed()
    );
    assert!(e.contains("10485760 bytes"), "{e}");
    assert!(e.contains("65536"), "{e}");
    // A token padded with lots of whitespace is still fine.
    let padded = format!(
        "{}{}{}",
        " ".repeat(100_000),
        v1_token(),
        "\n".repeat(100_000)
    );
    assert!(decode(&padded).is_ok());
}

#[test]
fn summary_v1() {
    let now = 1_692_158_288 + 120;
    let s = summarize(&v1_token(), now).unwrap();
    assert_eq!(s.sha256.as_deref(), Some(sha256_hex(&v1_token()).as_str()));
    assert_eq!(s.version, TokenVersion::V1);
    assert_eq!(s.identity.sub.as_deref(), Some(OID));
    assert_eq!(s.identity.client_id.as_deref(), Some(APPID));
    let exp = s.times.exp.as_ref().unwrap();
    assert_eq!(exp.utc, "2023-08-17 04:03:08 UTC");
    assert_eq!(exp.relative.en(), "in 24 h 3 m");
    assert_eq!(s.times.iat.as_ref().unwrap().relative.en(), "2 m ago");
    assert_eq!(s.times.expired, Some(false));
    let notes: Vec<String> = s.notes.iter().map(|n| n.en()).collect();
    assert!(notes.contains(&format!(
        "`sub` is the managed identity's object (principal) ID, not its client ID (appid/azp = {APPID})"
    )));
    assert!(notes.iter().any(|n| n.starts_with("v1.0 token")));
    assert!(notes.iter().any(|n| n.contains("Azure Resource Manager")));
    assert!(!notes.iter().any(|n| n.contains("expired")));

    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["version"], "v1");
    assert_eq!(json["header"]["x5t"], "kid-1");
    assert_eq!(json["identity"]["mirid"], s.claims["xms_mirid"]);
    assert_eq!(json["times"]["exp"]["utc"], "2023-08-17 04:03:08 UTC");
    assert_eq!(json["claims"]["appidacr"], "2");
    assert_eq!(json["issuer_kind"]["kind"], "entra");
    assert_eq!(json["issuer_kind"]["cloud"], "public_or_us_government");
}

#[test]
fn summary_v2_expired() {
    let now = 1_692_244_988 + 2 * 3600 + 3 * 60;
    let jwt = decode(&v2_token()).unwrap();
    let s = TokenSummary::new(&jwt, now);
    assert_eq!(s.sha256, None);
    assert_eq!(s.version, TokenVersion::V2);
    assert_eq!(s.times.expired, Some(true));
    assert_eq!(s.times.exp.as_ref().unwrap().relative.en(), "2 h 3 m ago");
    let notes: Vec<String> = s.notes.iter().map(|n| n.en()).collect();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("the token expired 2 h 3 m ago (")
                && n.ends_with("); fetch a new one")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("v2.0 token") && n.contains("requestedAccessTokenVersion=2"))
    );
}

#[test]
fn summary_flags_user_tokens_and_future_tokens() {
    let t = token(
        json!({"alg": "RS256"}),
        json!({"sub": "pairwise", "oid": OID, "idtyp": "user", "iat": 10_000, "nbf": 10_000, "exp": 20_000,
               "iss": format!("https://login.microsoftonline.us/{TID}/v2.0"), "ver": "1.0"}),
    );
    let s = summarize(&t, 1_000).unwrap();
    let all = s
        .notes
        .iter()
        .map(|n| n.en())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(all.contains("differs from `oid`"), "{all}");
    assert!(all.contains("delegated user token"), "{all}");
    assert!(all.contains("not valid yet"), "{all}");
    assert!(all.contains("Azure US Government"), "{all}");
    assert!(
        all.contains("`ver` says 1.0 but the issuer has the v2.0 shape"),
        "{all}"
    );
}

/// Found by `fuzz/` (jwt_decode): the "issued in the future" notes added 300 s to `now`,
/// which overflowed (a panic in debug builds) for a clock at the end of the range.
#[test]
fn summary_at_extreme_clocks_does_not_overflow() {
    let t = v1_token();
    for now in [i64::MIN, -1, 0, i64::MAX - 299, i64::MAX] {
        let s = summarize(&t, now).unwrap();
        assert!(!s.notes.is_empty());
    }
    let far = summarize(&t, i64::MIN).unwrap();
    assert!(
        far.notes.iter().any(|n| n.en().contains("not valid yet")),
        "{:?}",
        far.notes
    );
}
