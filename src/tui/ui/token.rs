//! Step 2: the decoded token: source, expiry countdown, signature, header and claims.

use super::{Lines, heading, kv, mark_span, para};
use crate::checks::{CheckId, Status};
use crate::jwt::TokenVersion;
use crate::tui::app::{App, FetchState};
use crate::tui::theme::Theme;
use ratatui::text::{Line, Span};

/// `in 23 h 59 m 12 s` / `expired 5 m 3 s ago`, from the clock the app carries.
pub fn countdown(at: i64, now: i64) -> String {
    let d = at.saturating_sub(now).saturating_abs();
    let (h, m, s) = (d / 3600, (d % 3600) / 60, d % 60);
    let span = if h > 0 {
        format!("{h} h {m} m {s} s")
    } else if m > 0 {
        format!("{m} m {s} s")
    } else {
        format!("{s} s")
    };
    if at > now {
        format!("in {span}")
    } else {
        format!("expired {span} ago")
    }
}

pub fn lines(app: &App, theme: &Theme) -> Lines {
    let f = match &app.fetch {
        FetchState::Idle => return vec![Line::raw("The token has not been fetched yet.")],
        FetchState::Running => {
            return vec![Line::raw(format!(
                "{} fetching the managed-identity token...",
                theme.spinner(app.spinner)
            ))];
        }
        FetchState::Done(Err(e)) => {
            let mut out = vec![Line::styled(
                format!("{} {}", Status::Fail.mark(theme.ascii), e.summary),
                theme.status(Status::Fail),
            )];
            out.extend(para(&e.cause.to_string(), "  ", theme.value()));
            out.push(Line::from(vec![
                Span::styled("  fix: ", theme.heading()),
                Span::raw(e.fix.to_string()),
            ]));
            if let Some(raw) = &e.raw {
                out.extend(para(raw, "  raw: ", theme.dim()));
            }
            return out;
        }
        FetchState::Done(Ok(f)) => f,
    };
    let s = &f.summary;
    let mut out = vec![heading(
        theme,
        "Managed-identity token (the token itself is never shown)",
    )];
    out.push(kv(theme, "source", f.token.source.to_string()));
    out.push(kv(theme, "endpoint", f.token.endpoint.clone()));
    if let Some(h) = &app.session.settings.identity_header {
        out.push(kv(
            theme,
            "header",
            format!("X-IDENTITY-HEADER {}", h.value.describe()),
        ));
    }
    out.push(kv(
        theme,
        "resource",
        format!(
            "{} ({})",
            f.token.resource, app.session.settings.resource.origin
        ),
    ));
    let version = match s.version {
        TokenVersion::V1 => "v1 (sts.windows.net issuer)",
        TokenVersion::V2 => "v2 (login.microsoftonline.com/.../v2.0 issuer)",
        TokenVersion::Unknown => "unknown",
    };
    out.push(kv(theme, "version", version));
    if let Some((at, from)) = f.expires_at() {
        let style = if at <= app.now {
            theme.status(Status::Fail)
        } else {
            theme.value()
        };
        out.push(Line::from(vec![
            Span::styled(format!("{:<12} ", "expires"), theme.label()),
            Span::styled(countdown(at, app.now), style),
            Span::styled(
                format!("  ({}, from {from})", crate::jwt::format_utc(at)),
                theme.dim(),
            ),
        ]));
    }
    let mut sig = vec![Span::styled(format!("{:<12} ", "signature"), theme.label())];
    match app.finding(CheckId::TokenSignature) {
        Some(fd) => {
            sig.push(mark_span(app, theme, super::Mark::Done(fd.status)));
            sig.push(Span::raw(" "));
            let first = fd
                .detail
                .to_string()
                .lines()
                .next()
                .unwrap_or_default()
                .to_string();
            sig.push(Span::styled(first, theme.status(fd.status)));
        }
        None if app.running.contains(&CheckId::TokenSignature) || app.checks_running => {
            sig.push(Span::raw(format!(
                "{} verifying (OIDC discovery + JWKS)...",
                theme.spinner(app.spinner)
            )));
        }
        None => sig.push(Span::styled(
            "not verified yet (t runs the checks)",
            theme.dim(),
        )),
    }
    out.push(Line::from(sig));
    if let Some(fd) = app.finding(CheckId::TokenSignature)
        && fd.status != Status::Pass
    {
        out.extend(para(
            fd.detail
                .to_string()
                .lines()
                .skip(1)
                .collect::<Vec<_>>()
                .join("\n")
                .as_str(),
            "  ",
            theme.value(),
        ));
        if !fd.fix.is_empty() {
            out.extend(para(&fd.fix.to_string(), "  fix: ", theme.value()));
        }
    }
    if let Some(fd) = app.finding(CheckId::TokenClaims)
        && fd.status != Status::Pass
    {
        out.push(Line::styled(
            format!("{} {}", fd.status.mark(theme.ascii), fd.detail),
            theme.status(fd.status),
        ));
        if !fd.fix.is_empty() {
            out.extend(para(&fd.fix.to_string(), "  fix: ", theme.value()));
        }
    }
    if let Some(sha) = &s.sha256 {
        out.push(kv(theme, "sha256", sha.clone()));
    }

    out.push(Line::raw(""));
    out.push(heading(theme, "Identity (what Google will see)"));
    out.push(kv(
        theme,
        "iss",
        s.issuer.clone().unwrap_or_else(|| "(missing)".into()),
    ));
    out.push(kv(
        theme,
        "aud",
        if s.audience.is_empty() {
            "(missing)".into()
        } else {
            s.audience.join(", ")
        },
    ));
    out.push(kv(
        theme,
        "sub",
        s.identity.sub.clone().unwrap_or_else(|| "(missing)".into()),
    ));
    for (k, v) in [
        ("oid", &s.identity.oid),
        ("tid", &s.identity.tid),
        ("client id", &s.identity.client_id),
        ("resource id", &s.identity.mirid),
    ] {
        if let Some(v) = v {
            out.push(kv(theme, k, v.clone()));
        }
    }

    out.push(Line::raw(""));
    out.push(heading(theme, "Header"));
    for (k, v) in [
        ("alg", &s.header.alg),
        ("kid", &s.header.kid),
        ("x5t", &s.header.x5t),
        ("typ", &s.header.typ),
    ] {
        if let Some(v) = v {
            out.push(kv(theme, k, v.clone()));
        }
    }
    out.push(Line::raw(""));
    out.push(heading(theme, "Claims"));
    for (k, v) in &s.claims {
        let shown = match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        out.push(kv(theme, k, shown));
    }
    if !s.notes.is_empty() {
        out.push(Line::raw(""));
        out.push(heading(theme, "Notes"));
        for n in &s.notes {
            out.push(Line::raw(format!("- {n}")));
        }
    }
    out
}
