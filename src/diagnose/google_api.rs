//! Explains errors from Google APIs that use the JSON error shape
//! `{"error":{"code","message","status","details":[{"@type":"…ErrorInfo","reason","domain","metadata"}]}}`:
//! service-account impersonation (`generateAccessToken`), the `testIamPermissions` probe
//! and Vertex AI.

use super::text::{project_id_problem, service_account_issues, snippet, sq, visible};
use super::{Context, Explanation, PH_PROJECT_ID, PH_SA};
use crate::gcp::shell_quote;
use crate::i18n::{Arg, Msg, Text};
use crate::msg;
use crate::settings::{DEFAULT_LOCATION, DEFAULT_MODEL};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;

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
        // The text fallback is the catalogue's (the SERVICE_DISABLED rules' `message`).
        self.reason.as_deref() == Some("SERVICE_DISABLED")
            || rules()
                .iter()
                .filter(|r| r.reason.iter().any(|x| x == "SERVICE_DISABLED"))
                .any(|r| r.text_matches(self))
    }
    /// The project a message names: "… on resource project X." (X may be a display name
    /// with spaces), else for CONSUMER_INVALID the `consumer` / `containerInfo` metadata.
    pub fn named_project(&self) -> Option<String> {
        const MARKER: &str = "resource project ";
        if let Some(i) = self.message.find(MARKER) {
            let rest = &self.message[i + MARKER.len()..];
            let end = rest
                .find(". ")
                .or_else(|| rest.find(['"', '\n']))
                .unwrap_or(rest.len());
            let name = rest[..end].trim().trim_end_matches('.').trim();
            if !name.is_empty() {
                return Some(name.to_string());
            }
        }
        if self.reason.as_deref() == Some("CONSUMER_INVALID") {
            return self
                .metadata
                .get("containerInfo")
                .cloned()
                .or_else(|| self.consumer_project());
        }
        None
    }
}

/// The body, parsed or not, and the verbatim line for `detail`.
struct Parsed {
    g: GoogleError,
    said: Text,
    json: bool,
}

fn quoted(s: &str) -> String {
    format!("{s:?}")
}

fn parse(host: &str, status: u16, body: &str) -> Parsed {
    if let Some(g) = parse_google_error(body) {
        let said = match (g.status.is_empty(), &g.reason) {
            (_, Some(r)) => msg!(
                "google_api.said.reason",
                host = host,
                http = status,
                status = g.status.as_str(),
                reason = r.as_str(),
                quoted = quoted(&g.message)
            ),
            (false, None) => msg!(
                "google_api.said.status",
                host = host,
                http = status,
                status = g.status.as_str(),
                quoted = quoted(&g.message)
            ),
            (true, None) => msg!(
                "google_api.said.plain",
                host = host,
                http = status,
                quoted = quoted(&g.message)
            ),
        };
        return Parsed {
            said: said.into(),
            g,
            json: true,
        };
    }
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
            said: msg!(
                "google_api.said.oauth",
                host = host,
                http = status,
                error = quoted(&e),
                description = quoted(&d)
            )
            .into(),
            g: GoogleError {
                code: Some(status),
                message: d,
                status: e,
                ..Default::default()
            },
            json: true,
        },
        None => Parsed {
            said: msg!(
                "google_api.said.non_json",
                host = host,
                http = status,
                body = snippet(body, 200)
            )
            .into(),
            g: GoogleError {
                code: Some(status),
                message: snippet(body, 200),
                ..Default::default()
            },
            json: false,
        },
    }
}

/// The call that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Impersonation,
    Permissions,
    Vertex,
}

impl Api {
    fn name(self) -> &'static str {
        match self {
            Api::Impersonation => "impersonation",
            Api::Permissions => "permissions",
            Api::Vertex => "vertex",
        }
    }
    /// The product name, shown as it is in every language.
    fn product(self) -> &'static str {
        match self {
            Api::Impersonation => "IAM Service Account Credentials (generateAccessToken)",
            Api::Permissions => "Cloud Resource Manager (testIamPermissions)",
            Api::Vertex => "Vertex AI",
        }
    }
    fn host(self) -> &'static str {
        match self {
            Api::Impersonation => "iamcredentials.googleapis.com",
            Api::Permissions => "cloudresourcemanager.googleapis.com",
            Api::Vertex => "aiplatform.googleapis.com",
        }
    }
}

/// One `[[rule]]` of `assets/i18n/google_api.toml` (its texts are read by the catalogue).
#[derive(Debug, Deserialize)]
struct Rule {
    id: Option<String>,
    #[serde(rename = "use")]
    alias_of: Option<String>,
    #[serde(default)]
    apis: Vec<String>,
    #[serde(default)]
    http: Vec<u16>,
    http_min: Option<u16>,
    #[serde(default)]
    status: Vec<String>,
    #[serde(default)]
    reason: Vec<String>,
    #[serde(default)]
    domain: Vec<String>,
    #[serde(default)]
    metadata: Vec<String>,
    names: Option<String>,
    #[serde(default)]
    message: Vec<String>,
    #[serde(default)]
    retryable: bool,
}

#[derive(Debug, Deserialize)]
struct RuleFile {
    rule: Vec<Rule>,
}

fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        toml::from_str::<RuleFile>(crate::i18n::source("google_api"))
            .expect("assets/i18n/google_api.toml has [[rule]] entries")
            .rule
    })
}

/// The rule ids of the Google API catalogue, in file order (for tests).
pub fn google_api_rule_ids() -> Vec<&'static str> {
    rules().iter().filter_map(|r| r.id.as_deref()).collect()
}

/// What the message names, judged against the settings.
fn names(what: &str, g: &GoogleError, ctx: &Context) -> bool {
    match what {
        "other_project" => g.named_project().is_some_and(|n| {
            let n = n.trim();
            Some(n) != ctx.project_id.as_deref().map(str::trim)
                && Some(n) != ctx.project_number.as_deref().map(str::trim)
        }),
        _ => false,
    }
}

impl Rule {
    fn key(&self) -> &str {
        self.id
            .as_deref()
            .or(self.alias_of.as_deref())
            .unwrap_or("google_api.unknown")
    }
    fn gates(&self, api: Api, http: u16, g: &GoogleError) -> bool {
        (self.apis.is_empty() || self.apis.iter().any(|a| a == api.name()))
            && (self.http.is_empty() || self.http.contains(&http))
            && self.http_min.is_none_or(|m| http >= m)
            && (self.status.is_empty() || self.status.contains(&g.status))
    }
    fn structural(&self) -> bool {
        !self.reason.is_empty()
            || !self.domain.is_empty()
            || !self.metadata.is_empty()
            || self.names.is_some()
    }
    fn structure_matches(&self, g: &GoogleError, ctx: &Context) -> bool {
        self.structural()
            && (self.reason.is_empty()
                || g.reason.as_ref().is_some_and(|r| self.reason.contains(r)))
            && (self.domain.is_empty()
                || g.domain.as_ref().is_some_and(|d| self.domain.contains(d)))
            && self.metadata.iter().all(|k| g.metadata.contains_key(k))
            && self.names.as_deref().is_none_or(|n| names(n, g, ctx))
    }
    fn text_matches(&self, g: &GoogleError) -> bool {
        let m = g.message.to_lowercase();
        self.message.iter().any(|t| m.contains(&t.to_lowercase()))
    }
}

/// The first rule that matches: by structure, then by message text, then by status alone.
fn find(api: Api, http: u16, g: &GoogleError, ctx: &Context) -> Option<&'static Rule> {
    let candidates = || rules().iter().filter(move |r| r.gates(api, http, g));
    candidates()
        .find(|r| r.structure_matches(g, ctx))
        .or_else(|| candidates().find(|r| r.text_matches(g)))
        .or_else(|| candidates().find(|r| !r.structural() && r.message.is_empty()))
}

/// The explanation id: the rule id without `google_api.`, prefixed by the API when the
/// rule is for any API.
fn explanation_id(api: Api, key: &str) -> String {
    let name = key.strip_prefix("google_api.").unwrap_or(key);
    if name.starts_with(&format!("{}.", api.name())) {
        name.to_string()
    } else {
        format!("{}.{name}", api.name())
    }
}

/// `"(none)"` in the reader's language.
fn none() -> Text {
    msg!("google_api.text.none").into()
}

fn or_none(v: Option<&str>) -> Arg {
    match v.filter(|s| !s.is_empty()) {
        Some(s) => s.into(),
        None => none().into(),
    }
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

fn configured_sa(ctx: &Context) -> Option<&str> {
    ctx.service_account
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The IAM member the call ran as: the service account when impersonating, else the
/// federated principal.
fn member(ctx: &Context) -> String {
    match configured_sa(ctx) {
        Some(sa) => format!("serviceAccount:{sa}"),
        None => ctx.principal(),
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
/// member form as an alternative; the service account first when impersonating).
fn project_binding_fix(ctx: &Context, role: &str) -> Text {
    let project = shell_quote(ctx.project_id_or_placeholder());
    let cmd = |member: &str| {
        msg!(
            "google_api.cmd.project_binding",
            project = project.as_str(),
            member = sq(member),
            role = role
        )
    };
    let direct = msg!(
        "google_api.text.binding_direct",
        cmd_set = cmd(&ctx.principal_set()),
        cmd_one = cmd(&ctx.principal())
    );
    match configured_sa(ctx) {
        Some(sa) => msg!(
            "google_api.text.binding_sa",
            cmd_sa = cmd(&format!("serviceAccount:{sa}")),
            sa = sa,
            direct = direct
        )
        .into(),
        None => direct.into(),
    }
}

/// Everything a template may name, from the answer and the settings.
struct Args<'a> {
    api: Api,
    http: u16,
    p: &'a Parsed,
    ctx: &'a Context,
    model: &'a str,
    location: &'a str,
}

impl Args<'_> {
    fn consumer(&self) -> String {
        self.p
            .g
            .consumer_project()
            .unwrap_or_else(|| match self.api {
                Api::Vertex => self.ctx.project_id_or_placeholder().to_string(),
                _ => self.ctx.project_number_or_placeholder().to_string(),
            })
    }
    fn service(&self) -> String {
        self.p
            .g
            .service()
            .unwrap_or_else(|| self.api.host().to_string())
    }
    fn permission(&self) -> String {
        self.p
            .g
            .permission()
            .unwrap_or_else(|| "aiplatform.endpoints.predict".to_string())
    }

    /// `m` with every argument.
    fn fill(&self, m: Msg) -> Msg {
        let (g, ctx) = (&self.p.g, self.ctx);
        let sa = ctx.service_account_or_placeholder();
        let sa_raw = ctx.service_account.as_deref().unwrap_or(PH_SA);
        let project_raw = ctx.project_id.as_deref().unwrap_or(PH_PROJECT_ID);
        let number = shell_quote(ctx.project_number_or_placeholder());
        let sa_project = sa_project(ctx);
        let consumer = self.consumer();
        let service = self.service();
        let permission = self.permission();
        let role = match role_for(&permission) {
            "" => "roles/aiplatform.user",
            r => r,
        };
        let named = g.named_project().unwrap_or_else(|| consumer.clone());
        let meta = |k: &str| or_none(g.metadata.get(k).map(String::as_str));
        m.arg("api", self.api.product())
            .arg("host", self.api.host())
            .arg("http", self.http)
            .arg("status", or_none(Some(&g.status)))
            .arg("reason", or_none(g.reason.as_deref()))
            .arg("message", g.message.as_str())
            .arg("service", service.as_str())
            .arg("consumer", consumer.as_str())
            .arg("named", named.as_str())
            .arg("permission", permission.as_str())
            .arg("quota_metric", meta("quota_metric"))
            .arg("quota_limit", meta("quota_limit"))
            .arg("project", ctx.project_id_or_placeholder())
            .arg("project_visible", visible(project_raw))
            .arg("project_number", ctx.project_number_or_placeholder())
            .arg("pool", ctx.pool_or_placeholder())
            .arg("subject", ctx.subject_or_placeholder())
            .arg("principal", ctx.principal())
            .arg("principal_set", ctx.principal_set())
            .arg("sa", sa)
            .arg("sa_visible", visible(sa_raw))
            .arg("sa_project", sa_project.as_str())
            .arg("member", member(ctx))
            .arg("model", self.model)
            .arg("location", self.location)
            .arg("model_visible", visible(self.model))
            .arg("location_visible", visible(self.location))
            .arg("default_model", DEFAULT_MODEL)
            .arg("default_location", DEFAULT_LOCATION)
            .arg("propagation", msg!("google_api.text.propagation"))
            .arg("binding", project_binding_fix(ctx, role))
            .arg(
                "cmd_enable",
                msg!(
                    "google_api.cmd.enable",
                    service = service.as_str(),
                    project = shell_quote(&consumer)
                ),
            )
            .arg(
                "cmd_lookup",
                msg!("google_api.cmd.lookup", number = number.as_str()),
            )
            .arg(
                "cmd_lookup_name",
                msg!("google_api.cmd.lookup_name", number = number.as_str()),
            )
            .arg("cmd_projects_list", msg!("google_api.cmd.projects_list"))
            .arg(
                "cmd_sa_binding",
                msg!(
                    "google_api.cmd.sa_binding",
                    sa = shell_quote(sa),
                    project = shell_quote(&sa_project),
                    member = sq(&ctx.principal())
                ),
            )
            .arg(
                "cmd_sa_binding_plain",
                msg!(
                    "google_api.cmd.sa_binding_plain",
                    sa = shell_quote(sa),
                    member = sq(&ctx.principal())
                ),
            )
            .arg(
                "cmd_sa_policy",
                msg!(
                    "google_api.cmd.sa_policy",
                    sa = shell_quote(sa),
                    project = shell_quote(&sa_project)
                ),
            )
            .arg(
                "cmd_sa_list",
                msg!("google_api.cmd.sa_list", project = shell_quote(&sa_project)),
            )
            .arg(
                "cmd_sa_undelete",
                msg!(
                    "google_api.cmd.sa_undelete",
                    project = shell_quote(&sa_project)
                ),
            )
            .arg(
                "cmd_sa_describe",
                msg!("google_api.cmd.sa_describe", sa = shell_quote(sa)),
            )
            .arg(
                "cmd_config_sa",
                msg!("google_api.cmd.config_sa", sa = shell_quote(sa)),
            )
            .arg(
                "cmd_billing",
                msg!(
                    "google_api.cmd.billing",
                    project = shell_quote(ctx.project_id_or_placeholder())
                ),
            )
            .arg("cmd_billing_list", msg!("google_api.cmd.billing_list"))
            .arg(
                "cmd_lifetime_policy",
                msg!("google_api.cmd.lifetime_policy", sa = shell_quote(sa)),
            )
    }

    fn text(&self, key: &str, part: &str) -> Msg {
        self.fill(Msg::new(format!("{key}.{part}")))
    }
}

/// Explains one failed call by the first matching catalogue rule.
fn explain(
    api: Api,
    status: u16,
    body: &str,
    ctx: &Context,
    location: &str,
    model: &str,
) -> Explanation {
    let p = parse(api.host(), status, body);
    let rule = find(api, status, &p.g, ctx);
    let key = rule.map(Rule::key).unwrap_or("google_api.unknown");
    let retryable = rules()
        .iter()
        .find(|r| r.id.as_deref() == Some(key))
        .is_some_and(|r| r.retryable);
    let a = Args {
        api,
        http: status,
        p: &p,
        ctx,
        model,
        location,
    };
    let id = explanation_id(api, key);
    let name = key.strip_prefix("google_api.").unwrap_or(key);
    let mut detail = Text::new();
    let mut fix: Text = a.text(key, "fix").into();
    match name {
        "impersonation.lifetime" => {
            let m = p.g.message.to_ascii_lowercase();
            let clock = m.contains("larger then zero")
                || m.contains("larger than zero")
                || m.contains("cannot exceed 3600");
            detail.push(a.text(key, if clock { "detail_clock" } else { "detail" }));
            let clock_text = if clock {
                Text::from(msg!("google_api.impersonation.lifetime.clock"))
            } else {
                Text::new()
            };
            fix = a.text(key, "fix").arg("clock", clock_text).into();
        }
        "impersonation.invalid_argument" => {
            let sa_raw = ctx.service_account.as_deref().unwrap_or(PH_SA);
            let issues =
                service_account_issues("service_account", sa_raw, ctx.project_id.as_deref());
            if issues.is_empty() {
                detail.push(a.text(key, "detail"));
            } else {
                let messages: Vec<Text> = issues.iter().map(|i| i.message.clone()).collect();
                let fixes: Vec<Text> = issues.iter().map(|i| i.fix.clone()).collect();
                detail.push(
                    a.text(key, "detail_issues")
                        .arg("issues", Text::join(messages, "; ")),
                );
                fix = Text::join(fixes, "; ");
            }
        }
        "permissions.invalid_argument" => {
            let project_raw = ctx.project_id.as_deref().unwrap_or(PH_PROJECT_ID);
            match project_id_problem(project_raw.trim()) {
                Some(problem) => detail.push(a.text(key, "detail_problem").arg("problem", problem)),
                None => detail.push(a.text(key, "detail")),
            };
        }
        "unknown" | "impersonation.unknown" | "permissions.unknown" | "vertex.unknown"
            if !p.json =>
        {
            detail.push(a.text(key, "detail_non_json"));
        }
        _ => {
            detail.push(a.text(key, "detail"));
        }
    }
    if name == "consumer_invalid"
        && let Some(named) = p.g.named_project()
    {
        let not_an_id = crate::gcp::validate_project_id(named.trim()).is_err();
        if Some(named.trim()) == ctx.project_id.as_deref().map(str::trim) {
            if not_an_id {
                detail.sentence(a.text(key, "display_name"));
            }
        } else {
            detail.sentence(a.text(key, "elsewhere"));
            if not_an_id {
                detail.sentence(a.text(key, "not_an_id"));
            }
        }
    }
    if name.ends_with("service_disabled") {
        let consumer = a.consumer();
        let differs = Some(consumer.as_str()) != ctx.project_number.as_deref().map(str::trim)
            && Some(consumer.as_str()) != ctx.project_id.as_deref().map(str::trim);
        if differs && p.g.consumer_project().is_some() {
            detail.sentence(a.fill(msg!("google_api.text.names_other_project")));
        }
    }
    detail.line(p.said.clone());
    Explanation {
        id,
        summary: a.text(key, "summary").into(),
        detail,
        fix,
        retryable,
    }
}

/// Explains a failed `generateAccessToken` call (service-account impersonation).
pub fn explain_impersonation(status: u16, body: &str, ctx: &Context) -> Explanation {
    explain(Api::Impersonation, status, body, ctx, "", "")
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
    let member = member(ctx);
    let list = |v: &[&String]| -> Text {
        if v.is_empty() {
            none()
        } else {
            Text::value(v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))
        }
    };
    let granted_refs: Vec<&String> = granted.iter().collect();
    let mut cause = Text::from(msg!(
        "google_api.permissions.missing.detail",
        project = project,
        member = member.as_str(),
        granted = list(&granted_refs),
        missing = list(&missing)
    ));
    if granted.is_empty() && configured_sa(ctx).is_some() {
        cause.sentence(msg!(
            "google_api.permissions.missing.none_sa",
            member = member.as_str(),
            project = project
        ));
    } else if granted.is_empty() {
        cause.sentence(msg!(
            "google_api.permissions.missing.none_direct",
            project_number = ctx.project_number_or_placeholder(),
            pool = ctx.pool_or_placeholder(),
            subject = ctx.subject_or_placeholder()
        ));
    }
    cause.sentence(msg!("google_api.permissions.missing.scope"));
    let mut roles: Vec<&'static str> = Vec::new();
    let mut unmapped = Vec::new();
    for m in &missing {
        match role_for(m) {
            "" => unmapped.push(m.as_str()),
            r if !roles.contains(&r) => roles.push(r),
            _ => {}
        }
    }
    let mut fixes: Vec<Text> = roles.iter().map(|r| project_binding_fix(ctx, r)).collect();
    if !unmapped.is_empty() {
        fixes.push(
            msg!(
                "google_api.text.binding_unmapped",
                permissions = unmapped.join(", ")
            )
            .into(),
        );
    }
    let key = if missing.iter().any(|m| *m == "aiplatform.endpoints.predict") {
        Text::value("aiplatform.endpoints.predict")
    } else {
        list(&missing)
    };
    Some(Explanation {
        id: "permissions.missing".to_string(),
        summary: msg!(
            "google_api.permissions.missing.summary",
            key = key,
            project = project
        )
        .into(),
        detail: cause,
        fix: msg!(
            "google_api.permissions.missing.fix",
            fixes = Text::join(fixes, "; "),
            propagation = msg!("google_api.text.propagation")
        )
        .into(),
        retryable: false,
    })
}

/// Explains a failed `testIamPermissions` call (Cloud Resource Manager).
pub fn explain_permissions_error(status: u16, body: &str, ctx: &Context) -> Explanation {
    explain(Api::Permissions, status, body, ctx, "", "")
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
    explain(Api::Vertex, status, body, ctx, location, model)
}
