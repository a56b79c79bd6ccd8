//! Azure managed-identity token sources: detection in the Azure SDKs' precedence,
//! the request each source needs, lenient response parsing and explained failures.

mod detect;
mod error;
mod expiry;
mod fetch;

pub use detect::{Plan, detect};
pub use error::{AzureError, ErrorKind};
pub use expiry::{Expiry, parse_expiry};
pub use fetch::{fetch_token, interpret_response};

use crate::secret::Secret;
use serde::Serialize;
use std::fmt;

/// Where the token comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// App Service, Functions, Container Apps: `IDENTITY_ENDPOINT` + `X-IDENTITY-HEADER`.
    AppService,
    /// Legacy 2017-09-01 protocol: `MSI_ENDPOINT` + `secret` header.
    MsiLegacy,
    /// VM / VMSS instance metadata service.
    Imds,
    /// AKS workload identity: the projected service-account token file itself.
    AksWorkloadIdentity,
}

impl SourceKind {
    pub fn id(self) -> &'static str {
        match self {
            SourceKind::AppService => "app_service",
            SourceKind::MsiLegacy => "msi_legacy",
            SourceKind::Imds => "imds",
            SourceKind::AksWorkloadIdentity => "aks_workload_identity",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceKind::AppService => "App Service / Functions / Container Apps identity endpoint (api-version 2019-08-01)",
            SourceKind::MsiLegacy => "legacy App Service MSI endpoint (api-version 2017-09-01)",
            SourceKind::Imds => "Azure VM instance metadata service (IMDS)",
            SourceKind::AksWorkloadIdentity => "AKS workload identity (projected token file)",
        })
    }
}

/// A fetched token. The token itself is a [`Secret`]; everything else is safe to show.
#[derive(Debug, Clone)]
pub struct AzureToken {
    pub source: SourceKind,
    /// The endpoint without its query string (or the token file path).
    pub endpoint: String,
    pub resource: String,
    pub token: Secret,
    /// Expiry from the response, if it carried one we could read.
    pub expiry: Option<Expiry>,
    /// `client_id` echoed by the endpoint.
    pub client_id: Option<String>,
    /// How many requests it took (retries included).
    pub attempts: u32,
}
