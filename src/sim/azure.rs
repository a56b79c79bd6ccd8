//! Managed-identity token endpoints on the plain-HTTP "metadata" listener:
//! App Service / Functions / Container Apps (`/msi/token`, api-version
//! 2019-08-01 and the legacy 2017-09-01 protocol on the same endpoint, as the
//! real token service does) and VM IMDS (`/metadata/identity/oauth2/token`).
//! Status codes and body shapes follow reference §1.1, §2.1 and §2.2; message
//! texts not documented there are marked "sim wording".

use hyper::{Method, StatusCode};
use serde::Serialize;
use time::OffsetDateTime;
use time::macros::format_description;

use super::State;
use super::http::{ResponseBody, SimRequest, SimResponse};
use super::keys::random_guid;
use super::scenario::IdentityFault;
use super::tenant::SimIdentity;
use super::token::Minted;

const IMDS_PATH: &str = "/metadata/identity/oauth2/token";
const APP_SERVICE_PATH: &str = "/msi/token";
const AAD_FAILURE: &str = "An unexpected error occured while fetching the AAD Token.";
const WRONG_IDENTITY: &str = "Unable to load the proper Managed Identity.";
/// Size of the `identity-huge` body.
const HUGE_BODY_BYTES: usize = 10 * 1024 * 1024;

/// Dispatches a metadata-listener request.
pub(crate) fn route(state: &State, req: &SimRequest) -> SimResponse {
    let endpoint = if req.path == IMDS_PATH {
        Endpoint::Imds
    } else if req.path.eq_ignore_ascii_case(APP_SERVICE_PATH) {
        Endpoint::AppService
    } else {
        return SimResponse::not_found(req);
    };
    if let Some(fault) = state.opts.scenario.identity_fault() {
        return fault_response(fault, endpoint);
    }
    match endpoint {
        Endpoint::Imds => imds(state, req),
        Endpoint::AppService => app_service(state, req),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Imds,
    AppService,
}

fn fault_response(fault: IdentityFault, endpoint: Endpoint) -> SimResponse {
    match fault {
        IdentityFault::ServerError => match endpoint {
            Endpoint::AppService => app_error(StatusCode::INTERNAL_SERVER_ERROR, AAD_FAILURE),
            Endpoint::Imds => imds_error(StatusCode::INTERNAL_SERVER_ERROR, "unknown", AAD_FAILURE),
        },
        IdentityFault::Html => {
            SimResponse::text(StatusCode::OK, "text/html; charset=utf-8", HTML_PAGE)
        }
        IdentityFault::Hang => SimResponse::hang(),
        IdentityFault::Huge => SimResponse {
            status: StatusCode::OK,
            headers: vec![("content-type", "application/json; charset=utf-8".into())],
            body: ResponseBody::Stream {
                chunk: bytes_of_padding(),
                total: HUGE_BODY_BYTES,
            },
        },
    }
}

fn bytes_of_padding() -> hyper::body::Bytes {
    let mut v = b"{\"access_token\":\"".to_vec();
    v.resize(64 * 1024, b'A');
    hyper::body::Bytes::from(v)
}

/// What a captive portal / auth proxy in front of the endpoint might return.
const HTML_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>Sign in to your account</title></head>\
<body><h1>Sign in</h1><p>Your session has expired. Please sign in again to continue.</p>\
<form method=\"post\" action=\"/login\"><input name=\"loginfmt\" type=\"email\"></form></body></html>\n";

// ---------------------------------------------------------------- App Service

/// `{statusCode, message, correlationId}` — App Service's error shape.
fn app_error(status: StatusCode, message: &str) -> SimResponse {
    let correlation = random_guid();
    SimResponse::json(
        status,
        &serde_json::json!({
            "statusCode": status.as_u16(),
            "message": message,
            "correlationId": correlation,
        }),
    )
    .with_header("x-correlation-id", correlation)
    .with_header("server", "Kestrel")
}

#[derive(Serialize)]
struct AppServiceToken<'a> {
    access_token: &'a str,
    expires_on: String,
    resource: &'a str,
    token_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<&'a str>,
}

fn app_service(state: &State, req: &SimRequest) -> SimResponse {
    if req.method != Method::GET {
        return app_error(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed."); // sim wording
    }
    match req.param("api-version") {
        Some("2019-08-01") => app_service_2019(state, req),
        Some("2017-09-01") => app_service_2017(state, req),
        Some(other) => app_error(
            StatusCode::BAD_REQUEST,
            &format!("The api-version '{other}' is not supported."), // sim wording
        ),
        None => app_error(
            StatusCode::BAD_REQUEST,
            "The api-version parameter is required.",
        ), // sim wording
    }
}

fn app_service_2019(state: &State, req: &SimRequest) -> SimResponse {
    if req.header("x-identity-header") != Some(state.identity_header.as_str()) {
        return app_error(StatusCode::UNAUTHORIZED, "Unauthorized request."); // sim wording
    }
    let selectors = [
        ("client_id", Selector::Client),
        ("principal_id", Selector::Object),
        ("object_id", Selector::Object),
        ("mi_res_id", Selector::Resource),
    ];
    let identity = match select_identity(state, req, &selectors) {
        Ok(i) => i,
        Err(_) => return app_error(StatusCode::BAD_REQUEST, WRONG_IDENTITY),
    };
    let (resource, minted) = match mint_for_resource(state, req, identity) {
        Ok(m) => m,
        Err(resp) => return resp,
    };
    app_ok(&AppServiceToken {
        access_token: &minted.jwt,
        expires_on: minted.exp.to_string(),
        resource,
        token_type: "Bearer",
        client_id: Some(&identity.client_id),
    })
}

/// Both App Service protocols: the `resource` must be known to the tenant (else the
/// platform's generic 500), then a token is minted for it.
fn mint_for_resource<'r>(
    state: &State,
    req: &'r SimRequest,
    identity: &SimIdentity,
) -> Result<(&'r str, super::token::Minted), SimResponse> {
    let Some(resource) = req.param("resource").filter(|r| !r.is_empty()) else {
        return Err(app_error(
            StatusCode::BAD_REQUEST,
            "The resource parameter is required.",
        )); // sim wording
    };
    let Some(resolved) = state.tenant.resolve_resource(resource) else {
        return Err(app_error(StatusCode::INTERNAL_SERVER_ERROR, AAD_FAILURE));
    };
    Ok((resource, state.mint_http(identity, &resolved)))
}

/// Legacy protocol: `secret` header, `clientid` selector only (other selector
/// names are ignored, i.e. silently fall back to system-assigned), date-string
/// `expires_on`.
fn app_service_2017(state: &State, req: &SimRequest) -> SimResponse {
    if req.header("x-identity-header").is_some() {
        return app_error(
            StatusCode::BAD_REQUEST,
            "The X-IDENTITY-HEADER header is not valid with api-version 2017-09-01.", // sim wording
        );
    }
    if req.header("secret") != Some(state.msi_secret.as_str()) {
        return app_error(StatusCode::UNAUTHORIZED, "Unauthorized request."); // sim wording
    }
    let identity = match select_identity(state, req, &[("clientid", Selector::Client)]) {
        Ok(i) => i,
        Err(_) => return app_error(StatusCode::BAD_REQUEST, WRONG_IDENTITY),
    };
    let (resource, minted) = match mint_for_resource(state, req, identity) {
        Ok(m) => m,
        Err(resp) => return resp,
    };
    app_ok(&AppServiceToken {
        access_token: &minted.jwt,
        expires_on: legacy_date(minted.exp),
        resource,
        token_type: "Bearer",
        client_id: None,
    })
}

fn app_ok(body: &impl Serialize) -> SimResponse {
    SimResponse::json(StatusCode::OK, body)
        .with_header("x-correlation-id", random_guid())
        .with_header("server", "Kestrel")
}

/// `06/20/2019 02:57:58 +00:00` (Linux App Service legacy format).
pub(crate) fn legacy_date(epoch: i64) -> String {
    let fmt = format_description!("[month]/[day]/[year] [hour]:[minute]:[second] +00:00");
    OffsetDateTime::from_unix_timestamp(epoch)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_default()
}

// ----------------------------------------------------------------------- IMDS

fn imds_error(status: StatusCode, error: &str, description: &str) -> SimResponse {
    SimResponse::json(
        status,
        &serde_json::json!({"error": error, "error_description": description}),
    )
}

#[derive(Serialize)]
struct ImdsToken<'a> {
    access_token: &'a str,
    client_id: &'a str,
    expires_in: String,
    expires_on: String,
    ext_expires_in: String,
    not_before: String,
    resource: &'a str,
    token_type: &'static str,
}

fn imds(state: &State, req: &SimRequest) -> SimResponse {
    let metadata_ok = req
        .header("metadata")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    if !metadata_ok {
        return imds_error(
            StatusCode::BAD_REQUEST,
            "bad_request_102",
            "Required metadata header not specified",
        );
    }
    if req.method != Method::GET {
        return imds_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "Method not allowed",
        ); // sim wording
    }
    if req.param("api-version").is_none_or(str::is_empty) {
        return imds_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Required query variable 'api-version' is missing", // sim wording
        );
    }
    let Some(resource) = req.param("resource").filter(|r| !r.is_empty()) else {
        return imds_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Required query variable 'resource' is missing", // sim wording
        );
    };
    let selectors = [
        ("client_id", Selector::Client),
        ("object_id", Selector::Object),
        ("msi_res_id", Selector::Resource),
        ("mi_res_id", Selector::Resource),
    ];
    let identity = match select_identity(state, req, &selectors) {
        Ok(i) => i,
        Err(SelectError::Ambiguous) => {
            return imds_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Only one of client_id, object_id or msi_res_id may be specified", // sim wording
            );
        }
        Err(SelectError::NotFound) => {
            return imds_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Identity not found",
            );
        }
    };
    let Some(resolved) = state.tenant.resolve_resource(resource) else {
        let description = format!(
            "AADSTS50001: The application named {resource} was not found in the tenant named {tid}. \
             This can happen if the application has not been installed by the administrator of the \
             tenant or consented to by any user in the tenant. You might have sent your authentication \
             request to the wrong tenant.\r\nTrace ID: {trace}\r\nCorrelation ID: {corr}\r\nTimestamp: {ts}",
            tid = state.tenant.tenant_id,
            trace = random_guid(),
            corr = random_guid(),
            ts = OffsetDateTime::now_utc().unix_timestamp(),
        );
        return imds_error(StatusCode::BAD_REQUEST, "invalid_resource", &description);
    };
    let minted: Minted = state.mint_http(identity, &resolved);
    // Observed: expires_in 86400 / ext_expires_in 86399 for a fresh 86 700 s token.
    let expires_in = (minted.exp - super::now() - 300).max(0);
    SimResponse::json(
        StatusCode::OK,
        &ImdsToken {
            access_token: &minted.jwt,
            client_id: &identity.client_id,
            expires_in: expires_in.to_string(),
            expires_on: minted.exp.to_string(),
            ext_expires_in: (expires_in - 1).max(0).to_string(),
            not_before: minted.iat.to_string(),
            resource,
            token_type: "Bearer",
        },
    )
}

// ------------------------------------------------------------ identity choice

#[derive(Clone, Copy)]
enum Selector {
    Client,
    Object,
    Resource,
}

enum SelectError {
    /// More than one selector given.
    Ambiguous,
    /// Selector names no identity assigned to this resource.
    NotFound,
}

/// Applies the (mutually exclusive) user-assigned selectors; none means the
/// system-assigned identity.
fn select_identity<'s>(
    state: &'s State,
    req: &SimRequest,
    selectors: &[(&str, Selector)],
) -> Result<&'s SimIdentity, SelectError> {
    let given: Vec<(Selector, &str)> = selectors
        .iter()
        .filter_map(|(name, sel)| req.param(name).map(|v| (*sel, v)))
        .collect();
    match given.as_slice() {
        [] => Ok(&state.tenant.system),
        [(sel, value)] => {
            let t = &state.tenant;
            match sel {
                Selector::Client => t.by_client_id(value),
                Selector::Object => t.by_object_id(value),
                Selector::Resource => t.by_resource_id(value),
            }
            .ok_or(SelectError::NotFound)
        }
        _ => Err(SelectError::Ambiguous),
    }
}
