//! The Google side, dispatched on the `Host` header: STS (`sts.rs`), IAM
//! Credentials `generateAccessToken`, Resource Manager `testIamPermissions` and
//! `projects.get`, and Vertex AI `countTokens` (`v1` and `v1beta1`) (reference §2, §3, §7). Also the store of
//! access tokens the simulator has issued, so later calls know who is calling.
//!
//! Error bodies use Google's JSON shape
//! `{"error":{"code","message","status","details":[ErrorInfo…]}}`; texts not
//! taken from the reference are marked "sim wording"; a few are Google's real
//! texts recalled from observed responses but not in the reference (the
//! `CREDENTIALS_MISSING` 401, the iamcredentials 404, the CRM 403, the
//! ErrorInfo reasons of 401s) and are marked "not in reference".

use std::collections::HashMap;
use std::sync::Mutex;

use hyper::{Method, StatusCode};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

use super::gcp_project::{
    Caller, GcpProject, LOCATIONS, MODELS, PERM_GET_ACCESS_TOKEN, PERM_PREDICT, PERM_PROJECTS_GET,
    PROJECT_CREATED, PROJECT_NAME,
};
use super::http::{SimRequest, SimResponse};
use super::keys::random_b64url;
use super::scenario::Scenario;
use super::tenant::SimTenant;
use super::{State, now, sts};

/// Google production hosts served by this module (regional Vertex hosts
/// `<location>-aiplatform.googleapis.com` are matched by pattern).
pub(crate) const GOOGLE_HOSTS: &[&str] = &[
    "sts.googleapis.com",
    "iamcredentials.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "aiplatform.googleapis.com",
    "oauth2.googleapis.com",
];
/// Bound on remembered access tokens (oldest expired ones go first).
const MAX_TOKENS: usize = 10_000;
/// Longest service-account token without the org-policy extension.
const MAX_SA_LIFETIME_SECS: i64 = 3600;

// not in reference (observed Google wording)
const MISSING_CREDENTIALS: &str = "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";
const INVALID_CREDENTIALS: &str = "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";
const INVALID_ARGUMENT: &str = "Request contains an invalid argument.";

/// Google-side state: the project and the tokens issued so far.
pub(crate) struct GoogleState {
    pub project: GcpProject,
    tokens: Mutex<HashMap<String, Issued>>,
}

#[derive(Clone, Debug)]
struct Issued {
    caller: Caller,
    expires_at: i64,
}

impl GoogleState {
    pub(crate) fn new(tenant: &SimTenant, scenario: Scenario) -> Self {
        GoogleState {
            project: GcpProject::demo(tenant, scenario),
            tokens: Mutex::new(HashMap::new()),
        }
    }

    /// Mints an opaque access token `<prefix><random>` for `caller`.
    pub(crate) fn issue(&self, prefix: &str, caller: Caller, lifetime_secs: i64) -> String {
        let token = format!("{prefix}{}", random_b64url(96));
        let now = now();
        if let Ok(mut tokens) = self.tokens.lock() {
            if tokens.len() >= MAX_TOKENS {
                tokens.retain(|_, t| t.expires_at > now);
                if tokens.len() >= MAX_TOKENS {
                    tokens.clear();
                }
            }
            tokens.insert(
                token.clone(),
                Issued {
                    caller,
                    expires_at: now + lifetime_secs,
                },
            );
        }
        token
    }

    fn lookup(&self, token: &str) -> Option<Issued> {
        self.tokens.lock().ok()?.get(token).cloned()
    }
}

/// Handles a request to a Google host, or `None` if unrouted.
pub(crate) fn dispatch(state: &State, req: &SimRequest) -> Option<SimResponse> {
    match req.host.as_str() {
        "sts.googleapis.com" => sts::route(state, req),
        "iamcredentials.googleapis.com" => iam_credentials(state, req),
        "cloudresourcemanager.googleapis.com" => resource_manager(state, req),
        "aiplatform.googleapis.com" => vertex(state, req, None),
        host => {
            let location = host.strip_suffix("-aiplatform.googleapis.com")?;
            vertex(state, req, Some(location))
        }
    }
}

// ------------------------------------------------------------------ errors

fn status_name(code: StatusCode) -> &'static str {
    match code.as_u16() {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        429 => "RESOURCE_EXHAUSTED",
        _ => "INTERNAL",
    }
}

/// Google's JSON error body.
pub(crate) fn google_error(code: StatusCode, message: &str, details: Vec<Value>) -> SimResponse {
    let mut error = json!({
        "code": code.as_u16(),
        "message": message,
        "status": status_name(code),
    });
    if !details.is_empty() {
        error["details"] = Value::Array(details);
    }
    SimResponse::json(code, &json!({ "error": error }))
}

fn error_info(reason: &str, domain: &str, metadata: Value) -> Value {
    json!({
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": reason,
        "domain": domain,
        "metadata": metadata,
    })
}

fn permission_denied(message: &str, domain: &str, permission: &str) -> SimResponse {
    google_error(
        StatusCode::FORBIDDEN,
        message,
        vec![error_info(
            "IAM_PERMISSION_DENIED",
            domain,
            json!({ "permission": permission }),
        )],
    )
}

fn invalid_argument(message: &str) -> SimResponse {
    google_error(StatusCode::BAD_REQUEST, message, Vec::new())
}

/// Resolves the bearer token to a caller, or answers 401 as Google does.
fn authenticate(state: &State, req: &SimRequest, service: &str) -> Result<Caller, SimResponse> {
    let unauthenticated = |message: &str, reason: &str| {
        google_error(
            StatusCode::UNAUTHORIZED,
            message,
            vec![error_info(
                reason,
                "googleapis.com",
                json!({ "service": service }),
            )],
        )
        .with_header(
            "www-authenticate",
            "Bearer realm=\"https://accounts.google.com/\"",
        )
    };
    let Some(value) = req.header("authorization") else {
        return Err(unauthenticated(MISSING_CREDENTIALS, "CREDENTIALS_MISSING"));
    };
    let token = value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim());
    let Some(issued) = token.and_then(|t| state.google.lookup(t)) else {
        return Err(unauthenticated(
            INVALID_CREDENTIALS,
            "ACCESS_TOKEN_TYPE_UNSUPPORTED",
        ));
    };
    if issued.expires_at <= now() {
        return Err(unauthenticated(INVALID_CREDENTIALS, "ACCESS_TOKEN_EXPIRED"));
    }
    // A disabled or deleted pool revokes the tokens it issued.
    if let Caller::Federated {
        project_number,
        pool,
        ..
    } = &issued.caller
        && !state.google.project.pool_active(project_number, pool)
    {
        return Err(unauthenticated(
            INVALID_CREDENTIALS,
            "ACCESS_TOKEN_TYPE_UNSUPPORTED",
        ));
    }
    Ok(issued.caller)
}

fn json_body(req: &SimRequest) -> Result<Value, SimResponse> {
    if req.body.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice::<Value>(&req.body)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| invalid_argument("Invalid JSON payload received.")) // sim wording
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// RFC 3339 UTC with whole seconds, e.g. `2026-01-01T12:00:00Z` (the format
/// google-auth-library-python parses strictly).
fn rfc3339_z(epoch: i64) -> String {
    let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    OffsetDateTime::from_unix_timestamp(epoch)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_default()
}

// ------------------------------------------------------------ iamcredentials

/// `POST /v1/projects/-/serviceAccounts/<EMAIL>:generateAccessToken`.
fn iam_credentials(state: &State, req: &SimRequest) -> Option<SimResponse> {
    let rest = req.path.strip_prefix("/v1/projects/")?;
    let (_project, rest) = rest.split_once("/serviceAccounts/")?;
    let email = percent_decode(rest.strip_suffix(":generateAccessToken")?);
    if req.method != Method::POST {
        return None;
    }
    Some(match generate_access_token(state, req, &email) {
        Ok(r) | Err(r) => r,
    })
}

fn generate_access_token(
    state: &State,
    req: &SimRequest,
    email: &str,
) -> Result<SimResponse, SimResponse> {
    let caller = authenticate(state, req, "iamcredentials.googleapis.com")?;
    let body = json_body(req)?;
    let scopes: Vec<&str> = body
        .get("scope")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if scopes.is_empty() || email.is_empty() || email.contains(['"', '\'', ' ']) {
        return Err(invalid_argument(INVALID_ARGUMENT));
    }
    let lifetime = match body.get("lifetime").and_then(Value::as_str) {
        None => MAX_SA_LIFETIME_SECS,
        Some(l) => match l.strip_suffix('s').and_then(|n| n.parse::<f64>().ok()) {
            Some(secs) => secs as i64,
            None => return Err(invalid_argument(INVALID_ARGUMENT)),
        },
    };
    if lifetime <= 0 {
        return Err(invalid_argument(
            "Lifetime of access token must be larger then zero.",
        ));
    }
    if lifetime > MAX_SA_LIFETIME_SECS {
        return Err(invalid_argument(
            "The access token lifetime cannot exceed 3600 seconds.",
        ));
    }
    let Some(sa) = state.google.project.service_account(email) else {
        return Err(google_error(
            StatusCode::NOT_FOUND,
            &format!("Not found; Gaia id not found for email {email}"), // not in reference
            Vec::new(),
        ));
    };
    if !sa.allows(&caller, PERM_GET_ACCESS_TOKEN) {
        return Err(permission_denied(
            "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
            "iam.googleapis.com",
            PERM_GET_ACCESS_TOKEN,
        ));
    }
    let token = state.google.issue(
        "ya29.sim-sa-",
        Caller::ServiceAccount(sa.email.clone()),
        lifetime,
    );
    Ok(SimResponse::json(
        StatusCode::OK,
        &json!({
            "accessToken": token,
            "expireTime": rfc3339_z(now() + lifetime),
        }),
    ))
}

// ---------------------------------------------------------- resource manager

/// `POST /v1|v3/projects/<PROJECT>:testIamPermissions` and `GET /v1|v3/projects/<PROJECT>`
/// (`projects.get`, which google-auth and google-auth-library call to turn the
/// audience's project number into the project ID).
fn resource_manager(state: &State, req: &SimRequest) -> Option<SimResponse> {
    let (version, rest) = if let Some(rest) = req.path.strip_prefix("/v1/projects/") {
        (CrmVersion::V1, rest)
    } else {
        (CrmVersion::V3, req.path.strip_prefix("/v3/projects/")?)
    };
    if let Some(project) = rest.strip_suffix(":testIamPermissions") {
        if project.contains('/') || req.method != Method::POST {
            return None;
        }
        return Some(match test_iam_permissions(state, req, project) {
            Ok(r) | Err(r) => r,
        });
    }
    if rest.is_empty() || rest.contains(['/', ':']) || req.method != Method::GET {
        return None;
    }
    Some(match get_project(state, req, version, rest) {
        Ok(r) | Err(r) => r,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CrmVersion {
    V1,
    V3,
}

/// `projects.get`: the v1 shape (`projectNumber`, `projectId`, `lifecycleState`, `name` =
/// display name) or the v3 shape (`name` = `projects/<NUMBER>`, `state`, `displayName`).
fn get_project(
    state: &State,
    req: &SimRequest,
    version: CrmVersion,
    project: &str,
) -> Result<SimResponse, SimResponse> {
    let caller = authenticate(state, req, "cloudresourcemanager.googleapis.com")?;
    let gp = &state.google.project;
    // Google does not say whether a project the caller cannot read exists.
    if !gp.is_named(project) || !gp.project_allows(&caller, PERM_PROJECTS_GET) {
        return Err(match version {
            // not in reference (observed v1 wording)
            CrmVersion::V1 => google_error(
                StatusCode::FORBIDDEN,
                "The caller does not have permission",
                Vec::new(),
            ),
            CrmVersion::V3 => permission_denied(
                &format!(
                    "Permission '{PERM_PROJECTS_GET}' denied on resource '//cloudresourcemanager.googleapis.com/projects/{project}' (or it may not exist)."
                ),
                "cloudresourcemanager.googleapis.com",
                PERM_PROJECTS_GET,
            ),
        });
    }
    let body = match version {
        CrmVersion::V1 => json!({
            "projectNumber": gp.number,
            "projectId": gp.id,
            "lifecycleState": "ACTIVE",
            "name": PROJECT_NAME,
            "createTime": PROJECT_CREATED,
        }),
        CrmVersion::V3 => json!({
            "name": format!("projects/{}", gp.number),
            "projectId": gp.id,
            "state": "ACTIVE",
            "displayName": PROJECT_NAME,
            "createTime": PROJECT_CREATED,
            "updateTime": PROJECT_CREATED,
            "etag": "W/\"sim\"",
        }),
    };
    Ok(SimResponse::json(StatusCode::OK, &body))
}

fn test_iam_permissions(
    state: &State,
    req: &SimRequest,
    project: &str,
) -> Result<SimResponse, SimResponse> {
    let caller = authenticate(state, req, "cloudresourcemanager.googleapis.com")?;
    let body = json_body(req)?;
    // Google answers 403 for projects the caller cannot see, existing or not.
    let gp = &state.google.project;
    if !gp.is_named(project) {
        return Err(google_error(
            StatusCode::FORBIDDEN,
            "The caller does not have permission", // §3 alternate form; CRM use not in reference
            Vec::new(),
        ));
    }
    let mut held: Vec<&str> = Vec::new();
    for p in body
        .get("permissions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if gp.project_allows(&caller, p) && !held.contains(&p) {
            held.push(p);
        }
    }
    let body = if held.is_empty() {
        json!({})
    } else {
        json!({ "permissions": held })
    };
    Ok(SimResponse::json(StatusCode::OK, &body))
}

// ------------------------------------------------------------------ vertex

/// `POST /v1/projects/<P>/locations/<L>/publishers/google/models/<M>:countTokens`
/// on `<L>-aiplatform.googleapis.com` (or `aiplatform.googleapis.com`).
fn vertex(state: &State, req: &SimRequest, host_location: Option<&str>) -> Option<SimResponse> {
    let rest = req
        .path
        .strip_prefix("/v1/")
        .or_else(|| req.path.strip_prefix("/v1beta1/"))?;
    let rest = rest.strip_suffix(":countTokens")?;
    let segs: Vec<&str> = rest.split('/').collect();
    let [
        "projects",
        project,
        "locations",
        location,
        "publishers",
        "google",
        "models",
        model,
    ] = segs.as_slice()
    else {
        return None;
    };
    if req.method != Method::POST {
        return None;
    }
    Some(
        match count_tokens(state, req, host_location, project, location, model) {
            Ok(r) | Err(r) => r,
        },
    )
}

fn count_tokens(
    state: &State,
    req: &SimRequest,
    host_location: Option<&str>,
    project: &str,
    location: &str,
    model: &str,
) -> Result<SimResponse, SimResponse> {
    if host_location.is_some_and(|h| h != location) || !LOCATIONS.contains(&location) {
        return Err(invalid_argument(&format!(
            // sim wording
            "Location `{location}` is not served by this endpoint ({}).",
            req.host
        )));
    }
    let caller = authenticate(state, req, "aiplatform.googleapis.com")?;
    let gp = &state.google.project;
    let resource =
        format!("projects/{project}/locations/{location}/publishers/google/models/{model}");
    let denied = || {
        permission_denied(
            &format!(
                "Permission '{PERM_PREDICT}' denied on resource '//aiplatform.googleapis.com/{resource}' (or it may not exist)."
            ),
            "aiplatform.googleapis.com",
            PERM_PREDICT,
        )
    };
    if !gp.is_named(project) {
        return Err(denied());
    }
    if !gp.vertex_enabled {
        return Err(service_disabled(&gp.number));
    }
    if !gp.project_allows(&caller, PERM_PREDICT) {
        return Err(denied());
    }
    if !MODELS.contains(&model) {
        return Err(google_error(
            StatusCode::NOT_FOUND,
            &format!("Publisher Model `{resource}` not found."),
            Vec::new(),
        ));
    }
    let body = json_body(req)?;
    let Some((tokens, billable)) = count_text(&body) else {
        return Err(invalid_argument(INVALID_ARGUMENT));
    };
    Ok(SimResponse::json(
        StatusCode::OK,
        &json!({
            "totalTokens": tokens,
            "totalBillableCharacters": billable,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": tokens}],
        }),
    ))
}

fn service_disabled(number: &str) -> SimResponse {
    let activation = format!(
        "https://console.developers.google.com/apis/api/aiplatform.googleapis.com/overview?project={number}"
    );
    google_error(
        StatusCode::FORBIDDEN,
        &format!(
            "Vertex AI API has not been used in project {number} before or it is disabled. Enable it by visiting {activation} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry."
        ),
        vec![
            error_info(
                "SERVICE_DISABLED",
                "googleapis.com",
                json!({
                    "service": "aiplatform.googleapis.com",
                    "serviceTitle": "Vertex AI API",
                    "consumer": format!("projects/{number}"),
                    "containerInfo": number,
                    "activationUrl": activation,
                }),
            ),
            json!({
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [{"description": "Google developers console API activation", "url": activation}],
            }),
        ],
    )
}

/// `(totalTokens, totalBillableCharacters)` of the text parts of `contents`
/// (and `systemInstruction`): roughly one token per four characters, at
/// least one per non-empty part; billable characters exclude whitespace.
/// `None` when there are no contents.
fn count_text(body: &Value) -> Option<(u64, u64)> {
    let contents = body.get("contents")?.as_array()?;
    if contents.is_empty() {
        return None;
    }
    let texts = contents
        .iter()
        .chain(body.get("systemInstruction"))
        .filter_map(|c| c.get("parts").and_then(Value::as_array))
        .flatten()
        .filter_map(|p| p.get("text").and_then(Value::as_str));
    let (mut tokens, mut billable) = (0u64, 0u64);
    for text in texts {
        let chars = text.chars().count() as u64;
        if chars > 0 {
            tokens += chars.div_ceil(4).max(1);
        }
        billable += text.chars().filter(|c| !c.is_whitespace()).count() as u64;
    }
    Some((tokens, billable))
}
