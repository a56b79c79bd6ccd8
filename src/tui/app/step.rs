//! The wizard's steps and how to move between them.

/// The wizard's screens, in order; each is reachable by its digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    Environment,
    Token,
    Values,
    Config,
    Test,
    Report,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::Environment,
        Step::Token,
        Step::Values,
        Step::Config,
        Step::Test,
        Step::Report,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Step::Environment => "Environment",
            Step::Token => "Token",
            Step::Values => "Google values",
            Step::Config => "Credential config",
            Step::Test => "End-to-end test",
            Step::Report => "Report",
        }
    }

    /// For narrow terminals.
    pub fn short_title(self) -> &'static str {
        match self {
            Step::Config => "Cred. config",
            Step::Test => "E2E test",
            other => other.title(),
        }
    }

    pub fn index(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    pub fn digit(self) -> char {
        char::from(b'1' + self.index() as u8)
    }

    pub(super) fn from_digit(c: char) -> Option<Step> {
        let i = (c as u32).checked_sub('1' as u32)? as usize;
        Step::ALL.get(i).copied()
    }

    pub(super) fn next(self) -> Step {
        Step::ALL[(self.index() + 1) % Step::ALL.len()]
    }

    pub(super) fn prev(self) -> Step {
        Step::ALL[(self.index() + Step::ALL.len() - 1) % Step::ALL.len()]
    }
}
