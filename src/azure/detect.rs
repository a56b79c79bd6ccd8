//! Which token source applies, in the Azure SDKs' precedence
//! (reference: azure-managed-identity.md §1.2–1.3).

use super::{AzureError, ErrorKind, SourceKind, origin};
use crate::i18n::{Msg, Text};
use crate::msg;
use crate::settings::{Settings, SourceChoice};

/// The chosen source and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub kind: SourceKind,
    /// Endpoint URL without query, or the token file path.
    pub endpoint: String,
    /// Why this source was chosen, for the Environment screen.
    pub reason: Text,
}

/// Where to open the app container's SSH console (not Kudu's).
fn open_app_ssh() -> Msg {
    msg!("azure.detect.open_app_ssh")
}

/// Pick the token source, or explain why there is none.
pub fn detect(s: &Settings) -> Result<Plan, AzureError> {
    let app_service = || {
        let ep = s.identity_endpoint.as_ref()?;
        s.identity_header.as_ref()?;
        Some(Plan {
            kind: SourceKind::AppService,
            endpoint: ep.value.clone(),
            reason: msg!(
                "azure.detect.reason_app_service",
                origin = origin(&ep.origin)
            )
            .into(),
        })
    };
    let legacy = || {
        let ep = s.msi_endpoint.as_ref()?;
        s.msi_secret.as_ref()?;
        Some(Plan {
            kind: SourceKind::MsiLegacy,
            endpoint: ep.value.clone(),
            reason: msg!("azure.detect.reason_legacy", origin = origin(&ep.origin)).into(),
        })
    };
    let aks = || {
        let f = s.federated_token_file.as_ref()?;
        Some(Plan {
            kind: SourceKind::AksWorkloadIdentity,
            endpoint: f.value.display().to_string(),
            reason: msg!("azure.detect.reason_aks", origin = origin(&f.origin)).into(),
        })
    };
    let imds = |why: Text| Plan {
        kind: SourceKind::Imds,
        endpoint: format!(
            "{}/metadata/identity/oauth2/token",
            s.imds_endpoint.value.trim_end_matches('/')
        ),
        reason: why,
    };

    let missing = |what: &str, needs: &str| {
        AzureError::new(
            ErrorKind::Config,
            msg!("azure.detect.missing.summary", source = what, needs = needs),
            msg!("azure.detect.missing.cause", needs = needs),
            msg!("azure.detect.missing.fix", open_app_ssh = open_app_ssh()),
        )
    };
    match s.source {
        SourceChoice::AppService => {
            return app_service()
                .ok_or_else(|| missing("app-service", "IDENTITY_ENDPOINT/IDENTITY_HEADER"));
        }
        SourceChoice::MsiLegacy => {
            return legacy().ok_or_else(|| missing("msi-legacy", "MSI_ENDPOINT/MSI_SECRET"));
        }
        SourceChoice::Aks => {
            return aks().ok_or_else(|| missing("aks", "AZURE_FEDERATED_TOKEN_FILE"));
        }
        SourceChoice::Imds => return Ok(imds(Text::value("--source imds"))),
        SourceChoice::Auto => {}
    }

    if s.identity_endpoint.is_some() && s.identity_header.is_some() && s.environment.service_fabric
    {
        return Err(AzureError::new(
            ErrorKind::Unsupported,
            msg!("azure.detect.service_fabric.summary"),
            msg!("azure.detect.service_fabric.cause"),
            msg!("azure.detect.service_fabric.fix"),
        ));
    }
    if let Some(p) = app_service() {
        return Ok(p);
    }
    if let Some(ep) = &s.identity_endpoint {
        if s.environment.arc {
            return Err(AzureError::new(
                ErrorKind::Unsupported,
                msg!("azure.detect.arc.summary"),
                msg!("azure.detect.arc.cause"),
                msg!(
                    "azure.detect.arc.fix",
                    command = msg!("azure.cmd.decode_stdin")
                ),
            ));
        }
        return Err(AzureError::new(
            ErrorKind::Config,
            msg!("azure.detect.header_missing.summary"),
            msg!(
                "azure.detect.header_missing.cause",
                endpoint = &ep.value,
                origin = origin(&ep.origin)
            ),
            msg!("azure.detect.header_missing.fix"),
        ));
    }
    if let Some(p) = legacy() {
        return Ok(p);
    }
    if let Some(ep) = &s.msi_endpoint {
        return Err(AzureError::new(
            ErrorKind::Unsupported,
            msg!("azure.detect.cloud_shell.summary"),
            msg!("azure.detect.cloud_shell.cause", endpoint = &ep.value),
            msg!("azure.detect.cloud_shell.fix"),
        ));
    }
    if let Some(p) = aks() {
        return Ok(p);
    }
    if s.environment.kudu {
        return Err(AzureError::new(
            ErrorKind::KuduContainer,
            msg!("azure.detect.kudu.summary"),
            msg!("azure.detect.kudu.cause"),
            open_app_ssh(),
        ));
    }
    if let Some(site) = &s.environment.app_service_site {
        return Err(AzureError::new(
            ErrorKind::NoSource,
            msg!("azure.detect.identity_off.summary", site = site),
            msg!("azure.detect.identity_off.cause"),
            msg!(
                "azure.detect.identity_off.fix",
                command = msg!("azure.cmd.webapp_identity_assign", app = site)
            ),
        ));
    }
    if s.imds_allowed() {
        let why: Text = if s.environment.azure_vm {
            msg!("azure.detect.reason_vm").into()
        } else {
            msg!(
                "azure.detect.reason_imds_given",
                origin = origin(&s.imds_endpoint.origin)
            )
            .into()
        };
        return Ok(imds(why));
    }
    Err(AzureError::new(
        ErrorKind::NoSource,
        msg!("azure.detect.none.summary"),
        msg!("azure.detect.none.cause"),
        msg!("azure.detect.none.fix", demo = "wif-doctor --demo"),
    ))
}
