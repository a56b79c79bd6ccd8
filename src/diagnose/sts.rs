//! Explains Google STS token-exchange failures from the structured catalogue
//! `assets/i18n/sts.toml`: match rules plus, per entry, `summary`/`cause`/`fix` templates in
//! English and Japanese. Code computes the values and the analyses (nested messages); the
//! catalogue holds every word.

use super::google_api::{GoogleError, parse_google_error};
use super::render::capture;
use super::text::{audience_issues, cel_arg, snippet, sq, visible};
use super::{Context, Explanation};
use crate::gcp::{self, shell_quote};
use crate::i18n::{Arg, Msg, Piece, Text};
use crate::jwt::{self, IssuerKind, TokenVersion, format_utc, relative};
use crate::msg;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Which response bodies an entry applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Shape {
    /// `{"error": "...", "error_description": "..."}` (RFC 6749 §5.2)
    #[default]
    Oauth,
    /// `{"error": {"code", "message", "status", "details"}}`
    Google,
    /// Not JSON (HTML, text, empty).
    Raw,
    /// Any body.
    Any,
    /// Never matched; used by id as the fallback.
    None,
}

/// One text of an entry in both languages (rendered through its catalogue key).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Texts {
    pub en: String,
    /// Checked by the tests (same placeholders as `en`); rendering uses the catalogue key.
    #[cfg_attr(not(test), allow(dead_code))]
    pub ja: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Entry {
    pub id: String,
    #[serde(default)]
    pub http_status: Option<u16>,
    #[serde(default)]
    pub http_status_max: Option<u16>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub description_prefix: Option<String>,
    #[serde(default)]
    pub shape: Shape,
    /// `ErrorInfo.reason` for Google-shaped bodies.
    #[serde(default)]
    pub reason: Option<String>,
    /// `ErrorInfo.domain` for Google-shaped bodies.
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub captures: Vec<String>,
    pub summary: Texts,
    pub cause: Texts,
    pub fix: Texts,
    pub retryable: bool,
}

#[derive(Deserialize)]
struct Catalogue {
    entries: Vec<Entry>,
}

pub(crate) fn entries() -> &'static [Entry] {
    static CAT: OnceLock<Vec<Entry>> = OnceLock::new();
    CAT.get_or_init(|| {
        toml::from_str::<Catalogue>(crate::i18n::source("sts"))
            .expect("assets/i18n/sts.toml is valid (checked by tests)")
            .entries
    })
}

/// The ids in the STS catalogue, in matching order.
pub fn catalogue_ids() -> Vec<&'static str> {
    entries().iter().map(|e| e.id.as_str()).collect()
}

/// Template arguments by placeholder name.
pub(crate) type Vars = BTreeMap<&'static str, Arg>;

fn val(s: impl Into<String>) -> Arg {
    Arg::Value(s.into())
}

fn txt(t: impl Into<Text>) -> Arg {
    Arg::Text(t.into())
}

/// `(none)` in the reader's language.
fn none() -> Arg {
    txt(msg!("sts.v.none"))
}

/// A sentence that continues the text before it: a space first in English.
fn after(t: impl Into<Text>) -> Text {
    let mut out = Text(vec![Piece::Space]);
    out.push(t);
    out
}

/// A sentence that the text after it continues: a space after it in English.
fn before(t: impl Into<Text>) -> Text {
    let mut out: Text = t.into();
    out.0.push(Piece::Space);
    out
}

/// Sentences joined as one paragraph.
fn sentences(parts: impl IntoIterator<Item = Msg>) -> Text {
    let mut out = Text::new();
    for p in parts {
        out.sentence(p);
    }
    out
}

/// A language-neutral template (a URL or command pattern) filled in: a value.
fn neutral(m: Msg) -> String {
    m.render(crate::i18n::Lang::En)
}

/// `5 m ago`, `in 3 h`, `now`.
fn when(epoch: i64, now: i64) -> Msg {
    let r = relative(epoch, now);
    if r.is_past() {
        msg!("sts.time.ago", mag = r.magnitude())
    } else if r.is_future() {
        msg!("sts.time.in", mag = r.magnitude())
    } else {
        msg!("sts.time.now")
    }
}
/// A parsed response body.
enum Body {
    OAuth {
        error: String,
        description: String,
    },
    Google(GoogleError),
    Raw,
    /// JSON, but neither shape.
    OtherJson,
}

fn parse_body(body: &str) -> Body {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(body.trim()) else {
        return Body::Raw;
    };
    if let Some(err) = v.get("error").and_then(|e| e.as_str()) {
        let description = v
            .get("error_description")
            .and_then(|d| d.as_str())
            .unwrap_or("")
            .to_string();
        return Body::OAuth {
            error: err.to_string(),
            description,
        };
    }
    match parse_google_error(body) {
        Some(g) => Body::Google(g),
        None => Body::OtherJson,
    }
}

fn matches(e: &Entry, status: u16, body: &Body) -> bool {
    let shape_ok = match (e.shape, body) {
        (Shape::None, _) => false,
        (Shape::Any, _) => true,
        (Shape::Oauth, Body::OAuth { .. }) => true,
        (Shape::Google, Body::Google(_)) => true,
        (Shape::Raw, Body::Raw) => true,
        _ => false,
    };
    if !shape_ok {
        return false;
    }
    if let Some(min) = e.http_status {
        let max = e.http_status_max.unwrap_or(min);
        if status < min || status > max {
            return false;
        }
    }
    let (error, description, reason, domain) = match body {
        Body::OAuth { error, description } => (error.as_str(), description.as_str(), None, None),
        Body::Google(g) => (
            g.status.as_str(),
            g.message.as_str(),
            g.reason.as_deref(),
            g.domain.as_deref(),
        ),
        _ => ("", "", None, None),
    };
    if let Some(want) = &e.domain
        && !domain.is_some_and(|d| d.eq_ignore_ascii_case(want))
    {
        return false;
    }
    if let Some(want) = &e.error
        && !want.eq_ignore_ascii_case(error.trim())
    {
        return false;
    }
    if let Some(want) = &e.reason
        && !reason.is_some_and(|r| r.eq_ignore_ascii_case(want))
    {
        return false;
    }
    if let Some(prefix) = &e.description_prefix {
        let d = description.trim().to_ascii_lowercase();
        if !d.starts_with(&prefix.trim().to_ascii_lowercase()) {
            return false;
        }
    }
    true
}

/// Explains a failed STS exchange: `status` and `body` as received. Never fails; an
/// unrecognised error gives `sts.unknown` with `error` and `error_description` verbatim.
pub fn explain_sts(status: u16, body: &str, ctx: &Context) -> Explanation {
    let parsed = parse_body(body);
    let entry = entries()
        .iter()
        .find(|e| matches(e, status, &parsed))
        .or_else(|| {
            let id = match parsed {
                Body::Raw => "sts.non_json",
                _ => "sts.unknown",
            };
            entries().iter().find(|e| e.id == id)
        })
        .expect("catalogue has sts.unknown and sts.non_json");

    let mut vars = context_vars(ctx);
    vars.insert("status", val(status.to_string()));
    let mut caps: BTreeMap<&'static str, String> = BTreeMap::new();
    let said = match &parsed {
        Body::OAuth { error, description } => {
            vars.insert("error", val(error));
            vars.insert("error_description", val(description));
            for pattern in &entry.captures {
                if let Some(found) = capture(pattern, description.trim()) {
                    for (name, value) in found {
                        if let Some(key) = capture_key(&name) {
                            caps.insert(key, value);
                        }
                    }
                    break;
                }
            }
            msg!(
                "sts.said.oauth",
                status = status,
                error = format!("{error:?}"),
                description = format!("{description:?}")
            )
        }
        Body::Google(g) => {
            google_vars(&mut vars, g, ctx);
            msg!(
                "sts.said.google",
                status = status,
                google_status = &g.status,
                message = format!("{:?}", g.message)
            )
        }
        Body::Raw | Body::OtherJson => {
            let shown = if body.trim().is_empty() {
                txt(msg!("sts.v.empty_body"))
            } else {
                val(snippet(body, 200))
            };
            vars.insert("error", none());
            vars.insert("error_description", shown.clone());
            msg!("sts.said.raw", status = status, body = shown)
        }
    };
    derived_vars(&mut vars, ctx, &caps);

    let text = |part: &str, t: &Texts| -> Text {
        let mut m = Msg::new(format!("{}.{part}", entry.id));
        for name in crate::i18n::placeholders(&t.en) {
            if let Some((k, a)) = vars.get_key_value(name.as_str()) {
                m = m.arg(*k, a.clone());
            }
        }
        inline_values(m.into())
    };
    let summary = text("summary", &entry.summary);
    let mut detail = text("cause", &entry.cause);
    if entry.id != "sts.unknown" {
        detail.line(inline_values(said.into()));
    }
    Explanation {
        id: entry.id.clone(),
        summary,
        detail,
        fix: text("fix", &entry.fix),
        retryable: entry.retryable,
    }
}

/// Values are often the server's words: they never start a line.
fn inline_values(mut t: Text) -> Text {
    t.map_values(&mut |v| {
        if let std::borrow::Cow::Owned(s) = crate::untrusted::inline(v) {
            *v = s;
        }
    });
    t
}

fn capture_key(name: &str) -> Option<&'static str> {
    [
        "error_aud",
        "error_iss",
        "error_expected_issuer",
        "error_iat",
    ]
    .into_iter()
    .find(|k| *k == name)
}

pub(crate) fn google_vars(vars: &mut Vars, g: &GoogleError, ctx: &Context) {
    vars.insert("error", val(&g.status));
    vars.insert("error_description", val(&g.message));
    vars.insert("google_status", val(&g.status));
    vars.insert("google_message", val(&g.message));
    vars.insert("reason", val(g.reason.clone().unwrap_or_default()));
    vars.insert(
        "service",
        val(g
            .service()
            .unwrap_or_else(|| "sts.googleapis.com".to_string())),
    );
    let named = g.consumer_project();
    let consumer = named
        .clone()
        .unwrap_or_else(|| ctx.gcloud_project().to_string());
    // "The error names project X, your settings say Y."
    let settings: Vec<&str> = [ctx.project_number.as_deref(), ctx.project_id.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    vars.insert(
        "consumer_note",
        txt(match &named {
            Some(n) if !settings.is_empty() && !settings.contains(&n.as_str()) => after(msg!(
                "sts.google.consumer_differs",
                consumer = n,
                settings = settings.join(" / ")
            )),
            _ => Text::new(),
        }),
    );
    vars.insert("consumer_project_q", val(shell_quote(&consumer)));
    vars.insert("consumer_project", val(consumer));
}

fn or_none(v: Option<&str>) -> Arg {
    match v {
        Some(s) if !s.is_empty() => val(s),
        _ => none(),
    }
}

/// Values from the context alone.
pub(crate) fn context_vars(ctx: &Context) -> Vars {
    let mut v = Vars::new();
    v.insert("token_aud", or_none(ctx.first_aud()));
    v.insert("token_iss", or_none(ctx.token_iss.as_deref()));
    v.insert("token_sub", or_none(ctx.token_sub.as_deref()));
    v.insert("token_tid", or_none(ctx.tenant().as_deref()));
    v.insert(
        "exp_rel",
        txt(match ctx.token_exp {
            Some(exp) => {
                let utc = format_utc(exp);
                if relative(exp, ctx.now).is_past() {
                    msg!("sts.time.expired", when = when(exp, ctx.now), utc = utc)
                } else {
                    msg!("sts.time.expires", when = when(exp, ctx.now), utc = utc)
                }
            }
            None => msg!("sts.time.no_exp"),
        }),
    );
    let n = ctx.project_number_or_placeholder();
    let pool = ctx.pool_or_placeholder();
    let provider = ctx.provider_or_placeholder();
    v.insert("expected_audience", val(ctx.sts_audience()));
    v.insert(
        "default_audience_https",
        val(neutral(msg!(
            "sts.cmd.default_audience_https",
            resource = gcp::provider_resource(n, pool, provider)
        ))),
    );
    v.insert("audience_sent", val(ctx.audience_sent()));
    v.insert("project_number", val(n));
    v.insert("project_id", val(ctx.project_id_or_placeholder()));
    v.insert("gcloud_project", val(ctx.gcloud_project()));
    v.insert("project_q", val(shell_quote(ctx.gcloud_project())));
    v.insert("pool", val(pool));
    v.insert("pool_q", val(shell_quote(pool)));
    v.insert("provider", val(provider));
    v.insert("provider_q", val(shell_quote(provider)));
    v.insert("principal", val(ctx.principal()));
    v.insert("principal_set", val(ctx.principal_set()));
    v.insert("service_account", val(ctx.service_account_or_placeholder()));
    v.insert("resource", or_none(ctx.resource.as_deref()));
    v.insert("update_oidc", val(ctx.update_oidc_command()));
    v.insert("describe_provider", val(ctx.describe_provider_command()));
    v.insert(
        "describe_pool",
        val(neutral(msg!(
            "sts.cmd.describe_pool",
            pool = shell_quote(pool),
            project = shell_quote(ctx.gcloud_project())
        ))),
    );
    v.insert("attribute_mapping_arg", val(sq(gcp::ATTRIBUTE_MAPPING)));
    v
}

/// Values that need analysis (and may use what the error named: `caps`).
fn derived_vars(v: &mut Vars, ctx: &Context, caps: &BTreeMap<&'static str, String>) {
    // Audience seen by Google wins when the token is unknown.
    let error_aud = caps.get("error_aud").cloned();
    let token_aud = ctx
        .first_aud()
        .map(str::to_string)
        .or_else(|| error_aud.clone().filter(|a| !a.is_empty()));
    if let Some(a) = &token_aud {
        v.insert("token_aud", val(a));
    }
    if let Some(a) = &error_aud {
        v.insert("error_aud", val(a));
    }
    v.insert(
        "token_aud_arg",
        val(sq(token_aud.as_deref().unwrap_or("<TOKEN_AUD>"))),
    );
    v.insert(
        "aud_analysis",
        txt(aud_analysis(
            ctx,
            token_aud.as_deref(),
            error_aud.as_deref(),
        )),
    );

    let error_iss = caps
        .get("error_iss")
        .cloned()
        .filter(|i| !i.is_empty() && i != "null");
    if let Some(i) = caps.get("error_iss") {
        v.insert("error_iss", val(i));
    }
    let token_iss = ctx
        .token_iss
        .clone()
        .filter(|i| !i.is_empty())
        .or(error_iss);
    if let Some(i) = &token_iss {
        v.insert("token_iss", val(i));
    }
    v.insert(
        "token_iss_arg",
        val(sq(token_iss.as_deref().unwrap_or("<ISSUER_URI>"))),
    );
    let provider_iss = caps
        .get("error_expected_issuer")
        .cloned()
        .filter(|s| !s.is_empty());
    if let Some(p) = caps.get("error_expected_issuer") {
        v.insert("error_expected_issuer", val(p));
    }
    v.insert(
        "provider_issuer",
        match &provider_iss {
            Some(p) => val(p),
            None => txt(msg!(
                "sts.v.provider_issuer_unknown",
                describe_provider = ctx.describe_provider_command()
            )),
        },
    );
    let (analysis, alt) = issuer_analysis(token_iss.as_deref(), provider_iss.as_deref());
    v.insert("issuer_analysis", txt(analysis));
    v.insert("issuer_alt_fix", txt(alt));
    let tenant = ctx
        .tenant()
        .or_else(|| match token_iss.as_deref().map(jwt::classify_issuer) {
            Some(IssuerKind::Entra { tenant, .. }) => Some(tenant),
            _ => None,
        });
    let t = tenant.clone().unwrap_or_else(|| "<TENANT_ID>".to_string());
    let discovery_base = token_iss
        .as_deref()
        .map(|i| i.trim_end_matches('/').to_string())
        .unwrap_or_else(|| "<ISSUER_URI>".to_string());
    v.insert(
        "discovery_url",
        val(neutral(msg!("sts.cmd.discovery", issuer = discovery_base))),
    );
    let version = match token_iss.as_deref().map(jwt::classify_issuer) {
        Some(IssuerKind::Entra { version, .. }) => version,
        _ => ctx.version(),
    };
    v.insert(
        "jwks_uri",
        match version {
            TokenVersion::V2 => val(neutral(msg!("sts.cmd.jwks_v2", tenant = &t))),
            TokenVersion::V1 => val(neutral(msg!("sts.cmd.jwks_v1"))),
            TokenVersion::Unknown => txt(msg!("sts.v.jwks_from_discovery")),
        },
    );
    v.insert(
        "issuer_reachability_note",
        txt(match token_iss.as_deref() {
            None => msg!("sts.reach.no_iss"),
            Some(i) => match jwt::classify_issuer(i) {
                IssuerKind::Other => msg!("sts.reach.not_entra", iss = visible(i)),
                IssuerKind::Entra { .. } => msg!("sts.reach.entra", iss = i),
            },
        }),
    );
    let graph = token_aud.as_deref().is_some_and(|a| {
        let a = a.trim_end_matches('/').to_ascii_lowercase();
        a == "https://graph.microsoft.com" || a == "00000003-0000-0000-c000-000000000000"
    });
    v.insert(
        "signature_note",
        txt(if graph {
            before(msg!(
                "sts.signature.graph",
                aud = token_aud.clone().unwrap_or_default()
            ))
        } else {
            Text::new()
        }),
    );

    // Audience format and project number.
    let sent = ctx.audience_sent();
    let problems: Vec<Text> = audience_issues("audience", &sent, None)
        .into_iter()
        .map(|i| i.message)
        .collect();
    v.insert(
        "audience_analysis",
        txt(if problems.is_empty() {
            msg!("sts.audience.well_formed", expected = ctx.sts_audience())
        } else {
            msg!(
                "sts.audience.problems",
                problems = Text::join(problems, "; ")
            )
        }),
    );
    let (note, fix) = match ctx
        .project_number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        Some(n) if !n.bytes().all(|b| b.is_ascii_digit()) => (
            before(msg!("sts.audience.project_number_note", value = visible(n))),
            before(msg!(
                "sts.audience.project_number_fix",
                project = shell_quote(n)
            )),
        ),
        _ => (Text::new(), Text::new()),
    };
    v.insert("project_number_note", txt(note));
    v.insert("project_number_fix", txt(fix));

    // Times.
    let error_iat = caps.get("error_iat").map(String::as_str);
    v.insert("stale_analysis", txt(stale_analysis(ctx, error_iat)));
    v.insert(
        "error_iat",
        match error_iat.map(|e| (e, e.parse::<i64>())) {
            Some((e, Ok(epoch))) => val(neutral(msg!(
                "sts.v.iat_epoch",
                epoch = e,
                utc = format_utc(epoch)
            ))),
            Some((e, Err(_))) => val(e),
            None => txt(msg!("sts.v.not_in_error")),
        },
    );

    // Attribute condition that admits this token.
    let sub = ctx.token_sub.clone().filter(|s| !s.is_empty());
    let condition = neutral(msg!(
        "sts.cmd.condition",
        tenant = tenant.as_deref().unwrap_or("<TENANT_ID>"),
        sub = sub.as_deref().unwrap_or("<SUBJECT>")
    ));
    v.insert("condition_arg", val(cel_arg(&condition)));
    v.insert("condition", val(condition));
    v.insert(
        "sub_len",
        match &sub {
            Some(s) => val(s.len().to_string()),
            None => txt(msg!("sts.v.unknown")),
        },
    );
}

fn aud_analysis(ctx: &Context, aud: Option<&str>, error_aud: Option<&str>) -> Text {
    let mut out = Vec::new();
    match aud {
        None => out.push(msg!("sts.aud.no_claim")),
        Some(a) => {
            if let Some(e) = error_aud
                && !e.is_empty()
                && e != a
            {
                out.push(msg!(
                    "sts.aud.google_saw",
                    error_aud = visible(e),
                    aud = visible(a)
                ));
            }
            match ctx.version() {
                TokenVersion::V2 => out.push(msg!("sts.aud.v2")),
                TokenVersion::V1 => match ctx.resource.as_deref().map(str::trim) {
                    Some(r) if !r.is_empty() && r != a => out.push(msg!(
                        "sts.aud.v1_resource",
                        resource = visible(r),
                        aud = visible(a)
                    )),
                    _ => out.push(msg!("sts.aud.v1")),
                },
                TokenVersion::Unknown => {}
            }
            if a.trim_end_matches('/') == "https://management.azure.com" {
                out.push(msg!("sts.aud.arm"));
            }
            if a != a.trim() {
                out.push(msg!("sts.aud.whitespace", aud = visible(a)));
            }
        }
    }
    sentences(out)
}

/// (analysis, alternative fix appended to the fix sentence).
fn issuer_analysis(token_iss: Option<&str>, provider_iss: Option<&str>) -> (Text, Text) {
    let Some(ti) = token_iss else {
        return (msg!("sts.iss.none").into(), after(msg!("sts.iss.none_alt")));
    };
    let tk = jwt::classify_issuer(ti);
    let Some(pi) = provider_iss else {
        let mut t = Text::from(msg!("sts.iss.differs"));
        match &tk {
            IssuerKind::Entra {
                version: TokenVersion::V1,
                tenant,
                ..
            } => {
                t.sentence(msg!(
                    "sts.iss.v1_hint",
                    issuer = neutral(msg!("sts.cmd.issuer_v2", tenant = tenant))
                ));
            }
            IssuerKind::Entra {
                version: TokenVersion::V2,
                tenant,
                ..
            } => {
                t.sentence(msg!(
                    "sts.iss.v2_hint",
                    issuer = neutral(msg!("sts.cmd.issuer_v1", tenant = tenant))
                ));
            }
            _ => {}
        }
        return (t, Text::new());
    };
    let pk = jwt::classify_issuer(pi);
    match (&tk, &pk) {
        (
            IssuerKind::Entra {
                version: tv,
                tenant: tt,
                ..
            },
            IssuerKind::Entra {
                version: pv,
                tenant: pt,
                ..
            },
        ) => {
            let mut parts = Vec::new();
            let mut alt = Text::new();
            if tv != pv {
                parts.push(msg!(
                    "sts.iss.version",
                    token_version = tv.to_string(),
                    provider_version = pv.to_string()
                ));
                let want = if *pv == TokenVersion::V2 { 2 } else { 1 };
                alt = after(msg!(
                    "sts.iss.version_alt",
                    provider_version = pv.to_string(),
                    want = want,
                    aud_note = if want == 2 {
                        msg!("sts.iss.aud_v2")
                    } else {
                        msg!("sts.iss.aud_v1")
                    }
                ));
            }
            if !tt.eq_ignore_ascii_case(pt) {
                parts.push(msg!(
                    "sts.iss.tenant",
                    token_tenant = tt,
                    provider_tenant = pt
                ));
            }
            if parts.is_empty() {
                let why = if ti.trim_end_matches('/') == pi.trim_end_matches('/') {
                    msg!("sts.iss.why_slash")
                } else if ti.eq_ignore_ascii_case(pi) {
                    msg!("sts.iss.why_case")
                } else {
                    msg!("sts.iss.why_hosts")
                };
                parts.push(msg!(
                    "sts.iss.same",
                    why = why,
                    token_iss = visible(ti),
                    provider_iss = visible(pi)
                ));
            }
            (sentences(parts), alt)
        }
        (IssuerKind::Other, _) => (
            msg!("sts.iss.not_entra_token", iss = visible(ti)).into(),
            Text::new(),
        ),
        (IssuerKind::Entra { .. }, IssuerKind::Other) => (
            msg!(
                "sts.iss.not_entra_provider",
                provider_iss = visible(pi),
                iss = ti
            )
            .into(),
            Text::new(),
        ),
    }
}

fn stale_analysis(ctx: &Context, error_iat: Option<&str>) -> Text {
    let now = ctx.now;
    let mut parts = Vec::new();
    match ctx.token_iat {
        Some(iat) => parts.push(msg!(
            "sts.stale.issued",
            when = when(iat, now),
            utc = format_utc(iat)
        )),
        None => parts.push(msg!("sts.stale.no_iat")),
    }
    match ctx.token_exp {
        Some(exp) => parts.push(if relative(exp, now).is_past() {
            msg!(
                "sts.stale.expired",
                when = when(exp, now),
                utc = format_utc(exp)
            )
        } else {
            msg!(
                "sts.stale.expires",
                when = when(exp, now),
                utc = format_utc(exp)
            )
        }),
        None => parts.push(msg!("sts.stale.no_exp")),
    }
    parts.push(match (ctx.token_iat, ctx.token_exp) {
        (_, Some(exp)) if exp <= now - 60 => msg!("sts.stale.v_expired"),
        (_, Some(exp)) if exp <= now + 60 => msg!("sts.stale.v_expiring"),
        (Some(iat), _) if iat > now + 60 => {
            msg!("sts.stale.v_future", ahead = relative(iat, now).magnitude())
        }
        (None, _) | (_, None) => msg!("sts.stale.v_missing"),
        _ => msg!("sts.stale.v_valid"),
    });
    if let (Some(e), Some(iat)) = (error_iat, ctx.token_iat)
        && e.trim() != iat.to_string()
        && e.trim() != "null"
        && !e.trim().is_empty()
    {
        parts.push(msg!("sts.stale.iat_differs", error_iat = e, iat = iat));
    }
    sentences(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, has_key, placeholders};

    #[test]
    fn catalogue_parses_and_ids_are_unique() {
        let ids = catalogue_ids();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len());
        assert!(ids.contains(&"sts.unknown") && ids.contains(&"sts.non_json"));
        for e in entries() {
            for part in ["summary", "cause", "fix"] {
                assert!(has_key(&format!("{}.{part}", e.id)), "{}.{part}", e.id);
            }
        }
    }

    #[test]
    fn every_placeholder_is_known() {
        let ctx = Context::default();
        let mut vars = context_vars(&ctx);
        vars.insert("status", val("400"));
        vars.insert("error", val("e"));
        vars.insert("error_description", val("d"));
        let g = GoogleError::default();
        google_vars(&mut vars, &g, &ctx);
        let caps = [
            ("error_aud", "a"),
            ("error_iss", "i"),
            ("error_expected_issuer", "x"),
            ("error_iat", "1"),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
        derived_vars(&mut vars, &ctx, &caps);
        for e in entries() {
            for t in [&e.summary, &e.cause, &e.fix] {
                for name in placeholders(&t.en) {
                    assert!(vars.contains_key(name.as_str()), "{}: {{{name}}}", e.id);
                }
                assert_eq!(placeholders(&t.en), placeholders(&t.ja), "{}", e.id);
            }
            for c in &e.captures {
                for name in placeholders(c) {
                    assert!(capture_key(&name).is_some(), "{}: capture {name}", e.id);
                }
            }
        }
    }

    #[test]
    fn neutral_templates_are_the_same_in_both_languages() {
        let m = msg!("sts.cmd.describe_pool", pool = "p", project = "q");
        assert_eq!(m.render(Lang::En), m.render(Lang::Ja));
        assert_eq!(
            neutral(m),
            "gcloud iam workload-identity-pools describe p --project=q --location=global --format=json"
        );
    }
}
