//! The HTTP requests, shaped exactly as Google's client libraries send them.

use super::CallError;
use crate::http::{self, BodyError, Failure, Http};
use crate::i18n::Text;
use crate::msg;
use crate::secret::{Secret, scrub};
use reqwest::RequestBuilder;
use serde_json::{Value, json};
use std::time::Duration;

/// Google error bodies are small; anything bigger is cut.
const MAX_BODY: usize = 256 * 1024;
const STS_ATTEMPTS: u32 = 3;

pub const CLOUD_PLATFORM_SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";
const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

/// What the STS exchange needs.
#[derive(Debug, Clone)]
pub struct StsRequest<'a> {
    pub token_url: &'a str,
    pub audience: &'a str,
    pub subject_token: &'a Secret,
    pub subject_token_type: &'a str,
}

/// A federated access token.
#[derive(Debug, Clone)]
pub struct StsToken {
    pub access_token: Secret,
    pub expires_in: Option<i64>,
    pub token_type: Option<String>,
    pub issued_token_type: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SaToken {
    pub access_token: Secret,
    pub expire_time: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CountTokens {
    pub total_tokens: Option<i64>,
}

/// The form fields in google-auth's order (grant_type, audience, scope, requested_token_type,
/// subject_token, subject_token_type); empty fields are omitted as the libraries do.
pub fn sts_form<'a>(req: &'a StsRequest<'a>) -> Vec<(&'static str, &'a str)> {
    vec![
        ("grant_type", TOKEN_EXCHANGE_GRANT),
        ("audience", req.audience),
        ("scope", CLOUD_PLATFORM_SCOPE),
        ("requested_token_type", ACCESS_TOKEN_TYPE),
        ("subject_token", req.subject_token.expose()),
        ("subject_token_type", req.subject_token_type),
    ]
}

async fn send(req: RequestBuilder, secrets: &[&Secret]) -> Result<(u16, Vec<u8>), CallError> {
    let resp = req
        .send()
        .await
        .map_err(|e| CallError::Transport(Failure::from_reqwest(&e)))?;
    let status = resp.status().as_u16();
    match http::read_limited(resp, MAX_BODY).await {
        Ok(body) => {
            if status == 200 {
                Ok((status, body))
            } else {
                let text = scrub(&String::from_utf8_lossy(&body), secrets);
                Err(CallError::Status { status, body: text })
            }
        }
        Err(BodyError::TooLarge { limit }) => Err(CallError::Malformed(
            msg!("google.call.too_large", status = status, kib = limit / 1024).into(),
        )),
        Err(BodyError::Read(f)) => Err(CallError::Transport(f)),
    }
}

fn parse(body: &[u8], secrets: &[&Secret]) -> Result<Value, CallError> {
    serde_json::from_slice(body).map_err(|_| {
        let text = scrub(&String::from_utf8_lossy(body), secrets);
        CallError::Malformed(Text::value(http::excerpt(text.as_bytes(), 120)))
    })
}

/// RFC 8693 exchange, form-encoded, no Authorization header. 429 and 5xx back off and retry.
pub async fn sts_exchange(http: &Http, req: &StsRequest<'_>) -> Result<StsToken, CallError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let form = sts_form(req);
        let builder = http.api.post(req.token_url).form(&form);
        match send(builder, &[req.subject_token]).await {
            Err(CallError::Status { status, .. })
                if (status == 429 || status >= 500) && attempt < STS_ATTEMPTS =>
            {
                tokio::time::sleep(Duration::from_millis(500 * 2u64.pow(attempt - 1))).await;
            }
            Err(e) => return Err(e),
            Ok((_, body)) => {
                let v = parse(&body, &[req.subject_token])?;
                let token = v["access_token"]
                    .as_str()
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| no_field("access_token", "STS"))?;
                return Ok(StsToken {
                    access_token: Secret::new(token),
                    expires_in: v["expires_in"]
                        .as_i64()
                        .or_else(|| v["expires_in"].as_str()?.parse().ok()),
                    token_type: v["token_type"].as_str().map(str::to_string),
                    issued_token_type: v["issued_token_type"].as_str().map(str::to_string),
                });
            }
        }
    }
}

/// `generateAccessToken` for a service account, with the federated token.
pub async fn generate_access_token(
    http: &Http,
    universe: &str,
    service_account: &str,
    federated: &Secret,
) -> Result<SaToken, CallError> {
    check_universe(universe)?;
    crate::gcp::validate_service_account_email(service_account).map_err(|e| {
        CallError::Setting(
            msg!(
                "google.call.bad_sa",
                sa = crate::diagnose::visible(service_account),
                why = e.to_string()
            )
            .into(),
        )
    })?;
    let url = crate::gcp::service_account_impersonation_url(universe, service_account);
    let body = json!({"scope": [CLOUD_PLATFORM_SCOPE], "lifetime": "3600s", "delegates": []});
    let builder = http
        .api
        .post(url)
        .bearer_auth(federated.expose())
        .json(&body);
    let (_, body) = send(builder, &[federated]).await?;
    let v = parse(&body, &[federated])?;
    let token = v["accessToken"]
        .as_str()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| no_field("accessToken", "generateAccessToken"))?;
    Ok(SaToken {
        access_token: Secret::new(token),
        expire_time: v["expireTime"].as_str().map(str::to_string),
    })
}

/// `projects.testIamPermissions`: free, needs no permission; returns the held subset.
pub async fn test_iam_permissions(
    http: &Http,
    universe: &str,
    project_id: &str,
    bearer: &Secret,
    permissions: &[&str],
) -> Result<Vec<String>, CallError> {
    check_universe(universe)?;
    let resource = format!("{project_id}:testIamPermissions");
    let url = api_url(
        &format!("cloudresourcemanager.{universe}"),
        &["projects", &resource],
    )?;
    let builder = http
        .api
        .post(url)
        .bearer_auth(bearer.expose())
        .json(&json!({"permissions": permissions}));
    let (_, body) = send(builder, &[bearer]).await?;
    let v = parse(&body, &[bearer])?;
    Ok(v["permissions"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default())
}

fn no_field(field: &str, answer: &str) -> CallError {
    CallError::Malformed(msg!("google.call.no_field", field = field, answer = answer).into())
}

/// The universe domain becomes part of every Google host name.
fn check_universe(universe: &str) -> Result<(), CallError> {
    crate::gcp::validate_universe_domain(universe).map_err(|e| {
        CallError::Setting(
            msg!(
                "google.call.bad_universe",
                value = crate::diagnose::visible(universe),
                why = e.to_string()
            )
            .into(),
        )
    })
}

/// `https://HOST/v1/SEGMENTS…`, each segment percent-encoded so a value cannot change the path.
/// A host that is not a host name is an error, never a panic.
fn api_url(host: &str, segments: &[&str]) -> Result<String, CallError> {
    let bad = |why: Text| {
        CallError::Setting(
            msg!(
                "google.call.bad_host",
                host = crate::diagnose::visible(host),
                why = why
            )
            .into(),
        )
    };
    let mut url = url::Url::parse(&format!("https://{host}/"))
        .map_err(|e| bad(Text::value(e.to_string())))?;
    if url.host_str() != Some(host) {
        return Err(bad(msg!("google.call.not_plain_host").into()));
    }
    url.path_segments_mut()
        .map_err(|_| bad(msg!("google.call.not_hierarchical").into()))?
        .clear()
        .push("v1")
        .extend(segments);
    Ok(url.to_string())
}

/// The regional (or global) Vertex AI `countTokens` URL for a publisher model.
pub fn vertex_url(
    universe: &str,
    location: &str,
    project_id: &str,
    model: &str,
) -> Result<String, CallError> {
    check_universe(universe)?;
    crate::gcp::validate_location(location).map_err(|e| {
        CallError::Setting(
            msg!(
                "google.call.bad_location",
                value = crate::diagnose::visible(location),
                why = e.to_string()
            )
            .into(),
        )
    })?;
    let host = if location == "global" {
        format!("aiplatform.{universe}")
    } else {
        format!("{location}-aiplatform.{universe}")
    };
    let model = format!("{model}:countTokens");
    api_url(
        &host,
        &[
            "projects",
            project_id,
            "locations",
            location,
            "publishers",
            "google",
            "models",
            &model,
        ],
    )
}

/// `countTokens`: a real Vertex AI call with the same permission as generateContent, at no cost.
pub async fn count_tokens(
    http: &Http,
    universe: &str,
    location: &str,
    project_id: &str,
    model: &str,
    bearer: &Secret,
) -> Result<CountTokens, CallError> {
    let body = json!({"contents": [{"role": "user", "parts": [{"text": "ping"}]}]});
    let builder = http
        .api
        .post(vertex_url(universe, location, project_id, model)?)
        .bearer_auth(bearer.expose())
        .json(&body);
    let (_, body) = send(builder, &[bearer]).await?;
    let v = parse(&body, &[bearer])?;
    Ok(CountTokens {
        total_tokens: v["totalTokens"].as_i64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vertex_url_keeps_values_inside_their_path_segments() {
        assert_eq!(
            vertex_url(
                "googleapis.com",
                "us-central1",
                "demo-project",
                "gemini-2.5-flash"
            )
            .unwrap(),
            "https://us-central1-aiplatform.googleapis.com/v1/projects/demo-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:countTokens"
        );
        assert_eq!(
            vertex_url("googleapis.com", "global", "p", "m").unwrap(),
            "https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/google/models/m:countTokens"
        );
        let odd = vertex_url("googleapis.com", "us-central1", "a/../../x?y#", "m/n").unwrap();
        assert!(
            odd.starts_with(
                "https://us-central1-aiplatform.googleapis.com/v1/projects/a%2F..%2F..%2Fx%3Fy%23/"
            ),
            "{odd}"
        );
        assert!(odd.contains("/models/m%2Fn:countTokens"), "{odd}");
    }

    #[test]
    fn hostile_hosts_are_errors_naming_the_setting_never_panics() {
        for (universe, location, names) in [
            ("googleapis.com ", "us-central1", "universe domain"),
            ("googleapis.com", " us-central1", "location"),
            ("evil.com/x", "us-central1", "universe domain"),
            ("googleapis.com", "x.example.com#", "location"),
            ("g\u{00A0}oogleapis.com", "us-central1", "universe domain"),
        ] {
            let e = vertex_url(universe, location, "p", "m").unwrap_err();
            assert!(matches!(e, CallError::Setting(_)), "{e}");
            assert!(e.to_string().contains(names), "{e}");
        }
        assert!(api_url("a b", &[]).is_err());
        assert!(api_url("x.com/evil", &[]).is_err());
    }
}
