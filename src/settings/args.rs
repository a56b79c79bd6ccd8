//! The command-line face of the settings. Environment variables are resolved by
//! [`super::Settings::resolve`], not by clap, so each value keeps its true origin.

use clap::Args;
use std::path::PathBuf;

/// Flags shared by every command. Each has an environment twin (see `--help`).
#[derive(Debug, Clone, Default, Args)]
pub struct SettingsArgs {
    /// Google Cloud project NUMBER (digits) that owns the pool [env: GCP_PROJECT_NUMBER]
    #[arg(
        long,
        global = true,
        value_name = "DIGITS",
        help_heading = "Google Cloud"
    )]
    pub project_number: Option<String>,
    /// Workload identity pool ID [env: GCP_WORKLOAD_IDENTITY_POOL_ID]
    #[arg(long, global = true, value_name = "ID", help_heading = "Google Cloud")]
    pub pool: Option<String>,
    /// OIDC provider ID inside the pool [env: GCP_WORKLOAD_IDENTITY_PROVIDER_ID]
    #[arg(long, global = true, value_name = "ID", help_heading = "Google Cloud")]
    pub provider: Option<String>,
    /// Project ID for permission checks and Vertex AI calls [env: GCP_PROJECT_ID]
    #[arg(long, global = true, value_name = "ID", help_heading = "Google Cloud")]
    pub project_id: Option<String>,
    /// Service account to impersonate (optional) [env: GCP_SERVICE_ACCOUNT]
    #[arg(
        long,
        global = true,
        value_name = "EMAIL",
        help_heading = "Google Cloud"
    )]
    pub service_account: Option<String>,
    /// Vertex AI location [env: GCP_LOCATION] [default: us-central1]
    #[arg(
        long,
        global = true,
        value_name = "REGION",
        help_heading = "Google Cloud"
    )]
    pub location: Option<String>,
    /// Vertex AI publisher model for the test call [env: GCP_VERTEX_MODEL] [default: gemini-2.5-flash]
    #[arg(
        long,
        global = true,
        value_name = "MODEL",
        help_heading = "Google Cloud"
    )]
    pub model: Option<String>,
    /// STS token endpoint [env: GCP_WORKLOAD_IDENTITY_TOKEN_URL]
    #[arg(long, global = true, value_name = "URL", help_heading = "Google Cloud")]
    pub token_url: Option<String>,
    /// Universe domain [env: GCP_WORKLOAD_IDENTITY_UNIVERSE_DOMAIN]
    #[arg(
        long,
        global = true,
        value_name = "DOMAIN",
        help_heading = "Google Cloud"
    )]
    pub universe_domain: Option<String>,
    /// Subject token type [env: GCP_WORKLOAD_IDENTITY_SUBJECT_TOKEN_TYPE]
    #[arg(long, global = true, value_name = "URN", help_heading = "Google Cloud")]
    pub subject_token_type: Option<String>,
    /// Credential configuration file to lint [env: GOOGLE_APPLICATION_CREDENTIALS]
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        help_heading = "Google Cloud"
    )]
    pub credentials: Option<PathBuf>,

    /// Resource (App ID URI) to request the Azure token for [env: AZURE_RESOURCE_URI]
    #[arg(long, global = true, value_name = "URI", help_heading = "Azure")]
    pub resource: Option<String>,
    /// Identity endpoint API version [env: AZURE_IMDS_API_VERSION] [default: 2019-08-01]
    #[arg(long, global = true, value_name = "VERSION", help_heading = "Azure")]
    pub api_version: Option<String>,
    /// User-assigned identity by client ID [env: AZURE_CLIENT_ID]
    #[arg(long, global = true, value_name = "GUID", help_heading = "Azure",
          conflicts_with_all = ["object_id", "msi_resource_id"])]
    pub client_id: Option<String>,
    /// User-assigned identity by object (principal) ID
    #[arg(
        long,
        global = true,
        value_name = "GUID",
        help_heading = "Azure",
        conflicts_with = "msi_resource_id"
    )]
    pub object_id: Option<String>,
    /// User-assigned identity by Azure resource ID
    #[arg(long, global = true, value_name = "ID", help_heading = "Azure")]
    pub msi_resource_id: Option<String>,
    /// Identity endpoint URL [env: IDENTITY_ENDPOINT, legacy MSI_ENDPOINT]
    #[arg(long, global = true, value_name = "URL", help_heading = "Azure")]
    pub identity_endpoint: Option<String>,
    /// Identity endpoint header value [env: IDENTITY_HEADER, legacy MSI_SECRET]
    #[arg(
        long,
        global = true,
        value_name = "VALUE",
        help_heading = "Azure",
        hide_env_values = true
    )]
    pub identity_header: Option<String>,
    /// Azure VM metadata service; probed only on an Azure VM or when given [env: AZURE_IMDS_ENDPOINT]
    #[arg(long, global = true, value_name = "URL", help_heading = "Azure")]
    pub imds_endpoint: Option<String>,
    /// Token source: auto, app-service, msi-legacy, imds, aks [env: WIF_DOCTOR_SOURCE]
    #[arg(long, global = true, value_name = "SOURCE", help_heading = "Azure")]
    pub source: Option<String>,

    /// Resolve HOST to ADDR:PORT instead of DNS (repeatable) [env: WIF_DOCTOR_RESOLVE, comma-separated]
    #[arg(
        long,
        global = true,
        value_name = "HOST=ADDR:PORT",
        help_heading = "Network"
    )]
    pub resolve: Vec<String>,
    /// Per-request timeout, e.g. 10, 10s, 500ms [env: WIF_DOCTOR_TIMEOUT] [default: 10s]
    #[arg(long, global = true, value_name = "DURATION", help_heading = "Network")]
    pub timeout: Option<String>,

    /// Root under which /proc, /etc/profile, DMI and the system CA store are read (tests) [env: WIF_DOCTOR_SYSROOT]
    #[arg(long, global = true, hide = true)]
    pub sysroot: Option<PathBuf>,
}
