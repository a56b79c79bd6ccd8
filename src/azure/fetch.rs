//! Requesting the token: the request each source needs, retries with backoff on
//! transient failures (never on 400/401/403), and an explanation for every known failure.

use super::answer::{self, Answer, Asked};
use super::{AzureError, AzureToken, ErrorKind, Plan, SourceKind, origin, parse_expiry};
use crate::http::{self, BodyError, Failure, Http};
use crate::i18n::Text;
use crate::msg;
use crate::secret::{Secret, scrub};
use crate::settings::{
    DEFAULT_API_VERSION, IMDS_API_VERSION, IdentitySelector, LEGACY_API_VERSION, Settings,
};
use std::time::Duration;
use url::Url;

/// No token response is anywhere near this; a larger body is not one.
const MAX_BODY: usize = 1024 * 1024;
const MAX_ATTEMPTS: u32 = 4;
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_RETRY_AFTER: Duration = Duration::from_secs(5);
/// Time for retries on top of one request's timeout.
const RETRY_BUDGET: Duration = Duration::from_secs(10);

/// Fetch a token from the planned source. Bounded by an overall deadline (the per-request
/// timeout plus the retry budget), and every error is scrubbed of the secret header.
pub async fn fetch_token(http: &Http, s: &Settings, plan: &Plan) -> Result<AzureToken, AzureError> {
    if plan.kind == SourceKind::AksWorkloadIdentity {
        return read_token_file(plan).await;
    }
    let secrets: Vec<Secret> = [
        s.identity_header.as_ref().map(|h| h.value.clone()),
        s.msi_secret.as_ref().map(|h| h.value.clone()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let refs: Vec<&Secret> = secrets.iter().collect();
    let deadline = http.timeout + RETRY_BUDGET;
    match tokio::time::timeout(deadline, fetch_with_retries(http, s, plan)).await {
        Ok(result) => result.map_err(|e| e.scrubbed(&refs)),
        Err(_) => Err(AzureError::new(
            ErrorKind::Timeout,
            msg!(
                "azure.fetch.deadline.summary",
                endpoint = &plan.endpoint,
                duration = fmt_dur(deadline)
            ),
            msg!("azure.fetch.deadline.cause"),
            msg!("azure.fetch.deadline.fix"),
        )),
    }
}

async fn fetch_with_retries(
    http: &Http,
    s: &Settings,
    plan: &Plan,
) -> Result<AzureToken, AzureError> {
    let (url, header) = build_request(s, plan)?;
    let secrets: Vec<&Secret> = header.iter().map(|(_, v)| v).collect();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut req = http.identity.get(url.clone());
        if let Some((name, value)) = &header {
            req = req.header(*name, value.expose());
        }
        if plan.kind == SourceKind::Imds {
            req = req.header("Metadata", "true");
        }
        let outcome = match req.send().await {
            Err(e) => Err(Failure::from_reqwest(&e)),
            Ok(resp) => Ok(resp),
        };
        let retry_after;
        match outcome {
            Err(f) => {
                if f.is_retryable() && attempt < MAX_ATTEMPTS {
                    tokio::time::sleep(backoff(attempt)).await;
                    continue;
                }
                return Err(explain_failure(s, plan, &f, attempt, http.timeout));
            }
            Ok(resp) => {
                let status = resp.status().as_u16();
                retry_after = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok())
                    .map(|s| Duration::from_secs(s).min(MAX_RETRY_AFTER));
                let content_type = resp
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                let location = resp
                    .headers()
                    .get("location")
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
                let body = match http::read_limited(resp, MAX_BODY).await {
                    Ok(b) => b,
                    Err(BodyError::TooLarge { limit }) => {
                        return Err(AzureError::new(
                            ErrorKind::TooLarge,
                            msg!(
                                "azure.fetch.too_large.summary",
                                kib = limit / 1024,
                                status = status
                            ),
                            msg!("azure.fetch.too_large.cause", endpoint = &plan.endpoint),
                            msg!("azure.fetch.too_large.fix"),
                        )
                        .with_status(status));
                    }
                    Err(BodyError::Read(f)) => {
                        return Err(explain_failure(s, plan, &f, attempt, http.timeout));
                    }
                };
                if is_transient(status) && attempt < MAX_ATTEMPTS {
                    tokio::time::sleep(retry_after.unwrap_or_else(|| backoff(attempt))).await;
                    continue;
                }
                if (300..400).contains(&status) {
                    return Err(redirected(plan, status, location.as_deref(), &secrets));
                }
                return interpret(
                    s,
                    plan,
                    status,
                    content_type.as_deref(),
                    &body,
                    &secrets,
                    attempt,
                );
            }
        }
    }
}

fn backoff(attempt: u32) -> Duration {
    FIRST_BACKOFF * 2u32.pow(attempt - 1)
}

fn is_transient(status: u16) -> bool {
    matches!(status, 404 | 408 | 410 | 429) || (500..=599).contains(&status)
}

/// A header name and its secret value.
type SecretHeader = (&'static str, Secret);

/// The URL and secret header for a source. Query parameters are percent-encoded.
fn build_request(s: &Settings, plan: &Plan) -> Result<(Url, Option<SecretHeader>), AzureError> {
    let mut url = Url::parse(&plan.endpoint).map_err(|e| {
        AzureError::new(
            ErrorKind::Config,
            msg!("azure.fetch.not_url.summary", endpoint = &plan.endpoint),
            e.to_string(),
            msg!(
                "azure.fetch.not_url.fix",
                example = "http://169.254.129.4:8081/msi/token"
            ),
        )
    })?;
    let explicit_version = (!s.api_version.is_default()).then(|| s.api_version.value.clone());
    let version = match plan.kind {
        SourceKind::AppService => explicit_version.unwrap_or_else(|| DEFAULT_API_VERSION.into()),
        SourceKind::MsiLegacy => LEGACY_API_VERSION.into(),
        SourceKind::Imds => explicit_version.unwrap_or_else(|| IMDS_API_VERSION.into()),
        SourceKind::AksWorkloadIdentity => unreachable!("token files need no request"),
    };
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("api-version", &version);
        q.append_pair("resource", &s.resource.value);
        if let Some(sel) = &s.selector {
            let (name, value) = match (&plan.kind, &sel.value) {
                (SourceKind::AppService, IdentitySelector::ClientId(v)) => ("client_id", v),
                (SourceKind::AppService, IdentitySelector::ObjectId(v)) => ("principal_id", v),
                (SourceKind::AppService, IdentitySelector::ResourceId(v)) => ("mi_res_id", v),
                (SourceKind::Imds, IdentitySelector::ClientId(v)) => ("client_id", v),
                (SourceKind::Imds, IdentitySelector::ObjectId(v)) => ("object_id", v),
                (SourceKind::Imds, IdentitySelector::ResourceId(v)) => ("msi_res_id", v),
                (SourceKind::MsiLegacy, IdentitySelector::ClientId(v)) => ("clientid", v),
                (_, other) => {
                    return Err(AzureError::new(
                        ErrorKind::Config,
                        msg!(
                            "azure.fetch.legacy_selector.summary",
                            selector = super::selector(other)
                        ),
                        msg!("azure.fetch.legacy_selector.cause"),
                        msg!("azure.fetch.legacy_selector.fix"),
                    ));
                }
            };
            q.append_pair(name, value);
        }
    }
    let header = match plan.kind {
        SourceKind::AppService => s
            .identity_header
            .as_ref()
            .map(|h| ("X-IDENTITY-HEADER", h.value.clone())),
        SourceKind::MsiLegacy => s.msi_secret.as_ref().map(|h| ("secret", h.value.clone())),
        _ => None,
    };
    Ok((url, header))
}

/// The identity endpoint redirected. The client never follows (the secret header would go
/// along), so say where it pointed: the Location is server text, scrubbed and capped here
/// and shown escaped by every face.
fn redirected(plan: &Plan, status: u16, location: Option<&str>, secrets: &[&Secret]) -> AzureError {
    let shown: Text = match location {
        Some(l) => Text::value(format!(
            "Location: {}",
            crate::untrusted::line(&crate::untrusted::capped(&scrub(l, secrets), 512))
        )),
        None => msg!("azure.fetch.redirect.no_location").into(),
    };
    AzureError::new(
        ErrorKind::Http,
        msg!(
            "azure.fetch.redirect.summary",
            status = status,
            location = shown
        ),
        msg!("azure.fetch.redirect.cause", endpoint = &plan.endpoint),
        msg!("azure.fetch.use_real_endpoint"),
    )
    .with_status(status)
}

/// Reads an identity-endpoint answer exactly as [`fetch_token`] does once the body is in
/// (same parser, same scrubbing), without a request: the entry point of `fuzz/`.
#[doc(hidden)]
pub fn interpret_response(
    s: &Settings,
    plan: &Plan,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<AzureToken, AzureError> {
    let secrets: Vec<&Secret> = [&s.identity_header, &s.msi_secret]
        .into_iter()
        .flatten()
        .map(|h| &h.value)
        .collect();
    interpret(s, plan, status, content_type, body, &secrets, 1).map_err(|e| e.scrubbed(&secrets))
}

fn interpret(
    s: &Settings,
    plan: &Plan,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    secrets: &[&Secret],
    attempts: u32,
) -> Result<AzureToken, AzureError> {
    let text = scrub(&String::from_utf8_lossy(body), secrets);
    let raw = http::excerpt(text.as_bytes(), 600);
    if http::looks_like_html(content_type, body) {
        let title: Text = http::html_title(&text)
            .map(|t| msg!("azure.fetch.html.titled", title = t).into())
            .unwrap_or_default();
        return Err(AzureError::new(
            ErrorKind::HtmlPage,
            msg!("azure.fetch.html.summary", status = status, title = title),
            msg!("azure.fetch.html.cause", endpoint = &plan.endpoint),
            msg!("azure.fetch.use_real_endpoint"),
        )
        .with_status(status)
        .with_raw(raw));
    }
    // Explanations quote the server's message: read it from the scrubbed text.
    let json: Option<serde_json::Map<String, serde_json::Value>> = serde_json::from_str(&text).ok();
    if status != 200 {
        return Err(explain_status(s, plan, status, json.as_ref())
            .with_status(status)
            .with_raw(raw));
    }
    if text.trim().is_empty() {
        let whitespace: Text = if body.is_empty() {
            Text::new()
        } else {
            msg!("azure.fetch.empty.only_whitespace").into()
        };
        return Err(AzureError::new(
            ErrorKind::BadResponse,
            msg!("azure.fetch.empty.summary"),
            msg!(
                "azure.fetch.empty.cause",
                endpoint = &plan.endpoint,
                whitespace = whitespace
            ),
            msg!("azure.fetch.check_endpoint"),
        )
        .with_status(status));
    }
    // The token itself is read from the body as received: the scrubbed text has it
    // redacted whenever the endpoint hands out a token this run has seen before (App
    // Service caches tokens).
    let json: Option<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_slice(body).ok();
    let Some(obj) = json else {
        return Err(AzureError::new(
            ErrorKind::BadResponse,
            msg!("azure.fetch.not_json.summary"),
            msg!(
                "azure.fetch.not_json.cause",
                excerpt = http::excerpt(text.as_bytes(), 80)
            ),
            msg!("azure.fetch.check_endpoint"),
        )
        .with_status(status)
        .with_raw(raw));
    };
    let token = match obj.get("access_token").and_then(|v| v.as_str()) {
        Some(t) if !t.trim().is_empty() => t.trim().to_string(),
        _ => {
            let fields: Vec<&str> = obj.keys().map(String::as_str).collect();
            return Err(AzureError::new(
                ErrorKind::BadResponse,
                msg!("azure.fetch.no_token.summary"),
                msg!("azure.fetch.no_token.cause", fields = fields.join(", ")),
                msg!("azure.fetch.check_endpoint"),
            )
            .with_status(status));
        }
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    Ok(AzureToken {
        source: plan.kind,
        endpoint: plan.endpoint.clone(),
        resource: s.resource.value.clone(),
        expiry: parse_expiry(&obj, now),
        client_id: obj
            .get("client_id")
            .and_then(|v| v.as_str())
            .map(str::to_string),
        token: Secret::new(token),
        attempts,
    })
}

/// Resources every tenant knows: an "unknown resource" is unlikely for them.
const WELL_KNOWN_RESOURCES: [&str; 6] = [
    "https://management.azure.com",
    "https://management.core.windows.net",
    "https://vault.azure.net",
    "https://storage.azure.com",
    "https://graph.microsoft.com",
    "https://database.windows.net",
];

fn well_known(resource: &str) -> bool {
    let r = resource.trim().trim_end_matches('/').to_ascii_lowercase();
    WELL_KNOWN_RESOURCES.contains(&r.as_str())
}

/// The command that asks the same endpoint, for the same identity, for a token for a
/// well-known resource: if that works, the configured resource is the problem.
fn probe_command(s: &Settings, probe_resource: &str) -> String {
    let mut cmd = format!("wif-doctor token --resource={probe_resource}");
    if let Some(sel) = &s.selector {
        let (flag, v) = match &sel.value {
            IdentitySelector::ClientId(v) => ("--client-id", v),
            IdentitySelector::ObjectId(v) => ("--object-id", v),
            IdentitySelector::ResourceId(v) => ("--msi-resource-id", v),
        };
        cmd.push_str(&format!(" {flag}={}", v.trim()));
    }
    if !s.api_version.is_default() {
        cmd.push_str(&format!(" --api-version={}", s.api_version.value.trim()));
    }
    cmd
}

/// An error answer explained by the `identity.toml` rule that matches its structure, its
/// texts filled from the settings and from what the answer names.
fn explain_status(
    s: &Settings,
    plan: &Plan,
    status: u16,
    json: Option<&serde_json::Map<String, serde_json::Value>>,
) -> AzureError {
    let a = Answer::read(status, json);
    let asked = Asked {
        source: plan.kind.id(),
        api_version: &s.api_version.value,
    };
    let Some(rule) = answer::explain(&a, asked) else {
        unreachable!("identity.toml: catch-all rule")
    };
    let resource = s.resource.value.trim();
    let known = well_known(resource);
    let who: Text = match &s.selector {
        Some(sel) => msg!(
            "identity.who.user_assigned",
            selector = super::selector(&sel.value),
            origin = origin(&sel.origin)
        )
        .into(),
        None => msg!("identity.who.system_assigned").into(),
    };
    let said: Text = match a.message() {
        Some(m) => msg!("identity.said", message = m).into(),
        None => Text::new(),
    };
    let (header_var, header_flag, header) = match plan.kind {
        SourceKind::MsiLegacy => ("MSI_SECRET", "MSI_SECRET", s.msi_secret.as_ref()),
        _ => (
            "IDENTITY_HEADER",
            "--identity-header",
            s.identity_header.as_ref(),
        ),
    };
    let header_origin: Text = header.map(|h| origin(&h.origin).into()).unwrap_or_default();
    let fixed = resource.trim_end_matches("/.default");
    let example_resource = if fixed.is_empty() || fixed == resource {
        "api://<appId>"
    } else {
        fixed
    };
    let probe_resource = if known && resource.contains("management.azure.com") {
        "https://vault.azure.net"
    } else {
        crate::settings::DEFAULT_RESOURCE
    };
    let (identity_show, identity_assign) = match plan.kind {
        SourceKind::Imds => (
            msg!("identity.cmd.vm_identity_show"),
            msg!("identity.cmd.vm_identity_assign"),
        ),
        _ => (
            msg!("identity.cmd.webapp_identity_show"),
            msg!("identity.cmd.webapp_identity_assign"),
        ),
    };
    let named = a.named();
    let fill = |key: String| {
        msg!(
            key,
            status = status,
            endpoint = &plan.endpoint,
            resource = resource,
            resource_origin = origin(&s.resource.origin),
            who = &who,
            said = &said,
            message = a.message().unwrap_or_default(),
            code = a.codes.first().map(String::as_str).unwrap_or_default(),
            named = named.as_deref().unwrap_or(resource),
            tenant = a.tenant().unwrap_or_else(|| "?".into()),
            correlation = match &a.correlation {
                Some(c) => Text::value(c),
                None => msg!("identity.unknown_correlation").into(),
            },
            api_version = &s.api_version.value,
            header_var = header_var,
            header_flag = header_flag,
            header_origin = &header_origin,
            probe = probe_command(s, probe_resource),
            probe_resource = probe_resource,
            example_resource = example_resource,
            sp_create = msg!("identity.cmd.sp_create"),
            identity_show = identity_show.clone(),
            identity_assign = identity_assign.clone(),
            role_assign = msg!("identity.cmd.role_assign"),
        )
    };
    // A variant replaces the plain text where it applies: the resource is one every tenant
    // knows, or a user-assigned identity was selected.
    let part = |name: &str| {
        let variants = [
            known.then_some("_well_known"),
            s.selector.is_some().then_some("_selector"),
        ];
        let key = variants
            .into_iter()
            .flatten()
            .map(|v| format!("{}.{name}{v}", rule.id))
            .find(|k| crate::i18n::has_key(k))
            .unwrap_or_else(|| format!("{}.{name}", rule.id));
        fill(key)
    };
    let mut cause = Text::from(part("cause"));
    if rule.kind == ErrorKind::ResourceUnknown || rule.kind == ErrorKind::AppRoleRequired {
        if let Some(n) = &named
            && n.trim() != resource
        {
            cause.sentence(fill("identity.note.named_differs".into()));
        }
        if resource.ends_with("/.default") {
            cause.sentence(fill("identity.note.default_suffix".into()));
        }
    }
    let mut e = AzureError::new(rule.kind, part("summary"), cause, part("fix"));
    e.explanation = Some(rule.id.as_str());
    e
}

fn explain_failure(
    s: &Settings,
    plan: &Plan,
    f: &Failure,
    attempts: u32,
    timeout: Duration,
) -> AzureError {
    let tries: Text = if attempts > 1 {
        msg!("azure.fetch.after_attempts", attempts = attempts).into()
    } else {
        Text::new()
    };
    let endpoint = plan.endpoint.as_str();
    match f {
        Failure::Timeout => AzureError::new(
            ErrorKind::Timeout,
            msg!(
                "azure.fetch.timeout.summary",
                endpoint = endpoint,
                duration = fmt_dur(timeout)
            ),
            match plan.kind {
                SourceKind::Imds => msg!("azure.fetch.timeout.cause_imds"),
                _ => msg!("azure.fetch.timeout.cause"),
            },
            msg!("azure.fetch.timeout.fix"),
        ),
        Failure::Connect(detail) => {
            let cause = match plan.kind {
                SourceKind::Imds => msg!("azure.fetch.connect.cause_imds"),
                _ if s.environment.kudu => msg!("azure.fetch.connect.cause_kudu"),
                _ => msg!("azure.fetch.connect.cause"),
            };
            AzureError::new(
                ErrorKind::Unreachable,
                msg!(
                    "azure.fetch.connect.summary",
                    endpoint = endpoint,
                    tries = &tries
                ),
                cause,
                match plan.kind {
                    SourceKind::Imds => msg!("azure.fetch.connect.fix_imds"),
                    _ => msg!(
                        "azure.fetch.connect.fix",
                        command = msg!("identity.cmd.webapp_identity_assign")
                    ),
                },
            )
            .with_raw(detail.clone())
        }
        other => AzureError::new(
            ErrorKind::Unreachable,
            msg!(
                "azure.fetch.failed.summary",
                endpoint = endpoint,
                tries = &tries
            ),
            other.to_string(),
            msg!("azure.fetch.failed.fix"),
        ),
    }
}

fn fmt_dur(d: Duration) -> String {
    if d.as_millis().is_multiple_of(1000) {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

async fn read_token_file(plan: &Plan) -> Result<AzureToken, AzureError> {
    let path = std::path::PathBuf::from(&plan.endpoint);
    let bad = |summary: Text, cause: Text| {
        AzureError::new(
            ErrorKind::TokenFile,
            summary,
            cause,
            msg!("azure.fetch.token_file.fix"),
        )
    };
    // The reader never blocks (FIFOs, devices are refused by type) and is bounded, so it
    // runs on a blocking thread only to keep the runtime's workers free.
    let read = tokio::task::spawn_blocking(move || {
        crate::files::read_capped_string(&path, MAX_BODY as u64, "AZURE_FEDERATED_TOKEN_FILE")
    })
    .await;
    let text = match read {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => {
            let cause: Text = match &e {
                crate::files::ReadError::NotRegular { .. }
                | crate::files::ReadError::TooLarge { .. } => {
                    msg!("azure.fetch.token_file.not_regular").into()
                }
                other => other.to_string().into(),
            };
            return Err(bad(e.to_string().into(), cause));
        }
        Err(e) => {
            return Err(bad(
                msg!("azure.fetch.token_file.cannot_read", path = &plan.endpoint).into(),
                e.to_string().into(),
            ));
        }
    };
    let token = text.trim().to_string();
    if token.is_empty() {
        return Err(bad(
            msg!("azure.fetch.token_file.empty", path = &plan.endpoint).into(),
            msg!("azure.fetch.token_file.not_projected").into(),
        ));
    }
    Ok(AzureToken {
        source: SourceKind::AksWorkloadIdentity,
        endpoint: plan.endpoint.clone(),
        // A label for the faces, not a request value: the audience is the projected token's.
        resource: crate::tr!("azure.fetch.token_file.resource"),
        token: Secret::new(token),
        expiry: None,
        client_id: None,
        attempts: 1,
    })
}
