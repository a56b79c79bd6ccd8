//! Drawing: pure functions of `&App` into a ratatui `Frame`, so tests can draw into a
//! `TestBackend`. One module per step; this one lays out the frame (title, sidebar with
//! live marks, the step's pane, status and key lines) and the overlays.

mod chooser;
mod config;
mod environment;
mod overlay;
mod report;
mod test;
mod token;
mod values;

use super::app::{App, MIN_HEIGHT, MIN_WIDTH, Overlay, Step};
use super::theme::Theme;
use crate::checks::{CheckId, Status};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

pub(crate) type Lines = Vec<Line<'static>>;

/// A step's or a hop's live state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Pending,
    Running,
    Done(Status),
}

/// The mark of a group of checks: running if any runs, else the worst finished one
/// (a skip counts only when everything was skipped).
pub fn group_mark(app: &App, ids: &[CheckId]) -> Mark {
    if ids.iter().any(|id| app.running.contains(id)) {
        return Mark::Running;
    }
    let done: Vec<Status> = ids
        .iter()
        .filter_map(|id| app.finding(*id).map(|f| f.status))
        .collect();
    if done.is_empty() {
        return if app.checks_running {
            Mark::Running
        } else {
            Mark::Pending
        };
    }
    let worst = done.iter().copied().filter(|s| *s != Status::Skip).max();
    Mark::Done(worst.unwrap_or(Status::Skip))
}

pub fn step_mark(app: &App, step: Step) -> Mark {
    use super::app::{FetchState, FileKind};
    match step {
        Step::Environment => group_mark(app, &[CheckId::AzureSource, CheckId::GcpSettings]),
        Step::Token => match &app.fetch {
            super::app::FetchState::Running => Mark::Running,
            FetchState::Done(Err(_)) => Mark::Done(Status::Fail),
            _ => group_mark(
                app,
                &[
                    CheckId::AzureToken,
                    CheckId::TokenClaims,
                    CheckId::TokenSignature,
                ],
            ),
        },
        Step::Values => match &app.fetch {
            FetchState::Running => Mark::Running,
            FetchState::Idle => Mark::Pending,
            FetchState::Done(Err(_)) => Mark::Done(Status::Fail),
            FetchState::Done(Ok(_)) if !app.values.missing.is_empty() => Mark::Done(Status::Warn),
            FetchState::Done(Ok(_)) => Mark::Done(Status::Pass),
        },
        Step::Config => match app.written.get(&FileKind::Config) {
            Some(Ok(_)) => group_mark(app, &[CheckId::ConfigFile]),
            Some(Err(_)) => Mark::Done(Status::Fail),
            None if !app.config_missing().is_empty() => Mark::Done(Status::Warn),
            None => match group_mark(app, &[CheckId::ConfigFile]) {
                // No file yet is not a problem: it is what this step writes.
                Mark::Done(Status::Skip) => Mark::Pending,
                m => m,
            },
        },
        Step::Test => group_mark(app, &test::ALL_HOP_IDS),
        Step::Report => match app.written.get(&FileKind::Report) {
            Some(Ok(_)) => Mark::Done(Status::Pass),
            Some(Err(_)) => Mark::Done(Status::Fail),
            None => Mark::Pending,
        },
    }
}

pub(crate) fn mark_span(app: &App, theme: &Theme, mark: Mark) -> Span<'static> {
    match mark {
        Mark::Pending => Span::styled(if theme.ascii { ".." } else { "·" }, theme.dim()),
        Mark::Running => Span::raw(theme.spinner(app.spinner)),
        Mark::Done(s) => Span::styled(s.mark(theme.ascii), theme.status(s)),
    }
}

/// `label` padded, then the value.
pub(crate) fn kv(theme: &Theme, label: &str, value: impl Into<String>) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<12} "), theme.label()),
        Span::styled(value.into(), theme.value()),
    ])
}

pub(crate) fn heading(theme: &Theme, text: &str) -> Line<'static> {
    Line::styled(text.to_string(), theme.heading())
}

/// Multi-line text, one `Line` per line, in `style`, each prefixed by `indent`.
pub(crate) fn para(text: &str, indent: &str, style: Style) -> Lines {
    text.lines()
        .map(|l| Line::styled(format!("{indent}{l}"), style))
        .collect()
}

/// The wizard's choke point for text we did not write: every span of a pane, the status
/// line and the overlays passes through here before it reaches the terminal, so a control
/// character from a server, a claim or a setting shows as a visible escape (and the run's
/// secrets are scrubbed). Our own text is unchanged.
pub(crate) fn sanitised(lines: Lines) -> Lines {
    let r = crate::secret::registry();
    lines
        .into_iter()
        .map(|mut line| {
            for span in line.spans.iter_mut() {
                let clean = crate::untrusted::line(&r.scrub(&span.content)).into_owned();
                if clean != span.content {
                    span.content = clean.into();
                }
            }
            line
        })
        .collect()
}

pub(crate) fn block(theme: &Theme, title: String) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_set(theme.border())
        .title(Span::styled(title, theme.title()))
}

/// Draw the whole wizard.
pub fn render(frame: &mut Frame, app: &App) {
    let theme = Theme::new(app.monochrome, app.ascii);
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, &theme);
        return;
    }
    let [title, body, status, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(5),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let wide = area.width >= 76;
    let sidebar_width = if wide { 24 } else { 20 };
    let [side, main] =
        Layout::horizontal([Constraint::Length(sidebar_width), Constraint::Min(20)]).areas(body);

    title_bar(frame, title, app, &theme);
    sidebar(frame, side, app, &theme, wide);
    step_pane(frame, main, app, &theme);
    status_line(frame, status, app, &theme);
    key_line(frame, keys, app, &theme);

    match &app.overlay {
        Overlay::None => {}
        Overlay::Help => overlay::help(frame, area, &theme),
        Overlay::Edit(e) => overlay::edit(frame, area, app, e, &theme),
        Overlay::Path(p) => overlay::path(frame, area, app, p, &theme),
        Overlay::Chooser(c) => chooser::chooser(frame, area, c, &theme),
    }
}

fn too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let msg = format!(
        "terminal too small: need {MIN_WIDTH}{x}{MIN_HEIGHT}, have {}{x}{}",
        area.width,
        area.height,
        x = theme.times()
    );
    let lines = vec![
        Line::styled(msg, theme.error()),
        Line::raw(""),
        Line::raw("enlarge the window, or press q to quit"),
    ];
    let top = area.height.saturating_sub(3) / 2;
    let rect = Rect {
        y: area.y + top,
        height: area.height - top,
        ..area
    };
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

fn title_bar(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut spans = vec![
        Span::styled("wif-doctor", theme.title()),
        Span::raw(format!(
            " Azure managed identity {} Google Cloud",
            theme.arrow()
        )),
    ];
    if let Some(s) = &app.demo {
        spans.push(Span::styled(format!("  [demo: {s}]"), theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn sidebar(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, wide: bool) {
    let mut lines = Vec::new();
    for step in Step::ALL {
        let mark = mark_span(app, theme, step_mark(app, step));
        let name = if wide {
            step.title()
        } else {
            step.short_title()
        };
        let mut line = Line::from(vec![
            Span::raw(format!(" {} ", step.digit())),
            mark,
            Span::raw(format!(" {name}")),
        ]);
        if step == app.step {
            line = line.style(theme.selected());
        }
        lines.push(line);
    }
    lines.push(Line::raw(""));
    let summary = summary_line(app, theme);
    lines.push(summary);
    frame.render_widget(
        Paragraph::new(lines).block(block(theme, " Steps ".into())),
        area,
    );
}

fn summary_line(app: &App, theme: &Theme) -> Line<'static> {
    if app.checks_running {
        return Line::from(vec![
            Span::raw(format!(" {} ", theme.spinner(app.spinner))),
            Span::raw("checking"),
        ]);
    }
    if !app.checks_ran {
        return Line::styled(" checks not run", theme.dim());
    }
    let count = |s: Status| app.findings.values().filter(|f| f.status == s).count();
    let (fail, warn, pass) = (
        count(Status::Fail),
        count(Status::Warn),
        count(Status::Pass),
    );
    if fail > 0 {
        Line::styled(
            format!(" {fail} failed, {pass} ok"),
            theme.status(Status::Fail),
        )
    } else if warn > 0 {
        Line::styled(
            format!(" {warn} warnings, {pass} ok"),
            theme.status(Status::Warn),
        )
    } else {
        Line::styled(format!(" all {pass} checks ok"), theme.status(Status::Pass))
    }
}

fn step_pane(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let lines = match app.step {
        Step::Environment => environment::lines(app, theme, area.width.saturating_sub(2)),
        Step::Token => token::lines(app, theme),
        Step::Values => values::lines(app, theme),
        Step::Config => config::lines(app, theme),
        Step::Test => test::lines(app, theme),
        Step::Report => report::lines(app, theme),
    };
    let lines = sanitised(lines);
    let max = lines.len().saturating_sub(1) as u16;
    let scroll = app.scroll[app.step.index()].min(max);
    let title = format!(" {} {} ", app.step.digit(), app.step.title());
    frame.render_widget(
        Paragraph::new(lines)
            .block(block(theme, title))
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}

fn status_line(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let line = match &app.toast {
        Some(t) => Line::styled(format!(" {t}"), theme.heading()),
        None => Line::styled(format!(" {}", step_hint(app.step)), theme.dim()),
    };
    let line = sanitised(vec![line]).remove(0);
    frame.render_widget(Paragraph::new(line), area);
}

fn step_hint(step: Step) -> &'static str {
    match step {
        Step::Environment => {
            "Enter or e edits a setting in place; p prints the app-settings command"
        }
        Step::Token => "Enter fetches a fresh token; the token itself is never shown",
        Step::Values => {
            "Enter or p prints one value you pick (or all) for copying; s saves them all"
        }
        Step::Config => "f switches the form; Enter or w writes the file (mode 0600)",
        Step::Test => "Enter or t runs the end-to-end test",
        Step::Report => "Enter writes the redacted support report",
    }
}

fn key_line(frame: &mut Frame, area: Rect, _app: &App, theme: &Theme) {
    let keys: &[(&str, &str)] = &[
        ("1-6", "step"),
        ("t", "test"),
        ("w", "write"),
        ("e", "edit"),
        ("p", "print"),
        ("y", "copy"),
        ("?", "help"),
        ("q", "quit"),
    ];
    let mut spans = vec![Span::raw(" ")];
    for (k, what) in keys {
        spans.push(Span::styled(k.to_string(), theme.key()));
        spans.push(Span::raw(format!(" {what}  ")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
