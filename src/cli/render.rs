//! Human-readable text for each command. Plain text that copies cleanly from a browser
//! console: one value per line, no borders, long values never wrapped by us. Every word
//! comes from `assets/i18n/cli.toml` in the process language; values are shown as they are.

use crate::azure::AzureError;
use crate::gcp::GoogleValues;
use crate::i18n::Text;
use crate::jwt::{TimeInfo, TokenSummary, TokenVersion};
use crate::session::Fetched;
use crate::settings::Settings;
use crate::{msg, tr};
use std::fmt::{Display, Write};
use unicode_width::UnicodeWidthStr;

/// `s` padded with spaces to `width` terminal columns (double-width text counts twice);
/// at least one space follows it.
pub(super) fn pad(s: impl Display, width: usize) -> String {
    let mut out = s.to_string();
    let w = out.width();
    out.push_str(&" ".repeat(width.saturating_sub(w).max(1)));
    out
}

/// The row labels (`cli.label.<name>`).
pub const LABELS: &[&str] = &[
    "source",
    "why",
    "endpoint",
    "resource",
    "identity",
    "expires",
    "version",
    "client_id",
    "resource_id",
    "issued",
    "not_before",
    "cause",
    "fix",
    "app_service",
    "kudu",
    "azure_vm",
    "tls_roots",
    "recovered",
];

/// The label column: 12 columns in English, wider when the language's labels are.
fn label_width() -> usize {
    LABELS
        .iter()
        .map(|l| tr!(format!("cli.label.{l}")).width() + 1)
        .max()
        .unwrap_or(0)
        .max(12)
}

fn row(out: &mut String, key: &str, value: impl Display) {
    let _ = writeln!(out, "  {}{value}", pad(key, label_width()));
}

/// A labelled row: the label from the catalogue.
fn lrow(out: &mut String, label: &str, value: impl Display) {
    row(out, &tr!(format!("cli.label.{label}")), value);
}

fn heading(out: &mut String, key: &str) {
    let _ = writeln!(
        out,
        "{}",
        crate::i18n::Msg::new(format!("cli.heading.{key}"))
    );
}

/// `wif-doctor: error: <what>: <cause>` then an indented fix; the first line stands alone.
pub fn azure_error(e: &AzureError) -> Text {
    let mut t: Text = msg!(
        "cli.azure_error",
        summary = e.summary.to_string(),
        cause = e.cause.to_string(),
        fix = e.fix.to_string()
    )
    .into();
    if let Some(raw) = &e.raw {
        t.line(msg!("cli.azure_error_raw", raw = raw.to_string()));
    }
    t
}

pub fn scenario_list() -> String {
    let mut out = String::new();
    heading(&mut out, "scenarios");
    for sc in crate::sim::Scenario::all() {
        let _ = writeln!(out, "  {:<32}{}", sc.name(), sc.description());
    }
    out
}

fn time_line(t: &Option<TimeInfo>) -> Option<String> {
    t.as_ref().map(|t| format!("{} ({})", t.utc, t.relative))
}

pub fn token(f: &Fetched, settings: &Settings) -> String {
    let mut out = String::new();
    heading(&mut out, "token");
    lrow(&mut out, "source", f.token.source.to_string());
    lrow(&mut out, "why", &f.plan.reason);
    lrow(&mut out, "endpoint", &f.token.endpoint);
    lrow(
        &mut out,
        "resource",
        format!("{} ({})", f.token.resource, settings.resource.origin),
    );
    if let Some(sel) = &settings.selector {
        lrow(
            &mut out,
            "identity",
            tr!(
                "cli.token.user_assigned",
                selector = sel.value.describe().to_string(),
                origin = sel.origin.to_string()
            ),
        );
    }
    if let Some((at, from)) = f.expires_at() {
        let rel = crate::jwt::relative(at, crate::session::now()).to_string();
        lrow(
            &mut out,
            "expires",
            tr!(
                "cli.token.expires",
                utc = crate::jwt::format_utc(at),
                relative = rel,
                from = from
            ),
        );
    }
    if let Some(sha) = &f.summary.sha256 {
        row(&mut out, "sha256", tr!("cli.token.sha256", sha = sha));
    }
    out.push('\n');
    out.push_str(&summary(&f.summary));
    out
}

pub fn summary(s: &TokenSummary) -> String {
    let mut out = String::new();
    let version = match s.version {
        TokenVersion::V1 => tr!("cli.summary.version_v1"),
        TokenVersion::V2 => tr!("cli.summary.version_v2"),
        TokenVersion::Unknown => tr!("cli.summary.version_unknown"),
    };
    let missing = tr!("cli.summary.missing");
    heading(&mut out, "identity");
    row(&mut out, "iss", s.issuer.as_deref().unwrap_or(&missing));
    row(
        &mut out,
        "aud",
        if s.audience.is_empty() {
            missing.clone()
        } else {
            s.audience.join(", ")
        },
    );
    row(
        &mut out,
        "sub",
        s.identity.sub.as_deref().unwrap_or(&missing),
    );
    lrow(&mut out, "version", version);
    if let Some(v) = &s.identity.oid {
        row(&mut out, "oid", v);
    }
    if let Some(v) = &s.identity.tid {
        row(&mut out, "tid", v);
    }
    if let Some(v) = &s.identity.client_id {
        lrow(&mut out, "client_id", format!("{v} (appid/azp)"));
    }
    if let Some(v) = &s.identity.mirid {
        lrow(&mut out, "resource_id", v);
    }
    out.push('\n');
    heading(&mut out, "times");
    for (k, v) in [
        ("issued", &s.times.iat),
        ("not_before", &s.times.nbf),
        ("expires", &s.times.exp),
    ] {
        if let Some(line) = time_line(v) {
            lrow(&mut out, k, line);
        }
    }
    out.push('\n');
    heading(&mut out, "header");
    for (k, v) in [
        ("alg", &s.header.alg),
        ("kid", &s.header.kid),
        ("x5t", &s.header.x5t),
        ("typ", &s.header.typ),
    ] {
        if let Some(v) = v {
            row(&mut out, k, v);
        }
    }
    out.push('\n');
    heading(&mut out, "claims");
    for (k, v) in &s.claims {
        let shown = match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        row(&mut out, k, shown);
    }
    if let Some(sha) = &s.sha256 {
        out.push('\n');
        row(&mut out, "sha256", sha);
    }
    if !s.notes.is_empty() {
        out.push('\n');
        heading(&mut out, "notes");
        for n in &s.notes {
            let _ = writeln!(out, "  - {n}");
        }
    }
    out
}

pub fn values(v: &GoogleValues, f: &Fetched) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}\n",
        msg!(
            "cli.values.heading",
            source = f.token.source.to_string(),
            sub = f.summary.identity.sub.as_deref().unwrap_or("?")
        )
    );
    // Each value alone on its own line so a mouse selection copies exactly it.
    for (title, value) in v.labelled() {
        let _ = writeln!(
            out,
            "{}\n{value}\n",
            msg!("cli.values.label", label = title.to_string())
        );
    }
    heading(&mut out, "gcloud");
    for c in &v.gcloud {
        let _ = writeln!(out, "{c}\n");
    }
    heading(&mut out, "terraform");
    out.push_str(&v.terraform);
    if !v.terraform.ends_with('\n') {
        out.push('\n');
    }
    if !v.missing.is_empty() {
        out.push('\n');
        heading(&mut out, "values_missing");
        for m in &v.missing {
            let how = match (m.flag, m.env) {
                (Some(f), Some(e)) => tr!("cli.values.flag_or_env", flag = f, env = e),
                (Some(f), None) => f.to_string(),
                (None, Some(e)) => e.to_string(),
                (None, None) => tr!("cli.values.from_token"),
            };
            let _ = writeln!(out, "  - {}: {} ({how})", m.name, m.why);
        }
    }
    if !v.notes.is_empty() {
        out.push('\n');
        heading(&mut out, "values_notes");
        for n in &v.notes {
            let _ = writeln!(out, "  - {n}");
        }
    }
    out
}

/// The doctor checklist: a mark, the id and title, indented detail and fix, one summary line.
pub fn report(r: &crate::checks::Report, ascii: bool) -> String {
    use crate::checks::Status;
    let mut out = String::new();
    heading(&mut out, "check");
    out.push('\n');
    let fix_label = tr!("cli.check.fix");
    let fix_indent = " ".repeat(fix_label.width() + 1);
    for f in &r.checks {
        let _ = writeln!(
            out,
            "{} {:<18} {}",
            f.status.mark(ascii),
            f.id.as_str(),
            f.title
        );
        for line in f.detail.to_string().lines() {
            let _ = writeln!(out, "    {line}");
        }
        if !f.fix.is_empty() && f.status != Status::Pass {
            let fix = f.fix.to_string();
            let mut lines = fix.lines();
            if let Some(first) = lines.next() {
                let _ = writeln!(out, "    {fix_label} {first}");
            }
            for line in lines {
                let _ = writeln!(out, "    {fix_indent}{line}");
            }
        }
    }
    let count = |s: Status| r.checks.iter().filter(|f| f.status == s).count();
    let warnings = count(Status::Warn);
    let _ = writeln!(
        out,
        "\n{}",
        msg!(
            "cli.check.summary",
            verdict = if r.ok {
                msg!("cli.check.ok")
            } else {
                msg!("cli.check.failed")
            },
            passed = count(Status::Pass),
            warnings = if warnings == 1 {
                msg!("cli.check.warning_one")
            } else {
                msg!("cli.check.warning_many", n = warnings)
            },
            failed = count(Status::Fail),
            skipped = count(Status::Skip),
        )
    );
    out
}

/// `wif-doctor env`: where the identity comes from and where every setting came from.
pub fn env(
    s: &Settings,
    plan: &Result<crate::azure::Plan, AzureError>,
    missing: &[crate::settings::appsettings::Missing],
    roots: &crate::checks::tls::Loaded,
) -> String {
    let mut out = String::new();
    heading(&mut out, "source");
    match plan {
        Ok(p) => {
            lrow(&mut out, "source", p.kind.to_string());
            lrow(&mut out, "endpoint", &p.endpoint);
            lrow(&mut out, "why", &p.reason);
        }
        Err(e) => {
            lrow(
                &mut out,
                "source",
                tr!("cli.env.no_source", summary = e.summary.to_string()),
            );
            lrow(&mut out, "cause", &e.cause);
            lrow(&mut out, "fix", &e.fix);
        }
    }
    out.push('\n');
    heading(&mut out, "settings");
    for row in s.provenance() {
        let origin = row.origin_text();
        let _ = writeln!(
            out,
            "  {}{}{}",
            pad(row.label(), 20),
            row.value_text(),
            if origin.is_empty() {
                String::new()
            } else {
                format!("  ({origin})")
            }
        );
    }
    let adjusted = s.adjustments();
    if !adjusted.is_empty() {
        out.push('\n');
        heading(&mut out, "adjusted");
        for a in adjusted {
            let _ = writeln!(
                out,
                "  {}{} -> {}  ({}: {})",
                pad(&a.label, 20),
                a.raw,
                a.value,
                a.origin,
                a.problems_text()
            );
        }
    }
    out.push('\n');
    heading(&mut out, "machine");
    let yes = tr!("cli.env.yes");
    let no = tr!("cli.env.no");
    lrow(
        &mut out,
        "app_service",
        s.environment.app_service_site.as_deref().unwrap_or(&no),
    );
    lrow(
        &mut out,
        "kudu",
        if s.environment.kudu {
            tr!("cli.env.kudu_yes")
        } else {
            no.clone()
        },
    );
    lrow(
        &mut out,
        "azure_vm",
        if s.environment.azure_vm {
            yes.clone()
        } else {
            tr!("cli.env.vm_no")
        },
    );
    lrow(&mut out, "tls_roots", crate::checks::tls::describe(roots));
    for (var, from) in &s.environment.recovered {
        lrow(
            &mut out,
            "recovered",
            tr!(
                "cli.env.recovered",
                var = var.to_string(),
                from = from.to_string()
            ),
        );
    }
    if !missing.is_empty() {
        out.push('\n');
        heading(&mut out, "env_missing");
        for m in missing {
            let _ = writeln!(
                out,
                "  - {}",
                msg!(
                    "cli.env.missing",
                    name = m.name.clone(),
                    why = m.why.to_string(),
                    flag = m.flag,
                    env = m.env
                )
            );
        }
        let _ = writeln!(
            out,
            "\n{}\n{}",
            msg!("cli.env.appsettings"),
            crate::settings::appsettings::appsettings_command(s)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, lookup};

    #[test]
    fn every_row_label_is_catalogued_and_english_keeps_its_column() {
        for l in LABELS {
            let key = format!("cli.label.{l}");
            let t = lookup(&key).unwrap_or_else(|| panic!("{key} missing"));
            assert!(t.get(Lang::Ja).is_some(), "{key}");
            assert!(t.get(Lang::En).unwrap().width() < 12, "{key} is too wide");
        }
    }

    #[test]
    fn padding_counts_display_columns() {
        assert_eq!(pad("why", 6), "why   ");
        assert_eq!(pad("理由", 6), "理由  ");
        assert_eq!(pad("エンドポイント", 6), "エンドポイント ");
    }
}
