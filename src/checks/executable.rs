//! The parts of the executable-source lint that need the machine: the program exists, is
//! executable and is a wif-doctor; the output file is usable; and the command, run as a
//! library runs it (its variables, the file's timeout), answers with a valid response.
//!
//! The command's stdout carries a token: it is validated in memory and never shown.

use crate::diagnose::{Issue, Severity, visible};
use crate::gcp::executable::{
    self as exe, SUBJECT_TOKEN_COMMAND, TIMEOUT_DEFAULT_MILLIS, names_wif_doctor,
};
use crate::gcp::subject_token::{self as st, Verdict, env as vars};
use crate::i18n::{Msg, Text};
use crate::msg;
use crate::settings::Settings;
use serde_json::{Map, Value};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncReadExt;

const CMD: &str = "credential_source.executable.command";
const RUN: &str = "credential_source.executable (run)";
const OUT: &str = "credential_source.executable.output_file";
/// A response is a few KiB; more is not one.
const MAX_STDOUT: u64 = 1024 * 1024;
const MAX_STDERR: u64 = 64 * 1024;
const VERSION_TIMEOUT: Duration = Duration::from_secs(5);

/// What running the command showed, for the finding's detail and data.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RunSummary {
    pub ran: bool,
    pub exit_code: Option<i32>,
    pub elapsed_ms: u64,
    /// `token` (valid until `expiration_time`), `failure`, `expired` or `invalid`.
    pub verdict: Option<&'static str>,
    pub expiration_time: Option<i64>,
}

/// Lints `credential_source.executable` on this machine. `cfg` is the whole file.
pub async fn lint(s: &Settings, cfg: &Map<String, Value>) -> (Vec<Issue>, RunSummary) {
    let mut out = Vec::new();
    let mut summary = RunSummary::default();
    let Some(exe_obj) = cfg
        .get("credential_source")
        .and_then(|c| c.get("executable"))
        .and_then(Value::as_object)
    else {
        return (out, summary);
    };
    let Some(command) = exe_obj.get("command").and_then(Value::as_str) else {
        return (out, summary);
    };
    let words: Vec<&str> = command.split_whitespace().collect();
    let Some(program) = words.first().copied() else {
        return (out, summary);
    };
    if !program_ok(&mut out, s, program, words.get(1).copied()).await {
        return (out, summary);
    }
    let timeout_ms = exe_obj
        .get("timeout_millis")
        .and_then(Value::as_u64)
        .unwrap_or(TIMEOUT_DEFAULT_MILLIS);
    let output_file = exe_obj.get("output_file").and_then(Value::as_str);
    run(&mut out, &mut summary, cfg, &words, timeout_ms, output_file).await;
    if let Some(o) = output_file {
        output_file_ok(&mut out, Path::new(o));
    }
    (out, summary)
}

/// "regenerate the file from the binary you keep": the usual way out.
fn rewrite() -> Msg {
    msg!("executable.check.rewrite")
}

/// The one place that fills an [`Issue`]'s text. Its fields are `String` until the lint
/// speaks `Text` (issue 10, diagnose/mod.rs); then the `.to_string().into()` goes.
#[allow(clippy::useless_conversion)]
fn issue(severity: Severity, field: &'static str, message: Text, fix: Text) -> Issue {
    Issue {
        severity,
        field,
        message,
        fix,
    }
}

fn fail(out: &mut Vec<Issue>, field: &'static str, message: impl Into<Text>, fix: impl Into<Text>) {
    out.push(issue(Severity::Fail, field, message.into(), fix.into()));
}

fn warn(out: &mut Vec<Issue>, field: &'static str, message: impl Into<Text>, fix: impl Into<Text>) {
    out.push(issue(Severity::Warn, field, message.into(), fix.into()));
}

/// The program exists, is an executable file and, when named so, really is a wif-doctor.
/// `false` when running it is pointless.
async fn program_ok(
    out: &mut Vec<Issue>,
    s: &Settings,
    program: &str,
    subcommand: Option<&str>,
) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let meta = match std::fs::metadata(program) {
        Ok(m) => m,
        Err(e) => {
            let message = if e.kind() == std::io::ErrorKind::NotFound {
                msg!(
                    "executable.check.program_missing",
                    program = visible(program)
                )
            } else {
                msg!(
                    "executable.check.program_unreadable",
                    program = visible(program),
                    error = e.to_string()
                )
            };
            fail(
                out,
                CMD,
                message,
                msg!("executable.check.copy_under_home", then = rewrite()),
            );
            return false;
        }
    };
    if !meta.is_file() {
        fail(
            out,
            CMD,
            msg!("executable.check.not_a_file", program = visible(program)),
            rewrite(),
        );
        return false;
    }
    if meta.permissions().mode() & 0o111 == 0 {
        fail(
            out,
            CMD,
            msg!(
                "executable.check.not_executable",
                program = visible(program),
                mode = format!("{:o}", meta.permissions().mode() & 0o777)
            ),
            msg!(
                "executable.cmd.chmod_x",
                path = crate::gcp::shell_quote(program)
            ),
        );
        return false;
    }
    if s.environment.app_service_site.is_some() && !exe::survives_restart(program) {
        warn(
            out,
            CMD,
            msg!("executable.check.outside_home", program = visible(program)),
            msg!("executable.check.copy_to_home", then = rewrite()),
        );
    }
    if !names_wif_doctor(program) {
        // Someone else's program: the static lint already asked the operator to vouch for it.
        return true;
    }
    let version = program_version(program).await;
    let ours = concat!("wif-doctor ", env!("CARGO_PKG_VERSION"));
    match version.as_deref() {
        Some(v) if v == ours => {}
        Some(v) if v.starts_with("wif-doctor ") => warn(
            out,
            CMD,
            msg!(
                "executable.check.other_version",
                theirs = visible(v),
                ours = ours
            ),
            msg!("executable.check.keep_one", then = rewrite()),
        ),
        other => {
            fail(
                out,
                CMD,
                msg!(
                    "executable.check.not_wif_doctor",
                    program = visible(program),
                    printed = match other {
                        Some(v) => Text::value(visible(v)),
                        None => msg!("executable.check.nothing_usable").into(),
                    }
                ),
                rewrite(),
            );
            return false;
        }
    }
    if subcommand != Some(SUBJECT_TOKEN_COMMAND) {
        fail(
            out,
            CMD,
            msg!(
                "executable.check.wrong_subcommand",
                subcommand = visible(subcommand.unwrap_or("(nothing)")),
                want = SUBJECT_TOKEN_COMMAND
            ),
            rewrite(),
        );
        return false;
    }
    true
}

/// First line of `program --version`, bounded in time and size.
async fn program_version(program: &str) -> Option<String> {
    let mut child = tokio::process::Command::new(program)
        .arg("--version")
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .ok()?;
    let mut stdout = child.stdout.take()?;
    let mut buf = Vec::new();
    let read = async {
        let _ = (&mut stdout).take(4096).read_to_end(&mut buf).await;
        child.wait().await
    };
    tokio::time::timeout(VERSION_TIMEOUT, read)
        .await
        .ok()?
        .ok()?;
    let text = String::from_utf8_lossy(&buf);
    text.lines().next().map(|l| l.trim().to_string())
}

/// Runs the command as google-auth does: split on whitespace, the process environment plus
/// the library's variables, stdin closed, the file's timeout.
async fn run(
    out: &mut Vec<Issue>,
    summary: &mut RunSummary,
    cfg: &Map<String, Value>,
    words: &[&str],
    timeout_ms: u64,
    output_file: Option<&str>,
) {
    let text = |k: &str| cfg.get(k).and_then(Value::as_str).unwrap_or_default();
    let mut cmd = tokio::process::Command::new(words[0]);
    cmd.args(&words[1..])
        .env(vars::AUDIENCE, text("audience"))
        .env(vars::TOKEN_TYPE, text("subject_token_type"))
        .env(vars::INTERACTIVE, "0")
        .env(vars::REVOKE, "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(o) = output_file {
        cmd.env(vars::OUTPUT_FILE, o);
    }
    if let Some(email) = cfg
        .get("service_account_impersonation_url")
        .and_then(Value::as_str)
        .and_then(|u| u.rsplit('/').next())
        .and_then(|tail| tail.strip_suffix(":generateAccessToken"))
    {
        cmd.env(vars::IMPERSONATED_EMAIL, email);
    }
    let shown = visible(&words.join(" "));
    let started = std::time::Instant::now();
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            fail(
                out,
                RUN,
                msg!(
                    "executable.check.cannot_run",
                    command = &shown,
                    error = e.to_string()
                ),
                rewrite(),
            );
            return;
        }
    };
    summary.ran = true;
    let (Some(mut stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        fail(
            out,
            RUN,
            msg!("executable.check.cannot_read_output", command = &shown),
            rewrite(),
        );
        return;
    };
    let (mut so, mut se) = (Vec::new(), Vec::new());
    let all = async {
        let mut so_r = (&mut stdout).take(MAX_STDOUT);
        let mut se_r = (&mut stderr).take(MAX_STDERR);
        let (_, _, status) = tokio::join!(
            so_r.read_to_end(&mut so),
            se_r.read_to_end(&mut se),
            child.wait()
        );
        status
    };
    let status = match tokio::time::timeout(Duration::from_millis(timeout_ms), all).await {
        Err(_) => {
            summary.elapsed_ms = started.elapsed().as_millis() as u64;
            fail(
                out,
                RUN,
                msg!(
                    "executable.check.timeout",
                    command = &shown,
                    ms = timeout_ms
                ),
                msg!(
                    "executable.check.timeout_fix",
                    max = exe::TIMEOUT_MAX_MILLIS
                ),
            );
            return;
        }
        Ok(Err(e)) => {
            fail(
                out,
                RUN,
                msg!(
                    "executable.check.wait_failed",
                    command = &shown,
                    error = e.to_string()
                ),
                rewrite(),
            );
            return;
        }
        Ok(Ok(status)) => status,
    };
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    summary.exit_code = status.code();
    let stdout_text = String::from_utf8_lossy(&so);
    let now = crate::session::now();
    let verdict = st::validate(&stdout_text, now);
    if !se.is_empty() {
        warn(
            out,
            RUN,
            msg!(
                "executable.check.stderr",
                command = &shown,
                bytes = se.len()
            ),
            msg!("executable.check.stderr_fix"),
        );
    }
    match (status.success(), verdict) {
        (
            true,
            Ok(Verdict::Token {
                token_type,
                expiration_time,
                ..
            }),
        ) => {
            summary.verdict = Some("token");
            summary.expiration_time = Some(expiration_time);
            let want = text("subject_token_type");
            if !want.is_empty() && token_type != want {
                warn(
                    out,
                    RUN,
                    msg!(
                        "executable.check.token_type",
                        answered = visible(&token_type),
                        file = visible(want)
                    ),
                    rewrite(),
                );
            }
        }
        (_, Ok(Verdict::Failure { code, message })) => {
            summary.verdict = Some("failure");
            fail(
                out,
                RUN,
                msg!(
                    "executable.check.failure",
                    command = &shown,
                    code = &code,
                    message = &message
                ),
                msg!("executable.check.failure_fix"),
            );
        }
        (_, Ok(Verdict::Expired { expiration_time })) => {
            summary.verdict = Some("expired");
            fail(
                out,
                RUN,
                msg!(
                    "executable.check.expired",
                    command = &shown,
                    at = crate::jwt::format_utc(expiration_time)
                ),
                msg!("executable.check.expired_fix"),
            );
        }
        (ok, Err(why)) => {
            summary.verdict = Some("invalid");
            fail(
                out,
                RUN,
                msg!(
                    "executable.check.invalid",
                    command = &shown,
                    exit = if ok {
                        msg!("executable.check.exited_0")
                    } else {
                        exit_words(status)
                    },
                    why = why
                ),
                rewrite(),
            );
        }
        (false, Ok(Verdict::Token { .. })) => {
            summary.verdict = Some("token");
            fail(
                out,
                RUN,
                msg!(
                    "executable.check.nonzero",
                    command = &shown,
                    exit = exit_words(status)
                ),
                rewrite(),
            );
        }
    }
}

fn exit_words(status: std::process::ExitStatus) -> Msg {
    match status.code() {
        Some(c) => msg!("executable.check.exited", status = c),
        None => msg!("executable.check.killed"),
    }
}

/// After the run: the output file exists (Node fails on a missing one), holds a response
/// the libraries accept, is private (it holds a token) and is writable.
fn output_file_ok(out: &mut Vec<Issue>, path: &Path) {
    use std::io::Read;
    use std::os::unix::fs::PermissionsExt;
    let shown = visible(&path.display().to_string());
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let parent = path.parent().unwrap_or(Path::new("/"));
            let message = match tempfile::NamedTempFile::new_in(parent) {
                Ok(_) => msg!("executable.check.output_missing", path = &shown),
                Err(e) => msg!(
                    "executable.check.output_dir_unwritable",
                    path = &shown,
                    error = e.to_string()
                ),
            };
            fail(
                out,
                OUT,
                message,
                msg!("executable.check.output_missing_fix"),
            );
            return;
        }
        Err(e) => {
            fail(
                out,
                OUT,
                msg!(
                    "executable.check.output_unreadable",
                    path = &shown,
                    error = e.to_string()
                ),
                rewrite(),
            );
            return;
        }
    };
    if !meta.is_file() {
        fail(
            out,
            OUT,
            msg!("executable.check.output_not_file", path = &shown),
            msg!("executable.check.output_not_file_fix"),
        );
        return;
    }
    if meta.permissions().mode() & 0o077 != 0 {
        warn(
            out,
            OUT,
            msg!(
                "executable.check.output_mode",
                path = &shown,
                mode = format!("{:o}", meta.permissions().mode() & 0o777)
            ),
            msg!(
                "executable.cmd.chmod_600",
                path = crate::gcp::shell_quote(&path.display().to_string())
            ),
        );
    }
    if let Err(e) = std::fs::OpenOptions::new().append(true).open(path) {
        fail(
            out,
            OUT,
            msg!(
                "executable.check.output_unwritable",
                path = &shown,
                error = e.to_string()
            ),
            msg!("executable.check.output_unwritable_fix"),
        );
    }
    let mut text = String::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(MAX_STDOUT).read_to_string(&mut text));
    if read.is_ok()
        && let Err(why) = st::validate(&text, crate::session::now())
    {
        fail(
            out,
            OUT,
            msg!(
                "executable.check.output_invalid",
                path = &shown,
                why = why,
                node = msg!("executable.node.invalid_output")
            ),
            msg!("executable.check.output_invalid_fix"),
        );
    }
}
