//! wif-doctor: set up and diagnose federation from an Azure managed identity into
//! Google Cloud Workload Identity Federation.

pub mod sim;
