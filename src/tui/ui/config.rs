//! Step 4: the credential configuration: preview, write result, lint of the file.

use super::{Lines, heading, mark_span, para};
use crate::checks::{CheckId, Status};
use crate::gcp::{self, RevealHeader};
use crate::tui::app::{App, FileKind};
use crate::tui::theme::Theme;
use ratatui::text::{Line, Span};

pub fn lines(app: &App, theme: &Theme) -> Lines {
    let mut out = Vec::new();
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
                "The file embeds the current IDENTITY_HEADER, which the platform rotates on restart: regenerate it at app start-up (wif-doctor config --force).",
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
    match app.session.config_inputs() {
        Ok(inputs) => {
            out.push(heading(
                theme,
                "Preview (the identity header is redacted here; w writes the real file)",
            ));
            out.extend(para(
                &gcp::credential_config(&inputs).to_json(RevealHeader::No),
                "",
                theme.value(),
            ));
            out.push(Line::from(vec![
                Span::raw("w writes it to "),
                Span::styled(app.default_config_path.clone(), theme.value()),
                Span::raw(" (mode 0600; you can change the path)"),
            ]));
        }
        Err(missing) => {
            out.push(Line::styled(
                format!(
                    "{} The configuration cannot be built yet; it needs:",
                    Status::Warn.mark(theme.ascii)
                ),
                theme.status(Status::Warn),
            ));
            for m in missing {
                out.push(Line::raw(format!("  - {m}")));
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
                    f.detail.lines().next().unwrap_or_default().to_string(),
                    theme.status(f.status),
                ),
            ]));
            out.extend(para(
                &f.detail.lines().skip(1).collect::<Vec<_>>().join("\n"),
                "  ",
                theme.value(),
            ));
            if !f.fix.is_empty() && f.status != Status::Pass {
                out.extend(para(&f.fix, "  fix: ", theme.value()));
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
