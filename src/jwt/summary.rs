//! A printable / JSON-serialisable summary of a decoded token, with explanatory notes.

use super::{
    AzureCloud, DecodedJwt, IssuerKind, JwtError, TokenVersion, decode, format_utc, relative,
    sha256_hex,
};
use crate::i18n::{Msg, Text};
use crate::msg;
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
    pub notes: Vec<Text>,
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
    /// `in 23 h 58 m` / `2 h 3 m ago` (in the process language in `--json`)
    pub relative: Text,
}

impl TimeInfo {
    pub fn new(epoch: i64, now: i64) -> Self {
        TimeInfo {
            epoch,
            utc: format_utc(epoch),
            relative: relative(epoch, now).text(),
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

fn notes(jwt: &DecodedJwt, now: i64) -> Vec<Text> {
    // First: what makes the token unacceptable, as token.claims says it.
    let mut notes = jwt.header_problems();
    let mut note = |m: Msg| notes.push(Text::from(m));

    // Identity.
    if let (Some(sub), Some(client_id)) = (jwt.sub(), jwt.client_id())
        && sub != client_id
    {
        note(msg!("claims.note.sub_not_client_id", client_id = client_id));
    }
    if let (Some(sub), Some(oid)) = (jwt.sub(), jwt.oid())
        && sub != oid
    {
        note(msg!("claims.note.sub_not_oid", sub = sub, oid = oid));
    }
    if jwt.idtyp() == Some("user") {
        note(msg!("claims.note.idtyp_user"));
    }

    // Version and issuer.
    let kind = jwt.issuer_kind();
    match jwt.version() {
        TokenVersion::V1 => note(msg!("claims.note.v1")),
        TokenVersion::V2 => note(msg!("claims.note.v2")),
        TokenVersion::Unknown => note(msg!("claims.note.version_unknown")),
    }
    if let (Some(ver), IssuerKind::Entra { version, .. }) = (jwt.ver(), &kind) {
        let claimed = match ver.trim() {
            "1.0" | "1" => Some(TokenVersion::V1),
            "2.0" | "2" => Some(TokenVersion::V2),
            _ => None,
        };
        if claimed.is_some_and(|c| c != *version) {
            note(msg!(
                "claims.note.ver_mismatch",
                ver = ver,
                version = version.to_string(),
                iss = jwt.iss().unwrap_or_default()
            ));
        }
    }
    match &kind {
        IssuerKind::Entra { cloud, .. } => match cloud {
            AzureCloud::Public | AzureCloud::PublicOrUsGovernment => {}
            AzureCloud::Germany => note(msg!("claims.note.cloud_closed", cloud = cloud.text())),
            other => note(msg!("claims.note.cloud_sovereign", cloud = other.text())),
        },
        IssuerKind::Other => match jwt.iss() {
            Some(iss) => note(msg!("claims.note.iss_not_entra", iss = iss)),
            None => note(msg!("claims.note.no_iss")),
        },
    }
    if let (IssuerKind::Entra { tenant, .. }, Some(tid)) = (&kind, jwt.tid())
        && !tenant.eq_ignore_ascii_case(tid)
    {
        note(msg!(
            "claims.note.tenant_mismatch",
            tenant = tenant,
            tid = tid
        ));
    }

    // Audience.
    let aud = jwt.aud();
    if aud.len() > 1 {
        note(msg!(
            "claims.note.aud_many",
            count = aud.len(),
            aud = aud.join(", ")
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
            note(msg!("claims.note.aud_arm", aud = a));
        } else if lower == "https://graph.microsoft.com" || lower == GRAPH_APP_ID {
            note(msg!("claims.note.aud_graph", aud = a));
        } else if lower == TOKEN_EXCHANGE_APP_ID || lower == "api://azureadtokenexchange" {
            note(msg!("claims.note.aud_token_exchange", aud = a));
        }
    }

    // Times.
    if let Some(exp) = jwt.exp() {
        if exp <= now {
            note(msg!(
                "claims.note.expired",
                when = relative(exp, now),
                at = format_utc(exp)
            ));
        }
    } else {
        note(msg!("claims.note.no_exp"));
    }
    if let Some(nbf) = jwt.nbf()
        && nbf > now.saturating_add(300)
    {
        note(msg!("claims.note.nbf_future", when = relative(nbf, now)));
    }
    if let Some(iat) = jwt.iat()
        && iat > now.saturating_add(300)
    {
        note(msg!("claims.note.iat_future", when = relative(iat, now)));
    }
    notes
}
