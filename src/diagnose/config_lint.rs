//! Static checks of an `external_account` credential configuration file (google-sts-wif.md
//! §1.4 and its recommended static checks), tuned for an Azure managed identity.
//!
//! Header values (`X-IDENTITY-HEADER`, `secret`) are compared, never shown: no issue ever
//! contains them.

use super::text::{audience_issues, service_account_issues, visible};
use super::{Issue, Severity};
use crate::gcp::REDACTED_HEADER;
use crate::gcp::host_allowed_sts;
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

const REGENERATE: &str = "regenerate the file: `wif-doctor config --force`";
const VALIDATE: &str = "Google asks you to validate externally supplied credential configurations";
const IMDS_HOST: &str = "169.254.169.254";
const JWT: &str = "urn:ietf:params:oauth:token-type:jwt";
const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";

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
                issue.message = issue.message.replace(secret.as_str(), "<redacted>");
                issue.fix = issue.fix.replace(secret.as_str(), "<redacted>");
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
            "the file starts with a byte-order mark (U+FEFF); some JSON parsers reject it".into(),
            format!("save it as UTF-8 without BOM, or {REGENERATE}"),
        ));
        body = rest;
    }
    if body.trim().is_empty() {
        out.push(Issue::fail(
            "json",
            "the credential configuration file is empty".into(),
            REGENERATE.into(),
        ));
        return;
    }
    let v: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => {
            out.push(Issue::fail(
                "json",
                format!(
                    "not valid JSON: {} at line {}, column {}",
                    match e.classify() {
                        serde_json::error::Category::Eof => "unexpected end of file",
                        serde_json::error::Category::Syntax => "syntax error",
                        serde_json::error::Category::Data => "unexpected data",
                        serde_json::error::Category::Io => "read error",
                    },
                    e.line(),
                    e.column()
                ),
                format!("fix the JSON (no comments or trailing commas), or {REGENERATE}"),
            ));
            return;
        }
    };
    let Some(m) = v.as_object() else {
        out.push(Issue::fail(
            "json",
            "the file is JSON but not an object ({ … })".into(),
            REGENERATE.into(),
        ));
        return;
    };

    // type
    match m.get("type") {
        None => out.push(Issue::fail(
            "type",
            "`type` is missing".into(),
            "add \"type\": \"external_account\"".into(),
        )),
        Some(Value::String(t)) if t == "external_account" => {}
        Some(t) => {
            let t_str = t.as_str().unwrap_or("");
            let why = match t_str {
                "service_account" => {
                    "this is a service-account key file, not a workload identity federation configuration"
                }
                "authorized_user" => {
                    "this is a user's gcloud login, not a workload identity federation configuration"
                }
                "external_account_authorized_user" => {
                    "this is a workforce identity (human user) configuration"
                }
                "impersonated_service_account" => {
                    "this is an impersonation configuration for user credentials"
                }
                _ => {
                    "client libraries only load workload identity federation from type external_account"
                }
            };
            out.push(Issue::fail(
                "type",
                format!("`type` is {}: {why}", visible(&t.to_string())),
                format!("use \"type\": \"external_account\", or {REGENERATE}"),
            ));
        }
    }

    // audience
    let audience = s(m, "audience");
    match m.get("audience") {
        None => out.push(Issue::fail(
            "audience",
            "`audience` is missing".into(),
            format!(
                "add \"audience\": \"{}\"",
                lc.expected_audience.as_deref().unwrap_or(
                    "//iam.googleapis.com/projects/<PROJECT_NUMBER>/locations/global/workloadIdentityPools/<POOL_ID>/providers/<PROVIDER_ID>"
                )
            ),
        )),
        Some(Value::String(a)) => out.extend(audience_issues(
            "audience",
            a,
            lc.expected_audience.as_deref(),
        )),
        Some(other) => out.push(Issue::fail(
            "audience",
            format!("`audience` is not a string: {other}"),
            REGENERATE.into(),
        )),
    }

    // subject_token_type
    match s(m, "subject_token_type") {
        None => out.push(Issue::fail(
            "subject_token_type",
            "`subject_token_type` is missing".into(),
            format!("add \"subject_token_type\": \"{JWT}\""),
        )),
        Some(t) if t == JWT || t == ID_TOKEN => {}
        Some(t) => out.push(Issue::fail(
            "subject_token_type",
            format!(
                "`subject_token_type` is {}; an Azure token is a JWT{}",
                visible(t),
                if t.ends_with(":access_token") {
                    " (the access_token type is for Google tokens only)"
                } else {
                    ""
                }
            ),
            format!("use \"subject_token_type\": \"{JWT}\""),
        )),
    }

    // token_url / token_info_url
    let universe = s(m, "universe_domain").unwrap_or("googleapis.com");
    match s(m, "token_url") {
        None => out.push(Issue::fail(
            "token_url",
            "`token_url` is missing".into(),
            "add \"token_url\": \"https://sts.googleapis.com/v1/token\"".into(),
        )),
        Some(u) => check_google_url(out, "token_url", u, universe, true),
    }
    if let Some(u) = s(m, "token_info_url") {
        check_google_url(out, "token_info_url", u, universe, false);
    }
    if universe != "googleapis.com" {
        out.push(Issue::warn(
            "universe_domain",
            format!(
                "`universe_domain` is {}; Google Cloud (not a sovereign/partner universe) is googleapis.com",
                visible(universe)
            ),
            "use \"universe_domain\": \"googleapis.com\" unless you really target another universe".into(),
        ));
    }
    if m.contains_key("workforce_pool_user_project")
        && !audience.is_some_and(|a| a.contains("/workforcePools/"))
    {
        out.push(Issue::fail(
            "workforce_pool_user_project",
            "`workforce_pool_user_project` is set but the audience is not a workforce pool; client libraries refuse this".into(),
            "remove \"workforce_pool_user_project\"".into(),
        ));
    }

    // credential_source
    match m.get("credential_source") {
        None => out.push(Issue::fail(
            "credential_source",
            "`credential_source` is missing: nothing says where the Azure token comes from".into(),
            REGENERATE.into(),
        )),
        Some(Value::Object(cs)) => credential_source(out, cs, lc, secrets),
        Some(_) => out.push(Issue::fail(
            "credential_source",
            "`credential_source` is not an object".into(),
            REGENERATE.into(),
        )),
    }

    // impersonation
    if let Some(u) = m.get("service_account_impersonation_url") {
        match u.as_str() {
            Some(u) => impersonation_url(out, u),
            None => out.push(Issue::fail(
                "service_account_impersonation_url",
                "`service_account_impersonation_url` is not a string".into(),
                REGENERATE.into(),
            )),
        }
    } else if m.contains_key("service_account_impersonation") {
        out.push(Issue::warn(
            "service_account_impersonation",
            "`service_account_impersonation` is set without `service_account_impersonation_url`, so it is ignored".into(),
            "add the impersonation URL (wif-doctor config --force with --service-account) or remove the block".into(),
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
                format!("token lifetime {n} s is over 1 hour; it needs the org policy constraints/iam.allowServiceAccountCredentialLifetimeExtension"),
                "use 3600 or less, or allow the service account in that org policy".into(),
            )),
            _ => out.push(Issue::fail(
                "service_account_impersonation.token_lifetime_seconds",
                format!("token lifetime {lt} is outside 600..43200 seconds"),
                "use 3600 (the default)".into(),
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
                format!("`{field}` {} is not a URL ({e})", visible(raw)),
                format!("use {default}"),
            ));
            return;
        }
    };
    if raw != raw.trim() {
        out.push(Issue::fail(
            field,
            format!("`{field}` {} has surrounding whitespace", visible(raw)),
            format!("use {}", raw.trim()),
        ));
    }
    if u.scheme() != "https" {
        out.push(Issue::fail(
            field,
            format!(
                "`{field}` {} is not https: the Azure token would travel unencrypted",
                visible(raw)
            ),
            format!("use {default}"),
        ));
        return;
    }
    let host = u.host_str().unwrap_or("").to_ascii_lowercase();
    if !host_allowed_sts(&host, universe) {
        if host.ends_with(".googleapis.com") {
            out.push(Issue::warn(
                field,
                format!(
                    "`{field}` host {} is not an STS endpoint (sts.googleapis.com, sts.REGION.rep.googleapis.com, sts.mtls.googleapis.com)",
                    visible(&host)
                ),
                format!("use {default}"),
            ));
        } else {
            out.push(Issue::warn(
                field,
                format!(
                    "security: `{field}` sends the Azure token to {}, which is not a Google host; {VALIDATE}",
                    visible(&host)
                ),
                format!("use {default} unless you trust and intend this host"),
            ));
        }
    }
    let want_path = if token { "/v1/token" } else { "/v1/introspect" };
    if u.path() != want_path && host_allowed_sts(&host, universe) {
        out.push(Issue::warn(
            field,
            format!(
                "`{field}` path is {}; expected {want_path}",
                visible(u.path())
            ),
            format!("use {default}"),
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
                "`credential_source` has none of file, url, executable, certificate".into(),
                REGENERATE.into(),
            ));
            return;
        }
        [_] => {}
        many => {
            out.push(Issue::fail(
                "credential_source",
                format!(
                    "`credential_source` has {} at once; exactly one of file, url, executable, certificate is allowed",
                    many.join(" and ")
                ),
                "keep only `url` (the managed-identity endpoint), or regenerate the file: `wif-doctor config --force`".into(),
            ));
            return;
        }
    }
    match kinds[0] {
        "environment_id" => out.push(Issue::fail(
            "credential_source",
            "`credential_source.environment_id` makes this an AWS configuration".into(),
            REGENERATE.into(),
        )),
        "certificate" => out.push(Issue::fail(
            "credential_source",
            "`credential_source.certificate` is an X.509 (mTLS) source; it does not use the Azure managed identity".into(),
            REGENERATE.into(),
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
    const REWRITE: &str = "regenerate the file: `wif-doctor config --form executable --force`";
    let Some(exe) = exe.and_then(Value::as_object) else {
        out.push(Issue::fail(
            F,
            "`credential_source.executable` is not an object".into(),
            REWRITE.into(),
        ));
        return;
    };
    match exe.get("command").and_then(Value::as_str).map(str::trim) {
        None | Some("") => out.push(Issue::fail(
            "credential_source.executable.command",
            "`executable.command` is missing or empty; libraries refuse the file".into(),
            REWRITE.into(),
        )),
        Some(cmd) => {
            let mut words = cmd.split_whitespace();
            let program = words.next().unwrap_or_default();
            let ours = crate::gcp::executable::names_wif_doctor(program)
                && words.next() == Some(crate::gcp::executable::SUBJECT_TOKEN_COMMAND);
            if !program.starts_with('/') {
                out.push(Issue::fail(
                    "credential_source.executable.command",
                    format!(
                        "the program {} is not an absolute path; AIP-4117 requires one",
                        visible(program)
                    ),
                    REWRITE.into(),
                ));
            }
            if cmd.contains(['"', '\'']) {
                out.push(Issue::warn(
                    "credential_source.executable.command",
                    format!(
                        "the command {} uses quotes; Python, Go and Rust split it on whitespace and pass the quotes through",
                        visible(cmd)
                    ),
                    "use a path and values without spaces, and no quotes".into(),
                ));
            }
            if !ours {
                out.push(Issue::warn(
                    F,
                    format!(
                        "security: the token comes from running {}; {VALIDATE} (an executable source runs whatever the file names)",
                        visible(cmd)
                    ),
                    format!("make sure you wrote this command yourself; otherwise {REWRITE}"),
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
                format!(
                    "`timeout_millis` is {t}; the libraries refuse anything outside {TIMEOUT_MIN_MILLIS}..{TIMEOUT_MAX_MILLIS} (\"Timeout must be between 5 and 120 seconds.\")"
                ),
                "use \"timeout_millis\": 30000 (or regenerate with --executable-timeout-millis)".into(),
            )),
        },
    }
    if let Some(o) = exe.get("output_file") {
        match o.as_str() {
            Some(p) if p.starts_with('/') => {}
            _ => out.push(Issue::fail(
                "credential_source.executable.output_file",
                format!("`output_file` is {o}; it must be an absolute path"),
                "use a path under $HOME, or remove output_file".into(),
            )),
        }
    }
    match &lc.allow_executables {
        Some((v, _)) if v.trim() == "1" => {}
        other => out.push(Issue::fail(
            "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES",
            format!(
                "{ALLOW_EXECUTABLES} is {} in the app's environment; every library refuses to run the command (google-auth: \"Executables need to be explicitly allowed (set GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES to '1') to run.\")",
                match other {
                    Some((v, from)) => format!("{} ({from})", visible(v)),
                    None => "not set".into(),
                }
            ),
            format!(
                "add the app setting, then restart: az webapp config appsettings set -g <RESOURCE_GROUP> -n {} --settings {ALLOW_EXECUTABLES}=1",
                crate::gcp::shell_quote(lc.app_name.as_deref().unwrap_or("<APP_NAME>"))
            ),
        )),
    }
}

fn format_check(out: &mut Vec<Issue>, cs: &Map<String, Value>) {
    let want = "\"format\": {\"type\": \"json\", \"subject_token_field_name\": \"access_token\"}";
    let Some(f) = cs.get("format").and_then(Value::as_object) else {
        out.push(Issue::fail(
            "credential_source.format",
            "`credential_source.format` is missing: the whole JSON response would be sent as the token".into(),
            format!("add {want}"),
        ));
        return;
    };
    match s(f, "type") {
        Some("json") => {}
        other => out.push(Issue::fail(
            "credential_source.format",
            format!(
                "`format.type` is {}; the Azure endpoint answers JSON",
                other.map(visible).unwrap_or_else(|| "missing".into())
            ),
            format!("use {want}"),
        )),
    }
    match s(f, "subject_token_field_name") {
        Some("access_token") => {}
        other => out.push(Issue::fail(
            "credential_source.format",
            format!(
                "`format.subject_token_field_name` is {}; the Azure token is in access_token",
                other.map(visible).unwrap_or_else(|| "missing".into())
            ),
            format!("use {want}"),
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
    let Some(raw) = s(cs, "url") else {
        out.push(Issue::fail(
            F,
            "`credential_source.url` is not a string".into(),
            REGENERATE.into(),
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
                format!("`credential_source.url` is not a URL ({e})"),
                REGENERATE.into(),
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
            format!(
                "`credential_source.url` points at the VM metadata service ({}), which is unreachable on App Service, Functions and Container Apps (gcloud's --azure config is IMDS-only)",
                without_query(&u)
            ),
            format!(
                "use the App Service token endpoint (IDENTITY_ENDPOINT{}): {REGENERATE}",
                current.as_ref().map(|c| format!(" = {}", without_query(c))).unwrap_or_default()
            ),
        ));
    }
    if !imds
        && let Some(c) = &current
        && endpoint_key(c) != endpoint_key(&u)
    {
        out.push(Issue::fail(
            F,
            format!(
                "endpoint moved: the file points at {} but the current IDENTITY_ENDPOINT is {} (the address changes when the container restarts)",
                without_query(&u),
                without_query(c)
            ),
            REGENERATE.into(),
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
            format!(
                "security: the token is fetched from {}, which is neither the VM metadata service nor a local managed-identity endpoint; {VALIDATE}",
                visible(&host)
            ),
            format!("make sure you trust this host; otherwise {REGENERATE}"),
        ));
    }
    if !matches!(u.scheme(), "http" | "https") {
        out.push(Issue::fail(
            F,
            format!(
                "`credential_source.url` scheme {} is not http(s)",
                visible(u.scheme())
            ),
            REGENERATE.into(),
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
            "`credential_source.url` has no api-version= parameter".into(),
            format!(
                "add {} or {REGENERATE}",
                if imds {
                    "&api-version=2018-02-01"
                } else {
                    "&api-version=2019-08-01"
                }
            ),
        ));
    }
    match get("resource") {
        None => out.push(Issue::fail(
            F,
            "`credential_source.url` has no resource= parameter: Azure does not know which audience to issue the token for".into(),
            format!(
                "add &resource={} or {REGENERATE}",
                lc.resource.as_deref().unwrap_or("api://<APP_ID>")
            ),
        )),
        Some(r) => {
            if r.ends_with("/.default") {
                out.push(Issue::fail(
                    F,
                    format!("resource= {} ends in /.default (a v2 scope); the endpoint wants the resource itself", visible(r)),
                    format!("use resource={}", r.trim_end_matches("/.default")),
                ));
            }
            if let Some(want) = lc.resource.as_deref().map(str::trim).filter(|w| !w.is_empty())
                && want != r
            {
                out.push(Issue::warn(
                    F,
                    format!(
                        "resource= in the file is {} but the settings say {}: the token's aud (and what the provider must allow) differs",
                        visible(r),
                        visible(want)
                    ),
                    format!("use one of them everywhere; to follow the settings, {REGENERATE}"),
                ));
            }
        }
    }
    if api_version == Some("2019-08-01") && get("clientid").is_some() {
        out.push(Issue::fail(
            F,
            "api-version 2019-08-01 takes client_id=, not clientid=".into(),
            "rename clientid= to client_id=".into(),
        ));
    }
    if api_version == Some("2017-09-01") && get("client_id").is_some() {
        out.push(Issue::fail(
            F,
            "api-version 2017-09-01 takes clientid=, not client_id=".into(),
            "rename client_id= to clientid= (or use api-version=2019-08-01)".into(),
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
                "credential_source.headers",
                "the VM metadata service needs the header Metadata: true, which is missing".into(),
                "add \"headers\": {\"Metadata\": \"True\"}".into(),
            ));
        }
    } else {
        if idh.is_none() && secret_h.is_none() {
            out.push(Issue::fail(
                "credential_source.headers",
                "no X-IDENTITY-HEADER header: the App Service token endpoint refuses requests without it".into(),
                REGENERATE.into(),
            ));
        }
        if api_version == Some("2017-09-01") && idh.is_some() && secret_h.is_none() {
            out.push(Issue::fail(
                "credential_source.headers",
                "api-version 2017-09-01 with X-IDENTITY-HEADER: the legacy protocol needs the `secret` header, so this pairing fails".into(),
                format!("use api-version=2019-08-01, or {REGENERATE}"),
            ));
        }
        if api_version == Some("2019-08-01") && secret_h.is_some() && idh.is_none() {
            out.push(Issue::fail(
                "credential_source.headers",
                "api-version 2019-08-01 with the legacy `secret` header: this version needs X-IDENTITY-HEADER".into(),
                REGENERATE.into(),
            ));
        }
    }
    if let Some(v) = idh {
        match v.as_str() {
            None => out.push(Issue::fail(
                "credential_source.headers",
                "the X-IDENTITY-HEADER value is not a string".into(),
                REGENERATE.into(),
            )),
            Some(val) if val == REDACTED_HEADER || val.is_empty() || (val.starts_with('<') && val.ends_with('>')) || (val.starts_with('{') && val.ends_with('}')) => {
                out.push(Issue::fail(
                    "credential_source.headers",
                    "the X-IDENTITY-HEADER value is a placeholder, not the real header (the file was saved from printed output or a template)".into(),
                    REGENERATE.into(),
                ))
            }
            Some(val) => {
                if let Some(cur) = lc.current_identity_header.as_deref()
                    && !cur.is_empty()
                    && cur != val
                {
                    out.push(Issue::fail(
                        "credential_source.headers",
                        "the X-IDENTITY-HEADER value in the file differs from the current IDENTITY_HEADER (stale after a restart): the token endpoint will refuse it".into(),
                        REGENERATE.into(),
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
    let shape = "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/<EMAIL>:generateAccessToken";
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
                i.fix = format!("{} (the URL is {PREFIX}<EMAIL>{SUFFIX})", i.fix);
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
            format!("`{F}` {} is not https", visible(raw)),
            format!("use {shape}"),
        ));
    } else if let Some(h) = host
        .as_deref()
        .filter(|h| *h != "iamcredentials.googleapis.com")
    {
        if h.ends_with(".googleapis.com") {
            out.push(Issue::warn(
                F,
                format!(
                    "`{F}` host is {}; expected iamcredentials.googleapis.com",
                    visible(h)
                ),
                format!("use {shape}"),
            ));
        } else {
            out.push(Issue::warn(
                F,
                format!("security: `{F}` sends the Google token to {}, which is not a Google host; {VALIDATE}", visible(h)),
                format!("use {shape}"),
            ));
        }
    } else {
        let hint = if lower.contains(":generateidtoken") {
            " (generateIdToken mints an ID token, not an access token)"
        } else if !lower.contains("/projects/-/") {
            " (the project segment must be `-`)"
        } else {
            ""
        };
        out.push(Issue::fail(
            F,
            format!(
                "`{F}` {} does not have the shape {shape}{hint}",
                visible(raw)
            ),
            format!("use {shape}, or `wif-doctor config --force` with --service-account"),
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
