//! Step 4: the credential configuration: preview, write result, lint of the file.

use super::{Lines, heading, mark_span, pad, para};
use crate::checks::{CheckId, Status};
use crate::gcp::executable::{self as exe, CredentialForm};
use crate::gcp::{self, RevealHeader};
use crate::tr;
use crate::tui::app::{App, FileKind};
use crate::tui::theme::Theme;
use ratatui::text::{Line, Span};

pub fn lines(app: &App, theme: &Theme) -> Lines {
    let mut out = Vec::new();
    form_choice(app, theme, &mut out);
    match app.written.get(&FileKind::Config) {
        Some(Ok(w)) => {
            out.push(super::written_ok(theme, w));
            out.push(Line::raw(tr!("ui.config.point_libraries")));
            out.push(Line::styled(
                format!(
                    "export GOOGLE_APPLICATION_CREDENTIALS={}",
                    gcp::shell_quote(&w.path)
                ),
                theme.value(),
            ));
            out.push(Line::styled(
                match app.written_form {
                    CredentialForm::Url => tr!(
                        "ui.config.url_note",
                        var = "IDENTITY_HEADER",
                        command = "wif-doctor config --force"
                    ),
                    CredentialForm::Executable => tr!(
                        "ui.config.executable_note",
                        command = "wif-doctor subject-token",
                        dir = "/home"
                    ),
                },
                theme.dim(),
            ));
            out.push(Line::raw(""));
        }
        Some(Err(e)) => {
            out.push(Line::styled(
                format!("{} {e}", Status::Fail.mark(theme.ascii)),
                theme.status(Status::Fail),
            ));
            out.push(Line::raw(""));
        }
        None => {}
    }
    let preview = match app.config_form {
        CredentialForm::Url => app
            .session
            .config_inputs()
            .map(|inputs| {
                (
                    tr!("ui.config.preview_url"),
                    gcp::credential_config(&inputs).to_json(RevealHeader::No),
                )
            })
            .map_err(|missing| missing.iter().map(|m| m.to_string()).collect()),
        CredentialForm::Executable => app
            .executable_preview()
            .map(|json| (tr!("ui.config.preview_executable"), json)),
    };
    match preview {
        Ok((title, json)) => {
            out.push(heading(theme, &title));
            out.extend(para(&json, "", theme.value()));
            out.push(Line::raw(tr!(
                "ui.config.w_writes",
                path = app.default_config_path.clone()
            )));
        }
        Err(why) => {
            out.push(Line::styled(
                format!(
                    "{} {}",
                    Status::Warn.mark(theme.ascii),
                    tr!("ui.config.cannot_build")
                ),
                theme.status(Status::Warn),
            ));
            for m in why {
                out.push(Line::raw(format!("  - {m}")));
            }
            out.push(Line::raw(tr!("ui.config.press_e")));
        }
    }
    out.push(Line::raw(""));
    out.push(heading(theme, &tr!("ui.config.lint")));
    match app.finding(CheckId::ConfigFile) {
        Some(f) => {
            let (head, rest) = super::detail_parts(f);
            out.push(Line::from(vec![
                mark_span(app, theme, super::Mark::Done(f.status)),
                Span::raw(" "),
                Span::styled(head, theme.status(f.status)),
            ]));
            out.extend(para(&rest, "  ", theme.value()));
            if !f.fix.is_empty() && f.status != Status::Pass {
                out.extend(para(
                    &f.fix.to_string(),
                    &format!("  {} ", tr!("ui.label.fix")),
                    theme.value(),
                ));
            }
        }
        None if app.checks_running => out.push(Line::raw(format!(
            "{} {}",
            theme.spinner(app.spinner),
            tr!("ui.config.checking")
        ))),
        None => out.push(Line::styled(tr!("ui.config.not_checked"), theme.dim())),
    }
    out
}

/// The two forms, one line of trade-off each, and the app settings the chosen one needs.
fn form_choice(app: &App, theme: &Theme, out: &mut Lines) {
    out.push(heading(theme, &tr!("ui.config.form")));
    for form in CredentialForm::ALL {
        let chosen = form == app.config_form;
        let mark = match (chosen, theme.ascii) {
            (true, false) => "(●)",
            (true, true) => "(*)",
            (false, _) => "( )",
        };
        let style = if chosen { theme.value() } else { theme.dim() };
        out.push(Line::from(vec![
            Span::styled(format!("{mark} {}", pad(form.id(), 11)), style),
            Span::styled(form.tradeoff().to_string(), style),
        ]));
    }
    let path = match app.written.get(&FileKind::Config) {
        Some(Ok(w)) => w.path.clone(),
        _ => app.default_config_path.clone(),
    };
    out.push(Line::raw(tr!("ui.config.appsettings")));
    out.push(Line::styled(
        exe::appsettings_command(
            app.session.settings.environment.app_service_site.as_deref(),
            &path,
            app.config_form == CredentialForm::Executable,
        ),
        theme.value(),
    ));
    out.push(Line::raw(""));
}
