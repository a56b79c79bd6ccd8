//! Entra ID OIDC discovery and JWKS on `login.microsoftonline.com` and
//! `sts.windows.net` (reference §3.6): the v1 document (issuer
//! `https://sts.windows.net/<tid>/`, keys at `/common/discovery/keys`) and the
//! v2 document (issuer `…/<tid>/v2.0`, keys at `/<tid>/discovery/v2.0/keys`).
//! Only the primary signing key is published.

use hyper::{Method, StatusCode};
use serde_json::{Value, json};

use super::State;
use super::http::{SimRequest, SimResponse};
use super::keys::random_guid;

pub(crate) const LOGIN_HOST: &str = "login.microsoftonline.com";
pub(crate) const STS_HOST: &str = "sts.windows.net";

/// Tenant-independent aliases accepted in discovery paths.
const MULTI_TENANT: &[&str] = &["common", "organizations"];

/// Returns `None` for paths this module does not own (→ 404 by the caller).
pub(crate) fn route(state: &State, req: &SimRequest) -> Option<SimResponse> {
    if req.method != Method::GET && req.method != Method::HEAD {
        return None;
    }
    let segments: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    let login = req.host == LOGIN_HOST;
    let resp = match segments.as_slice() {
        [tenant, ".well-known", "openid-configuration"] => {
            with_tenant(state, tenant, |t| v1_discovery(state, t))
        }
        [tenant, "v2.0", ".well-known", "openid-configuration"] if login => {
            with_tenant(state, tenant, |t| v2_discovery(state, t))
        }
        [tenant, "discovery", "keys"] if login => with_tenant(state, tenant, |_| jwks(state, None)),
        [tenant, "discovery", "v2.0", "keys"] if login => with_tenant(state, tenant, |t| {
            let iss = format!("https://{LOGIN_HOST}/{}/v2.0", issuer_tenant(t));
            jwks(state, Some(&iss))
        }),
        _ => return None,
    };
    Some(resp)
}

/// `{tenantid}` template for multi-tenant documents, else the tenant id.
fn issuer_tenant(t: &str) -> &str {
    if MULTI_TENANT.contains(&t) {
        "{tenantid}"
    } else {
        t
    }
}

/// Runs `f` with the canonical tenant segment, or answers AADSTS90002 for a
/// tenant the simulator does not host.
fn with_tenant(state: &State, tenant: &str, f: impl FnOnce(&str) -> SimResponse) -> SimResponse {
    let lower = tenant.to_ascii_lowercase();
    if MULTI_TENANT.contains(&lower.as_str()) {
        return f(&lower);
    }
    if lower == state.tenant.tenant_id.to_ascii_lowercase() {
        return f(&state.tenant.tenant_id);
    }
    let description = format!(
        "AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID \
         and are signing into the correct cloud. Check with your subscription administrator, this may \
         happen if there are no active subscriptions for the tenant.\r\nTrace ID: {}\r\nCorrelation ID: {}",
        random_guid(),
        random_guid()
    );
    SimResponse::json(
        StatusCode::BAD_REQUEST,
        &json!({"error": "invalid_tenant", "error_description": description}),
    )
}

fn cached(resp: SimResponse) -> SimResponse {
    resp.with_header("cache-control", "max-age=86400, private")
        .with_header("access-control-allow-origin", "*")
}

fn v1_discovery(_state: &State, t: &str) -> SimResponse {
    let doc = json!({
        "token_endpoint": format!("https://{LOGIN_HOST}/{t}/oauth2/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("https://{LOGIN_HOST}/common/discovery/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "token id_token", "token"],
        "scopes_supported": ["openid"],
        "issuer": format!("https://{STS_HOST}/{}/", issuer_tenant(t)),
        "authorization_endpoint": format!("https://{LOGIN_HOST}/{t}/oauth2/authorize"),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "amr", "nonce", "email", "given_name", "family_name", "nickname"],
        "cloud_instance_name": "microsoftonline.com",
        "tenant_region_scope": "EU",
    });
    cached(SimResponse::json(StatusCode::OK, &doc))
}

fn v2_discovery(_state: &State, t: &str) -> SimResponse {
    let doc = json!({
        "token_endpoint": format!("https://{LOGIN_HOST}/{t}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("https://{LOGIN_HOST}/{t}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("https://{LOGIN_HOST}/{}/v2.0", issuer_tenant(t)),
        "authorization_endpoint": format!("https://{LOGIN_HOST}/{t}/oauth2/v2.0/authorize"),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
        "cloud_instance_name": "microsoftonline.com",
        "tenant_region_scope": "EU",
    });
    cached(SimResponse::json(StatusCode::OK, &doc))
}

fn jwks(state: &State, issuer: Option<&str>) -> SimResponse {
    let keys: Vec<Value> = vec![state.keys().primary.jwk(issuer)];
    cached(SimResponse::json(StatusCode::OK, &json!({ "keys": keys })))
}
