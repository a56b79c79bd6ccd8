//! The unit of diagnosis: one check's verdict, what happened, and the fix.

use crate::i18n::Text;
use serde::Serialize;
use std::fmt;

/// Stable check identifiers (JSON `id`), in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CheckId {
    AzureSource,
    AzureToken,
    TokenClaims,
    TokenSignature,
    GcpSettings,
    ConfigFile,
    StsExchange,
    IamImpersonation,
    GcpPermissions,
    VertexCall,
}

impl CheckId {
    pub const ALL: [CheckId; 10] = [
        CheckId::AzureSource,
        CheckId::AzureToken,
        CheckId::TokenClaims,
        CheckId::TokenSignature,
        CheckId::GcpSettings,
        CheckId::ConfigFile,
        CheckId::StsExchange,
        CheckId::IamImpersonation,
        CheckId::GcpPermissions,
        CheckId::VertexCall,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::AzureSource => "azure.source",
            CheckId::AzureToken => "azure.token",
            CheckId::TokenClaims => "token.claims",
            CheckId::TokenSignature => "token.signature",
            CheckId::GcpSettings => "gcp.settings",
            CheckId::ConfigFile => "config.file",
            CheckId::StsExchange => "sts.exchange",
            CheckId::IamImpersonation => "iam.impersonation",
            CheckId::GcpPermissions => "gcp.permissions",
            CheckId::VertexCall => "vertex.call",
        }
    }

    /// The check's title, from `assets/i18n/check.toml` (`check.title.<id with _>`).
    pub fn title(self) -> Text {
        crate::msg!(format!("check.title.{}", self.as_str().replace('.', "_"))).into()
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CheckId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Skip,
    Warn,
    Fail,
}

impl Status {
    /// Doctor-style marks: ✓ ! ✗ and – for skipped.
    pub fn mark(self, ascii: bool) -> &'static str {
        match (self, ascii) {
            (Status::Pass, false) => "✓",
            (Status::Warn, false) => "!",
            (Status::Fail, false) => "✗",
            (Status::Skip, false) => "–",
            (Status::Pass, true) => "ok",
            (Status::Warn, true) => "!!",
            (Status::Fail, true) => "XX",
            (Status::Skip, true) => "--",
        }
    }
}

/// One check's result.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub id: CheckId,
    pub title: Text,
    pub status: Status,
    /// What happened, and the likely cause with the actual values.
    pub detail: Text,
    /// The exact fix (a value, a command); empty when there is nothing to do.
    #[serde(skip_serializing_if = "Text::is_empty")]
    pub fix: Text,
    /// Structured values (never secrets) for scripts and the wizard.
    pub data: serde_json::Value,
    pub elapsed_ms: u64,
}

impl Finding {
    pub fn new(id: CheckId, status: Status, detail: impl Into<Text>) -> Finding {
        Finding {
            id,
            title: id.title(),
            status,
            detail: detail.into(),
            fix: Text::new(),
            data: serde_json::Value::Null,
            elapsed_ms: 0,
        }
    }

    pub fn pass(id: CheckId, detail: impl Into<Text>) -> Finding {
        Finding::new(id, Status::Pass, detail)
    }

    pub fn warn(id: CheckId, detail: impl Into<Text>, fix: impl Into<Text>) -> Finding {
        Finding::new(id, Status::Warn, detail).with_fix(fix)
    }

    pub fn fail(id: CheckId, detail: impl Into<Text>, fix: impl Into<Text>) -> Finding {
        Finding::new(id, Status::Fail, detail).with_fix(fix)
    }

    /// A check whose prerequisite did not hold.
    pub fn skip(id: CheckId, reason: impl Into<Text>) -> Finding {
        Finding::new(id, Status::Skip, reason)
    }

    pub fn with_fix(mut self, fix: impl Into<Text>) -> Finding {
        self.fix = fix.into();
        self
    }

    /// The same finding with every secret in the run's registry removed from its text and
    /// data (the engine applies this to every finding it emits).
    pub fn scrubbed(mut self) -> Finding {
        use crate::untrusted::{SHOWN_BYTES, capped};
        let r = crate::secret::registry();
        // Our words plus at most about 2 KiB of a server's: a 100 KB error text cannot flood
        // a screen or a report.
        // Every value (ours or a server's) is scrubbed and capped before anything renders it.
        let mut clean = |s: &mut String| *s = capped(&r.scrub(s), 2 * SHOWN_BYTES).into_owned();
        self.detail.map_values(&mut clean);
        self.fix.map_values(&mut clean);
        scrub_value(&mut self.data, r);
        self
    }

    pub fn with_data(mut self, data: serde_json::Value) -> Finding {
        self.data = data;
        self
    }
}

/// The whole run: `{ok, checks}`; ok means nothing failed (warnings allowed).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub ok: bool,
    pub checks: Vec<Finding>,
}

impl Report {
    pub fn from_findings(mut checks: Vec<Finding>) -> Report {
        checks.sort_by_key(|f| f.id);
        Report {
            ok: !checks.iter().any(|f| f.status == Status::Fail),
            checks,
        }
    }

    pub fn get(&self, id: CheckId) -> Option<&Finding> {
        self.checks.iter().find(|f| f.id == id)
    }
}

fn scrub_value(v: &mut serde_json::Value, r: &crate::secret::Registry) {
    match v {
        serde_json::Value::String(s) => {
            *s = crate::untrusted::capped(&r.scrub(s), crate::untrusted::SHOWN_BYTES).into_owned()
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|v| scrub_value(v, r)),
        serde_json::Value::Object(o) => o.values_mut().for_each(|v| scrub_value(v, r)),
        _ => {}
    }
}
