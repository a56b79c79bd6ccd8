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
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

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

/// Columns `s` takes on a terminal (a Japanese character takes two), never its chars or bytes.
pub(crate) fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` followed by spaces up to `columns` display columns (as `{:<n}` would for ASCII).
pub(crate) fn pad(s: &str, columns: usize) -> String {
    let w = width(s);
    let mut out = String::with_capacity(s.len() + columns.saturating_sub(w));
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', columns.saturating_sub(w)));
    out
}

fn ellipsis(ascii: bool) -> &'static str {
    if ascii { "..." } else { "…" }
}

/// `s` cut to `max` display columns, ending in an ellipsis when something was cut; a wide
/// character is never split (the cut may leave one column blank instead). Text we did not
/// write goes through the wizard's choke point first (secrets scrubbed, control characters
/// shown as escapes), so the cut is measured on what is drawn.
pub fn fit(s: &str, max: usize, ascii: bool) -> String {
    let ellipsis = ellipsis(ascii);
    let clean = crate::untrusted::line(&crate::secret::registry().scrub(s)).into_owned();
    if width(&clean) <= max {
        return clean;
    }
    let room = max.saturating_sub(width(ellipsis));
    let mut out = String::new();
    let mut used = 0;
    for c in clean.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        used += w;
        out.push(c);
    }
    if max >= width(ellipsis) {
        out.push_str(ellipsis);
    }
    out
}

/// `label` padded, then the value.
pub(crate) fn kv(theme: &Theme, label: &str, value: impl Into<String>) -> Line<'static> {
    // A label wider than its column (Japanese) still leaves one space before the value.
    Line::from(vec![
        Span::styled(pad(label, 12.max(width(label))) + " ", theme.label()),
        Span::styled(value.into(), theme.value()),
    ])
}

/// A finding's detail split into its headline (first line) and the rest, in the reader's
/// language.
pub(crate) fn detail_parts(f: &crate::checks::Finding) -> (String, String) {
    let text = f.detail.to_string();
    let mut lines = text.lines();
    let head = lines.next().unwrap_or_default().to_string();
    (head, lines.collect::<Vec<_>>().join("\n"))
}

/// "✓ wrote PATH" for a file the wizard wrote.
pub(crate) fn written_ok(theme: &Theme, w: &crate::tui::app::Written) -> Line<'static> {
    use crate::checks::Status;
    Line::styled(
        format!(
            "{} {}",
            Status::Pass.mark(theme.ascii),
            crate::tui::app::written_line(w)
        ),
        theme.status(Status::Pass),
    )
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

/// Lines holding double-width text (Japanese), wrapped here to `width` display columns;
/// every other line is left whole for the paragraph's own word wrap. Breaks after a space
/// or next to a wide character (Japanese breaks between characters), else before the
/// character that does not fit: a wide character is never split and no row is wider than
/// `width` (the paragraph's wrap can let a wide character straddle the right border).
pub(crate) fn wrap_wide(lines: Lines, width: u16) -> Lines {
    let width = usize::from(width.max(2));
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let wide = line
            .spans
            .iter()
            .any(|s| s.content.chars().any(|c| c.width().unwrap_or(0) > 1));
        if !wide || line.width() <= width {
            out.push(line);
            continue;
        }
        let chars: Vec<(char, Style)> = line
            .spans
            .iter()
            .flat_map(|s| s.content.chars().map(move |c| (c, s.style)))
            .collect();
        let mut start = 0;
        while start < chars.len() {
            let mut used = 0;
            let mut end = start;
            // The last place the row may end (exclusive index), and where the next begins.
            let mut brk: Option<(usize, usize)> = None;
            while end < chars.len() {
                let (c, _) = chars[end];
                let w = c.width().unwrap_or(0);
                if used + w > width {
                    break;
                }
                if c == ' ' {
                    brk = Some((end, end + 1));
                } else if w > 1 && end > start {
                    brk = Some((end, end));
                }
                used += w;
                end += 1;
                if w > 1 && end < chars.len() {
                    brk = Some((end, end));
                }
            }
            let (stop, next) = if end >= chars.len() {
                (end, end)
            } else {
                brk.filter(|(b, _)| *b > start)
                    .unwrap_or((end.max(start + 1), end.max(start + 1)))
            };
            let mut spans: Vec<Span<'static>> = Vec::new();
            for &(c, style) in &chars[start..stop] {
                match spans.last_mut() {
                    Some(last) if last.style == style => last.content.to_mut().push(c),
                    _ => spans.push(Span::styled(c.to_string(), style)),
                }
            }
            out.push(Line::from(spans).style(line.style));
            start = next;
        }
    }
    out
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
    let x = theme.times();
    let msg = crate::tr!(
        "ui.too_small.title",
        need = format!("{MIN_WIDTH}{x}{MIN_HEIGHT}"),
        have = format!("{}{x}{}", area.width, area.height)
    );
    let lines = vec![
        Line::styled(msg, theme.error()),
        Line::raw(""),
        Line::raw(crate::tr!("ui.too_small.hint")),
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
    let room = usize::from(area.width);
    let name = "wif-doctor";
    let tagline = format!(" {}", crate::tr!("ui.title.tagline", arrow = theme.arrow()));
    let tagline = fit(&tagline, room.saturating_sub(width(name)), theme.ascii);
    let mut spans = vec![
        Span::styled(name, theme.title()),
        Span::raw(tagline.clone()),
    ];
    if let Some(s) = &app.demo {
        let demo = format!("  {}", crate::tr!("ui.title.demo", scenario = s.clone()));
        let left = room.saturating_sub(width(name) + width(&tagline));
        spans.push(Span::styled(fit(&demo, left, theme.ascii), theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn sidebar(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, wide: bool) {
    let mut lines = Vec::new();
    for step in Step::ALL {
        let mark = mark_span(app, theme, step_mark(app, step));
        // Borders, digit, mark and spaces come first; the name gets the rest of the box,
        // the short name when the full one does not fit, cut as a last resort.
        let room =
            usize::from(area.width.saturating_sub(2 + 4)).saturating_sub(width(&mark.content));
        let title = step.title();
        let name = if wide && width(&title) <= room {
            title
        } else {
            step.short_title()
        };
        let name = fit(&name, room, theme.ascii);
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
    let title = format!(" {} ", crate::tr!("ui.sidebar.title"));
    frame.render_widget(
        Paragraph::new(wrap_wide(lines, area.width.saturating_sub(2))).block(block(theme, title)),
        area,
    );
}

fn summary_line(app: &App, theme: &Theme) -> Line<'static> {
    if app.checks_running {
        return Line::from(vec![
            Span::raw(format!(" {} ", theme.spinner(app.spinner))),
            Span::raw(crate::tr!("ui.sidebar.checking")),
        ]);
    }
    if !app.checks_ran {
        return Line::styled(
            format!(" {}", crate::tr!("ui.sidebar.not_run")),
            theme.dim(),
        );
    }
    let count = |s: Status| app.findings.values().filter(|f| f.status == s).count();
    let (fail, warn, pass) = (
        count(Status::Fail),
        count(Status::Warn),
        count(Status::Pass),
    );
    if fail > 0 {
        Line::styled(
            format!(
                " {}",
                crate::tr!("ui.sidebar.failed", fail = fail, pass = pass)
            ),
            theme.status(Status::Fail),
        )
    } else if warn > 0 {
        Line::styled(
            format!(
                " {}",
                crate::tr!("ui.sidebar.warned", warn = warn, pass = pass)
            ),
            theme.status(Status::Warn),
        )
    } else {
        Line::styled(
            format!(" {}", crate::tr!("ui.sidebar.all_ok", pass = pass)),
            theme.status(Status::Pass),
        )
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
    let lines = wrap_wide(sanitised(lines), area.width.saturating_sub(2));
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
    // One row, never wrapped: cut to the width (fit also sanitises what it measures).
    let room = usize::from(area.width.saturating_sub(1));
    let line = match &app.toast {
        Some(t) => Line::styled(format!(" {}", fit(t, room, theme.ascii)), theme.heading()),
        None => Line::styled(
            format!(" {}", fit(&step_hint(app.step), room, theme.ascii)),
            theme.dim(),
        ),
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn step_hint(step: Step) -> String {
    match step {
        Step::Environment => crate::tr!("ui.hint.environment"),
        Step::Token => crate::tr!("ui.hint.token"),
        Step::Values => crate::tr!("ui.hint.values"),
        Step::Config => crate::tr!("ui.hint.config"),
        Step::Test => crate::tr!("ui.hint.test"),
        Step::Report => crate::tr!("ui.hint.report"),
    }
}

fn key_line(frame: &mut Frame, area: Rect, _app: &App, theme: &Theme) {
    let keys = [
        ("1-6", crate::tr!("ui.keys.step")),
        ("t", crate::tr!("ui.keys.test")),
        ("w", crate::tr!("ui.keys.write")),
        ("e", crate::tr!("ui.keys.edit")),
        ("p", crate::tr!("ui.keys.print")),
        ("y", crate::tr!("ui.keys.copy")),
        ("?", crate::tr!("ui.keys.help")),
        ("q", crate::tr!("ui.keys.quit")),
    ];
    // Whole hints only, never a cut word: when they do not all fit, the least needed go
    // first (the help lists them all); the trailing gap of the last may be cut at the edge.
    let need = |ks: &[(&str, String)]| -> usize {
        1 + ks
            .iter()
            .map(|(k, w)| width(k) + width(w) + 3)
            .sum::<usize>()
            - 2
    };
    let mut keys = keys.to_vec();
    for drop in ["y", "w", "e", "p", "t", "1-6"] {
        if need(&keys) <= usize::from(area.width) {
            break;
        }
        keys.retain(|(k, _)| *k != drop);
    }
    let mut spans = vec![Span::raw(" ")];
    for (k, what) in keys {
        spans.push(Span::styled(k.to_string(), theme.key()));
        spans.push(Span::raw(format!(" {what}  ")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    const JA: &str =
        "トークンの署名 (OIDC ディスカバリー + JWKS) を検証しました。api://0a9b8c7d-6e5f";

    #[test]
    fn fit_cuts_by_display_width_and_never_splits_a_wide_character() {
        for max in 0..=width(JA) + 2 {
            for ascii in [false, true] {
                let cut = fit(JA, max, ascii);
                assert!(width(&cut) <= max.max(1), "{max}: {cut:?}");
                assert!(
                    JA.starts_with(cut.trim_end_matches(['…', '.'])),
                    "{max}: {cut:?}"
                );
            }
        }
        assert_eq!(fit("日本語", 5, false), "日本…");
        assert_eq!(fit("日本語", 4, false), "日…");
        assert_eq!(fit("日本語", 6, false), "日本語");
    }

    #[test]
    fn pad_counts_columns_not_chars() {
        assert_eq!(width(&pad("署名", 12)), 12);
        assert_eq!(pad("署名", 12), format!("署名{}", " ".repeat(8)));
        assert_eq!(pad("サービス アカウント", 12), "サービス アカウント");
    }

    #[test]
    fn wrap_wide_rows_fit_and_keep_every_character() {
        let line = Line::from(vec![
            Span::styled("✓ ", Style::default()),
            Span::raw(JA.to_string()),
        ]);
        for w in 2..60u16 {
            let rows = wrap_wide(vec![line.clone()], w);
            for r in &rows {
                assert!(r.width() <= usize::from(w), "{w}: {r:?}");
            }
            let joined: String = rows
                .iter()
                .flat_map(|r| r.spans.iter().map(|s| s.content.to_string()))
                .collect();
            let strip = |s: &str| s.chars().filter(|c| *c != ' ').collect::<String>();
            assert_eq!(strip(&joined), strip(&line.to_string()), "{w}");
        }
        // ASCII lines are left to the paragraph's word wrap.
        let ascii = Line::raw("a b ".repeat(40));
        assert_eq!(wrap_wide(vec![ascii.clone()], 20), vec![ascii]);
    }
}
