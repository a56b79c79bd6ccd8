//! Command-line grammar.

use crate::settings::SettingsArgs;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Set up and diagnose keyless federation from an Azure managed identity into Google Cloud
/// Workload Identity Federation.
///
/// Exit codes: 0 success, 1 the operation (or a check) failed, 2 usage error.
#[derive(Debug, Parser)]
#[command(name = "wif-doctor", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// Run against the built-in simulator instead of Azure and Google (optionally a fault scenario;
    /// list them with --demo=list)
    #[arg(long, global = true, value_name = "SCENARIO", num_args = 0..=1, require_equals = true,
          default_missing_value = "healthy")]
    pub demo: Option<String>,

    /// Delay every simulator response (e.g. 300ms), to watch progress in the demo
    #[arg(long, global = true, hide = true, value_name = "DURATION")]
    pub demo_latency: Option<String>,

    /// Draw with ASCII only (no box-drawing or check-mark glyphs)
    #[arg(long, global = true)]
    pub ascii: bool,

    #[command(flatten)]
    pub settings: SettingsArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the detected identity source, where every setting came from, and what is missing
    Env(JsonArg),
    /// Fetch the managed-identity token and show its source, header and claims (never the token)
    Token(JsonArg),
    /// Decode a JWT locally: TOKEN, @FILE, or - for stdin (nothing is sent anywhere)
    Decode(DecodeArgs),
    /// Show the Google values (issuer, audience, principal, gcloud, Terraform) for this token
    Values(JsonArg),
    /// Write the external_account credential configuration file
    Config(ConfigArgs),
    /// Run the end-to-end test: token, signature, STS, impersonation, permissions, Vertex AI
    Check(JsonArg),
    /// Run the checks and write a redacted Markdown report for a support ticket
    Report(ReportArgs),
    /// Serve the built-in simulator (Entra, Google, a CONNECT proxy) for trying an app or a
    /// client library offline; prints the environment that points a client at it
    Simulate(super::simulate::SimulateArgs),
}

#[derive(Debug, Clone, Args)]
pub struct JsonArg {
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DecodeArgs {
    /// The token, @FILE to read it from a file, or - (default) to read stdin
    #[arg(value_name = "TOKEN|@FILE|-")]
    pub input: Option<String>,
    #[command(flatten)]
    pub json: JsonArg,
}

#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {
    /// Where to write the file [default: $HOME/gcp_credentials.json]
    #[arg(long, short, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Replace an existing file with different content
    #[arg(long)]
    pub force: bool,
    /// Print the configuration instead of writing it (the header value is redacted)
    #[arg(long, conflicts_with_all = ["output", "force"])]
    pub stdout: bool,
    #[command(flatten)]
    pub json: JsonArg,
}

#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Where to write the report [default: ./wif-doctor-report.md]
    #[arg(long, short, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Replace an existing file
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub json: JsonArg,
}
