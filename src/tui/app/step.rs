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

    /// The step's name in the process language.
    pub fn title(self) -> String {
        match self {
            Step::Environment => crate::tr!("ui.step.environment"),
            Step::Token => crate::tr!("ui.step.token"),
            Step::Values => crate::tr!("ui.step.values"),
            Step::Config => crate::tr!("ui.step.config"),
            Step::Test => crate::tr!("ui.step.test"),
            Step::Report => crate::tr!("ui.step.report"),
        }
    }

    /// For narrow terminals.
    pub fn short_title(self) -> String {
        match self {
            Step::Config => crate::tr!("ui.step.config_short"),
            Step::Test => crate::tr!("ui.step.test_short"),
            other => other.title(),
        }
    }

    /// A stable ASCII name (snapshot file names, never shown).
    pub fn slug(self) -> &'static str {
        match self {
            Step::Environment => "environment",
            Step::Token => "token",
            Step::Values => "google_values",
            Step::Config => "credential_config",
            Step::Test => "end_to_end_test",
            Step::Report => "report",
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
