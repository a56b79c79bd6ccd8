//! The `p` chooser: one row per value, numbered, cut to the width with an ellipsis (never
//! wrapped, so the frame stays intact at any size); the list scrolls to keep the
//! highlighted row in view.

use super::block;
use super::{fit, pad, width as cols};
use crate::tui::app::Chooser;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// A value's first line, cut to `max`; a value of several lines always ends in an ellipsis.
fn preview(value: &str, max: usize, ascii: bool) -> String {
    let mut lines = value.lines();
    let first = lines.next().unwrap_or_default();
    if lines.next().is_none() {
        return fit(first, max, ascii);
    }
    let marked = format!("{first} {}", if ascii { "..." } else { "…" });
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
        .map(|i| cols(&i.short))
        .max()
        .unwrap_or(0)
        .min(inner * 2 / 5);
    let marker = if theme.ascii { ">" } else { "▶" };
    let mut lines = Vec::new();
    for &n in order.iter().skip(first).take(rows) {
        let selected = n == c.selected;
        let head = format!("{} {n:>digits$} ", if selected { marker } else { " " });
        let used = cols(&head);
        let mut spans = vec![Span::styled(head, theme.key())];
        if n == 0 {
            spans.push(Span::raw(fit(
                &c.all_label,
                inner.saturating_sub(used),
                theme.ascii,
            )));
        } else {
            let item = &c.items[n - 1];
            let label = fit(&item.short, label_width, theme.ascii);
            let room = inner.saturating_sub(used + label_width + 2);
            let value = preview(&item.value, room, theme.ascii);
            spans.push(Span::styled(pad(&label, label_width) + "  ", theme.label()));
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
    let hint = crate::tr!("ui.chooser.hint", keys = keys);
    lines.push(Line::styled(fit(&hint, inner, theme.ascii), theme.dim()));
    let title = fit(
        &format!(" {} ", crate::tr!("ui.chooser.title")),
        inner,
        theme.ascii,
    );
    super::overlay::clear(frame, rect);
    frame.render_widget(Paragraph::new(lines).block(block(theme, title)), rect);
}
