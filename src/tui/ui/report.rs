//! Step 6: write the redacted support report.

use super::{Lines, heading};
use crate::checks::Status;
use crate::tr;
use crate::tui::app::{App, FileKind};
use crate::tui::theme::Theme;
use ratatui::text::Line;

pub fn lines(app: &App, theme: &Theme) -> Lines {
    let mut out = vec![
        heading(theme, &tr!("ui.report.heading")),
        Line::raw(tr!("ui.report.what")),
        Line::raw(""),
    ];
    match app.written.get(&FileKind::Report) {
        Some(Ok(w)) => {
            out.push(super::written_ok(theme, w));
            out.push(Line::raw(tr!("ui.report.attach")));
        }
        Some(Err(e)) => out.push(Line::styled(
            format!("{} {e}", Status::Fail.mark(theme.ascii)),
            theme.status(Status::Fail),
        )),
        None => out.push(Line::raw(tr!(
            "ui.report.press_enter",
            path = app.default_report_path.clone()
        ))),
    }
    if app.checks_running {
        out.push(Line::raw(""));
        out.push(Line::styled(
            tr!("ui.report.still_running"),
            theme.status(Status::Warn),
        ));
    }
    out
}
