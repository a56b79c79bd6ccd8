//! Google Cloud values derived from an Azure token and the user's settings: provider
//! settings, IAM principals, ready-to-run `gcloud` commands and Terraform, and the
//! `external_account` credential configuration file. Pure logic, no IO.

mod config;
pub use config::credential_config;
mod derive;
pub mod executable;
mod hosts;
mod ids;
mod quote;
pub mod subject_token;

pub use config::{
    ConfigInputs, CredentialConfig, CredentialSource, IDENTITY_HEADER_NAME, IdentityHeader,
    REDACTED_HEADER, RevealHeader, SourceFormat, UserAssignedSelector,
    service_account_impersonation_url,
};
pub use derive::{
    ATTRIBUTE_MAPPING, GoogleInputs, GoogleValues, MissingValue, POOL_DISPLAY_NAME, TokenFacts,
    derive, principal, principal_set, provider_resource, sts_audience,
};
pub use hosts::{
    host_allowed_sts, validate_location, validate_token_url, validate_universe_domain,
};
pub use ids::{
    project_id_problem, validate_pool_or_provider_id, validate_project_id, validate_project_number,
    validate_service_account_email,
};
pub use quote::{hcl_string, shell_quote};

/// Default values, matching the seed procedure's environment variables.
pub mod defaults {
    /// `GCP_WORKLOAD_IDENTITY_UNIVERSE_DOMAIN`
    pub const UNIVERSE_DOMAIN: &str = "googleapis.com";
    /// `GCP_WORKLOAD_IDENTITY_CREDENTIAL_TYPE`
    pub const CREDENTIAL_TYPE: &str = "external_account";
    /// `GCP_WORKLOAD_IDENTITY_SUBJECT_TOKEN_TYPE`
    pub const SUBJECT_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";
    /// `GCP_WORKLOAD_IDENTITY_TOKEN_URL`
    pub const TOKEN_URL: &str = "https://sts.googleapis.com/v1/token";
    /// `AZURE_IMDS_API_VERSION`
    pub const API_VERSION: &str = "2019-08-01";
    /// `AZURE_RESOURCE_URI`
    pub const RESOURCE: &str = "https://management.azure.com/";
    /// `AZURE_SUBJECT_TOKEN_FIELD_NAME`
    pub const SUBJECT_TOKEN_FIELD_NAME: &str = "access_token";
}
