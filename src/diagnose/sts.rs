//! Explains Google STS token-exchange failures from the data catalogue in
//! `assets/sts-errors.json`.

use super::google_api::{GoogleError, parse_google_error};
use super::render::{Vars, capture, render};
use super::text::{audience_issues, cel_arg, snippet, sq, visible};
use super::{Context, Explanation};
use crate::gcp::{self, shell_quote};
use crate::jwt::{self, IssuerKind, TokenVersion, format_utc, relative};
use serde::Deserialize;
use std::sync::OnceLock;

const CATALOGUE_JSON: &str = include_str!("../../assets/sts-errors.json");

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
    #[serde(default)]
    pub captures: Vec<String>,
    pub summary: String,
    pub cause: String,
    pub fix: String,
    pub retryable: bool,
}

#[derive(Deserialize)]
struct Catalogue {
    #[allow(dead_code)]
    about: String,
    entries: Vec<Entry>,
}

pub(crate) fn entries() -> &'static [Entry] {
    static CAT: OnceLock<Vec<Entry>> = OnceLock::new();
    CAT.get_or_init(|| {
        serde_json::from_str::<Catalogue>(CATALOGUE_JSON)
            .expect("assets/sts-errors.json is valid (checked by tests)")
            .entries
    })
}

/// The ids in the STS catalogue, in matching order.
pub fn catalogue_ids() -> Vec<&'static str> {
    entries().iter().map(|e| e.id.as_str()).collect()
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
    let (error, description, reason) = match body {
        Body::OAuth { error, description } => (error.as_str(), description.as_str(), None),
        Body::Google(g) => (g.status.as_str(), g.message.as_str(), g.reason.as_deref()),
        _ => ("", "", None),
    };
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
    vars.insert("status", status.to_string());
    let said = match &parsed {
        Body::OAuth { error, description } => {
            vars.insert("error", error.clone());
            vars.insert("error_description", description.clone());
            for pattern in &entry.captures {
                if let Some(caps) = capture(pattern, description.trim()) {
                    for (name, value) in caps {
                        if let Some(key) = capture_key(&name) {
                            vars.insert(key, value);
                        }
                    }
                    break;
                }
            }
            format!(
                "Google STS said (HTTP {status}): error={error:?}, error_description={description:?}"
            )
        }
        Body::Google(g) => {
            google_vars(&mut vars, g, ctx);
            format!(
                "Google STS said (HTTP {status} {}): {:?}",
                g.status, g.message
            )
        }
        Body::Raw | Body::OtherJson => {
            let s = snippet(body, 200);
            vars.insert("error", "(none)".to_string());
            vars.insert("error_description", s.clone());
            vars.insert("body_snippet", s.clone());
            format!("Google STS said (HTTP {status}): {s}")
        }
    };
    derived_vars(&mut vars, ctx);

    let summary = render(&entry.summary, &vars);
    let cause = render(&entry.cause, &vars);
    let detail = if entry.id == "sts.unknown" {
        cause
    } else {
        format!("{}\n{said}", cause.trim_end())
    };
    Explanation {
        id: entry.id.clone(),
        summary: summary.into(),
        detail: detail.into(),
        fix: render(&entry.fix, &vars).into(),
        retryable: entry.retryable,
    }
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
    vars.insert("error", g.status.clone());
    vars.insert("error_description", g.message.clone());
    vars.insert("google_status", g.status.clone());
    vars.insert("google_message", g.message.clone());
    vars.insert("reason", g.reason.clone().unwrap_or_default());
    vars.insert(
        "service",
        g.service()
            .unwrap_or_else(|| "sts.googleapis.com".to_string()),
    );
    let consumer = g
        .consumer_project()
        .unwrap_or_else(|| ctx.gcloud_project().to_string());
    vars.insert("consumer_project_q", shell_quote(&consumer));
    vars.insert("consumer_project", consumer);
}

fn or_none(v: Option<&str>) -> String {
    match v {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => "(none)".to_string(),
    }
}

/// Values from the context alone.
pub(crate) fn context_vars(ctx: &Context) -> Vars {
    let mut v = Vars::new();
    v.insert("token_aud", or_none(ctx.first_aud()));
    v.insert(
        "token_aud_all",
        if ctx.token_aud.is_empty() {
            "(none)".to_string()
        } else {
            ctx.token_aud.join(", ")
        },
    );
    v.insert("token_iss", or_none(ctx.token_iss.as_deref()));
    v.insert("token_sub", or_none(ctx.token_sub.as_deref()));
    v.insert("token_tid", or_none(ctx.tenant().as_deref()));
    v.insert("token_version", ctx.version().to_string());
    v.insert(
        "token_iat_utc",
        ctx.token_iat
            .map(format_utc)
            .unwrap_or_else(|| "(no iat)".into()),
    );
    v.insert(
        "token_exp_utc",
        ctx.token_exp
            .map(format_utc)
            .unwrap_or_else(|| "(no exp)".into()),
    );
    v.insert(
        "age",
        ctx.token_iat
            .map(|iat| relative(iat, ctx.now).to_string())
            .unwrap_or_else(|| "(unknown)".into()),
    );
    v.insert(
        "exp_rel",
        match ctx.token_exp {
            Some(exp) => {
                let r = relative(exp, ctx.now);
                if r.is_past() {
                    format!("expired {r} ({})", format_utc(exp))
                } else {
                    format!("expires {r} ({})", format_utc(exp))
                }
            }
            None => "has no exp".to_string(),
        },
    );
    let n = ctx.project_number_or_placeholder();
    let pool = ctx.pool_or_placeholder();
    let provider = ctx.provider_or_placeholder();
    v.insert("expected_audience", ctx.sts_audience());
    v.insert(
        "default_audience_https",
        format!(
            "https://iam.googleapis.com/{}",
            gcp::provider_resource(n, pool, provider)
        ),
    );
    v.insert("audience_sent", ctx.audience_sent());
    v.insert("project_number", n.to_string());
    v.insert("project_id", ctx.project_id_or_placeholder().to_string());
    v.insert("gcloud_project", ctx.gcloud_project().to_string());
    v.insert("project_q", shell_quote(ctx.gcloud_project()));
    v.insert("pool", pool.to_string());
    v.insert("pool_q", shell_quote(pool));
    v.insert("provider", provider.to_string());
    v.insert("provider_q", shell_quote(provider));
    v.insert("principal", ctx.principal());
    v.insert("principal_set", ctx.principal_set());
    v.insert(
        "service_account",
        ctx.service_account_or_placeholder().to_string(),
    );
    v.insert("resource", or_none(ctx.resource.as_deref()));
    v.insert("update_oidc", ctx.update_oidc_command());
    v.insert("describe_provider", ctx.describe_provider_command());
    v.insert(
        "describe_pool",
        format!(
            "gcloud iam workload-identity-pools describe {} --project={} --location=global --format=json",
            shell_quote(pool),
            shell_quote(ctx.gcloud_project())
        ),
    );
    v.insert("attribute_mapping_arg", sq(gcp::ATTRIBUTE_MAPPING));
    v
}

/// Values that need analysis (and may use captures).
fn derived_vars(v: &mut Vars, ctx: &Context) {
    // Audience seen by Google wins when the token is unknown.
    let error_aud = v.get("error_aud").cloned();
    let token_aud = ctx
        .first_aud()
        .map(str::to_string)
        .or_else(|| error_aud.clone().filter(|a| !a.is_empty()));
    if let Some(a) = &token_aud {
        v.insert("token_aud", a.clone());
    }
    v.insert(
        "token_aud_arg",
        sq(token_aud.as_deref().unwrap_or("<TOKEN_AUD>")),
    );
    v.insert(
        "aud_analysis",
        aud_analysis(ctx, token_aud.as_deref(), error_aud.as_deref()),
    );

    let error_iss = v
        .get("error_iss")
        .cloned()
        .filter(|i| !i.is_empty() && i != "null");
    let token_iss = ctx
        .token_iss
        .clone()
        .filter(|i| !i.is_empty())
        .or(error_iss);
    if let Some(i) = &token_iss {
        v.insert("token_iss", i.clone());
    }
    v.insert(
        "token_iss_arg",
        sq(token_iss.as_deref().unwrap_or("<ISSUER_URI>")),
    );
    let provider_iss = v
        .get("error_expected_issuer")
        .cloned()
        .filter(|s| !s.is_empty());
    v.insert(
        "provider_issuer",
        provider_iss.clone().unwrap_or_else(|| {
            format!(
                "(not in the error; see oidc.issuerUri in `{}`)",
                ctx.describe_provider_command()
            )
        }),
    );
    let (analysis, alt) = issuer_analysis(token_iss.as_deref(), provider_iss.as_deref());
    v.insert("issuer_analysis", analysis);
    v.insert("issuer_alt_fix", alt);
    let tenant = ctx
        .tenant()
        .or_else(|| match token_iss.as_deref().map(jwt::classify_issuer) {
            Some(IssuerKind::Entra { tenant, .. }) => Some(tenant),
            _ => None,
        });
    let t = tenant.clone().unwrap_or_else(|| "<TENANT_ID>".to_string());
    v.insert("issuer_v1_no_slash", format!("https://sts.windows.net/{t}"));
    v.insert(
        "issuer_v2",
        format!("https://login.microsoftonline.com/{t}/v2.0"),
    );
    let discovery_base = token_iss
        .as_deref()
        .map(|i| i.trim_end_matches('/').to_string())
        .unwrap_or_else(|| "<ISSUER_URI>".to_string());
    v.insert(
        "discovery_url",
        format!("{discovery_base}/.well-known/openid-configuration"),
    );
    let version = match token_iss.as_deref().map(jwt::classify_issuer) {
        Some(IssuerKind::Entra { version, .. }) => version,
        _ => ctx.version(),
    };
    v.insert(
        "jwks_uri",
        match version {
            TokenVersion::V2 => {
                format!("https://login.microsoftonline.com/{t}/discovery/v2.0/keys")
            }
            TokenVersion::V1 => {
                "https://login.microsoftonline.com/common/discovery/keys".to_string()
            }
            TokenVersion::Unknown => "the jwks_uri named in the discovery document".to_string(),
        },
    );
    v.insert(
        "issuer_reachability_note",
        match token_iss.as_deref() {
            None => "The token has no `iss` claim: it is not an Entra ID access token.".to_string(),
            Some(i) => match jwt::classify_issuer(i) {
                IssuerKind::Other => format!(
                    "The token's issuer {} is not a Microsoft Entra ID issuer.",
                    visible(i)
                ),
                IssuerKind::Entra { .. } => format!(
                    "The token's issuer {i} is a Microsoft Entra ID issuer, which is normally reachable: look at an uploaded JWKS first."
                ),
            },
        },
    );
    let graph = token_aud.as_deref().is_some_and(|a| {
        let a = a.trim_end_matches('/').to_ascii_lowercase();
        a == "https://graph.microsoft.com" || a == "00000003-0000-0000-c000-000000000000"
    });
    v.insert(
        "signature_note",
        if graph {
            format!(
                "The token's aud is Microsoft Graph ({}): Graph tokens carry a header nonce and never verify; request a token for your own app's Application ID URI. ",
                token_aud.clone().unwrap_or_default()
            )
        } else {
            String::new()
        },
    );

    // Audience format and project number.
    let sent = ctx.audience_sent();
    let problems: Vec<String> = audience_issues("audience", &sent, None)
        .into_iter()
        .map(|i| i.message.to_string())
        .collect();
    v.insert(
        "audience_analysis",
        if problems.is_empty() {
            format!(
                "The value looks well-formed; compare it character by character with {}.",
                ctx.sts_audience()
            )
        } else {
            format!("Problems: {}.", problems.join("; "))
        },
    );
    let (note, fix) = match ctx
        .project_number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        Some(n) if !n.bytes().all(|b| b.is_ascii_digit()) => (
            format!(
                "First: the project number setting {} is not a number; it looks like a project ID, and the audience must name the project by number. ",
                visible(n)
            ),
            format!(
                "First get the project number: `gcloud projects describe {} --format='value(projectNumber)'` and set it with --project-number. Then: ",
                shell_quote(n)
            ),
        ),
        _ => (String::new(), String::new()),
    };
    v.insert("project_number_note", note);
    v.insert("project_number_fix", fix);

    // Times.
    let error_iat = v.get("error_iat").cloned();
    v.insert("stale_analysis", stale_analysis(ctx, error_iat.as_deref()));
    match error_iat.as_deref().map(|e| (e, e.parse::<i64>())) {
        Some((e, Ok(epoch))) => {
            v.insert("error_iat", format!("{e} ({})", format_utc(epoch)));
        }
        Some(_) => {}
        None => {
            v.insert("error_iat", "(not in the error)".to_string());
        }
    }

    // Attribute condition that admits this token.
    let sub = ctx.token_sub.clone().filter(|s| !s.is_empty());
    let condition = match (&tenant, &sub) {
        (Some(t), Some(s)) => format!("assertion.tid=='{t}' && assertion.sub=='{s}'"),
        (Some(t), None) => format!("assertion.tid=='{t}' && assertion.sub=='<SUBJECT>'"),
        (None, Some(s)) => format!("assertion.tid=='<TENANT_ID>' && assertion.sub=='{s}'"),
        (None, None) => "assertion.tid=='<TENANT_ID>' && assertion.sub=='<SUBJECT>'".to_string(),
    };
    v.insert("condition_arg", cel_arg(&condition));
    v.insert("condition", condition);
    v.insert(
        "sub_len",
        sub.as_ref()
            .map(|s| s.len().to_string())
            .unwrap_or_else(|| "unknown".to_string()),
    );
}

fn aud_analysis(ctx: &Context, aud: Option<&str>, error_aud: Option<&str>) -> String {
    let mut out = Vec::new();
    match aud {
        None => out.push("The token has no `aud` claim (`[]` in the error).".to_string()),
        Some(a) => {
            if let Some(e) = error_aud
                && !e.is_empty()
                && e != a
            {
                out.push(format!(
                    "Google saw aud {} while the decoded token says {}.",
                    visible(e),
                    visible(a)
                ));
            }
            match ctx.version() {
                TokenVersion::V2 => out.push(
                    "This is a v2 token: its aud is the resource app's client ID (a GUID), not its api:// URI, so the provider must allow the GUID.".to_string(),
                ),
                TokenVersion::V1 => match ctx.resource.as_deref().map(str::trim) {
                    Some(r) if !r.is_empty() && r != a => out.push(format!(
                        "The token was requested for resource {} but carries aud {}.",
                        visible(r),
                        visible(a)
                    )),
                    _ => out.push(
                        "This is a v1 token: its aud is exactly the resource that was requested, scheme and trailing slash included.".to_string(),
                    ),
                },
                TokenVersion::Unknown => {}
            }
            if a.trim_end_matches('/') == "https://management.azure.com" {
                out.push("Note: an Azure Resource Manager token is an Azure control-plane credential; prefer a dedicated Entra app (api://<appId>) as the audience.".to_string());
            }
            if a != a.trim() {
                out.push(format!(
                    "The aud has surrounding whitespace: {}.",
                    visible(a)
                ));
            }
        }
    }
    out.join(" ")
}

fn issuer_analysis(token_iss: Option<&str>, provider_iss: Option<&str>) -> (String, String) {
    let Some(ti) = token_iss else {
        return (
            "The token has no `iss` claim (`null` in the error): it is not an Entra ID access token; check that the subject token comes from the managed identity endpoint.".to_string(),
            " But first make sure the subject token is the managed identity's access token (`wif-doctor token` shows its claims); an Entra token always has an iss.".to_string(),
        );
    };
    let tk = jwt::classify_issuer(ti);
    let Some(pi) = provider_iss else {
        let hint = match &tk {
            IssuerKind::Entra {
                version: TokenVersion::V1,
                tenant,
                ..
            } => format!(
                " This is a v1 token; a provider set to the v2 issuer https://login.microsoftonline.com/{tenant}/v2.0 rejects it."
            ),
            IssuerKind::Entra {
                version: TokenVersion::V2,
                tenant,
                ..
            } => format!(
                " This is a v2 token; a provider set to the v1 issuer https://sts.windows.net/{tenant} rejects it."
            ),
            _ => String::new(),
        };
        return (
            format!("The provider's issuer URI differs from the token's `iss`.{hint}"),
            String::new(),
        );
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
            let mut alt = String::new();
            if tv != pv {
                parts.push(format!(
                    "Version mismatch: the token is a {tv} token but the provider expects the {pv} issuer. Azure issues the version that the resource app registration asks for (api.requestedAccessTokenVersion: null or 1 gives v1 with iss https://sts.windows.net/<tid>/, 2 gives v2 with iss https://login.microsoftonline.com/<tid>/v2.0)."
                ));
                let want = if *pv == TokenVersion::V2 { 2 } else { 1 };
                alt = format!(
                    " Or keep the provider and make Azure issue {pv} tokens: `az ad app update --id <APP_ID> --set api.requestedAccessTokenVersion={want}` (the token's aud then changes too: {}, so update the allowed audiences as well).",
                    if want == 2 {
                        "v2 aud is the app's client ID GUID"
                    } else {
                        "v1 aud is the requested Application ID URI"
                    }
                );
            }
            if !tt.eq_ignore_ascii_case(pt) {
                parts.push(format!(
                    "Tenant mismatch: the token is from tenant {tt} but the provider expects tenant {pt}. The managed identity lives in {tt}; the provider was set up for another Entra tenant."
                ));
            }
            if parts.is_empty() {
                let why = if ti.trim_end_matches('/') == pi.trim_end_matches('/') {
                    "they differ only in the trailing slash"
                } else if ti.eq_ignore_ascii_case(pi) {
                    "they differ only in letter case"
                } else {
                    "they name different hosts of the same tenant and version"
                };
                parts.push(format!(
                    "Same tenant and version, but {why}: {} vs {}.",
                    visible(ti),
                    visible(pi)
                ));
            }
            (parts.join(" "), alt)
        }
        (IssuerKind::Other, _) => (
            format!(
                "The token's issuer {} is not a Microsoft Entra ID issuer: the subject token did not come from the managed identity (check the credential source).",
                visible(ti)
            ),
            String::new(),
        ),
        (IssuerKind::Entra { .. }, IssuerKind::Other) => (
            format!(
                "The provider's issuer {} is not a Microsoft Entra ID issuer; for this token it must be {}.",
                visible(pi),
                ti
            ),
            String::new(),
        ),
    }
}

fn stale_analysis(ctx: &Context, error_iat: Option<&str>) -> String {
    let now = ctx.now;
    let mut parts = Vec::new();
    match ctx.token_iat {
        Some(iat) => parts.push(format!(
            "The token was issued {} ({}).",
            relative(iat, now),
            format_utc(iat)
        )),
        None => parts.push("The token has no iat claim.".to_string()),
    }
    match ctx.token_exp {
        Some(exp) => {
            let r = relative(exp, now);
            parts.push(if r.is_past() {
                format!("It expired {r} ({}).", format_utc(exp))
            } else {
                format!("It expires {r} ({}).", format_utc(exp))
            });
        }
        None => parts.push("The token has no exp claim.".to_string()),
    }
    let verdict = match (ctx.token_iat, ctx.token_exp) {
        (_, Some(exp)) if exp <= now - 60 => {
            "It has expired, beyond Google's ~60 s clock skew allowance.".to_string()
        }
        (_, Some(exp)) if exp <= now + 60 => {
            "It expires within a minute, inside Google's ~60 s skew window.".to_string()
        }
        (Some(iat), _) if iat > now + 60 => format!(
            "Its iat is {} in the future by this machine's clock: this machine's (or Azure's) clock is off.",
            relative(iat, now).magnitude()
        ),
        (None, _) | (_, None) => {
            "Without iat/exp Google treats it as stale (\"issued at null\").".to_string()
        }
        _ => "By this machine's clock it is still valid, so suspect the clock (Google allows about 60 s of skew) or a cached token; a stale verdict has also been reported for old but unexpired Entra tokens.".to_string(),
    };
    parts.push(verdict);
    if let (Some(e), Some(iat)) = (error_iat, ctx.token_iat)
        && e.trim() != iat.to_string()
        && e.trim() != "null"
        && !e.trim().is_empty()
    {
        parts.push(format!(
            "Google's iat ({e}) differs from the decoded token's ({iat}): the token sent is not the one decoded here."
        ));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::render::placeholders;

    #[test]
    fn catalogue_parses_and_ids_are_unique() {
        let ids = catalogue_ids();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len());
        assert!(ids.contains(&"sts.unknown") && ids.contains(&"sts.non_json"));
    }

    #[test]
    fn every_placeholder_is_known() {
        let ctx = Context::default();
        let mut vars = context_vars(&ctx);
        vars.insert("status", "400".into());
        vars.insert("error", "e".into());
        vars.insert("error_description", "d".into());
        vars.insert("body_snippet", "b".into());
        let g = GoogleError::default();
        google_vars(&mut vars, &g, &ctx);
        derived_vars(&mut vars, &ctx);
        for e in entries() {
            for t in [&e.summary, &e.cause, &e.fix] {
                for name in placeholders(t) {
                    assert!(vars.contains_key(name.as_str()), "{}: {{{name}}}", e.id);
                }
            }
            for c in &e.captures {
                for name in placeholders(c) {
                    assert!(capture_key(&name).is_some(), "{}: capture {name}", e.id);
                }
            }
        }
    }
}
