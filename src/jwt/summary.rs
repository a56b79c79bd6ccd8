//! A printable / JSON-serialisable summary of a decoded token, with explanatory notes.

use super::{
    AzureCloud, DecodedJwt, IssuerKind, JwtError, TokenVersion, decode, format_utc, relative,
    sha256_hex,
};
use serde::Serialize;
use serde_json::{Map, Value};

/// Azure Resource Manager's first-party application ID.
const ARM_APP_ID: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";
/// Microsoft Graph's first-party application ID.
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
/// `api://AzureADTokenExchange`'s application ID.
const TOKEN_EXCHANGE_APP_ID: &str = "fb60f99c-7a34-4190-8149-302f77469936";

/// What the CLI prints (or emits as JSON) for a token.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenSummary {
    /// SHA-256 of the token text, to identify it without revealing it (set by [`summarize`]).
    pub sha256: Option<String>,
    pub header: HeaderSummary,
    pub version: TokenVersion,
    pub issuer: Option<String>,
    pub issuer_kind: IssuerKind,
    pub audience: Vec<String>,
    pub identity: IdentitySummary,
    pub times: TimesSummary,
    /// Every claim, as decoded.
    pub claims: Map<String, Value>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderSummary {
    pub alg: Option<String>,
    pub kid: Option<String>,
    pub x5t: Option<String>,
    pub typ: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdentitySummary {
    /// Managed identity's object (principal) ID for app-only tokens.
    pub sub: Option<String>,
    pub oid: Option<String>,
    pub tid: Option<String>,
    /// `appid` (v1) or `azp` (v2): the managed identity's client ID.
    pub client_id: Option<String>,
    /// `xms_mirid`: the Azure resource ID behind the identity.
    pub mirid: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimesSummary {
    pub iat: Option<TimeInfo>,
    pub nbf: Option<TimeInfo>,
    pub exp: Option<TimeInfo>,
    /// `Some(true)` when `exp` is at or before "now"; `None` without `exp`.
    pub expired: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeInfo {
    pub epoch: i64,
    /// `2026-11-28 11:00:00 UTC`
    pub utc: String,
    /// `in 23 h 58 m` / `2 h 3 m ago`
    pub relative: String,
}

impl TimeInfo {
    pub fn new(epoch: i64, now: i64) -> Self {
        TimeInfo {
            epoch,
            utc: format_utc(epoch),
            relative: relative(epoch, now).to_string(),
        }
    }
}

/// Decodes `input` and summarises it, including the token's SHA-256.
pub fn summarize(input: &str, now: i64) -> Result<TokenSummary, JwtError> {
    let jwt = decode(input)?;
    let mut summary = TokenSummary::new(&jwt, now);
    summary.sha256 = Some(sha256_hex(input));
    Ok(summary)
}

fn owned(s: Option<&str>) -> Option<String> {
    s.map(str::to_string)
}

impl TokenSummary {
    /// Summarises a decoded token; `now` is the current Unix time. `sha256` is left `None`.
    pub fn new(jwt: &DecodedJwt, now: i64) -> Self {
        let exp = jwt.exp();
        let mut summary = TokenSummary {
            sha256: None,
            header: HeaderSummary {
                alg: owned(jwt.alg()),
                kid: owned(jwt.kid()),
                x5t: owned(jwt.x5t()),
                typ: owned(jwt.typ()),
            },
            version: jwt.version(),
            issuer: owned(jwt.iss()),
            issuer_kind: jwt.issuer_kind(),
            audience: jwt.aud(),
            identity: IdentitySummary {
                sub: owned(jwt.sub()),
                oid: owned(jwt.oid()),
                tid: owned(jwt.tid()),
                client_id: owned(jwt.client_id()),
                mirid: owned(jwt.mirid()),
            },
            times: TimesSummary {
                iat: jwt.iat().map(|t| TimeInfo::new(t, now)),
                nbf: jwt.nbf().map(|t| TimeInfo::new(t, now)),
                exp: exp.map(|t| TimeInfo::new(t, now)),
                expired: exp.map(|t| t <= now),
            },
            claims: jwt.claims.clone(),
            notes: Vec::new(),
        };
        summary.notes = notes(jwt, now);
        summary
    }
}

fn notes(jwt: &DecodedJwt, now: i64) -> Vec<String> {
    // First: what makes the token unacceptable, as token.claims says it.
    let mut notes = jwt.header_problems();

    // Identity.
    if let (Some(sub), Some(client_id)) = (jwt.sub(), jwt.client_id())
        && sub != client_id
    {
        notes.push(format!(
            "`sub` is the managed identity's object (principal) ID, not its client ID (appid/azp = {client_id})"
        ));
    }
    if let (Some(sub), Some(oid)) = (jwt.sub(), jwt.oid())
        && sub != oid
    {
        notes.push(
            "`sub` differs from `oid`: this is not an app-only managed-identity token (delegated user tokens carry a per-application `sub`); bind Google on a value that is stable for the identity"
                .to_string(),
        );
    }
    if jwt.idtyp() == Some("user") {
        notes.push(
            "`idtyp` is `user`: this is a delegated user token (e.g. Cloud Shell), not a managed identity's token"
                .to_string(),
        );
    }

    // Version and issuer.
    let kind = jwt.issuer_kind();
    match jwt.version() {
        TokenVersion::V1 => notes.push(
            "v1.0 token (iss `https://sts.windows.net/<tid>/`, aud = the resource string exactly as requested): the audience's app registration leaves accessTokenAcceptedVersion unset or 1 (Graph: api.requestedAccessTokenVersion); the token endpoint does not choose the version"
                .to_string(),
        ),
        TokenVersion::V2 => notes.push(
            "v2.0 token (iss `https://login.microsoftonline.com/<tid>/v2.0`, aud = the app's client ID): the audience's app registration sets accessTokenAcceptedVersion = 2 (Graph: api.requestedAccessTokenVersion=2); the token endpoint does not choose the version"
                .to_string(),
        ),
        TokenVersion::Unknown => notes.push(
            "token version unknown: no `ver` claim and the issuer is not a Microsoft Entra ID issuer".to_string(),
        ),
    }
    if let (Some(ver), IssuerKind::Entra { version, .. }) = (jwt.ver(), &kind) {
        let claimed = match ver.trim() {
            "1.0" | "1" => Some(TokenVersion::V1),
            "2.0" | "2" => Some(TokenVersion::V2),
            _ => None,
        };
        if claimed.is_some_and(|c| c != *version) {
            notes.push(format!(
                "`ver` says {ver} but the issuer has the {version} shape; configure Google with the exact `iss`"
            ));
        }
    }
    match &kind {
        IssuerKind::Entra { cloud, .. } => match cloud {
            AzureCloud::Public | AzureCloud::PublicOrUsGovernment => {}
            AzureCloud::Germany => notes.push(format!(
                "issuer belongs to {cloud}; that cloud no longer issues tokens"
            )),
            other => notes.push(format!("issuer belongs to {other} (a sovereign cloud)")),
        },
        IssuerKind::Other => {
            if jwt.iss().is_some() {
                notes.push(
                    "`iss` is not a Microsoft Entra ID issuer: this does not look like an Azure managed-identity token"
                        .to_string(),
                );
            } else {
                notes.push("the token has no `iss` claim; Google cannot federate it".to_string());
            }
        }
    }
    if let (IssuerKind::Entra { tenant, .. }, Some(tid)) = (&kind, jwt.tid())
        && !tenant.eq_ignore_ascii_case(tid)
    {
        notes.push(format!(
            "the issuer's tenant ({tenant}) differs from `tid` ({tid})"
        ));
    }

    // Audience.
    let aud = jwt.aud();
    if aud.len() > 1 {
        notes.push(format!(
            "`aud` has {} values; Google's provider needs one of them in allowed audiences",
            aud.len()
        ));
    }
    for a in &aud {
        let lower = a.trim_end_matches('/').to_ascii_lowercase();
        if lower.starts_with("https://management.")
            && (lower.ends_with(".azure.com")
                || lower.ends_with("usgovcloudapi.net")
                || lower.ends_with("chinacloudapi.cn"))
            || lower == ARM_APP_ID
        {
            notes.push(
                "`aud` is Azure Resource Manager: this token is a live Azure control-plane credential; federating it works but a dedicated Entra app (api://<app-id>) as the audience is safer"
                    .to_string(),
            );
        } else if lower == "https://graph.microsoft.com" || lower == GRAPH_APP_ID {
            notes.push(
                "`aud` is Microsoft Graph: Graph tokens cannot be verified by third parties, so Google will reject it; request a token for your own app registration"
                    .to_string(),
            );
        } else if lower == TOKEN_EXCHANGE_APP_ID || lower == "api://azureadtokenexchange" {
            notes.push(
                "`aud` is api://AzureADTokenExchange, meant for Entra federated credentials; a dedicated Entra app as the audience is safer for Google"
                    .to_string(),
            );
        }
    }

    // Times.
    if let Some(exp) = jwt.exp() {
        if exp <= now {
            notes.push(format!(
                "the token expired {}; fetch a new one",
                relative(exp, now)
            ));
        }
    } else {
        notes.push("the token has no `exp` claim".to_string());
    }
    if let Some(nbf) = jwt.nbf()
        && nbf > now.saturating_add(300)
    {
        notes.push(format!(
            "the token is not valid yet (nbf {}): is this machine's clock behind?",
            relative(nbf, now)
        ));
    }
    if let Some(iat) = jwt.iat()
        && iat > now.saturating_add(300)
    {
        notes.push(format!(
            "the token was issued {} by this machine's clock: is the clock behind?",
            relative(iat, now)
        ));
    }
    notes
}
