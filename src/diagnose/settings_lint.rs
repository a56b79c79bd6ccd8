//! Static checks of the settings as the user typed them (flags, environment): copy/paste
//! artefacts, resource names pasted where a bare ID belongs, project ID vs number.

use super::text::{
    audience_issues, parse_wif_path, paste_check, project_id_problem, project_number_command,
    service_account_issues, visible,
};
use super::{Context, Issue, PH_PROJECT_ID};
use crate::gcp::{self, shell_quote};
use crate::i18n::Msg;
use crate::msg;
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
fn paste(field: &'static str, what: Msg, raw: &str, out: &mut Vec<Issue>) -> String {
    let p = paste_check(raw);
    if p.problems.is_empty() {
        return raw.to_string();
    }
    let only_space = p.problems.iter().all(|x| x.is_spacing());
    let message = msg!(
        "lint.settings.paste",
        what = what,
        value = visible(raw),
        problems = p.problems_text()
    );
    let fix = msg!("lint.settings.use_exactly", value = visible(&p.cleaned));
    out.push(if only_space {
        Issue::warn(field, message, fix)
    } else {
        Issue::fail(field, message, fix)
    });
    p.cleaned
}

fn kind_of_path(prefix: &str, has_provider: bool, tail: Option<&str>) -> Msg {
    let lower = prefix.to_ascii_lowercase();
    Msg::new(if lower.starts_with("principalset:") {
        "lint.settings.kind.principal_set"
    } else if lower.starts_with("principal:") {
        "lint.settings.kind.principal"
    } else if lower.starts_with("https:") || lower.starts_with("http:") {
        "lint.settings.kind.https"
    } else if tail.is_some() {
        "lint.settings.kind.path"
    } else if has_provider {
        "lint.settings.kind.provider"
    } else {
        "lint.settings.kind.pool"
    })
}

/// `gcloud projects describe ID --format='value(projectId)'`-style commands.
fn cmd(key: &'static str) -> Msg {
    Msg::new(key)
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
        let v = paste(
            "project_number",
            msg!("lint.settings.what.project_number"),
            raw,
            &mut out,
        );
        if let Some(p) = parse_wif_path(&v) {
            out.push(Issue::fail(
                "project_number",
                msg!("lint.settings.number_is_resource", value = visible(&v)),
                msg!(
                    "lint.settings.use_number_in_it",
                    flag = format!("--project-number={}", p.project)
                ),
            ));
        } else if let Err(e) = gcp::validate_project_number(&v) {
            let looks_like_id = project_id_problem(&v).is_none();
            out.push(Issue::fail(
                "project_number",
                if looks_like_id {
                    msg!("lint.settings.number_is_id", value = visible(&v))
                } else {
                    msg!(
                        "lint.settings.number_invalid",
                        value = visible(&v),
                        problem = e
                    )
                },
                msg!(
                    "lint.settings.look_it_up",
                    command =
                        project_number_command(if looks_like_id { &v } else { PH_PROJECT_ID })
                ),
            ));
        }
    }

    if let Some(raw) = &input.project_id {
        let v = paste(
            "project_id",
            msg!("lint.settings.what.project_id"),
            raw,
            &mut out,
        );
        if let Some(problem) = project_id_problem(&v) {
            let fix = if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
                msg!(
                    "lint.settings.look_up_id",
                    command = cmd("lint.cmd.project_id_of").arg("number", shell_quote(&v))
                )
            } else if v.bytes().any(|b| b.is_ascii_uppercase()) {
                msg!(
                    "lint.settings.use_lowercase_id",
                    value = v.to_ascii_lowercase(),
                    command = cmd("lint.cmd.list_project_names")
                )
            } else {
                msg!(
                    "lint.settings.find_id",
                    command = cmd("lint.cmd.list_project_numbers")
                )
            };
            out.push(Issue::fail(
                "project_id",
                msg!(
                    "lint.settings.project_id_invalid",
                    value = visible(&v),
                    problem = problem
                ),
                fix,
            ));
        }
    }

    for (field, what, raw) in [
        ("pool", "lint.settings.what.pool", &input.pool),
        ("provider", "lint.settings.what.provider", &input.provider),
    ] {
        let Some(raw) = raw else { continue };
        let what = || Msg::new(what);
        let v = paste(field, what(), raw, &mut out);
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
                            msg!(
                                "lint.settings.not_bare",
                                what = what(),
                                value = visible(&v),
                                kind = kind
                            ),
                            msg!("lint.settings.use_flag", flag = format!("--{field}={id}")),
                        )),
                        None => out.push(Issue::fail(
                            field,
                            msg!(
                                "lint.settings.no_provider",
                                what = what(),
                                value = visible(&v),
                                kind = kind
                            ),
                            msg!(
                                "lint.settings.list_providers",
                                command = cmd("lint.cmd.list_providers")
                                    .arg("pool", shell_quote(&p.pool))
                                    .arg("project", shell_quote(&p.project))
                            ),
                        )),
                    }
                    if let Some(n) = &number_setting
                        && p.project.bytes().all(|b| b.is_ascii_digit())
                        && *n != p.project
                    {
                        out.push(Issue::warn(
                            field,
                            msg!(
                                "lint.settings.pasted_project_differs",
                                what = what(),
                                pasted = p.project.clone(),
                                setting = visible(n)
                            ),
                            msg!(
                                "lint.settings.use_if_right",
                                flag = format!("--project-number={}", p.project)
                            ),
                        ));
                    }
                }
                None => out.push(Issue::fail(
                    field,
                    msg!(
                        "lint.settings.slash_or_colon",
                        what = what(),
                        value = visible(&v)
                    ),
                    msg!(
                        "lint.settings.only_the_id",
                        example = if field == "pool" {
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
                msg!(
                    "lint.settings.use_if_exists",
                    flag = format!("--{field}={suggestion}")
                )
            } else {
                msg!(
                    "lint.settings.use_exact_id",
                    command = cmd("lint.cmd.list_pools")
                )
            };
            out.push(Issue::fail(
                field,
                msg!("lint.settings.id_invalid", what = what(), problem = e),
                fix,
            ));
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
        let v = paste(
            "resource",
            msg!("lint.settings.what.resource"),
            raw,
            &mut out,
        );
        let lower = v.to_ascii_lowercase();
        if let Some(base) = v.strip_suffix("/.default") {
            out.push(Issue::fail(
                "resource",
                msg!("lint.settings.resource_scope", value = visible(&v)),
                msg!(
                    "lint.settings.use_flag",
                    flag = format!("--resource={base}")
                ),
            ));
        } else if lower.trim_end_matches('/') == "https://graph.microsoft.com" {
            out.push(Issue::fail(
                "resource",
                msg!("lint.settings.resource_graph", value = visible(&v)),
                msg!(
                    "lint.settings.resource_graph_fix",
                    flag = "--resource=api://<APP_ID>"
                ),
            ));
        } else if lower.trim_end_matches('/') == "https://management.azure.com" {
            out.push(Issue::warn(
                "resource",
                msg!("lint.settings.resource_arm", value = visible(&v)),
                msg!(
                    "lint.settings.resource_arm_fix",
                    flag = "--resource=api://<APP_ID>"
                ),
            ));
        } else if lower.starts_with("https://iam.googleapis.com/") {
            out.push(Issue::warn(
                "resource",
                msg!("lint.settings.resource_gcloud_default", value = visible(&v)),
                msg!(
                    "lint.settings.resource_gcloud_default_fix",
                    flag = "--resource=api://<APP_ID>"
                ),
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
