//! Requesting the token: the request each source needs, retries with backoff on
//! transient failures (never on 400/401/403), and an explanation for every known failure.

use super::{AzureError, AzureToken, ErrorKind, Plan, SourceKind, parse_expiry};
use crate::http::{self, BodyError, Failure, Http};
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
            format!(
                "no token from {} within {} (retries included)",
                plan.endpoint,
                fmt_dur(deadline)
            ),
            "the endpoint kept failing or answering slowly",
            "check the endpoint; --timeout sets the per-request limit",
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
                            format!("the identity endpoint sent more than {} KiB (HTTP {status})", limit / 1024),
                            format!("a token response is a few KiB; {} is not a managed-identity endpoint", plan.endpoint),
                            "check IDENTITY_ENDPOINT (or --identity-endpoint) points at the platform's token service",
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
            format!("the identity endpoint '{}' is not a URL", plan.endpoint),
            e.to_string(),
            "pass a full URL such as http://169.254.129.4:8081/msi/token",
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
                        format!(
                            "the legacy MSI protocol cannot select an identity by {}",
                            other.describe()
                        ),
                        "api-version 2017-09-01 accepts only clientid for user-assigned identities",
                        "pass --client-id <client ID of the user-assigned identity> instead",
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
    let shown = match location {
        Some(l) => format!(
            "Location: {}",
            crate::untrusted::line(&crate::untrusted::capped(&scrub(l, secrets), 512))
        ),
        None => "no Location header".to_string(),
    };
    AzureError::new(
        ErrorKind::Http,
        format!("the identity endpoint answered HTTP {status} (a redirect), not a token ({shown})"),
        format!(
            "{} redirects; the platform's token service never does, so this is a proxy, a login page or the wrong URL; the redirect was not followed (the secret header must not travel)",
            plan.endpoint
        ),
        "use the IDENTITY_ENDPOINT value from the app container (printenv IDENTITY_ENDPOINT, or /proc/1/environ); never route it through a proxy",
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
        let title = http::html_title(&text)
            .map(|t| format!(" titled '{t}'"))
            .unwrap_or_default();
        return Err(AzureError::new(
            ErrorKind::HtmlPage,
            format!("the identity endpoint answered HTTP {status} with an HTML page{title}, not a token"),
            format!("{} is a web page (a proxy, a login page or the site itself), not the platform's token service", plan.endpoint),
            "use the IDENTITY_ENDPOINT value from the app container (printenv IDENTITY_ENDPOINT, or /proc/1/environ); \
             never route it through a proxy",
        )
        .with_status(status)
        .with_raw(raw));
    }
    // Explanations quote the server's message: read it from the scrubbed text.
    let json: Option<serde_json::Map<String, serde_json::Value>> = serde_json::from_str(&text).ok();
    if status != 200 {
        return Err(explain_status(s, plan, status, json.as_ref(), &text)
            .with_status(status)
            .with_raw(raw));
    }
    if text.trim().is_empty() {
        return Err(AzureError::new(
            ErrorKind::BadResponse,
            "the identity endpoint answered HTTP 200 with an empty body, not a token",
            format!(
                "expected {{\"access_token\": …}} from {}, got 0 bytes{}",
                plan.endpoint,
                if body.is_empty() {
                    ""
                } else {
                    " (only whitespace)"
                }
            ),
            "check that IDENTITY_ENDPOINT points at the platform's token service",
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
            "the identity endpoint answered 200 but the body is not JSON",
            format!(
                "expected {{\"access_token\": …}}, got: {}",
                http::excerpt(text.as_bytes(), 80)
            ),
            "check that IDENTITY_ENDPOINT points at the platform's token service",
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
                "the identity endpoint's answer has no access_token",
                format!("fields present: {}", fields.join(", ")),
                "check that IDENTITY_ENDPOINT points at the platform's token service",
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

fn message_of(json: Option<&serde_json::Map<String, serde_json::Value>>) -> String {
    let Some(j) = json else { return String::new() };
    let msg = ["message", "error_description", "error", "Message"]
        .iter()
        .find_map(|k| j.get(*k).and_then(|v| v.as_str()))
        .unwrap_or_default();
    // Quoted inside our sentences: it must not start a line of its own.
    crate::untrusted::inline(msg).into_owned()
}

fn explain_status(
    s: &Settings,
    plan: &Plan,
    status: u16,
    json: Option<&serde_json::Map<String, serde_json::Value>>,
    text: &str,
) -> AzureError {
    let msg = message_of(json);
    let lower = format!("{} {}", msg, text).to_ascii_lowercase();
    let resource = &s.resource.value;
    let who = match &s.selector {
        Some(sel) => format!(
            "the user-assigned identity with {} ({})",
            sel.value.describe(),
            sel.origin
        ),
        None => "the system-assigned identity (no --client-id/--object-id/--msi-resource-id given)"
            .to_string(),
    };
    let quoted = if msg.is_empty() {
        String::new()
    } else {
        format!(": \"{msg}\"")
    };
    let header_origin = match plan.kind {
        SourceKind::MsiLegacy => s.msi_secret.as_ref().map(|h| h.origin.to_string()),
        _ => s.identity_header.as_ref().map(|h| h.origin.to_string()),
    }
    .unwrap_or_default();

    if lower.contains("unable to load the proper managed identity")
        || lower.contains("identity not found")
    {
        let fix = if s.selector.is_some() {
            "list the identities assigned to the app (az webapp identity show -g <rg> -n <app>, or az vm identity show) \
             and pass the right one with --client-id <clientId>"
                .to_string()
        } else {
            "enable the system-assigned identity (az webapp identity assign -g <rg> -n <app>) or pick a \
             user-assigned one with --client-id <clientId> (also AZURE_CLIENT_ID)"
                .to_string()
        };
        return AzureError::new(
            ErrorKind::IdentityNotFound,
            format!("the identity endpoint could not find the identity (HTTP {status}){quoted}"),
            format!("it looked for {who}, which is not assigned to this resource"),
            fix,
        );
    }
    if lower.contains("multiple user assigned identities") {
        return AzureError::new(
            ErrorKind::IdentityNotFound,
            format!("several user-assigned identities exist and none was chosen (HTTP {status})"),
            "without a selector the endpoint cannot tell which identity to use",
            "pass --client-id <clientId> of the identity to federate (also AZURE_CLIENT_ID)",
        );
    }
    if lower.contains("unexpected error occured while fetching the aad token")
        || lower.contains("unexpected error occurred while fetching the aad token")
        || lower.contains("aadsts50001")
        || lower.contains("aadsts500011")
        || lower.contains("invalid_resource")
    {
        let scope_hint = if resource.ends_with("/.default") {
            format!("; '{resource}' ends with /.default, which is a scope, not a resource")
        } else {
            String::new()
        };
        let fixed = resource.trim_end_matches("/.default");
        return AzureError::new(
            ErrorKind::ResourceUnknown,
            format!(
                "Entra ID would not issue a token for resource '{resource}' (HTTP {status}){quoted}"
            ),
            format!(
                "the resource (from {}) is not an Application ID URI known in the identity's tenant, has no service \
                 principal, or requires an app-role assignment the identity lacks{scope_hint}",
                s.resource.origin
            ),
            format!(
                "pass the exact Application ID URI, e.g. --resource {}; create the service principal with \
                 az ad sp create --id <appId>; if 'Assignment required' is on, assign an app role to the identity",
                if fixed.is_empty() || fixed == resource {
                    "api://<appId>"
                } else {
                    fixed
                }
            ),
        );
    }
    if status == 400
        && plan.kind == SourceKind::AppService
        && s.api_version.value == LEGACY_API_VERSION
    {
        return AzureError::new(
            ErrorKind::ProtocolMismatch,
            format!(
                "the identity endpoint rejected api-version 2017-09-01 with X-IDENTITY-HEADER (HTTP 400){quoted}"
            ),
            "2017-09-01 pairs with MSI_ENDPOINT and the 'secret' header; IDENTITY_ENDPOINT needs 2019-08-01",
            "drop --api-version / AZURE_IMDS_API_VERSION, or set it to 2019-08-01",
        );
    }
    if status == 401 || status == 403 {
        let (var, flag) = match plan.kind {
            SourceKind::MsiLegacy => ("MSI_SECRET", "the app's MSI_SECRET"),
            _ => ("IDENTITY_HEADER", "--identity-header"),
        };
        return AzureError::new(
            ErrorKind::HeaderRejected,
            format!("the identity endpoint rejected the {var} value (HTTP {status}){quoted}"),
            format!(
                "the value ({header_origin}) is wrong or stale: the platform rotates it when the container restarts"
            ),
            format!(
                "open a new SSH session to the app container (or drop {flag} so wif-doctor re-reads /proc/1/environ), \
                 then regenerate any credential config that embeds the old value"
            ),
        );
    }
    if status == 400 && lower.contains("metadata") && plan.kind == SourceKind::Imds {
        return AzureError::new(
            ErrorKind::ProtocolMismatch,
            format!("IMDS rejected the request (HTTP 400){quoted}"),
            "IMDS requires the header 'Metadata: true'",
            "this is a wif-doctor bug if it happens; report it with this message",
        );
    }
    AzureError::new(
        ErrorKind::Http,
        format!("the identity endpoint answered HTTP {status}{quoted}"),
        format!("unexpected answer from {}", plan.endpoint),
        if (500..=599).contains(&status) {
            "retry later; if it persists restart the app (the platform token service may be unhealthy)".to_string()
        } else {
            format!(
                "check the request settings (resource {resource}, api-version {})",
                s.api_version.value
            )
        },
    )
}

fn explain_failure(
    s: &Settings,
    plan: &Plan,
    f: &Failure,
    attempts: u32,
    timeout: Duration,
) -> AzureError {
    let tries = if attempts > 1 {
        format!(" after {attempts} attempts")
    } else {
        String::new()
    };
    match f {
        Failure::Timeout => AzureError::new(
            ErrorKind::Timeout,
            format!("the identity endpoint {} did not answer within {}", plan.endpoint, fmt_dur(timeout)),
            match plan.kind {
                SourceKind::Imds => "IMDS is only reachable on Azure VMs; App Service, Functions and Container Apps use IDENTITY_ENDPOINT instead".to_string(),
                _ => "the endpoint accepts connections but does not answer: a firewall, a proxy, or the wrong port".to_string(),
            },
            "check the endpoint value; use --timeout 30s to wait longer",
        ),
        Failure::Connect(detail) => {
            let cause = match plan.kind {
                SourceKind::Imds => "IMDS is not reachable here: this is not an Azure VM, or the VM has no network route to 169.254.169.254".to_string(),
                _ if s.environment.kudu => "this shell is the Kudu container, where the identity endpoint does not exist".to_string(),
                _ => "nothing listens there: the managed identity is turned off for the app (or WEBSITE_DISABLE_MSI is set), \
                      the endpoint value is stale after a restart, or this shell is the Kudu container"
                    .to_string(),
            };
            AzureError::new(
                ErrorKind::Unreachable,
                format!("cannot connect to the identity endpoint {}{tries}", plan.endpoint),
                cause,
                match plan.kind {
                    SourceKind::Imds => "on App Service use IDENTITY_ENDPOINT (run in the app container's SSH)".to_string(),
                    _ => "enable the identity (az webapp identity assign -g <rg> -n <app>), restart the app, and run \
                          wif-doctor in the app container's SSH (Development Tools → SSH)"
                        .to_string(),
                },
            )
            .with_raw(detail.clone())
        }
        other => AzureError::new(
            ErrorKind::Unreachable,
            format!("the request to the identity endpoint {} failed{tries}", plan.endpoint),
            other.to_string(),
            "check the endpoint value and the network",
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
    let bad = |summary: String, cause: String| {
        AzureError::new(
            ErrorKind::TokenFile,
            summary,
            cause,
            "check AZURE_FEDERATED_TOKEN_FILE and the pod's azure.workload.identity/use label",
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
            let cause = match &e {
                crate::files::ReadError::NotRegular { .. } | crate::files::ReadError::TooLarge { .. } => {
                    "AZURE_FEDERATED_TOKEN_FILE should name the projected service-account token (a small regular file)".to_string()
                }
                other => other.to_string(),
            };
            return Err(bad(e.to_string(), cause));
        }
        Err(e) => {
            return Err(bad(
                format!("cannot read the token file {}", plan.endpoint),
                e.to_string(),
            ));
        }
    };
    let token = text.trim().to_string();
    if token.is_empty() {
        return Err(bad(
            format!("the token file {} is empty", plan.endpoint),
            "the token was not projected yet".into(),
        ));
    }
    Ok(AzureToken {
        source: SourceKind::AksWorkloadIdentity,
        endpoint: plan.endpoint.clone(),
        resource: "(set by the projected token's audience)".into(),
        token: Secret::new(token),
        expiry: None,
        client_id: None,
        attempts: 1,
    })
}
