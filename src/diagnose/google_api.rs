//! Explains errors from Google APIs that use the JSON error shape
//! `{"error":{"code","message","status","details":[{"@type":"…ErrorInfo","reason","domain","metadata"}]}}`:
//! service-account impersonation (`generateAccessToken`), the `testIamPermissions` probe
//! and Vertex AI.

use super::text::{project_id_problem, service_account_issues, snippet, sq, visible};
use super::{Context, Explanation, PH_SA};
use crate::gcp::shell_quote;
use crate::settings::{DEFAULT_LOCATION, DEFAULT_MODEL};
use serde_json::Value;
use std::collections::BTreeMap;

/// A Google API error body, with the first `google.rpc.ErrorInfo` detail flattened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoogleError {
    pub code: Option<u16>,
    pub message: String,
    /// e.g. `PERMISSION_DENIED`
    pub status: String,
    /// `ErrorInfo.reason`, e.g. `IAM_PERMISSION_DENIED`, `SERVICE_DISABLED`
    pub reason: Option<String>,
    pub domain: Option<String>,
    /// `ErrorInfo.metadata` (string values only).
    pub metadata: BTreeMap<String, String>,
}

/// Parses Google's JSON error shape (also a one-element array of it). `None` for anything
/// else, including OAuth-style `{"error":"…"}` bodies.
pub fn parse_google_error(body: &str) -> Option<GoogleError> {
    let v: Value = serde_json::from_str(body.trim()).ok()?;
    let v = match v {
        Value::Array(mut a) if !a.is_empty() => a.swap_remove(0),
        v => v,
    };
    let e = v.get("error")?.as_object()?;
    let mut g = GoogleError {
        code: e
            .get("code")
            .and_then(Value::as_u64)
            .and_then(|c| u16::try_from(c).ok()),
        message: e
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        status: e
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        ..Default::default()
    };
    if let Some(details) = e.get("details").and_then(Value::as_array) {
        let info = details.iter().find(|d| {
            d.get("@type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.ends_with("google.rpc.ErrorInfo"))
        });
        if let Some(info) = info {
            g.reason = info
                .get("reason")
                .and_then(Value::as_str)
                .map(str::to_string);
            g.domain = info
                .get("domain")
                .and_then(Value::as_str)
                .map(str::to_string);
            if let Some(m) = info.get("metadata").and_then(Value::as_object) {
                for (k, v) in m {
                    if let Some(s) = v.as_str() {
                        g.metadata.insert(k.clone(), s.to_string());
                    }
                }
            }
        }
    }
    Some(g)
}

/// The word after `marker` up to whitespace or one of `'"`,;)`.
fn word_after<'a>(text: &'a str, marker: &str) -> Option<&'a str> {
    let i = text.find(marker)? + marker.len();
    let rest = &text[i..];
    let end = rest
        .find(|c: char| c.is_whitespace() || "'\"`,;)".contains(c))
        .unwrap_or(rest.len());
    Some(&rest[..end]).filter(|w| !w.is_empty())
}

impl GoogleError {
    /// The API concerned: `metadata.service`, else from a console link in the message.
    pub fn service(&self) -> Option<String> {
        if let Some(s) = self.metadata.get("service") {
            return Some(s.clone());
        }
        word_after(&self.message, "apis/api/")
            .map(|w| w.split('/').next().unwrap_or(w).to_string())
            .filter(|s| s.ends_with(".googleapis.com"))
    }
    /// The project number the request was attributed to: `metadata.consumer`
    /// (`projects/N`), else the number in "… in project N …".
    /// For SERVICE_DISABLED: the project to enable it in (from the error, else the pool's
    /// project) and the API (from the error, else `default_service`).
    pub fn disabled_api(&self, default_service: &str, ctx: &Context) -> (String, String) {
        let project = self
            .consumer_project()
            .unwrap_or_else(|| ctx.project_number_or_placeholder().to_string());
        let service = self
            .service()
            .unwrap_or_else(|| default_service.to_string());
        (project, service)
    }

    pub fn consumer_project(&self) -> Option<String> {
        if let Some(c) = self.metadata.get("consumer") {
            return Some(c.strip_prefix("projects/").unwrap_or(c).to_string());
        }
        word_after(&self.message, "in project ")
            .map(|w| w.trim_end_matches('.'))
            .filter(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_string)
    }
    /// The permission named in `metadata.permission` or "Permission 'x' denied".
    pub fn permission(&self) -> Option<String> {
        if let Some(p) = self.metadata.get("permission") {
            return Some(p.clone());
        }
        word_after(&self.message, "Permission '")
            .or_else(|| word_after(&self.message, "Permission \""))
            .or_else(|| word_after(&self.message, "permission '"))
            .map(str::to_string)
    }
    /// `SERVICE_DISABLED`, or the "API has not been used in project N before or it is
    /// disabled" message.
    pub fn is_service_disabled(&self) -> bool {
        self.reason.as_deref() == Some("SERVICE_DISABLED")
            || self.message.contains("has not been used in project")
            || self.message.contains("it is disabled")
    }
    fn said(&self, api: &str, http: u16) -> String {
        let mut s = format!("{api} said (HTTP {http}");
        if !self.status.is_empty() {
            s.push(' ');
            s.push_str(&self.status);
        }
        if let Some(r) = &self.reason {
            s.push_str(&format!(", reason {r}"));
        }
        s.push_str(&format!("): {:?}", self.message));
        s
    }
}

/// The body, parsed or not, and the verbatim line for `detail`.
struct Parsed {
    g: GoogleError,
    said: String,
    json: bool,
}

fn parse(api: &str, status: u16, body: &str) -> Parsed {
    match parse_google_error(body) {
        Some(g) => Parsed {
            said: g.said(api, status),
            g,
            json: true,
        },
        None => {
            // OAuth-style or other JSON keeps error/error_description verbatim.
            let oauth = serde_json::from_str::<Value>(body.trim())
                .ok()
                .and_then(|v| {
                    let e = v.get("error")?.as_str()?.to_string();
                    let d = v
                        .get("error_description")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    Some((e, d))
                });
            match oauth {
                Some((e, d)) => Parsed {
                    said: format!(
                        "{api} said (HTTP {status}): error={e:?}, error_description={d:?}"
                    ),
                    g: GoogleError {
                        code: Some(status),
                        message: d,
                        status: e,
                        ..Default::default()
                    },
                    json: true,
                },
                None => Parsed {
                    said: format!(
                        "{api} answered HTTP {status} with a non-JSON body: {}",
                        snippet(body, 200)
                    ),
                    g: GoogleError {
                        code: Some(status),
                        message: snippet(body, 200),
                        ..Default::default()
                    },
                    json: false,
                },
            }
        }
    }
}

fn explanation(
    id: &str,
    summary: String,
    cause: String,
    said: &str,
    fix: String,
    retryable: bool,
) -> Explanation {
    Explanation {
        id: id.to_string(),
        summary: summary.into(),
        detail: format!("{}\n{said}", cause.trim_end()).into(),
        fix: fix.into(),
        retryable,
    }
}

const PROPAGATION: &str = "IAM changes take effect within a few minutes (about 1-2 minutes observed, allow up to 7): wait before concluding the binding is wrong.";

fn enable_fix(service: &str, project: &str) -> String {
    format!(
        "`gcloud services enable {service} --project={}`, wait a minute or two, then retry.",
        shell_quote(project)
    )
}

/// The project a service-account email belongs to (`NAME@PROJECT.iam.gserviceaccount.com`),
/// else the context's project.
fn sa_project(ctx: &Context) -> String {
    ctx.service_account_or_placeholder()
        .split_once('@')
        .and_then(|(_, d)| d.strip_suffix(".iam.gserviceaccount.com"))
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| ctx.gcloud_project().to_string())
}

fn rate_limited(prefix: &str, api: &str, p: &Parsed) -> Explanation {
    explanation(
        &format!("{prefix}.rate_limited"),
        format!("{api} throttled the request (HTTP 429)"),
        "A quota or rate limit was exceeded; the message names which one.".to_string(),
        &p.said,
        "Wait and retry with exponential backoff (start at a few seconds); if it persists, request more quota in the Google Cloud console (IAM & Admin > Quotas).".to_string(),
        true,
    )
}

fn server_error(prefix: &str, api: &str, status: u16, p: &Parsed) -> Explanation {
    explanation(
        &format!("{prefix}.server_error"),
        format!("{api} returned a server error (HTTP {status})"),
        "A failure on Google's side (or on a proxy in between).".to_string(),
        &p.said,
        "Retry after a few seconds; if it persists, check https://status.cloud.google.com."
            .to_string(),
        true,
    )
}

fn unknown(prefix: &str, api: &str, status: u16, p: &Parsed) -> Explanation {
    let cause = if p.json {
        format!(
            "Unrecognised error. HTTP {status}; status: {}; reason: {}; message: {}",
            if p.g.status.is_empty() {
                "(none)"
            } else {
                &p.g.status
            },
            p.g.reason.as_deref().unwrap_or("(none)"),
            p.g.message
        )
    } else {
        format!(
            "Unrecognised error: HTTP {status} with a non-JSON body ({}). A proxy or firewall may be answering instead of Google.",
            p.g.message
        )
    };
    explanation(
        &format!("{prefix}.unknown"),
        format!("{api} failed (HTTP {status})"),
        cause,
        &p.said,
        "Read the message above; if a proxy is in the way, check HTTPS_PROXY / NO_PROXY."
            .to_string(),
        status == 429 || status >= 500,
    )
}

/// Explains a failed `generateAccessToken` call (service-account impersonation).
pub fn explain_impersonation(status: u16, body: &str, ctx: &Context) -> Explanation {
    const API: &str = "IAM Service Account Credentials (generateAccessToken)";
    let p = parse("iamcredentials.googleapis.com", status, body);
    let g = &p.g;
    let sa = ctx.service_account_or_placeholder();
    let sa_raw = ctx.service_account.as_deref().unwrap_or(PH_SA);
    let msg_l = g.message.to_ascii_lowercase();
    if g.is_service_disabled() {
        let (project, service) = g.disabled_api("iamcredentials.googleapis.com", ctx);
        return explanation(
            "impersonation.service_disabled",
            format!("The {service} API is disabled in project {project}"),
            format!(
                "Impersonation needs the IAM Service Account Credentials API in project {project}: the project the federated token is attributed to (the pool's project, number {}), which can differ from the service account's project.",
                ctx.project_number_or_placeholder()
            ),
            &p.said,
            enable_fix(&service, &project),
            false,
        );
    }
    if status == 400 && msg_l.contains("lifetime") {
        let clock = msg_l.contains("larger then zero")
            || msg_l.contains("larger than zero")
            || msg_l.contains("cannot exceed 3600");
        return explanation(
            "impersonation.lifetime",
            "The requested access-token lifetime was refused".to_string(),
            if clock {
                "The lifetime computed from the request is out of range; this is seen when the local clock is off.".to_string()
            } else {
                "Service-account access tokens live at most 1 hour (3600 s) unless the organisation policy constraints/iam.allowServiceAccountCredentialLifetimeExtension allows up to 12 hours for this service account.".to_string()
            },
            &p.said,
            format!(
                "Request \"lifetime\":\"3600s\" or less (credential configuration: service_account_impersonation.token_lifetime_seconds between 600 and 3600){}. To allow longer tokens: `gcloud resource-manager org-policies allow constraints/iam.allowServiceAccountCredentialLifetimeExtension {} --organization=<ORG_ID>`.",
                if clock {
                    "; check the clock with `date -u` against an NTP source"
                } else {
                    ""
                },
                shell_quote(sa)
            ),
            false,
        );
    }
    match status {
        400 => {
            let issues = service_account_issues("service_account", sa_raw, ctx.project_id.as_deref());
            let (cause, fix) = if issues.is_empty() {
                (
                    format!(
                        "The request has an invalid argument. The service account {} looks well-formed, so check the request body: scope must be a non-empty list, e.g. [\"https://www.googleapis.com/auth/cloud-platform\"].",
                        visible(sa_raw)
                    ),
                    format!(
                        "Confirm the service account exists: `gcloud iam service-accounts describe {}`; send {{\"scope\":[\"https://www.googleapis.com/auth/cloud-platform\"]}}.",
                        shell_quote(sa)
                    ),
                )
            } else {
                (
                    format!(
                        "The service account in the request is {}: {}.",
                        visible(sa_raw),
                        issues.iter().map(|i| i.message.to_string()).collect::<Vec<_>>().join("; ")
                    ),
                    issues.iter().map(|i| i.fix.to_string()).collect::<Vec<_>>().join("; "),
                )
            };
            explanation(
                "impersonation.invalid_argument",
                "generateAccessToken rejected the request as invalid (HTTP 400)".to_string(),
                cause,
                &p.said,
                fix,
                false,
            )
        }
        401 => explanation(
            "impersonation.unauthenticated",
            "generateAccessToken did not accept the federated token (HTTP 401)".to_string(),
            "The Bearer token sent was not a valid Google access token: the STS token expired (it lives up to 1 h), or the Azure token was sent instead of the STS access_token.".to_string(),
            &p.said,
            "Exchange a fresh Azure token at STS and send its access_token as `Authorization: Bearer <token>`.".to_string(),
            true,
        ),
        403 => explanation(
            "impersonation.permission_denied",
            format!("The federated identity may not impersonate {sa}"),
            format!(
                "The principal {} lacks iam.serviceAccounts.getAccessToken on {} (granted by roles/iam.workloadIdentityUser on the service account). Likely: no binding; a member string that differs (project ID instead of number {}, the managed identity's client ID instead of its object ID {}, another pool than {}); a typo in the service account (403 also means \"may not exist\"); or a new binding that has not propagated yet.",
                ctx.principal(),
                visible(sa_raw),
                ctx.project_number_or_placeholder(),
                ctx.subject_or_placeholder(),
                ctx.pool_or_placeholder()
            ),
            &p.said,
            format!(
                "`gcloud iam service-accounts add-iam-policy-binding {} --project={} --member={} --role=roles/iam.workloadIdentityUser`; check with `gcloud iam service-accounts get-iam-policy {} --project={}`. {PROPAGATION}",
                shell_quote(sa),
                shell_quote(&sa_project(ctx)),
                sq(&ctx.principal()),
                shell_quote(sa),
                shell_quote(&sa_project(ctx)),
            ),
            false,
        ),
        404 => explanation(
            "impersonation.not_found",
            format!("Service account {sa} does not exist"),
            format!(
                "No service account {} in project {} (a typo, the wrong project, or it was deleted).",
                visible(sa_raw),
                sa_project(ctx)
            ),
            &p.said,
            format!(
                "List the service accounts: `gcloud iam service-accounts list --project={} --format='value(email)'` and use one of them with --service-account; a service account deleted less than 30 days ago can be restored with `gcloud iam service-accounts undelete <UNIQUE_ID> --project={}`.",
                shell_quote(&sa_project(ctx)),
                shell_quote(&sa_project(ctx)),
            ),
            false,
        ),
        429 => rate_limited("impersonation", API, &p),
        s if s >= 500 => server_error("impersonation", API, s, &p),
        _ => unknown("impersonation", API, status, &p),
    }
}

/// The role that grants a permission the probe asks for.
fn role_for(permission: &str) -> &'static str {
    if permission.starts_with("aiplatform.") {
        "roles/aiplatform.user"
    } else if permission == "resourcemanager.projects.get" {
        "roles/browser"
    } else if permission.starts_with("iam.serviceAccounts.") {
        "roles/iam.workloadIdentityUser"
    } else {
        ""
    }
}

/// `gcloud projects add-iam-policy-binding …` for the federated identity (and the other
/// member form as an alternative).
fn project_binding_fix(ctx: &Context, role: &str) -> String {
    let project = shell_quote(ctx.project_id_or_placeholder());
    let cmd = |member: &str| {
        format!(
            "`gcloud projects add-iam-policy-binding {project} --member={} --role={role}`",
            sq(member)
        )
    };
    let direct = format!(
        "{} (needs the attribute mapping attribute.subject=assertion.sub; or the single-identity member: {})",
        cmd(&ctx.principal_set()),
        cmd(&ctx.principal())
    );
    match ctx
        .service_account
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(sa) => format!(
            "{} (when impersonating {sa}); for direct access: {direct}",
            cmd(&format!("serviceAccount:{sa}"))
        ),
        None => direct,
    }
}

/// Explains a `testIamPermissions` result: `None` when every wanted permission is granted.
pub fn explain_permissions(
    granted: &[String],
    wanted: &[String],
    ctx: &Context,
) -> Option<Explanation> {
    let missing: Vec<&String> = wanted.iter().filter(|w| !granted.contains(w)).collect();
    if missing.is_empty() {
        return None;
    }
    let project = ctx.project_id_or_placeholder();
    let member = match ctx
        .service_account
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(sa) => format!("serviceAccount:{sa}"),
        None => ctx.principal(),
    };
    let list = |v: &[&String]| {
        if v.is_empty() {
            "(none)".to_string()
        } else {
            v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        }
    };
    let granted_refs: Vec<&String> = granted.iter().collect();
    let mut cause = format!(
        "testIamPermissions on project {project} as {member}: granted {}; missing {}.",
        list(&granted_refs),
        list(&missing)
    );
    if granted.is_empty()
        && ctx
            .service_account
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty())
    {
        cause.push_str(&format!(
            " Nothing is granted at all to {member}: the role is missing on project {project}, or the probe ran with a token of another identity."
        ));
    } else if granted.is_empty() {
        cause.push_str(&format!(
            " Nothing is granted at all, so the binding most likely names another member: it must use the project number {} (not the ID), pool {}, and the token's sub {} (the managed identity's object ID, not its client ID).",
            ctx.project_number_or_placeholder(),
            ctx.pool_or_placeholder(),
            ctx.subject_or_placeholder()
        ));
    }
    cause.push_str(" Only project-level grants (including inherited ones) are reported.");
    let mut roles: Vec<&'static str> = Vec::new();
    let mut unmapped = Vec::new();
    for m in &missing {
        match role_for(m) {
            "" => unmapped.push(m.as_str()),
            r if !roles.contains(&r) => roles.push(r),
            _ => {}
        }
    }
    let mut fixes: Vec<String> = roles.iter().map(|r| project_binding_fix(ctx, r)).collect();
    if !unmapped.is_empty() {
        fixes.push(format!(
            "grant a role that contains {} (https://cloud.google.com/iam/docs/permissions-reference)",
            unmapped.join(", ")
        ));
    }
    let key = if missing.iter().any(|m| *m == "aiplatform.endpoints.predict") {
        "aiplatform.endpoints.predict".to_string()
    } else {
        list(&missing)
    };
    Some(Explanation {
        id: "permissions.missing".to_string(),
        summary: format!("The federated identity lacks {key} on project {project}").into(),
        detail: cause.into(),
        fix: format!("{}. {PROPAGATION}", fixes.join("; ")).into(),
        retryable: false,
    })
}

/// Explains a failed `testIamPermissions` call (Cloud Resource Manager).
pub fn explain_permissions_error(status: u16, body: &str, ctx: &Context) -> Explanation {
    const API: &str = "Cloud Resource Manager (testIamPermissions)";
    let p = parse("cloudresourcemanager.googleapis.com", status, body);
    let g = &p.g;
    let project_raw = ctx.project_id.as_deref().unwrap_or("<PROJECT_ID>");
    let lookup = format!(
        "`gcloud projects describe {} --format='value(projectId)'`",
        shell_quote(ctx.project_number_or_placeholder())
    );
    if g.is_service_disabled() {
        let (project, service) = g.disabled_api("cloudresourcemanager.googleapis.com", ctx);
        return explanation(
            "permissions.service_disabled",
            format!("The {service} API is disabled in project {project}"),
            format!(
                "The permission probe calls {service}, which must be enabled in project {project}: the project the token is attributed to (for a federated token, the pool's project)."
            ),
            &p.said,
            enable_fix(&service, &project),
            false,
        );
    }
    match status {
        400 => {
            let problem = project_id_problem(project_raw.trim())
                .map(|pr| format!("The project ID {} {pr}.", visible(project_raw)))
                .unwrap_or_else(|| format!("The project ID is {}.", visible(project_raw)));
            explanation(
                "permissions.invalid_argument",
                "Cloud Resource Manager rejected the request as invalid (HTTP 400)".to_string(),
                problem,
                &p.said,
                format!("Use the project ID (not the number): {lookup}, then --project-id=<that ID>."),
                false,
            )
        }
        401 => explanation(
            "permissions.unauthenticated",
            "Cloud Resource Manager did not accept the token (HTTP 401)".to_string(),
            "The Bearer token was not a valid Google access token: it expired (STS tokens live up to 1 h), or the Azure token was sent instead of the Google one.".to_string(),
            &p.said,
            "Exchange a fresh Azure token at STS (and impersonate, if configured) and send the resulting Google access token as `Authorization: Bearer <token>`.".to_string(),
            true,
        ),
        403 => explanation(
            "permissions.permission_denied",
            format!("Cloud Resource Manager refused the probe on project {}", ctx.project_id_or_placeholder()),
            format!(
                "testIamPermissions needs no permission, so a 403 means project {} does not exist or is not visible to this identity (Resource Manager answers 403, not 404, for projects you cannot see), or an organisation policy / VPC Service Controls perimeter blocks the call. The project number in use is {}.",
                visible(project_raw),
                ctx.project_number_or_placeholder()
            ),
            &p.said,
            format!("Check the project ID belongs to project number {}: {lookup}; use that ID with --project-id.", ctx.project_number_or_placeholder()),
            false,
        ),
        404 => explanation(
            "permissions.project_not_found",
            format!("Project {} was not found", ctx.project_id_or_placeholder()),
            format!(
                "No project with ID {} (a typo, or the project number / display name used instead of the ID).",
                visible(project_raw)
            ),
            &p.said,
            format!("Find the ID of project number {}: {lookup}; or list them: `gcloud projects list --format='value(projectId,projectNumber)'`.", ctx.project_number_or_placeholder()),
            false,
        ),
        429 => rate_limited("permissions", API, &p),
        s if s >= 500 => server_error("permissions", API, s, &p),
        _ => unknown("permissions", API, status, &p),
    }
}

/// Explains a failed Vertex AI call (`countTokens` / `generateContent`) for `model` in
/// `location`.
pub fn explain_vertex(
    status: u16,
    body: &str,
    ctx: &Context,
    location: &str,
    model: &str,
) -> Explanation {
    const API: &str = "Vertex AI";
    let p = parse("aiplatform.googleapis.com", status, body);
    let g = &p.g;
    let project = ctx.project_id_or_placeholder();
    if g.is_service_disabled() {
        let consumer = g.consumer_project().unwrap_or_else(|| project.to_string());
        let service = g
            .service()
            .unwrap_or_else(|| "aiplatform.googleapis.com".to_string());
        return explanation(
            "vertex.service_disabled",
            format!("The {service} API is disabled in project {consumer}"),
            format!("Vertex AI calls need {service} enabled in project {consumer}."),
            &p.said,
            enable_fix(&service, &consumer),
            false,
        );
    }
    if g.reason.as_deref() == Some("BILLING_DISABLED") || g.message.contains("billing") {
        return explanation(
            "vertex.billing_disabled",
            format!("Billing is not enabled for project {project}"),
            "Vertex AI needs a project with an active billing account.".to_string(),
            &p.said,
            format!(
                "`gcloud billing projects link {} --billing-account=<BILLING_ACCOUNT_ID>` (list accounts with `gcloud billing accounts list`).",
                shell_quote(project)
            ),
            false,
        );
    }
    match status {
        400 => explanation(
            "vertex.invalid_argument",
            format!("Vertex AI rejected the request for model {model} in {location} (HTTP 400)"),
            format!(
                "Model {} in location {}: the message says which argument. A zone (e.g. us-central1-a) instead of a region, or a model not offered in that region, gives this error.",
                visible(model),
                visible(location)
            ),
            &p.said,
            format!("Try a known-good pair: --model={DEFAULT_MODEL} --location={DEFAULT_LOCATION}."),
            false,
        ),
        401 => explanation(
            "vertex.unauthenticated",
            "Vertex AI did not accept the token (HTTP 401)".to_string(),
            "\"Request had invalid authentication credentials\": the token expired (STS tokens live up to 1 h), or this API does not accept federated tokens directly.".to_string(),
            &p.said,
            format!(
                "Retry with a fresh token; if it persists, impersonate a service account: --service-account={} (after `gcloud iam service-accounts add-iam-policy-binding {} --member={} --role=roles/iam.workloadIdentityUser`).",
                ctx.service_account_or_placeholder(),
                shell_quote(ctx.service_account_or_placeholder()),
                sq(&ctx.principal())
            ),
            true,
        ),
        403 => {
            let perm = g
                .permission()
                .unwrap_or_else(|| "aiplatform.endpoints.predict".to_string());
            let role = match role_for(&perm) {
                "" => "roles/aiplatform.user",
                r => r,
            };
            explanation(
                "vertex.permission_denied",
                format!("The identity lacks {perm} on project {project}"),
                format!(
                    "Vertex AI denied {perm} for {} on project {}: the IAM binding is missing, names another member (project number {}, pool {}, subject {}), or has not propagated yet.",
                    match ctx.service_account.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                        Some(sa) => format!("serviceAccount:{sa}"),
                        None => ctx.principal(),
                    },
                    project,
                    ctx.project_number_or_placeholder(),
                    ctx.pool_or_placeholder(),
                    ctx.subject_or_placeholder()
                ),
                &p.said,
                format!("{}. {PROPAGATION}", project_binding_fix(ctx, role)),
                false,
            )
        }
        404 => explanation(
            "vertex.not_found",
            format!("Model {model} was not found in {location}"),
            format!(
                "Vertex AI has no model {} in location {} for project {} (a typo, a retired model version, or a model not offered in that region).",
                visible(model),
                visible(location),
                project
            ),
            &p.said,
            format!(
                "Use a known-good model and region: --model={DEFAULT_MODEL} --location={DEFAULT_LOCATION} (or --location=global)."
            ),
            false,
        ),
        429 => explanation(
            "vertex.rate_limited",
            format!("Vertex AI quota exhausted for {model} in {location} (HTTP 429)"),
            "Too many requests or tokens per minute for this model and region (RESOURCE_EXHAUSTED).".to_string(),
            &p.said,
            format!("Wait and retry with exponential backoff; or use --location=global (dynamic shared quota) or another region; or request more quota for project {project}."),
            true,
        ),
        s if s >= 500 => server_error("vertex", API, s, &p),
        _ => unknown("vertex", API, status, &p),
    }
}
