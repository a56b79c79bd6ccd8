//! The `p` chooser: one row per value, numbered, cut to the width with an ellipsis (never
//! wrapped, so the frame stays intact at any size); the list scrolls to keep the
//! highlighted row in view.

use super::block;
use crate::tui::app::{Chooser, Copyable};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use unicode_width::UnicodeWidthChar;

fn ellipsis(ascii: bool) -> &'static str {
    if ascii { "..." } else { "…" }
}

/// `s` cut to `max` columns, ending in an ellipsis when something was cut. Text we did not
/// write goes through the wizard's choke point first (secrets scrubbed, control characters
/// shown as escapes), so the cut is measured on what is drawn.
pub fn fit(s: &str, max: usize, ascii: bool) -> String {
    let ellipsis = ellipsis(ascii);
    let clean = crate::untrusted::line(&crate::secret::registry().scrub(s)).into_owned();
    let width = |t: &str| t.chars().map(|c| c.width().unwrap_or(0)).sum::<usize>();
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

/// The label without its parenthesised explanation: the value column needs the room.
fn short_label(c: &Copyable) -> &str {
    c.label.split(" (").next().unwrap_or(&c.label)
}

/// A value's first line, cut to `max`; a value of several lines always ends in an ellipsis.
fn preview(value: &str, max: usize, ascii: bool) -> String {
    let mut lines = value.lines();
    let first = lines.next().unwrap_or_default();
    if lines.next().is_none() {
        return fit(first, max, ascii);
    }
    let marked = format!("{first} {}", ellipsis(ascii));
    if fit(&marked, max, ascii) == marked {
        marked
    } else {
        fit(first, max, ascii)
    }
}

pub fn chooser(frame: &mut Frame, area: Rect, c: &Chooser, theme: &Theme) {
    let width = area.width.saturating_sub(4).min(100);
    let order = c.order();
    // Borders, the list, a blank line and the hint.
    let height = (order.len() as u16 + 4).min(area.height.saturating_sub(2));
    let rect = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    let inner = usize::from(width.saturating_sub(2));
    let rows = usize::from(height.saturating_sub(4)).max(1);
    let at = order.iter().position(|n| *n == c.selected).unwrap_or(0);
    let first = at
        .saturating_sub(rows - 1)
        .min(order.len().saturating_sub(rows));

    let digits = c.items.len().to_string().len();
    let label_width = c
        .items
        .iter()
        .map(|i| short_label(i).chars().count())
        .max()
        .unwrap_or(0)
        .min(inner * 2 / 5);
    let marker = if theme.ascii { ">" } else { "▶" };
    let mut lines = Vec::new();
    for &n in order.iter().skip(first).take(rows) {
        let selected = n == c.selected;
        let head = format!("{} {n:>digits$} ", if selected { marker } else { " " });
        let used = head.chars().count();
        let mut spans = vec![Span::styled(head, theme.key())];
        if n == 0 {
            spans.push(Span::raw(fit(
                &c.all_label,
                inner.saturating_sub(used),
                theme.ascii,
            )));
        } else {
            let item = &c.items[n - 1];
            let label = fit(short_label(item), label_width, theme.ascii);
            let room = inner.saturating_sub(used + label_width + 2);
            let value = preview(&item.value, room, theme.ascii);
            spans.push(Span::styled(
                format!("{label:<label_width$}  "),
                theme.label(),
            ));
            spans.push(Span::styled(value, theme.value()));
        }
        let mut line = Line::from(spans);
        if selected {
            line = line.style(theme.selected());
        }
        lines.push(line);
    }
    lines.push(Line::raw(""));
    let keys = if theme.ascii { "Up/Down" } else { "↑/↓" };
    let hint = format!("{keys} and Enter, or its number; 0 = all; Esc cancels");
    lines.push(Line::styled(fit(&hint, inner, theme.ascii), theme.dim()));
    let title = fit(" Print which value? (alone, unbroken) ", inner, theme.ascii);
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block(theme, title)), rect);
}
