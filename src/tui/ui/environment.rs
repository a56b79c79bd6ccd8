//! Step 1: where the identity comes from and where every setting came from.

use super::{Lines, heading, kv, pad, para, width as cols};
use crate::checks::{CheckId, Status};
use crate::gcp;
use crate::tr;
use crate::tui::app::{App, Field};
use crate::tui::theme::Theme;
use ratatui::text::{Line, Span};

/// The settings table's label column (values start here).
const LABEL_COLUMNS: usize = 19;

pub fn lines(app: &App, theme: &Theme, width: u16) -> Lines {
    let s = &app.session.settings;
    let mut out = vec![heading(theme, &tr!("ui.env.identity_source"))];
    match app.session.plan() {
        Ok(plan) => {
            out.push(kv(theme, &tr!("ui.label.source"), plan.kind.to_string()));
            out.push(kv(theme, &tr!("ui.label.endpoint"), plan.endpoint.clone()));
            if let Some(h) = &s.identity_header {
                out.push(kv(
                    theme,
                    &tr!("ui.label.header"),
                    format!("X-IDENTITY-HEADER {}", h.value.describe()),
                ));
            } else if let Some(h) = &s.msi_secret {
                out.push(kv(
                    theme,
                    &tr!("ui.label.secret"),
                    format!("MSI_SECRET {}", h.value.describe()),
                ));
            }
            out.push(kv(theme, &tr!("ui.label.why"), plan.reason.to_string()));
        }
        Err(e) => {
            out.push(Line::styled(
                format!("{} {}", Status::Fail.mark(theme.ascii), e.summary),
                theme.status(Status::Fail),
            ));
            out.extend(para(&e.cause.to_string(), "  ", theme.value()));
            out.push(Line::from(vec![
                Span::styled(format!("  {} ", tr!("ui.label.fix")), theme.heading()),
                Span::raw(e.fix.to_string()),
            ]));
        }
    }
    let env = &s.environment;
    if let Some(site) = &env.app_service_site {
        out.push(kv(
            theme,
            &tr!("ui.label.app"),
            tr!("ui.env.site", site = site.clone()),
        ));
    }
    if env.kudu {
        out.push(Line::styled(
            format!("  {}", tr!("ui.env.kudu")),
            theme.status(Status::Warn),
        ));
    }
    for (var, from) in &env.recovered {
        out.push(kv(
            theme,
            &tr!("ui.label.recovered"),
            tr!(
                "ui.env.recovered",
                var = var.to_string(),
                from = from.to_string()
            ),
        ));
    }

    out.push(Line::raw(""));
    out.push(heading(theme, &tr!("ui.env.settings")));
    for row in s.provenance() {
        let (name, value, origin) = (row.label(), row.value_text(), row.origin_text());
        let origin = if origin.is_empty() {
            "-".to_string()
        } else {
            origin
        };
        let origin = format!("({origin})");
        // A label wider than its column puts the value on the next line; the origin
        // stays on the value's line when it fits, else goes below it.
        let mut value_line = if cols(&name) < LABEL_COLUMNS {
            vec![Span::styled(pad(&name, LABEL_COLUMNS), theme.label())]
        } else {
            out.push(Line::styled(name, theme.label()));
            vec![Span::raw(pad("", LABEL_COLUMNS))]
        };
        let fits = LABEL_COLUMNS + cols(&value) + 2 + cols(&origin) <= width as usize;
        value_line.push(Span::styled(value, theme.value()));
        if fits {
            value_line.push(Span::styled(format!("  {origin}"), theme.dim()));
            out.push(Line::from(value_line));
        } else {
            out.push(Line::from(value_line));
            out.push(Line::styled(pad("", LABEL_COLUMNS) + &origin, theme.dim()));
        }
    }

    let missing = &app.values.missing;
    let settable: Vec<_> = missing
        .iter()
        .filter(|m| m.env.is_some() || m.flag.is_some())
        .collect();
    if !settable.is_empty() {
        out.push(Line::raw(""));
        out.push(heading(theme, &tr!("ui.env.missing")));
        let site = env
            .app_service_site
            .clone()
            .unwrap_or_else(|| "<APP_NAME>".into());
        for m in settable {
            out.push(Line::styled(
                format!("{} {}: {}", Status::Warn.mark(theme.ascii), m.name, m.why),
                theme.status(Status::Warn),
            ));
            if let Some(var) = m.env {
                let command = tr!(
                    "ui.cmd.appsettings_set",
                    site = gcp::shell_quote(&site),
                    var = var
                );
                out.push(Line::raw(format!(
                    "  {}",
                    tr!("ui.env.set_in_app_service", command = command)
                )));
            }
            let field = Field::ALL.iter().find(|f| Some(f.env()) == m.env);
            let how = match (m.flag, field.is_some()) {
                (Some(flag), true) => Some(tr!("ui.env.or_flag_or_edit", flag = flag)),
                (Some(flag), false) => Some(tr!("ui.env.or_flag", flag = flag)),
                (None, true) => Some(tr!("ui.env.or_edit")),
                (None, false) => None,
            };
            if let Some(how) = how {
                out.push(Line::raw(format!("  {how}")));
            }
        }
    }

    if let Some(f) = app.finding(CheckId::GcpSettings)
        && f.status != Status::Pass
    {
        out.push(Line::raw(""));
        out.push(Line::styled(
            format!("{} {}", f.status.mark(theme.ascii), f.title),
            theme.status(f.status),
        ));
        out.extend(para(&f.detail.to_string(), "  ", theme.value()));
        if !f.fix.is_empty() {
            out.extend(para(
                &f.fix.to_string(),
                &format!("  {} ", tr!("ui.label.fix")),
                theme.value(),
            ));
        }
    }
    out
}
