//! One function per subcommand: run the engine, hand the result to `render`.

use super::args::{ConfigArgs, DecodeArgs, ReportArgs};
use super::{Failure, render};
use crate::files::{self, Overwrite, WriteOutcome};
use crate::gcp::{self, RevealHeader};
use crate::i18n::Text;
use crate::jwt;
use crate::session::{Session, now};
use crate::{msg, tr};
use serde_json::json;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;

/// Bigger than any JWT; the decoder then explains "too large" itself.
const MAX_INPUT: u64 = 1024 * 1024;

pub(super) fn print_json(value: &impl serde::Serialize) {
    let json = serde_json::to_string_pretty(value).unwrap_or_else(|e| {
        serde_json::json!({"error": tr!("cli.error.serialise", error = e.to_string())}).to_string()
    });
    super::write_json_stdout(&format!("{json}\n"));
}

pub async fn token(session: &Session, as_json: bool) -> Result<(), Failure> {
    let f = session.fetch().await?;
    if as_json {
        let expires = f.expires_at();
        let now = now();
        print_json(&json!({
            "source": f.token.source.id(),
            "source_description": f.token.source.to_string(),
            "source_reason": f.plan.reason,
            "endpoint": f.token.endpoint,
            "resource": f.token.resource,
            "client_id": f.token.client_id,
            "attempts": f.token.attempts,
            "header": f.jwt.header,
            "claims": f.jwt.claims,
            "version": f.summary.version,
            "identity": f.summary.identity,
            "expires_at": expires.map(|(at, _)| at),
            "expires_at_utc": expires.map(|(at, _)| jwt::format_utc(at)),
            "expires_in_seconds": expires.map(|(at, _)| at.saturating_sub(now)),
            "expires_from": expires.map(|(_, from)| from),
            "notes": f.summary.notes,
            "token_sha256": f.summary.sha256,
        }));
    } else {
        out!("{}", render::token(&f, &session.settings));
    }
    Ok(())
}

pub fn decode(args: &DecodeArgs) -> Result<(), Failure> {
    let text = match args.input.as_deref() {
        None | Some("-") => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                return Err(Failure::Usage(msg!("cli.decode.no_input").into()));
            }
            read_bounded(stdin.lock(), msg!("cli.decode.stdin").into())?
        }
        Some(arg) if arg.starts_with('@') => {
            let path = &arg[1..];
            files::read_capped_string(std::path::Path::new(path), MAX_INPUT, "decode @FILE")
                .map_err(|e| match e {
                    files::ReadError::TooLarge { .. } => {
                        Failure::Failed(msg!("cli.decode.too_large", error = e.to_string()).into())
                    }
                    e => Failure::Failed(e.to_string().into()),
                })?
        }
        Some(literal) => literal.to_string(),
    };
    let summary =
        jwt::summarize(&text, now()).map_err(|e| Failure::Failed(e.to_string().into()))?;
    if args.json.json {
        print_json(&summary);
    } else {
        out!("{}", render::summary(&summary));
    }
    Ok(())
}

fn read_bounded(r: impl Read, what: Text) -> Result<String, Failure> {
    let mut buf = Vec::new();
    r.take(MAX_INPUT + 1).read_to_end(&mut buf).map_err(|e| {
        Failure::Failed(
            msg!(
                "cli.decode.cannot_read",
                what = &what,
                error = e.to_string()
            )
            .into(),
        )
    })?;
    if buf.len() as u64 > MAX_INPUT {
        return Err(Failure::Failed(
            msg!(
                "cli.decode.input_too_large",
                what = &what,
                kib = MAX_INPUT / 1024
            )
            .into(),
        ));
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

pub async fn values(session: &Session, as_json: bool) -> Result<(), Failure> {
    let f = session.fetch().await?;
    let values = session.values(Some(&f.jwt));
    if as_json {
        print_json(&values);
    } else {
        out!("{}", render::values(&values, &f));
    }
    Ok(())
}

/// The default output path: `name` in the demo directory with `--demo`, else `real`.
/// Returns whether it is the demo directory (the output then says so).
fn default_output(
    demo: bool,
    name: &str,
    real: impl FnOnce() -> Result<PathBuf, Failure>,
) -> Result<(PathBuf, bool), Failure> {
    if demo {
        let dir = crate::demo::output_dir().map_err(|e| {
            Failure::Failed(msg!("cli.error.demo_dir", name = name, error = e.to_string()).into())
        })?;
        Ok((dir.join(name), true))
    } else {
        Ok((real()?, false))
    }
}

pub fn config(session: &Session, args: &ConfigArgs, demo: bool) -> Result<(), Failure> {
    use crate::azure::SourceKind;
    if args.form == super::args::ConfigForm::Executable {
        return super::executable::config(session, args);
    }
    // The file's credential source is the App Service identity endpoint; other sources
    // need another shape, which gcloud writes.
    if let Ok(plan) = session.plan()
        && plan.kind != SourceKind::AppService
    {
        let provider = tr!("cli.cmd.provider_placeholder");
        let how = match plan.kind {
            SourceKind::Imds => msg!(
                "cli.config.how_imds",
                command = msg!(
                    "cli.cmd.create_cred_config_azure",
                    provider = &provider,
                    resource = &session.settings.resource.value
                )
            ),
            SourceKind::AksWorkloadIdentity => msg!(
                "cli.config.how_aks",
                command = msg!(
                    "cli.cmd.create_cred_config_file",
                    provider = &provider,
                    file = &plan.endpoint
                )
            ),
            _ => msg!("cli.config.how_legacy"),
        };
        return Err(Failure::Failed(
            msg!(
                "cli.config.not_app_service",
                kind = plan.kind.to_string(),
                how = how
            )
            .into(),
        ));
    }
    let inputs = session
        .config_inputs()
        .map_err(|missing| Failure::Usage(needs(&missing)))?;
    let settings = &session.settings;
    if let Some(sa) = &settings.service_account
        && let Err(e) = gcp::validate_service_account_email(&sa.value)
    {
        return Err(Failure::Usage(
            msg!(
                "cli.config.bad_service_account",
                setting =
                    crate::settings::setting_name("GCP_SERVICE_ACCOUNT", &sa.origin).to_string(),
                value = crate::diagnose::visible(&sa.value).to_string(),
                error = e.to_string()
            )
            .into(),
        ));
    }
    // The file holds the normalised values; say which given values were cleaned up.
    let notes: Vec<Text> = settings
        .adjustments()
        .iter()
        .map(|a| {
            msg!(
                "cli.config.adjusted",
                label = a.label.to_string(),
                raw = a.raw.to_string(),
                origin = a.origin.to_string(),
                problems = a.problems_text(),
                value = a.value.to_string()
            )
            .into()
        })
        .collect();
    if !args.json.json {
        for n in &notes {
            eprintln!("{}", note(n.clone()));
        }
    }
    let cfg = gcp::credential_config(&inputs);
    if args.stdout {
        super::write_json_stdout(&format!("{}\n", cfg.to_json(RevealHeader::No)));
        eprintln!("{}", note(msg!("cli.config.header_redacted")));
        return Ok(());
    }
    let (path, in_demo_dir) = match &args.output {
        Some(p) => (p.clone(), false),
        None => default_output(demo, "gcp_credentials.json", || {
            let home = std::env::var_os("HOME")
                .ok_or_else(|| Failure::Usage(msg!("cli.error.no_home").into()))?;
            Ok(PathBuf::from(home).join("gcp_credentials.json"))
        })?,
    };
    let overwrite = if args.force {
        Overwrite::Force
    } else {
        Overwrite::Refuse
    };
    let mut body = cfg.to_json(RevealHeader::Yes);
    if !body.ends_with('\n') {
        body.push('\n');
    }
    let outcome = write_config(&path, body.as_bytes(), overwrite)?;
    let shown = path.display().to_string();
    let export = export_line("GOOGLE_APPLICATION_CREDENTIALS", &gcp::shell_quote(&shown));
    let appsettings = gcp::executable::appsettings_command(
        session.settings.environment.app_service_site.as_deref(),
        &shown,
        false,
    );
    let warning = msg!("cli.config.header_rotates");
    let demo_note = in_demo_dir.then(|| msg!("cli.config.demo_note"));
    if args.json.json {
        print_json(&json!({
            "demo_note": demo_note,
            "notes": notes,
            "path": shown,
            "outcome": match outcome { WriteOutcome::Created => "created", WriteOutcome::Unchanged => "unchanged", WriteOutcome::Replaced => "replaced" },
            "mode": "0600",
            "form": "url",
            "export": export,
            "appsettings_command": appsettings,
            "warnings": [warning],
        }));
    } else {
        outln!(
            "{}",
            msg!(
                "cli.config.wrote",
                verb = outcome_verb(outcome),
                path = &shown
            )
        );
        if let Some(n) = &demo_note {
            outln!("{}", note(n.clone()));
        }
        outln!();
        outln!("{export}");
        outln!();
        outln!("{}", msg!("cli.config.appsettings"));
        outln!("{appsettings}");
        outln!();
        outln!("{}", msg!("cli.warning", message = warning));
    }
    Ok(())
}

/// The end-to-end test. Exit 0 when nothing failed (warnings allowed), 1 when a check failed.
pub async fn check(session: Session, as_json: bool, ascii: bool) -> Result<(), Failure> {
    let session = std::sync::Arc::new(session);
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let (report, _) = super::progress::follow(rx, crate::checks::run(session, tx)).await;
    if as_json {
        print_json(&report);
    } else {
        out!("{}", render::report(&report, ascii));
    }
    if report.ok {
        Ok(())
    } else {
        Err(Failure::Silent)
    }
}

/// The Environment screen's twin: source, provenance, machine facts, what is missing.
pub fn env(session: &Session, as_json: bool) -> Result<(), Failure> {
    use crate::settings::appsettings;
    let s = &session.settings;
    let plan = session.plan();
    let missing = appsettings::missing(s);
    if as_json {
        let settings: Vec<_> = s
            .provenance()
            .into_iter()
            .map(|r| {
                json!({
                    "name": r.field,
                    "label": r.label(),
                    "value": r.value,
                    "origin": r.origin.as_ref().map(ToString::to_string),
                })
            })
            .collect();
        print_json(&json!({
            "source": plan.as_ref().ok().map(|p| json!({"kind": p.kind.id(), "endpoint": p.endpoint, "reason": p.reason})),
            "source_error": plan.as_ref().err(),
            "settings": settings,
            "adjustments": s.adjustments(),
            "environment": {
                "app_service_site": s.environment.app_service_site,
                "kudu": s.environment.kudu,
                "azure_vm": s.environment.azure_vm,
                "recovered": s.environment.recovered_sources.iter().map(|(v, f)| json!({
                    "var": v, "from": f.to_string(), "pid": f.pid, "process": f.process, "path": f.path,
                })).collect::<Vec<_>>(),
            },
            "tls_roots": crate::checks::tls::id(&session.http.roots()),
            "tls_roots_description": crate::checks::tls::describe(&session.http.roots()),
            "missing": missing,
            "appsettings_command": appsettings::appsettings_command(s),
        }));
    } else {
        out!("{}", render::env(s, &plan, &missing, &session.http.roots()));
    }
    Ok(())
}

/// Run the checks and write the redacted Markdown report (exit 0 when it is written).
pub async fn report(
    session: Session,
    args: &ReportArgs,
    demo: Option<&str>,
) -> Result<(), Failure> {
    let session = std::sync::Arc::new(session);
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let (report, token) =
        super::progress::follow(rx, crate::checks::run(session.clone(), tx)).await;
    let values = session.values(token.as_ref().and_then(|t| t.as_ref().ok()).map(|f| &f.jwt));
    let input = crate::report::ReportInput {
        settings: &session.settings,
        token: token.as_ref().map(|t| t.as_ref()),
        values: &values,
        findings: report.checks.iter().collect(),
        now: now(),
        demo,
    };
    let text = crate::report::markdown(&input);
    let (path, in_demo_dir) = match &args.output {
        Some(p) => (p.clone(), false),
        None => default_output(demo.is_some(), "wif-doctor-report.md", || {
            Ok(PathBuf::from("wif-doctor-report.md"))
        })?,
    };
    let overwrite = if args.force {
        Overwrite::Force
    } else {
        Overwrite::Refuse
    };
    files::write_private_atomic(&path, text.as_bytes(), overwrite).map_err(|e| match e {
        files::FileError::Exists { .. } => {
            Failure::Failed(msg!("cli.error.exists", path = path.display().to_string()).into())
        }
        other => Failure::Failed(file_error(other, &path)),
    })?;
    if args.json.json {
        print_json(
            &json!({"path": path.display().to_string(), "ok": report.ok, "demo": in_demo_dir}),
        );
    } else {
        outln!(
            "{}",
            msg!(
                "cli.report.wrote",
                path = path.display().to_string(),
                outcome = if report.ok {
                    msg!("cli.report.passed")
                } else {
                    msg!("cli.report.problems")
                }
            )
        );
        if in_demo_dir {
            outln!("{}", note(msg!("cli.report.demo_note")));
        }
    }
    Ok(())
}

/// Write a credential configuration; an existing file with other contents is kept unless
/// `--force`.
pub(super) fn write_config(
    path: &std::path::Path,
    bytes: &[u8],
    overwrite: Overwrite,
) -> Result<files::WriteOutcome, Failure> {
    files::write_private_atomic(path, bytes, overwrite).map_err(|e| match e {
        files::FileError::Exists { .. } => Failure::Failed(
            msg!(
                "cli.error.exists_different",
                path = path.display().to_string()
            )
            .into(),
        ),
        other => Failure::Failed(file_error(other, path)),
    })
}

/// A file error with the way out: a missing directory is the usual cause.
pub(super) fn file_error(e: files::FileError, path: &std::path::Path) -> Text {
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) if !d.exists() => msg!(
            "cli.error.no_directory",
            path = path.display().to_string(),
            dir = d.display().to_string()
        )
        .into(),
        _ => e.to_string().into(),
    }
}

/// `note: …` (a line for stderr or stdout).
pub(super) fn note(m: impl Into<crate::i18n::Arg>) -> crate::i18n::Msg {
    msg!("cli.note", message = m)
}

/// `export NAME=value`.
pub(super) fn export_line(name: &str, value: &str) -> String {
    crate::i18n::Msg::new("cli.cmd.export")
        .arg("name", name)
        .arg("value", value)
        .to_string()
}

/// The usage error when settings are missing for a credential file.
pub(super) fn needs<T: std::fmt::Display>(missing: &[T]) -> Text {
    let list: Vec<String> = missing.iter().map(|m| m.to_string()).collect();
    msg!("cli.config.needs", missing = list.join(", ")).into()
}

/// `wrote` / `unchanged` / `replaced`, in the process language.
pub(super) fn outcome_verb(o: WriteOutcome) -> crate::i18n::Msg {
    match o {
        WriteOutcome::Created => msg!("cli.outcome.created"),
        WriteOutcome::Unchanged => msg!("cli.outcome.unchanged"),
        WriteOutcome::Replaced => msg!("cli.outcome.replaced"),
    }
}
