//! Shared helpers: making values visible, quoting, resource-name parsing and the checks
//! several linters share (audience, service-account email, project ID).

use super::{Issue, PH_POOL, PH_PROJECT_ID, PH_PROJECT_NUMBER, PH_PROVIDER};
use crate::gcp;
pub(crate) use crate::gcp::project_id_problem;
use crate::i18n::{Arg, Msg, Text};
use crate::msg;

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

/// One copy/paste artefact around (or inside) a value. Shared with
/// [`crate::settings::normalise`]; renders as the catalogue text `settings.paste.*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PasteProblem {
    /// A line break at either end.
    LineBreak,
    /// Spaces or tabs at either end.
    Whitespace,
    /// Quotes around the value.
    Quotes,
    /// A zero-width space, BOM or no-break space.
    Invisible,
    /// A quote inside the value.
    QuoteInside,
    /// A line break or tab inside the value.
    BreakInside,
}

impl PasteProblem {
    pub const ALL: [PasteProblem; 6] = [
        PasteProblem::LineBreak,
        PasteProblem::Whitespace,
        PasteProblem::Quotes,
        PasteProblem::Invisible,
        PasteProblem::QuoteInside,
        PasteProblem::BreakInside,
    ];

    /// The catalogue key.
    pub fn key(self) -> &'static str {
        match self {
            PasteProblem::LineBreak => "settings.paste.line_break",
            PasteProblem::Whitespace => "settings.paste.whitespace",
            PasteProblem::Quotes => "settings.paste.quotes",
            PasteProblem::Invisible => "settings.paste.invisible",
            PasteProblem::QuoteInside => "settings.paste.quote_inside",
            PasteProblem::BreakInside => "settings.paste.break_inside",
        }
    }

    pub fn msg(self) -> Msg {
        Msg::new(self.key())
    }

    /// Only whitespace or line breaks at the ends (harmless once trimmed).
    pub fn is_spacing(self) -> bool {
        matches!(self, PasteProblem::LineBreak | PasteProblem::Whitespace)
    }
}

impl From<PasteProblem> for Text {
    fn from(p: PasteProblem) -> Text {
        p.msg().into()
    }
}

impl From<PasteProblem> for Arg {
    fn from(p: PasteProblem) -> Arg {
        Arg::Text(p.into())
    }
}

impl std::fmt::Display for PasteProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.msg().fmt(f)
    }
}

impl serde::Serialize for PasteProblem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.msg().serialize(s)
    }
}

/// Items as a list in the language's way (`a, b` / `a、b`).
pub fn list<T: Into<Text>>(items: impl IntoIterator<Item = T>) -> Text {
    let mut out = Text::new();
    for (i, t) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(Msg::new("settings.list_sep"));
        }
        out.push(t);
    }
    out
}

/// What copy/paste left around a value.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Paste {
    /// The value without surrounding whitespace, quotes and invisible characters.
    pub cleaned: String,
    pub problems: Vec<PasteProblem>,
}

impl Paste {
    /// The problems as one list.
    pub fn problems_text(&self) -> Text {
        list(self.problems.iter().copied())
    }
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
        problems.push(PasteProblem::LineBreak);
    }
    if edges.chars().any(|c| c == ' ' || c == '\t') {
        problems.push(PasteProblem::Whitespace);
    }
    if edges.chars().any(|c| QUOTES.contains(&c)) {
        problems.push(PasteProblem::Quotes);
    }
    if edges.chars().any(is_invisible) || cleaned.chars().any(is_invisible) {
        problems.push(PasteProblem::Invisible);
    }
    if cleaned.chars().any(|c| QUOTES.contains(&c)) {
        problems.push(PasteProblem::QuoteInside);
    }
    if cleaned.contains(['\n', '\r', '\t']) {
        problems.push(PasteProblem::BreakInside);
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

/// [`snippet`] as text: the HTML title or the excerpt as a value, in a sentence of the
/// reader's language.
#[allow(dead_code)] // offered to google_api.rs and sts.rs (the HTML title / empty body in the reader's language)
pub(crate) fn snippet_text(body: &str, max: usize) -> Text {
    let lower = body.to_ascii_lowercase();
    if let Some(start) = lower.find("<title>")
        && let Some(len) = lower[start + 7..].find("</title>")
    {
        let title = body[start + 7..start + 7 + len].trim();
        if !title.is_empty() {
            return msg!("lint.snippet.html_title", title = format!("{title:?}")).into();
        }
    }
    if body.split_whitespace().next().is_none() {
        return msg!("lint.snippet.empty").into();
    }
    Text::value(snippet(body, max))
}

/// The audience template with placeholders.
fn audience_template() -> String {
    gcp::sts_audience(PH_PROJECT_NUMBER, PH_POOL, PH_PROVIDER)
}

/// `gcloud projects describe ID --format='value(projectNumber)'`
pub(crate) fn project_number_command(project_id: &str) -> Msg {
    msg!(
        "lint.cmd.project_number",
        project = gcp::shell_quote(project_id)
    )
}

/// `gcloud iam service-accounts list --project=P --format='value(email)'`
pub(crate) fn list_service_accounts_command(project: &str) -> Msg {
    msg!(
        "lint.cmd.list_service_accounts",
        project = gcp::shell_quote(project)
    )
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
            msg!(
                "audience.paste",
                value = visible(value),
                problems = paste.problems_text()
            ),
            msg!("audience.use_exactly", value = paste.cleaned.clone()),
        ));
    }
    let v = paste.cleaned.as_str();
    let expected = expected.map(str::trim).filter(|e| !e.is_empty());
    let parsed = parse_wif_path(v);
    // What the value should most likely be.
    let suggestion = |p: Option<&WifPath>| -> Msg {
        let value = if let Some(e) = expected {
            e.to_string()
        } else {
            match p {
                Some(p) => gcp::sts_audience(
                    if p.project.bytes().all(|b| b.is_ascii_digit()) && !p.project.is_empty() {
                        &p.project
                    } else {
                        PH_PROJECT_NUMBER
                    },
                    &p.pool,
                    p.provider.as_deref().unwrap_or(PH_PROVIDER),
                ),
                None => audience_template(),
            }
        };
        msg!("audience.use", value = value)
    };
    if v.starts_with("//iam.googleapis.com/locations/") && v.contains("/workforcePools/") {
        out.push(Issue::fail(
            field,
            msg!("audience.workforce", value = visible(v)),
            suggestion(None),
        ));
        return out;
    }
    let Some(p) = parsed else {
        out.push(Issue::fail(
            field,
            msg!("audience.not_resource_name", value = visible(v)),
            suggestion(None),
        ));
        return out;
    };
    let mut structural = false;
    if p.prefix != "//iam.googleapis.com/" {
        structural = true;
        let lower = p.prefix.to_ascii_lowercase();
        let message = if lower.starts_with("https:") || lower.starts_with("http:") {
            msg!("audience.url_scheme", value = visible(v))
        } else if p.prefix.is_empty() {
            msg!("audience.no_prefix", value = visible(v))
        } else {
            msg!(
                "audience.other_prefix",
                value = visible(v),
                prefix = visible(&p.prefix)
            )
        };
        out.push(Issue::fail(field, message, suggestion(Some(&p))));
    }
    if !p.project.bytes().all(|b| b.is_ascii_digit()) || p.project.is_empty() {
        structural = true;
        let id = if p.project.is_empty() {
            PH_PROJECT_ID
        } else {
            &p.project
        };
        let audience = suggestion(Some(&p));
        out.push(Issue::fail(
            field,
            msg!("audience.project_id", project = visible(&p.project)),
            msg!(
                "audience.project_id_fix",
                command = project_number_command(id),
                audience = audience
            ),
        ));
    }
    if p.location != "global" {
        structural = true;
        out.push(Issue::fail(
            field,
            msg!("audience.location", location = visible(&p.location)),
            suggestion(Some(&p)),
        ));
    }
    match &p.provider {
        None => {
            structural = true;
            out.push(Issue::fail(
                field,
                msg!("audience.pool_only", value = visible(v)),
                suggestion(Some(&p)),
            ));
        }
        Some(prov) => {
            if let Err(e) = gcp::validate_pool_or_provider_id(prov) {
                structural = true;
                out.push(Issue::fail(
                    field,
                    msg!("audience.provider_id", problem = e),
                    suggestion(Some(&p)),
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
            msg!("audience.pool_id", problem = e),
            suggestion(Some(&p)),
        ));
    }
    if let Some(tail) = &p.tail {
        structural = true;
        out.push(Issue::fail(
            field,
            msg!("audience.tail", tail = visible(&format!("/{tail}"))),
            suggestion(Some(&p)),
        ));
    }
    if !structural
        && let Some(e) = expected
        && e != v
    {
        let mut message = Text::from(msg!(
            "audience.mismatch",
            aud = visible(v),
            want = visible(e)
        ));
        // Which part differs, side by side.
        if let Some(w) = parse_wif_path(e) {
            for (part, have, want) in [
                ("project", &p.project, &w.project),
                ("pool", &p.pool, &w.pool),
                (
                    "provider",
                    &p.provider.clone().unwrap_or_default(),
                    &w.provider.clone().unwrap_or_default(),
                ),
            ] {
                if have != want {
                    let key = match part {
                        "project" => "audience.differs.project",
                        "pool" => "audience.differs.pool",
                        _ => "audience.differs.provider",
                    };
                    message.sentence(
                        Msg::new(key)
                            .arg("have", have.as_str())
                            .arg("want", want.as_str()),
                    );
                }
            }
        }
        // The two causes, most likely first, and how to tell them apart.
        message.sentence(msg!(
            "audience.mismatch_causes",
            describe = msg!(
                "lint.cmd.describe_provider",
                provider = gcp::shell_quote(p.provider.as_deref().unwrap_or(PH_PROVIDER)),
                pool = gcp::shell_quote(&p.pool),
                project = gcp::shell_quote(&p.project)
            )
        ));
        out.push(Issue::fail(
            field,
            message,
            msg!("audience.mismatch_fix", want = e.to_string()),
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
                msg!(
                    "lint.sa.member_prefix",
                    value = visible(value),
                    prefix = format!("{prefix:?}")
                ),
                msg!("lint.sa.use_bare", email = rest.to_string()),
            ));
            v = rest.to_string();
        }
    }
    if !paste.problems.is_empty() {
        out.push(Issue::fail(
            field,
            msg!(
                "lint.sa.paste",
                value = visible(value),
                problems = paste.problems_text()
            ),
            msg!("lint.sa.use_exactly", email = v.clone()),
        ));
    }
    let project = project_id
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .unwrap_or(PH_PROJECT_ID);
    let Some((name, domain)) = v.split_once('@') else {
        out.push(Issue::fail(
            field,
            msg!("lint.sa.not_email", value = visible(&v)),
            msg!(
                "lint.sa.use_full_email",
                email = format!("{v}@{project}.iam.gserviceaccount.com")
            ),
        ));
        return out;
    };
    if let Err(e) = gcp::validate_service_account_email(&v) {
        out.push(Issue::fail(
            field,
            msg!("lint.sa.invalid", value = visible(&v), problem = e),
            msg!(
                "lint.sa.use_listed",
                command = list_service_accounts_command(project)
            ),
        ));
        return out;
    }
    if v.bytes().any(|b| b.is_ascii_uppercase()) {
        out.push(Issue::fail(
            field,
            msg!("lint.sa.uppercase", value = visible(&v)),
            msg!("lint.sa.use", email = v.to_ascii_lowercase()),
        ));
    }
    let domain_l = domain.to_ascii_lowercase();
    let use_yours = || {
        msg!(
            "lint.sa.use_yours",
            email = format!("NAME@{project}.iam.gserviceaccount.com"),
            command = list_service_accounts_command(project)
        )
    };
    if let Some(sa_project) = domain_l.strip_suffix(".iam.gserviceaccount.com") {
        if let Some(problem) = project_id_problem(sa_project) {
            out.push(Issue::fail(
                field,
                msg!(
                    "lint.sa.bad_project",
                    value = visible(&v),
                    project = visible(sa_project),
                    problem = problem
                ),
                use_yours(),
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
                msg!("lint.sa.bad_name", name = visible(name)),
                msg!(
                    "lint.sa.check_listed",
                    command = list_service_accounts_command(sa_project)
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
            msg!("lint.sa.service_agent", value = visible(&v)),
            msg!(
                "lint.sa.use_created",
                email = format!("NAME@{project}.iam.gserviceaccount.com")
            ),
        ));
    } else {
        out.push(Issue::fail(
            field,
            msg!("lint.sa.not_sa_email", value = visible(&v)),
            use_yours(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, has_key};

    #[test]
    fn paste_problem_keys_exist_in_both_languages() {
        for p in PasteProblem::ALL {
            assert!(has_key(p.key()), "{}", p.key());
            assert_ne!(p.msg().render(Lang::En), p.msg().render(Lang::Ja));
        }
        assert!(has_key("settings.list_sep"));
    }

    #[test]
    fn paste_problems_render_as_a_list() {
        let p = paste_check(" \"azure-pool\"\n");
        assert_eq!(
            p.problems_text().en(),
            "a line break, leading or trailing whitespace, quotes around it"
        );
        assert_eq!(p.cleaned, "azure-pool");
        let ja = p.problems_text().render(Lang::Ja);
        assert!(ja.contains('、'), "{ja}");
    }

    #[test]
    fn snippet_text_names_an_html_title() {
        let t = snippet_text("<html><title>502 Bad Gateway</title></html>", 100);
        assert!(t.en().contains("\"502 Bad Gateway\""), "{}", t.en());
        assert!(t.render(Lang::Ja).contains("502 Bad Gateway"));
        assert_eq!(snippet_text("  ", 10).en(), "(empty body)");
    }
}
