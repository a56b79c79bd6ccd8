//! Google API errors: impersonation (generateAccessToken), the testIamPermissions probe and
//! Vertex AI.

use wif_doctor::diagnose::{
    Context, Explanation, explain_impersonation, explain_permissions, explain_permissions_error,
    explain_vertex, parse_google_error,
};

#[path = "support/api_context.rs"]
mod api_context;
use api_context::*;

fn google(
    code: u16,
    status: &str,
    message: &str,
    reason: Option<(&str, serde_json::Value)>,
) -> String {
    let mut e = serde_json::json!({"error": {"code": code, "message": message, "status": status}});
    if let Some((reason, metadata)) = reason {
        e["error"]["details"] = serde_json::json!([
            {"@type": "type.googleapis.com/google.rpc.Help", "links": []},
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": "googleapis.com", "metadata": metadata}
        ]);
    }
    e.to_string()
}

fn check(name: &str, e: &Explanation, id: &str, detail: &[&str], fix: &[&str], retryable: bool) {
    assert_eq!(e.id, id, "{name}: {e:#?}");
    for d in detail {
        assert!(
            e.detail.en().contains(d),
            "{name}: detail lacks {d:?}\n{}",
            e.detail
        );
    }
    for f in fix {
        assert!(e.fix.en().contains(f), "{name}: fix lacks {f:?}\n{}", e.fix);
    }
    assert_eq!(e.retryable, retryable, "{name}: retryable");
    assert!(
        !e.summary.is_empty() && !e.summary.en().contains('\n'),
        "{name}"
    );
}

#[test]
fn parses_google_error_shape() {
    let body = google(
        403,
        "PERMISSION_DENIED",
        "IAM Service Account Credentials API has not been used in project 555 before or it is disabled.",
        Some((
            "SERVICE_DISABLED",
            serde_json::json!({"service": "iamcredentials.googleapis.com", "consumer": "projects/555"}),
        )),
    );
    let g = parse_google_error(&body).unwrap();
    assert_eq!(g.code, Some(403));
    assert_eq!(g.status, "PERMISSION_DENIED");
    assert_eq!(g.reason.as_deref(), Some("SERVICE_DISABLED"));
    assert_eq!(
        g.service().as_deref(),
        Some("iamcredentials.googleapis.com")
    );
    assert_eq!(g.consumer_project().as_deref(), Some("555"));
    assert!(g.is_service_disabled());
    // Array form, and non-Google shapes.
    assert!(parse_google_error(&format!("[{body}]")).is_some());
    assert!(parse_google_error(r#"{"error":"invalid_grant"}"#).is_none());
    assert!(parse_google_error("<html>").is_none());
}

#[test]
fn impersonation_errors() {
    let c = ctx();
    // 403 IAM_PERMISSION_DENIED, verbatim from google-sts-wif.md §3.
    let body = r#"{"error":{"code":403,"message":"Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"IAM_PERMISSION_DENIED","domain":"iam.googleapis.com","metadata":{"permission":"iam.serviceAccounts.getAccessToken"}}]}}"#;
    let e = explain_impersonation(403, body, &c);
    check(
        "403 denied",
        &e,
        "impersonation.permission_denied",
        &[
            PRINCIPAL,
            SA,
            "iam.serviceAccounts.getAccessToken",
            "IAM_PERMISSION_DENIED",
            SUB,
        ],
        &[
            &format!(
                "gcloud iam service-accounts add-iam-policy-binding {SA} --project=my-proj --member='{PRINCIPAL}' --role=roles/iam.workloadIdentityUser"
            ),
            "few minutes",
        ],
        false,
    );

    let e = explain_impersonation(
        403,
        &google(
            403,
            "PERMISSION_DENIED",
            "The caller does not have permission",
            None,
        ),
        &c,
    );
    check(
        "403 older wording",
        &e,
        "impersonation.permission_denied",
        &["The caller does not have permission"],
        &["roles/iam.workloadIdentityUser"],
        false,
    );

    // SERVICE_DISABLED: the number comes from the message, not the settings.
    let msg = "IAM Service Account Credentials API has not been used in project 987654321098 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/iamcredentials.googleapis.com/overview?project=987654321098 then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.";
    for body in [
        google(
            403,
            "PERMISSION_DENIED",
            msg,
            Some((
                "SERVICE_DISABLED",
                serde_json::json!({"service": "iamcredentials.googleapis.com", "consumer": "projects/987654321098"}),
            )),
        ),
        google(403, "PERMISSION_DENIED", msg, None),
    ] {
        let e = explain_impersonation(403, &body, &c);
        check(
            "service disabled",
            &e,
            "impersonation.service_disabled",
            &["987654321098", "123456789012"],
            &["gcloud services enable iamcredentials.googleapis.com --project=987654321098"],
            false,
        );
    }

    // 400 with a stray quote in the email.
    let quoted = Context {
        service_account: Some(format!("\"{SA}\"")),
        ..ctx()
    };
    let e = explain_impersonation(
        400,
        &google(
            400,
            "INVALID_ARGUMENT",
            "Request contains an invalid argument.",
            None,
        ),
        &quoted,
    );
    check(
        "400 stray quote",
        &e,
        "impersonation.invalid_argument",
        &[
            &format!("⟨\"{SA}\"⟩"),
            "quotes around it",
            "Request contains an invalid argument.",
        ],
        &[&format!("use exactly {SA}")],
        false,
    );
    let e = explain_impersonation(
        400,
        &google(
            400,
            "INVALID_ARGUMENT",
            "Request contains an invalid argument.",
            None,
        ),
        &c,
    );
    check(
        "400 clean email",
        &e,
        "impersonation.invalid_argument",
        &["looks well-formed"],
        &["scope"],
        false,
    );

    for (msg, want) in [
        (
            "Lifetime of access token must be larger then zero.",
            "date -u",
        ),
        (
            "Service account credentials can not have lifetimes of more than 1 hour. Use the Org Policy Constraint constraints/iam.allowServiceAccountCredentialLifetimeExtension to allow up to 12 hours.",
            "constraints/iam.allowServiceAccountCredentialLifetimeExtension",
        ),
    ] {
        let e = explain_impersonation(400, &google(400, "INVALID_ARGUMENT", msg, None), &c);
        check(
            "lifetime",
            &e,
            "impersonation.lifetime",
            &[msg],
            &["3600s", want],
            false,
        );
    }

    let e = explain_impersonation(
        404,
        &google(
            404,
            "NOT_FOUND",
            &format!("Not found; Gaia id not found for email {SA}"),
            None,
        ),
        &c,
    );
    check(
        "404",
        &e,
        "impersonation.not_found",
        &[SA, "my-proj"],
        &[
            "gcloud iam service-accounts list --project=my-proj",
            "undelete",
        ],
        false,
    );

    let e = explain_impersonation(
        401,
        &google(
            401,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials.",
            None,
        ),
        &c,
    );
    check(
        "401",
        &e,
        "impersonation.unauthenticated",
        &["expired"],
        &["Authorization: Bearer"],
        true,
    );

    let e = explain_impersonation(
        429,
        &google(429, "RESOURCE_EXHAUSTED", "Quota exceeded.", None),
        &c,
    );
    check(
        "429",
        &e,
        "impersonation.rate_limited",
        &["Quota exceeded."],
        &["backoff"],
        true,
    );
    let e = explain_impersonation(503, "<html><title>Unavailable</title></html>", &c);
    check(
        "503",
        &e,
        "impersonation.server_error",
        &["Unavailable"],
        &["Retry"],
        true,
    );
    let e = explain_impersonation(
        409,
        &google(409, "ABORTED", "Something odd happened.", None),
        &c,
    );
    check(
        "unknown",
        &e,
        "impersonation.unknown",
        &["ABORTED", "Something odd happened."],
        &[],
        false,
    );
    let e = explain_impersonation(418, "I'm a teapot", &c);
    check(
        "unknown non-JSON",
        &e,
        "impersonation.unknown",
        &["I'm a teapot", "non-JSON"],
        &["HTTPS_PROXY"],
        false,
    );
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn permissions_probe() {
    let wanted = strings(&[
        "aiplatform.endpoints.predict",
        "aiplatform.models.list",
        "resourcemanager.projects.get",
    ]);
    assert!(explain_permissions(&wanted, &wanted, &direct()).is_none());

    let e = explain_permissions(
        &strings(&["resourcemanager.projects.get"]),
        &wanted,
        &direct(),
    )
    .unwrap();
    check(
        "predict missing",
        &e,
        "permissions.missing",
        &[
            "granted resourcemanager.projects.get",
            "missing aiplatform.endpoints.predict, aiplatform.models.list",
            PRINCIPAL,
        ],
        &[
            &format!(
                "gcloud projects add-iam-policy-binding my-proj --member='{PRINCIPAL_SET}' --role=roles/aiplatform.user"
            ),
            &format!("--member='{PRINCIPAL}' --role=roles/aiplatform.user"),
            "few minutes",
        ],
        false,
    );
    assert!(e.summary.en().contains("aiplatform.endpoints.predict"));
    // Exactly one command per role.
    assert_eq!(
        e.fix.en().matches("--role=roles/aiplatform.user").count(),
        2
    );

    let e = explain_permissions(&[], &wanted, &direct()).unwrap();
    check(
        "nothing granted",
        &e,
        "permissions.missing",
        &["Nothing is granted", "123456789012", SUB],
        &["roles/aiplatform.user", "roles/browser"],
        false,
    );

    let e = explain_permissions(&[], &strings(&["aiplatform.endpoints.predict"]), &ctx()).unwrap();
    check(
        "impersonating",
        &e,
        "permissions.missing",
        &[&format!("serviceAccount:{SA}")],
        &[&format!("--member='serviceAccount:{SA}'"), PRINCIPAL_SET],
        false,
    );

    let e = explain_permissions(&[], &strings(&["storage.objects.get"]), &direct()).unwrap();
    check(
        "unmapped permission",
        &e,
        "permissions.missing",
        &["storage.objects.get"],
        &["storage.objects.get", "permissions-reference"],
        false,
    );
}

#[test]
fn permissions_probe_errors() {
    let c = direct();
    let e = explain_permissions_error(
        401,
        &google(
            401,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
            None,
        ),
        &c,
    );
    check(
        "401",
        &e,
        "permissions.unauthenticated",
        &["Request had invalid authentication credentials"],
        &["Authorization: Bearer"],
        true,
    );

    let body = google(
        403,
        "PERMISSION_DENIED",
        "Cloud Resource Manager API has not been used in project 123456789012 before or it is disabled.",
        Some((
            "SERVICE_DISABLED",
            serde_json::json!({"service": "cloudresourcemanager.googleapis.com", "consumer": "projects/123456789012"}),
        )),
    );
    let e = explain_permissions_error(403, &body, &c);
    check(
        "disabled",
        &e,
        "permissions.service_disabled",
        &["123456789012"],
        &["gcloud services enable cloudresourcemanager.googleapis.com --project=123456789012"],
        false,
    );

    let e = explain_permissions_error(
        403,
        &google(
            403,
            "PERMISSION_DENIED",
            "The caller does not have permission",
            None,
        ),
        &c,
    );
    check(
        "403",
        &e,
        "permissions.permission_denied",
        &["⟨my-proj⟩", "does not exist"],
        &["gcloud projects describe 123456789012 --format='value(projectId)'"],
        false,
    );

    let typo = Context {
        project_id: Some("my-porj".into()),
        ..direct()
    };
    let e = explain_permissions_error(
        404,
        &google(404, "NOT_FOUND", "Requested entity was not found.", None),
        &typo,
    );
    check(
        "404",
        &e,
        "permissions.project_not_found",
        &["⟨my-porj⟩", "typo"],
        &["gcloud projects describe 123456789012 --format='value(projectId)'"],
        false,
    );

    let bad = Context {
        project_id: Some("My Project".into()),
        ..direct()
    };
    let e = explain_permissions_error(
        400,
        &google(
            400,
            "INVALID_ARGUMENT",
            "Request contains an invalid argument.",
            None,
        ),
        &bad,
    );
    check(
        "400",
        &e,
        "permissions.invalid_argument",
        &["⟨My␠Project⟩"],
        &["value(projectId)"],
        false,
    );

    let e = explain_permissions_error(
        429,
        &google(429, "RESOURCE_EXHAUSTED", "Quota exceeded", None),
        &c,
    );
    check("429", &e, "permissions.rate_limited", &[], &[], true);
    let e = explain_permissions_error(500, "", &c);
    check(
        "500",
        &e,
        "permissions.server_error",
        &["(empty body)"],
        &[],
        true,
    );
    let e = explain_permissions_error(409, &google(409, "ABORTED", "odd", None), &c);
    check(
        "unknown",
        &e,
        "permissions.unknown",
        &["ABORTED", "odd"],
        &[],
        false,
    );
}

#[test]
fn vertex_errors() {
    let c = direct();
    let (loc, model) = ("us-central1", "gemini-2.5-flash");
    let msg = "Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/my-proj/locations/us-central1/publishers/google/models/gemini-2.5-flash' (or it may not exist).";
    let body = google(
        403,
        "PERMISSION_DENIED",
        msg,
        Some((
            "IAM_PERMISSION_DENIED",
            serde_json::json!({"permission": "aiplatform.endpoints.predict"}),
        )),
    );
    let e = explain_vertex(403, &body, &c, loc, model);
    check(
        "403 predict",
        &e,
        "vertex.permission_denied",
        &["aiplatform.endpoints.predict", PRINCIPAL, msg],
        &[
            &format!(
                "gcloud projects add-iam-policy-binding my-proj --member='{PRINCIPAL_SET}' --role=roles/aiplatform.user"
            ),
            PRINCIPAL,
        ],
        false,
    );
    // Permission only in the message.
    let e = explain_vertex(
        403,
        &google(403, "PERMISSION_DENIED", msg, None),
        &c,
        loc,
        model,
    );
    assert_eq!(e.id, "vertex.permission_denied");
    assert!(e.summary.en().contains("aiplatform.endpoints.predict"));

    let body = google(
        403,
        "PERMISSION_DENIED",
        "Vertex AI API has not been used in project 123456789012 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/aiplatform.googleapis.com/overview?project=123456789012 then retry.",
        None,
    );
    let e = explain_vertex(403, &body, &c, loc, model);
    check(
        "disabled",
        &e,
        "vertex.service_disabled",
        &["123456789012"],
        &["gcloud services enable aiplatform.googleapis.com --project=123456789012"],
        false,
    );

    let e = explain_vertex(
        404,
        &google(
            404,
            "NOT_FOUND",
            "Publisher Model `projects/my-proj/locations/europe-west9/publishers/google/models/gemini-9-pro` was not found or your project does not have access to it.",
            None,
        ),
        &c,
        "europe-west9",
        "gemini-9-pro",
    );
    check(
        "404",
        &e,
        "vertex.not_found",
        &["⟨gemini-9-pro⟩", "⟨europe-west9⟩", "was not found"],
        &["--model=gemini-2.5-flash --location=us-central1"],
        false,
    );

    let e = explain_vertex(
        401,
        &google(
            401,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
            None,
        ),
        &c,
        loc,
        model,
    );
    check(
        "401",
        &e,
        "vertex.unauthenticated",
        &[
            "Request had invalid authentication credentials",
            "federated",
        ],
        &["--service-account", "roles/iam.workloadIdentityUser"],
        true,
    );

    let e = explain_vertex(
        429,
        &google(
            429,
            "RESOURCE_EXHAUSTED",
            "Quota exceeded for aiplatform.googleapis.com/generate_content_requests_per_minute_per_project_per_base_model with base model: gemini-2.5-flash.",
            None,
        ),
        &c,
        loc,
        model,
    );
    check(
        "429",
        &e,
        "vertex.rate_limited",
        &["generate_content_requests_per_minute"],
        &["backoff", "--location=global"],
        true,
    );

    let e = explain_vertex(
        400,
        &google(
            400,
            "INVALID_ARGUMENT",
            "Request contains an invalid argument.",
            None,
        ),
        &c,
        "us-central1-a",
        model,
    );
    check(
        "400",
        &e,
        "vertex.invalid_argument",
        &["⟨us-central1-a⟩"],
        &["--location=us-central1"],
        false,
    );

    let e = explain_vertex(
        403,
        &google(
            403,
            "PERMISSION_DENIED",
            "This API method requires billing to be enabled.",
            Some((
                "BILLING_DISABLED",
                serde_json::json!({"consumer": "projects/123456789012"}),
            )),
        ),
        &c,
        loc,
        model,
    );
    check(
        "billing",
        &e,
        "vertex.billing_disabled",
        &["requires billing"],
        &["gcloud billing projects link my-proj"],
        false,
    );

    let e = explain_vertex(
        502,
        "<html><title>502 Bad Gateway</title></html>",
        &c,
        loc,
        model,
    );
    check(
        "502",
        &e,
        "vertex.server_error",
        &["502 Bad Gateway"],
        &[],
        true,
    );
    let e = explain_vertex(
        409,
        &google(409, "ABORTED", "Concurrent modification.", None),
        &c,
        loc,
        model,
    );
    check(
        "unknown",
        &e,
        "vertex.unknown",
        &["ABORTED", "Concurrent modification."],
        &[],
        false,
    );
}
