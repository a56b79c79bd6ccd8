//! Calls to Google: the STS token exchange, service-account impersonation, the free
//! permission probe and a free Vertex AI call. Each returns typed success or the raw
//! status and body; explaining failures is the diagnosis engine's job.

mod calls;
mod oidc;

pub use calls::{
    CountTokens, SaToken, StsRequest, StsToken, count_tokens, generate_access_token, sts_exchange,
    sts_form, test_iam_permissions, vertex_url,
};
pub use oidc::{Discovery, OidcError, discover, fetch_jwks, verify_signature};

use crate::http::Failure;
use crate::i18n::Text;
use crate::msg;

/// Why a Google call failed.
#[derive(Debug, Clone)]
pub enum CallError {
    /// No HTTP answer at all.
    Transport(Failure),
    /// An HTTP error status, with the (bounded, secret-scrubbed) body.
    Status { status: u16, body: String },
    /// 200 with a body we could not use.
    Malformed(Text),
    /// A setting cannot form the request (it names the setting); nothing was sent.
    Setting(Text),
}

impl CallError {
    /// What went wrong, as text for a finding.
    pub fn text(&self) -> Text {
        match self {
            CallError::Transport(t) => Text::value(t.to_string()),
            CallError::Status { status, body } => msg!(
                "google.call.status",
                status = *status,
                body = crate::http::excerpt(body.as_bytes(), 300)
            )
            .into(),
            CallError::Malformed(m) => msg!("google.call.malformed", why = m).into(),
            CallError::Setting(m) => msg!("google.call.setting", why = m).into(),
        }
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.text().fmt(f)
    }
}
