//! Values for the Google side, derived from token facts and settings. Missing inputs never
//! abort: they show as `<PLACEHOLDER>` and are listed in [`GoogleValues::missing`].

use super::ids::{validate_pool_or_provider_id, validate_project_number};
use super::quote::{hcl_string, shell_quote};
use crate::jwt::{DecodedJwt, IssuerKind, TokenVersion, classify_issuer};
use serde::Serialize;

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
    pub why: String,
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
    pub notes: Vec<String>,
}

impl GoogleValues {
    /// The copyable values with the labels every face shows them under, in display order.
    pub fn labelled(&self) -> [(&'static str, &str); 8] {
        [
            ("Issuer URI (provider --issuer-uri)", &self.issuer_uri),
            (
                "Allowed audience (provider --allowed-audiences)",
                &self.allowed_audience,
            ),
            ("Attribute mapping", &self.attribute_mapping),
            ("Subject (managed identity object ID)", &self.subject),
            ("Provider resource name", &self.provider_resource),
            (
                "STS audience (credential config \"audience\")",
                &self.sts_audience,
            ),
            ("Principal (this identity)", &self.principal),
            ("PrincipalSet (attribute.subject)", &self.principal_set),
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
            let how = match project_id {
                Some(id) => format!(
                    "gcloud projects describe {} --format='value(projectNumber)'",
                    shell_quote(id)
                ),
                None => "the Google Cloud console's project overview page".to_string(),
            };
            missing.push(MissingValue {
                name: "project_number",
                flag: Some("--project-number"),
                env: Some("GCP_PROJECT_NUMBER"),
                why: format!(
                    "the audience and IAM principals name the project by number (not ID); find it with {how}"
                ),
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
                why: "the gcloud commands and Terraform target the project by ID".to_string(),
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
                why: "the workload identity pool ID (4-32 of a-z, 0-9, -), e.g. azure-pool"
                    .to_string(),
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
                why: "the OIDC provider ID in the pool (4-32 of a-z, 0-9, -), e.g. azure-mi"
                    .to_string(),
            });
            "<PROVIDER_ID>".to_string()
        }
    };
    let from_token = |name: &'static str, claim: &str, missing: &mut Vec<MissingValue>| {
        missing.push(MissingValue {
            name,
            flag: None,
            env: None,
            why: format!(
                "comes from the token's `{claim}` claim: decode an access token fetched by the managed identity"
            ),
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
        notes.push(format!("project number: {e}"));
    }
    for (what, value) in [("pool ID", &inputs.pool), ("provider ID", &inputs.provider)] {
        if let Some(v) = present(value)
            && let Err(e) = validate_pool_or_provider_id(v)
        {
            notes.push(format!("{what}: {e}"));
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
                notes.push(format!(
                    "issuer_uri is the token's exact `iss`, the safest value; Google's examples use `{no_slash}` (no trailing slash), which is also accepted"
                ));
                notes.push(format!(
                    "this is a v1 issuer: a provider whose issuer is the v2 form (`https://login.microsoftonline.com/{tenant}/v2.0`) rejects this token; v1 vs v2 host mismatch is fatal"
                ));
            }
            IssuerKind::Entra {
                version: TokenVersion::V2,
                tenant,
                ..
            } => {
                notes.push(
                    "issuer_uri is the token's exact `iss`, the safest value".to_string(),
                );
                notes.push(format!(
                    "this is a v2 issuer: a provider whose issuer is the v1 form (`https://sts.windows.net/{tenant}`) rejects this token; v1 vs v2 host mismatch is fatal"
                ));
            }
            _ => notes.push(
                "issuer_uri is the token's exact `iss`; it is not a Microsoft Entra ID issuer, so check the token came from the managed identity"
                    .to_string(),
            ),
        }
        if !iss.starts_with("https://") {
            notes.push("Google requires an https:// issuer URI".to_string());
        }
    }
    if audiences.len() > 1 {
        notes.push(format!(
            "the token has {} audiences; allowed_audience uses the first",
            audiences.len()
        ));
    }
    if allowed_audience.len() > 256 {
        notes.push("the audience is longer than the 256 characters Google allows".to_string());
    }
    if subject.len() > 127 {
        notes.push("the subject is longer than the 127 bytes google.subject may hold".to_string());
    }
    let stt = inputs.subject_token_type.trim();
    if !stt.is_empty()
        && stt != "urn:ietf:params:oauth:token-type:jwt"
        && stt != "urn:ietf:params:oauth:token-type:id_token"
    {
        notes.push(format!(
            "subject_token_type {stt:?} is unusual for an Azure token; use urn:ietf:params:oauth:token-type:jwt"
        ));
    }
    let universe = inputs.universe_domain.trim();
    if !universe.is_empty() && universe != "googleapis.com" {
        notes.push(format!(
            "universe domain is {universe}: the iam.googleapis.com principal and audience forms shown here assume the default universe"
        ));
    }

    let provider_resource = provider_resource(&project_number, &pool, &provider);
    let sts_audience = format!("//iam.googleapis.com/{provider_resource}");
    let principal = principal(&project_number, &pool, &subject);
    let principal_set = principal_set(&project_number, &pool, &subject);

    let q = |s: &str| shell_quote(s);
    let mut gcloud = vec![
        format!(
            "gcloud services enable {} --project={}",
            SERVICES.join(" "),
            q(&project_id)
        ),
        format!(
            "gcloud iam workload-identity-pools create {} --project={} --location=global --display-name={}",
            q(&pool),
            q(&project_id),
            q(POOL_DISPLAY_NAME)
        ),
        format!(
            "gcloud iam workload-identity-pools providers create-oidc {} --project={} --location=global --workload-identity-pool={} --issuer-uri={} --allowed-audiences={} --attribute-mapping={}",
            q(&provider),
            q(&project_id),
            q(&pool),
            q(&issuer_uri),
            q(&allowed_audience),
            q(ATTRIBUTE_MAPPING)
        ),
        format!(
            "gcloud projects add-iam-policy-binding {} --member={} --role={DIRECT_ROLE}",
            q(&project_id),
            q(&principal_set)
        ),
    ];
    if let Some(sa) = service_account {
        gcloud.push(format!(
            "gcloud iam service-accounts add-iam-policy-binding {} --member={} --role={SA_ROLE}",
            q(sa),
            q(&principal)
        ));
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
    let pool_ref = "${google_iam_workload_identity_pool.azure.name}";
    let mut out = format!(
        r#"resource "google_iam_workload_identity_pool" "azure" {{
  project                   = {project}
  workload_identity_pool_id = {pool}
  display_name              = {display}
}}

resource "google_iam_workload_identity_pool_provider" "azure" {{
  project                            = {project}
  workload_identity_pool_id          = google_iam_workload_identity_pool.azure.workload_identity_pool_id
  workload_identity_pool_provider_id = {provider}
  attribute_mapping = {{
    "google.subject"    = "assertion.sub"
    "attribute.subject" = "assertion.sub"
  }}
  oidc {{
    issuer_uri        = {issuer}
    allowed_audiences = [{audience}]
  }}
}}

resource "google_project_iam_member" "vertex_ai_user" {{
  project = {project}
  role    = "{DIRECT_ROLE}"
  member  = "principalSet://iam.googleapis.com/{pool_ref}/attribute.subject/{subject}"
}}
"#,
        project = h(project_id),
        pool = h(pool),
        display = h(POOL_DISPLAY_NAME),
        provider = h(provider),
        issuer = h(issuer_uri),
        audience = h(audience),
        subject = hcl_inner(subject),
    );
    if let Some(sa) = service_account {
        out.push_str(&format!(
            r#"
resource "google_service_account_iam_member" "workload_identity_user" {{
  service_account_id = {sa}
  role               = "{SA_ROLE}"
  member             = "principal://iam.googleapis.com/{pool_ref}/subject/{subject}"
}}
"#,
            sa = h(&service_account_name(sa, project_id)),
            subject = hcl_inner(subject),
        ));
    }
    out
}

/// The inside of an HCL string literal (no surrounding quotes).
fn hcl_inner(s: &str) -> String {
    let quoted = hcl_string(s);
    quoted[1..quoted.len() - 1].to_string()
}
