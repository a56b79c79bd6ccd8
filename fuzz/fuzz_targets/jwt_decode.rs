//! JWT decode and summary (`decode`, `summarize`, the `decode` command's data).
//!
//! Properties: no panic; an error is one line and never echoes the token; a decoded token
//! re-encodes to the same claims; the summary serialises, its hash is the token's SHA-256 in
//! hex, and its fields are the claims' values.
#![no_main]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use libfuzzer_sys::fuzz_target;
use wif_doctor::jwt;

const NOW: i64 = 1_795_863_600;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let decoded = jwt::decode(input);
    let norm = jwt::normalize(input);
    for now in [NOW, 0, i64::MIN, i64::MAX] {
        assert_eq!(jwt::summarize(input, now).is_ok(), decoded.is_ok());
    }
    match decoded {
        Err(e) => {
            let msg = e.to_string();
            assert!(
                !msg.contains('\n') && !msg.contains('\r'),
                "one line: {msg:?}"
            );
            assert!(msg.len() < 400, "short: {msg:?}");
            let token = norm.trim();
            if token.len() >= 12 {
                assert!(!msg.contains(token), "the error echoes the token: {msg:?}");
            }
        }
        Ok(t) => {
            // Round trip: the claims and header encode back to a token that decodes the same.
            let enc = |m: &serde_json::Map<String, serde_json::Value>| {
                URL_SAFE_NO_PAD.encode(serde_json::to_vec(m).unwrap())
            };
            // (Numbers may re-encode longer, `1e5` as `100000.0`: only sizes a token can be.)
            let token = format!("{}.{}.c2ln", enc(&t.header), enc(&t.claims));
            if token.len() <= jwt::MAX_TOKEN_BYTES {
                let again = jwt::decode(&token).expect("a re-encoded token decodes");
                assert_eq!(again.iss(), t.iss());
                assert_eq!(again.sub(), t.sub());
                assert_eq!(again.aud(), t.aud());
                assert_eq!(again.alg(), t.alg());
                assert_eq!(again.header.len(), t.header.len());
                assert_eq!(again.claims.len(), t.claims.len());
            }

            let s = jwt::summarize(input, NOW).unwrap();
            let sha = s.sha256.as_deref().unwrap();
            assert_eq!(sha, jwt::sha256_hex(input));
            assert!(sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()));
            assert_eq!(s.issuer.as_deref(), t.iss());
            assert_eq!(s.identity.sub.as_deref(), t.sub());
            assert_eq!(s.audience, t.aud());
            assert_eq!(s.times.exp.as_ref().map(|x| x.epoch), t.exp());
            assert_eq!(s.times.expired, t.exp().map(|e| e <= NOW));
            assert!(
                !s.notes.is_empty(),
                "a summary always says something (version at least)"
            );
            let json = serde_json::to_string(&s).expect("the summary serialises");
            let back: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
            assert!(back.get("claims").is_some_and(|c| c.is_object()));
            if let jwt::IssuerKind::Entra { tenant, .. } = &s.issuer_kind {
                assert!(!tenant.is_empty() && tenant.len() <= 64);
                assert!(t.iss().is_some_and(|i| i.starts_with("https://")));
            }
        }
    }
});
