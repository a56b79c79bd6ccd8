//! Settings editable in place (`e`): labels, validation as you type, and how a value is applied.

use crate::gcp;
use crate::settings::{IdentitySelector, Origin, Settings, Sourced};

/// Settings that can be changed in place (`e`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    ProjectNumber,
    ProjectId,
    Pool,
    Provider,
    ServiceAccount,
    Resource,
    ClientId,
    Location,
    Model,
}

impl Field {
    pub const ALL: [Field; 9] = [
        Field::ProjectNumber,
        Field::ProjectId,
        Field::Pool,
        Field::Provider,
        Field::ServiceAccount,
        Field::Resource,
        Field::ClientId,
        Field::Location,
        Field::Model,
    ];

    /// The setting's name in the process language.
    pub fn label(self) -> String {
        match self {
            Field::ProjectNumber => crate::tr!("ui.field.project_number"),
            Field::ProjectId => crate::tr!("ui.field.project_id"),
            Field::Pool => crate::tr!("ui.field.pool"),
            Field::Provider => crate::tr!("ui.field.provider"),
            Field::ServiceAccount => crate::tr!("ui.field.service_account"),
            Field::Resource => crate::tr!("ui.field.resource"),
            Field::ClientId => crate::tr!("ui.field.client_id"),
            Field::Location => crate::tr!("ui.field.location"),
            Field::Model => crate::tr!("ui.field.model"),
        }
    }

    /// The App Service app setting (environment variable) that sets it.
    pub fn env(self) -> &'static str {
        match self {
            Field::ProjectNumber => "GCP_PROJECT_NUMBER",
            Field::ProjectId => "GCP_PROJECT_ID",
            Field::Pool => "GCP_WORKLOAD_IDENTITY_POOL_ID",
            Field::Provider => "GCP_WORKLOAD_IDENTITY_PROVIDER_ID",
            Field::ServiceAccount => "GCP_SERVICE_ACCOUNT",
            Field::Resource => "AZURE_RESOURCE_URI",
            Field::ClientId => "AZURE_CLIENT_ID",
            Field::Location => "GCP_LOCATION",
            Field::Model => "GCP_VERTEX_MODEL",
        }
    }

    /// What an empty value means, for optional fields.
    pub fn empty_means(self) -> Option<String> {
        match self {
            Field::ServiceAccount => Some(crate::tr!("ui.field.empty.service_account")),
            Field::ClientId => Some(crate::tr!("ui.field.empty.client_id")),
            Field::ProjectNumber | Field::ProjectId | Field::Pool | Field::Provider => {
                Some(crate::tr!("ui.field.empty.not_set"))
            }
            Field::Resource | Field::Location | Field::Model => None,
        }
    }

    /// The current value as text (empty when unset).
    pub fn current(self, s: &Settings) -> String {
        let opt =
            |v: &Option<Sourced<String>>| v.as_ref().map(|x| x.value.clone()).unwrap_or_default();
        match self {
            Field::ProjectNumber => opt(&s.project_number),
            Field::ProjectId => opt(&s.project_id),
            Field::Pool => opt(&s.pool),
            Field::Provider => opt(&s.provider),
            Field::ServiceAccount => opt(&s.service_account),
            Field::Resource => s.resource.value.clone(),
            Field::ClientId => match s.selector.as_ref().map(|x| &x.value) {
                Some(IdentitySelector::ClientId(v)) => v.clone(),
                _ => String::new(),
            },
            Field::Location => s.location.value.clone(),
            Field::Model => s.model.value.clone(),
        }
    }

    /// Validation as you type; the engine's own rules where it has them.
    pub fn validate(self, v: &str) -> Result<(), String> {
        if v.is_empty() {
            return match self.empty_means() {
                Some(_) => Ok(()),
                None => Err(crate::tr!("ui.field.error.empty", field = self.label())),
            };
        }
        if v.chars().any(char::is_whitespace) {
            return Err(crate::tr!("ui.field.error.spaces"));
        }
        match self {
            // The engine's reasons render in the process language (String or Text alike).
            Field::ProjectNumber => gcp::validate_project_number(v).map_err(|e| e.to_string()),
            Field::Pool | Field::Provider => {
                gcp::validate_pool_or_provider_id(v).map_err(|e| e.to_string())
            }
            Field::ProjectId => gcp::validate_project_id(v).map_err(|e| e.to_string()),
            Field::ServiceAccount => gcp::validate_service_account_email(v).map_err(|e| {
                crate::tr!(
                    "ui.field.error.service_account",
                    problem = e.to_string(),
                    shape = "NAME@PROJECT_ID.iam.gserviceaccount.com"
                )
            }),
            Field::ClientId => {
                let parts: Vec<&str> = v.split('-').collect();
                let lens = [8, 4, 4, 4, 12];
                let guid = parts.len() == 5
                    && parts
                        .iter()
                        .zip(lens)
                        .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()));
                if guid {
                    Ok(())
                } else {
                    Err(crate::tr!(
                        "ui.field.error.client_id",
                        shape = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
                    ))
                }
            }
            Field::Location => {
                if v.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                {
                    Ok(())
                } else {
                    Err(crate::tr!(
                        "ui.field.error.location",
                        a = "us-central1",
                        b = "europe-west4"
                    ))
                }
            }
            Field::Resource | Field::Model => Ok(()),
        }
    }

    /// Set the value (origin `Edited`), normalised as at resolve time; empty clears an
    /// optional field.
    pub fn apply(self, s: &mut Settings, v: &str) {
        let v = &crate::settings::normalise::normalise(v).value;
        let sourced = || Some(Sourced::new(v.to_string(), Origin::Edited));
        let opt = |slot: &mut Option<Sourced<String>>| {
            *slot = if v.is_empty() { None } else { sourced() };
        };
        match self {
            Field::ProjectNumber => opt(&mut s.project_number),
            Field::ProjectId => opt(&mut s.project_id),
            Field::Pool => opt(&mut s.pool),
            Field::Provider => opt(&mut s.provider),
            Field::ServiceAccount => opt(&mut s.service_account),
            Field::Resource => s.resource = Sourced::new(v.to_string(), Origin::Edited),
            Field::ClientId => {
                s.selector = (!v.is_empty()).then(|| {
                    Sourced::new(IdentitySelector::ClientId(v.to_string()), Origin::Edited)
                })
            }
            Field::Location => s.location = Sourced::new(v.to_string(), Origin::Edited),
            Field::Model => s.model = Sourced::new(v.to_string(), Origin::Edited),
        }
    }

    /// A change to this field changes the Azure token (re-fetch before the checks).
    pub fn affects_token(self) -> bool {
        matches!(self, Field::Resource | Field::ClientId)
    }
}
