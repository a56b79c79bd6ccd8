//! Step 3: the exact Google values, gcloud commands and Terraform for this token.

use super::{Lines, heading, para};
use crate::checks::Status;
use crate::tr;
use crate::tui::app::{App, FetchState};
use crate::tui::theme::Theme;
use ratatui::text::Line;

pub fn lines(app: &App, theme: &Theme) -> Lines {
    let v = &app.values;
    let mut out = Vec::new();
    match &app.fetch {
        FetchState::Running => out.push(Line::raw(format!(
            "{} {}",
            theme.spinner(app.spinner),
            tr!("ui.values.fetching")
        ))),
        FetchState::Done(Err(_)) => out.push(Line::styled(
            tr!("ui.values.no_token"),
            theme.status(Status::Warn),
        )),
        _ => {}
    }
    for (title, value) in v.labelled() {
        out.push(heading(theme, &title.to_string()));
        out.push(Line::styled(value.to_string(), theme.value()));
    }
    if !v.missing.is_empty() {
        out.push(Line::raw(""));
        out.push(heading(theme, &tr!("ui.values.missing")));
        for m in &v.missing {
            out.push(Line::styled(
                format!("{} {}: {}", Status::Warn.mark(theme.ascii), m.name, m.why),
                theme.status(Status::Warn),
            ));
        }
    }
    out.push(Line::raw(""));
    out.push(heading(theme, &tr!("ui.values.gcloud")));
    for c in &v.gcloud {
        out.push(Line::styled(c.clone(), theme.value()));
        out.push(Line::raw(""));
    }
    out.push(heading(theme, "Terraform"));
    out.extend(para(&v.terraform, "", theme.value()));
    if !v.notes.is_empty() {
        out.push(Line::raw(""));
        out.push(heading(theme, &tr!("ui.label.notes")));
        for n in &v.notes {
            out.push(Line::raw(format!("- {n}")));
        }
    }
    out
}
