//! Overlays: help, the in-place editor and the path prompt (the `p` chooser: chooser.rs).

use super::{block, heading};
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

fn show(frame: &mut Frame, rect: Rect, theme: &Theme, title: &str, lines: Vec<Line<'static>>) {
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(super::sanitised(lines))
            .block(block(theme, format!(" {title} ")))
            .wrap(Wrap { trim: false }),
        rect,
    );
}

const HELP: &[(&str, &str)] = &[
    ("1-6", "go to a step"),
    ("Tab, Left/Right", "previous / next step"),
    ("Up/Down, PgUp/PgDn", "scroll the step"),
    ("Enter", "the step's action"),
    ("t", "run the end-to-end test"),
    ("r", "re-fetch the token and re-run everything"),
    ("w", "write the credential configuration"),
    ("f", "url / executable credential config"),
    ("e", "edit a setting in place"),
    ("p", "print one value alone, or all (to copy)"),
    ("y", "copy via OSC 52 (may not reach browsers)"),
    ("s", "save this step's values to a file"),
    ("?", "this help"),
    ("q, Esc, Ctrl+C", "quit (prints a summary)"),
];

pub fn help(frame: &mut Frame, area: Rect, theme: &Theme) {
    let mut lines = Vec::new();
    for (k, what) in HELP {
        lines.push(Line::from(vec![
            Span::styled(format!("{k:<20}"), theme.key()),
            Span::raw(what.to_string()),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Any key closes this help.", theme.dim()));
    let rect = centered(area, 64, HELP.len() as u16 + 4);
    show(frame, rect, theme, "Keys", lines);
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
            lines.push(Line::styled(
                "Pick a setting (Up/Down, Enter; Esc closes)",
                theme.dim(),
            ));
            for (i, f) in Field::ALL.iter().enumerate() {
                let v = f.current(settings);
                let v = if v.is_empty() {
                    "(not set)".to_string()
                } else {
                    v
                };
                let mut line = Line::from(vec![
                    Span::raw(format!("{:<16}", f.label())),
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
                &format!("{} ({})", field.label(), field.env()),
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
                        format!(
                            "ok: empty means {}",
                            field.empty_means().unwrap_or("not set")
                        )
                    } else {
                        "ok".to_string()
                    },
                    theme.status(crate::checks::Status::Pass),
                )),
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                if field.affects_token() {
                    "Enter applies (re-fetches the token, re-runs the checks); Esc cancels"
                } else {
                    "Enter applies (re-derives the values, re-runs the checks); Esc cancels"
                },
                theme.dim(),
            ));
            lines.push(Line::styled("Paste works; Ctrl+U clears.", theme.dim()));
        }
    }
    let height = lines.len() as u16 + 2;
    let rect = centered(area, area.width.saturating_sub(8).min(76), height.max(8));
    show(frame, rect, theme, "Edit a setting", lines);
}

pub fn path(frame: &mut Frame, area: Rect, _app: &App, p: &PathPrompt, theme: &Theme) {
    let mut lines = vec![
        Line::raw(format!("Write the {} to (mode 0600):", p.kind.what())),
        Line::from(vec![
            Span::raw("> "),
            Span::styled(p.buffer.clone(), theme.value()),
            Span::raw(cursor(theme)),
        ]),
        Line::raw(""),
    ];
    if p.replace {
        lines.push(Line::styled(
            "The file exists with different content: Enter replaces it.",
            theme.error(),
        ));
    }
    if p.kind == FileKind::Config {
        lines.push(Line::styled(
            "The file holds the real identity header; it is written owner-only.",
            theme.dim(),
        ));
    }
    lines.push(Line::styled(
        "Enter writes; Esc cancels; Ctrl+U clears.",
        theme.dim(),
    ));
    let rect = centered(
        area,
        area.width.saturating_sub(8).min(76),
        lines.len() as u16 + 2,
    );
    show(frame, rect, theme, "Write a file", lines);
}
