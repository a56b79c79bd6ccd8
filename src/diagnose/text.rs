//! Shared helpers: making values visible, quoting, resource-name parsing and the checks
//! several linters share (audience, service-account email, project ID).

use super::{Issue, PH_POOL, PH_PROJECT_ID, PH_PROVIDER};
use crate::gcp;
pub(crate) use crate::gcp::project_id_problem;

/// A value between `⟨` and `⟩` with whitespace and invisible characters made visible:
/// space `␠`, tab `␉`, line feed `␤`, carriage return `␍`, other control characters and
/// invisible Unicode (zero-width, BOM, no-break space) as `<U+XXXX>`. Quotes stay as they
/// are, so a stray `"` shows: `⟨"azure-pool"⟩`.
pub fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    out.push('⟨');
    for c in s.chars() {
        match c {
            ' ' => out.push('␠'),
            '\t' => out.push('␉'),
            '\n' => out.push('␤'),
            '\r' => out.push('␍'),
            c if c.is_control() || is_invisible(c) => {
                out.push_str(&format!("<U+{:04X}>", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('⟩');
    out
}

pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}' | '\u{200B}'
            ..='\u{200F}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{2060}' | '\u{FEFF}'
    )
}

pub(crate) const QUOTES: &[char] = &['"', '\'', '`', '“', '”', '‘', '’', '«', '»'];

/// What copy/paste left around a value.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Paste {
    /// The value without surrounding whitespace, quotes and invisible characters.
    pub cleaned: String,
    pub problems: Vec<&'static str>,
}

/// Strips surrounding whitespace, line breaks, quotes and invisible characters, and says
/// which were there. Quotes inside the value are reported too (they are never valid in the
/// values wif-doctor deals with).
pub(crate) fn paste_check(s: &str) -> Paste {
    let mut problems = Vec::new();
    let trimmed_ends = |c: char| c.is_whitespace() || QUOTES.contains(&c) || is_invisible(c);
    let cleaned: String = s.trim_matches(trimmed_ends).to_string();
    let start = &s[..s.len() - s.trim_start_matches(trimmed_ends).len()];
    let end = &s[s.trim_end_matches(trimmed_ends).len()..];
    let edges = format!("{start}{end}");
    if edges.contains(['\n', '\r']) {
        problems.push("a line break");
    }
    if edges.chars().any(|c| c == ' ' || c == '\t') {
        problems.push("leading or trailing whitespace");
    }
    if edges.chars().any(|c| QUOTES.contains(&c)) {
        problems.push("quotes around it");
    }
    if edges.chars().any(is_invisible) || cleaned.chars().any(is_invisible) {
        problems.push("an invisible character (zero-width space, BOM or no-break space)");
    }
    if cleaned.chars().any(|c| QUOTES.contains(&c)) {
        problems.push("a quote inside it");
    }
    if cleaned.contains(['\n', '\r', '\t']) {
        problems.push("a line break or tab inside it");
    }
    let cleaned = cleaned
        .chars()
        .filter(|c| !is_invisible(*c) && !QUOTES.contains(c) && !c.is_control())
        .collect();
    Paste { cleaned, problems }
}

/// Always single-quotes for a POSIX shell.
pub(crate) fn sq(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Quotes a CEL expression (which uses single quotes itself) for a POSIX shell.
pub(crate) fn cel_arg(s: &str) -> String {
    if s.contains(['"', '$', '`', '\\', '!']) {
        sq(s)
    } else {
        format!("\"{s}\"")
    }
}

/// A short, single-line excerpt of a body: the HTML `<title>` if there is one, else the
/// first `max` characters with whitespace collapsed.
pub(crate) fn snippet(body: &str, max: usize) -> String {
    let lower = body.to_ascii_lowercase();
    if let Some(start) = lower.find("<title>")
        && let Some(len) = lower[start + 7..].find("</title>")
    {
        let title = body[start + 7..start + 7 + len].trim();
        if !title.is_empty() {
            return format!("HTML page titled {title:?}");
        }
    }
    let collapsed = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return "(empty body)".to_string();
    }
    let mut out: String = collapsed.chars().take(max).collect();
    if collapsed.chars().count() > max {
        out.push('…');
    }
    out
}

/// A workload identity resource name found inside a value, whatever was around it:
/// `//iam.googleapis.com/projects/N/locations/L/workloadIdentityPools/P[/providers/V|/subject/S|/…]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct WifPath {
    /// Text before `projects/`, e.g. `https://iam.googleapis.com/` or `principal://iam.googleapis.com/`.
    pub prefix: String,
    pub project: String,
    pub location: String,
    pub pool: String,
    pub provider: Option<String>,
    /// Anything after the pool (or provider): `subject/…`, `attribute.subject/…`, `*`.
    pub tail: Option<String>,
}

pub(crate) fn parse_wif_path(s: &str) -> Option<WifPath> {
    let idx = s.find("projects/")?;
    let prefix = s[..idx].to_string();
    let parts: Vec<&str> = s[idx..].split('/').collect();
    if parts.len() < 6 || parts[2] != "locations" || parts[4] != "workloadIdentityPools" {
        return None;
    }
    let mut p = WifPath {
        prefix,
        project: parts[1].to_string(),
        location: parts[3].to_string(),
        pool: parts[5].to_string(),
        provider: None,
        tail: None,
    };
    let mut rest = &parts[6..];
    if rest.len() >= 2 && rest[0] == "providers" {
        p.provider = Some(rest[1].to_string());
        rest = &rest[2..];
    }
    if !rest.is_empty() {
        p.tail = Some(rest.join("/"));
    }
    Some(p)
}

/// Checks an STS audience (the credential configuration's `audience`, or a configured one)
/// against `^//iam\.googleapis\.com/projects/(\d+)/locations/global/workloadIdentityPools/([a-z0-9-]{4,32})/providers/([a-z0-9-]{4,32})$`
/// and, if given, against the expected value.
pub(crate) fn audience_issues(
    field: &'static str,
    value: &str,
    expected: Option<&str>,
) -> Vec<Issue> {
    let mut out = Vec::new();
    let paste = paste_check(value);
    if !paste.problems.is_empty() {
        out.push(Issue::fail(
            field,
            format!(
                "audience {} has {} (copy/paste)",
                visible(value),
                paste.problems.join(", ")
            ),
            format!("use exactly {}", paste.cleaned),
        ));
    }
    let v = paste.cleaned.as_str();
    let expected = expected.map(str::trim).filter(|e| !e.is_empty());
    let template = "//iam.googleapis.com/projects/<PROJECT_NUMBER>/locations/global/workloadIdentityPools/<POOL_ID>/providers/<PROVIDER_ID>";
    let parsed = parse_wif_path(v);
    // What the value should most likely be.
    let suggestion = |p: Option<&WifPath>| -> String {
        if let Some(e) = expected {
            return e.to_string();
        }
        match p {
            Some(p) => gcp::sts_audience(
                if p.project.bytes().all(|b| b.is_ascii_digit()) && !p.project.is_empty() {
                    &p.project
                } else {
                    "<PROJECT_NUMBER>"
                },
                &p.pool,
                p.provider.as_deref().unwrap_or(PH_PROVIDER),
            ),
            None => template.to_string(),
        }
    };
    if v.starts_with("//iam.googleapis.com/locations/") && v.contains("/workforcePools/") {
        out.push(Issue::fail(
            field,
            format!(
                "audience {} is a workforce pool provider; an Azure managed identity needs a workload identity pool provider",
                visible(v)
            ),
            format!("use {}", suggestion(None)),
        ));
        return out;
    }
    let Some(p) = parsed else {
        out.push(Issue::fail(
            field,
            format!(
                "audience {} is not a workload identity provider resource name",
                visible(v)
            ),
            format!("use {}", suggestion(None)),
        ));
        return out;
    };
    let mut structural = false;
    if p.prefix != "//iam.googleapis.com/" {
        structural = true;
        let lower = p.prefix.to_ascii_lowercase();
        let what = if lower.starts_with("https:") || lower.starts_with("http:") {
            "starts with a URL scheme (`https:`); the STS audience must not include one".to_string()
        } else if p.prefix.is_empty() {
            "lacks the `//iam.googleapis.com/` prefix".to_string()
        } else {
            format!(
                "starts with {} instead of `//iam.googleapis.com/`",
                visible(&p.prefix)
            )
        };
        out.push(Issue::fail(
            field,
            format!("audience {} {what}", visible(v)),
            format!("use {}", suggestion(Some(&p))),
        ));
    }
    if !p.project.bytes().all(|b| b.is_ascii_digit()) || p.project.is_empty() {
        structural = true;
        let id = if p.project.is_empty() {
            PH_PROJECT_ID
        } else {
            &p.project
        };
        out.push(Issue::fail(
            field,
            format!(
                "audience names project {} by ID; STS needs the project number (otherwise: invalid_target)",
                visible(&p.project)
            ),
            format!(
                "look up the number with `gcloud projects describe {} --format='value(projectNumber)'` and use {}",
                gcp::shell_quote(id),
                suggestion(Some(&p))
            ),
        ));
    }
    if p.location != "global" {
        structural = true;
        out.push(Issue::fail(
            field,
            format!(
                "audience has location {}; workload identity pools are always `global`",
                visible(&p.location)
            ),
            format!("use {}", suggestion(Some(&p))),
        ));
    }
    match &p.provider {
        None => {
            structural = true;
            out.push(Issue::fail(
                field,
                format!(
                    "audience {} names the pool only; it must name the provider (…/providers/PROVIDER_ID)",
                    visible(v)
                ),
                format!("use {}", suggestion(Some(&p))),
            ));
        }
        Some(prov) => {
            if let Err(e) = gcp::validate_pool_or_provider_id(prov) {
                structural = true;
                out.push(Issue::fail(
                    field,
                    format!("audience provider ID: {e}"),
                    format!("use {}", suggestion(Some(&p))),
                ));
            }
        }
    }
    if p.pool != PH_POOL
        && let Err(e) = gcp::validate_pool_or_provider_id(&p.pool)
    {
        structural = true;
        out.push(Issue::fail(
            field,
            format!("audience pool ID: {e}"),
            format!("use {}", suggestion(Some(&p))),
        ));
    }
    if let Some(tail) = &p.tail {
        structural = true;
        out.push(Issue::fail(
            field,
            format!(
                "audience has {} after the provider ID",
                visible(&format!("/{tail}"))
            ),
            format!("use {}", suggestion(Some(&p))),
        ));
    }
    if !structural
        && let Some(e) = expected
        && e != v
    {
        out.push(Issue::fail(
            field,
            format!(
                "audience is {} but the settings give {}",
                visible(v),
                visible(e)
            ),
            format!(
                "use {e} (or fix the project number, pool or provider setting if the file is right)"
            ),
        ));
    }
    out
}

/// Checks a service-account email: `NAME@PROJECT_ID.iam.gserviceaccount.com` (Google-managed
/// `…@appspot.gserviceaccount.com` and `…-compute@developer.gserviceaccount.com` are
/// accepted too).
pub(crate) fn service_account_issues(
    field: &'static str,
    value: &str,
    project_id: Option<&str>,
) -> Vec<Issue> {
    let mut out = Vec::new();
    let paste = paste_check(value);
    let mut v = paste.cleaned.clone();
    for prefix in ["serviceAccount:", "serviceaccount:", "mailto:"] {
        if let Some(rest) = v.strip_prefix(prefix) {
            out.push(Issue::fail(
                field,
                format!(
                    "service account {} carries the {prefix:?} prefix of an IAM member string",
                    visible(value)
                ),
                format!("use the bare email {rest}"),
            ));
            v = rest.to_string();
        }
    }
    if !paste.problems.is_empty() {
        out.push(Issue::fail(
            field,
            format!(
                "service account {} has {} (copy/paste); the API answers 400 INVALID_ARGUMENT",
                visible(value),
                paste.problems.join(", ")
            ),
            format!("use exactly {v}"),
        ));
    }
    let project = project_id
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .unwrap_or(PH_PROJECT_ID);
    let Some((name, domain)) = v.split_once('@') else {
        out.push(Issue::fail(
            field,
            format!("service account {} is not an email address", visible(&v)),
            format!("use the full email: {v}@{project}.iam.gserviceaccount.com"),
        ));
        return out;
    };
    if let Err(e) = gcp::validate_service_account_email(&v) {
        out.push(Issue::fail(
            field,
            format!(
                "service account {} {e}; iam.impersonation is skipped",
                visible(&v)
            ),
            format!(
                "use the exact email from `gcloud iam service-accounts list --project={} --format='value(email)'`",
                gcp::shell_quote(project)
            ),
        ));
        return out;
    }
    if v.bytes().any(|b| b.is_ascii_uppercase()) {
        out.push(Issue::fail(
            field,
            format!(
                "service account {} has uppercase letters; service-account emails are lowercase",
                visible(&v)
            ),
            format!("use {}", v.to_ascii_lowercase()),
        ));
    }
    let domain_l = domain.to_ascii_lowercase();
    if let Some(sa_project) = domain_l.strip_suffix(".iam.gserviceaccount.com") {
        if let Some(problem) = project_id_problem(sa_project) {
            out.push(Issue::fail(
                field,
                format!(
                    "service account {}: the part after @ must be PROJECT_ID.iam.gserviceaccount.com, and {} {problem}",
                    visible(&v),
                    visible(sa_project)
                ),
                format!("use NAME@{project}.iam.gserviceaccount.com; list them with `gcloud iam service-accounts list --project={}`", gcp::shell_quote(project)),
            ));
        }
        let n = name.len();
        let name_ok = (6..=30).contains(&n)
            && name.as_bytes()[0].is_ascii_lowercase()
            && !name.ends_with('-')
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !name_ok && !name.bytes().any(|b| b.is_ascii_uppercase()) {
            out.push(Issue::fail(
                field,
                format!(
                    "service account name {} must be 6-30 lowercase letters, digits or hyphens, starting with a letter",
                    visible(name)
                ),
                format!(
                    "check the email with `gcloud iam service-accounts list --project={} --format='value(email)'`",
                    gcp::shell_quote(sa_project)
                ),
            ));
        }
    } else if domain_l == "appspot.gserviceaccount.com"
        || domain_l == "developer.gserviceaccount.com"
    {
        // Google-managed default service accounts.
    } else if domain_l.ends_with(".gserviceaccount.com") {
        out.push(Issue::warn(
            field,
            format!(
                "service account {} is a Google-managed service agent, not one you can impersonate",
                visible(&v)
            ),
            format!("use a service account you created: NAME@{project}.iam.gserviceaccount.com"),
        ));
    } else {
        out.push(Issue::fail(
            field,
            format!(
                "{} is not a service-account email (expected NAME@PROJECT_ID.iam.gserviceaccount.com)",
                visible(&v)
            ),
            format!(
                "use NAME@{project}.iam.gserviceaccount.com; list them with `gcloud iam service-accounts list --project={} --format='value(email)'`",
                gcp::shell_quote(project)
            ),
        ));
    }
    out
}
