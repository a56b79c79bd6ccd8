//! The diagnosis engine: checks form a small dependency graph; independent ones run
//! concurrently and each finding is sent the moment it completes, so the CLI can print
//! progress and the wizard can light up its flow diagram. Knows nothing of terminals.

mod claims;
mod engine;
mod executable;
mod finding;
mod google;
mod local;
mod signature;
pub mod tls;

pub use engine::{Event, run, run_to_report, run_with};
pub use finding::{CheckId, Finding, Report, Status};
