//! Human-readable text for each command. Plain text that copies cleanly from a browser
//! console: one value per line, no borders, long values never wrapped by us.

use crate::azure::AzureError;
use crate::gcp::GoogleValues;
use crate::jwt::{TimeInfo, TokenSummary, TokenVersion};
use crate::session::Fetched;
use crate::settings::Settings;
use std::fmt::Write;

fn row(out: &mut String, key: &str, value: impl AsRef<str>) {
    let _ = writeln!(out, "  {key:<12}{}", value.as_ref());
}

/// `wif-doctor: error: <what>: <cause>` then an indented fix; the first line stands alone.
pub fn azure_error(e: &AzureError) -> String {
    let mut s = format!("{}: {}\n  fix: {}", e.summary, e.cause, e.fix);
    if let Some(raw) = &e.raw {
        let _ = write!(s, "\n  raw: {raw}");
    }
    s
}

pub fn scenario_list() -> String {
    let mut out = String::from("Simulator scenarios (use --demo=NAME):\n");
    for sc in crate::sim::Scenario::all() {
        let _ = writeln!(out, "  {:<32}{}", sc.name(), sc.description());
    }
    out
}

fn time_line(t: &Option<TimeInfo>) -> Option<String> {
    t.as_ref().map(|t| format!("{} ({})", t.utc, t.relative))
}

pub fn token(f: &Fetched, settings: &Settings) -> String {
    let mut out = String::from("Managed-identity token\n");
    row(&mut out, "source", f.token.source.to_string());
    row(&mut out, "why", f.plan.reason.to_string());
    row(&mut out, "endpoint", &f.token.endpoint);
    row(
        &mut out,
        "resource",
        format!("{} ({})", f.token.resource, settings.resource.origin),
    );
    if let Some(sel) = &settings.selector {
        row(
            &mut out,
            "identity",
            format!("user-assigned, {} ({})", sel.value.describe(), sel.origin),
        );
    }
    if let Some((at, from)) = f.expires_at() {
        let rel = crate::jwt::relative(at, crate::session::now());
        row(
            &mut out,
            "expires",
            format!("{} ({rel}; from {from})", crate::jwt::format_utc(at)),
        );
    }
    if let Some(sha) = &f.summary.sha256 {
        row(
            &mut out,
            "sha256",
            format!("{sha} (the token itself is never shown)"),
        );
    }
    out.push('\n');
    out.push_str(&summary(&f.summary));
    out
}

pub fn summary(s: &TokenSummary) -> String {
    let mut out = String::new();
    let version = match s.version {
        TokenVersion::V1 => "v1 (sts.windows.net issuer)",
        TokenVersion::V2 => "v2 (login.microsoftonline.com/…/v2.0 issuer)",
        TokenVersion::Unknown => "unknown",
    };
    out.push_str("Identity (what Google will see)\n");
    row(&mut out, "iss", s.issuer.as_deref().unwrap_or("(missing)"));
    row(
        &mut out,
        "aud",
        if s.audience.is_empty() {
            "(missing)".into()
        } else {
            s.audience.join(", ")
        },
    );
    row(
        &mut out,
        "sub",
        s.identity.sub.as_deref().unwrap_or("(missing)"),
    );
    row(&mut out, "version", version);
    if let Some(v) = &s.identity.oid {
        row(&mut out, "oid", v);
    }
    if let Some(v) = &s.identity.tid {
        row(&mut out, "tid", v);
    }
    if let Some(v) = &s.identity.client_id {
        row(&mut out, "client id", format!("{v} (appid/azp)"));
    }
    if let Some(v) = &s.identity.mirid {
        row(&mut out, "resource id", v);
    }
    out.push_str("\nTimes\n");
    for (k, v) in [
        ("issued", &s.times.iat),
        ("not before", &s.times.nbf),
        ("expires", &s.times.exp),
    ] {
        if let Some(line) = time_line(v) {
            row(&mut out, k, line);
        }
    }
    out.push_str("\nHeader\n");
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
    out.push_str("\nClaims\n");
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
        out.push_str("\nNotes\n");
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
        "Google values for the token of {} (sub {})\n",
        f.token.source,
        f.summary.identity.sub.as_deref().unwrap_or("?")
    );
    // Each value alone on its own line so a mouse selection copies exactly it.
    for (title, value) in v.labelled() {
        let _ = writeln!(out, "{title}:\n{value}\n");
    }
    out.push_str("gcloud commands:\n");
    for c in &v.gcloud {
        let _ = writeln!(out, "{c}\n");
    }
    out.push_str("Terraform:\n");
    out.push_str(&v.terraform);
    if !v.terraform.ends_with('\n') {
        out.push('\n');
    }
    if !v.missing.is_empty() {
        out.push_str("\nMissing settings (placeholders above):\n");
        for m in &v.missing {
            let how = match (m.flag, m.env) {
                (Some(f), Some(e)) => format!("{f} or {e}"),
                (Some(f), None) => f.to_string(),
                (None, Some(e)) => e.to_string(),
                (None, None) => "from the token".to_string(),
            };
            let _ = writeln!(out, "  - {}: {} ({how})", m.name, m.why);
        }
    }
    if !v.notes.is_empty() {
        out.push_str("\nNotes:\n");
        for n in &v.notes {
            let _ = writeln!(out, "  - {n}");
        }
    }
    out
}

/// The doctor checklist: a mark, the id and title, indented detail and fix, one summary line.
pub fn report(r: &crate::checks::Report, ascii: bool) -> String {
    use crate::checks::Status;
    let mut out = String::from("wif-doctor check: Azure managed identity -> Google Cloud\n\n");
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
                let _ = writeln!(out, "    fix: {first}");
            }
            for line in lines {
                let _ = writeln!(out, "         {line}");
            }
        }
    }
    let count = |s: Status| r.checks.iter().filter(|f| f.status == s).count();
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    let _ = writeln!(
        out,
        "\n{}: {} passed, {}, {} failed, {} skipped",
        if r.ok { "OK" } else { "FAILED" },
        count(Status::Pass),
        plural(count(Status::Warn), "warning"),
        count(Status::Fail),
        count(Status::Skip),
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
    let mut out = String::from("Identity source\n");
    match plan {
        Ok(p) => {
            row(&mut out, "source", p.kind.to_string());
            row(&mut out, "endpoint", &p.endpoint);
            row(&mut out, "why", p.reason.to_string());
        }
        Err(e) => {
            row(&mut out, "source", format!("none: {}", e.summary));
            row(&mut out, "cause", e.cause.to_string());
            row(&mut out, "fix", e.fix.to_string());
        }
    }
    out.push_str("\nSettings (value, then where it came from)\n");
    for (name, value, origin) in s.provenance() {
        let _ = writeln!(
            out,
            "  {name:<20}{value}{}",
            if origin.is_empty() {
                String::new()
            } else {
                format!("  ({origin})")
            }
        );
    }
    let adjusted = s.adjustments();
    if !adjusted.is_empty() {
        out.push_str("\nCleaned up (copy/paste; every command uses the value on the right)\n");
        for a in adjusted {
            let _ = writeln!(
                out,
                "  {:<20}{} -> {}  ({}: {})",
                a.label,
                a.raw,
                a.value,
                a.origin,
                a.problems.join(", ")
            );
        }
    }
    out.push_str("\nMachine\n");
    row(
        &mut out,
        "App Service",
        s.environment.app_service_site.as_deref().unwrap_or("no"),
    );
    row(
        &mut out,
        "Kudu shell",
        if s.environment.kudu {
            "yes (the identity lives in the app container)"
        } else {
            "no"
        },
    );
    row(
        &mut out,
        "Azure VM",
        if s.environment.azure_vm {
            "yes"
        } else {
            "no (IMDS is not probed)"
        },
    );
    row(&mut out, "TLS roots", crate::checks::tls::describe(roots));
    for (var, from) in &s.environment.recovered {
        row(&mut out, "recovered", format!("{var} from {from}"));
    }
    if !missing.is_empty() {
        out.push_str("\nMissing settings and how to set them\n");
        for m in missing {
            let _ = writeln!(
                out,
                "  - {}: needed for {}; flag {} or variable {}",
                m.name, m.why, m.flag, m.env
            );
        }
        let _ = writeln!(
            out,
            "\nOn App Service, set them once as app settings:\n{}",
            crate::settings::appsettings::appsettings_command(s)
        );
    }
    out
}
