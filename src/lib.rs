//! wif-doctor: set up and diagnose federation from an Azure managed identity into
//! Google Cloud Workload Identity Federation.

pub mod azure;
pub mod http;
pub mod secret;
pub mod settings;
