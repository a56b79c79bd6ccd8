//! Overlays: help, the in-place editor and the path prompt (the `p` chooser: chooser.rs).

use super::{block, fit, heading, pad};
use crate::tui::app::{App, Edit, Field, FileKind, PathPrompt};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Rows `lines` take when wrapped to `inner` columns (display width; a wide character that
/// does not fit moves to the next row, hence the extra row for long lines).
pub(super) fn wrapped_rows(lines: &[Line<'static>], inner: u16) -> u16 {
    // Japanese lines are wrapped exactly (as `show` will); the rest by the paragraph.
    let lines = super::wrap_wide(lines.to_vec(), inner);
    let inner = usize::from(inner.max(1));
    lines
        .iter()
        .map(|l| {
            let w = l.width();
            if w <= inner {
                1
            } else {
                w.div_ceil(inner.saturating_sub(1).max(1)) as u16
            }
        })
        .sum()
}

/// Clears `rect` for an overlay, and the wide character just left of it whose right half
/// the overlay's border would cover (a half-covered wide character would push the border
/// one column to the right on the terminal).
pub(super) fn clear(frame: &mut Frame, rect: Rect) {
    frame.render_widget(Clear, rect);
    if rect.x == 0 {
        return;
    }
    let buf = frame.buffer_mut();
    for y in rect.y..rect.y + rect.height {
        if let Some(cell) = buf.cell_mut((rect.x - 1, y))
            && super::width(cell.symbol()) > 1
        {
            cell.set_symbol(" ");
        }
    }
}

fn show(frame: &mut Frame, rect: Rect, theme: &Theme, title: &str, lines: Vec<Line<'static>>) {
    clear(frame, rect);
    frame.render_widget(
        Paragraph::new(super::wrap_wide(
            super::sanitised(lines),
            rect.width.saturating_sub(2),
        ))
        .block(block(theme, format!(" {title} ")))
        .wrap(Wrap { trim: false }),
        rect,
    );
}

/// The help rows: keys (not translated) and what they do.
fn help_rows() -> [(&'static str, String); 14] {
    use crate::tr;
    [
        ("1-6", tr!("ui.help.step")),
        ("Tab, Left/Right", tr!("ui.help.move")),
        ("Up/Down, PgUp/PgDn", tr!("ui.help.scroll")),
        ("Enter", tr!("ui.help.enter")),
        ("t", tr!("ui.help.test")),
        ("r", tr!("ui.help.rerun")),
        ("w", tr!("ui.help.write")),
        ("f", tr!("ui.help.form")),
        ("e", tr!("ui.help.edit")),
        ("p", tr!("ui.help.print")),
        ("y", tr!("ui.help.copy")),
        ("s", tr!("ui.help.save")),
        ("?", tr!("ui.help.help")),
        ("q, Esc, Ctrl+C", tr!("ui.help.quit")),
    ]
}

pub fn help(frame: &mut Frame, area: Rect, theme: &Theme) {
    let rows = help_rows();
    let rect = centered(area, 64, rows.len() as u16 + 4);
    // Inside the borders: 20 columns of keys, the rest for what they do (one row each).
    let room = usize::from(rect.width.saturating_sub(2 + 20));
    let mut lines = Vec::new();
    for (k, what) in &rows {
        lines.push(Line::from(vec![
            Span::styled(pad(k, 20), theme.key()),
            Span::raw(fit(what, room, theme.ascii)),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(crate::tr!("ui.help.close"), theme.dim()));
    show(frame, rect, theme, &crate::tr!("ui.help.title"), lines);
}

fn cursor(theme: &Theme) -> &'static str {
    if theme.ascii { "_" } else { "▏" }
}

pub fn edit(frame: &mut Frame, area: Rect, app: &App, e: &Edit, theme: &Theme) {
    let settings = &app.session.settings;
    let field = Field::ALL[e.field];
    let mut lines = Vec::new();
    match &e.buffer {
        None => {
            lines.push(Line::styled(crate::tr!("ui.edit.pick"), theme.dim()));
            for (i, f) in Field::ALL.iter().enumerate() {
                let v = f.current(settings);
                let v = if v.is_empty() {
                    crate::tr!("ui.edit.unset")
                } else {
                    v
                };
                let label = f.label();
                let mut line = Line::from(vec![
                    Span::raw(pad(&label, 16.max(super::width(&label) + 1))),
                    Span::styled(v, theme.value()),
                ]);
                if i == e.field {
                    line = line.style(theme.selected());
                }
                lines.push(line);
            }
        }
        Some(buf) => {
            lines.push(heading(
                theme,
                &crate::tr!("ui.edit.heading", field = field.label(), env = field.env()),
            ));
            lines.push(Line::from(vec![
                Span::raw("> "),
                Span::styled(buf.clone(), theme.value()),
                Span::raw(cursor(theme)),
            ]));
            match &e.error {
                Some(msg) => lines.push(Line::styled(msg.clone(), theme.error())),
                None => lines.push(Line::styled(
                    if buf.trim().is_empty() {
                        crate::tr!(
                            "ui.edit.ok_empty",
                            means = field
                                .empty_means()
                                .unwrap_or_else(|| crate::tr!("ui.field.empty.not_set"))
                        )
                    } else {
                        crate::tr!("ui.edit.ok")
                    },
                    theme.status(crate::checks::Status::Pass),
                )),
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                if field.affects_token() {
                    crate::tr!("ui.edit.apply_refetch")
                } else {
                    crate::tr!("ui.edit.apply_rederive")
                },
                theme.dim(),
            ));
            lines.push(Line::styled(crate::tr!("ui.edit.paste"), theme.dim()));
        }
    }
    let width = area.width.saturating_sub(8).min(76);
    let height = wrapped_rows(&lines, width.saturating_sub(2)) + 2;
    let rect = centered(area, width, height.max(8));
    show(frame, rect, theme, &crate::tr!("ui.edit.title"), lines);
}

pub fn path(frame: &mut Frame, area: Rect, _app: &App, p: &PathPrompt, theme: &Theme) {
    let mut lines = vec![
        Line::raw(crate::tr!("ui.path.prompt", what = p.kind.what())),
        Line::from(vec![
            Span::raw("> "),
            Span::styled(p.buffer.clone(), theme.value()),
            Span::raw(cursor(theme)),
        ]),
        Line::raw(""),
    ];
    if p.replace {
        lines.push(Line::styled(crate::tr!("ui.path.replace"), theme.error()));
    }
    if p.kind == FileKind::Config {
        lines.push(Line::styled(crate::tr!("ui.path.secret"), theme.dim()));
    }
    lines.push(Line::styled(crate::tr!("ui.path.keys"), theme.dim()));
    let width = area.width.saturating_sub(8).min(76);
    let rect = centered(
        area,
        width,
        wrapped_rows(&lines, width.saturating_sub(2)) + 2,
    );
    show(frame, rect, theme, &crate::tr!("ui.path.title"), lines);
}
