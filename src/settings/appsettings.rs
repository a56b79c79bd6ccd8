//! How to make settings permanent on App Service: app settings become environment variables
//! of the app (and, after a restart, of the SSH session's /etc/profile snapshot).

use super::{Settings, value_of};
use crate::gcp::shell_quote;

/// `az webapp config appsettings set …` with the Google settings; placeholders where unset.
pub fn appsettings_command(s: &Settings) -> String {
    let app = s
        .environment
        .app_service_site
        .clone()
        .unwrap_or_else(|| "<APP_NAME>".into());
    let mut parts = vec![format!(
        "az webapp config appsettings set -g <RESOURCE_GROUP> -n {} --settings",
        shell_quote(&app)
    )];
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
    pub name: &'static str,
    pub flag: &'static str,
    pub env: &'static str,
    pub why: &'static str,
}

/// The Google settings that are not set, with the flag and variable that supply them.
pub fn missing(s: &Settings) -> Vec<Missing> {
    let mut out = Vec::new();
    let mut need = |set: bool, name, flag, env, why| {
        if !set {
            out.push(Missing {
                name,
                flag,
                env,
                why,
            });
        }
    };
    need(
        s.project_number.is_some(),
        "project number",
        "--project-number",
        "GCP_PROJECT_NUMBER",
        "the STS audience and the principals name the project by number",
    );
    need(
        s.pool.is_some(),
        "pool",
        "--pool",
        "GCP_WORKLOAD_IDENTITY_POOL_ID",
        "the workload identity pool to federate into",
    );
    need(
        s.provider.is_some(),
        "provider",
        "--provider",
        "GCP_WORKLOAD_IDENTITY_PROVIDER_ID",
        "the OIDC provider that trusts the Azure issuer",
    );
    need(
        s.project_id.is_some(),
        "project id",
        "--project-id",
        "GCP_PROJECT_ID",
        "the permission probe and the Vertex AI call",
    );
    out
}
