//! How to make settings permanent on App Service: app settings become environment variables
//! of the app (and, after a restart, of the SSH session's /etc/profile snapshot).

use super::{Settings, value_of};
use crate::gcp::shell_quote;
use crate::i18n::Msg;
use crate::msg;

/// `az webapp config appsettings set …` with the Google settings; placeholders where unset.
pub fn appsettings_command(s: &Settings) -> String {
    let app = s
        .environment
        .app_service_site
        .clone()
        .unwrap_or_else(|| "<APP_NAME>".into());
    // A language-neutral template: the same in every language.
    let mut parts = vec![
        msg!("settings.cmd.appsettings", app = shell_quote(&app)).render(crate::i18n::Lang::En),
    ];
    for (var, value, placeholder) in [
        (
            "GCP_PROJECT_NUMBER",
            value_of(&s.project_number),
            "<PROJECT_NUMBER>",
        ),
        ("GCP_PROJECT_ID", value_of(&s.project_id), "<PROJECT_ID>"),
        (
            "GCP_WORKLOAD_IDENTITY_POOL_ID",
            value_of(&s.pool),
            "<POOL_ID>",
        ),
        (
            "GCP_WORKLOAD_IDENTITY_PROVIDER_ID",
            value_of(&s.provider),
            "<PROVIDER_ID>",
        ),
    ] {
        let v = value.unwrap_or_else(|| placeholder.to_string());
        parts.push(shell_quote(&format!("{var}={v}")));
    }
    if !s.resource.is_default() {
        parts.push(shell_quote(&format!(
            "AZURE_RESOURCE_URI={}",
            s.resource.value
        )));
    }
    if let Some(sa) = &s.service_account {
        parts.push(shell_quote(&format!("GCP_SERVICE_ACCOUNT={}", sa.value)));
    }
    parts.join(" ")
}

/// One missing Google setting and every way to set it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Missing {
    /// The setting's name for people.
    pub name: Msg,
    pub flag: &'static str,
    pub env: &'static str,
    /// What it is needed for.
    pub why: Msg,
}

/// The Google settings that are not set, with the flag and variable that supply them.
pub fn missing(s: &Settings) -> Vec<Missing> {
    let mut out = Vec::new();
    let mut need = |set: bool, field: &'static str, flag, env| {
        if !set {
            out.push(Missing {
                name: Msg::new(format!("settings.missing_name.{field}")),
                flag,
                env,
                why: Msg::new(format!("settings.missing_why.{field}")),
            });
        }
    };
    need(
        s.project_number.is_some(),
        "project_number",
        "--project-number",
        "GCP_PROJECT_NUMBER",
    );
    need(
        s.pool.is_some(),
        "pool",
        "--pool",
        "GCP_WORKLOAD_IDENTITY_POOL_ID",
    );
    need(
        s.provider.is_some(),
        "provider",
        "--provider",
        "GCP_WORKLOAD_IDENTITY_PROVIDER_ID",
    );
    need(
        s.project_id.is_some(),
        "project_id",
        "--project-id",
        "GCP_PROJECT_ID",
    );
    out
}

#[cfg(test)]
mod tests {
    use crate::i18n::has_key;

    #[test]
    fn every_missing_reason_and_label_is_in_the_catalogue() {
        for field in ["project_number", "pool", "provider", "project_id"] {
            assert!(has_key(&format!("settings.missing_why.{field}")), "{field}");
            assert!(
                has_key(&format!("settings.missing_name.{field}")),
                "{field}"
            );
        }
        for field in super::super::LABELLED {
            assert!(has_key(&format!("settings.label.{field}")), "{field}");
        }
    }
}
