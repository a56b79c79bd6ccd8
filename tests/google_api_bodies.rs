//! One test per entry of the Google API catalogue (`assets/i18n/google_api.toml`), each
//! from a recorded or documented response body; the source is named next to each body.
//! Includes the two misdiagnoses of issue 10: a 401 ACCESS_TOKEN_TYPE_UNSUPPORTED is not an
//! expired token, and a 403 CONSUMER_INVALID naming another project is not a missing binding.

use wif_doctor::diagnose::google_api::google_api_rule_ids;
use wif_doctor::diagnose::{
    Context, Explanation, explain_impersonation, explain_permissions_error, explain_vertex,
};
use wif_doctor::i18n::Lang;

#[path = "support/api_context.rs"]
mod api_context;
use api_context::*;

const LOC: &str = "us-central1";
const MODEL: &str = "gemini-2.5-flash";

fn vertex(status: u16, body: &str, c: &Context) -> Explanation {
    explain_vertex(status, body, c, LOC, MODEL)
}

#[track_caller]
fn check(e: &Explanation, id: &str, detail: &[&str], fix: &[&str], retryable: bool) {
    assert_eq!(e.id, id, "{e:#?}");
    let (d, f) = (e.detail.en(), e.fix.en());
    for x in detail {
        assert!(d.contains(x), "{id}: detail lacks {x:?}\n{d}");
    }
    for x in fix {
        assert!(f.contains(x), "{id}: fix lacks {x:?}\n{f}");
    }
    assert_eq!(e.retryable, retryable, "{id}: retryable");
    let s = e.summary.en();
    assert!(!s.is_empty() && !s.contains('\n'), "{id}: summary {s:?}");
}

fn has_japanese(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'))
}

/// Every rule with texts in the catalogue is exercised below (update both together).
#[test]
fn every_catalogue_entry_has_a_test_here() {
    let tested = [
        "google_api.token_type_unsupported",
        "google_api.token_expired",
        "google_api.consumer_invalid",
        "google_api.project_mismatch",
        "google_api.quota_exceeded",
        "google_api.impersonation.service_disabled",
        "google_api.permissions.service_disabled",
        "google_api.vertex.service_disabled",
        "google_api.vertex.billing_disabled",
        "google_api.impersonation.lifetime",
        "google_api.impersonation.invalid_argument",
        "google_api.impersonation.unauthenticated",
        "google_api.impersonation.permission_denied",
        "google_api.impersonation.not_found",
        "google_api.permissions.invalid_argument",
        "google_api.permissions.unauthenticated",
        "google_api.permissions.permission_denied",
        "google_api.permissions.project_not_found",
        "google_api.vertex.invalid_argument",
        "google_api.vertex.unauthenticated",
        "google_api.vertex.permission_denied",
        "google_api.vertex.not_found",
        "google_api.vertex.rate_limited",
        "google_api.rate_limited",
        "google_api.server_error",
        "google_api.unknown",
    ];
    assert_eq!(google_api_rule_ids(), tested);
}

// Issue 10, misdiagnosis (a). The message is Google's answer from an API that rejects
// federated tokens (reference google-sts-wif.md §4, "If an API rejects federated tokens you
// get 401 …", [doc-ts]); the ErrorInfo reason is google.api.ErrorReason
// ACCESS_TOKEN_TYPE_UNSUPPORTED (googleapis/googleapis google/api/error_reason.proto; the
// enum value is listed in dart-archive/appengine lib/src/grpc_api/dart/google/api/
// error_reason.pbjson.dart), with the service/method metadata that reason documents.
const TOKEN_TYPE_UNSUPPORTED: &str = r#"{"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.","status":"UNAUTHENTICATED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"ACCESS_TOKEN_TYPE_UNSUPPORTED","domain":"googleapis.com","metadata":{"service":"aiplatform.googleapis.com","method":"google.cloud.aiplatform.v1.PredictionService.CountTokens"}}]}}"#;

#[test]
fn token_type_unsupported_is_not_an_expired_token_the_fix_is_impersonation() {
    let c = direct();
    let e = vertex(401, TOKEN_TYPE_UNSUPPORTED, &c);
    check(
        &e,
        "vertex.token_type_unsupported",
        &[
            "ACCESS_TOKEN_TYPE_UNSUPPORTED",
            "aiplatform.googleapis.com",
            PRINCIPAL,
            "not expired",
        ],
        &[
            &format!(
                "gcloud iam service-accounts add-iam-policy-binding '<SERVICE_ACCOUNT_EMAIL>' --project=my-proj --member='{PRINCIPAL}' --role=roles/iam.workloadIdentityUser"
            ),
            "--service-account=<SERVICE_ACCOUNT_EMAIL>",
            "service_account_impersonation_url",
            "wif-doctor config --service-account='<SERVICE_ACCOUNT_EMAIL>' --force",
        ],
        false,
    );
    assert!(!e.summary.en().contains("expired"), "{}", e.summary.en());
    assert!(
        !e.fix.en().to_lowercase().contains("fresh token"),
        "{}",
        e.fix.en()
    );

    // With a service account named, the commands name it.
    let e = explain_permissions_error(401, TOKEN_TYPE_UNSUPPORTED, &ctx());
    check(
        &e,
        "permissions.token_type_unsupported",
        &["ACCESS_TOKEN_TYPE_UNSUPPORTED"],
        &[
            &format!(
                "gcloud iam service-accounts add-iam-policy-binding {SA} --project=my-proj --member='{PRINCIPAL}' --role=roles/iam.workloadIdentityUser"
            ),
            &format!("wif-doctor config --service-account={SA} --force"),
        ],
        false,
    );

    // Japanese: Japanese words, the same values and the same command.
    let e = vertex(401, TOKEN_TYPE_UNSUPPORTED, &ctx());
    let (s, d, f) = (
        e.summary.render(Lang::Ja),
        e.detail.render(Lang::Ja),
        e.fix.render(Lang::Ja),
    );
    assert!(
        has_japanese(&s) && has_japanese(&d) && has_japanese(&f),
        "{s}\n{d}\n{f}"
    );
    assert!(s.contains("サービス アカウントの権限借用"), "{s}");
    assert!(
        d.contains(PRINCIPAL) && d.contains("ACCESS_TOKEN_TYPE_UNSUPPORTED"),
        "{d}"
    );
    assert!(
        f.contains(&format!(
            "gcloud iam service-accounts add-iam-policy-binding {SA} --project=my-proj --member='{PRINCIPAL}' --role=roles/iam.workloadIdentityUser"
        )),
        "{f}"
    );
    assert!(
        f.contains("roles/iam.workloadIdentityUser") && f.contains("IAM ロール"),
        "{f}"
    );
    assert!(!e.summary.en().is_empty() && !has_japanese(&e.detail.en()));
}

#[test]
fn the_same_401_without_errorinfo_lists_its_causes_expiry_first() {
    // Reference google-sts-wif.md §4 (message), without the ErrorInfo detail older answers
    // lack: the cause cannot be told from the body, so every cause is listed, with how to
    // tell them apart.
    let body = r#"{"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.","status":"UNAUTHENTICATED"}}"#;
    let e = vertex(401, body, &ctx());
    check(
        &e,
        "vertex.unauthenticated",
        &[
            "(1) the token expired",
            "(2) this API does not accept federated tokens",
            "ACCESS_TOKEN_TYPE_UNSUPPORTED",
            "reason: (none)",
        ],
        &["fresh token", &format!("--service-account={SA}")],
        true,
    );
    let d = e.detail.en();
    assert!(d.find("(1)") < d.find("(2)"), "{d}");
}

#[test]
fn token_expired() {
    // ErrorInfo verbatim from googleapis/googleapis google/api/error_reason.proto
    // (ACCESS_TOKEN_EXPIRED, "metadata": {}), with the standard 401 message (reference
    // google-sts-wif.md §4).
    let body = r#"{"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.","status":"UNAUTHENTICATED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"ACCESS_TOKEN_EXPIRED","domain":"googleapis.com","metadata":{}}]}}"#;
    let e = explain_permissions_error(401, body, &ctx());
    check(
        &e,
        "permissions.token_expired",
        &["expired", "1 hour", "date -u"],
        &["fresh Azure token"],
        true,
    );
}

// Issue 10, misdiagnosis (b). Shape and metadata as recorded in google-gemini/gemini-cli
// issue #1808 (https://github.com/google-gemini/gemini-cli/issues/1808: "Permission denied on
// resource project jizu_personal.", reason CONSUMER_INVALID, metadata consumer/containerInfo/
// service), with the project the issue names ("My First Project", a display name).
const CONSUMER_INVALID: &str = r#"{"error":{"code":403,"message":"Permission denied on resource project My First Project.","errors":[{"message":"Permission denied on resource project My First Project.","domain":"global","reason":"forbidden"}],"status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"CONSUMER_INVALID","domain":"googleapis.com","metadata":{"service":"aiplatform.googleapis.com","consumer":"projects/My First Project","containerInfo":"My First Project"}},{"@type":"type.googleapis.com/google.rpc.LocalizedMessage","locale":"en-US","message":"Permission denied on resource project My First Project."},{"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":"Google developers console","url":"https://console.developers.google.com"}]}]}}"#;

#[test]
fn consumer_invalid_names_the_project_not_a_missing_binding() {
    let c = direct();
    let e = vertex(403, CONSUMER_INVALID, &c);
    check(
        &e,
        "vertex.consumer_invalid",
        &[
            "not a missing IAM binding",
            "names project My First Project",
            "project ID ⟨my-proj⟩",
            "project number 123456789012",
            "display name",
            "CONSUMER_INVALID",
            "not your project ID setting ⟨my-proj⟩",
            "quota_project_id",
            "My First Project is not a valid project ID",
        ],
        &[
            "gcloud projects describe 123456789012 --format='value(projectId,name)'",
            "--project-id=<that ID>",
        ],
        false,
    );
    let s = e.summary.en();
    assert!(
        s.contains("My First Project") && s.contains("my-proj"),
        "{s}"
    );
    // Not the old diagnosis.
    assert!(
        !e.fix.en().contains("add-iam-policy-binding"),
        "{}",
        e.fix.en()
    );
    assert!(!s.contains("lacks"), "{s}");

    assert!(!e.detail.en().contains("cause (1) is the one"));

    // The display name in the project ID setting itself: cause (1), said so.
    let named_in_settings = Context {
        project_id: Some("My First Project".into()),
        ..direct()
    };
    let e2 = vertex(403, CONSUMER_INVALID, &named_in_settings);
    check(
        &e2,
        "vertex.consumer_invalid",
        &[
            "project ID setting ⟨My␠First␠Project⟩",
            "cause (1) is the one",
        ],
        &["gcloud projects describe 123456789012 --format='value(projectId,name)'"],
        false,
    );

    // The same answer to the permission probe and to impersonation.
    assert_eq!(
        explain_permissions_error(403, CONSUMER_INVALID, &c).id,
        "permissions.consumer_invalid"
    );
    assert_eq!(
        explain_impersonation(403, CONSUMER_INVALID, &ctx()).id,
        "impersonation.consumer_invalid"
    );

    // Japanese: the named project, the configured ID and number, and the command.
    let d = e.detail.render(Lang::Ja);
    let f = e.fix.render(Lang::Ja);
    assert!(has_japanese(&d) && has_japanese(&f), "{d}\n{f}");
    for v in [
        "My First Project",
        "⟨my-proj⟩",
        "123456789012",
        "IAM ポリシー バインディング",
        "プロジェクト番号",
    ] {
        assert!(d.contains(v), "ja detail lacks {v:?}\n{d}");
    }
    assert!(
        f.contains("gcloud projects describe 123456789012 --format='value(projectId,name)'"),
        "{f}"
    );
    assert!(has_japanese(&e.summary.render(Lang::Ja)));
}

#[test]
fn a_message_naming_another_project_is_compared_with_the_settings() {
    // The message as recorded in justlovemaki/AIClient2API issue #375
    // (https://github.com/justlovemaki/AIClient2API/issues/375), in Google's error shape
    // without ErrorInfo.
    let body = r#"{"error":{"code":403,"message":"Permission denied on resource project bright-fuze-cf13c.","status":"PERMISSION_DENIED"}}"#;
    let e = vertex(403, body, &direct());
    check(
        &e,
        "vertex.project_mismatch",
        &[
            "refused the request on project bright-fuze-cf13c",
            "project ID ⟨my-proj⟩",
            "project number 123456789012",
        ],
        &["gcloud projects describe 123456789012", "--project-id"],
        false,
    );
    // Naming the configured project is an ordinary permission denial.
    let own = r#"{"error":{"code":403,"message":"Permission denied on resource project my-proj.","status":"PERMISSION_DENIED"}}"#;
    assert_eq!(vertex(403, own, &direct()).id, "vertex.permission_denied");
}

#[test]
fn quota_exceeded_names_the_quota() {
    // ErrorInfo verbatim from googleapis/googleapis google/api/error_reason.proto
    // (RATE_LIMIT_EXCEEDED, first example); message in the form Google gives with it
    // ("Quota exceeded for quota metric … of service … for consumer …").
    let body = r#"{"error":{"code":429,"message":"Quota exceeded for quota metric 'Read requests' and limit 'Reads per minute per project' of service 'pubsub.googleapis.com' for consumer 'project_number:123'.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED","domain":"googleapis.com","metadata":{"consumer":"projects/123","service":"pubsub.googleapis.com","quota_metric":"pubsub.googleapis.com/read_requests","quota_limit":"ReadsPerMinutePerProject"}}]}}"#;
    let e = vertex(429, body, &direct());
    check(
        &e,
        "vertex.quota_exceeded",
        &[
            "ReadsPerMinutePerProject",
            "pubsub.googleapis.com/read_requests",
            "project 123",
        ],
        &["exponential backoff", "ReadsPerMinutePerProject"],
        true,
    );
    assert!(e.summary.en().contains("123"), "{}", e.summary.en());
}

#[test]
fn impersonation_service_disabled_by_errorinfo_and_by_text() {
    // Message: reference google-sts-wif.md §3 ("IAM Service Account Credentials API has not
    // been used in project <NUMBER> …"); ErrorInfo: error_reason.proto SERVICE_DISABLED.
    let msg = "IAM Service Account Credentials API has not been used in project 555 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/iamcredentials.googleapis.com/overview?project=555 then retry.";
    let with_info = format!(
        r#"{{"error":{{"code":403,"message":"{msg}","status":"PERMISSION_DENIED","details":[{{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"SERVICE_DISABLED","domain":"googleapis.com","metadata":{{"service":"iamcredentials.googleapis.com","consumer":"projects/555"}}}}]}}}}"#
    );
    let text_only =
        format!(r#"{{"error":{{"code":403,"message":"{msg}","status":"PERMISSION_DENIED"}}}}"#);
    for body in [&with_info, &text_only] {
        let e = explain_impersonation(403, body, &ctx());
        check(
            &e,
            "impersonation.service_disabled",
            &[
                "project 555",
                "number 123456789012",
                "The error names project 555; your settings say project ID my-proj, project number 123456789012.",
            ],
            &["gcloud services enable iamcredentials.googleapis.com --project=555"],
            false,
        );
    }
}

#[test]
fn permissions_service_disabled() {
    // Reference google-sts-wif.md §7.1 ("403 SERVICE_DISABLED ⇒ enable
    // cloudresourcemanager.googleapis.com") with the §3 message form and the
    // error_reason.proto ErrorInfo.
    let body = r#"{"error":{"code":403,"message":"Cloud Resource Manager API has not been used in project 123456789012 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/cloudresourcemanager.googleapis.com/overview?project=123456789012 then retry.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"SERVICE_DISABLED","domain":"googleapis.com","metadata":{"service":"cloudresourcemanager.googleapis.com","consumer":"projects/123456789012"}}]}}"#;
    let e = explain_permissions_error(403, body, &ctx());
    check(
        &e,
        "permissions.service_disabled",
        &["cloudresourcemanager.googleapis.com", "123456789012"],
        &["gcloud services enable cloudresourcemanager.googleapis.com --project=123456789012"],
        false,
    );
    // The project is the configured one: no comparison sentence.
    assert!(
        !e.detail.en().contains("The error names project"),
        "{}",
        e.detail.en()
    );
}

#[test]
fn vertex_service_disabled() {
    // Reference google-sts-wif.md §7.4 ("403 SERVICE_DISABLED \"Vertex AI API has not been
    // used in project … before or it is disabled\"").
    let body = r#"{"error":{"code":403,"message":"Vertex AI API has not been used in project my-proj before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/aiplatform.googleapis.com/overview?project=my-proj then retry.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"SERVICE_DISABLED","domain":"googleapis.com","metadata":{"service":"aiplatform.googleapis.com","consumer":"projects/my-proj"}}]}}"#;
    let e = vertex(403, body, &direct());
    check(
        &e,
        "vertex.service_disabled",
        &["aiplatform.googleapis.com", "my-proj"],
        &["gcloud services enable aiplatform.googleapis.com --project=my-proj"],
        false,
    );
}

#[test]
fn vertex_billing_disabled() {
    // Message as recorded in pgmichael/wavenet-for-chrome issue #83
    // (https://github.com/pgmichael/wavenet-for-chrome/issues/83); ErrorInfo from
    // error_reason.proto BILLING_DISABLED.
    let body = r#"{"error":{"code":403,"message":"This API method requires billing to be enabled. Please enable billing on project #58906374421 by visiting https://console.developers.google.com/billing/enable?project=58906374421 then retry. If you enabled billing for this project recently, wait a few minutes for the action to propagate to our systems and retry.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"BILLING_DISABLED","domain":"googleapis.com","metadata":{"consumer":"projects/58906374421","service":"aiplatform.googleapis.com"}}]}}"#;
    let e = vertex(403, body, &direct());
    check(
        &e,
        "vertex.billing_disabled",
        &["billing account"],
        &["gcloud billing projects link my-proj --billing-account=<BILLING_ACCOUNT_ID>"],
        false,
    );
}

#[test]
fn impersonation_lifetime() {
    // Both messages from reference google-sts-wif.md §3 ([meas]).
    let clock = r#"{"error":{"code":400,"message":"Lifetime of access token must be larger then zero.","status":"INVALID_ARGUMENT"}}"#;
    let e = explain_impersonation(400, clock, &ctx());
    check(
        &e,
        "impersonation.lifetime",
        &["local clock"],
        &["date -u", "3600s"],
        false,
    );
    let long = r#"{"error":{"code":400,"message":"Service accounts can not have lifetimes of more than 1 hour. Use the Org Policy Constraint constraints/iam.allowServiceAccountCredentialLifetimeExtension to allow up to 12 hours.","status":"INVALID_ARGUMENT"}}"#;
    let e = explain_impersonation(400, long, &ctx());
    check(
        &e,
        "impersonation.lifetime",
        &["12 hours"],
        &[&format!(
            "gcloud resource-manager org-policies allow constraints/iam.allowServiceAccountCredentialLifetimeExtension {SA} --organization=<ORG_ID>"
        )],
        false,
    );
    assert!(!e.fix.en().contains("date -u"));
}

#[test]
fn impersonation_invalid_argument() {
    // Reference google-sts-wif.md §3: 400 INVALID_ARGUMENT "Request contains an invalid
    // argument." (bad SA email, e.g. a stray quote; [issues] google-github-actions/auth#139).
    let body = r#"{"error":{"code":400,"message":"Request contains an invalid argument.","status":"INVALID_ARGUMENT"}}"#;
    let e = explain_impersonation(400, body, &ctx());
    check(
        &e,
        "impersonation.invalid_argument",
        &["looks well-formed", "INVALID_ARGUMENT"],
        &[&format!("gcloud iam service-accounts describe {SA}")],
        false,
    );
    let quoted = Context {
        service_account: Some(format!("\"{SA}\"")),
        ..ctx()
    };
    let e = explain_impersonation(400, body, &quoted);
    check(
        &e,
        "impersonation.invalid_argument",
        &["quotes"],
        &[SA],
        false,
    );
}

#[test]
fn impersonation_unauthenticated() {
    // Reference google-sts-wif.md §4 (the 401 message), sent to generateAccessToken.
    let body = r#"{"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.","status":"UNAUTHENTICATED"}}"#;
    let e = explain_impersonation(401, body, &ctx());
    check(
        &e,
        "impersonation.unauthenticated",
        &["STS token expired"],
        &["Authorization: Bearer"],
        true,
    );
}

#[test]
fn impersonation_permission_denied() {
    // Verbatim from reference google-sts-wif.md §3 (403 IAM_PERMISSION_DENIED).
    let body = r#"{"error":{"code":403,"message":"Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"IAM_PERMISSION_DENIED","domain":"iam.googleapis.com","metadata":{"permission":"iam.serviceAccounts.getAccessToken"}}]}}"#;
    let e = explain_impersonation(403, body, &ctx());
    check(
        &e,
        "impersonation.permission_denied",
        &[PRINCIPAL, "iam.serviceAccounts.getAccessToken", SUB],
        &[&format!(
            "gcloud iam service-accounts add-iam-policy-binding {SA} --project=my-proj --member='{PRINCIPAL}' --role=roles/iam.workloadIdentityUser"
        )],
        false,
    );
    // Japanese: the principal and the command survive.
    let f = e.fix.render(Lang::Ja);
    assert!(has_japanese(&f) && f.contains(PRINCIPAL), "{f}");
}

#[test]
fn impersonation_not_found() {
    // google/rpc/code.proto NOT_FOUND (HTTP 404) in Google's JSON error shape; the message
    // is Google's generic one, not a recorded generateAccessToken body.
    let body = r#"{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND"}}"#;
    let e = explain_impersonation(404, body, &ctx());
    check(
        &e,
        "impersonation.not_found",
        &["project my-proj"],
        &["gcloud iam service-accounts list --project=my-proj --format='value(email)'"],
        false,
    );
}

#[test]
fn permissions_invalid_argument() {
    // Same INVALID_ARGUMENT body as above (reference google-sts-wif.md §3), to the probe with
    // the project number in the project ID setting.
    let body = r#"{"error":{"code":400,"message":"Request contains an invalid argument.","status":"INVALID_ARGUMENT"}}"#;
    let c = Context {
        project_id: Some("123456789012".into()),
        ..ctx()
    };
    let e = explain_permissions_error(400, body, &c);
    check(
        &e,
        "permissions.invalid_argument",
        &["⟨123456789012⟩"],
        &["gcloud projects describe 123456789012 --format='value(projectId)'"],
        false,
    );
}

#[test]
fn permissions_unauthenticated() {
    // Reference google-sts-wif.md §7.1 ("401 ⇒ token not accepted") with the §4 message.
    let body = r#"{"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.","status":"UNAUTHENTICATED"}}"#;
    let e = explain_permissions_error(401, body, &ctx());
    check(
        &e,
        "permissions.unauthenticated",
        &["expired"],
        &["Authorization: Bearer"],
        true,
    );
}

#[test]
fn permissions_permission_denied() {
    // Reference google-sts-wif.md §3: 403 "The caller does not have permission" (older /
    // alternate form; [issues] metro-digital/terraform-google-cf-projectcfg#39).
    let body = r#"{"error":{"code":403,"message":"The caller does not have permission","status":"PERMISSION_DENIED"}}"#;
    let e = explain_permissions_error(403, body, &ctx());
    check(
        &e,
        "permissions.permission_denied",
        &["⟨my-proj⟩", "123456789012"],
        &["gcloud projects describe 123456789012"],
        false,
    );
}

#[test]
fn permissions_project_not_found() {
    // google/rpc/code.proto NOT_FOUND in Google's JSON error shape (generic message).
    let body = r#"{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND"}}"#;
    let e = explain_permissions_error(404, body, &ctx());
    check(
        &e,
        "permissions.project_not_found",
        &["⟨my-proj⟩", "display name"],
        &["gcloud projects list"],
        false,
    );
}

#[test]
fn vertex_invalid_argument() {
    // The INVALID_ARGUMENT body (reference google-sts-wif.md §3), for a zone as location.
    let body = r#"{"error":{"code":400,"message":"Request contains an invalid argument.","status":"INVALID_ARGUMENT"}}"#;
    let e = explain_vertex(400, body, &direct(), "us-central1-a", MODEL);
    check(
        &e,
        "vertex.invalid_argument",
        &["⟨us-central1-a⟩", "zone"],
        &["--model=gemini-2.5-flash --location=us-central1"],
        false,
    );
}

#[test]
fn vertex_permission_denied() {
    // Reference google-sts-wif.md §7.4 ("403 PERMISSION_DENIED \"Permission
    // 'aiplatform.endpoints.predict' denied on resource …\""), with the IAM_PERMISSION_DENIED
    // ErrorInfo of §3.
    let body = r#"{"error":{"code":403,"message":"Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/my-proj/locations/us-central1/publishers/google/models/gemini-2.5-flash' (or it may not exist).","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"IAM_PERMISSION_DENIED","domain":"aiplatform.googleapis.com","metadata":{"permission":"aiplatform.endpoints.predict","resource":"projects/my-proj/locations/us-central1/publishers/google/models/gemini-2.5-flash"}}]}}"#;
    let e = vertex(403, body, &direct());
    check(
        &e,
        "vertex.permission_denied",
        &["aiplatform.endpoints.predict", PRINCIPAL],
        &[
            "gcloud projects add-iam-policy-binding my-proj",
            "roles/aiplatform.user",
            "few minutes",
        ],
        false,
    );
}

#[test]
fn vertex_not_found() {
    // As recorded in google/adk-python issue #833
    // (https://github.com/google/adk-python/issues/833), with this test's project and model.
    let body = r#"{"error":{"code":404,"message":"Publisher Model `projects/my-proj/locations/us-central1/publishers/google/models/gemini-9` not found.","status":"NOT_FOUND"}}"#;
    let e = explain_vertex(404, body, &direct(), LOC, "gemini-9");
    check(
        &e,
        "vertex.not_found",
        &["⟨gemini-9⟩", "⟨us-central1⟩"],
        &["--model=gemini-2.5-flash"],
        false,
    );
}

#[test]
fn vertex_rate_limited() {
    // As recorded in continuedev/continue issue #8967
    // (https://github.com/continuedev/continue/issues/8967).
    let body = r#"[{"error":{"code":429,"message":"Resource exhausted. Please try again later. Please refer to https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details.","status":"RESOURCE_EXHAUSTED"}}]"#;
    let e = vertex(429, body, &direct());
    check(
        &e,
        "vertex.rate_limited",
        &["RESOURCE_EXHAUSTED"],
        &["--location=global"],
        true,
    );
}

#[test]
fn rate_limited() {
    // As recorded in googleapis/js-genai issue #1840
    // (https://github.com/googleapis/js-genai/issues/1840), answered here by iamcredentials.
    let body = r#"{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}"#;
    let e = explain_impersonation(429, body, &ctx());
    check(
        &e,
        "impersonation.rate_limited",
        &["quota"],
        &["exponential backoff"],
        true,
    );
}

#[test]
fn server_error() {
    // google/rpc/code.proto UNAVAILABLE (HTTP 503) in Google's JSON error shape.
    let body = r#"{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}"#;
    let e = explain_permissions_error(503, body, &ctx());
    check(
        &e,
        "permissions.server_error",
        &["Google's side", "UNAVAILABLE"],
        &["status.cloud.google.com"],
        true,
    );
}

#[test]
fn unknown() {
    // A proxy's HTML page instead of Google's JSON (no Google body at all).
    let e = vertex(
        407,
        "<html><body>Proxy Authentication Required</body></html>",
        &direct(),
    );
    check(
        &e,
        "vertex.unknown",
        &["non-JSON", "Proxy Authentication Required"],
        &["HTTPS_PROXY"],
        false,
    );
    // A Google body no rule knows: its words are quoted.
    let body = r#"{"error":{"code":409,"message":"Already exists","status":"ALREADY_EXISTS"}}"#;
    let e = vertex(409, body, &direct());
    check(
        &e,
        "vertex.unknown",
        &["ALREADY_EXISTS", "Already exists"],
        &[],
        false,
    );
    assert!(has_japanese(&e.detail.render(Lang::Ja)));
}

#[test]
fn every_entry_has_a_summary_detail_and_fix_in_both_languages() {
    for id in google_api_rule_ids() {
        for part in ["summary", "detail", "fix"] {
            let key = format!("{id}.{part}");
            let t = wif_doctor::i18n::lookup(&key).unwrap_or_else(|| panic!("{key} missing"));
            assert!(t.en.is_some() && t.ja.is_some(), "{key}");
        }
    }
}

#[test]
fn structure_is_read_before_the_message_text() {
    // The IAM_PERMISSION_DENIED body of reference google-sts-wif.md §7.4 with a message that
    // happens to mention billing: the reason decides, not the word.
    let body = r#"{"error":{"code":403,"message":"Permission 'aiplatform.endpoints.predict' denied on resource (or it may not exist); see billing docs.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"IAM_PERMISSION_DENIED","domain":"aiplatform.googleapis.com","metadata":{"permission":"aiplatform.endpoints.predict"}}]}}"#;
    assert_eq!(vertex(403, body, &direct()).id, "vertex.permission_denied");
    // SERVICE_DISABLED is known by its reason even when the message words differ
    // (ErrorInfo from error_reason.proto).
    let body = r#"{"error":{"code":403,"message":"Vertex AI API is not enabled.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"SERVICE_DISABLED","domain":"googleapis.com","metadata":{"service":"aiplatform.googleapis.com","consumer":"projects/123456789012"}}]}}"#;
    let e = vertex(403, body, &direct());
    assert_eq!(e.id, "vertex.service_disabled");
    assert!(
        e.fix
            .en()
            .contains("gcloud services enable aiplatform.googleapis.com --project=123456789012"),
        "{}",
        e.fix.en()
    );
}
