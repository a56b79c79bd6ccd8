//! The interactive wizard: a thin face over the engine (`session`, `checks`, `gcp`).
//!
//! - [`app`]: pure state and transitions (`App::update(Action) -> Vec<Effect>`).
//! - [`runtime`]: the loop; turns effects into tasks and terminal operations.
//! - [`terminal`]: raw mode / alternate screen / bracketed paste, and their restoration.
//! - [`ui`]: pure drawing of `&App`, one module per step; [`theme`]: colours and glyphs.
//! - [`report`]: the redacted Markdown support report.

pub mod app;
pub mod runtime;
pub mod terminal;
pub mod theme;
pub mod ui;

pub use runtime::{Options, Outcome, run};
