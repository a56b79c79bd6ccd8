//! wif-doctor: set up and diagnose federation from an Azure managed identity into
//! Google Cloud Workload Identity Federation.

pub mod azure;
pub mod diagnose;
pub mod files;
pub mod gcp;
pub mod http;
pub mod jwt;
pub mod secret;
pub mod settings;
