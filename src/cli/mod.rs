//! The scriptable face: parses arguments, runs the engine, prints text or JSON.
//! Exit codes: 0 success, 1 the operation failed, 2 usage error.

pub use args::{Cli, Command, command as localized_command, help_keys};

use crate::azure::AzureError;
use crate::i18n::Text;
use crate::settings::{EnvMap, Settings};
use crate::{msg, tr};
use clap::FromArgMatches;
use std::process::ExitCode;

/// Exit statuses with a meaning scripts can rely on.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// A command's failure: the message and the exit code.
#[derive(Debug)]
pub enum Failure {
    /// The operation failed (exit 1).
    Failed(Text),
    /// The invocation was wrong (exit 2).
    Usage(Text),
    /// Failed, and the output already says why (exit 1).
    Silent,
}

impl From<AzureError> for Failure {
    fn from(e: AzureError) -> Self {
        Failure::Failed(render::azure_error(&e))
    }
}

/// Write text to stdout: the CLI's one choke point, so every secret of the run is scrubbed
/// and every control character of text we did not write (server bodies, claims, settings)
/// is shown as a visible escape; our own output has none but newlines.
pub(crate) fn write_stdout(text: &str) {
    let text = crate::secret::registry().scrub(text);
    write_raw(&crate::untrusted::block(&text));
}

/// Write JSON to stdout, scrubbed; serde has escaped C0 controls, and the characters it
/// leaves raw that a terminal acts on (DEL, C1, bidi controls) are written as `\uXXXX`
/// escapes, so the output stays valid JSON with the same value.
pub(crate) fn write_json_stdout(json: &str) {
    write_raw(&json_terminal_safe(&crate::secret::registry().scrub(json)));
}

fn json_terminal_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c != '\n' && crate::untrusted::is_unsafe(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// `subject-token`'s success response (AIP-4117): the one output that carries a token by
/// design, so it is not scrubbed; terminal controls are still escaped.
pub(crate) fn write_protocol_stdout(json: &str) {
    write_raw(&json_terminal_safe(json));
}

/// Text for standard error, made safe as [`write_stdout`] makes stdout.
pub(crate) fn safe_stderr(text: &str) -> String {
    crate::untrusted::block(&crate::secret::registry().scrub(text)).into_owned()
}

/// A reader that went away (`wif-doctor check | head`) ends the program quietly instead
/// of panicking, as pipes expect.
fn write_raw(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(EXIT_OK as i32);
        }
        eprintln!(
            "{}",
            msg!(
                "cli.error.failed",
                message = msg!("cli.error.stdout", error = e.to_string())
            )
        );
        std::process::exit(EXIT_FAILED as i32);
    }
}

/// `print!` that survives a closed pipe.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::write_stdout(&format!($($arg)*)) };
}
/// `println!` that survives a closed pipe.
macro_rules! outln {
    () => { $crate::cli::write_stdout("\n") };
    ($($arg:tt)*) => { $crate::cli::write_stdout(&format!("{}\n", format_args!($($arg)*))) };
}

mod args;
mod commands;
mod executable;
mod progress;
mod render;
mod simulate;

/// Entry point used by `main.rs`.
pub fn main() -> ExitCode {
    // The language first, so that even a usage error speaks it.
    crate::i18n::set_lang(crate::i18n::Lang::detect(
        lang_flag(std::env::args()).as_deref(),
        |k| std::env::var(k).ok(),
    ));
    let cli = match args::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            if !e.use_stderr() {
                return ExitCode::from(EXIT_OK);
            }
            // `--json` anywhere: the script reads stdout, so the error is JSON there too.
            if std::env::args_os().any(|a| a == "--json") {
                let first = e.to_string();
                let first = first.lines().next().unwrap_or_default();
                print_json_error(&Failure::Usage(Text::value(
                    first.trim_start_matches("error: "),
                )));
            }
            return ExitCode::from(EXIT_USAGE);
        }
    };
    crate::i18n::set_lang(crate::i18n::Lang::detect(cli.lang.as_deref(), |k| {
        std::env::var(k).ok()
    }));
    // subject-token runs on every token refresh and does one request: no worker threads.
    let mut builder = if matches!(cli.command, Some(Command::SubjectToken(_))) {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(2);
        b
    };
    let runtime = match builder.enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!(
                "{}",
                msg!(
                    "cli.error.failed",
                    message = msg!("cli.error.runtime", error = e.to_string())
                )
            );
            return ExitCode::from(EXIT_FAILED);
        }
    };
    let code = runtime.block_on(run(cli));
    // Don't wait for lingering tasks (a hanging simulator connection, say).
    runtime.shutdown_background();
    ExitCode::from(code)
}

/// `--lang ja` / `--lang=ja` before clap has parsed anything (the last one wins).
fn lang_flag(args: impl Iterator<Item = String>) -> Option<String> {
    let mut out = None;
    let mut args = args.skip(1);
    while let Some(a) = args.next() {
        if a == "--" {
            break;
        }
        if let Some(v) = a.strip_prefix("--lang=") {
            out = Some(v.to_string());
        } else if a == "--lang" {
            out = args.next();
        }
    }
    out
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Failed(_) | Failure::Silent => EXIT_FAILED,
            Failure::Usage(_) => EXIT_USAGE,
        }
    }
}

impl Command {
    /// The command was asked for JSON output.
    fn json(&self) -> bool {
        match self {
            Command::Env(a) | Command::Token(a) | Command::Values(a) | Command::Check(a) => a.json,
            Command::Decode(a) => a.json.json,
            Command::Config(a) => a.json.json,
            Command::Report(a) => a.json.json,
            Command::Simulate(_) | Command::SubjectToken(_) => false,
        }
    }
}

/// An error as JSON on stdout: `{"ok": false, "exit_code": N, "error": {"kind", "message"}}`.
fn print_json_error(f: &Failure) {
    let (kind, message) = match f {
        Failure::Failed(m) => ("failed", m.to_string()),
        Failure::Usage(m) => ("usage", m.to_string()),
        Failure::Silent => return,
    };
    let v = serde_json::json!({
        "ok": false,
        "exit_code": f.exit_code(),
        "error": {"kind": kind, "message": message},
    });
    write_stdout(&format!(
        "{}\n",
        serde_json::to_string_pretty(&v).unwrap_or_default()
    ));
}

async fn run(cli: Cli) -> u8 {
    let json = cli.command.as_ref().is_some_and(Command::json);
    let result = dispatch(cli).await;
    if json && let Err(f) = &result {
        print_json_error(f);
    }
    match result {
        Ok(()) => EXIT_OK,
        Err(Failure::Failed(m)) => {
            let line = tr!("cli.error.failed", message = m);
            eprintln!("{}", safe_stderr(&line));
            EXIT_FAILED
        }
        Err(Failure::Silent) => EXIT_FAILED,
        Err(Failure::Usage(m)) => {
            let line = tr!("cli.error.usage", message = m);
            eprintln!("{}", safe_stderr(&line));
            EXIT_USAGE
        }
    }
}

async fn dispatch(cli: Cli) -> Result<(), Failure> {
    if cli.demo.as_deref() == Some("list") {
        out!("{}", render::scenario_list());
        return Ok(());
    }
    // Decode needs no settings, no environment and no network.
    if let Some(Command::Decode(a)) = &cli.command {
        return commands::decode(a);
    }
    // The simulator is a server of its own: no settings, no environment.
    if let Some(Command::Simulate(a)) = &cli.command {
        if cli.demo.is_some() {
            return Err(Failure::Usage(msg!("cli.error.simulate_demo").into()));
        }
        return simulate::run(a).await;
    }
    let env: EnvMap = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    // The libraries' protocol: it answers every failure itself, on stdout, as JSON.
    if let Some(Command::SubjectToken(a)) = &cli.command {
        return executable::subject_token(&cli.settings, a, &env, cli.demo.as_deref()).await;
    }
    let mut settings =
        Settings::resolve(&cli.settings, &env).map_err(|e| Failure::Usage(e.to_string().into()))?;

    // No subcommand: the interactive wizard on a terminal, else the check report.
    let wizard = cli.command.is_none() && interactive();
    let _sim = match &cli.demo {
        Some(name) => {
            let scenario = name.parse().map_err(|e: crate::sim::ParseScenarioError| {
                Failure::Usage(flag_error("--demo", e.to_string()))
            })?;
            // In the wizard a little latency lets the flow diagram visibly light up hop by hop.
            let latency = match &cli.demo_latency {
                Some(d) => crate::settings::parse_duration(d)
                    .map_err(|e| Failure::Usage(flag_error("--demo-latency", e.to_string())))?,
                None if wizard => std::time::Duration::from_millis(120),
                None => std::time::Duration::ZERO,
            };
            let sim = crate::demo::start(scenario, latency).await.map_err(|e| {
                Failure::Failed(msg!("cli.error.simulator", error = e.to_string()).into())
            })?;
            crate::demo::apply(&mut settings, &sim);
            Some(sim)
        }
        None => None,
    };
    let session = crate::session::Session::new(settings)
        .map_err(|e| Failure::Failed(e.to_string().into()))?;

    match cli.command {
        Some(Command::Token(a)) => commands::token(&session, a.json).await,
        Some(Command::Values(a)) => commands::values(&session, a.json).await,
        Some(Command::Config(a)) => commands::config(&session, &a, cli.demo.is_some()),
        Some(Command::Check(a)) => commands::check(session, a.json, cli.ascii).await,
        Some(Command::Env(a)) => commands::env(&session, a.json),
        Some(Command::Report(a)) => commands::report(session, &a, cli.demo.as_deref()).await,
        None if wizard => run_wizard(session, cli.ascii, cli.demo).await,
        None => commands::check(session, false, cli.ascii).await,
        Some(Command::Decode(_)) | Some(Command::Simulate(_)) | Some(Command::SubjectToken(_)) => {
            unreachable!("handled above")
        }
    }
}

/// Both stdin and stdout are terminals (the wizard needs keys in and a screen out).
fn interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// The wizard; after it restored the terminal, print the plain summary.
async fn run_wizard(
    session: crate::session::Session,
    ascii: bool,
    demo: Option<String>,
) -> Result<(), Failure> {
    match crate::tui::run(session, crate::tui::Options { ascii, demo }).await {
        Ok(crate::tui::Outcome::Quit(summary)) => {
            out!("{summary}");
            Ok(())
        }
        Ok(crate::tui::Outcome::Signal(what)) => {
            eprintln!("{}", msg!("cli.stopped", signal = what));
            Err(Failure::Silent)
        }
        Err(e) => Err(Failure::Failed(e.into())),
    }
}

/// `--flag: why`, the shape of every usage error about one flag's value.
pub(crate) fn flag_error(flag: &str, why: impl Into<crate::i18n::Arg>) -> Text {
    msg!("cli.error.flag", flag = flag, why = why).into()
}
