//! Local JWT decoding for Azure managed-identity access tokens.
//!
//! Nothing here verifies a signature or talks to the network: the token never leaves the
//! machine. The goal is to show what a token says (issuer, audience, subject, times) so the
//! Google side can be configured from exact values, and to explain the common surprises.
//!
//! Error messages are a single line and never echo the token or large parts of it.

mod summary;
mod timefmt;

pub use summary::{
    HeaderSummary, IdentitySummary, TimeInfo, TimesSummary, TokenSummary, summarize,
};
pub use timefmt::{Relative, format_relative, format_utc, relative};

use crate::i18n::Text;
use crate::msg;
use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Serialize;
use serde_json::{Map, Value};
use std::fmt;

/// Largest input accepted by [`decode`]. Azure access tokens are a few KiB.
pub const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// Why a string could not be decoded as a JWT. Every message is one line, says what to do,
/// and never contains the token; the words are in `assets/i18n/claims.toml`
/// (`claims.decode.*`), see [`JwtError::message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwtError {
    Empty,
    TooLarge {
        len: usize,
    },
    SegmentCount {
        found: usize,
    },
    TwoSegments,
    Encrypted,
    EmptySegment {
        segment: Segment,
    },
    Base64 {
        segment: Segment,
        offset: usize,
        hint: Base64Hint,
    },
    Base64Length {
        segment: Segment,
        len: usize,
    },
    /// `detail`: where the JSON broke ([`JsonProblem`]).
    Json {
        segment: Segment,
        detail: JsonProblem,
    },
    NotObject {
        segment: Segment,
        found: &'static str,
    },
}

/// Where a segment's JSON broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonProblem {
    EndsEarly,
    Syntax { column: usize },
}

impl JsonProblem {
    pub fn text(self) -> Text {
        match self {
            JsonProblem::EndsEarly => msg!("claims.decode.json_ends_early").into(),
            JsonProblem::Syntax { column } => {
                msg!("claims.decode.json_syntax", column = column).into()
            }
        }
    }
}

impl JwtError {
    /// What went wrong and what to do, starting "not a JWT: ".
    pub fn message(&self) -> Text {
        let m = match self {
            JwtError::Empty => msg!("claims.decode.empty"),
            JwtError::TooLarge { len } => {
                msg!("claims.decode.too_large", len = *len, max = MAX_TOKEN_BYTES)
            }
            JwtError::SegmentCount { found } => {
                msg!("claims.decode.segment_count", found = *found)
            }
            JwtError::TwoSegments => msg!("claims.decode.two_segments"),
            JwtError::Encrypted => msg!("claims.decode.encrypted"),
            JwtError::EmptySegment { segment } => {
                msg!("claims.decode.empty_segment", segment = segment.text())
            }
            JwtError::Base64 {
                segment,
                offset,
                hint,
            } => msg!(
                "claims.decode.base64",
                segment = segment.text(),
                offset = *offset,
                hint = hint.text()
            ),
            JwtError::Base64Length { segment, len } => msg!(
                "claims.decode.base64_length",
                segment = segment.text(),
                len = *len
            ),
            JwtError::Json { segment, detail } => msg!(
                "claims.decode.json",
                segment = segment.text(),
                detail = detail.text()
            ),
            JwtError::NotObject { segment, found } => msg!(
                "claims.decode.not_object",
                segment = segment.text(),
                found = msg!(format!("claims.decode.found.{found}"))
            ),
        };
        msg!("claims.decode.not_a_jwt", why = m).into()
    }
}

/// In the process language (faces only; the engine passes [`JwtError::message`] on).
impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message().fmt(f)
    }
}

impl std::error::Error for JwtError {}

/// Which part of the token an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    Header,
    Payload,
    Signature,
}

impl Segment {
    pub fn id(self) -> &'static str {
        match self {
            Segment::Header => "header",
            Segment::Payload => "payload",
            Segment::Signature => "signature",
        }
    }

    /// The segment's name in words (`header` / `ヘッダー`).
    pub fn text(self) -> Text {
        msg!(format!("claims.segment.{}", self.id())).into()
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Extra explanation for a bad base64url character (never the character itself unless it is
/// one of a few harmless, non-alphabet symbols).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base64Hint {
    None,
    /// `+` or `/`: standard base64 rather than base64url.
    StandardAlphabet,
    /// Whitespace or a line break inside the token.
    Whitespace,
    /// `=` somewhere other than the end.
    MisplacedPadding,
    /// A quote, e.g. the token was copied together with its JSON quotes.
    Quote,
    /// A byte outside ASCII.
    NonAscii,
}

impl Base64Hint {
    /// Appended to "byte N": empty for [`Base64Hint::None`].
    pub fn text(self) -> Text {
        let key = match self {
            Base64Hint::None => return Text::new(),
            Base64Hint::StandardAlphabet => "claims.decode.hint.standard_alphabet",
            Base64Hint::Whitespace => "claims.decode.hint.whitespace",
            Base64Hint::MisplacedPadding => "claims.decode.hint.misplaced_padding",
            Base64Hint::Quote => "claims.decode.hint.quote",
            Base64Hint::NonAscii => "claims.decode.hint.non_ascii",
        };
        msg!(key).into()
    }
}

impl fmt::Display for Base64Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.text().fmt(f)
    }
}

/// A decoded (not verified) JWT.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedJwt {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
}

/// Azure access-token format version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenVersion {
    V1,
    V2,
    Unknown,
}

impl fmt::Display for TokenVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenVersion::V1 => "v1.0",
            TokenVersion::V2 => "v2.0",
            TokenVersion::Unknown => "unknown",
        })
    }
}

/// The Azure cloud an issuer belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AzureCloud {
    /// Azure public cloud (v2 issuer `login.microsoftonline.com`).
    Public,
    /// v1 issuer `sts.windows.net`, which public and US Government clouds share.
    PublicOrUsGovernment,
    /// Azure US Government (v2 issuer `login.microsoftonline.us`).
    UsGovernment,
    /// Azure China, operated by 21Vianet.
    China,
    /// Microsoft Cloud Deutschland (closed in October 2021).
    Germany,
}

impl AzureCloud {
    pub fn id(self) -> &'static str {
        match self {
            AzureCloud::Public => "public",
            AzureCloud::PublicOrUsGovernment => "public_or_us_government",
            AzureCloud::UsGovernment => "us_government",
            AzureCloud::China => "china",
            AzureCloud::Germany => "germany",
        }
    }

    /// The cloud's name (`claims.cloud.*`).
    pub fn text(self) -> Text {
        msg!(format!("claims.cloud.{}", self.id())).into()
    }
}

impl fmt::Display for AzureCloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.text().fmt(f)
    }
}

/// What an `iss` value is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IssuerKind {
    /// A Microsoft Entra ID issuer.
    Entra {
        cloud: AzureCloud,
        version: TokenVersion,
        tenant: String,
    },
    /// Anything else (including a missing `iss`).
    Other,
}

impl IssuerKind {
    /// `Microsoft Entra ID v1.0 issuer, Azure public cloud`, or that it is none.
    pub fn text(&self) -> Text {
        match self {
            IssuerKind::Entra { cloud, version, .. } => msg!(
                "claims.issuer_kind.entra",
                version = version.to_string(),
                cloud = cloud.text()
            )
            .into(),
            IssuerKind::Other => msg!("claims.issuer_kind.other").into(),
        }
    }
}

impl fmt::Display for IssuerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.text().fmt(f)
    }
}

const V1_HOSTS: &[(&str, AzureCloud)] = &[
    ("sts.windows.net", AzureCloud::PublicOrUsGovernment),
    ("sts.chinacloudapi.cn", AzureCloud::China),
    ("sts.microsoftonline.de", AzureCloud::Germany),
];

const V2_HOSTS: &[(&str, AzureCloud)] = &[
    ("login.microsoftonline.com", AzureCloud::Public),
    ("login.microsoftonline.us", AzureCloud::UsGovernment),
    ("login.partner.microsoftonline.cn", AzureCloud::China),
    ("login.chinacloudapi.cn", AzureCloud::China),
    ("login.microsoftonline.de", AzureCloud::Germany),
];

/// Classifies an issuer URL: v1 `https://sts.windows.net/<tid>/`, v2
/// `https://login.microsoftonline.com/<tid>/v2.0`, and their sovereign-cloud equivalents.
/// A missing trailing slash on v1 (or an extra one on v2) is tolerated.
pub fn classify_issuer(iss: &str) -> IssuerKind {
    let Some(rest) = iss.strip_prefix("https://") else {
        return IssuerKind::Other;
    };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.to_ascii_lowercase();
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let tenant_ok = |t: &str| {
        !t.is_empty()
            && t.len() <= 64
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    };
    if let Some((_, cloud)) = V1_HOSTS.iter().find(|(h, _)| *h == host)
        && let [tenant] = parts.as_slice()
        && tenant_ok(tenant)
    {
        return IssuerKind::Entra {
            cloud: *cloud,
            version: TokenVersion::V1,
            tenant: (*tenant).to_string(),
        };
    }
    if let Some((_, cloud)) = V2_HOSTS.iter().find(|(h, _)| *h == host)
        && let [tenant, "v2.0"] = parts.as_slice()
        && tenant_ok(tenant)
    {
        return IssuerKind::Entra {
            cloud: *cloud,
            version: TokenVersion::V2,
            tenant: (*tenant).to_string(),
        };
    }
    IssuerKind::Other
}

/// The token text [`decode`] works on: surrounding whitespace, a leading `Bearer ` and
/// surrounding double quotes removed.
pub fn normalize(input: &str) -> &str {
    let mut s = input.trim();
    if s.eq_ignore_ascii_case("bearer") {
        return "";
    }
    if s.len() >= 7 && s.is_char_boundary(7) && s[..7].eq_ignore_ascii_case("bearer ") {
        s = s[7..].trim_start();
    }
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        s = s[1..s.len() - 1].trim();
    }
    s
}

/// SHA-256 (lower-case hex) of the token, after the same [`normalize`] step [`decode`] applies,
/// so a token can be identified in logs and reports without revealing it.
pub fn sha256_hex(token: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, normalize(token).as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest.as_ref() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

fn is_b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Decodes one base64url segment; tolerates trailing `=` padding.
fn decode_segment(seg: &str, which: Segment) -> Result<Vec<u8>, JwtError> {
    let bytes = seg.as_bytes();
    let body_len = bytes.len() - bytes.iter().rev().take_while(|b| **b == b'=').count();
    if let Some(offset) = bytes[..body_len].iter().position(|b| !is_b64url(*b)) {
        let hint = match bytes[offset] {
            b'+' | b'/' => Base64Hint::StandardAlphabet,
            b' ' | b'\t' | b'\r' | b'\n' => Base64Hint::Whitespace,
            b'=' => Base64Hint::MisplacedPadding,
            b'"' | b'\'' => Base64Hint::Quote,
            b if !b.is_ascii() => Base64Hint::NonAscii,
            _ => Base64Hint::None,
        };
        return Err(JwtError::Base64 {
            segment: which,
            offset,
            hint,
        });
    }
    if body_len == 0 {
        return Err(JwtError::EmptySegment { segment: which });
    }
    if body_len % 4 == 1 {
        return Err(JwtError::Base64Length {
            segment: which,
            len: body_len,
        });
    }
    B64.decode(&bytes[..body_len])
        .map_err(|e| JwtError::Base64 {
            segment: which,
            offset: match e {
                base64::DecodeError::InvalidByte(o, _) => o,
                base64::DecodeError::InvalidLastSymbol(o, _) => o,
                _ => body_len.saturating_sub(1),
            },
            hint: Base64Hint::None,
        })
}

fn json_object(bytes: &[u8], which: Segment) -> Result<Map<String, Value>, JwtError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| JwtError::Json {
        segment: which,
        detail: match e.classify() {
            serde_json::error::Category::Eof => JsonProblem::EndsEarly,
            _ => JsonProblem::Syntax { column: e.column() },
        },
    })?;
    match value {
        Value::Object(map) => Ok(map),
        other => Err(JwtError::NotObject {
            segment: which,
            found: match other {
                Value::Null => "null",
                Value::Bool(_) => "boolean",
                Value::Number(_) => "number",
                Value::String(_) => "string",
                Value::Array(_) => "array",
                Value::Object(_) => unreachable!(),
            },
        }),
    }
}

/// Decodes a JWT without verifying it.
///
/// Accepts surrounding whitespace, a leading `Bearer ` and surrounding double quotes.
/// Rejects inputs over [`MAX_TOKEN_BYTES`] before looking at them further.
pub fn decode(input: &str) -> Result<DecodedJwt, JwtError> {
    if input.len() > MAX_TOKEN_BYTES {
        // Big inputs may be mostly whitespace (a pasted file); only the trimmed size counts,
        // and trimming stops at the first non-space byte, so this stays cheap.
        let trimmed = normalize(input);
        if trimmed.len() > MAX_TOKEN_BYTES {
            return Err(JwtError::TooLarge { len: trimmed.len() });
        }
    }
    let token = normalize(input);
    if token.is_empty() {
        return Err(JwtError::Empty);
    }
    let segments: Vec<&str> = token.split('.').collect();
    let (header, payload, signature) = match segments.as_slice() {
        [h, p, s] => (*h, *p, *s),
        [_, _] => return Err(JwtError::TwoSegments),
        [_, _, _, _, _] => return Err(JwtError::Encrypted),
        other => return Err(JwtError::SegmentCount { found: other.len() }),
    };
    let header = json_object(&decode_segment(header, Segment::Header)?, Segment::Header)?;
    let claims = json_object(
        &decode_segment(payload, Segment::Payload)?,
        Segment::Payload,
    )?;
    // An empty signature (unsecured JWT) is allowed: the content is still readable.
    if !signature.is_empty() {
        decode_segment(signature, Segment::Signature)?;
    }
    Ok(DecodedJwt { header, claims })
}

fn as_str<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str)
}

/// A time claim: a JSON number (integer or float, truncated) or a numeric string.
fn as_epoch(map: &Map<String, Value>, key: &str) -> Option<i64> {
    match map.get(key)? {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && f.abs() < 1e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => {
            let s = s.trim();
            s.parse::<i64>().ok().or_else(|| {
                s.parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite() && f.abs() < 1e15)
                    .map(|f| f as i64)
            })
        }
        _ => None,
    }
}

impl DecodedJwt {
    pub fn alg(&self) -> Option<&str> {
        as_str(&self.header, "alg")
    }

    /// Header facts that make the token unacceptable, in words shared by `decode` and
    /// `check` (token.claims): an unsigned token (`alg: none`), an algorithm STS does not
    /// accept, and `crit` extensions (RFC 7515 §4.1.11: a verifier that does not
    /// understand them must reject the token).
    pub fn header_problems(&self) -> Vec<Text> {
        let mut out = Vec::new();
        match self.alg() {
            Some("RS256") | Some("ES256") => {}
            Some(a) if a.eq_ignore_ascii_case("none") => {
                out.push(msg!("claims.header.alg_none", alg = format!("{a:?}")).into())
            }
            Some(a) => {
                out.push(msg!("claims.header.alg_unsupported", alg = format!("{a:?}")).into())
            }
            None => out.push(msg!("claims.header.alg_missing").into()),
        }
        if let Some(crit) = self.header.get("crit") {
            let names = match crit {
                Value::Array(a) => a
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(|s| format!("{s:?}"))
                            .unwrap_or_else(|| v.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            out.push(msg!("claims.header.crit", names = names).into());
        }
        out
    }
    pub fn kid(&self) -> Option<&str> {
        as_str(&self.header, "kid")
    }
    pub fn x5t(&self) -> Option<&str> {
        as_str(&self.header, "x5t")
    }
    pub fn typ(&self) -> Option<&str> {
        as_str(&self.header, "typ")
    }
    pub fn iss(&self) -> Option<&str> {
        as_str(&self.claims, "iss")
    }
    /// `aud` as a list, whether the claim is a string or an array of strings.
    pub fn aud(&self) -> Vec<String> {
        match self.claims.get("aud") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    }
    pub fn sub(&self) -> Option<&str> {
        as_str(&self.claims, "sub")
    }
    pub fn oid(&self) -> Option<&str> {
        as_str(&self.claims, "oid")
    }
    pub fn tid(&self) -> Option<&str> {
        as_str(&self.claims, "tid")
    }
    /// The caller's client (application) ID: `appid` in v1 tokens, `azp` in v2 tokens.
    pub fn client_id(&self) -> Option<&str> {
        as_str(&self.claims, "appid").or_else(|| as_str(&self.claims, "azp"))
    }
    /// Name of the claim [`client_id`](Self::client_id) came from (`appid` or `azp`).
    pub fn client_id_claim(&self) -> Option<&'static str> {
        if as_str(&self.claims, "appid").is_some() {
            Some("appid")
        } else if as_str(&self.claims, "azp").is_some() {
            Some("azp")
        } else {
            None
        }
    }
    /// `xms_mirid`: the Azure resource ID behind the managed identity.
    pub fn mirid(&self) -> Option<&str> {
        as_str(&self.claims, "xms_mirid")
    }
    /// `idtyp` (`app` for managed identities, `user` for delegated tokens).
    pub fn idtyp(&self) -> Option<&str> {
        as_str(&self.claims, "idtyp")
    }
    /// The `ver` claim as written.
    pub fn ver(&self) -> Option<&str> {
        as_str(&self.claims, "ver")
    }
    pub fn iat(&self) -> Option<i64> {
        as_epoch(&self.claims, "iat")
    }
    pub fn nbf(&self) -> Option<i64> {
        as_epoch(&self.claims, "nbf")
    }
    pub fn exp(&self) -> Option<i64> {
        as_epoch(&self.claims, "exp")
    }
    /// Token version from `ver` (`1.0`/`2.0`), else from the issuer's shape.
    pub fn version(&self) -> TokenVersion {
        match self.ver().map(str::trim) {
            Some("1.0") | Some("1") => TokenVersion::V1,
            Some("2.0") | Some("2") => TokenVersion::V2,
            _ => match self.issuer_kind() {
                IssuerKind::Entra { version, .. } => version,
                IssuerKind::Other => TokenVersion::Unknown,
            },
        }
    }
    /// Which Entra issuer (and cloud) `iss` names.
    pub fn issuer_kind(&self) -> IssuerKind {
        self.iss().map(classify_issuer).unwrap_or(IssuerKind::Other)
    }
}

#[cfg(test)]
mod tests;
