//! Colours and glyphs. Only the 16 named ANSI colours; a monochrome variant (`NO_COLOR`)
//! that uses modifiers only; ASCII borders and marks for fonts without box drawing.

use crate::checks::Status;
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

#[derive(Debug, Clone, Copy, Default)]
pub struct Theme {
    pub mono: bool,
    pub ascii: bool,
}

/// `+--+` borders for `--ascii`.
pub const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

const SPIN_UNICODE: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];
const SPIN_ASCII: [&str; 4] = ["|", "/", "-", "\\"];

impl Theme {
    pub fn new(mono: bool, ascii: bool) -> Theme {
        Theme { mono, ascii }
    }

    fn fg(&self, c: Color) -> Style {
        if self.mono {
            Style::default()
        } else {
            Style::default().fg(c)
        }
    }

    pub fn status(&self, s: Status) -> Style {
        match s {
            Status::Pass => self.fg(Color::Green),
            Status::Warn => self.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            Status::Fail => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Status::Skip => self.dim(),
        }
    }

    pub fn title(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn heading(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn label(&self) -> Style {
        self.fg(Color::Gray)
    }

    pub fn dim(&self) -> Style {
        if self.mono {
            Style::default()
        } else {
            Style::default().fg(Color::DarkGray)
        }
    }

    pub fn value(&self) -> Style {
        self.fg(Color::White)
    }

    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn border(&self) -> border::Set<'static> {
        if self.ascii {
            ASCII_BORDER
        } else {
            border::PLAIN
        }
    }

    pub fn spinner(&self, frame: usize) -> &'static str {
        if self.ascii {
            SPIN_ASCII[frame % SPIN_ASCII.len()]
        } else {
            SPIN_UNICODE[frame % SPIN_UNICODE.len()]
        }
    }

    pub fn arrow(&self) -> &'static str {
        if self.ascii { "->" } else { "→" }
    }

    pub fn down(&self) -> &'static str {
        if self.ascii { "|" } else { "│" }
    }

    pub fn times(&self) -> &'static str {
        if self.ascii { "x" } else { "×" }
    }
}
