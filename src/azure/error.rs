//! Azure-side failures, each with what happened, the likely cause and the fix.

use crate::i18n::Text;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Stable classification (JSON `kind`, and what the diagnosis engine branches on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// No managed identity source could be found.
    NoSource,
    /// This shell is the Kudu (SCM) container.
    KuduContainer,
    /// A source exists but wif-doctor cannot use it (Service Fabric, Arc, Cloud Shell).
    Unsupported,
    /// The settings contradict the source (e.g. an unsupported selector).
    Config,
    /// Nothing listens at the endpoint.
    Unreachable,
    /// No answer within the timeout.
    Timeout,
    /// 401/403: the secret header was rejected.
    HeaderRejected,
    /// 400 "Unable to load the proper Managed Identity" / IMDS "Identity not found".
    IdentityNotFound,
    /// The resource (App ID URI) is unknown to Entra ID.
    ResourceUnknown,
    /// The resource app requires an app-role assignment the identity lacks (AADSTS501051).
    AppRoleRequired,
    /// Wrong api-version / header pairing.
    ProtocolMismatch,
    /// An HTML page instead of a token response.
    HtmlPage,
    /// A body larger than any token response.
    TooLarge,
    /// A 200 that is not a usable token response.
    BadResponse,
    /// Any other HTTP error.
    Http,
    /// The token file could not be read.
    TokenFile,
}

/// One failure, explained.
#[derive(Debug, Clone, Serialize)]
pub struct AzureError {
    pub kind: ErrorKind,
    /// What happened, one line.
    pub summary: Text,
    /// The likely cause, with the actual values.
    pub cause: Text,
    /// The exact fix: a value or a command.
    pub fix: Text,
    /// The catalogue entry that explained an HTTP answer (`identity.…`), when one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<&'static str>,
    /// HTTP status, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The raw body (secrets scrubbed), for support tickets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
}

impl AzureError {
    pub fn new(
        kind: ErrorKind,
        summary: impl Into<Text>,
        cause: impl Into<Text>,
        fix: impl Into<Text>,
    ) -> Self {
        AzureError {
            kind,
            summary: summary.into(),
            cause: cause.into(),
            fix: fix.into(),
            explanation: None,
            status: None,
            raw: None,
        }
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub fn with_raw(mut self, raw: impl Into<String>) -> Self {
        self.raw = Some(raw.into());
        self
    }

    /// The same error with every secret removed from every field: the last guard before an
    /// error (which may quote what a server echoed) reaches a screen, JSON or a report.
    /// Server text is capped here too (about 2 KiB per field, then "… N more bytes").
    pub fn scrubbed(mut self, secrets: &[&crate::secret::Secret]) -> Self {
        let s = |t: &str| {
            crate::untrusted::capped(
                &crate::secret::scrub(t, secrets),
                crate::untrusted::SHOWN_BYTES,
            )
            .into_owned()
        };
        let mut each = |v: &mut String| *v = s(v);
        self.summary.map_values(&mut each);
        self.cause.map_values(&mut each);
        self.fix.map_values(&mut each);
        self.raw = self.raw.map(|r| s(&r));
        self
    }
}

impl fmt::Display for AzureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.summary, self.cause)
    }
}

impl std::error::Error for AzureError {}
