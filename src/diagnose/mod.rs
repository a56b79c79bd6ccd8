//! Explanations for failures: Google STS errors, Google API errors, and static checks of the
//! settings and the credential configuration file. Pure logic: no IO, no clock (the caller
//! passes `now`).
//!
//! Every finding says what happened, the likely cause with the actual values side by side,
//! and the exact fix (a value or a full command). Error bodies from servers are quoted
//! verbatim in `detail`, never as the whole message.

pub mod config_lint;
pub mod google_api;
mod render;
pub mod settings_lint;
pub mod sts;
pub(crate) mod text;

pub use config_lint::{LintContext, lint_config};
pub use google_api::{
    GoogleError, explain_impersonation, explain_permissions, explain_permissions_error,
    explain_vertex, parse_google_error,
};
pub use settings_lint::{SettingsLintInput, lint_settings};
pub use sts::{catalogue_ids, explain_sts};
pub(crate) use text::audience_issues;
pub use text::visible;

use crate::gcp;
use crate::i18n::Text;
use crate::jwt::{self, DecodedJwt, TokenVersion};
use serde::Serialize;

/// One explained failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// Catalogue entry id, e.g. `sts.audience_mismatch`; `*.unknown` when nothing matched.
    pub id: String,
    /// One line: what happened.
    pub summary: Text,
    /// The likely cause, with the actual values side by side, and the server's words verbatim.
    pub detail: Text,
    /// The exact fix: a value or a full command.
    pub fix: Text,
    /// Trying again (with a freshly fetched token, after a short wait) may succeed without
    /// any configuration change.
    pub retryable: bool,
}

/// What is known when a call fails: the token's claims and the settings. Every field is
/// optional; missing values show as `<PLACEHOLDER>` in commands.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub token_iss: Option<String>,
    pub token_aud: Vec<String>,
    pub token_sub: Option<String>,
    pub token_tid: Option<String>,
    pub token_iat: Option<i64>,
    pub token_exp: Option<i64>,
    pub token_version: Option<TokenVersion>,
    pub project_number: Option<String>,
    pub project_id: Option<String>,
    pub pool: Option<String>,
    pub provider: Option<String>,
    pub service_account: Option<String>,
    /// The Azure resource the token was requested for (`resource=`).
    pub resource: Option<String>,
    /// The STS `audience` actually sent, when it did not come from project number, pool and
    /// provider (e.g. read from a credential configuration file). `None`: the derived one.
    pub audience: Option<String>,
    /// Unix seconds.
    pub now: i64,
}

pub(crate) const PH_PROJECT_NUMBER: &str = "<PROJECT_NUMBER>";
pub(crate) const PH_PROJECT_ID: &str = "<PROJECT_ID>";
pub(crate) const PH_POOL: &str = "<POOL_ID>";
pub(crate) const PH_PROVIDER: &str = "<PROVIDER_ID>";
pub(crate) const PH_SUBJECT: &str = "<SUBJECT>";
pub(crate) const PH_SA: &str = "<SERVICE_ACCOUNT_EMAIL>";

fn setting(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Context {
    /// Fills the token fields from a decoded token (settings stay as they are).
    pub fn with_token(mut self, jwt: &DecodedJwt) -> Self {
        self.token_iss = jwt.iss().map(str::to_string);
        self.token_aud = jwt.aud();
        self.token_sub = jwt.sub().map(str::to_string);
        self.token_tid = jwt.tid().map(str::to_string);
        self.token_iat = jwt.iat();
        self.token_exp = jwt.exp();
        self.token_version = Some(jwt.version());
        self
    }

    /// Project number (trimmed) or `<PROJECT_NUMBER>`.
    pub fn project_number_or_placeholder(&self) -> &str {
        setting(&self.project_number).unwrap_or(PH_PROJECT_NUMBER)
    }
    /// Project ID (trimmed) or `<PROJECT_ID>`.
    pub fn project_id_or_placeholder(&self) -> &str {
        setting(&self.project_id).unwrap_or(PH_PROJECT_ID)
    }
    /// Pool ID (trimmed) or `<POOL_ID>`.
    pub fn pool_or_placeholder(&self) -> &str {
        setting(&self.pool).unwrap_or(PH_POOL)
    }
    /// Provider ID (trimmed) or `<PROVIDER_ID>`.
    pub fn provider_or_placeholder(&self) -> &str {
        setting(&self.provider).unwrap_or(PH_PROVIDER)
    }
    /// The token's exact `sub` or `<SUBJECT>`.
    pub fn subject_or_placeholder(&self) -> &str {
        self.token_sub
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or(PH_SUBJECT)
    }
    /// Service-account email (trimmed) or `<SERVICE_ACCOUNT_EMAIL>`.
    pub fn service_account_or_placeholder(&self) -> &str {
        setting(&self.service_account).unwrap_or(PH_SA)
    }
    /// The project for `gcloud --project=`: the ID if known, else the number (gcloud takes
    /// either), else `<PROJECT_ID>`.
    pub fn gcloud_project(&self) -> &str {
        setting(&self.project_id)
            .or(setting(&self.project_number))
            .unwrap_or(PH_PROJECT_ID)
    }
    /// `principal://…/subject/SUB`
    pub fn principal(&self) -> String {
        gcp::principal(
            self.project_number_or_placeholder(),
            self.pool_or_placeholder(),
            self.subject_or_placeholder(),
        )
    }
    /// `principalSet://…/attribute.subject/SUB`
    pub fn principal_set(&self) -> String {
        gcp::principal_set(
            self.project_number_or_placeholder(),
            self.pool_or_placeholder(),
            self.subject_or_placeholder(),
        )
    }
    /// The STS audience derived from project number, pool and provider.
    pub fn sts_audience(&self) -> String {
        gcp::sts_audience(
            self.project_number_or_placeholder(),
            self.pool_or_placeholder(),
            self.provider_or_placeholder(),
        )
    }
    /// The STS audience that was sent: [`Context::audience`] if set, else the derived one.
    pub fn audience_sent(&self) -> String {
        self.audience
            .as_deref()
            .filter(|a| !a.trim().is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| self.sts_audience())
    }
    /// The token's first `aud`, if any.
    pub fn first_aud(&self) -> Option<&str> {
        self.token_aud
            .iter()
            .map(String::as_str)
            .find(|a| !a.is_empty())
    }
    /// The token version, from the field or else from the issuer's shape.
    pub fn version(&self) -> TokenVersion {
        match self.token_version {
            Some(v) if v != TokenVersion::Unknown => v,
            _ => match self.token_iss.as_deref().map(jwt::classify_issuer) {
                Some(jwt::IssuerKind::Entra { version, .. }) => version,
                _ => TokenVersion::Unknown,
            },
        }
    }
    /// The tenant: `tid`, else the one in the issuer.
    pub fn tenant(&self) -> Option<String> {
        if let Some(t) = setting(&self.token_tid) {
            return Some(t.to_string());
        }
        match self.token_iss.as_deref().map(jwt::classify_issuer) {
            Some(jwt::IssuerKind::Entra { tenant, .. }) => Some(tenant),
            _ => None,
        }
    }
    /// `gcloud iam workload-identity-pools providers update-oidc PROVIDER --project=…
    /// --location=global --workload-identity-pool=POOL`
    pub fn update_oidc_command(&self) -> String {
        self.provider_command("lint.cmd.update_oidc")
    }
    /// `gcloud iam workload-identity-pools providers describe PROVIDER … --format=json`
    pub fn describe_provider_command(&self) -> String {
        self.provider_command("lint.cmd.describe_provider")
    }
    /// A language-neutral command template filled with provider, project and pool.
    fn provider_command(&self, key: &'static str) -> String {
        crate::i18n::Msg::new(key)
            .arg("provider", gcp::shell_quote(self.provider_or_placeholder()))
            .arg("project", gcp::shell_quote(self.gcloud_project()))
            .arg("pool", gcp::shell_quote(self.pool_or_placeholder()))
            // `all` templates read the same in every language.
            .render(crate::i18n::Lang::En)
    }
}

/// How bad a static finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Works today but is risky or unusual.
    Warn,
    /// Will not work as is.
    Fail,
}

/// One static finding about a setting or a credential configuration field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub severity: Severity,
    /// The setting or JSON field, e.g. `project_number` or `credential_source.url`.
    pub field: &'static str,
    /// What is wrong, with the actual value (never a secret) made visible.
    pub message: Text,
    /// The exact fix: a value or a full command.
    pub fix: Text,
}

impl Issue {
    pub(crate) fn fail(
        field: &'static str,
        message: impl Into<Text>,
        fix: impl Into<Text>,
    ) -> Self {
        Issue {
            severity: Severity::Fail,
            field,
            message: message.into(),
            fix: fix.into(),
        }
    }
    pub(crate) fn warn(
        field: &'static str,
        message: impl Into<Text>,
        fix: impl Into<Text>,
    ) -> Self {
        Issue {
            severity: Severity::Warn,
            field,
            message: message.into(),
            fix: fix.into(),
        }
    }
}
