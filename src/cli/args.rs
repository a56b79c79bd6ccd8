//! Command-line grammar.

use crate::settings::SettingsArgs;
use clap::builder::PossibleValue;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
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

    /// Language of messages: en or ja (default: WIF_DOCTOR_LANG, then LC_ALL, LC_MESSAGES, LANG)
    #[arg(long, global = true, value_name = "LANG", value_parser = ["en", "ja"])]
    pub lang: Option<String>,

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
    /// Write the external_account credential configuration file (--form url or executable)
    Config(ConfigArgs),
    /// Print a fresh managed-identity token as an executable-source response (for Google's
    /// client libraries; THE ONE COMMAND WHOSE OUTPUT CARRIES A TOKEN)
    ///
    /// Google's client libraries run this on every refresh when the credential file is the
    /// executable form (`wif-doctor config --form executable`). It speaks the executable-source
    /// protocol (AIP-4117): stdout is one JSON line, {"version":1,"success":true,"token_type":
    /// "urn:ietf:params:oauth:token-type:jwt","id_token":"<the Azure token>","expiration_time":
    /// <unix seconds>}, or {"version":1,"success":false,"code":"...","message":"..."} with exit
    /// status 1.
    ///
    /// By design, and only here, standard output carries the managed-identity token: do not
    /// run it where the output is logged. Nothing is written to standard error. It honours
    /// GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE, GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE (checked for shape),
    /// GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE (interactive mode is refused) and
    /// GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE (the response is also written there, atomically,
    /// mode 0600).
    #[command(name = "subject-token")]
    SubjectToken(SubjectTokenArgs),
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
    /// url: the identity endpoint and header in the file (every library, .NET included; the
    /// header is frozen in the file). executable: the library runs `wif-doctor subject-token`
    /// (never stale; needs GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1; not supported by .NET)
    #[arg(long, value_enum, default_value_t = ConfigForm::Url)]
    pub form: ConfigForm,
    /// executable form: how long the library lets the command run, in ms (5000..=120000)
    #[arg(long, value_name = "MS", default_value_t = crate::gcp::executable::TIMEOUT_DEFAULT_MILLIS)]
    pub executable_timeout_millis: u64,
    /// executable form: cache the response in this file under $HOME (mode 0600); libraries
    /// read it before running the command
    #[arg(long, value_name = "PATH")]
    pub executable_output_file: Option<PathBuf>,
    #[command(flatten)]
    pub json: JsonArg,
}

/// The two shapes of credential configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigForm {
    /// `credential_source.url` with the identity header (the seed's form)
    Url,
    /// `credential_source.executable` running `wif-doctor subject-token`
    Executable,
}

/// By hand rather than derived, so that each value's help comes from the catalogue.
impl ValueEnum for ConfigForm {
    fn value_variants<'a>() -> &'a [Self] {
        &[ConfigForm::Url, ConfigForm::Executable]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            ConfigForm::Url => {
                PossibleValue::new("url").help(crate::tr!("cli.help.config.form_url"))
            }
            ConfigForm::Executable => {
                PossibleValue::new("executable").help(crate::tr!("cli.help.config.form_executable"))
            }
        })
    }
}

#[derive(Debug, Clone, Args)]
pub struct SubjectTokenArgs {
    /// Answer with a failure response rather than run longer than this (e.g. 28500ms); the
    /// executable-form file sets it a little under its timeout_millis
    #[arg(long, value_name = "DURATION")]
    pub deadline: Option<String>,
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

/// The grammar with every help text, heading and about from the catalogue in the process
/// language (`cli.help.…`); the doc comments above are the English fallback only.
pub fn command() -> clap::Command {
    let mut cmd = Cli::command();
    // Built first, so the generated `--help`, `--version` and `help` subcommand and the
    // propagated global arguments exist and are localised like the others.
    cmd.build();
    localize(cmd, None)
}

/// The catalogue key of an argument's help: `cli.help.<command>.<id>`, else the shared
/// `cli.help.arg.<id>`. Public for the test that every argument has one.
pub fn help_keys(command: Option<&str>, arg: &str) -> [String; 2] {
    [
        format!("cli.help.{}.{arg}", command.unwrap_or("arg")),
        format!("cli.help.arg.{arg}"),
    ]
}

fn text_for(keys: &[String]) -> Option<String> {
    keys.iter()
        .find(|k| crate::i18n::has_key(k))
        .map(|k| crate::i18n::Msg::new(k.clone()).to_string())
}

/// clap keeps headings as `&'static str`: a handful of short strings, once per process.
fn leak(s: String) -> &'static str {
    s.leak()
}

fn localize(mut cmd: clap::Command, sub: Option<&str>) -> clap::Command {
    use crate::tr;
    let name = sub.unwrap_or("root").to_string();
    if let Some(about) = text_for(&[format!("cli.help.{name}.about")]) {
        cmd = cmd.about(about);
    }
    if let Some(long) = text_for(&[format!("cli.help.{name}.long_about")]) {
        cmd = cmd.long_about(long);
    }
    let template = format!(
        "{{before-help}}{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
        tr!("cli.help.heading.usage")
    );
    cmd = cmd
        .help_template(template)
        .subcommand_help_heading(leak(tr!("cli.help.heading.commands")));
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        let keys = help_keys(sub, &id);
        let help = text_for(&keys);
        cmd = cmd.mut_arg(&id, |mut a| {
            if let Some(h) = help {
                // clap's own "[default: …]" and "[possible values: …]" are English: the
                // catalogue says them instead.
                let mut h = crate::i18n::Text::from(h);
                let defaults: Vec<String> = a
                    .get_default_values()
                    .iter()
                    .map(|v| v.to_string_lossy().into_owned())
                    .collect();
                if !defaults.is_empty()
                    && !a.is_hide_default_value_set()
                    && a.get_action().takes_values()
                {
                    h.push(" ")
                        .push(crate::msg!("cli.help.default", value = defaults.join(", ")));
                }
                let values: Vec<String> = a
                    .get_possible_values()
                    .iter()
                    .filter(|v| !v.is_hide_set())
                    .map(|v| v.get_name().to_string())
                    .collect();
                if !values.is_empty()
                    && !a.is_hide_possible_values_set()
                    && a.get_action().takes_values()
                {
                    h.push(" ").push(crate::msg!(
                        "cli.help.possible_values",
                        values = values.join(", ")
                    ));
                }
                a = a
                    .help(h.to_string())
                    .long_help(None::<&'static str>)
                    .hide_default_value(true)
                    .hide_possible_values(true);
            }
            let heading = match a.get_help_heading() {
                Some("Google Cloud") => None,
                Some("Azure") => None,
                Some("Network") => Some(tr!("cli.help.heading.network")),
                Some(other) => Some(other.to_string()),
                None if a.is_positional() => Some(tr!("cli.help.heading.arguments")),
                None => Some(tr!("cli.help.heading.options")),
            };
            match heading {
                Some(h) => a.help_heading(leak(h)),
                None => a,
            }
        });
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for s in subs {
        cmd = cmd.mut_subcommand(&s, |c| localize(c, Some(&s)));
    }
    cmd
}
