//! Named fault scenarios. The simulator is healthy by default; a scenario
//! switches on exactly one realistic failure so the client's diagnostics can be
//! exercised end to end (tests and `--demo=SCENARIO`).
//!
//! Each scenario maps onto a small set of *fault hooks* queried by the
//! handlers (`identity_fault`, `token_tweaks`, `google_fault`). New scenarios
//! add a variant, a row in [`SCENARIOS`] and, if needed, a new hook.

use std::fmt;
use std::str::FromStr;

/// A fault to inject. `Display`/`FromStr` use the kebab-case name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scenario {
    /// Everything works.
    #[default]
    Healthy,
    /// Identity endpoints always answer 500 with the generic AAD message.
    Identity500,
    /// Identity endpoints answer 200 `text/html` (a proxy or login page).
    IdentityHtml,
    /// Identity endpoints accept the request and never answer.
    IdentityHang,
    /// Identity endpoints stream a ~10 MB body.
    IdentityHuge,
    /// Issued tokens are already expired (`iat` = now − 25 h).
    ExpiredToken,
    /// Issued tokens are signed by a key whose `kid` is not in the JWKS.
    UnknownSigningKey,
    /// The provider's `allowedAudiences` names a different app.
    AudienceMismatch,
    /// The provider expects the v2 issuer while tokens are v1.
    IssuerMismatch,
    /// The workload identity pool is disabled.
    DisabledPool,
    /// The client's settings carry the project ID where the number belongs.
    ProjectIdAudience,
    /// The provider's attribute condition rejects the tenant.
    AttributeCondition,
    /// No `roles/aiplatform.user` for the federated principal.
    MissingVertexBinding,
    /// No `roles/iam.workloadIdentityUser` on the service account.
    MissingWorkloadIdentityUser,
    /// The Vertex AI API is disabled in the project.
    VertexDisabled,
}

/// `(scenario, name, one-line description)` — the single source of truth for
/// names, parsing and listings.
const SCENARIOS: &[(Scenario, &str, &str)] = &[
    (Scenario::Healthy, "healthy", "everything works (default)"),
    (
        Scenario::Identity500,
        "identity-500",
        "managed-identity endpoint always fails with HTTP 500 (AAD token error)",
    ),
    (
        Scenario::IdentityHtml,
        "identity-html",
        "managed-identity endpoint returns an HTML page instead of JSON",
    ),
    (
        Scenario::IdentityHang,
        "identity-hang",
        "managed-identity endpoint accepts the connection but never answers",
    ),
    (
        Scenario::IdentityHuge,
        "identity-huge",
        "managed-identity endpoint streams a ~10 MB response body",
    ),
    (
        Scenario::ExpiredToken,
        "expired-token",
        "issued Azure tokens are already expired (issued 25 h ago)",
    ),
    (
        Scenario::UnknownSigningKey,
        "unknown-signing-key",
        "issued Azure tokens are signed by a key that is not in the published JWKS",
    ),
    (
        Scenario::AudienceMismatch,
        "audience-mismatch",
        "Google provider allows only audience api://wrong-app, not the app the tokens are for",
    ),
    (
        Scenario::IssuerMismatch,
        "issuer-mismatch",
        "Google provider expects the v2 issuer (login.microsoftonline.com/<tid>/v2.0) but tokens are v1",
    ),
    (
        Scenario::DisabledPool,
        "disabled-pool",
        "the workload identity pool is disabled, so STS rejects the audience as invalid_target",
    ),
    (
        Scenario::ProjectIdAudience,
        "project-id-audience",
        "demo settings use the project ID instead of the project number in the STS audience",
    ),
    (
        Scenario::AttributeCondition,
        "attribute-condition",
        "the provider's attribute condition requires a different tenant id and rejects the token",
    ),
    (
        Scenario::MissingVertexBinding,
        "missing-vertex-binding",
        "the federated principal has no roles/aiplatform.user on the project",
    ),
    (
        Scenario::MissingWorkloadIdentityUser,
        "missing-workload-identity-user",
        "client impersonates a service account it holds no roles/iam.workloadIdentityUser on",
    ),
    (
        Scenario::VertexDisabled,
        "vertex-disabled",
        "the Vertex AI API is disabled in the project (403 SERVICE_DISABLED)",
    ),
];

fn row(s: Scenario) -> &'static (Scenario, &'static str, &'static str) {
    SCENARIOS
        .iter()
        .find(|(v, _, _)| *v == s)
        .unwrap_or(&SCENARIOS[0])
}

impl Scenario {
    /// Every scenario, in listing order.
    pub fn all() -> Vec<Scenario> {
        SCENARIOS.iter().map(|(s, _, _)| *s).collect()
    }

    /// Kebab-case name, as accepted by `FromStr`.
    pub fn name(self) -> &'static str {
        row(self).1
    }

    /// One-line human description for listings.
    pub fn description(self) -> &'static str {
        row(self).2
    }

    /// How the managed-identity endpoints misbehave, if at all.
    pub(crate) fn identity_fault(self) -> Option<IdentityFault> {
        match self {
            Scenario::Identity500 => Some(IdentityFault::ServerError),
            Scenario::IdentityHtml => Some(IdentityFault::Html),
            Scenario::IdentityHang => Some(IdentityFault::Hang),
            Scenario::IdentityHuge => Some(IdentityFault::Huge),
            _ => None,
        }
    }

    /// How tokens issued over HTTP deviate from healthy ones.
    pub(crate) fn token_tweaks(self) -> TokenTweaks {
        match self {
            Scenario::ExpiredToken => TokenTweaks {
                iat_offset_secs: -25 * 3600,
                rogue_key: false,
            },
            Scenario::UnknownSigningKey => TokenTweaks {
                iat_offset_secs: 0,
                rogue_key: true,
            },
            _ => TokenTweaks::default(),
        }
    }

    /// How the Google project deviates from the healthy demo project.
    pub(crate) fn google_fault(self) -> Option<GoogleFault> {
        match self {
            Scenario::AudienceMismatch => Some(GoogleFault::AudienceMismatch),
            Scenario::IssuerMismatch => Some(GoogleFault::IssuerMismatch),
            Scenario::DisabledPool => Some(GoogleFault::DisabledPool),
            Scenario::ProjectIdAudience => Some(GoogleFault::ProjectIdInSettings),
            Scenario::AttributeCondition => Some(GoogleFault::AttributeCondition),
            Scenario::MissingVertexBinding => Some(GoogleFault::MissingVertexBinding),
            Scenario::MissingWorkloadIdentityUser => Some(GoogleFault::MissingWorkloadIdentityUser),
            Scenario::VertexDisabled => Some(GoogleFault::VertexDisabled),
            _ => None,
        }
    }

    /// Whether the client is meant to impersonate the service account in this
    /// scenario (otherwise it uses the federated token directly).
    pub fn expects_impersonation(self) -> bool {
        matches!(self, Scenario::MissingWorkloadIdentityUser)
    }
}

/// Misconfiguration of the simulated Google project (or of the settings the
/// simulator suggests to the client).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GoogleFault {
    AudienceMismatch,
    IssuerMismatch,
    DisabledPool,
    /// The project itself is fine; only the suggested settings are wrong.
    ProjectIdInSettings,
    AttributeCondition,
    MissingVertexBinding,
    MissingWorkloadIdentityUser,
    VertexDisabled,
}

/// Misbehaviour of the identity endpoints (applied before any validation, so
/// "always" really means always).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IdentityFault {
    ServerError,
    Html,
    Hang,
    Huge,
}

/// Adjustments to freshly minted Azure tokens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TokenTweaks {
    /// Added to "now" to obtain `iat`/`nbf` (negative = issued in the past).
    pub iat_offset_secs: i64,
    /// Sign with the key that is not published in the JWKS.
    pub rogue_key: bool,
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Error for an unknown scenario name; its message lists the valid names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseScenarioError(pub String);

impl fmt::Display for ParseScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = SCENARIOS.iter().map(|(_, n, _)| *n).collect();
        write!(
            f,
            "unknown scenario '{}' (expected one of: {})",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for ParseScenarioError {}

impl FromStr for Scenario {
    type Err = ParseScenarioError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        SCENARIOS
            .iter()
            .find(|(_, n, _)| n.eq_ignore_ascii_case(wanted))
            .map(|(v, _, _)| *v)
            .ok_or_else(|| ParseScenarioError(s.to_string()))
    }
}
