//! The `external_account` credential configuration file for an App Service (or Container
//! Apps / Functions) managed identity, in the seed procedure's exact shape.
//!
//! The `X-IDENTITY-HEADER` value is a secret: it is only ever written out when asked for
//! with [`RevealHeader::Yes`]; `Debug` and plain `Serialize` show a redaction placeholder.

use serde::{Serialize, Serializer};

/// Header carrying `IDENTITY_HEADER` to the local token service.
pub const IDENTITY_HEADER_NAME: &str = "X-IDENTITY-HEADER";
/// What is shown instead of the header value when printing.
pub const REDACTED_HEADER: &str = "<IDENTITY_HEADER: redacted>";

/// The `IDENTITY_HEADER` value: a [`Secret`], so `Debug` never shows it.
pub type IdentityHeader = crate::secret::Secret;

/// Whether rendered JSON carries the real header value (for the file) or the placeholder
/// (for printing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevealHeader {
    Yes,
    No,
}

/// Selects a user-assigned identity on the App Service token endpoint (2019-08-01). Without
/// one the system-assigned identity is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserAssignedSelector {
    /// `client_id=`
    ClientId(String),
    /// `principal_id=` (the object ID; `object_id` is an alias)
    PrincipalId(String),
    /// `mi_res_id=` (the identity's Azure resource ID)
    ResourceId(String),
}

impl UserAssignedSelector {
    pub fn param(&self) -> (&'static str, &str) {
        match self {
            UserAssignedSelector::ClientId(v) => ("client_id", v),
            UserAssignedSelector::PrincipalId(v) => ("principal_id", v),
            UserAssignedSelector::ResourceId(v) => ("mi_res_id", v),
        }
    }
}

/// Everything the credential config is built from. See [`super::defaults`] for the seed's
/// default values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigInputs {
    /// `GCP_WORKLOAD_IDENTITY_UNIVERSE_DOMAIN`, normally `googleapis.com`.
    pub universe_domain: String,
    /// `GCP_WORKLOAD_IDENTITY_CREDENTIAL_TYPE`, normally `external_account`.
    pub credential_type: String,
    /// The STS audience, `//iam.googleapis.com/projects/N/.../providers/V` (see
    /// [`super::sts_audience`]).
    pub audience: String,
    /// `GCP_WORKLOAD_IDENTITY_SUBJECT_TOKEN_TYPE`
    pub subject_token_type: String,
    /// `GCP_WORKLOAD_IDENTITY_TOKEN_URL`
    pub token_url: String,
    /// `IDENTITY_ENDPOINT`
    pub identity_endpoint: String,
    /// `IDENTITY_HEADER`
    pub identity_header: IdentityHeader,
    /// `AZURE_RESOURCE_URI`: the token audience requested from Azure.
    pub resource: String,
    /// `AZURE_IMDS_API_VERSION`
    pub api_version: String,
    pub user_assigned: Option<UserAssignedSelector>,
    /// `AZURE_SUBJECT_TOKEN_FIELD_NAME`, normally `access_token`.
    pub subject_token_field_name: String,
    /// Service-account email; adds `service_account_impersonation_url` when set.
    pub service_account: Option<String>,
}

/// `credential_source.format`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceFormat {
    #[serde(rename = "type")]
    pub format_type: String,
    pub subject_token_field_name: String,
}

/// `credential_source`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialSource {
    pub url: String,
    /// Sent as the `X-IDENTITY-HEADER` header.
    pub identity_header: IdentityHeader,
    pub format: SourceFormat,
}

/// The credential configuration. Render it with [`CredentialConfig::to_json`]; serialising
/// it directly (or `Debug`) redacts the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialConfig {
    pub universe_domain: String,
    /// `type`
    pub credential_type: String,
    pub audience: String,
    pub subject_token_type: String,
    pub token_url: String,
    pub credential_source: CredentialSource,
    pub service_account_impersonation_url: Option<String>,
}

/// `https://iamcredentials.<universe>/v1/projects/-/serviceAccounts/SA:generateAccessToken`
pub fn service_account_impersonation_url(universe_domain: &str, service_account: &str) -> String {
    let universe = match universe_domain.trim() {
        "" => "googleapis.com",
        u => u,
    };
    format!(
        "https://iamcredentials.{universe}/v1/projects/-/serviceAccounts/{}:generateAccessToken",
        encode_path_segment(service_account.trim())
    )
}

/// Percent-encodes everything but unreserved characters and `@`, so a value stays ONE path
/// segment: `/`, `?`, `#`, `%`, `..` tricks and spaces cannot change the URL's path.
/// A valid email is unchanged (Google's libraries write `NAME@PROJECT.iam…` the same way).
pub fn encode_path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-encodes a query value, leaving characters that are legal in a query as they are
/// (so `https://management.azure.com/` and `api://…` stay readable, like the seed's URL) and
/// encoding the ones that would change its meaning (`&`, `=`, `+`, `#`, `%`, spaces, …).
fn encode_query_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:/@!$()*,;?".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `{IDENTITY_ENDPOINT}?resource={RESOURCE}&api-version={API_VERSION}[&selector=…]`.
/// A non-URL endpoint (e.g. a placeholder) is used verbatim.
fn source_url(
    endpoint: &str,
    resource: &str,
    api_version: &str,
    selector: Option<&UserAssignedSelector>,
) -> String {
    let mut query = format!(
        "resource={}&api-version={}",
        encode_query_value(resource.trim()),
        encode_query_value(api_version.trim())
    );
    if let Some(sel) = selector {
        let (name, value) = sel.param();
        query.push_str(&format!("&{name}={}", encode_query_value(value.trim())));
    }
    let endpoint = endpoint.trim();
    match url::Url::parse(endpoint) {
        Ok(mut u) if matches!(u.scheme(), "http" | "https") => {
            let full = match u.query() {
                Some(existing) if !existing.is_empty() => format!("{existing}&{query}"),
                _ => query,
            };
            u.set_query(Some(&full));
            u.set_fragment(None);
            u.to_string()
        }
        _ => format!("{endpoint}?{query}"),
    }
}

/// Builds the credential configuration.
pub fn credential_config(cfg: &ConfigInputs) -> CredentialConfig {
    let service_account = cfg
        .service_account
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    CredentialConfig {
        universe_domain: cfg.universe_domain.trim().to_string(),
        credential_type: cfg.credential_type.trim().to_string(),
        audience: cfg.audience.trim().to_string(),
        subject_token_type: cfg.subject_token_type.trim().to_string(),
        token_url: cfg.token_url.trim().to_string(),
        credential_source: CredentialSource {
            url: source_url(
                &cfg.identity_endpoint,
                &cfg.resource,
                &cfg.api_version,
                cfg.user_assigned.as_ref(),
            ),
            identity_header: cfg.identity_header.clone(),
            format: SourceFormat {
                format_type: "json".to_string(),
                subject_token_field_name: cfg.subject_token_field_name.trim().to_string(),
            },
        },
        service_account_impersonation_url: service_account
            .map(|sa| service_account_impersonation_url(&cfg.universe_domain, sa)),
    }
}

// Borrowed mirror of the file's shape; field order here is the key order in the JSON.
#[derive(Serialize)]
struct FileView<'a> {
    universe_domain: &'a str,
    #[serde(rename = "type")]
    credential_type: &'a str,
    audience: &'a str,
    subject_token_type: &'a str,
    token_url: &'a str,
    credential_source: SourceView<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_account_impersonation_url: Option<&'a str>,
}

#[derive(Serialize)]
struct SourceView<'a> {
    url: &'a str,
    headers: HeadersView<'a>,
    format: &'a SourceFormat,
}

#[derive(Serialize)]
struct HeadersView<'a> {
    #[serde(rename = "X-IDENTITY-HEADER")]
    identity_header: &'a str,
}

impl CredentialConfig {
    fn view(&self, reveal: RevealHeader) -> FileView<'_> {
        FileView {
            universe_domain: &self.universe_domain,
            credential_type: &self.credential_type,
            audience: &self.audience,
            subject_token_type: &self.subject_token_type,
            token_url: &self.token_url,
            credential_source: SourceView {
                url: &self.credential_source.url,
                headers: HeadersView {
                    identity_header: match reveal {
                        RevealHeader::Yes => self.credential_source.identity_header.expose(),
                        RevealHeader::No => REDACTED_HEADER,
                    },
                },
                format: &self.credential_source.format,
            },
            service_account_impersonation_url: self.service_account_impersonation_url.as_deref(),
        }
    }

    /// Pretty JSON (2-space indent, trailing newline) in the seed's key order.
    pub fn to_json(&self, reveal: RevealHeader) -> String {
        let mut s = serde_json::to_string_pretty(&self.view(reveal))
            .expect("serialising plain strings cannot fail");
        s.push('\n');
        s
    }
}

impl Serialize for CredentialConfig {
    /// Serialises with the header redacted; use [`CredentialConfig::to_json`] with
    /// [`RevealHeader::Yes`] for the file.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.view(RevealHeader::No).serialize(serializer)
    }
}
