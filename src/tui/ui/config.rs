//! Step 4: the credential configuration: preview, write result, lint of the file.

use super::{Lines, heading, mark_span, para};
use crate::checks::{CheckId, Status};
use crate::gcp::executable::{self as exe, CredentialForm};
use crate::gcp::{self, RevealHeader};
use crate::tui::app::{App, FileKind};
use crate::tui::theme::Theme;
use ratatui::text::{Line, Span};

pub fn lines(app: &App, theme: &Theme) -> Lines {
    let mut out = Vec::new();
    form_choice(app, theme, &mut out);
    match app.written.get(&FileKind::Config) {
        Some(Ok(w)) => {
            out.push(Line::styled(
                format!(
                    "{} {} {} (mode 0600)",
                    Status::Pass.mark(theme.ascii),
                    w.outcome,
                    w.path
                ),
                theme.status(Status::Pass),
            ));
            out.push(Line::raw("Point Google client libraries at it:"));
            out.push(Line::styled(
                format!(
                    "export GOOGLE_APPLICATION_CREDENTIALS={}",
                    gcp::shell_quote(&w.path)
                ),
                theme.value(),
            ));
            out.push(Line::styled(
                match app.written_form {
                    CredentialForm::Url => "The file embeds the current IDENTITY_HEADER, which the platform rotates on restart: regenerate it at app start-up (wif-doctor config --force).",
                    CredentialForm::Executable => "The library runs wif-doctor subject-token on every refresh: nothing to regenerate. Keep this binary where it is (under /home).",
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
                    "Preview (the identity header is redacted here; w writes the real file)",
                    gcp::credential_config(&inputs).to_json(RevealHeader::No),
                )
            })
            .map_err(|missing| missing.join("\n")),
        CredentialForm::Executable => app
            .executable_preview()
            .map(|json| ("Preview (no secret in this form)", json)),
    };
    match preview {
        Ok((title, json)) => {
            out.push(heading(theme, title));
            out.extend(para(&json, "", theme.value()));
            out.push(Line::from(vec![
                Span::raw("w writes it to "),
                Span::styled(app.default_config_path.clone(), theme.value()),
                Span::raw(" (mode 0600; you can change the path)"),
            ]));
        }
        Err(why) => {
            out.push(Line::styled(
                format!(
                    "{} The configuration cannot be built yet; it needs:",
                    Status::Warn.mark(theme.ascii)
                ),
                theme.status(Status::Warn),
            ));
            for m in why.lines() {
                out.push(Line::raw(format!(
                    "  - {}",
                    m.trim_start_matches("it needs ")
                )));
            }
            out.push(Line::raw("Press e to set the Google settings here."));
        }
    }
    out.push(Line::raw(""));
    out.push(heading(theme, "Existing configuration file (lint)"));
    match app.finding(CheckId::ConfigFile) {
        Some(f) => {
            out.push(Line::from(vec![
                mark_span(app, theme, super::Mark::Done(f.status)),
                Span::raw(" "),
                Span::styled(
                    f.detail
                        .to_string()
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .to_string(),
                    theme.status(f.status),
                ),
            ]));
            out.extend(para(
                &f.detail
                    .to_string()
                    .lines()
                    .skip(1)
                    .collect::<Vec<_>>()
                    .join("\n"),
                "  ",
                theme.value(),
            ));
            if !f.fix.is_empty() && f.status != Status::Pass {
                out.extend(para(&f.fix.to_string(), "  fix: ", theme.value()));
            }
        }
        None if app.checks_running => out.push(Line::raw(format!(
            "{} checking...",
            theme.spinner(app.spinner)
        ))),
        None => out.push(Line::styled(
            "not checked yet (t runs the checks)",
            theme.dim(),
        )),
    }
    out
}

/// The two forms, one line of trade-off each, and the app settings the chosen one needs.
fn form_choice(app: &App, theme: &Theme, out: &mut Lines) {
    out.push(heading(theme, "Form (f switches)"));
    for form in CredentialForm::ALL {
        let chosen = form == app.config_form;
        let mark = match (chosen, theme.ascii) {
            (true, false) => "(●)",
            (true, true) => "(*)",
            (false, _) => "( )",
        };
        let style = if chosen { theme.value() } else { theme.dim() };
        out.push(Line::from(vec![
            Span::styled(format!("{mark} {:<11}", form.id()), style),
            Span::styled(form.tradeoff(), style),
        ]));
    }
    let path = match app.written.get(&FileKind::Config) {
        Some(Ok(w)) => w.path.clone(),
        _ => app.default_config_path.clone(),
    };
    out.push(Line::raw("App settings for this form:"));
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
