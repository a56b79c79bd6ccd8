//! Static checks of an `external_account` credential configuration file (google-sts-wif.md
//! §1.4 and its recommended static checks), tuned for an Azure managed identity.
//!
//! Header values (`X-IDENTITY-HEADER`, `secret`) are compared, never shown: no issue ever
//! contains them.

use super::text::{audience_issues, service_account_issues, visible};
use super::{Issue, PH_POOL, PH_PROJECT_NUMBER, PH_PROVIDER, Severity};
use crate::gcp::{self, REDACTED_HEADER, host_allowed_sts};
use crate::i18n::{Msg, Text};
use crate::msg;
use serde_json::{Map, Value};
use std::fmt;
use url::Url;

/// What the file is compared against. The identity header is only compared.
#[derive(Clone, Default)]
pub struct LintContext {
    /// `IDENTITY_ENDPOINT` now.
    pub current_identity_endpoint: Option<String>,
    /// `IDENTITY_HEADER` now. Compared only; never put into any message.
    pub current_identity_header: Option<String>,
    /// The Azure resource from the settings.
    pub resource: Option<String>,
    /// Running on App Service / Functions / Container Apps (IMDS is unreachable there).
    pub on_app_service: bool,
    /// The STS audience the settings give.
    pub expected_audience: Option<String>,
    /// `GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES` in the app's environment (recovered when
    /// the shell lacks it), with where it came from; `None` when unset.
    pub allow_executables: Option<(String, String)>,
    /// `WEBSITE_SITE_NAME`, for the `az webapp` fix.
    pub app_name: Option<String>,
}

impl fmt::Debug for LintContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LintContext")
            .field("current_identity_endpoint", &self.current_identity_endpoint)
            .field(
                "current_identity_header",
                &self
                    .current_identity_header
                    .as_ref()
                    .map(|_| REDACTED_HEADER),
            )
            .field("resource", &self.resource)
            .field("on_app_service", &self.on_app_service)
            .field("expected_audience", &self.expected_audience)
            .field("allow_executables", &self.allow_executables)
            .field("app_name", &self.app_name)
            .finish()
    }
}

const IMDS_HOST: &str = "169.254.169.254";
const JWT: &str = "urn:ietf:params:oauth:token-type:jwt";
const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";

/// "regenerate the file: `wif-doctor config --force`"
fn regenerate() -> Msg {
    msg!(
        "lint.config.regenerate",
        command = "wif-doctor config --force"
    )
}

/// "Google asks you to validate externally supplied credential configurations"
fn validate() -> Msg {
    msg!("lint.config.validate")
}

/// `add JSON`
fn add(json: impl Into<String>) -> Msg {
    msg!("lint.config.add", json = json.into())
}

/// `use VALUE`
fn use_(value: impl Into<String>) -> Msg {
    msg!("lint.config.use", value = value.into())
}

/// Items joined with "and" in the reader's language.
fn and_list(items: &[&str]) -> Text {
    let mut out = Text::new();
    for (i, t) in items.iter().enumerate() {
        if i > 0 {
            out.push(msg!("lint.config.and_sep"));
        }
        out.push(*t);
    }
    out
}

fn s<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(Value::as_str)
}

/// Checks a credential configuration. An empty list means nothing to report.
pub fn lint_config(text: &str, lc: &LintContext) -> Vec<Issue> {
    let mut out = Vec::new();
    let mut secrets: Vec<String> = lc.current_identity_header.iter().cloned().collect();
    lint_inner(text, lc, &mut out, &mut secrets);
    // Belt and braces: no header value may appear anywhere in the findings.
    for issue in &mut out {
        for secret in &secrets {
            if secret.trim().len() >= 4 {
                let mut scrub = |v: &mut String| {
                    if v.contains(secret.as_str()) {
                        *v = v.replace(secret.as_str(), "<redacted>");
                    }
                };
                issue.message.map_values(&mut scrub);
                issue.fix.map_values(&mut scrub);
            }
        }
    }
    out
}

fn lint_inner(text: &str, lc: &LintContext, out: &mut Vec<Issue>, secrets: &mut Vec<String>) {
    let mut body = text;
    if let Some(rest) = body.strip_prefix('\u{FEFF}') {
        out.push(Issue::warn(
            "json",
            msg!("lint.config.bom"),
            msg!("lint.config.bom_fix", regenerate = regenerate()),
        ));
        body = rest;
    }
    if body.trim().is_empty() {
        out.push(Issue::fail("json", msg!("lint.config.empty"), regenerate()));
        return;
    }
    let v: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => {
            let what = match e.classify() {
                serde_json::error::Category::Eof => "lint.config.json_eof",
                serde_json::error::Category::Syntax => "lint.config.json_syntax",
                serde_json::error::Category::Data => "lint.config.json_data",
                serde_json::error::Category::Io => "lint.config.json_io",
            };
            out.push(Issue::fail(
                "json",
                msg!(
                    "lint.config.invalid_json",
                    what = Msg::new(what),
                    line = e.line().to_string(),
                    column = e.column().to_string()
                ),
                msg!("lint.config.invalid_json_fix", regenerate = regenerate()),
            ));
            return;
        }
    };
    let Some(m) = v.as_object() else {
        out.push(Issue::fail(
            "json",
            msg!("lint.config.not_object"),
            regenerate(),
        ));
        return;
    };

    // type
    match m.get("type") {
        None => out.push(Issue::fail(
            "type",
            msg!("lint.config.missing", field = "type"),
            add("\"type\": \"external_account\""),
        )),
        Some(Value::String(t)) if t == "external_account" => {}
        Some(t) => {
            let t_str = t.as_str().unwrap_or("");
            let why = match t_str {
                "service_account" => "lint.config.type_service_account",
                "authorized_user" => "lint.config.type_authorized_user",
                "external_account_authorized_user" => "lint.config.type_workforce_user",
                "impersonated_service_account" => "lint.config.type_impersonated",
                _ => "lint.config.type_other",
            };
            out.push(Issue::fail(
                "type",
                msg!(
                    "lint.config.type_wrong",
                    value = visible(&t.to_string()),
                    why = Msg::new(why)
                ),
                msg!(
                    "lint.config.use_or_regenerate",
                    json = "\"type\": \"external_account\"",
                    regenerate = regenerate()
                ),
            ));
        }
    }

    // audience
    let audience = s(m, "audience");
    match m.get("audience") {
        None => out.push(Issue::fail(
            "audience",
            msg!("lint.config.missing", field = "audience"),
            add(format!(
                "\"audience\": \"{}\"",
                lc.expected_audience
                    .clone()
                    .unwrap_or_else(|| gcp::sts_audience(PH_PROJECT_NUMBER, PH_POOL, PH_PROVIDER))
            )),
        )),
        Some(Value::String(a)) => out.extend(audience_issues(
            "audience",
            a,
            lc.expected_audience.as_deref(),
        )),
        Some(other) => out.push(Issue::fail(
            "audience",
            msg!(
                "lint.config.not_string",
                field = "audience",
                value = other.to_string()
            ),
            regenerate(),
        )),
    }

    // subject_token_type
    match s(m, "subject_token_type") {
        None => out.push(Issue::fail(
            "subject_token_type",
            msg!("lint.config.missing", field = "subject_token_type"),
            add(format!("\"subject_token_type\": \"{JWT}\"")),
        )),
        Some(t) if t == JWT || t == ID_TOKEN => {}
        Some(t) => out.push(Issue::fail(
            "subject_token_type",
            if t.ends_with(":access_token") {
                msg!("lint.config.stt_access_token", value = visible(t))
            } else {
                msg!("lint.config.stt_wrong", value = visible(t))
            },
            use_(format!("\"subject_token_type\": \"{JWT}\"")),
        )),
    }

    // token_url / token_info_url
    let universe = s(m, "universe_domain").unwrap_or("googleapis.com");
    match s(m, "token_url") {
        None => out.push(Issue::fail(
            "token_url",
            msg!("lint.config.missing", field = "token_url"),
            add("\"token_url\": \"https://sts.googleapis.com/v1/token\""),
        )),
        Some(u) => check_google_url(out, "token_url", u, universe, true),
    }
    if let Some(u) = s(m, "token_info_url") {
        check_google_url(out, "token_info_url", u, universe, false);
    }
    if universe != "googleapis.com" {
        out.push(Issue::warn(
            "universe_domain",
            msg!("lint.config.universe", value = visible(universe)),
            msg!(
                "lint.config.universe_fix",
                json = "\"universe_domain\": \"googleapis.com\""
            ),
        ));
    }
    if m.contains_key("workforce_pool_user_project")
        && !audience.is_some_and(|a| a.contains("/workforcePools/"))
    {
        out.push(Issue::fail(
            "workforce_pool_user_project",
            msg!("lint.config.workforce_user_project"),
            msg!(
                "lint.config.remove",
                json = "\"workforce_pool_user_project\""
            ),
        ));
    }

    // credential_source
    match m.get("credential_source") {
        None => out.push(Issue::fail(
            "credential_source",
            msg!("lint.config.cs_missing"),
            regenerate(),
        )),
        Some(Value::Object(cs)) => credential_source(out, cs, lc, secrets),
        Some(_) => out.push(Issue::fail(
            "credential_source",
            msg!("lint.config.not_an_object", field = "credential_source"),
            regenerate(),
        )),
    }

    // impersonation
    if let Some(u) = m.get("service_account_impersonation_url") {
        match u.as_str() {
            Some(u) => impersonation_url(out, u),
            None => out.push(Issue::fail(
                "service_account_impersonation_url",
                msg!(
                    "lint.config.not_string",
                    field = "service_account_impersonation_url",
                    value = u.to_string()
                ),
                regenerate(),
            )),
        }
    } else if m.contains_key("service_account_impersonation") {
        out.push(Issue::warn(
            "service_account_impersonation",
            msg!("lint.config.impersonation_without_url"),
            msg!(
                "lint.config.impersonation_without_url_fix",
                command = "wif-doctor config --force"
            ),
        ));
    }
    if let Some(lt) = m
        .get("service_account_impersonation")
        .and_then(|v| v.get("token_lifetime_seconds"))
    {
        match lt.as_i64() {
            Some(n) if (600..=3600).contains(&n) => {}
            Some(n) if (3601..=43200).contains(&n) => out.push(Issue::warn(
                "service_account_impersonation.token_lifetime_seconds",
                msg!(
                    "lint.config.lifetime_long",
                    seconds = n.to_string(),
                    constraint = "constraints/iam.allowServiceAccountCredentialLifetimeExtension"
                ),
                msg!("lint.config.lifetime_long_fix"),
            )),
            _ => out.push(Issue::fail(
                "service_account_impersonation.token_lifetime_seconds",
                msg!("lint.config.lifetime_range", value = lt.to_string()),
                msg!("lint.config.lifetime_fix"),
            )),
        }
    }
}

fn check_google_url(
    out: &mut Vec<Issue>,
    field: &'static str,
    raw: &str,
    universe: &str,
    token: bool,
) {
    let default = if token {
        "https://sts.googleapis.com/v1/token"
    } else {
        "https://sts.googleapis.com/v1/introspect"
    };
    let u = match Url::parse(raw.trim()) {
        Ok(u) => u,
        Err(e) => {
            out.push(Issue::fail(
                field,
                msg!(
                    "lint.config.url_invalid",
                    field = field,
                    value = visible(raw),
                    error = e.to_string()
                ),
                use_(default),
            ));
            return;
        }
    };
    if raw != raw.trim() {
        out.push(Issue::fail(
            field,
            msg!(
                "lint.config.url_whitespace",
                field = field,
                value = visible(raw)
            ),
            use_(raw.trim()),
        ));
    }
    if u.scheme() != "https" {
        out.push(Issue::fail(
            field,
            msg!(
                "lint.config.url_not_https",
                field = field,
                value = visible(raw)
            ),
            use_(default),
        ));
        return;
    }
    let host = u.host_str().unwrap_or("").to_ascii_lowercase();
    if !host_allowed_sts(&host, universe) {
        if host.ends_with(".googleapis.com") {
            out.push(Issue::warn(
                field,
                msg!(
                    "lint.config.url_not_sts",
                    field = field,
                    host = visible(&host)
                ),
                use_(default),
            ));
        } else {
            out.push(Issue::warn(
                field,
                msg!(
                    "lint.config.url_foreign",
                    field = field,
                    host = visible(&host),
                    validate = validate()
                ),
                msg!("lint.config.url_foreign_fix", url = default),
            ));
        }
    }
    let want_path = if token { "/v1/token" } else { "/v1/introspect" };
    if u.path() != want_path && host_allowed_sts(&host, universe) {
        out.push(Issue::warn(
            field,
            msg!(
                "lint.config.url_path",
                field = field,
                path = visible(u.path()),
                want = want_path
            ),
            use_(default),
        ));
    }
}

fn header<'a>(headers: Option<&'a Map<String, Value>>, name: &str) -> Option<&'a Value> {
    headers?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn credential_source(
    out: &mut Vec<Issue>,
    cs: &Map<String, Value>,
    lc: &LintContext,
    secrets: &mut Vec<String>,
) {
    let kinds: Vec<&str> = ["file", "url", "executable", "certificate", "environment_id"]
        .into_iter()
        .filter(|k| cs.contains_key(*k))
        .collect();
    match kinds.as_slice() {
        [] => {
            out.push(Issue::fail(
                "credential_source",
                msg!("lint.config.cs_none"),
                regenerate(),
            ));
            return;
        }
        [_] => {}
        many => {
            out.push(Issue::fail(
                "credential_source",
                msg!("lint.config.cs_many", kinds = and_list(many)),
                msg!("lint.config.cs_many_fix", regenerate = regenerate()),
            ));
            return;
        }
    }
    match kinds[0] {
        "environment_id" => out.push(Issue::fail(
            "credential_source",
            msg!("lint.config.cs_aws"),
            regenerate(),
        )),
        "certificate" => out.push(Issue::fail(
            "credential_source",
            msg!("lint.config.cs_certificate"),
            regenerate(),
        )),
        "executable" => executable_source(out, cs.get("executable"), lc),
        "file" => format_check(out, cs),
        _ => {
            format_check(out, cs);
            url_source(out, cs, lc, secrets);
        }
    }
}

/// `credential_source.executable`, judged as google-auth, Node and Go judge it, plus the
/// app setting without which every library refuses to run it.
fn executable_source(out: &mut Vec<Issue>, exe: Option<&Value>, lc: &LintContext) {
    use crate::gcp::executable::{ALLOW_EXECUTABLES, TIMEOUT_MAX_MILLIS, TIMEOUT_MIN_MILLIS};
    const F: &str = "credential_source.executable";
    let rewrite = || {
        msg!(
            "lint.config.regenerate",
            command = "wif-doctor config --form executable --force"
        )
    };
    let Some(exe) = exe.and_then(Value::as_object) else {
        out.push(Issue::fail(
            F,
            msg!("lint.config.not_an_object", field = F),
            rewrite(),
        ));
        return;
    };
    match exe.get("command").and_then(Value::as_str).map(str::trim) {
        None | Some("") => out.push(Issue::fail(
            "credential_source.executable.command",
            msg!("lint.config.exe_no_command"),
            rewrite(),
        )),
        Some(cmd) => {
            let mut words = cmd.split_whitespace();
            let program = words.next().unwrap_or_default();
            let ours = crate::gcp::executable::names_wif_doctor(program)
                && words.next() == Some(crate::gcp::executable::SUBJECT_TOKEN_COMMAND);
            if !program.starts_with('/') {
                out.push(Issue::fail(
                    "credential_source.executable.command",
                    msg!("lint.config.exe_not_absolute", program = visible(program)),
                    rewrite(),
                ));
            }
            if cmd.contains(['"', '\'']) {
                out.push(Issue::warn(
                    "credential_source.executable.command",
                    msg!("lint.config.exe_quotes", command = visible(cmd)),
                    msg!("lint.config.exe_quotes_fix"),
                ));
            }
            if !ours {
                out.push(Issue::warn(
                    F,
                    msg!(
                        "lint.config.exe_foreign",
                        command = visible(cmd),
                        validate = validate()
                    ),
                    msg!("lint.config.exe_foreign_fix", regenerate = rewrite()),
                ));
            }
        }
    }
    match exe.get("timeout_millis") {
        None => {}
        Some(t) => match t.as_u64() {
            Some(ms) if (TIMEOUT_MIN_MILLIS..=TIMEOUT_MAX_MILLIS).contains(&ms) => {}
            _ => out.push(Issue::fail(
                "credential_source.executable.timeout_millis",
                msg!(
                    "lint.config.exe_timeout",
                    value = t.to_string(),
                    min = TIMEOUT_MIN_MILLIS.to_string(),
                    max = TIMEOUT_MAX_MILLIS.to_string(),
                    library = msg!("lint.quote.timeout")
                ),
                msg!(
                    "lint.config.exe_timeout_fix",
                    json = "\"timeout_millis\": 30000",
                    flag = "--executable-timeout-millis"
                ),
            )),
        },
    }
    if let Some(o) = exe.get("output_file") {
        match o.as_str() {
            Some(p) if p.starts_with('/') => {}
            _ => out.push(Issue::fail(
                "credential_source.executable.output_file",
                msg!("lint.config.exe_output_file", value = o.to_string()),
                msg!("lint.config.exe_output_file_fix"),
            )),
        }
    }
    match &lc.allow_executables {
        Some((v, _)) if v.trim() == "1" => {}
        other => out.push(Issue::fail(
            "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES",
            msg!(
                "lint.config.allow_executables",
                var = ALLOW_EXECUTABLES,
                state = match other {
                    Some((v, from)) => Text::from(msg!(
                        "lint.config.value_from",
                        value = visible(v),
                        from = from.clone()
                    )),
                    None => msg!("lint.config.not_set").into(),
                },
                library = msg!("lint.quote.allow_executables")
            ),
            msg!(
                "lint.config.allow_executables_fix",
                command = msg!(
                    "lint.cmd.allow_executables",
                    app = crate::gcp::shell_quote(lc.app_name.as_deref().unwrap_or("<APP_NAME>")),
                    var = ALLOW_EXECUTABLES
                )
            ),
        )),
    }
}

fn format_check(out: &mut Vec<Issue>, cs: &Map<String, Value>) {
    let want = "\"format\": {\"type\": \"json\", \"subject_token_field_name\": \"access_token\"}";
    let Some(f) = cs.get("format").and_then(Value::as_object) else {
        out.push(Issue::fail(
            "credential_source.format",
            msg!("lint.config.format_missing"),
            add(want),
        ));
        return;
    };
    let shown = |v: Option<&str>| -> Text {
        match v {
            Some(v) => Text::value(visible(v)),
            None => msg!("lint.config.missing_value").into(),
        }
    };
    match s(f, "type") {
        Some("json") => {}
        other => out.push(Issue::fail(
            "credential_source.format",
            msg!("lint.config.format_type", value = shown(other)),
            use_(want),
        )),
    }
    match s(f, "subject_token_field_name") {
        Some("access_token") => {}
        other => out.push(Issue::fail(
            "credential_source.format",
            msg!("lint.config.format_field", value = shown(other)),
            use_(want),
        )),
    }
}

/// scheme, host, port and path of a URL, for comparing endpoints.
fn endpoint_key(u: &Url) -> (String, String, Option<u16>, String) {
    (
        u.scheme().to_string(),
        u.host_str().unwrap_or("").to_ascii_lowercase(),
        u.port_or_known_default(),
        u.path().trim_end_matches('/').to_ascii_lowercase(),
    )
}

fn without_query(u: &Url) -> String {
    let mut c = u.clone();
    c.set_query(None);
    c.set_fragment(None);
    c.to_string()
}

fn is_local_token_host(host: &str) -> bool {
    host == "localhost" || host == "127.0.0.1" || host.starts_with("169.254.")
}

fn url_source(
    out: &mut Vec<Issue>,
    cs: &Map<String, Value>,
    lc: &LintContext,
    secrets: &mut Vec<String>,
) {
    const F: &str = "credential_source.url";
    const H: &str = "credential_source.headers";
    let Some(raw) = s(cs, "url") else {
        out.push(Issue::fail(
            F,
            msg!(
                "lint.config.not_string",
                field = F,
                value = cs.get("url").map(Value::to_string).unwrap_or_default()
            ),
            regenerate(),
        ));
        return;
    };
    let headers = cs.get("headers").and_then(Value::as_object);
    // Remember header values before anything is reported.
    for name in ["X-IDENTITY-HEADER", "secret"] {
        if let Some(Value::String(v)) = header(headers, name) {
            secrets.push(v.clone());
        }
    }
    let u = match Url::parse(raw.trim()) {
        Ok(u) => u,
        Err(e) => {
            out.push(Issue::fail(
                F,
                msg!("lint.config.cs_url_invalid", error = e.to_string()),
                regenerate(),
            ));
            return;
        }
    };
    let host = u.host_str().unwrap_or("").to_ascii_lowercase();
    let imds = host == IMDS_HOST;
    let current = lc
        .current_identity_endpoint
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .and_then(|e| Url::parse(e).ok());

    if imds && lc.on_app_service {
        out.push(Issue::fail(
            F,
            msg!("lint.config.imds_on_app_service", url = without_query(&u)),
            match &current {
                Some(c) => msg!(
                    "lint.config.imds_on_app_service_fix_at",
                    endpoint = without_query(c),
                    regenerate = regenerate()
                ),
                None => msg!(
                    "lint.config.imds_on_app_service_fix",
                    regenerate = regenerate()
                ),
            },
        ));
    }
    if !imds
        && let Some(c) = &current
        && endpoint_key(c) != endpoint_key(&u)
    {
        out.push(Issue::fail(
            F,
            msg!(
                "lint.config.endpoint_moved",
                file = without_query(&u),
                current = without_query(c)
            ),
            regenerate(),
        ));
    }
    let known_host = imds
        || is_local_token_host(&host)
        || current
            .as_ref()
            .is_some_and(|c| c.host_str().unwrap_or("").eq_ignore_ascii_case(&host));
    if !known_host {
        out.push(Issue::warn(
            F,
            msg!(
                "lint.config.token_host_foreign",
                host = visible(&host),
                validate = validate()
            ),
            msg!("lint.config.trust_or_regenerate", regenerate = regenerate()),
        ));
    }
    if !matches!(u.scheme(), "http" | "https") {
        out.push(Issue::fail(
            F,
            msg!("lint.config.cs_url_scheme", scheme = visible(u.scheme())),
            regenerate(),
        ));
    }

    // Query parameters.
    let q: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let api_version = get("api-version");
    if api_version.is_none() {
        out.push(Issue::fail(
            F,
            msg!("lint.config.no_api_version"),
            msg!(
                "lint.config.add_or_regenerate",
                param = if imds {
                    "&api-version=2018-02-01"
                } else {
                    "&api-version=2019-08-01"
                },
                regenerate = regenerate()
            ),
        ));
    }
    match get("resource") {
        None => out.push(Issue::fail(
            F,
            msg!("lint.config.no_resource"),
            msg!(
                "lint.config.add_or_regenerate",
                param = format!(
                    "&resource={}",
                    lc.resource.as_deref().unwrap_or("api://<APP_ID>")
                ),
                regenerate = regenerate()
            ),
        )),
        Some(r) => {
            if r.ends_with("/.default") {
                out.push(Issue::fail(
                    F,
                    msg!("lint.config.resource_scope", value = visible(r)),
                    use_(format!("resource={}", r.trim_end_matches("/.default"))),
                ));
            }
            if let Some(want) = lc
                .resource
                .as_deref()
                .map(str::trim)
                .filter(|w| !w.is_empty())
                && want != r
            {
                out.push(Issue::warn(
                    F,
                    msg!(
                        "lint.config.resource_differs",
                        file = visible(r),
                        want = visible(want)
                    ),
                    msg!(
                        "lint.config.resource_differs_fix",
                        regenerate = regenerate()
                    ),
                ));
            }
        }
    }
    if api_version == Some("2019-08-01") && get("clientid").is_some() {
        out.push(Issue::fail(
            F,
            msg!(
                "lint.config.param_name",
                version = "2019-08-01",
                want = "client_id=",
                have = "clientid="
            ),
            msg!(
                "lint.config.rename",
                have = "clientid=",
                want = "client_id="
            ),
        ));
    }
    if api_version == Some("2017-09-01") && get("client_id").is_some() {
        out.push(Issue::fail(
            F,
            msg!(
                "lint.config.param_name",
                version = "2017-09-01",
                want = "clientid=",
                have = "client_id="
            ),
            msg!(
                "lint.config.rename_or_version",
                have = "client_id=",
                want = "clientid=",
                version = "api-version=2019-08-01"
            ),
        ));
    }

    // Headers.
    let idh = header(headers, "X-IDENTITY-HEADER");
    let secret_h = header(headers, "secret");
    let metadata = header(headers, "Metadata");
    if imds {
        if !metadata
            .and_then(Value::as_str)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            out.push(Issue::fail(
                H,
                msg!("lint.config.metadata_missing"),
                add("\"headers\": {\"Metadata\": \"True\"}"),
            ));
        }
    } else {
        if idh.is_none() && secret_h.is_none() {
            out.push(Issue::fail(
                H,
                msg!("lint.config.no_identity_header"),
                regenerate(),
            ));
        }
        if api_version == Some("2017-09-01") && idh.is_some() && secret_h.is_none() {
            out.push(Issue::fail(
                H,
                msg!("lint.config.legacy_with_identity_header"),
                msg!(
                    "lint.config.version_or_regenerate",
                    version = "api-version=2019-08-01",
                    regenerate = regenerate()
                ),
            ));
        }
        if api_version == Some("2019-08-01") && secret_h.is_some() && idh.is_none() {
            out.push(Issue::fail(
                H,
                msg!("lint.config.secret_with_2019"),
                regenerate(),
            ));
        }
    }
    if let Some(v) = idh {
        match v.as_str() {
            None => out.push(Issue::fail(
                H,
                msg!("lint.config.identity_header_not_string"),
                regenerate(),
            )),
            Some(val)
                if val == REDACTED_HEADER
                    || val.is_empty()
                    || (val.starts_with('<') && val.ends_with('>'))
                    || (val.starts_with('{') && val.ends_with('}')) =>
            {
                out.push(Issue::fail(
                    H,
                    msg!("lint.config.identity_header_placeholder"),
                    regenerate(),
                ))
            }
            Some(val) => {
                if let Some(cur) = lc.current_identity_header.as_deref()
                    && !cur.is_empty()
                    && cur != val
                {
                    out.push(Issue::fail(
                        H,
                        msg!("lint.config.identity_header_stale"),
                        regenerate(),
                    ));
                }
            }
        }
    }
}

fn impersonation_url(out: &mut Vec<Issue>, raw: &str) {
    const F: &str = "service_account_impersonation_url";
    const PREFIX: &str = "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/";
    const SUFFIX: &str = ":generateAccessToken";
    let shape = format!("{PREFIX}<EMAIL>{SUFFIX}");
    if let Some(mid) = raw
        .strip_prefix(PREFIX)
        .and_then(|r| r.strip_suffix(SUFFIX))
        && !mid.is_empty()
        && !mid.contains(['/', ':'])
    {
        let email = percent_decode(mid);
        let fixed_issues = service_account_issues(F, &email, None);
        for mut i in fixed_issues {
            if i.severity == Severity::Fail || i.severity == Severity::Warn {
                i.fix = std::mem::take(&mut i.fix).then(msg!(
                    "lint.config.impersonation_url_is",
                    shape = shape.clone()
                ));
            }
            out.push(i);
        }
        return;
    }
    let lower = raw.trim().to_ascii_lowercase();
    let host = Url::parse(raw.trim())
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
    if lower.starts_with("http://") {
        out.push(Issue::fail(
            F,
            msg!(
                "lint.config.impersonation_not_https",
                field = F,
                value = visible(raw)
            ),
            use_(shape),
        ));
    } else if let Some(h) = host
        .as_deref()
        .filter(|h| *h != "iamcredentials.googleapis.com")
    {
        if h.ends_with(".googleapis.com") {
            out.push(Issue::warn(
                F,
                msg!(
                    "lint.config.impersonation_host",
                    field = F,
                    host = visible(h)
                ),
                use_(shape),
            ));
        } else {
            out.push(Issue::warn(
                F,
                msg!(
                    "lint.config.impersonation_foreign",
                    field = F,
                    host = visible(h),
                    validate = validate()
                ),
                use_(shape),
            ));
        }
    } else {
        let message = if lower.contains(":generateidtoken") {
            msg!(
                "lint.config.impersonation_id_token",
                field = F,
                value = visible(raw),
                shape = shape.clone()
            )
        } else if !lower.contains("/projects/-/") {
            msg!(
                "lint.config.impersonation_project",
                field = F,
                value = visible(raw),
                shape = shape.clone()
            )
        } else {
            msg!(
                "lint.config.impersonation_shape",
                field = F,
                value = visible(raw),
                shape = shape.clone()
            )
        };
        out.push(Issue::fail(
            F,
            message,
            msg!(
                "lint.config.impersonation_shape_fix",
                shape = shape,
                command = "wif-doctor config --force",
                flag = "--service-account"
            ),
        ));
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
