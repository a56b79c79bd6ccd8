//! wif-doctor: set up and diagnose federation from an Azure managed identity into
//! Google Cloud Workload Identity Federation.

pub mod azure;
pub mod checks;
pub mod cli;
pub mod demo;
pub mod diagnose;
pub mod files;
pub mod gcp;
pub mod google;
pub mod http;
pub mod i18n;
pub mod jwt;
pub mod report;
pub mod secret;
pub mod session;
pub mod settings;
pub mod sim;
pub mod tui;
pub mod untrusted;
