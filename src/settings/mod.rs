//! Settings, resolved once: flag > environment > the app's environment recovered on
//! App Service > default. Every value keeps its [`Origin`].

pub mod appsettings;
mod args;
pub mod normalise;
mod origin;
pub mod recover;
mod resolve;

pub use args::SettingsArgs;
pub use origin::{Origin, Sourced, value_of};
pub use resolve::{EnvMap, SettingsError, normalised, parse_duration, parse_resolve, setting_name};

use crate::diagnose::text::PasteProblem;
use crate::i18n::{Msg, Text};
use crate::secret::Secret;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub const DEFAULT_RESOURCE: &str = "https://management.azure.com/";
pub const DEFAULT_API_VERSION: &str = "2019-08-01";
pub const LEGACY_API_VERSION: &str = "2017-09-01";
pub const IMDS_API_VERSION: &str = "2018-02-01";
pub const DEFAULT_IMDS_ENDPOINT: &str = "http://169.254.169.254";
pub const DEFAULT_TOKEN_URL: &str = "https://sts.googleapis.com/v1/token";
pub const DEFAULT_UNIVERSE_DOMAIN: &str = "googleapis.com";
pub const DEFAULT_SUBJECT_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";
pub const DEFAULT_LOCATION: &str = "us-central1";
pub const DEFAULT_MODEL: &str = "gemini-2.5-flash";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Which user-assigned identity to ask for; none means the system-assigned one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentitySelector {
    ClientId(String),
    ObjectId(String),
    ResourceId(String),
}

impl IdentitySelector {
    /// "client ID …" in the reader's language (`settings.selector.*`), the ID verbatim.
    pub fn describe(&self) -> String {
        use crate::tr;
        match self {
            IdentitySelector::ClientId(v) => tr!("settings.selector.client_id", id = v.clone()),
            IdentitySelector::ObjectId(v) => tr!("settings.selector.object_id", id = v.clone()),
            IdentitySelector::ResourceId(v) => {
                tr!("settings.selector.resource_id", id = v.clone())
            }
        }
    }
}

/// A token source the user forced with `--source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceChoice {
    Auto,
    AppService,
    MsiLegacy,
    Imds,
    Aks,
}

/// Facts about the machine we run on, used to explain missing identities.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// `WEBSITE_SITE_NAME` (App Service / Functions), if any.
    pub app_service_site: Option<String>,
    /// The shell is the Kudu (SCM) container, which never holds the identity.
    pub kudu: bool,
    /// DMI says this is an Azure VM (asset tag 7783-7084-3265-9085).
    pub azure_vm: bool,
    /// `IDENTITY_SERVER_THUMBPRINT` (Service Fabric) is present.
    pub service_fabric: bool,
    /// `IMDS_ENDPOINT` (Azure Arc) is present.
    pub arc: bool,
    /// Variables recovered from the app's environment, and from where (for display).
    pub recovered: Vec<(String, String)>,
    /// The same, with the process (pid and name) each came from.
    pub recovered_sources: Vec<(String, recover::Source)>,
}

/// One row of "where every setting came from": the field's id (stable, the `--json` name),
/// its value (`None`: not set) and where the value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub field: &'static str,
    pub value: Option<String>,
    pub origin: Option<Origin>,
}

impl Provenance {
    /// The setting's name for people (`settings.label.FIELD`).
    pub fn label(&self) -> String {
        label(self.field).to_string()
    }

    /// The value, or "(not set)" in the reader's language.
    pub fn value_text(&self) -> String {
        match &self.value {
            Some(v) => v.clone(),
            None => crate::tr!("settings.not_set"),
        }
    }

    /// Where the value came from, for people; empty when it is not set.
    pub fn origin_text(&self) -> String {
        self.origin
            .as_ref()
            .map(Origin::to_string)
            .unwrap_or_default()
    }
}

/// A setting whose given value normalisation changed (see [`Settings::adjustments`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Adjustment {
    pub field: &'static str,
    /// The setting's name for people (`settings.label.FIELD`).
    pub label: Msg,
    /// The value as given, escaped (see [`crate::diagnose::visible`]); for a secret, a note
    /// that it is not shown.
    pub raw: Text,
    /// The value used, escaped.
    pub value: String,
    pub origin: Origin,
    pub problems: Vec<PasteProblem>,
}

impl Adjustment {
    /// What was removed, as one list in the reader's language.
    pub fn problems_text(&self) -> Text {
        crate::diagnose::text::list(self.problems.iter().copied())
    }
}

/// The name of a setting for people: `settings.label.FIELD`.
pub fn label(field: &'static str) -> Msg {
    Msg::new(format!("settings.label.{field}"))
}

/// Every field [`label`] names (tests check each has a catalogue entry).
pub const LABELLED: &[&str] = &[
    "project_number",
    "pool",
    "provider",
    "project_id",
    "service_account",
    "location",
    "model",
    "token_url",
    "universe_domain",
    "subject_token_type",
    "resource",
    "api_version",
    "identity_endpoint",
    "msi_endpoint",
    "imds_endpoint",
    "identity",
    "identity_header",
    "msi_secret",
];

/// Every setting wif-doctor uses, each with its origin.
#[derive(Debug, Clone)]
pub struct Settings {
    pub project_number: Option<Sourced<String>>,
    pub pool: Option<Sourced<String>>,
    pub provider: Option<Sourced<String>>,
    pub project_id: Option<Sourced<String>>,
    pub service_account: Option<Sourced<String>>,
    pub location: Sourced<String>,
    pub model: Sourced<String>,
    pub token_url: Sourced<String>,
    pub universe_domain: Sourced<String>,
    pub subject_token_type: Sourced<String>,
    pub credentials: Option<Sourced<PathBuf>>,

    pub resource: Sourced<String>,
    pub api_version: Sourced<String>,
    pub selector: Option<Sourced<IdentitySelector>>,
    pub identity_endpoint: Option<Sourced<String>>,
    pub identity_header: Option<Sourced<Secret>>,
    pub msi_endpoint: Option<Sourced<String>>,
    pub msi_secret: Option<Sourced<Secret>>,
    pub imds_endpoint: Sourced<String>,
    pub federated_token_file: Option<Sourced<PathBuf>>,
    pub source: SourceChoice,
    /// `GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES` as the app has it (an executable-sourced
    /// credential file runs only when it is `1`).
    pub allow_executables: Option<Sourced<String>>,

    pub resolve: Vec<(String, SocketAddr)>,
    pub timeout: Duration,
    /// Extra trusted roots (PEM); only the in-process simulator sets these.
    pub extra_roots_pem: Vec<String>,
    /// Root under which the machine's own files (/proc, /etc/profile, DMI, the system CA
    /// store) are read: `/`, or a fake root in tests (`WIF_DOCTOR_SYSROOT`).
    pub sysroot: PathBuf,
    pub environment: Environment,
}

impl Settings {
    /// The IMDS endpoint may be contacted: on an Azure VM, or when the user named it.
    pub fn imds_allowed(&self) -> bool {
        self.environment.azure_vm
            || !self.imds_endpoint.is_default()
            || self.source == SourceChoice::Imds
    }

    /// Settings whose given value was changed by normalisation: the field, its label, the
    /// raw form shown escaped (secrets described, never shown), the value used, where it came
    /// from and what was removed. `gcp.settings` reports each as a warning.
    pub fn adjustments(&self) -> Vec<Adjustment> {
        let mut out = Vec::new();
        let mut text = |field: &'static str, s: Option<&Sourced<String>>| {
            if let Some(s) = s
                && let Some(raw) = &s.raw
            {
                out.push(Adjustment {
                    field,
                    label: label(field),
                    raw: crate::diagnose::visible(raw).into(),
                    value: crate::diagnose::visible(&s.value),
                    origin: s.origin.clone(),
                    problems: normalise::normalise(raw).problems,
                });
            }
        };
        text("project_number", self.project_number.as_ref());
        text("pool", self.pool.as_ref());
        text("provider", self.provider.as_ref());
        text("project_id", self.project_id.as_ref());
        text("service_account", self.service_account.as_ref());
        text("location", Some(&self.location));
        text("model", Some(&self.model));
        text("token_url", Some(&self.token_url));
        text("universe_domain", Some(&self.universe_domain));
        text("subject_token_type", Some(&self.subject_token_type));
        text("resource", Some(&self.resource));
        text("api_version", Some(&self.api_version));
        text("identity_endpoint", self.identity_endpoint.as_ref());
        text("msi_endpoint", self.msi_endpoint.as_ref());
        text("imds_endpoint", Some(&self.imds_endpoint));
        if let Some(sel) = &self.selector
            && let Some(raw) = &sel.raw
        {
            let (IdentitySelector::ClientId(r)
            | IdentitySelector::ObjectId(r)
            | IdentitySelector::ResourceId(r)) = raw;
            out.push(Adjustment {
                field: "identity",
                label: label("identity"),
                raw: crate::diagnose::visible(r).into(),
                value: crate::diagnose::visible(&sel.value.describe()),
                origin: sel.origin.clone(),
                problems: normalise::normalise(r).problems,
            });
        }
        for (field, s) in [
            ("identity_header", self.identity_header.as_ref()),
            ("msi_secret", self.msi_secret.as_ref()),
        ] {
            if let Some(s) = s
                && let Some(raw) = &s.raw
            {
                out.push(Adjustment {
                    field,
                    label: label(field),
                    raw: Msg::new("settings.secret_not_shown").into(),
                    value: s.value.describe(),
                    origin: s.origin.clone(),
                    problems: normalise::normalise(raw.expose()).problems,
                });
            }
        }
        out
    }

    /// Rows for "where every setting came from" (secrets described, never shown).
    pub fn provenance(&self) -> Vec<Provenance> {
        fn opt(field: &'static str, v: &Option<Sourced<String>>) -> Provenance {
            Provenance {
                field,
                value: v.as_ref().map(|s| s.value.clone()),
                origin: v.as_ref().map(|s| s.origin.clone()),
            }
        }
        fn req(field: &'static str, v: &Sourced<String>) -> Provenance {
            opt(field, &Some(v.clone()))
        }
        let secret = |field: &'static str, v: &Option<Sourced<Secret>>| Provenance {
            field,
            value: v.as_ref().map(|s| s.value.describe()),
            origin: v.as_ref().map(|s| s.origin.clone()),
        };
        let selector = match &self.selector {
            Some(s) => Provenance {
                field: "identity",
                value: Some(s.value.describe()),
                origin: Some(s.origin.clone()),
            },
            None => Provenance {
                field: "identity",
                value: Some(crate::tr!("settings.system_assigned")),
                origin: Some(Origin::Default),
            },
        };
        vec![
            opt("project_number", &self.project_number),
            opt("pool", &self.pool),
            opt("provider", &self.provider),
            opt("project_id", &self.project_id),
            opt("service_account", &self.service_account),
            req("location", &self.location),
            req("model", &self.model),
            req("token_url", &self.token_url),
            req("universe_domain", &self.universe_domain),
            req("subject_token_type", &self.subject_token_type),
            req("resource", &self.resource),
            req("api_version", &self.api_version),
            selector,
            opt("identity_endpoint", &self.identity_endpoint),
            secret("identity_header", &self.identity_header),
            opt("msi_endpoint", &self.msi_endpoint),
            secret("msi_secret", &self.msi_secret),
            req("imds_endpoint", &self.imds_endpoint),
        ]
    }
}
