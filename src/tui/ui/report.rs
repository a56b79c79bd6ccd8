//! Step 6: write the redacted support report.

use super::{Lines, heading};
use crate::checks::Status;
use crate::tui::app::{App, FileKind};
use crate::tui::theme::Theme;
use ratatui::text::{Line, Span};

pub fn lines(app: &App, theme: &Theme) -> Lines {
    let mut out = vec![
        heading(theme, "Redacted support report (Markdown)"),
        Line::raw(
            "Settings with their origins, the token's claims (never the token: only its SHA-256), the Google values and every finding with its fix. The identity header is described by its length only.",
        ),
        Line::raw(""),
    ];
    match app.written.get(&FileKind::Report) {
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
            out.push(Line::raw("Attach it to a support request; read it first."));
        }
        Some(Err(e)) => out.push(Line::styled(
            format!("{} {e}", Status::Fail.mark(theme.ascii)),
            theme.status(Status::Fail),
        )),
        None => out.push(Line::from(vec![
            Span::raw("Press Enter to write it to "),
            Span::styled(app.default_report_path.clone(), theme.value()),
            Span::raw(" (mode 0600; you can change the path)."),
        ])),
    }
    if app.checks_running {
        out.push(Line::raw(""));
        out.push(Line::styled(
            "The checks are still running: the report holds what has finished.",
            theme.status(Status::Warn),
        ));
    }
    out
}
