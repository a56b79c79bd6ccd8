//! Azure managed-identity token sources: detection in the Azure SDKs' precedence,
//! the request each source needs, lenient response parsing and explained failures.

mod answer;
mod detect;
mod error;
mod expiry;
mod fetch;

pub use answer::{Answer, Rule, rules};
pub use detect::{Plan, detect};
pub use error::{AzureError, ErrorKind};
pub use expiry::{Expiry, parse_expiry};
pub use fetch::{fetch_token, interpret_response};

use crate::i18n::Msg;
use crate::msg;
use crate::secret::Secret;
use crate::settings::{IdentitySelector, Origin};
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

impl SourceKind {
    /// The source's name, in words (`azure.source.<id>`).
    pub fn label(self) -> Msg {
        match self {
            SourceKind::AppService => msg!("azure.source.app_service"),
            SourceKind::MsiLegacy => msg!("azure.source.msi_legacy"),
            SourceKind::Imds => msg!("azure.source.imds"),
            SourceKind::AksWorkloadIdentity => msg!("azure.source.aks_workload_identity"),
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.label().fmt(f)
    }
}

/// Where a setting came from, in words (`azure.origin.…`); the flag, variable and file
/// names are values.
pub fn origin(o: &Origin) -> Msg {
    match o {
        Origin::Flag { flag } => msg!("azure.origin.flag", flag = flag),
        Origin::Env { var } => msg!("azure.origin.env", var = var),
        Origin::Recovered { var, from } => msg!("azure.origin.recovered", var = var, from = from),
        Origin::Demo => msg!("azure.origin.demo"),
        Origin::Edited => msg!("azure.origin.edited"),
        Origin::Default => msg!("azure.origin.default"),
    }
}

/// A user-assigned identity selector, in words (`client ID <guid>`).
pub fn selector(sel: &IdentitySelector) -> Msg {
    match sel {
        IdentitySelector::ClientId(v) => msg!("azure.selector.client_id", id = v),
        IdentitySelector::ObjectId(v) => msg!("azure.selector.object_id", id = v),
        IdentitySelector::ResourceId(v) => msg!("azure.selector.resource_id", id = v),
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
