//! The redacted support report (Markdown): settings with their origins, the token's
//! claims, the Google values and every finding. Secrets are described, never shown: the
//! token appears only as its SHA-256, the identity header only as its length.
//! Pure: the wizard and `wif-doctor report` build it from the same engine results.

use crate::azure::AzureError;
use crate::checks::{Finding, Status};
use crate::gcp::GoogleValues;
use crate::jwt;
use crate::session::Fetched;
use crate::settings::Settings;
use std::fmt::Write;

/// What the report is made of.
pub struct ReportInput<'a> {
    pub settings: &'a Settings,
    /// `None`: no token was fetched yet.
    pub token: Option<Result<&'a Fetched, &'a AzureError>>,
    pub values: &'a GoogleValues,
    /// In display order.
    pub findings: Vec<&'a Finding>,
    pub now: i64,
    /// The simulator scenario, when run with `--demo`.
    pub demo: Option<&'a str>,
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Warn => "WARN",
        Status::Fail => "FAIL",
        Status::Skip => "SKIP",
    }
}

/// A code block whose fence is longer than any backtick run in `text`, so server text
/// cannot close it and forge Markdown.
fn fenced(out: &mut String, text: &str) {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let _ = writeln!(out, "{fence}\n{}\n{fence}\n", text.trim_end());
}

/// The report, with every secret of the run scrubbed and every control character of text
/// we did not write shown as a visible escape (the one choke point for the report file).
pub fn markdown(app: &ReportInput) -> String {
    let raw = markdown_unchecked(app);
    crate::untrusted::block(&crate::secret::registry().scrub(&raw)).into_owned()
}

fn markdown_unchecked(app: &ReportInput) -> String {
    let mut out = String::from("# wif-doctor support report\n\n");
    let _ = writeln!(
        out,
        "Generated {} by wif-doctor {}{}. Secrets are not included: the Azure token appears only as its SHA-256 and the identity header only as its length.\n",
        jwt::format_utc(app.now),
        env!("CARGO_PKG_VERSION"),
        app.demo
            .map(|s| format!(" against the built-in simulator (scenario {s})"))
            .unwrap_or_default()
    );

    // Summary first: what someone helping needs to see at a glance.
    out.push_str("## Summary\n\n");
    if app.findings.is_empty() {
        out.push_str("The checks have not run (or not finished).\n\n");
    } else {
        for f in app.findings.iter() {
            let _ = writeln!(out, "- {} `{}` {}", status_word(f.status), f.id, f.title);
        }
        out.push('\n');
    }

    out.push_str("## Settings\n\n| setting | value | from |\n|---|---|---|\n");
    for (name, value, origin) in app.settings.provenance() {
        let _ = writeln!(out, "| {} | {} | {} |", name, cell(&value), cell(&origin));
    }
    let env = &app.settings.environment;
    out.push_str("\n## Environment\n\n");
    let _ = writeln!(
        out,
        "- App Service site: {}",
        env.app_service_site.as_deref().unwrap_or("(none)")
    );
    let _ = writeln!(out, "- Kudu (SCM) container: {}", env.kudu);
    let _ = writeln!(out, "- Azure VM: {}", env.azure_vm);
    for (var, from) in &env.recovered {
        let _ = writeln!(out, "- {var} recovered from {from}");
    }
    out.push('\n');

    out.push_str("## Token\n\n");
    match app.token {
        Some(Ok(f)) => {
            let _ = writeln!(out, "- source: {}", f.token.source);
            let _ = writeln!(out, "- why: {}", f.plan.reason);
            let _ = writeln!(out, "- endpoint: {}", f.token.endpoint);
            let _ = writeln!(out, "- resource: {}", f.token.resource);
            if let Some((at, from)) = f.expires_at() {
                let _ = writeln!(
                    out,
                    "- expires: {} ({}; from {from})",
                    jwt::format_utc(at),
                    jwt::format_relative(at, app.now)
                );
            }
            if let Some(sha) = &f.summary.sha256 {
                let _ = writeln!(
                    out,
                    "- token sha256: {sha} (the token itself is not included)"
                );
            }
            out.push_str("\n| header | value |\n|---|---|\n");
            let h = &f.summary.header;
            for (k, v) in [
                ("alg", &h.alg),
                ("kid", &h.kid),
                ("x5t", &h.x5t),
                ("typ", &h.typ),
            ] {
                if let Some(v) = v {
                    let _ = writeln!(out, "| {k} | {} |", cell(v));
                }
            }
            out.push_str("\n| claim | value |\n|---|---|\n");
            for (k, v) in &f.summary.claims {
                let shown = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let _ = writeln!(out, "| {k} | {} |", cell(&shown));
            }
            for n in &f.summary.notes {
                let _ = writeln!(out, "\nNote: {n}");
            }
            out.push('\n');
        }
        Some(Err(e)) => {
            let _ = writeln!(
                out,
                "No token: {}\n\n- cause: {}\n- fix: {}\n",
                e.summary, e.cause, e.fix
            );
        }
        None => out.push_str("Not fetched yet.\n\n"),
    }

    out.push_str("## Google values\n\n");
    let v = app.values;
    for (label, value) in v.labelled() {
        let _ = writeln!(out, "{label}:");
        fenced(&mut out, value);
    }
    if !v.missing.is_empty() {
        out.push_str("Missing settings:\n\n");
        for m in &v.missing {
            let _ = writeln!(out, "- {}: {}", m.name, m.why);
        }
        out.push('\n');
    }

    out.push_str("## Checks\n\n");
    for f in app.findings.iter() {
        let _ = writeln!(
            out,
            "### {} `{}` {} ({} ms)\n",
            status_word(f.status),
            f.id,
            f.title,
            f.elapsed_ms
        );
        fenced(&mut out, &f.detail.to_string());
        if !f.fix.is_empty() && f.status != Status::Pass {
            out.push_str("Fix:\n\n");
            fenced(&mut out, &f.fix.to_string());
        }
    }
    out
}
