//! Checks that need no Google call: settings, the token source, the token fetch result
//! and the credential configuration file.

use super::{CheckId, Finding};
use crate::azure::{AzureError, Plan, SourceKind};
use crate::diagnose::{self, Issue, LintContext, SettingsLintInput, Severity};
use crate::session::Fetched;
use crate::settings::{Settings, value_of};
use serde_json::json;

const MAX_CONFIG: u64 = 1024 * 1024;

/// Fold lint issues into one finding: the worst severity decides.
fn from_issues(id: CheckId, issues: &[Issue], ok_detail: String) -> Finding {
    if issues.is_empty() {
        return Finding::pass(id, ok_detail);
    }
    let detail: Vec<String> = issues
        .iter()
        .map(|i| format!("{}: {}", i.field, i.message))
        .collect();
    let mut fixes: Vec<String> = Vec::new();
    for i in issues {
        let fix = i.fix.to_string();
        if !fix.is_empty() && !fixes.contains(&fix) {
            fixes.push(fix);
        }
    }
    let data = json!({"issues": issues});
    if issues.iter().any(|i| i.severity == Severity::Fail) {
        Finding::fail(id, detail.join("\n"), fixes.join("\n")).with_data(data)
    } else {
        Finding::warn(id, detail.join("\n"), fixes.join("\n")).with_data(data)
    }
}

/// gcp.settings: the Google values STS and the probes need, with copy/paste slips caught.
pub fn settings(s: &Settings) -> Finding {
    let id = CheckId::GcpSettings;
    // Copy/paste artefacts were removed at resolve time; say so, showing the raw form.
    let mut issues: Vec<Issue> = s
        .adjustments()
        .into_iter()
        .map(|a| Issue {
            severity: Severity::Warn,
            field: a.field,
            message: format!(
                "{} {} ({}) has {} (copy/paste); wif-doctor uses {}",
                a.label,
                a.raw,
                a.origin,
                a.problems_text(),
                a.value
            )
            .into(),
            fix: format!("set the {} to exactly {}", a.label, a.value).into(),
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
            issues.push(Issue {
                severity: Severity::Fail,
                field,
                message: "not set; the STS audience needs it".into(),
                fix: format!("set {how}; find it with: gcloud iam workload-identity-pools list --location=global").into(),
            });
        }
    }
    for (field, problem) in endpoint_problems(s) {
        issues.push(Issue {
            severity: Severity::Fail,
            field,
            message: problem.into(),
            fix: "unset it to use the default, or correct it (wif-doctor env shows where it came from)".into(),
        });
    }
    if s.project_id.is_none() {
        issues.push(Issue {
            severity: Severity::Warn,
            field: "project_id",
            message: "not set; the permission and Vertex AI checks will be skipped".into(),
            fix: "set --project-id <project ID> (GCP_PROJECT_ID)".into(),
        });
    }
    let v = |o| value_of(o).unwrap_or_default();
    from_issues(
        id,
        &issues,
        format!(
            "project {} (number {}), pool {}, provider {}{}",
            v(&s.project_id),
            v(&s.project_number),
            v(&s.pool),
            v(&s.provider),
            s.service_account
                .as_ref()
                .map(|sa| format!(", impersonating {}", sa.value))
                .unwrap_or_default()
        ),
    )
}

/// azure.source: which managed-identity source applies.
pub fn source(plan: &Result<Plan, AzureError>) -> Finding {
    let id = CheckId::AzureSource;
    match plan {
        Ok(p) => Finding::pass(id, format!("{} at {}\n{}", p.kind, p.endpoint, p.reason))
            .with_data(json!({"source": p.kind.id(), "endpoint": p.endpoint, "reason": p.reason})),
        Err(e) => azure_failure(id, e),
    }
}

fn azure_failure(id: CheckId, e: &AzureError) -> Finding {
    Finding::fail(id, format!("{}\n{}", e.summary, e.cause), e.fix.clone()).with_data(json!({
        "kind": e.kind, "status": e.status, "raw": e.raw,
    }))
}

/// azure.token: the fetch succeeded.
pub fn token(f: &Fetched) -> Finding {
    let expires = f
        .expires_at()
        .map(|(at, from)| format!(", expires {} (from {from})", crate::jwt::format_utc(at)))
        .unwrap_or_default();
    Finding::pass(
        CheckId::AzureToken,
        format!(
            "token for {} from {}{}{expires}",
            f.token.resource,
            f.token.endpoint,
            if f.token.attempts > 1 {
                format!(" after {} attempts", f.token.attempts)
            } else {
                String::new()
            }
        ),
    )
    .with_data(json!({
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
            "no credential configuration named (GOOGLE_APPLICATION_CREDENTIALS or --credentials); write one with: wif-doctor config",
        );
    };
    let shown = path.value.display().to_string();
    let text = match crate::files::read_capped_string(
        &path.value,
        MAX_CONFIG,
        &path.origin.to_string(),
    ) {
        Ok(t) => t,
        Err(e) => {
            return Finding::fail(
                id,
                e.to_string(),
                "write it with: wif-doctor config --output <path>, or fix GOOGLE_APPLICATION_CREDENTIALS",
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
    let ok_detail = match run.as_ref().and_then(|r| r.expiration_time) {
        Some(exp) => format!(
            "{shown} ({}) is consistent with the current environment; its command answered with a token valid until {} in {} ms",
            path.origin,
            crate::jwt::format_utc(exp),
            run.as_ref().map(|r| r.elapsed_ms).unwrap_or_default()
        ),
        None => format!(
            "{shown} ({}) is consistent with the current environment",
            path.origin
        ),
    };
    let mut f = from_issues(id, &issues, ok_detail);
    if !issues.is_empty() {
        f.detail = format!("in {shown}:\n{}", f.detail).into();
    }
    f.data = json!({"path": shown, "issues": issues, "executable_run": run});
    f
}

/// Settings that would send a credential to the wrong place: the STS URL (gets the Azure
/// token), the universe domain and the location (become host names that get a Google token).
pub fn endpoint_problems(s: &Settings) -> Vec<(&'static str, String)> {
    // Values are normalised at resolve time; what is left is shown escaped.
    let universe = s.universe_domain.value.as_str();
    let shown = diagnose::visible;
    let mut out = Vec::new();
    if let Err(e) = crate::gcp::validate_universe_domain(universe) {
        out.push((
            "universe_domain",
            format!("{} ({}) {e}", shown(universe), s.universe_domain.origin),
        ));
    }
    if let Err(e) = crate::gcp::validate_token_url(&s.token_url.value, universe) {
        out.push((
            "token_url",
            format!("{} ({}) {e}", s.token_url.value, s.token_url.origin),
        ));
    }
    if let Err(e) = crate::gcp::validate_location(&s.location.value) {
        out.push((
            "location",
            format!("{} ({}) {e}", shown(&s.location.value), s.location.origin),
        ));
    }
    out
}
