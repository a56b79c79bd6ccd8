//! The executable form: `config --form executable` writes a file that runs
//! `wif-doctor subject-token`, and `subject-token` answers the libraries' protocol.

use super::Failure;
use super::args::{ConfigArgs, SubjectTokenArgs};
use super::commands::{file_error, print_json};
use crate::files::{self, Overwrite, WriteOutcome};
use crate::gcp::executable::{self as exe, ALLOW_EXECUTABLES, ExecutableError};
use crate::gcp::subject_token::{self as st, env as vars};
use crate::session::{Session, now};
use crate::settings::{EnvMap, Settings, SettingsArgs};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What `config` leaves in the output file: a well-formed failure response. Node's library
/// fails when a configured output file does not exist (it resolves the path before reading);
/// google-auth and Node both treat a failure response there as "run the command".
const PLACEHOLDER_CODE: &str = "not_fetched_yet";
const PLACEHOLDER_MESSAGE: &str =
    "placeholder written by wif-doctor config; the first refresh runs wif-doctor subject-token";

pub fn config(session: &Session, args: &ConfigArgs) -> Result<(), Failure> {
    let program = std::env::current_exe().map_err(|e| {
        Failure::Failed(format!("cannot tell where this wif-doctor binary is: {e}"))
    })?;
    let program = program
        .to_str()
        .ok_or_else(|| {
            Failure::Failed(format!(
                "the wif-doctor path {} is not UTF-8; copy the binary to a plain path (e.g. /home/site/wif-doctor)",
                program.display()
            ))
        })?
        .to_string();
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let output_file = match &args.executable_output_file {
        None => None,
        Some(p) => Some(output_file_under_home(p, home.as_deref())?),
    };
    let inputs = session
        .executable_inputs(
            program.clone(),
            args.executable_timeout_millis,
            output_file.clone(),
        )
        .map_err(|missing| {
            Failure::Usage(format!(
                "the credential configuration needs {}",
                missing.join(", ")
            ))
        })?;
    let cfg = exe::executable_config(&inputs).map_err(|e| match e {
        ExecutableError::Whitespace {
            what: "the wif-doctor path",
            ..
        } => Failure::Failed(e.to_string()),
        other => Failure::Usage(other.to_string()),
    })?;

    let mut warnings = Vec::new();
    if session.settings.environment.app_service_site.is_some() && !exe::survives_restart(&program) {
        warnings.push(format!(
            "this wif-doctor runs from {program}, outside /home: App Service keeps only /home across restarts, so after the next one every token refresh fails. Copy it (e.g. cp {program} /home/site/wif-doctor) and run config from the copy"
        ));
    }
    if session
        .settings
        .allow_executables
        .as_ref()
        .is_none_or(|v| v.value.trim() != "1")
    {
        warnings.push(format!(
            "{ALLOW_EXECUTABLES}=1 is not in this environment: client libraries refuse to run the command until the app settings set it (the az line above)"
        ));
    }
    let libraries = "supported by google-auth (Python), google-auth-library (Node.js), Go, Java and Rust; NOT by .NET (use --form url for .NET apps)";

    if args.stdout {
        out!("{}", cfg.to_json());
        for w in &warnings {
            eprintln!("warning: {w}");
        }
        return Ok(());
    }
    let path = match &args.output {
        Some(p) => p.clone(),
        None => home
            .clone()
            .ok_or_else(|| Failure::Usage("HOME is not set; pass --output PATH".into()))?
            .join("gcp_credentials.json"),
    };
    let overwrite = if args.force {
        Overwrite::Force
    } else {
        Overwrite::Refuse
    };
    let outcome = files::write_private_atomic(&path, cfg.to_json().as_bytes(), overwrite).map_err(
        |e| match e {
            files::FileError::Exists { .. } => Failure::Failed(format!(
                "{} already exists with different content; pass --force to replace it",
                path.display()
            )),
            other => Failure::Failed(file_error(other, &path)),
        },
    )?;
    if let Some(o) = &output_file {
        // Reset the cache too: a response cached under other settings must not be reused.
        let placeholder = st::failure(PLACEHOLDER_CODE, PLACEHOLDER_MESSAGE) + "\n";
        files::write_private_atomic(Path::new(o), placeholder.as_bytes(), Overwrite::Force)
            .map_err(|e| Failure::Failed(file_error(e, Path::new(o))))?;
    }
    let shown = path.display().to_string();
    let exports = [
        format!(
            "export GOOGLE_APPLICATION_CREDENTIALS={}",
            crate::gcp::shell_quote(&shown)
        ),
        format!("export {ALLOW_EXECUTABLES}=1"),
    ];
    let appsettings = exe::appsettings_command(
        session.settings.environment.app_service_site.as_deref(),
        &shown,
        true,
    );
    let command = &cfg.credential_source.executable.command;
    if args.json.json {
        print_json(&json!({
            "path": shown,
            "outcome": outcome_word(outcome),
            "mode": "0600",
            "form": "executable",
            "command": command,
            "timeout_millis": cfg.credential_source.executable.timeout_millis,
            "output_file": output_file,
            "export": exports.join("\n"),
            "appsettings_command": appsettings,
            "libraries": libraries,
            "warnings": warnings,
        }));
    } else {
        let verb = match outcome {
            WriteOutcome::Created => "wrote",
            WriteOutcome::Unchanged => "unchanged",
            WriteOutcome::Replaced => "replaced",
        };
        outln!("{verb} {shown} (mode 0600; executable form: no secret in the file)");
        outln!("the library runs: {command}");
        if let Some(o) = &output_file {
            outln!("responses are cached in {o} (mode 0600)");
        }
        outln!();
        for e in &exports {
            outln!("{e}");
        }
        outln!();
        outln!("App settings (the libraries run the command only with {ALLOW_EXECUTABLES}=1):");
        outln!("{appsettings}");
        outln!();
        outln!("note: {libraries}");
        for w in &warnings {
            outln!("warning: {w}");
        }
    }
    Ok(())
}

fn outcome_word(o: WriteOutcome) -> &'static str {
    match o {
        WriteOutcome::Created => "created",
        WriteOutcome::Unchanged => "unchanged",
        WriteOutcome::Replaced => "replaced",
    }
}

/// The output file, absolute and under `$HOME` (the one directory App Service keeps).
fn output_file_under_home(p: &Path, home: Option<&Path>) -> Result<String, Failure> {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| Failure::Failed(format!("cannot resolve {}: {e}", p.display())))?
            .join(p)
    };
    let Some(home) = home else {
        return Err(Failure::Usage(
            "HOME is not set; the output file must live under it".into(),
        ));
    };
    if !abs.starts_with(home) || abs.components().any(|c| c.as_os_str() == "..") {
        return Err(Failure::Usage(format!(
            "--executable-output-file {} is not under $HOME ({}); put the cache there (e.g. {}/.wif-doctor-token.json)",
            abs.display(),
            home.display(),
            home.display()
        )));
    }
    abs.to_str()
        .map(str::to_string)
        .ok_or_else(|| Failure::Usage(format!("the output file {} is not UTF-8", abs.display())))
}

/// `subject-token`: exactly one JSON line on stdout, nothing on stderr (google-auth merges
/// stderr into the output it parses), exit 0 with a token or 1 with a failure response.
pub async fn subject_token(
    settings_args: &SettingsArgs,
    args: &SubjectTokenArgs,
    env: &EnvMap,
    demo: Option<&str>,
) -> Result<(), Failure> {
    let (mut body, mut ok) = match respond(settings_args, args, env, demo).await {
        Ok(body) => (body, true),
        Err((code, message)) => (st::failure(&code, &message), false),
    };
    if let Some(path) = env.get(vars::OUTPUT_FILE).filter(|p| !p.trim().is_empty()) {
        let written = files::write_private_atomic(
            Path::new(path),
            format!("{body}\n").as_bytes(),
            Overwrite::Force,
        );
        if let Err(e) = written
            && ok
        {
            body = st::failure(
                "output_file",
                &format!(
                    "cannot write the response to the credential file's output_file ({}): {e}; fix the directory's permissions or remove output_file from the file",
                    vars::OUTPUT_FILE
                ),
            );
            ok = false;
        }
    }
    if ok {
        // The one documented place a token goes to stdout: the executable-source protocol
        // (README "subject-token") reads it from there. Not scrubbed, by design.
        super::write_protocol_stdout(&format!("{body}\n"));
        Ok(())
    } else {
        super::write_json_stdout(&format!("{body}\n"));
        Err(Failure::Silent)
    }
}

/// A stable code and the one-line explanation.
type Refusal = (String, String);

fn refuse(code: &str, message: impl Into<String>) -> Refusal {
    (code.to_string(), message.into())
}

async fn respond(
    settings_args: &SettingsArgs,
    args: &SubjectTokenArgs,
    env: &EnvMap,
    demo: Option<&str>,
) -> Result<String, Refusal> {
    let get = |k: &str| env.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    if get(vars::INTERACTIVE) == Some("1") {
        return Err(refuse(
            "interactive_unsupported",
            format!(
                "{}=1 asks for interactive mode, which wif-doctor subject-token does not have (it needs no user input); use the credential file from the library's normal non-interactive refresh",
                vars::INTERACTIVE
            ),
        ));
    }
    let token_type = match get(vars::TOKEN_TYPE) {
        None => st::JWT,
        Some(t) if t == st::JWT => st::JWT,
        Some(t) if t == st::ID_TOKEN => st::ID_TOKEN,
        Some(other) => {
            return Err(refuse(
                "unsupported_token_type",
                format!(
                    "the credential file's subject_token_type is {other:?}, but an Azure managed-identity token is a JWT: set \"subject_token_type\": \"{}\" (wif-doctor config --form executable --force)",
                    st::JWT
                ),
            ));
        }
    };
    if let Some(aud) = get(vars::AUDIENCE)
        && let Some(issue) = crate::diagnose::audience_issues(vars::AUDIENCE, aud, None)
            .into_iter()
            .find(|i| i.severity == crate::diagnose::Severity::Fail)
    {
        return Err(refuse(
            "invalid_audience",
            format!(
                "the credential file's audience is wrong: {}; fix: {}",
                issue.message, issue.fix
            ),
        ));
    }
    let deadline = match &args.deadline {
        None => Duration::from_millis(exe::deadline_millis(exe::TIMEOUT_DEFAULT_MILLIS)),
        Some(d) => crate::settings::parse_duration(d)
            .map_err(|e| refuse("usage", format!("--deadline {d:?}: {e}")))?,
    };
    let mut settings = Settings::resolve(settings_args, env)
        .map_err(|e| refuse("settings", format!("invalid setting: {e}")))?;
    // --demo: the simulator lives as long as this process, like every other command's.
    let _sim = match demo {
        None => None,
        Some(name) => {
            let scenario = name.parse().map_err(|e: crate::sim::ParseScenarioError| {
                refuse("usage", format!("--demo: {e}"))
            })?;
            let sim = crate::demo::start(scenario, Duration::ZERO)
                .await
                .map_err(|e| refuse("demo", format!("cannot start the simulator: {e}")))?;
            crate::demo::apply(&mut settings, &sim);
            Some(sim)
        }
    };
    let session =
        Session::identity_only(settings).map_err(|e| refuse("https_setup", e.to_string()))?;
    let fetched = match tokio::time::timeout(deadline, session.fetch()).await {
        Err(_) => {
            return Err(refuse(
                "timeout",
                format!(
                    "no token from the identity endpoint within {} ms (the deadline under the credential file's timeout_millis); check the endpoint with: wif-doctor token",
                    deadline.as_millis()
                ),
            ));
        }
        Ok(Err(e)) => {
            let code = match serde_json::to_value(e.kind) {
                Ok(serde_json::Value::String(s)) => s,
                _ => "azure".to_string(),
            };
            return Err((code, format!("{}: {} (fix: {})", e.summary, e.cause, e.fix)));
        }
        Ok(Ok(f)) => f,
    };
    let Some((expires, _)) = fetched.expires_at() else {
        return Err(refuse(
            "no_expiry",
            "the managed-identity token has neither expires_on nor an exp claim, and the libraries need an expiration_time; check the resource with: wif-doctor token",
        ));
    };
    if expires <= now() {
        return Err(refuse(
            "token_expired",
            format!(
                "the identity endpoint returned a token that expired at {}; check this machine's clock (date -u) and the endpoint with: wif-doctor token",
                crate::jwt::format_utc(expires)
            ),
        ));
    }
    Ok(st::success(
        token_type,
        fetched.token.token.expose(),
        expires,
    ))
}
