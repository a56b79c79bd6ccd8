//! Step 2: the decoded token: source, expiry countdown, signature, header and claims.

use super::{Lines, heading, kv, mark_span, pad, para};
use crate::checks::{CheckId, Status};
use crate::jwt::TokenVersion;
use crate::tr;
use crate::tui::app::{App, FetchState};
use crate::tui::theme::Theme;
use ratatui::text::{Line, Span};

/// `in 23 h 59 m 12 s` / `expired 5 m 3 s ago`, from the clock the app carries.
pub fn countdown(at: i64, now: i64) -> String {
    let d = at.saturating_sub(now).saturating_abs();
    let (h, m, s) = (d / 3600, (d % 3600) / 60, d % 60);
    let span = if h > 0 {
        tr!("ui.time.hms", h = h, m = m, s = s)
    } else if m > 0 {
        tr!("ui.time.ms", m = m, s = s)
    } else {
        tr!("ui.time.s", s = s)
    };
    if at > now {
        tr!("ui.time.in", span = span)
    } else {
        tr!("ui.time.ago", span = span)
    }
}

pub fn lines(app: &App, theme: &Theme) -> Lines {
    let f = match &app.fetch {
        FetchState::Idle => return vec![Line::raw(tr!("ui.token.not_fetched"))],
        FetchState::Running => {
            return vec![Line::raw(format!(
                "{} {}",
                theme.spinner(app.spinner),
                tr!("ui.token.fetching")
            ))];
        }
        FetchState::Done(Err(e)) => {
            let mut out = vec![Line::styled(
                format!("{} {}", Status::Fail.mark(theme.ascii), e.summary),
                theme.status(Status::Fail),
            )];
            out.extend(para(&e.cause.to_string(), "  ", theme.value()));
            out.push(Line::from(vec![
                Span::styled(format!("  {} ", tr!("ui.label.fix")), theme.heading()),
                Span::raw(e.fix.to_string()),
            ]));
            if let Some(raw) = &e.raw {
                out.extend(para(
                    &raw.to_string(),
                    &format!("  {} ", tr!("ui.label.raw")),
                    theme.dim(),
                ));
            }
            return out;
        }
        FetchState::Done(Ok(f)) => f,
    };
    let s = &f.summary;
    let mut out = vec![heading(theme, &tr!("ui.token.heading"))];
    out.push(kv(
        theme,
        &tr!("ui.label.source"),
        f.token.source.to_string(),
    ));
    out.push(kv(
        theme,
        &tr!("ui.label.endpoint"),
        f.token.endpoint.clone(),
    ));
    if let Some(h) = &app.session.settings.identity_header {
        out.push(kv(
            theme,
            &tr!("ui.label.header"),
            format!("X-IDENTITY-HEADER {}", h.value.describe()),
        ));
    }
    out.push(kv(
        theme,
        &tr!("ui.label.resource"),
        format!(
            "{} ({})",
            f.token.resource, app.session.settings.resource.origin
        ),
    ));
    let version = match s.version {
        TokenVersion::V1 => tr!("ui.token.v1", issuer = "sts.windows.net"),
        TokenVersion::V2 => tr!("ui.token.v2", issuer = "login.microsoftonline.com/.../v2.0"),
        TokenVersion::Unknown => tr!("ui.token.unknown_version"),
    };
    out.push(kv(theme, &tr!("ui.label.version"), version));
    if let Some((at, from)) = f.expires_at() {
        let style = if at <= app.now {
            theme.status(Status::Fail)
        } else {
            theme.value()
        };
        let label = tr!("ui.label.expires");
        out.push(Line::from(vec![
            Span::styled(pad(&label, 12) + " ", theme.label()),
            Span::styled(countdown(at, app.now), style),
            Span::styled(
                format!(
                    "  {}",
                    tr!(
                        "ui.token.expiry_from",
                        at = crate::jwt::format_utc(at),
                        from = from.to_string()
                    )
                ),
                theme.dim(),
            ),
        ]));
    }
    let label = tr!("ui.label.signature");
    let mut sig = vec![Span::styled(pad(&label, 12) + " ", theme.label())];
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
                "{} {}",
                theme.spinner(app.spinner),
                tr!("ui.token.verifying")
            )));
        }
        None => sig.push(Span::styled(tr!("ui.token.not_verified"), theme.dim())),
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
            out.extend(para(&fd.fix.to_string(), &fix_prefix(), theme.value()));
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
            out.extend(para(&fd.fix.to_string(), &fix_prefix(), theme.value()));
        }
    }
    if let Some(sha) = &s.sha256 {
        out.push(kv(theme, "sha256", sha.clone()));
    }

    out.push(Line::raw(""));
    out.push(heading(theme, &tr!("ui.token.identity")));
    let missing = || tr!("ui.token.missing");
    out.push(kv(theme, "iss", s.issuer.clone().unwrap_or_else(missing)));
    out.push(kv(
        theme,
        "aud",
        if s.audience.is_empty() {
            missing()
        } else {
            s.audience.join(", ")
        },
    ));
    out.push(kv(
        theme,
        "sub",
        s.identity.sub.clone().unwrap_or_else(missing),
    ));
    for (k, v) in [
        ("oid".to_string(), &s.identity.oid),
        ("tid".to_string(), &s.identity.tid),
        (tr!("ui.label.client_id"), &s.identity.client_id),
        (tr!("ui.label.resource_id"), &s.identity.mirid),
    ] {
        if let Some(v) = v {
            out.push(kv(theme, &k, v.clone()));
        }
    }

    out.push(Line::raw(""));
    out.push(heading(theme, &tr!("ui.token.header")));
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
    out.push(heading(theme, &tr!("ui.token.claims")));
    for (k, v) in &s.claims {
        let shown = match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        out.push(kv(theme, k, shown));
    }
    if !s.notes.is_empty() {
        out.push(Line::raw(""));
        out.push(heading(theme, &tr!("ui.label.notes")));
        for n in &s.notes {
            out.push(Line::raw(format!("- {n}")));
        }
    }
    out
}

/// `  fix: ` before a fix's first line.
fn fix_prefix() -> String {
    format!("  {} ", tr!("ui.label.fix"))
}
