//! Static checks of the settings as the user typed them (flags, environment): copy/paste
//! artefacts, resource names pasted where a bare ID belongs, project ID vs number.

use super::text::{
    audience_issues, parse_wif_path, paste_check, project_id_problem, service_account_issues,
    visible,
};
use super::{Context, Issue};
use crate::gcp::{self, shell_quote};
use crate::settings::Settings;

/// The raw (untrimmed) settings to check. `None` = not set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsLintInput {
    pub project_number: Option<String>,
    pub project_id: Option<String>,
    pub pool: Option<String>,
    pub provider: Option<String>,
    pub service_account: Option<String>,
    /// The Azure resource (token audience) requested.
    pub resource: Option<String>,
    /// An STS audience given explicitly (e.g. from a credential configuration).
    pub audience: Option<String>,
}

impl From<&Context> for SettingsLintInput {
    fn from(c: &Context) -> Self {
        SettingsLintInput {
            project_number: c.project_number.clone(),
            project_id: c.project_id.clone(),
            pool: c.pool.clone(),
            provider: c.provider.clone(),
            service_account: c.service_account.clone(),
            resource: c.resource.clone(),
            audience: c.audience.clone(),
        }
    }
}

impl SettingsLintInput {
    /// The values of resolved settings.
    pub fn from_settings(s: &Settings) -> Self {
        let v = crate::settings::value_of;
        SettingsLintInput {
            project_number: v(&s.project_number),
            project_id: v(&s.project_id),
            pool: v(&s.pool),
            provider: v(&s.provider),
            service_account: v(&s.service_account),
            resource: Some(s.resource.value.clone()),
            audience: None,
        }
    }
}

/// Reports copy/paste artefacts; returns the cleaned value. A value without reported
/// artefacts is returned as it is, so what the cleaner drops silently (a control character
/// inside it) still fails validation instead of being validated away.
fn paste(field: &'static str, what: &str, raw: &str, out: &mut Vec<Issue>) -> String {
    let p = paste_check(raw);
    if p.problems.is_empty() {
        return raw.to_string();
    }
    if !p.problems.is_empty() {
        let only_space = p
            .problems
            .iter()
            .all(|x| *x == "leading or trailing whitespace" || *x == "a line break");
        let message = format!(
            "{what} {} has {} (copy/paste)",
            visible(raw),
            p.problems.join(", ")
        );
        let fix = format!("use exactly {}", visible(&p.cleaned));
        out.push(if only_space {
            Issue::warn(field, message, fix)
        } else {
            Issue::fail(field, message, fix)
        });
    }
    p.cleaned
}

fn kind_of_path(prefix: &str, has_provider: bool, tail: Option<&str>) -> &'static str {
    let lower = prefix.to_ascii_lowercase();
    if lower.starts_with("principalset:") {
        "a principalSet:// member"
    } else if lower.starts_with("principal:") {
        "a principal:// member"
    } else if lower.starts_with("https:") || lower.starts_with("http:") {
        "an https: URL of the resource (an audience-like value)"
    } else if tail.is_some() {
        "a resource path"
    } else if has_provider {
        "a full provider resource name"
    } else {
        "a pool resource name"
    }
}

/// Checks the settings. Issues are in field order; each has the actual value and a fix.
pub fn lint_settings(input: &SettingsLintInput) -> Vec<Issue> {
    let mut out = Vec::new();
    let number_setting = input
        .project_number
        .as_deref()
        .map(|n| paste_check(n).cleaned)
        .filter(|n| !n.is_empty());

    if let Some(raw) = &input.project_number {
        let v = paste("project_number", "project number", raw, &mut out);
        if let Some(p) = parse_wif_path(&v) {
            out.push(Issue::fail(
                "project_number",
                format!(
                    "project number {} is a whole resource name, not a number",
                    visible(&v)
                ),
                format!("use the number in it: --project-number={}", p.project),
            ));
        } else if let Err(e) = gcp::validate_project_number(&v) {
            let looks_like_id = project_id_problem(&v).is_none();
            out.push(Issue::fail(
                "project_number",
                if looks_like_id {
                    format!(
                        "project number {} is a project ID; the audience and principals need the project number",
                        visible(&v)
                    )
                } else {
                    format!("project number {}: {e}", visible(&v))
                },
                format!(
                    "look it up: `gcloud projects describe {} --format='value(projectNumber)'`",
                    shell_quote(if looks_like_id { &v } else { "<PROJECT_ID>" })
                ),
            ));
        }
    }

    if let Some(raw) = &input.project_id {
        let v = paste("project_id", "project ID", raw, &mut out);
        if let Some(problem) = project_id_problem(&v) {
            let fix = if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
                format!(
                    "look up the ID: `gcloud projects describe {v} --format='value(projectId)'`"
                )
            } else if v.bytes().any(|b| b.is_ascii_uppercase()) {
                format!(
                    "use {} (a display name is not the ID: `gcloud projects list --format='value(projectId,name)'`)",
                    v.to_ascii_lowercase()
                )
            } else {
                "find the ID: `gcloud projects list --format='value(projectId,projectNumber)'`"
                    .to_string()
            };
            out.push(Issue::fail(
                "project_id",
                format!("project ID {} {problem}", visible(&v)),
                fix,
            ));
        }
    }

    for (field, what, raw) in [
        ("pool", "pool ID", &input.pool),
        ("provider", "provider ID", &input.provider),
    ] {
        let Some(raw) = raw else { continue };
        let v = paste(field, what, raw, &mut out);
        if v.contains('/') || v.contains(':') {
            match parse_wif_path(&v) {
                Some(p) => {
                    let kind = kind_of_path(&p.prefix, p.provider.is_some(), p.tail.as_deref());
                    let id = if field == "pool" {
                        Some(p.pool.clone())
                    } else {
                        p.provider.clone()
                    };
                    match id {
                        Some(id) => out.push(Issue::fail(
                            field,
                            format!(
                                "{what} {} is {kind}; a bare ID was expected",
                                visible(&v)
                            ),
                            format!("use --{field}={id}"),
                        )),
                        None => out.push(Issue::fail(
                            field,
                            format!(
                                "{what} {} is {kind} without a provider; the provider ID is the part after /providers/",
                                visible(&v)
                            ),
                            format!(
                                "list the providers: `gcloud iam workload-identity-pools providers list --workload-identity-pool={} --location=global --project={} --format='value(name)'`",
                                shell_quote(&p.pool),
                                shell_quote(&p.project)
                            ),
                        )),
                    }
                    if let Some(n) = &number_setting
                        && p.project.bytes().all(|b| b.is_ascii_digit())
                        && *n != p.project
                    {
                        out.push(Issue::warn(
                            field,
                            format!(
                                "the pasted {what} names project {} but the project number setting is {}",
                                p.project,
                                visible(n)
                            ),
                            format!("use --project-number={} if that is the right project", p.project),
                        ));
                    }
                }
                None => out.push(Issue::fail(
                    field,
                    format!(
                        "{what} {} is not a bare ID (it contains / or :)",
                        visible(&v)
                    ),
                    format!(
                        "use only the ID (4-32 of a-z, 0-9, -), e.g. {}",
                        if field == "pool" {
                            "azure-pool"
                        } else {
                            "azure-mi"
                        }
                    ),
                )),
            }
            continue;
        }
        if let Err(e) = gcp::validate_pool_or_provider_id(&v) {
            let suggestion = v
                .to_ascii_lowercase()
                .replace(['_', ' ', '.'], "-")
                .trim_start_matches("gcp-")
                .to_string();
            let fix = if gcp::validate_pool_or_provider_id(&suggestion).is_ok() && suggestion != v {
                format!("use --{field}={suggestion} (if that is the ID that exists)")
            } else {
                "use the exact ID from the console or `gcloud iam workload-identity-pools list --location=global` (4-32 of a-z, 0-9, -; not starting with gcp-)".to_string()
            };
            out.push(Issue::fail(field, format!("{what}: {e}"), fix));
        }
    }

    if let Some(raw) = &input.service_account {
        out.extend(service_account_issues(
            "service_account",
            raw,
            input.project_id.as_deref().map(str::trim),
        ));
    }

    if let Some(raw) = &input.resource {
        let v = paste("resource", "Azure resource", raw, &mut out);
        let lower = v.to_ascii_lowercase();
        if let Some(base) = v.strip_suffix("/.default") {
            out.push(Issue::fail(
                "resource",
                format!(
                    "Azure resource {} ends in /.default, a v2 scope; the managed-identity endpoint wants the resource itself (AADSTS500011 otherwise)",
                    visible(&v)
                ),
                format!("use --resource={base}"),
            ));
        } else if lower.trim_end_matches('/') == "https://graph.microsoft.com" {
            out.push(Issue::fail(
                "resource",
                format!(
                    "Azure resource {} is Microsoft Graph; Graph tokens cannot be verified by Google (signature errors)",
                    visible(&v)
                ),
                "use a dedicated Entra app's Application ID URI, e.g. --resource=api://<APP_ID>".to_string(),
            ));
        } else if lower.trim_end_matches('/') == "https://management.azure.com" {
            out.push(Issue::warn(
                "resource",
                format!(
                    "Azure resource {} is Azure Resource Manager: the token federated to Google is then also an Azure control-plane credential",
                    visible(&v)
                ),
                "prefer a dedicated, permission-less Entra app: --resource=api://<APP_ID> (and allow that audience on the provider)".to_string(),
            ));
        } else if lower.starts_with("https://iam.googleapis.com/") {
            out.push(Issue::warn(
                "resource",
                format!(
                    "Azure resource {} is gcloud's default audience; it only works if an Entra app has exactly this Application ID URI, which tenant policy usually forbids",
                    visible(&v)
                ),
                "use the Application ID URI of your Entra app: --resource=api://<APP_ID>".to_string(),
            ));
        }
    }

    if let Some(raw) = &input.audience {
        let expected = match (
            number_setting.as_deref(),
            input.pool.as_deref().map(str::trim),
            input.provider.as_deref().map(str::trim),
        ) {
            (Some(n), Some(p), Some(v))
                if gcp::validate_project_number(n).is_ok()
                    && gcp::validate_pool_or_provider_id(p).is_ok()
                    && gcp::validate_pool_or_provider_id(v).is_ok() =>
            {
                Some(gcp::sts_audience(n, p, v))
            }
            _ => None,
        };
        out.extend(audience_issues("audience", raw, expected.as_deref()));
    }
    out
}
