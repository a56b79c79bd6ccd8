//! Values for the Google side, derived from token facts and settings. Missing inputs never
//! abort: they show as `<PLACEHOLDER>` and are listed in [`GoogleValues::missing`].

use super::ids::{project_number_command, validate_pool_or_provider_id, validate_project_number};
use super::quote::{hcl_string, shell_quote};
use crate::i18n::{Lang, Msg, Text};
use crate::jwt::{DecodedJwt, IssuerKind, TokenVersion, classify_issuer};
use crate::msg;
use serde::Serialize;

/// A language-neutral template (a command, Terraform) filled in: a value.
fn neutral(m: Msg) -> String {
    m.render(Lang::En)
}

/// The attribute mapping of the seed procedure.
pub const ATTRIBUTE_MAPPING: &str = "google.subject=assertion.sub,attribute.subject=assertion.sub";
/// Display name used for a new pool (at most 32 characters).
pub const POOL_DISPLAY_NAME: &str = "Azure managed identities";
const DIRECT_ROLE: &str = "roles/aiplatform.user";
const SA_ROLE: &str = "roles/iam.workloadIdentityUser";
const SERVICES: &[&str] = &[
    "iam.googleapis.com",
    "sts.googleapis.com",
    "iamcredentials.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "aiplatform.googleapis.com",
];

/// Settings that feed the Google side. Mapped from the settings module by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoogleInputs {
    pub project_number: Option<String>,
    pub project_id: Option<String>,
    pub pool: Option<String>,
    pub provider: Option<String>,
    /// Service-account email for the impersonation variant.
    pub service_account: Option<String>,
    pub token_url: String,
    pub universe_domain: String,
    pub subject_token_type: String,
    /// Vertex AI region; not used here (a workload identity pool is always `global`).
    pub location: Option<String>,
}

/// The token claims the Google side depends on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenFacts {
    pub iss: Option<String>,
    pub aud: Vec<String>,
    pub sub: Option<String>,
    pub tid: Option<String>,
}

impl From<&DecodedJwt> for TokenFacts {
    fn from(jwt: &DecodedJwt) -> Self {
        TokenFacts {
            iss: jwt.iss().map(str::to_string),
            aud: jwt.aud(),
            sub: jwt.sub().map(str::to_string),
            tid: jwt.tid().map(str::to_string),
        }
    }
}

/// A value [`derive()`] had to replace with a placeholder, and where to supply it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingValue {
    /// Short name, e.g. `project_number`.
    pub name: &'static str,
    /// CLI flag that supplies it (`None` for values that come from the token).
    pub flag: Option<&'static str>,
    /// Environment variable that supplies it (`None` for values that come from the token).
    pub env: Option<&'static str>,
    pub why: Text,
}

/// Everything the Google side needs, as exact strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoogleValues {
    /// The token's exact `iss`.
    pub issuer_uri: String,
    /// The token's exact `aud` (the first, if several).
    pub allowed_audience: String,
    pub attribute_mapping: String,
    /// The token's `sub`: the managed identity's object (principal) ID.
    pub subject: String,
    /// `projects/N/locations/global/workloadIdentityPools/P/providers/V`
    pub provider_resource: String,
    /// `//iam.googleapis.com/` + `provider_resource`: the credential config's `audience`.
    pub sts_audience: String,
    /// `principal://…/subject/SUB`
    pub principal: String,
    /// `principalSet://…/attribute.subject/SUB`
    pub principal_set: String,
    /// Ready-to-run commands, one per entry, in order.
    pub gcloud: Vec<String>,
    /// Equivalent Terraform (HCL).
    pub terraform: String,
    pub missing: Vec<MissingValue>,
    pub notes: Vec<Text>,
}

impl GoogleValues {
    /// The copyable values with the labels every face shows them under (catalogue
    /// `gcp.label.*`), in display order.
    pub fn labelled(&self) -> [(Msg, &str); 8] {
        [
            (msg!("gcp.label.issuer_uri"), &self.issuer_uri),
            (msg!("gcp.label.allowed_audience"), &self.allowed_audience),
            (msg!("gcp.label.attribute_mapping"), &self.attribute_mapping),
            (msg!("gcp.label.subject"), &self.subject),
            (msg!("gcp.label.provider_resource"), &self.provider_resource),
            (msg!("gcp.label.sts_audience"), &self.sts_audience),
            (msg!("gcp.label.principal"), &self.principal),
            (msg!("gcp.label.principal_set"), &self.principal_set),
        ]
    }
}

/// `projects/N/locations/global/workloadIdentityPools/P/providers/V`
pub fn provider_resource(project_number: &str, pool: &str, provider: &str) -> String {
    format!(
        "projects/{project_number}/locations/global/workloadIdentityPools/{pool}/providers/{provider}"
    )
}

/// `//iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/V`
pub fn sts_audience(project_number: &str, pool: &str, provider: &str) -> String {
    format!(
        "//iam.googleapis.com/{}",
        provider_resource(project_number, pool, provider)
    )
}

/// `principal://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/subject/SUB`
pub fn principal(project_number: &str, pool: &str, subject: &str) -> String {
    format!(
        "principal://iam.googleapis.com/projects/{project_number}/locations/global/workloadIdentityPools/{pool}/subject/{subject}"
    )
}

/// `principalSet://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/attribute.subject/SUB`
pub fn principal_set(project_number: &str, pool: &str, subject: &str) -> String {
    format!(
        "principalSet://iam.googleapis.com/projects/{project_number}/locations/global/workloadIdentityPools/{pool}/attribute.subject/{subject}"
    )
}

/// A setting, trimmed; empty counts as absent.
fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A token claim, exactly as written; empty (or all-blank) counts as absent.
fn exact(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.trim().is_empty())
}

/// Derives the Google-side values. Never fails: missing inputs become placeholders.
pub fn derive(inputs: &GoogleInputs, token: &TokenFacts) -> GoogleValues {
    let mut missing = Vec::new();
    let mut notes = Vec::new();

    let project_id = present(&inputs.project_id);
    let project_number = match present(&inputs.project_number) {
        Some(n) => n.to_string(),
        None => {
            let how: Text = match project_id {
                Some(id) => project_number_command(id).into(),
                None => msg!("gcp.missing.console_overview").into(),
            };
            missing.push(MissingValue {
                name: "project_number",
                flag: Some("--project-number"),
                env: Some("GCP_PROJECT_NUMBER"),
                why: msg!("gcp.missing.project_number", how = how).into(),
            });
            "<PROJECT_NUMBER>".to_string()
        }
    };
    let project_id = match project_id {
        Some(id) => id.to_string(),
        None => {
            missing.push(MissingValue {
                name: "project_id",
                flag: Some("--project-id"),
                env: Some("GCP_PROJECT_ID"),
                why: msg!("gcp.missing.project_id").into(),
            });
            "<PROJECT_ID>".to_string()
        }
    };
    let pool = match present(&inputs.pool) {
        Some(p) => p.to_string(),
        None => {
            missing.push(MissingValue {
                name: "pool",
                flag: Some("--pool"),
                env: Some("GCP_WORKLOAD_IDENTITY_POOL_ID"),
                why: msg!("gcp.missing.pool").into(),
            });
            "<POOL_ID>".to_string()
        }
    };
    let provider = match present(&inputs.provider) {
        Some(p) => p.to_string(),
        None => {
            missing.push(MissingValue {
                name: "provider",
                flag: Some("--provider"),
                env: Some("GCP_WORKLOAD_IDENTITY_PROVIDER_ID"),
                why: msg!("gcp.missing.provider").into(),
            });
            "<PROVIDER_ID>".to_string()
        }
    };
    let from_token = |name: &'static str, claim: &str, missing: &mut Vec<MissingValue>| {
        missing.push(MissingValue {
            name,
            flag: None,
            env: None,
            why: msg!("gcp.missing.from_token", claim = claim).into(),
        });
    };
    let issuer_uri = match exact(&token.iss) {
        Some(i) => i.to_string(),
        None => {
            from_token("issuer_uri", "iss", &mut missing);
            "<ISSUER_URI>".to_string()
        }
    };
    let audiences: Vec<&str> = token
        .aud
        .iter()
        .map(String::as_str)
        .filter(|a| !a.trim().is_empty())
        .collect();
    let allowed_audience = match audiences.first() {
        Some(a) => a.to_string(),
        None => {
            from_token("allowed_audience", "aud", &mut missing);
            "<AUDIENCE>".to_string()
        }
    };
    let subject = match exact(&token.sub) {
        Some(s) => s.to_string(),
        None => {
            from_token("subject", "sub", &mut missing);
            "<SUBJECT>".to_string()
        }
    };
    let service_account = present(&inputs.service_account);

    // Validation of what was given (placeholders are not validated).
    if let Some(n) = present(&inputs.project_number)
        && let Err(e) = validate_project_number(n)
    {
        notes.push(msg!("gcp.note.project_number", problem = e).into());
    }
    for (key, value) in [
        ("gcp.note.pool_id", &inputs.pool),
        ("gcp.note.provider_id", &inputs.provider),
    ] {
        if let Some(v) = present(value)
            && let Err(e) = validate_pool_or_provider_id(v)
        {
            notes.push(msg!(key, problem = e).into());
        }
    }

    // Issuer notes.
    if let Some(iss) = exact(&token.iss) {
        match classify_issuer(iss) {
            IssuerKind::Entra {
                version: TokenVersion::V1,
                tenant,
                ..
            } => {
                let no_slash = iss.trim_end_matches('/');
                notes.push(msg!("gcp.note.exact_iss_v1", no_slash = no_slash).into());
                notes.push(
                    msg!(
                        "gcp.note.v1_issuer",
                        other = format!("https://login.microsoftonline.com/{tenant}/v2.0")
                    )
                    .into(),
                );
            }
            IssuerKind::Entra {
                version: TokenVersion::V2,
                tenant,
                ..
            } => {
                notes.push(msg!("gcp.note.exact_iss").into());
                notes.push(
                    msg!(
                        "gcp.note.v2_issuer",
                        other = format!("https://sts.windows.net/{tenant}")
                    )
                    .into(),
                );
            }
            _ => notes.push(msg!("gcp.note.not_entra").into()),
        }
        if !iss.starts_with("https://") {
            notes.push(msg!("gcp.note.not_https").into());
        }
    }
    if audiences.len() > 1 {
        notes.push(msg!("gcp.note.many_audiences", count = audiences.len()).into());
    }
    if allowed_audience.len() > 256 {
        notes.push(msg!("gcp.note.audience_too_long").into());
    }
    if subject.len() > 127 {
        notes.push(msg!("gcp.note.subject_too_long").into());
    }
    let stt = inputs.subject_token_type.trim();
    if !stt.is_empty()
        && stt != "urn:ietf:params:oauth:token-type:jwt"
        && stt != "urn:ietf:params:oauth:token-type:id_token"
    {
        notes.push(msg!("gcp.note.subject_token_type", value = format!("{stt:?}")).into());
    }
    let universe = inputs.universe_domain.trim();
    if !universe.is_empty() && universe != "googleapis.com" {
        notes.push(msg!("gcp.note.universe", universe = universe).into());
    }

    let provider_resource = provider_resource(&project_number, &pool, &provider);
    let sts_audience = format!("//iam.googleapis.com/{provider_resource}");
    let principal = principal(&project_number, &pool, &subject);
    let principal_set = principal_set(&project_number, &pool, &subject);

    let q = |s: &str| shell_quote(s);
    let mut gcloud = vec![
        neutral(msg!(
            "gcp.cmd.enable",
            services = SERVICES.join(" "),
            project = q(&project_id)
        )),
        neutral(msg!(
            "gcp.cmd.create_pool",
            pool = q(&pool),
            project = q(&project_id),
            display_name = q(POOL_DISPLAY_NAME)
        )),
        neutral(msg!(
            "gcp.cmd.create_provider",
            provider = q(&provider),
            project = q(&project_id),
            pool = q(&pool),
            issuer = q(&issuer_uri),
            audience = q(&allowed_audience),
            mapping = q(ATTRIBUTE_MAPPING)
        )),
        neutral(msg!(
            "gcp.cmd.bind_project",
            project = q(&project_id),
            member = q(&principal_set),
            role = DIRECT_ROLE
        )),
    ];
    if let Some(sa) = service_account {
        gcloud.push(neutral(msg!(
            "gcp.cmd.bind_service_account",
            service_account = q(sa),
            member = q(&principal),
            role = SA_ROLE
        )));
    }

    let terraform = terraform(
        &project_id,
        &pool,
        &provider,
        &issuer_uri,
        &allowed_audience,
        &subject,
        service_account,
    );

    GoogleValues {
        issuer_uri,
        allowed_audience,
        attribute_mapping: ATTRIBUTE_MAPPING.to_string(),
        subject,
        provider_resource,
        sts_audience,
        principal,
        principal_set,
        gcloud,
        terraform,
        missing,
        notes,
    }
}

/// `projects/PROJECT/serviceAccounts/EMAIL`, taking PROJECT from a
/// `NAME@PROJECT.iam.gserviceaccount.com` email when possible.
fn service_account_name(sa: &str, project_id: &str) -> String {
    let project = sa
        .split_once('@')
        .and_then(|(_, domain)| domain.strip_suffix(".iam.gserviceaccount.com"))
        .filter(|p| !p.is_empty())
        .unwrap_or(project_id);
    format!("projects/{project}/serviceAccounts/{sa}")
}

fn terraform(
    project_id: &str,
    pool: &str,
    provider: &str,
    issuer_uri: &str,
    audience: &str,
    subject: &str,
    service_account: Option<&str>,
) -> String {
    let h = hcl_string;
    let mut out = neutral(msg!(
        "gcp.terraform.main",
        project = h(project_id),
        pool = h(pool),
        display = h(POOL_DISPLAY_NAME),
        provider = h(provider),
        issuer = h(issuer_uri),
        audience = h(audience),
        role = DIRECT_ROLE,
        subject = hcl_inner(subject)
    ));
    if let Some(sa) = service_account {
        out.push_str(&neutral(msg!(
            "gcp.terraform.service_account",
            service_account = h(&service_account_name(sa, project_id)),
            role = SA_ROLE,
            subject = hcl_inner(subject)
        )));
    }
    out
}

/// The inside of an HCL string literal (no surrounding quotes).
fn hcl_inner(s: &str) -> String {
    let quoted = hcl_string(s);
    quoted[1..quoted.len() - 1].to_string()
}
