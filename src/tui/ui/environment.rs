//! Step 1: where the identity comes from and where every setting came from.

use super::{Lines, heading, kv, para};
use crate::checks::{CheckId, Status};
use crate::gcp;
use crate::tui::app::{App, Field};
use crate::tui::theme::Theme;
use ratatui::text::{Line, Span};

pub fn lines(app: &App, theme: &Theme, width: u16) -> Lines {
    let s = &app.session.settings;
    let mut out = vec![heading(theme, "Identity source")];
    match app.session.plan() {
        Ok(plan) => {
            out.push(kv(theme, "source", plan.kind.to_string()));
            out.push(kv(theme, "endpoint", plan.endpoint.clone()));
            if let Some(h) = &s.identity_header {
                out.push(kv(
                    theme,
                    "header",
                    format!("X-IDENTITY-HEADER {}", h.value.describe()),
                ));
            } else if let Some(h) = &s.msi_secret {
                out.push(kv(
                    theme,
                    "secret",
                    format!("MSI_SECRET {}", h.value.describe()),
                ));
            }
            out.push(kv(theme, "why", plan.reason.to_string()));
        }
        Err(e) => {
            out.push(Line::styled(
                format!("{} {}", Status::Fail.mark(theme.ascii), e.summary),
                theme.status(Status::Fail),
            ));
            out.extend(para(&e.cause.to_string(), "  ", theme.value()));
            out.push(Line::from(vec![
                Span::styled("  fix: ", theme.heading()),
                Span::raw(e.fix.to_string()),
            ]));
        }
    }
    let env = &s.environment;
    if let Some(site) = &env.app_service_site {
        out.push(kv(theme, "app", format!("App Service site {site}")));
    }
    if env.kudu {
        out.push(Line::styled(
            "  this shell is the Kudu (SCM) container, which never holds the app's identity",
            theme.status(Status::Warn),
        ));
    }
    for (var, from) in &env.recovered {
        out.push(kv(theme, "recovered", format!("{var} from {from}")));
    }

    out.push(Line::raw(""));
    out.push(heading(theme, "Settings (value, then where it came from)"));
    for (name, value, origin) in s.provenance() {
        let origin = if origin.is_empty() {
            "-".to_string()
        } else {
            origin
        };
        let origin = format!("({origin})");
        // The origin on the same line when it fits, else on its own line below the value.
        let fits = 19 + value.chars().count() + 2 + origin.chars().count() <= width as usize;
        let mut first = vec![
            Span::styled(format!("{name:<19}"), theme.label()),
            Span::styled(value, theme.value()),
        ];
        if fits {
            first.push(Span::styled(format!("  {origin}"), theme.dim()));
            out.push(Line::from(first));
        } else {
            out.push(Line::from(first));
            out.push(Line::styled(format!("{:<19}{origin}", ""), theme.dim()));
        }
    }

    let missing = &app.values.missing;
    let settable: Vec<_> = missing
        .iter()
        .filter(|m| m.env.is_some() || m.flag.is_some())
        .collect();
    if !settable.is_empty() {
        out.push(Line::raw(""));
        out.push(heading(theme, "Missing settings and how to set them"));
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
                out.push(Line::raw(format!(
                    "  App Service: az webapp config appsettings set -g <RESOURCE_GROUP> -n {} --settings {var}=<value>",
                    gcp::shell_quote(&site)
                )));
            }
            let field = Field::ALL.iter().find(|f| Some(f.env()) == m.env);
            let mut how = String::from("  or");
            if let Some(flag) = m.flag {
                how.push_str(&format!(" the flag {flag},"));
            }
            if field.is_some() {
                how.push_str(" or press e to edit it here");
            }
            out.push(Line::raw(how.trim_end_matches(',').to_string()));
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
            out.extend(para(&f.fix.to_string(), "  fix: ", theme.value()));
        }
    }
    out
}
