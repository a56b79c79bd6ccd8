//! Google Security Token Service: `POST https://sts.googleapis.com/v1/token`
//! (reference §2). Validates a token-exchange request in the order Google
//! does and answers with the verbatim error texts of §2.4; texts §2.4 does not
//! document are marked "sim wording".
//!
//! The subject token's signature is checked against the JWKS the simulated
//! Entra tenant *publishes* (the same JWK JSON the discovery endpoints serve),
//! not against the sim's private keys, just as STS fetches `jwks_uri`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hyper::{Method, StatusCode};
use serde_json::{Value, json};

use super::gcp_project::{Caller, MappingError, Provider, pool_member_prefix};
use super::http::{SimRequest, SimResponse};
use super::tenant::TokenVersion;
use super::{State, now};

const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
const SUBJECT_TOKEN_TYPES: &[&str] = &[
    "urn:ietf:params:oauth:token-type:jwt",
    "urn:ietf:params:oauth:token-type:id_token",
];
/// Clock skew STS tolerates on `exp`/`iat` (observed ≈ 60 s both ways).
const SKEW_SECS: i64 = 60;
/// Longest federated token STS hands out.
const MAX_LIFETIME_SECS: i64 = 3600;
/// `google.subject` size limit.
const MAX_SUBJECT_BYTES: usize = 127;

const AUDIENCE_FORMAT: &str = "Invalid value for \"audience\". This value should be the full resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats.";
const INVALID_TARGET: &str = "The target service indicated by the \"audience\" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn't exist.";
const ISSUER_UNREACHABLE: &str = "Error connecting to the given credential's issuer.";
const BAD_SIGNATURE: &str = "Unable to verify the ID Token signature.";
const CONDITION_REJECTED: &str = "The given credential is rejected by the attribute condition.";
const SUBJECT_TOO_LONG: &str = "The size of mapped attribute google.subject exceeds the 127 bytes limit. Either modify your attribute mapping or the incoming assertion to produce a mapped attribute that is less than 127 bytes.";
/// The real API only warns that the header "can cause the request to fail";
/// the simulator always fails so clients that send it are caught.
pub(crate) const AUTHORIZATION_REJECTED: &str = "wif-doctor simulator: the STS token endpoint must be called without an Authorization header (Google: \"using the header can cause the request to fail\").";

/// Handles `sts.googleapis.com`; `None` for paths it does not own.
pub(crate) fn route(state: &State, req: &SimRequest) -> Option<SimResponse> {
    if req.path != "/v1/token" || req.method != Method::POST {
        return None;
    }
    Some(match exchange(state, req) {
        Ok(resp) | Err(resp) => resp,
    })
}

/// RFC 6749 §5.2 error body. `unauthorized_client` is 401, the rest 400.
fn oauth_error(error: &str, description: &str) -> SimResponse {
    let status = if error == "unauthorized_client" {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::BAD_REQUEST
    };
    SimResponse::json(
        status,
        &json!({"error": error, "error_description": description}),
    )
}

/// The request fields, from either encoding.
#[derive(Default, Debug)]
struct StsRequest {
    grant_type: String,
    audience: String,
    scope: String,
    requested_token_type: String,
    subject_token: String,
    subject_token_type: String,
}

/// Form (snake_case keys) or JSON (proto3 JSON: camelCase, snake_case also
/// accepted), chosen by `Content-Type`.
fn parse_request(req: &SimRequest) -> Result<StsRequest, SimResponse> {
    let is_json = req
        .header("content-type")
        .is_some_and(|ct| ct.to_ascii_lowercase().contains("json"));
    let fields: Vec<(String, String)> = if is_json {
        let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&req.body) else {
            // sim wording
            return Err(oauth_error(
                "invalid_request",
                "Invalid JSON payload received.",
            ));
        };
        map.into_iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (snake_case(&k), s.to_string())))
            .collect()
    } else {
        url::form_urlencoded::parse(&req.body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    };
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    Ok(StsRequest {
        grant_type: get("grant_type"),
        audience: get("audience"),
        scope: get("scope"),
        requested_token_type: get("requested_token_type"),
        subject_token: get("subject_token"),
        subject_token_type: get("subject_token_type"),
    })
}

fn snake_case(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `(project, pool, provider)` of a well-formed workload-pool provider
/// audience. Workforce-pool audiences are well-formed too but never match a
/// target here (`None` components).
enum Audience {
    Workload {
        project: String,
        location: String,
        pool: String,
        provider: String,
    },
    Workforce,
}

fn parse_audience(aud: &str) -> Option<Audience> {
    let rest = aud.strip_prefix("//iam.googleapis.com/")?;
    let segs: Vec<&str> = rest.split('/').collect();
    let ok = |s: &str| !s.is_empty() && !s.chars().any(char::is_whitespace);
    match segs.as_slice() {
        [
            "projects",
            n,
            "locations",
            l,
            "workloadIdentityPools",
            p,
            "providers",
            v,
        ] if [n, l, p, v].iter().all(|s| ok(s)) => Some(Audience::Workload {
            project: n.to_string(),
            location: l.to_string(),
            pool: p.to_string(),
            provider: v.to_string(),
        }),
        ["locations", l, "workforcePools", p, "providers", v]
            if [l, p, v].iter().all(|s| ok(s)) =>
        {
            Some(Audience::Workforce)
        }
        _ => None,
    }
}

fn b64_decode(seg: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(seg.trim_end_matches('=')).ok()
}

struct Jwt {
    header: Value,
    claims: Value,
    signing_input: String,
    signature: Vec<u8>,
}

fn parse_jwt(token: &str) -> Option<Jwt> {
    let segs: Vec<&str> = token.trim().split('.').collect();
    let [h, c, s] = segs.as_slice() else {
        return None;
    };
    let header: Value = serde_json::from_slice(&b64_decode(h)?).ok()?;
    let claims: Value = serde_json::from_slice(&b64_decode(c)?).ok()?;
    if !header.is_object() || !claims.is_object() {
        return None;
    }
    Some(Jwt {
        header,
        claims,
        signing_input: format!("{h}.{c}"),
        signature: b64_decode(s)?,
    })
}

/// A claim as STS prints it in messages: the string itself, a number, or
/// `null` when absent.
fn display_claim(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => "null".into(),
        Some(other) => other.to_string(),
    }
}

fn numeric_claim(v: Option<&Value>) -> Option<i64> {
    let v = v?;
    v.as_i64().or_else(|| v.as_f64().map(|f| f as i64))
}

fn exchange(state: &State, req: &SimRequest) -> Result<SimResponse, SimResponse> {
    if req.header("authorization").is_some() {
        return Err(oauth_error("invalid_request", AUTHORIZATION_REJECTED));
    }
    let r = parse_request(req)?;

    // 1. Required fields.
    if r.grant_type != TOKEN_EXCHANGE {
        return Err(oauth_error(
            "unsupported_grant_type",
            "Invalid value for \"grant_type\".", // sim wording
        ));
    }
    if r.requested_token_type != ACCESS_TOKEN_TYPE {
        return Err(oauth_error(
            "invalid_request",
            "Invalid value of requested_token_type in request.",
        ));
    }
    if r.scope.trim().is_empty() {
        return Err(oauth_error("invalid_request", "Scope(s) must be provided."));
    }
    if !SUBJECT_TOKEN_TYPES.contains(&r.subject_token_type.as_str()) {
        return Err(oauth_error(
            "invalid_request",
            "Invalid value for \"subject_token_type\".", // sim wording
        ));
    }
    if r.subject_token.trim().is_empty() {
        return Err(oauth_error(
            "invalid_request",
            "Missing required parameter: \"subject_token\".", // sim wording
        ));
    }

    // 2. Audience format, 3. target exists and is enabled.
    let Some(audience) = parse_audience(&r.audience) else {
        return Err(oauth_error("invalid_request", AUDIENCE_FORMAT));
    };
    let project = &state.google.project;
    let target = match &audience {
        Audience::Workload {
            project: n,
            location,
            pool,
            provider,
        } if location == "global" => project
            .active_provider(n, pool, provider)
            .map(|p| (n.clone(), pool.clone(), p)),
        _ => None,
    };
    let Some((project_number, pool, provider)) = target else {
        return Err(oauth_error("invalid_target", INVALID_TARGET));
    };

    // 4. JWT structure and header.
    let Some(jwt) = parse_jwt(&r.subject_token) else {
        return Err(oauth_error(
            "invalid_grant",
            "Unable to parse the ID Token.", // sim wording
        ));
    };
    let alg = jwt.header.get("alg").and_then(Value::as_str).unwrap_or("");
    if alg != "RS256" && alg != "ES256" {
        return Err(oauth_error(
            "invalid_grant",
            // sim wording
            &format!(
                "The ID Token uses an unsupported signing algorithm \"{alg}\"; RS256 and ES256 are supported."
            ),
        ));
    }
    let Some(kid) = jwt
        .header
        .get("kid")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
    else {
        return Err(oauth_error(
            "invalid_grant",
            "The ID Token header does not contain a \"kid\".", // sim wording
        ));
    };

    // 5. Issuer.
    let iss = jwt.claims.get("iss");
    let iss_str = iss.and_then(Value::as_str).unwrap_or("");
    if iss_str.is_empty() || normalise_issuer(iss_str) != normalise_issuer(&provider.issuer_uri) {
        return Err(oauth_error(
            "invalid_grant",
            &format!(
                "The issuer in ID Token {} does not match the expected one in config: {}",
                display_claim(iss),
                provider.issuer_uri
            ),
        ));
    }

    // 6. Signature against the issuer's published JWKS.
    let Some(jwk) = published_key(state, iss_str, kid) else {
        return Err(oauth_error("invalid_grant", ISSUER_UNREACHABLE));
    };
    match verify_signature(&jwk, alg, &jwt) {
        KeyCheck::Valid => {}
        KeyCheck::KeyMismatch => return Err(oauth_error("invalid_grant", ISSUER_UNREACHABLE)),
        KeyCheck::Invalid => return Err(oauth_error("invalid_grant", BAD_SIGNATURE)),
    }

    // 7. Audience claim.
    let token_auds = audiences(jwt.claims.get("aud"));
    let expected = expected_audiences(provider, &project_number, &pool);
    if !token_auds.iter().any(|a| expected.contains(a)) {
        return Err(oauth_error(
            "invalid_grant",
            &format!(
                "The audience in ID Token [{}] does not match the expected audience.",
                token_auds.join(", ")
            ),
        ));
    }

    // 8. Time, with skew.
    let now = now();
    let iat = numeric_claim(jwt.claims.get("iat"));
    let exp = numeric_claim(jwt.claims.get("exp"));
    let (Some(iat), Some(exp)) = (iat, exp) else {
        return Err(oauth_error(
            "invalid_grant",
            &format!(
                "ID Token issued at {} is stale to sign-in.",
                display_claim(jwt.claims.get("iat"))
            ),
        ));
    };
    if exp + SKEW_SECS < now {
        return Err(oauth_error(
            "invalid_grant",
            &format!("ID Token issued at {iat} is stale to sign-in."),
        ));
    }
    if iat > now + SKEW_SECS {
        return Err(oauth_error(
            "invalid_grant",
            &format!("ID Token issued at {iat} is in the future."), // sim wording
        ));
    }

    // 9. Attribute condition, 10. attribute mapping.
    if !provider.condition_accepts(&jwt.claims) {
        return Err(oauth_error("unauthorized_client", CONDITION_REJECTED));
    }
    let (subject, attributes) = match provider.map_attributes(&jwt.claims) {
        Ok(m) => m,
        Err(MappingError::NotString(target)) => {
            return Err(oauth_error(
                "unauthorized_client",
                &format!("The mapped attribute '{target}' must be of type STRING."),
            ));
        }
    };
    if subject.len() > MAX_SUBJECT_BYTES {
        return Err(oauth_error("invalid_request", SUBJECT_TOO_LONG));
    }

    let expires_in = (exp - now).clamp(1, MAX_LIFETIME_SECS);
    let token = state.google.issue(
        "ya29.sim-",
        Caller::Federated {
            project_number,
            pool,
            subject,
            attributes,
        },
        expires_in,
    );
    Ok(SimResponse::json(
        StatusCode::OK,
        &json!({
            "access_token": token,
            "issued_token_type": ACCESS_TOKEN_TYPE,
            "token_type": "Bearer",
            "expires_in": expires_in,
        }),
    ))
}

/// Issuers compare equal up to one trailing slash.
fn normalise_issuer(s: &str) -> &str {
    s.strip_suffix('/').unwrap_or(s)
}

/// `aud` as a list (string or array; absent = empty).
fn audiences(aud: Option<&Value>) -> Vec<String> {
    match aud {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// `allowedAudiences`, or the provider's own resource names when empty.
fn expected_audiences(provider: &Provider, project_number: &str, pool: &str) -> Vec<String> {
    if !provider.allowed_audiences.is_empty() {
        return provider.allowed_audiences.clone();
    }
    let name = format!(
        "{}/providers/{}",
        pool_member_prefix(project_number, pool),
        provider.id
    );
    vec![format!("//{name}"), format!("https://{name}")]
}

/// The JWK with `kid` from the key set the issuer's discovery document points
/// at. Only the simulated tenant's two issuers are reachable; both publish
/// the tenant's signing keys (what `entra.rs` serves).
fn published_key(state: &State, iss: &str, kid: &str) -> Option<Value> {
    let tenant = &state.tenant;
    let known = [TokenVersion::V1, TokenVersion::V2]
        .iter()
        .any(|v| normalise_issuer(&tenant.issuer(*v)) == normalise_issuer(iss));
    if !known {
        return None;
    }
    let published = [state.keys().primary.jwk(None)];
    published
        .into_iter()
        .find(|k| k.get("kid").and_then(Value::as_str) == Some(kid))
}

enum KeyCheck {
    Valid,
    /// The JWK cannot verify this `alg` (e.g. ES256 token, RSA key).
    KeyMismatch,
    Invalid,
}

fn verify_signature(jwk: &Value, alg: &str, jwt: &Jwt) -> KeyCheck {
    use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
    if alg != "RS256" || jwk.get("kty").and_then(Value::as_str) != Some("RSA") {
        return KeyCheck::KeyMismatch;
    }
    let component = |name: &str| jwk.get(name).and_then(Value::as_str).and_then(b64_decode);
    let (Some(n), Some(e)) = (component("n"), component("e")) else {
        return KeyCheck::KeyMismatch;
    };
    let key = RsaPublicKeyComponents { n: &n, e: &e };
    match key.verify(
        &RSA_PKCS1_2048_8192_SHA256,
        jwt.signing_input.as_bytes(),
        &jwt.signature,
    ) {
        Ok(()) => KeyCheck::Valid,
        Err(_) => KeyCheck::Invalid,
    }
}
