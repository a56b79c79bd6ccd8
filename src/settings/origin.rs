//! Where a setting's value came from, so every screen can answer "why this value?".

use serde::Serialize;
use std::fmt;

/// The provenance of one resolved setting, in precedence order (flag wins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// Given on the command line.
    Flag { flag: String },
    /// Read from this process's environment.
    Env { var: String },
    /// Recovered from the app's environment (the SSH shell lacked it).
    Recovered { var: String, from: String },
    /// Supplied by the built-in simulator (`--demo`).
    Demo,
    /// Changed in place in the interactive wizard.
    Edited,
    /// The built-in default.
    Default,
}

impl Origin {
    /// Where the value came from, for people (`settings.origin.*`).
    pub fn text(&self) -> crate::i18n::Msg {
        use crate::msg;
        match self {
            Origin::Flag { flag } => msg!("settings.origin.flag", flag = flag.clone()),
            Origin::Env { var } => msg!("settings.origin.env", var = var.clone()),
            Origin::Recovered { var, from } => {
                msg!(
                    "settings.origin.recovered",
                    var = var.clone(),
                    from = from.clone()
                )
            }
            Origin::Demo => msg!("settings.origin.demo", flag = "--demo"),
            Origin::Edited => msg!("settings.origin.edited"),
            Origin::Default => msg!("settings.origin.default"),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.text().fmt(f)
    }
}

/// A value together with its [`Origin`]. `value` is always the normalised value every
/// consumer uses; `raw` keeps what was given when normalisation changed it, so the
/// settings lint can show it (see [`super::normalise`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    pub value: T,
    pub origin: Origin,
    pub raw: Option<T>,
}

impl<T> Sourced<T> {
    pub fn new(value: T, origin: Origin) -> Self {
        Sourced {
            value,
            origin,
            raw: None,
        }
    }

    pub fn is_default(&self) -> bool {
        self.origin == Origin::Default
    }
}

impl Sourced<String> {
    /// The value as given (before normalisation).
    pub fn raw_value(&self) -> &str {
        self.raw.as_deref().unwrap_or(&self.value)
    }
}

/// The (normalised) value of an optional setting, if set.
pub fn value_of(o: &Option<Sourced<String>>) -> Option<String> {
    o.as_ref().map(|s| s.value.clone())
}
