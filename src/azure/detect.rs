//! Which token source applies, in the Azure SDKs' precedence
//! (reference: azure-managed-identity.md §1.2–1.3).

use super::{AzureError, ErrorKind, SourceKind};
use crate::settings::{Settings, SourceChoice};

/// The chosen source and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub kind: SourceKind,
    /// Endpoint URL without query, or the token file path.
    pub endpoint: String,
    /// Why this source was chosen, for the Environment screen.
    pub reason: String,
}

const OPEN_APP_SSH: &str = "open the app container's SSH: Azure portal → your app → Development Tools → SSH \
     (not 'SSH – Kudu' / Bash), or https://<app>.scm.azurewebsites.net/webssh/host";

/// Pick the token source, or explain why there is none.
pub fn detect(s: &Settings) -> Result<Plan, AzureError> {
    let app_service = || {
        let ep = s.identity_endpoint.as_ref()?;
        s.identity_header.as_ref()?;
        Some(Plan {
            kind: SourceKind::AppService,
            endpoint: ep.value.clone(),
            reason: format!(
                "IDENTITY_ENDPOINT and IDENTITY_HEADER are set ({})",
                ep.origin
            ),
        })
    };
    let legacy = || {
        let ep = s.msi_endpoint.as_ref()?;
        s.msi_secret.as_ref()?;
        Some(Plan {
            kind: SourceKind::MsiLegacy,
            endpoint: ep.value.clone(),
            reason: format!("MSI_ENDPOINT and MSI_SECRET are set ({})", ep.origin),
        })
    };
    let aks = || {
        let f = s.federated_token_file.as_ref()?;
        Some(Plan {
            kind: SourceKind::AksWorkloadIdentity,
            endpoint: f.value.display().to_string(),
            reason: format!("AZURE_FEDERATED_TOKEN_FILE is set ({})", f.origin),
        })
    };
    let imds = |why: String| Plan {
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
            format!("--source {what} was requested but {needs} is not set"),
            format!(
                "{needs} is not in this shell's environment, the app's processes, or /etc/profile"
            ),
            format!(
                "pass the value with a flag (see --help) or run inside the app container; {OPEN_APP_SSH}"
            ),
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
        SourceChoice::Imds => return Ok(imds("--source imds".into())),
        SourceChoice::Auto => {}
    }

    if s.identity_endpoint.is_some() && s.identity_header.is_some() && s.environment.service_fabric
    {
        return Err(AzureError::new(
            ErrorKind::Unsupported,
            "this is a Service Fabric managed identity, which wif-doctor does not support",
            "IDENTITY_SERVER_THUMBPRINT is set: the endpoint uses a pinned self-signed certificate and the 2019-07-01-preview protocol",
            "federate from an App Service, Functions, Container Apps, VM or AKS identity instead",
        ));
    }
    if let Some(p) = app_service() {
        return Ok(p);
    }
    if let Some(ep) = &s.identity_endpoint {
        if s.environment.arc {
            return Err(AzureError::new(
                ErrorKind::Unsupported,
                "this is an Azure Arc managed identity, which wif-doctor does not support yet",
                "IDENTITY_ENDPOINT and IMDS_ENDPOINT are set (Arc's challenge/response protocol)",
                "fetch the token with the Arc agent, then check it with: wif-doctor decode -",
            ));
        }
        return Err(AzureError::new(
            ErrorKind::Config,
            "IDENTITY_ENDPOINT is set but IDENTITY_HEADER is not",
            format!(
                "the identity endpoint ({}, {}) refuses requests without X-IDENTITY-HEADER",
                ep.value, ep.origin
            ),
            "pass --identity-header, or run in the app container's SSH where both are set",
        ));
    }
    if let Some(p) = legacy() {
        return Ok(p);
    }
    if let Some(ep) = &s.msi_endpoint {
        return Err(AzureError::new(
            ErrorKind::Unsupported,
            "this looks like Azure Cloud Shell, whose token belongs to the signed-in user, not a workload",
            format!("MSI_ENDPOINT is set ({}) without MSI_SECRET", ep.value),
            "run wif-doctor where the workload runs (App Service SSH console, the VM, the pod)",
        ));
    }
    if let Some(p) = aks() {
        return Ok(p);
    }
    if s.environment.kudu {
        return Err(AzureError::new(
            ErrorKind::KuduContainer,
            "this shell is the Kudu (SCM) container, which never holds the app's managed identity",
            "IDENTITY_ENDPOINT/IDENTITY_HEADER exist only in the app container",
            OPEN_APP_SSH,
        ));
    }
    if let Some(site) = &s.environment.app_service_site {
        return Err(AzureError::new(
            ErrorKind::NoSource,
            format!("App Service app '{site}' shows no managed identity"),
            "IDENTITY_ENDPOINT is not set in this shell, /proc/1/environ, other processes, or /etc/profile: \
             the identity is off (or WEBSITE_DISABLE_MSI is set)",
            format!(
                "enable it: az webapp identity assign -g <resource-group> -n {site}; then restart and reopen SSH"
            ),
        ));
    }
    if s.imds_allowed() {
        let why = if s.environment.azure_vm {
            "this is an Azure VM (DMI asset tag)".to_string()
        } else {
            format!("IMDS endpoint given ({})", s.imds_endpoint.origin)
        };
        return Ok(imds(why));
    }
    Err(AzureError::new(
        ErrorKind::NoSource,
        "no managed identity found",
        "IDENTITY_ENDPOINT/IDENTITY_HEADER, MSI_ENDPOINT/MSI_SECRET and AZURE_FEDERATED_TOKEN_FILE are unset, \
         and this is not an Azure VM (IMDS was not probed)",
        "run inside the App Service SSH console, pass --identity-endpoint and --identity-header, \
         use --source imds on a VM, or try the simulator: wif-doctor --demo",
    ))
}
