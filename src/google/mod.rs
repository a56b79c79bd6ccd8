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

/// Why a Google call failed.
#[derive(Debug, Clone)]
pub enum CallError {
    /// No HTTP answer at all.
    Transport(Failure),
    /// An HTTP error status, with the (bounded, secret-scrubbed) body.
    Status { status: u16, body: String },
    /// 200 with a body we could not use.
    Malformed(String),
    /// A setting cannot form the request (it names the setting); nothing was sent.
    Setting(String),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Transport(t) => write!(f, "{t}"),
            CallError::Status { status, body } => write!(
                f,
                "HTTP {status}: {}",
                crate::http::excerpt(body.as_bytes(), 300)
            ),
            CallError::Malformed(m) => write!(f, "unexpected answer: {m}"),
            CallError::Setting(m) => write!(f, "no request was made: {m}"),
        }
    }
}
