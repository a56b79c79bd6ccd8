//! The executable form: `config --form executable` writes a file that runs
//! `wif-doctor subject-token`, and `subject-token` answers the libraries' protocol.

use super::Failure;
use super::args::{ConfigArgs, SubjectTokenArgs};
use super::commands::{
    export_line, file_error, needs, note, outcome_verb, print_json, write_config,
};
use crate::files::{self, Overwrite, WriteOutcome};
use crate::gcp::executable::{self as exe, ALLOW_EXECUTABLES, ExecutableError};
use crate::gcp::subject_token::{self as st, env as vars};
use crate::i18n::Text;
use crate::session::{Session, now};
use crate::settings::{EnvMap, Settings, SettingsArgs};
use crate::{msg, tr};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What `config` leaves in the output file: a well-formed failure response. Node's library
/// fails when a configured output file does not exist (it resolves the path before reading);
/// google-auth and Node both treat a failure response there as "run the command".
const PLACEHOLDER_CODE: &str = "not_fetched_yet";

pub fn config(session: &Session, args: &ConfigArgs) -> Result<(), Failure> {
    let program = std::env::current_exe().map_err(|e| {
        Failure::Failed(msg!("executable.config.current_exe", error = e.to_string()).into())
    })?;
    let program = program
        .to_str()
        .ok_or_else(|| {
            Failure::Failed(
                msg!(
                    "executable.config.not_utf8",
                    path = program.display().to_string()
                )
                .into(),
            )
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
        .map_err(|missing| Failure::Usage(needs(&missing)))?;
    let cfg = exe::executable_config(&inputs).map_err(|e| match e {
        ExecutableError::Whitespace {
            what: exe::Part::Program,
            ..
        } => Failure::Failed(e.message()),
        other => Failure::Usage(other.message()),
    })?;

    let mut warnings: Vec<Text> = Vec::new();
    if session.settings.environment.app_service_site.is_some() && !exe::survives_restart(&program) {
        warnings.push(msg!("executable.config.outside_home", program = &program).into());
    }
    if session
        .settings
        .allow_executables
        .as_ref()
        .is_none_or(|v| v.value.trim() != "1")
    {
        warnings.push(msg!("executable.config.not_allowed", var = ALLOW_EXECUTABLES).into());
    }
    let libraries = msg!("executable.config.libraries");

    if args.stdout {
        out!("{}", cfg.to_json());
        for w in &warnings {
            eprintln!("{}", msg!("cli.warning", message = w));
        }
        return Ok(());
    }
    let path = match &args.output {
        Some(p) => p.clone(),
        None => home
            .clone()
            .ok_or_else(|| Failure::Usage(msg!("cli.error.no_home").into()))?
            .join("gcp_credentials.json"),
    };
    let overwrite = if args.force {
        Overwrite::Force
    } else {
        Overwrite::Refuse
    };
    let outcome = write_config(&path, cfg.to_json().as_bytes(), overwrite)?;
    if let Some(o) = &output_file {
        // Reset the cache too: a response cached under other settings must not be reused.
        let placeholder =
            st::failure(PLACEHOLDER_CODE, &tr!("executable.config.placeholder")) + "\n";
        files::write_private_atomic(Path::new(o), placeholder.as_bytes(), Overwrite::Force)
            .map_err(|e| Failure::Failed(file_error(e, Path::new(o))))?;
    }
    let shown = path.display().to_string();
    let exports = [
        export_line(
            "GOOGLE_APPLICATION_CREDENTIALS",
            &crate::gcp::shell_quote(&shown),
        ),
        export_line(ALLOW_EXECUTABLES, "1"),
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
        outln!(
            "{}",
            msg!(
                "executable.config.wrote",
                verb = outcome_verb(outcome),
                path = &shown
            )
        );
        outln!("{}", msg!("executable.config.runs", command = command));
        if let Some(o) = &output_file {
            outln!("{}", msg!("executable.config.cached", path = o));
        }
        outln!();
        for e in &exports {
            outln!("{e}");
        }
        outln!();
        outln!(
            "{}",
            msg!("executable.config.appsettings", var = ALLOW_EXECUTABLES)
        );
        outln!("{appsettings}");
        outln!();
        outln!("{}", note(libraries));
        for w in &warnings {
            outln!("{}", msg!("cli.warning", message = w));
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
            .map_err(|e| {
                Failure::Failed(
                    msg!(
                        "executable.config.cannot_resolve",
                        path = p.display().to_string(),
                        error = e.to_string()
                    )
                    .into(),
                )
            })?
            .join(p)
    };
    let Some(home) = home else {
        return Err(Failure::Usage(msg!("executable.config.no_home").into()));
    };
    if !abs.starts_with(home) || abs.components().any(|c| c.as_os_str() == "..") {
        return Err(Failure::Usage(
            msg!(
                "executable.config.not_under_home",
                path = abs.display().to_string(),
                home = home.display().to_string()
            )
            .into(),
        ));
    }
    abs.to_str().map(str::to_string).ok_or_else(|| {
        Failure::Usage(
            msg!(
                "executable.config.output_not_utf8",
                path = abs.display().to_string()
            )
            .into(),
        )
    })
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
        Err((code, message)) => (st::failure(&code, &message.to_string()), false),
    };
    if let Some(path) = env.get(vars::OUTPUT_FILE).filter(|p| !p.trim().is_empty()) {
        // Rewritten on every refresh: atomic and 0600, but not fsynced (see the function).
        let written =
            files::write_private_atomic_cache(Path::new(path), format!("{body}\n").as_bytes());
        if let Err(e) = written
            && ok
        {
            body = st::failure(
                "output_file",
                &tr!(
                    "executable.protocol.output_file",
                    var = vars::OUTPUT_FILE,
                    error = e.to_string()
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

/// A stable code (protocol: never translated) and the one-line explanation (the process
/// language: the libraries show it to the operator).
type Refusal = (String, Text);

fn refuse(code: &str, message: impl Into<Text>) -> Refusal {
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
            msg!("executable.protocol.interactive", var = vars::INTERACTIVE),
        ));
    }
    let token_type = match get(vars::TOKEN_TYPE) {
        None => st::JWT,
        Some(t) if t == st::JWT => st::JWT,
        Some(t) if t == st::ID_TOKEN => st::ID_TOKEN,
        Some(other) => {
            return Err(refuse(
                "unsupported_token_type",
                msg!(
                    "executable.protocol.token_type",
                    given = format!("{other:?}"),
                    jwt = st::JWT
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
            msg!(
                "executable.protocol.audience",
                problem = &issue.message,
                fix = &issue.fix
            ),
        ));
    }
    let deadline = match &args.deadline {
        None => Duration::from_millis(exe::deadline_millis(exe::TIMEOUT_DEFAULT_MILLIS)),
        Some(d) => crate::settings::parse_duration(d).map_err(|e| {
            refuse(
                "usage",
                super::flag_error(&format!("--deadline {d:?}"), e.to_string()),
            )
        })?,
    };
    let mut settings = Settings::resolve(settings_args, env).map_err(|e| {
        refuse(
            "settings",
            msg!("executable.protocol.settings", error = e.to_string()),
        )
    })?;
    // --demo: the simulator lives as long as this process, like every other command's.
    let _sim = match demo {
        None => None,
        Some(name) => {
            let scenario = name.parse().map_err(|e: crate::sim::ParseScenarioError| {
                refuse("usage", super::flag_error("--demo", e.to_string()))
            })?;
            let sim = crate::demo::start(scenario, Duration::ZERO)
                .await
                .map_err(|e| refuse("demo", msg!("cli.error.simulator", error = e.to_string())))?;
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
                msg!(
                    "executable.protocol.timeout",
                    ms = deadline.as_millis().to_string()
                ),
            ));
        }
        Ok(Err(e)) => {
            let code = match serde_json::to_value(e.kind) {
                Ok(serde_json::Value::String(s)) => s,
                _ => "azure".to_string(),
            };
            return Err((
                code,
                msg!(
                    "executable.protocol.azure",
                    summary = e.summary.to_string(),
                    cause = e.cause.to_string(),
                    fix = e.fix.to_string()
                )
                .into(),
            ));
        }
        Ok(Ok(f)) => f,
    };
    let Some((expires, _)) = fetched.expires_at() else {
        return Err(refuse("no_expiry", msg!("executable.protocol.no_expiry")));
    };
    if expires <= now() {
        return Err(refuse(
            "token_expired",
            msg!(
                "executable.protocol.expired",
                at = crate::jwt::format_utc(expires)
            ),
        ));
    }
    Ok(st::success(
        token_type,
        fetched.token.token.expose(),
        expires,
    ))
}
