//! The redacted support report (Markdown): settings with their origins, the token's
//! claims, the Google values and every finding. Secrets are described, never shown: the
//! token appears only as its SHA-256, the identity header only as its length.
//! Pure: the wizard and `wif-doctor report` build it from the same engine results.

use crate::azure::AzureError;
use crate::checks::{Finding, Status};
use crate::gcp::GoogleValues;
use crate::i18n::{Msg, Text};
use crate::jwt;
use crate::session::Fetched;
use crate::settings::Settings;
use crate::{msg, tr};
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
    let mut out = String::new();
    let h = |out: &mut String, level: &str, key: &str| {
        let _ = writeln!(
            out,
            "{level} {}\n",
            Msg::new(format!("report.heading.{key}"))
        );
    };
    h(&mut out, "#", "title");
    let _ = writeln!(
        out,
        "{}\n",
        msg!(
            "report.generated",
            at = jwt::format_utc(app.now),
            version = env!("CARGO_PKG_VERSION"),
            demo = match app.demo {
                Some(s) => Text::from(msg!("report.demo", scenario = s)),
                None => Text::new(),
            }
        )
    );

    // Summary first: what someone helping needs to see at a glance.
    h(&mut out, "##", "summary");
    if app.findings.is_empty() {
        let _ = writeln!(out, "{}\n", msg!("report.not_run"));
    } else {
        for f in app.findings.iter() {
            let _ = writeln!(out, "- {} `{}` {}", status_word(f.status), f.id, f.title);
        }
        out.push('\n');
    }

    h(&mut out, "##", "settings");
    let _ = writeln!(
        out,
        "| {} | {} | {} |\n|---|---|---|",
        tr!("report.column.setting"),
        tr!("report.column.value"),
        tr!("report.column.from")
    );
    for row in app.settings.provenance() {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            row.label(),
            cell(&row.value_text()),
            cell(&row.origin_text())
        );
    }
    let env = &app.settings.environment;
    out.push('\n');
    h(&mut out, "##", "environment");
    let none = tr!("report.none");
    let item = |out: &mut String, key: &str, value: &str| {
        let _ = writeln!(
            out,
            "- {}: {value}",
            Msg::new(format!("report.label.{key}"))
        );
    };
    item(
        &mut out,
        "app_service",
        env.app_service_site.as_deref().unwrap_or(&none),
    );
    item(&mut out, "kudu", &env.kudu.to_string());
    item(&mut out, "azure_vm", &env.azure_vm.to_string());
    for (var, from) in &env.recovered {
        let _ = writeln!(
            out,
            "- {}",
            msg!(
                "report.recovered",
                var = var.to_string(),
                from = from.to_string()
            )
        );
    }
    out.push('\n');

    h(&mut out, "##", "token");
    match app.token {
        Some(Ok(f)) => {
            item(&mut out, "source", &f.token.source.to_string());
            item(&mut out, "why", &f.plan.reason.to_string());
            item(&mut out, "endpoint", &f.token.endpoint);
            item(&mut out, "resource", &f.token.resource);
            if let Some((at, from)) = f.expires_at() {
                item(
                    &mut out,
                    "expires",
                    &tr!(
                        "report.expires",
                        utc = jwt::format_utc(at),
                        relative = jwt::format_relative(at, app.now).to_string(),
                        from = from
                    ),
                );
            }
            if let Some(sha) = &f.summary.sha256 {
                item(&mut out, "sha256", &tr!("report.sha256", sha = sha));
            }
            let _ = writeln!(
                out,
                "\n| {} | {} |\n|---|---|",
                tr!("report.column.header"),
                tr!("report.column.value")
            );
            let hd = &f.summary.header;
            for (k, v) in [
                ("alg", &hd.alg),
                ("kid", &hd.kid),
                ("x5t", &hd.x5t),
                ("typ", &hd.typ),
            ] {
                if let Some(v) = v {
                    let _ = writeln!(out, "| {k} | {} |", cell(v));
                }
            }
            let _ = writeln!(
                out,
                "\n| {} | {} |\n|---|---|",
                tr!("report.column.claim"),
                tr!("report.column.value")
            );
            for (k, v) in &f.summary.claims {
                let shown = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let _ = writeln!(out, "| {k} | {} |", cell(&shown));
            }
            for n in &f.summary.notes {
                let _ = writeln!(out, "\n{}", msg!("report.note", note = n.to_string()));
            }
            out.push('\n');
        }
        Some(Err(e)) => {
            let _ = writeln!(
                out,
                "{}\n\n- {}\n- {}\n",
                msg!("report.no_token", summary = e.summary.to_string()),
                msg!("report.cause", cause = e.cause.to_string()),
                msg!("report.fix", fix = e.fix.to_string())
            );
        }
        None => {
            let _ = writeln!(out, "{}\n", msg!("report.not_fetched"));
        }
    }

    h(&mut out, "##", "values");
    let v = app.values;
    for (label, value) in v.labelled() {
        let _ = writeln!(out, "{label}:");
        fenced(&mut out, value);
    }
    if !v.missing.is_empty() {
        let _ = writeln!(out, "{}\n", msg!("report.missing"));
        for m in &v.missing {
            let _ = writeln!(out, "- {}: {}", m.name, m.why);
        }
        out.push('\n');
    }

    h(&mut out, "##", "checks");
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
            let _ = writeln!(out, "{}\n", msg!("report.fix_heading"));
            fenced(&mut out, &f.fix.to_string());
        }
    }
    out
}
