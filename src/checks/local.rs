//! Checks that need no Google call: settings, the token source, the token fetch result
//! and the credential configuration file.

use super::{CheckId, Finding};
use crate::azure::{AzureError, Plan, SourceKind};
use crate::diagnose::{self, Issue, LintContext, SettingsLintInput, Severity};
use crate::i18n::Text;
use crate::msg;
use crate::session::Fetched;
use crate::settings::{Settings, value_of};
use serde_json::json;

const MAX_CONFIG: u64 = 1024 * 1024;

fn issue(
    severity: Severity,
    field: &'static str,
    message: impl Into<Text>,
    fix: impl Into<Text>,
) -> Issue {
    Issue {
        severity,
        field,
        message: message.into(),
        fix: fix.into(),
    }
}

/// Fold lint issues into one finding: the worst severity decides.
fn from_issues(id: CheckId, issues: &[Issue], ok_detail: impl Into<Text>) -> Finding {
    if issues.is_empty() {
        return Finding::pass(id, ok_detail);
    }
    let mut detail = Text::new();
    for i in issues {
        detail.line(Text::value(format!("{}: ", i.field)).and(i.message.clone()));
    }
    let mut fixes = Vec::new();
    for i in issues {
        let fix = i.fix.to_string();
        if !fix.is_empty() && !fixes.contains(&fix) {
            fixes.push(fix);
        }
    }
    let mut fix = Text::new();
    for f in fixes {
        fix.line(f);
    }
    let data = json!({"issues": issues});
    if issues.iter().any(|i| i.severity == Severity::Fail) {
        Finding::fail(id, detail, fix).with_data(data)
    } else {
        Finding::warn(id, detail, fix).with_data(data)
    }
}

/// gcp.settings: the Google values STS and the probes need, with copy/paste slips caught.
pub fn settings(s: &Settings) -> Finding {
    let id = CheckId::GcpSettings;
    // Copy/paste artefacts were removed at resolve time; say so, showing the raw form.
    let mut issues: Vec<Issue> = s
        .adjustments()
        .into_iter()
        .map(|a| {
            issue(
                Severity::Warn,
                a.field,
                msg!(
                    "files.settings.adjusted",
                    label = a.label.clone(),
                    raw = &a.raw,
                    origin = a.origin.to_string(),
                    problems = a.problems_text(),
                    value = &a.value
                ),
                msg!(
                    "files.settings.adjusted_fix",
                    label = a.label,
                    value = &a.value
                ),
            )
        })
        .collect();
    issues.extend(diagnose::lint_settings(&SettingsLintInput::from_settings(
        s,
    )));
    let required = [
        (
            "project_number",
            s.project_number.is_none(),
            "--project-number <digits> (GCP_PROJECT_NUMBER)",
        ),
        (
            "pool",
            s.pool.is_none(),
            "--pool <pool ID> (GCP_WORKLOAD_IDENTITY_POOL_ID)",
        ),
        (
            "provider",
            s.provider.is_none(),
            "--provider <provider ID> (GCP_WORKLOAD_IDENTITY_PROVIDER_ID)",
        ),
    ];
    for (field, missing, how) in required {
        if missing {
            issues.push(issue(
                Severity::Fail,
                field,
                msg!("files.settings.required_missing"),
                msg!(
                    "files.settings.required_fix",
                    how = how,
                    list = msg!("files.cmd.list_pools")
                ),
            ));
        }
    }
    for (field, problem) in endpoint_problems(s) {
        issues.push(issue(
            Severity::Fail,
            field,
            problem,
            msg!("files.settings.endpoint_fix", env = "wif-doctor env"),
        ));
    }
    if s.project_id.is_none() {
        issues.push(issue(
            Severity::Warn,
            "project_id",
            msg!("files.settings.project_id_missing"),
            msg!(
                "files.settings.project_id_fix",
                how = "--project-id <project ID> (GCP_PROJECT_ID)"
            ),
        ));
    }
    let v = |o| value_of(o).unwrap_or_default();
    let mut ok = Text::from(msg!(
        "files.settings.ok",
        project = v(&s.project_id),
        number = v(&s.project_number),
        pool = v(&s.pool),
        provider = v(&s.provider)
    ));
    if let Some(sa) = &s.service_account {
        ok.push(msg!("files.settings.ok_impersonating", sa = &sa.value));
    }
    from_issues(id, &issues, ok)
}

/// azure.source: which managed-identity source applies.
pub fn source(plan: &Result<Plan, AzureError>) -> Finding {
    let id = CheckId::AzureSource;
    match plan {
        Ok(p) => Finding::pass(id, {
            let mut d = Text::from(msg!(
                "files.source.at",
                kind = p.kind.to_string(),
                endpoint = &p.endpoint
            ));
            d.line(p.reason.clone());
            d
        })
        .with_data(json!({"source": p.kind.id(), "endpoint": p.endpoint, "reason": p.reason})),
        Err(e) => azure_failure(id, e),
    }
}

fn azure_failure(id: CheckId, e: &AzureError) -> Finding {
    let mut detail = e.summary.clone();
    detail.line(e.cause.clone());
    Finding::fail(id, detail, e.fix.clone()).with_data(json!({
        "kind": e.kind, "status": e.status, "raw": e.raw,
    }))
}

/// azure.token: the fetch succeeded.
pub fn token(f: &Fetched) -> Finding {
    let mut detail = Text::from(msg!(
        "files.token.fetched",
        resource = &f.token.resource,
        endpoint = &f.token.endpoint
    ));
    if f.token.attempts > 1 {
        detail.push(msg!("files.token.attempts", attempts = f.token.attempts));
    }
    if let Some((at, from)) = f.expires_at() {
        detail.push(msg!(
            "files.token.expires",
            at = crate::jwt::format_utc(at),
            from = from.to_string()
        ));
    }
    Finding::pass(CheckId::AzureToken, detail).with_data(json!({
        "source": f.token.source.id(),
        "endpoint": f.token.endpoint,
        "resource": f.token.resource,
        "token_sha256": f.summary.sha256,
        "attempts": f.token.attempts,
    }))
}

pub fn token_error(e: &AzureError) -> Finding {
    azure_failure(CheckId::AzureToken, e)
}

/// config.file: lint the credential configuration named by GOOGLE_APPLICATION_CREDENTIALS.
/// An executable-sourced file is also run, as a library would run it.
pub async fn config_file(s: &Settings, fetched: Option<&Fetched>) -> Finding {
    let id = CheckId::ConfigFile;
    let Some(path) = &s.credentials else {
        return Finding::skip(
            id,
            msg!(
                "files.config.none",
                var = "GOOGLE_APPLICATION_CREDENTIALS",
                flag = "--credentials",
                command = "wif-doctor config"
            ),
        );
    };
    let shown = path.value.display().to_string();
    let text =
        match crate::files::read_capped_string(&path.value, MAX_CONFIG, path.origin.to_string()) {
            Ok(t) => t,
            Err(e) => {
                return Finding::fail(
                    id,
                    e.message(),
                    msg!(
                        "files.config.unreadable_fix",
                        command = "wif-doctor config --output <path>",
                        var = "GOOGLE_APPLICATION_CREDENTIALS"
                    ),
                );
            }
        };
    let on_app_service = s.environment.app_service_site.is_some()
        || fetched.is_some_and(|f| f.token.source == SourceKind::AppService)
        || s.identity_endpoint.is_some();
    let expected_audience = match (&s.project_number, &s.pool, &s.provider) {
        (Some(n), Some(p), Some(v)) => Some(crate::gcp::sts_audience(&n.value, &p.value, &v.value)),
        _ => None,
    };
    let lc = LintContext {
        current_identity_endpoint: s.identity_endpoint.as_ref().map(|e| e.value.clone()),
        current_identity_header: s
            .identity_header
            .as_ref()
            .map(|h| h.value.expose().to_string()),
        resource: Some(s.resource.value.clone()),
        on_app_service,
        expected_audience,
        allow_executables: s
            .allow_executables
            .as_ref()
            .map(|v| (v.value.clone(), v.origin.to_string())),
        app_name: s.environment.app_service_site.clone(),
    };
    let mut issues = diagnose::lint_config(&text, &lc);
    let parsed: Option<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_str(text.trim_start_matches('\u{FEFF}')).ok();
    let mut run = None;
    if let Some(cfg) = parsed.as_ref().filter(|c| {
        c.get("credential_source")
            .is_some_and(|cs| cs.get("executable").is_some())
    }) {
        let (more, summary) = super::executable::lint(s, cfg).await;
        issues.extend(more);
        run = Some(summary);
    }
    let mut ok_detail = Text::from(msg!(
        "files.config.consistent",
        path = &shown,
        origin = path.origin.to_string()
    ));
    if let Some(exp) = run.as_ref().and_then(|r| r.expiration_time) {
        ok_detail.push(msg!(
            "files.config.command_answered",
            until = crate::jwt::format_utc(exp),
            ms = run.as_ref().map(|r| r.elapsed_ms).unwrap_or_default()
        ));
    }
    let mut f = from_issues(id, &issues, ok_detail);
    if !issues.is_empty() {
        let mut detail = Text::from(msg!("files.config.in_file", path = &shown));
        detail.line(f.detail);
        f.detail = detail;
    }
    f.data = json!({"path": shown, "issues": issues, "executable_run": run});
    f
}

/// Settings that would send a credential to the wrong place: the STS URL (gets the Azure
/// token), the universe domain and the location (become host names that get a Google token).
pub fn endpoint_problems(s: &Settings) -> Vec<(&'static str, Text)> {
    // Values are normalised at resolve time; what is left is shown escaped.
    let universe = s.universe_domain.value.as_str();
    let shown = diagnose::visible;
    // "VALUE (ORIGIN) PROBLEM", each part rendered in the reader's language at the face.
    let problem = |value: String, origin: &crate::settings::Origin, e: Text| {
        Text::value(format!("{value} ("))
            .and(origin.text())
            .and(Text::value(") "))
            .and(e)
    };
    let mut out = Vec::new();
    if let Err(e) = crate::gcp::validate_universe_domain(universe) {
        out.push((
            "universe_domain",
            problem(shown(universe), &s.universe_domain.origin, e),
        ));
    }
    if let Err(e) = crate::gcp::validate_token_url(&s.token_url.value, universe) {
        out.push((
            "token_url",
            problem(s.token_url.value.clone(), &s.token_url.origin, e),
        ));
    }
    if let Err(e) = crate::gcp::validate_location(&s.location.value) {
        out.push((
            "location",
            problem(shown(&s.location.value), &s.location.origin, e),
        ));
    }
    out
}
