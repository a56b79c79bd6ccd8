//! One function per subcommand: run the engine, hand the result to `render`.

use super::args::{ConfigArgs, DecodeArgs, ReportArgs};
use super::{Failure, render};
use crate::files::{self, Overwrite, WriteOutcome};
use crate::gcp::{self, RevealHeader};
use crate::jwt;
use crate::session::{Session, now};
use serde_json::json;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;

/// Bigger than any JWT; the decoder then explains "too large" itself.
const MAX_INPUT: u64 = 1024 * 1024;

pub(super) fn print_json(value: &impl serde::Serialize) {
    let json = serde_json::to_string_pretty(value).unwrap_or_else(|e| {
        serde_json::json!({"error": format!("cannot serialise the result: {e}")}).to_string()
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
                return Err(Failure::Usage(
                    "give the token as an argument, as @FILE, or pipe it: wif-doctor decode - < token.txt".into(),
                ));
            }
            read_bounded(stdin.lock(), "standard input")?
        }
        Some(arg) if arg.starts_with('@') => {
            let path = &arg[1..];
            files::read_capped_string(std::path::Path::new(path), MAX_INPUT, "decode @FILE")
                .map_err(|e| match e {
                    files::ReadError::TooLarge { .. } => {
                        Failure::Failed(format!("not a JWT: {e}; a token is a few KiB"))
                    }
                    e => Failure::Failed(e.to_string()),
                })?
        }
        Some(literal) => literal.to_string(),
    };
    let summary = jwt::summarize(&text, now()).map_err(|e| Failure::Failed(e.to_string()))?;
    if args.json.json {
        print_json(&summary);
    } else {
        out!("{}", render::summary(&summary));
    }
    Ok(())
}

fn read_bounded(r: impl Read, what: &str) -> Result<String, Failure> {
    let mut buf = Vec::new();
    r.take(MAX_INPUT + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Failure::Failed(format!("cannot read {what}: {e}")))?;
    if buf.len() as u64 > MAX_INPUT {
        return Err(Failure::Failed(format!(
            "not a JWT: {what} holds more than {} KiB; a token is a few KiB",
            MAX_INPUT / 1024
        )));
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
            Failure::Failed(format!(
                "cannot create a temporary directory for the demo's {name} ({e}); pass --output PATH"
            ))
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
        let provider = "projects/<PROJECT_NUMBER>/locations/global/workloadIdentityPools/<POOL_ID>/providers/<PROVIDER_ID>";
        let how = match plan.kind {
            SourceKind::Imds => format!(
                "on a VM, gcloud writes the IMDS form: gcloud iam workload-identity-pools create-cred-config {provider} --azure --app-id-uri={} --output-file=gcp_credentials.json",
                session.settings.resource.value
            ),
            SourceKind::AksWorkloadIdentity => format!(
                "on AKS, use a file-sourced config: gcloud iam workload-identity-pools create-cred-config {provider} --credential-source-file={} --output-file=gcp_credentials.json",
                plan.endpoint
            ),
            _ => "switch the app to the current protocol (IDENTITY_ENDPOINT/IDENTITY_HEADER) or pass --identity-endpoint and --identity-header".to_string(),
        };
        return Err(Failure::Failed(format!(
            "config writes the App Service form (IDENTITY_ENDPOINT + X-IDENTITY-HEADER), but this machine's identity is the {}\n  fix: {how}",
            plan.kind
        )));
    }
    let inputs = session.config_inputs().map_err(|missing| {
        Failure::Usage(format!(
            "the credential configuration needs {}",
            missing.join(", ")
        ))
    })?;
    let settings = &session.settings;
    if let Some(sa) = &settings.service_account
        && let Err(e) = gcp::validate_service_account_email(&sa.value)
    {
        return Err(Failure::Usage(format!(
            "{} {} {e}; the credential file would name a service account that cannot exist",
            crate::settings::setting_name("GCP_SERVICE_ACCOUNT", &sa.origin),
            crate::diagnose::visible(&sa.value)
        )));
    }
    // The file holds the normalised values; say which given values were cleaned up.
    let notes: Vec<String> = settings
        .adjustments()
        .iter()
        .map(|a| {
            format!(
                "{} {} ({}) had {}; the file uses {}",
                a.label,
                a.raw,
                a.origin,
                a.problems_text(),
                a.value
            )
        })
        .collect();
    if !args.json.json {
        for n in &notes {
            eprintln!("note: {n}");
        }
    }
    let cfg = gcp::credential_config(&inputs);
    if args.stdout {
        super::write_json_stdout(&format!("{}\n", cfg.to_json(RevealHeader::No)));
        eprintln!(
            "note: the X-IDENTITY-HEADER value is redacted here; use --output PATH to write a usable file (mode 0600)"
        );
        return Ok(());
    }
    let (path, in_demo_dir) = match &args.output {
        Some(p) => (p.clone(), false),
        None => default_output(demo, "gcp_credentials.json", || {
            let home = std::env::var_os("HOME")
                .ok_or_else(|| Failure::Usage("HOME is not set; pass --output PATH".into()))?;
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
    let outcome =
        files::write_private_atomic(&path, body.as_bytes(), overwrite).map_err(|e| match e {
            files::FileError::Exists { .. } => Failure::Failed(format!(
                "{} already exists with different content; pass --force to replace it",
                path.display()
            )),
            other => Failure::Failed(file_error(other, &path)),
        })?;
    let shown = path.display().to_string();
    let export = format!(
        "export GOOGLE_APPLICATION_CREDENTIALS={}",
        gcp::shell_quote(&shown)
    );
    let appsettings = gcp::executable::appsettings_command(
        session.settings.environment.app_service_site.as_deref(),
        &shown,
        false,
    );
    let warning = "the file embeds the current IDENTITY_HEADER, which the platform rotates when the container \
                   restarts: regenerate it at app start-up (e.g. run `wif-doctor config --force` in the startup \
                   command) rather than writing it once";
    let demo_note = in_demo_dir.then(|| {
        "--demo: written to a temporary directory, not $HOME/gcp_credentials.json; it points at the simulator, which stops with this run".to_string()
    });
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
        let verb = match outcome {
            WriteOutcome::Created => "wrote",
            WriteOutcome::Unchanged => "unchanged",
            WriteOutcome::Replaced => "replaced",
        };
        outln!("{verb} {shown} (mode 0600)");
        if let Some(note) = &demo_note {
            outln!("note: {note}");
        }
        outln!();
        outln!("{export}");
        outln!();
        outln!("App settings (so the app finds the file):");
        outln!("{appsettings}");
        outln!();
        outln!("warning: {warning}");
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
            .map(|(name, value, origin)| json!({"name": name, "value": value, "origin": origin}))
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
        files::FileError::Exists { .. } => Failure::Failed(format!(
            "{} already exists; pass --force to replace it",
            path.display()
        )),
        other => Failure::Failed(file_error(other, &path)),
    })?;
    if args.json.json {
        print_json(
            &json!({"path": path.display().to_string(), "ok": report.ok, "demo": in_demo_dir}),
        );
    } else {
        outln!(
            "wrote {} (mode 0600; secrets are described, never included): checks {}",
            path.display(),
            if report.ok {
                "passed"
            } else {
                "found problems"
            }
        );
        if in_demo_dir {
            outln!(
                "note: --demo: the report went to a temporary directory; pass --output PATH to choose"
            );
        }
    }
    Ok(())
}

/// A file error with the way out: a missing directory is the usual cause.
pub(super) fn file_error(e: files::FileError, path: &std::path::Path) -> String {
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) if !d.exists() => format!(
            "cannot write {}: the directory {} does not exist\n  fix: mkdir -p {} (or choose another --output)",
            path.display(),
            d.display(),
            d.display()
        ),
        _ => e.to_string(),
    }
}
