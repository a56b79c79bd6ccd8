//! The simulator's Google side (STS, IAM Credentials, Resource Manager,
//! Vertex AI), driven over real HTTPS with production host names, a DNS
//! override and only the simulator CA trusted — as the client uses it.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use wif_doctor::sim::{self, Scenario, Sim, SimOptions, TokenVersion};

const PROJECT_NUMBER: &str = "123456789012";
const CLOUD_PLATFORM: &str = "https://www.googleapis.com/auth/cloud-platform";
const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";
const JWT_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";
const AUDIENCE_FORMAT: &str = "Invalid value for \"audience\". This value should be the full resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats.";
const INVALID_TARGET: &str = "The target service indicated by the \"audience\" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn't exist.";
const ISSUER_UNREACHABLE: &str = "Error connecting to the given credential's issuer.";

async fn start(scenario: Scenario) -> Sim {
    sim::start(SimOptions {
        scenario,
        ..SimOptions::default()
    })
    .await
    .expect("simulator starts")
}

fn https(sim: &Sim) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(sim.ca_pem().as_bytes()).unwrap();
    let mut b = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .tls_certs_only([ca]);
    for (host, addr) in sim.resolve_entries() {
        b = b.resolve(&host, addr);
    }
    b.build().unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn json_of(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}")),
    )
}

/// A v1 token for the configured app from IMDS (honours the scenario).
async fn azure_token(sim: &Sim) -> String {
    let resp = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!(
            "{}/metadata/identity/oauth2/token",
            sim.imds_endpoint()
        ))
        .header("Metadata", "true")
        .query(&[
            ("api-version", "2018-02-01"),
            ("resource", &sim.google().app_id_uri),
        ])
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(resp).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

/// The audience for the *real* project number (whatever the accessor says).
fn good_audience() -> String {
    format!(
        "//iam.googleapis.com/projects/{PROJECT_NUMBER}/locations/global/workloadIdentityPools/azure-pool/providers/azure-mi"
    )
}

/// STS form fields exactly as google-auth sends them, with overrides
/// (`None` value = omit the field).
fn sts_fields<'a>(
    audience: &'a str,
    subject_token: &'a str,
    overrides: &[(&'a str, Option<&'a str>)],
) -> Vec<(&'a str, &'a str)> {
    let base = [
        ("grant_type", TOKEN_EXCHANGE),
        ("audience", audience),
        ("scope", CLOUD_PLATFORM),
        ("requested_token_type", ACCESS_TOKEN),
        ("subject_token", subject_token),
        ("subject_token_type", JWT_TYPE),
    ];
    let mut out = Vec::new();
    for (k, v) in base {
        match overrides.iter().find(|(ok, _)| *ok == k) {
            Some((_, Some(nv))) => out.push((k, *nv)),
            Some((_, None)) => {}
            None => out.push((k, v)),
        }
    }
    out
}

async fn sts_form(sim: &Sim, fields: &[(&str, &str)]) -> (u16, Value) {
    json_of(
        https(sim)
            .post("https://sts.googleapis.com/v1/token")
            .form(fields)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// STS exchange of `subject` for the given audience; expects 200.
async fn federated_token(sim: &Sim, audience: &str, subject: &str) -> String {
    let (status, body) = sts_form(sim, &sts_fields(audience, subject, &[])).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

/// Asserts an RFC 6749 error with the exact description.
fn assert_oauth(got: &(u16, Value), status: u16, error: &str, description: &str) {
    let (s, body) = got;
    assert_eq!(*s, status, "{body}");
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_description"], description, "{body}");
    assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
}

async fn sts_error_for(sim: &Sim, subject: &str) -> (u16, Value) {
    sts_form(sim, &sts_fields(&good_audience(), subject, &[])).await
}

async fn generate_access_token(sim: &Sim, bearer: &str, email: &str) -> (u16, Value) {
    json_of(
        https(sim)
            .post(format!(
                "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/{email}:generateAccessToken"
            ))
            .bearer_auth(bearer)
            .json(&json!({"scope": [CLOUD_PLATFORM], "lifetime": "3600s", "delegates": []}))
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn test_iam(sim: &Sim, bearer: &str, version: &str, project: &str) -> (u16, Value) {
    json_of(
        https(sim)
            .post(format!(
                "https://cloudresourcemanager.googleapis.com/{version}/projects/{project}:testIamPermissions"
            ))
            .bearer_auth(bearer)
            .json(&json!({"permissions": [
                "aiplatform.endpoints.predict",
                "aiplatform.models.list",
                "resourcemanager.projects.get"
            ]}))
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn count_tokens_at(
    sim: &Sim,
    bearer: &str,
    host: &str,
    project: &str,
    location: &str,
    model: &str,
) -> (u16, Value) {
    json_of(
        https(sim)
            .post(format!(
                "https://{host}/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:countTokens"
            ))
            .bearer_auth(bearer)
            .json(&json!({"contents": [{"role": "user", "parts": [{"text": "ping"}]}]}))
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn count_tokens(sim: &Sim, bearer: &str) -> (u16, Value) {
    let g = sim.google();
    count_tokens_at(
        sim,
        bearer,
        &format!("{}-aiplatform.googleapis.com", g.location),
        &g.project_id,
        &g.location,
        &g.model,
    )
    .await
}

fn b64json(seg: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(seg).unwrap()).unwrap()
}

/// (header, claims) of a valid minted v1 token, for re-signing variants.
fn valid_parts(sim: &Sim) -> (Value, Value) {
    let jwt = sim.mint_token(TokenVersion::V1);
    let segs: Vec<&str> = jwt.split('.').collect();
    (b64json(segs[0]), b64json(segs[1]))
}

/// A validly signed v1 token with `edit` applied to its claims.
fn resigned(sim: &Sim, edit: impl FnOnce(&mut Value)) -> String {
    let (header, mut claims) = valid_parts(sim);
    edit(&mut claims);
    sim.sign_jwt(&header, &claims)
}

/// Google JSON error: code, status, message exact.
fn assert_google(got: &(u16, Value), code: u16, status: &str, message: &str) {
    let (s, body) = got;
    assert_eq!(*s, code, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert_eq!(body["error"]["status"], status, "{body}");
    assert_eq!(body["error"]["message"], message, "{body}");
}

// ------------------------------------------------------------------ healthy

#[tokio::test]
async fn healthy_direct_access_flow() {
    let sim = start(Scenario::Healthy).await;
    let g = sim.google();
    let subject = azure_token(&sim).await;
    sim.clear_requests();
    let (status, body) = sts_form(&sim, &sts_fields(&g.audience(), &subject, &[])).await;
    assert_eq!(status, 200, "{body}");
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "access_token",
            "expires_in",
            "issued_token_type",
            "token_type"
        ]
    );
    assert!(
        body["access_token"]
            .as_str()
            .unwrap()
            .starts_with("ya29.sim-")
    );
    assert_eq!(body["issued_token_type"], ACCESS_TOKEN);
    assert_eq!(body["token_type"], "Bearer");
    let expires_in = body["expires_in"].as_i64().unwrap();
    assert!((3590..=3600).contains(&expires_in), "{expires_in}");
    let log = sim.requests();
    assert_eq!(log[0].host, "sts.googleapis.com");
    assert!(
        log[0]
            .header("content-type")
            .unwrap()
            .starts_with("application/x-www-form-urlencoded")
    );
    let fed = body["access_token"].as_str().unwrap().to_string();

    for version in ["v1", "v3"] {
        let (status, body) = test_iam(&sim, &fed, version, &g.project_id).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body,
            json!({"permissions": [
                "aiplatform.endpoints.predict",
                "aiplatform.models.list",
                "resourcemanager.projects.get"
            ]})
        );
    }
    // The project number names the project too.
    let (status, _) = test_iam(&sim, &fed, "v3", PROJECT_NUMBER).await;
    assert_eq!(status, 200);

    let (status, body) = count_tokens(&sim, &fed).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalTokens"], 1);
    assert_eq!(body["totalBillableCharacters"], 4);
    // Global endpoint, project number in the path.
    let (status, body) = count_tokens_at(
        &sim,
        &fed,
        "aiplatform.googleapis.com",
        PROJECT_NUMBER,
        "global",
        &g.model,
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn healthy_impersonation_flow() {
    let sim = start(Scenario::Healthy).await;
    let g = sim.google();
    let fed = federated_token(&sim, &g.audience(), &azure_token(&sim).await).await;
    let (status, body) = generate_access_token(&sim, &fed, &g.service_account_email).await;
    assert_eq!(status, 200, "{body}");
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    keys.sort();
    assert_eq!(keys, ["accessToken", "expireTime"]);
    let sa_token = body["accessToken"].as_str().unwrap().to_string();
    assert!(sa_token.starts_with("ya29.sim-sa-"));
    let expire = body["expireTime"].as_str().unwrap();
    assert!(expire.ends_with('Z') && expire.len() == 20, "{expire}");
    let t = time::OffsetDateTime::parse(expire, &time::format_description::well_known::Rfc3339)
        .unwrap();
    assert!((t.unix_timestamp() - now() - 3600).abs() < 30);

    let (status, body) = test_iam(&sim, &sa_token, "v1", &g.project_id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["permissions"],
        json!([
            "aiplatform.endpoints.predict",
            "aiplatform.models.list",
            "resourcemanager.projects.get"
        ])
    );
    let (status, body) = count_tokens(&sim, &sa_token).await;
    assert_eq!(status, 200, "{body}");
    // The SA token cannot mint further SA tokens (no workloadIdentityUser).
    let (status, _) = generate_access_token(&sim, &sa_token, &g.service_account_email).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn accessor_describes_project_per_scenario() {
    let sim = start(Scenario::Healthy).await;
    let g = sim.google();
    assert_eq!(g.project_number, PROJECT_NUMBER);
    assert_eq!(g.project_id, "demo-project");
    assert_eq!(g.pool, "azure-pool");
    assert_eq!(g.provider, "azure-mi");
    assert_eq!(g.service_account, None);
    assert!(!g.impersonate());
    assert_eq!(
        g.service_account_email,
        "vertex-caller@demo-project.iam.gserviceaccount.com"
    );
    assert_eq!(g.location, "us-central1");
    assert_eq!(g.model, "gemini-2.5-flash");
    assert_eq!(g.app_id_uri, sim.app_v1().identifier_uri);
    assert_eq!(g.audience(), good_audience());

    let sim = start(Scenario::MissingWorkloadIdentityUser).await;
    let g = sim.google();
    assert_eq!(
        g.service_account.as_deref(),
        Some("vertex-caller@demo-project.iam.gserviceaccount.com")
    );
    assert!(g.impersonate());
    assert!(Scenario::MissingWorkloadIdentityUser.expects_impersonation());
    assert!(!Scenario::Healthy.expects_impersonation());

    let sim = start(Scenario::ProjectIdAudience).await;
    let g = sim.google();
    assert_eq!(g.project_number, "demo-project");
    assert!(g.audience().contains("/projects/demo-project/"));
}

#[tokio::test]
async fn sts_accepts_json_encoding() {
    let sim = start(Scenario::Healthy).await;
    let subject = sim.mint_token(TokenVersion::V1);
    let resp = https(&sim)
        .post("https://sts.googleapis.com/v1/token")
        .json(&json!({
            "grantType": TOKEN_EXCHANGE,
            "audience": good_audience(),
            "scope": CLOUD_PLATFORM,
            "requestedTokenType": ACCESS_TOKEN,
            "subjectToken": subject,
            "subjectTokenType": "urn:ietf:params:oauth:token-type:id_token",
        }))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(resp).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["access_token"]
            .as_str()
            .unwrap()
            .starts_with("ya29.sim-")
    );
    // camelCase is what JSON callers send; a JSON body with a missing scope
    // is still validated.
    let resp = https(&sim)
        .post("https://sts.googleapis.com/v1/token")
        .json(&json!({
            "grantType": TOKEN_EXCHANGE,
            "audience": good_audience(),
            "requestedTokenType": ACCESS_TOKEN,
            "subjectToken": subject,
            "subjectTokenType": JWT_TYPE,
        }))
        .send()
        .await
        .unwrap();
    assert_oauth(
        &json_of(resp).await,
        400,
        "invalid_request",
        "Scope(s) must be provided.",
    );
}

#[tokio::test]
async fn sts_rejects_authorization_header() {
    let sim = start(Scenario::Healthy).await;
    let subject = sim.mint_token(TokenVersion::V1);
    let aud = good_audience();
    let resp = https(&sim)
        .post("https://sts.googleapis.com/v1/token")
        .bearer_auth("something")
        .form(&sts_fields(&aud, &subject, &[]))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(resp).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_request");
    let d = body["error_description"].as_str().unwrap();
    assert!(
        d.contains("simulator") && d.contains("Authorization"),
        "{d}"
    );
}

// --------------------------------------------------------- STS validation

#[tokio::test]
async fn sts_required_fields_in_order() {
    let sim = start(Scenario::Healthy).await;
    let subject = sim.mint_token(TokenVersion::V1);
    let aud = good_audience();
    let got = sts_form(
        &sim,
        &sts_fields(
            &aud,
            &subject,
            &[("grant_type", Some("client_credentials"))],
        ),
    )
    .await;
    assert_eq!(got.0, 400);
    assert_eq!(got.1["error"], "unsupported_grant_type");
    for bad in [None, Some("urn:ietf:params:oauth:token-type:id_token")] {
        let got = sts_form(
            &sim,
            &sts_fields(&aud, &subject, &[("requested_token_type", bad)]),
        )
        .await;
        assert_oauth(
            &got,
            400,
            "invalid_request",
            "Invalid value of requested_token_type in request.",
        );
    }
    // Both broken: requested_token_type is reported before scope.
    let got = sts_form(
        &sim,
        &sts_fields(
            &aud,
            &subject,
            &[("requested_token_type", None), ("scope", None)],
        ),
    )
    .await;
    assert_eq!(
        got.1["error_description"],
        "Invalid value of requested_token_type in request."
    );
    for bad in [None, Some(""), Some(" ")] {
        let got = sts_form(&sim, &sts_fields(&aud, &subject, &[("scope", bad)])).await;
        assert_oauth(&got, 400, "invalid_request", "Scope(s) must be provided.");
    }
    let got = sts_form(
        &sim,
        &sts_fields(
            &aud,
            &subject,
            &[(
                "subject_token_type",
                Some("urn:ietf:params:oauth:token-type:saml2"),
            )],
        ),
    )
    .await;
    assert_eq!(got.0, 400);
    assert_eq!(got.1["error"], "invalid_request");
    // Scope is checked before the audience.
    let got = sts_form(
        &sim,
        &sts_fields("projects/x", &subject, &[("scope", None)]),
    )
    .await;
    assert_eq!(got.1["error_description"], "Scope(s) must be provided.");
}

#[tokio::test]
async fn sts_audience_format_and_target() {
    let sim = start(Scenario::Healthy).await;
    let subject = sim.mint_token(TokenVersion::V1);
    let base = "iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools";
    for malformed in [
        format!("//{base}/azure-pool"),
        format!("https://{base}/azure-pool/providers/azure-mi"),
        format!("{base}/azure-pool/providers/azure-mi"),
        format!("//{base}/azure-pool/providers/"),
        "api://something".to_string(),
    ] {
        let got = sts_form(&sim, &sts_fields(&malformed, &subject, &[])).await;
        assert_oauth(&got, 400, "invalid_request", AUDIENCE_FORMAT);
    }
    for unknown in [
        "//iam.googleapis.com/projects/demo-project/locations/global/workloadIdentityPools/azure-pool/providers/azure-mi".to_string(),
        format!("//{base}/other-pool/providers/azure-mi"),
        format!("//{base}/azure-pool/providers/other"),
        "//iam.googleapis.com/projects/999999999999/locations/global/workloadIdentityPools/azure-pool/providers/azure-mi".to_string(),
    ] {
        let got = sts_form(&sim, &sts_fields(&unknown, &subject, &[])).await;
        assert_oauth(&got, 400, "invalid_target", INVALID_TARGET);
    }
    // The audience is checked before the subject token is even parsed.
    let got = sts_form(
        &sim,
        &sts_fields(&format!("//{base}/x/providers/y"), "not-a-jwt", &[]),
    )
    .await;
    assert_eq!(got.1["error"], "invalid_target");
}

#[tokio::test]
async fn sts_subject_token_branches() {
    let sim = start(Scenario::Healthy).await;
    let v1_iss = sim.issuer(TokenVersion::V1);
    let configured = v1_iss.trim_end_matches('/').to_string();

    // Not a JWT.
    let got = sts_error_for(&sim, "not-a-jwt").await;
    assert_eq!(got.0, 400);
    assert_eq!(got.1["error"], "invalid_grant");

    // Unsupported alg.
    let (mut header, claims) = valid_parts(&sim);
    header["alg"] = json!("HS256");
    let got = sts_error_for(&sim, &sim.sign_jwt(&header, &claims)).await;
    assert_eq!(got.0, 400);
    assert_eq!(got.1["error"], "invalid_grant");
    assert!(
        got.1["error_description"]
            .as_str()
            .unwrap()
            .contains("HS256")
    );

    // Missing kid.
    let (mut header, claims) = valid_parts(&sim);
    header.as_object_mut().unwrap().remove("kid");
    let got = sts_error_for(&sim, &sim.sign_jwt(&header, &claims)).await;
    assert_eq!(got.0, 400);
    assert_eq!(got.1["error"], "invalid_grant");
    assert!(got.1["error_description"].as_str().unwrap().contains("kid"));

    // v2 token against the v1-configured provider: issuer mismatch.
    let got = sts_error_for(&sim, &sim.mint_token(TokenVersion::V2)).await;
    assert_oauth(
        &got,
        400,
        "invalid_grant",
        &format!(
            "The issuer in ID Token {} does not match the expected one in config: {configured}",
            sim.issuer(TokenVersion::V2)
        ),
    );
    // Missing iss prints null.
    let t = resigned(&sim, |c| {
        c.as_object_mut().unwrap().remove("iss");
    });
    assert_oauth(
        &sts_error_for(&sim, &t).await,
        400,
        "invalid_grant",
        &format!(
            "The issuer in ID Token null does not match the expected one in config: {configured}"
        ),
    );
    // Only a trailing slash is normalised: without it the token still passes.
    let t = resigned(&sim, |c| c["iss"] = json!(configured));
    assert_eq!(sts_error_for(&sim, &t).await.0, 200);

    // Unknown kid.
    let (mut header, claims) = valid_parts(&sim);
    header["kid"] = json!("unpublished-kid");
    let got = sts_error_for(&sim, &sim.sign_jwt(&header, &claims)).await;
    assert_oauth(&got, 400, "invalid_grant", ISSUER_UNREACHABLE);
    // ES256 with the (RSA) published kid: key type mismatch.
    let (mut header, claims) = valid_parts(&sim);
    header["alg"] = json!("ES256");
    let got = sts_error_for(&sim, &sim.sign_jwt(&header, &claims)).await;
    assert_oauth(&got, 400, "invalid_grant", ISSUER_UNREACHABLE);

    // Tampered payload: signature no longer verifies.
    let jwt = sim.mint_token(TokenVersion::V1);
    let segs: Vec<&str> = jwt.split('.').collect();
    let mut claims = b64json(segs[1]);
    claims["sub"] = json!("someone-else");
    let forged = format!(
        "{}.{}.{}",
        segs[0],
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap()),
        segs[2]
    );
    assert_oauth(
        &sts_error_for(&sim, &forged).await,
        400,
        "invalid_grant",
        "Unable to verify the ID Token signature.",
    );

    // Audience not allowed.
    let t = resigned(&sim, |c| c["aud"] = json!("api://other"));
    assert_oauth(
        &sts_error_for(&sim, &t).await,
        400,
        "invalid_grant",
        "The audience in ID Token [api://other] does not match the expected audience.",
    );
    let t = resigned(&sim, |c| {
        c.as_object_mut().unwrap().remove("aud");
    });
    assert_oauth(
        &sts_error_for(&sim, &t).await,
        400,
        "invalid_grant",
        "The audience in ID Token [] does not match the expected audience.",
    );

    // Expired beyond the skew; within the skew still fine.
    let iat = now() - 7200;
    let t = resigned(&sim, |c| {
        c["iat"] = json!(iat);
        c["nbf"] = json!(iat);
        c["exp"] = json!(now() - 120);
    });
    assert_oauth(
        &sts_error_for(&sim, &t).await,
        400,
        "invalid_grant",
        &format!("ID Token issued at {iat} is stale to sign-in."),
    );
    let t = resigned(&sim, |c| c["exp"] = json!(now() - 30));
    assert_eq!(sts_error_for(&sim, &t).await.0, 200);
    let t = resigned(&sim, |c| {
        c.as_object_mut().unwrap().remove("iat");
    });
    assert_oauth(
        &sts_error_for(&sim, &t).await,
        400,
        "invalid_grant",
        "ID Token issued at null is stale to sign-in.",
    );

    // Mapped subject longer than 127 bytes.
    let t = resigned(&sim, |c| c["sub"] = json!("s".repeat(128)));
    assert_oauth(
        &sts_error_for(&sim, &t).await,
        400,
        "invalid_request",
        "The size of mapped attribute google.subject exceeds the 127 bytes limit. Either modify your attribute mapping or the incoming assertion to produce a mapped attribute that is less than 127 bytes.",
    );
    let t = resigned(&sim, |c| c["sub"] = json!("s".repeat(127)));
    assert_eq!(sts_error_for(&sim, &t).await.0, 200);
    // Non-string subject.
    let t = resigned(&sim, |c| c["sub"] = json!(42));
    assert_oauth(
        &sts_error_for(&sim, &t).await,
        401,
        "unauthorized_client",
        "The mapped attribute 'google.subject' must be of type STRING.",
    );

    // A short-lived subject shortens the federated token.
    let t = resigned(&sim, |c| c["exp"] = json!(now() + 600));
    let (status, body) = sts_error_for(&sim, &t).await;
    assert_eq!(status, 200);
    let e = body["expires_in"].as_i64().unwrap();
    assert!((590..=600).contains(&e), "{e}");
}

#[tokio::test]
async fn validation_order_issuer_before_signature_before_audience() {
    let sim = start(Scenario::Healthy).await;
    // Wrong issuer + unknown kid + wrong audience: the issuer is reported.
    let (mut header, mut claims) = valid_parts(&sim);
    header["kid"] = json!("unpublished-kid");
    claims["iss"] = json!("https://example.com/");
    claims["aud"] = json!("api://other");
    let got = sts_error_for(&sim, &sim.sign_jwt(&header, &claims)).await;
    assert!(
        got.1["error_description"]
            .as_str()
            .unwrap()
            .starts_with("The issuer in ID Token https://example.com/ ")
    );
    // Unknown kid + wrong audience + expired: the key is reported.
    let (mut header, mut claims) = valid_parts(&sim);
    header["kid"] = json!("unpublished-kid");
    claims["aud"] = json!("api://other");
    claims["exp"] = json!(now() - 3600);
    let got = sts_error_for(&sim, &sim.sign_jwt(&header, &claims)).await;
    assert_eq!(got.1["error_description"], ISSUER_UNREACHABLE);
    // Wrong audience + expired: the audience is reported.
    let t = resigned(&sim, |c| {
        c["aud"] = json!("api://other");
        c["exp"] = json!(now() - 3600);
    });
    let got = sts_error_for(&sim, &t).await;
    assert!(
        got.1["error_description"]
            .as_str()
            .unwrap()
            .starts_with("The audience in ID Token")
    );
}

// ---------------------------------------------------------------- scenarios

#[tokio::test]
async fn scenario_audience_mismatch() {
    let sim = start(Scenario::AudienceMismatch).await;
    let got = sts_error_for(&sim, &azure_token(&sim).await).await;
    assert_oauth(
        &got,
        400,
        "invalid_grant",
        &format!(
            "The audience in ID Token [{}] does not match the expected audience.",
            sim.app_v1().identifier_uri
        ),
    );
}

#[tokio::test]
async fn scenario_issuer_mismatch() {
    let sim = start(Scenario::IssuerMismatch).await;
    let got = sts_error_for(&sim, &azure_token(&sim).await).await;
    assert_oauth(
        &got,
        400,
        "invalid_grant",
        &format!(
            "The issuer in ID Token {} does not match the expected one in config: {}",
            sim.issuer(TokenVersion::V1),
            sim.issuer(TokenVersion::V2)
        ),
    );
}

#[tokio::test]
async fn scenario_disabled_pool() {
    let sim = start(Scenario::DisabledPool).await;
    let got = sts_error_for(&sim, &azure_token(&sim).await).await;
    assert_oauth(&got, 400, "invalid_target", INVALID_TARGET);
}

#[tokio::test]
async fn scenario_project_id_audience() {
    let sim = start(Scenario::ProjectIdAudience).await;
    let subject = azure_token(&sim).await;
    let aud = sim.google().audience();
    let got = sts_form(&sim, &sts_fields(&aud, &subject, &[])).await;
    assert_oauth(&got, 400, "invalid_target", INVALID_TARGET);
    // The project itself is healthy.
    assert_eq!(sts_error_for(&sim, &subject).await.0, 200);
}

#[tokio::test]
async fn scenario_attribute_condition() {
    let sim = start(Scenario::AttributeCondition).await;
    let got = sts_error_for(&sim, &azure_token(&sim).await).await;
    assert_oauth(
        &got,
        401,
        "unauthorized_client",
        "The given credential is rejected by the attribute condition.",
    );
    // A token from the tenant the condition wants passes.
    let t = resigned(&sim, |c| {
        c["tid"] = json!("00000000-0000-0000-0000-000000000000")
    });
    assert_eq!(sts_error_for(&sim, &t).await.0, 200);
}

#[tokio::test]
async fn scenario_missing_vertex_binding() {
    let sim = start(Scenario::MissingVertexBinding).await;
    let g = sim.google();
    let fed = federated_token(&sim, &g.audience(), &azure_token(&sim).await).await;
    let (status, body) = test_iam(&sim, &fed, "v1", &g.project_id).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({}));
    let got = count_tokens(&sim, &fed).await;
    assert_google(
        &got,
        403,
        "PERMISSION_DENIED",
        "Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/demo-project/locations/us-central1/publishers/google/models/gemini-2.5-flash' (or it may not exist).",
    );
    assert_eq!(
        got.1["error"]["details"][0]["reason"],
        "IAM_PERMISSION_DENIED"
    );
}

#[tokio::test]
async fn scenario_missing_workload_identity_user() {
    let sim = start(Scenario::MissingWorkloadIdentityUser).await;
    let g = sim.google();
    let fed = federated_token(&sim, &g.audience(), &azure_token(&sim).await).await;
    let (status, body) =
        generate_access_token(&sim, &fed, g.service_account.as_deref().unwrap()).await;
    assert_eq!(status, 403);
    assert_eq!(
        body,
        json!({"error": {
            "code": 403,
            "message": "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
            "status": "PERMISSION_DENIED",
            "details": [{
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "IAM_PERMISSION_DENIED",
                "domain": "iam.googleapis.com",
                "metadata": {"permission": "iam.serviceAccounts.getAccessToken"}
            }]
        }})
    );
    // Direct access would still work (the principalSet binding exists).
    assert_eq!(count_tokens(&sim, &fed).await.0, 200);
}

#[tokio::test]
async fn scenario_vertex_disabled() {
    let sim = start(Scenario::VertexDisabled).await;
    let g = sim.google();
    let fed = federated_token(&sim, &g.audience(), &azure_token(&sim).await).await;
    let got = count_tokens(&sim, &fed).await;
    assert_google(
        &got,
        403,
        "PERMISSION_DENIED",
        "Vertex AI API has not been used in project 123456789012 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/aiplatform.googleapis.com/overview?project=123456789012 then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.",
    );
    let info = &got.1["error"]["details"][0];
    assert_eq!(info["@type"], "type.googleapis.com/google.rpc.ErrorInfo");
    assert_eq!(info["reason"], "SERVICE_DISABLED");
    assert_eq!(info["metadata"]["service"], "aiplatform.googleapis.com");
    // IAM is fine: the permission probe still reports the permission.
    let (status, body) = test_iam(&sim, &fed, "v1", &g.project_id).await;
    assert_eq!(status, 200);
    assert_eq!(body["permissions"][0], "aiplatform.endpoints.predict");
}

#[tokio::test]
async fn scenario_expired_token_is_stale_at_sts() {
    let sim = start(Scenario::ExpiredToken).await;
    let subject = azure_token(&sim).await;
    let iat = b64json(subject.split('.').nth(1).unwrap())["iat"]
        .as_i64()
        .unwrap();
    assert_oauth(
        &sts_error_for(&sim, &subject).await,
        400,
        "invalid_grant",
        &format!("ID Token issued at {iat} is stale to sign-in."),
    );
}

#[tokio::test]
async fn scenario_unknown_signing_key_at_sts() {
    let sim = start(Scenario::UnknownSigningKey).await;
    let got = sts_error_for(&sim, &azure_token(&sim).await).await;
    assert_oauth(&got, 400, "invalid_grant", ISSUER_UNREACHABLE);
}

#[tokio::test]
async fn scenario_names_include_google_ones() {
    let names: Vec<String> = Scenario::all().iter().map(|s| s.to_string()).collect();
    for expected in [
        "audience-mismatch",
        "issuer-mismatch",
        "disabled-pool",
        "project-id-audience",
        "attribute-condition",
        "missing-vertex-binding",
        "missing-workload-identity-user",
        "vertex-disabled",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected}");
        let s: Scenario = expected.parse().unwrap();
        assert!(!s.description().is_empty() && !s.description().contains('\n'));
    }
}

// ------------------------------------------------------- Google API errors

#[tokio::test]
async fn google_apis_require_a_known_bearer_token() {
    let sim = start(Scenario::Healthy).await;
    let g = sim.google();
    let resp = https(&sim)
        .post(format!(
            "https://cloudresourcemanager.googleapis.com/v1/projects/{}:testIamPermissions",
            g.project_id
        ))
        .json(&json!({"permissions": ["aiplatform.endpoints.predict"]}))
        .send()
        .await
        .unwrap();
    let got = json_of(resp).await;
    assert_eq!(got.0, 401);
    assert_eq!(got.1["error"]["status"], "UNAUTHENTICATED");
    assert_eq!(
        got.1["error"]["details"][0]["reason"],
        "CREDENTIALS_MISSING"
    );

    // An Azure token is not a Google access token.
    let azure = azure_token(&sim).await;
    for got in [
        test_iam(&sim, &azure, "v1", &g.project_id).await,
        count_tokens(&sim, &azure).await,
        generate_access_token(&sim, &azure, &g.service_account_email).await,
    ] {
        assert_eq!(got.0, 401, "{}", got.1);
        assert!(
            got.1["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("Request had invalid authentication credentials.")
        );
    }
}

#[tokio::test]
async fn google_api_not_found_and_denied_cases() {
    let sim = start(Scenario::Healthy).await;
    let g = sim.google();
    let fed = federated_token(&sim, &g.audience(), &sim.mint_token(TokenVersion::V1)).await;

    let got =
        generate_access_token(&sim, &fed, "nobody@demo-project.iam.gserviceaccount.com").await;
    assert_eq!(got.0, 404, "{}", got.1);
    assert_eq!(got.1["error"]["status"], "NOT_FOUND");

    let got = test_iam(&sim, &fed, "v1", "someone-elses-project").await;
    assert_google(
        &got,
        403,
        "PERMISSION_DENIED",
        "The caller does not have permission",
    );

    let got = count_tokens_at(
        &sim,
        &fed,
        "us-central1-aiplatform.googleapis.com",
        &g.project_id,
        "us-central1",
        "gemini-0.1-nope",
    )
    .await;
    assert_google(
        &got,
        404,
        "NOT_FOUND",
        "Publisher Model `projects/demo-project/locations/us-central1/publishers/google/models/gemini-0.1-nope` not found.",
    );

    // Lifetime over an hour without the org-policy extension.
    let resp = https(&sim)
        .post(format!(
            "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/{}:generateAccessToken",
            g.service_account_email
        ))
        .bearer_auth(&fed)
        .json(&json!({"scope": [CLOUD_PLATFORM], "lifetime": "7200s"}))
        .send()
        .await
        .unwrap();
    let got = json_of(resp).await;
    assert_eq!(got.0, 400);
    assert_eq!(got.1["error"]["status"], "INVALID_ARGUMENT");

    // countTokens with a longer prompt counts more.
    let resp = https(&sim)
        .post(format!(
            "https://us-central1-aiplatform.googleapis.com/v1/projects/{}/locations/us-central1/publishers/google/models/{}:countTokens",
            g.project_id, g.model
        ))
        .bearer_auth(&fed)
        .json(&json!({"contents": [{"role": "user", "parts": [{"text": "hello there, simulator"}]}]}))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(resp).await;
    assert_eq!(status, 200);
    assert_eq!(body["totalBillableCharacters"], 20);
    assert!(body["totalTokens"].as_u64().unwrap() > 1);
}

// ------------------------------------------------------------------ latency

#[tokio::test]
async fn latency_applies_to_google_routes() {
    let latency = Duration::from_millis(250);
    let sim = sim::start(SimOptions {
        latency,
        ..SimOptions::default()
    })
    .await
    .unwrap();
    let subject = sim.mint_token(TokenVersion::V1);
    let g = sim.google();
    let client = https(&sim);
    // Warm the connection so the TLS handshake is not measured.
    let _ = client
        .get("https://sts.googleapis.com/")
        .send()
        .await
        .unwrap();

    let started = Instant::now();
    let fed = federated_token(&sim, &g.audience(), &subject).await;
    assert!(started.elapsed() >= latency);
    let started = Instant::now();
    assert_eq!(count_tokens(&sim, &fed).await.0, 200);
    assert!(started.elapsed() >= latency);

    // Requests are delayed concurrently, not serialised.
    let n: u32 = 8;
    let url = format!(
        "https://cloudresourcemanager.googleapis.com/v1/projects/{}:testIamPermissions",
        g.project_id
    );
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (client, url, fed) = (client.clone(), url.clone(), fed.clone());
        set.spawn(async move {
            client
                .post(url)
                .bearer_auth(fed)
                .json(&json!({"permissions": ["aiplatform.endpoints.predict"]}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
    }
    while let Some(status) = set.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    let elapsed = started.elapsed();
    assert!(elapsed >= latency);
    assert!(elapsed < latency * n / 2, "{elapsed:?}");
}

async fn get_project(
    sim: &Sim,
    bearer: Option<&str>,
    version: &str,
    project: &str,
) -> (u16, Value) {
    let mut req = https(sim).get(format!(
        "https://cloudresourcemanager.googleapis.com/{version}/projects/{project}"
    ));
    if let Some(b) = bearer {
        req = req.bearer_auth(b);
    }
    json_of(req.send().await.unwrap()).await
}

/// `projects.get` as google-auth and google-auth-library call it after the STS exchange
/// (project number from the audience → project ID), in Google's v1 and v3 shapes.
#[tokio::test]
async fn resource_manager_projects_get() {
    let sim = start(Scenario::Healthy).await;
    let g = sim.google();
    let fed = federated_token(&sim, &g.audience(), &azure_token(&sim).await).await;

    for name in [PROJECT_NUMBER, g.project_id.as_str()] {
        let (status, body) = get_project(&sim, Some(&fed), "v1", name).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["projectNumber"], PROJECT_NUMBER);
        assert_eq!(body["projectId"], g.project_id);
        assert_eq!(body["lifecycleState"], "ACTIVE");
        assert!(body["name"].is_string());

        let (status, body) = get_project(&sim, Some(&fed), "v3", name).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["name"], format!("projects/{PROJECT_NUMBER}"));
        assert_eq!(body["projectId"], g.project_id);
        assert_eq!(body["state"], "ACTIVE");
        assert!(body["displayName"].is_string());
    }

    // Unauthenticated: 401; another project: 403 (existence is not revealed).
    let (status, body) = get_project(&sim, None, "v1", PROJECT_NUMBER).await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = get_project(&sim, Some(&fed), "v1", "other-project").await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["status"], "PERMISSION_DENIED");
    let (status, body) = get_project(&sim, Some(&fed), "v3", "999999999999").await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        body["error"]["details"][0]["metadata"]["permission"],
        "resourcemanager.projects.get"
    );
    // Other methods and sub-resources are not routed.
    let resp = https(&sim)
        .delete(format!(
            "https://cloudresourcemanager.googleapis.com/v1/projects/{PROJECT_NUMBER}"
        ))
        .bearer_auth(&fed)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
}

/// Without `roles/aiplatform.user` the federated principal cannot read the project either.
#[tokio::test]
async fn projects_get_denied_without_vertex_binding() {
    let sim = start(Scenario::MissingVertexBinding).await;
    let g = sim.google();
    let fed = federated_token(&sim, &g.audience(), &azure_token(&sim).await).await;
    let (status, body) = get_project(&sim, Some(&fed), "v1", PROJECT_NUMBER).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        body["error"]["message"],
        "The caller does not have permission"
    );
}

async fn count_tokens_v1beta1(sim: &Sim, bearer: &str) -> (u16, Value) {
    let g = sim.google();
    json_of(
        https(sim)
            .post(format!(
                "https://{0}-aiplatform.googleapis.com/v1beta1/projects/{1}/locations/{0}/publishers/google/models/{2}:countTokens",
                g.location, g.project_id, g.model
            ))
            .bearer_auth(bearer)
            .json(&json!({"contents": [{"role": "user", "parts": [{"text": "ping"}]}]}))
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// google-genai calls `v1beta1`: the same answers and the same faults as `v1`.
#[tokio::test]
async fn vertex_v1beta1_count_tokens() {
    let sim = start(Scenario::Healthy).await;
    let g = sim.google();
    let fed = federated_token(&sim, &g.audience(), &azure_token(&sim).await).await;
    let (status, body) = count_tokens_v1beta1(&sim, &fed).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalTokens"], 1);
    assert_eq!(body["totalBillableCharacters"], 4);

    for scenario in [Scenario::VertexDisabled, Scenario::MissingVertexBinding] {
        let sim = start(scenario).await;
        let g = sim.google();
        let fed = federated_token(&sim, &g.audience(), &azure_token(&sim).await).await;
        let (status, body) = count_tokens_v1beta1(&sim, &fed).await;
        assert_eq!(status, 403, "{scenario}: {body}");
        let reason = &body["error"]["details"][0]["reason"];
        let want = if scenario == Scenario::VertexDisabled {
            "SERVICE_DISABLED"
        } else {
            "IAM_PERMISSION_DENIED"
        };
        assert_eq!(reason, want, "{scenario}: {body}");
    }
}
