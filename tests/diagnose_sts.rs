//! Table-driven tests for the STS error catalogue (`assets/i18n/sts.toml`), with the verbatim
//! error texts from /work/shared/reference/google-sts-wif.md (§2.4 unless a case names
//! another section); every case names its source. Each case is checked in English (the
//! actual values and the exact commands) and in Japanese (Japanese text that still names the
//! same values and commands).

mod common;
use common::{World, finding, set};
use std::collections::BTreeSet;
use wif_doctor::diagnose::{Context, Explanation, catalogue_ids, explain_sts};
use wif_doctor::i18n::{Lang, Text, has_key};
use wif_doctor::jwt::{TokenVersion, format_utc};

const NOW: i64 = 1_795_863_600; // 2026-11-28 11:00:00 UTC
const TID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUB: &str = "5d1a2b3c-1111-4222-8333-44445555abcd";
const AUD: &str = "api://wif-app";
const EXPECTED_AUD: &str = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/providers/azure-mi";
const UPDATE: &str = "gcloud iam workload-identity-pools providers update-oidc azure-mi --project=my-proj --location=global --workload-identity-pool=azure-pool";

fn v1() -> String {
    format!("https://sts.windows.net/{TID}/")
}
fn v2() -> String {
    format!("https://login.microsoftonline.com/{TID}/v2.0")
}

fn ctx() -> Context {
    Context {
        token_iss: Some(v1()),
        token_aud: vec![AUD.into()],
        token_sub: Some(SUB.into()),
        token_tid: Some(TID.into()),
        token_iat: Some(NOW - 3_600),
        token_exp: Some(NOW + 82_800),
        token_version: Some(TokenVersion::V1),
        project_number: Some("123456789012".into()),
        project_id: Some("my-proj".into()),
        pool: Some("azure-pool".into()),
        provider: Some("azure-mi".into()),
        service_account: None,
        resource: Some(AUD.into()),
        audience: None,
        now: NOW,
    }
}

fn oauth(error: &str, description: &str) -> String {
    serde_json::json!({"error": error, "error_description": description}).to_string()
}

struct Case {
    name: &'static str,
    /// Where the body comes from (reference file and section, and its upstream source).
    source: &'static str,
    status: u16,
    body: String,
    ctx: Context,
    id: &'static str,
    detail: Vec<String>,
    fix: Vec<String>,
    retryable: bool,
}

fn case(name: &'static str, status: u16, body: String, id: &'static str) -> Case {
    Case {
        name,
        source: "",
        status,
        body,
        ctx: ctx(),
        id,
        detail: vec![],
        fix: vec![],
        retryable: false,
    }
}

impl Case {
    fn src(mut self, source: &'static str) -> Self {
        self.source = source;
        self
    }
    fn ctx(mut self, f: impl FnOnce(&mut Context)) -> Self {
        f(&mut self.ctx);
        self
    }
    fn detail(mut self, parts: &[&str]) -> Self {
        self.detail.extend(parts.iter().map(|s| s.to_string()));
        self
    }
    fn fix(mut self, parts: &[&str]) -> Self {
        self.fix.extend(parts.iter().map(|s| s.to_string()));
        self
    }
    fn retryable(mut self) -> Self {
        self.retryable = true;
        self
    }
}

const AUDIENCE_FORMAT: &str = "Invalid value for \"audience\". This value should be the full resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats.";
const INVALID_TARGET: &str = "The target service indicated by the \"audience\" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn't exist.";
const SUBJECT_TOO_LONG: &str = "The size of mapped attribute google.subject exceeds the 127 bytes limit. Either modify your attribute mapping or the incoming assertion to produce a mapped attribute that is less than 127 bytes.";

fn cases() -> Vec<Case> {
    let v1 = v1();
    let v2 = v2();
    let other_tid = "0b1c2d3e-aaaa-4bbb-8ccc-ddddeeeeffff";
    let long_sub = format!("/eid1/c/pub/t/{}", "x".repeat(130));
    vec![
        case("audience pool only", 400, oauth("invalid_request", AUDIENCE_FORMAT), "sts.audience_format")
            .src("google-sts-wif.md §2.4 row invalid_request/Invalid value for \"audience\"; body verbatim in https://github.com/google-github-actions/auth/issues/211; a pool instead of the provider: https://github.com/google-github-actions/auth/issues/60")
            .ctx(|c| c.audience = Some("https://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool".into()))
            .detail(&["https://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool", "names the pool only", "https:"])
            .fix(&[EXPECTED_AUD, "wif-doctor config --force"]),
        case("audience project id", 400, oauth("invalid_request", AUDIENCE_FORMAT), "sts.audience_format")
            .src("google-sts-wif.md §2.4 row invalid_request/Invalid value for \"audience\" ([issues] google-github-actions/auth#521)")
            .ctx(|c| c.audience = Some("//iam.googleapis.com/projects/my-proj/locations/global/workloadIdentityPools/azure-pool/providers/azure-mi".into()))
            .detail(&["⟨my-proj⟩", "project number"])
            .fix(&[EXPECTED_AUD]),
        case("audience for another universe", 400, oauth("invalid_request", AUDIENCE_FORMAT), "sts.audience_format")
            .src("https://github.com/google-github-actions/auth/issues/521 (audience //iam.apis-berlin-build0.goog/…, body verbatim); google-sts-wif.md §2.4 (wrong universe host)")
            .ctx(|c| c.audience = Some("//iam.apis-berlin-build0.goog/projects/1234567890/locations/global/workloadIdentityPools/cicd-0/providers/github-default".into()))
            .detail(&["//iam.apis-berlin-build0.goog/projects/1234567890/locations/global/workloadIdentityPools/cicd-0/providers/github-default"])
            .fix(&[EXPECTED_AUD]),
        case("audience is an attribute principal path", 400, oauth("invalid_request", AUDIENCE_FORMAT), "sts.audience_format")
            .src("https://github.com/google-github-actions/setup-gcloud/issues/546 (workload_identity_provider …/workloadIdentityPools/github/attribute.repository/…)")
            .ctx(|c| c.audience = Some("//iam.googleapis.com/projects/1234567890/locations/global/workloadIdentityPools/github/attribute.repository/my-org/my-repo".into()))
            .detail(&["//iam.googleapis.com/projects/1234567890/locations/global/workloadIdentityPools/github/attribute.repository/my-org/my-repo"])
            .fix(&[EXPECTED_AUD, "wif-doctor config --force"]),
        case("invalid target, project ID as number", 400, oauth("invalid_target", INVALID_TARGET), "sts.invalid_target")
            .src("google-sts-wif.md §2.4 row invalid_target ([issues] google-github-actions/auth#333: project ID instead of number)")
            .ctx(|c| c.project_number = Some("my-proj".into()))
            .detail(&["First: the project number setting ⟨my-proj⟩ is not a number", "disabled, deleted"])
            .fix(&["gcloud projects describe my-proj --format='value(projectNumber)'"]),
        case("invalid target", 400, oauth("invalid_target", INVALID_TARGET), "sts.invalid_target")
            .src("google-sts-wif.md §2.4 row invalid_target; body verbatim in https://github.com/google-github-actions/auth/issues/334 (duplicate of #333); [meas] disabled provider")
            .detail(&[EXPECTED_AUD, "azure-pool", "azure-mi", "123456789012"])
            .fix(&[
                "gcloud iam workload-identity-pools providers describe azure-mi --project=my-proj --location=global --workload-identity-pool=azure-pool --format=json",
                "gcloud iam workload-identity-pools describe azure-pool --project=my-proj --location=global",
                "undelete azure-mi",
                "--no-disabled",
            ]),
        case("audience mismatch", 400, oauth("invalid_grant", &format!("The audience in ID Token [{AUD}] does not match the expected audience.")), "sts.audience_mismatch")
            .src("google-sts-wif.md §2.4 row invalid_grant/The audience in ID Token ([meas])")
            .detail(&["Token `aud`: api://wif-app", EXPECTED_AUD, "https://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/providers/azure-mi"])
            .fix(&[&format!("{UPDATE} --allowed-audiences='api://wif-app'")]),
        case("audience mismatch, v2 GUID", 400, oauth("invalid_grant", "The audience in ID Token [11112222-3333-4444-5555-666677778888] does not match the expected audience."), "sts.audience_mismatch")
            .src("google-sts-wif.md §2.4 row invalid_grant/The audience in ID Token ([meas]; v2 aud = client ID GUID)")
            .ctx(|c| {
                c.token_aud = vec!["11112222-3333-4444-5555-666677778888".into()];
                c.token_iss = Some(v2.clone());
                c.token_version = Some(TokenVersion::V2);
            })
            .detail(&["11112222-3333-4444-5555-666677778888", "v2 token", "client ID"])
            .fix(&["--allowed-audiences='11112222-3333-4444-5555-666677778888'"]),
        case("audience mismatch, token unknown, aud from the error", 400, oauth("invalid_grant", "The audience in ID Token [https://management.azure.com/] does not match the expected audience."), "sts.audience_mismatch")
            .src("google-sts-wif.md §2.4 row invalid_grant/The audience in ID Token ([meas]); seed-procedure.md (resource https://management.azure.com/)")
            .ctx(|c| { c.token_aud.clear(); c.token_version = None; c.resource = None; })
            .detail(&["https://management.azure.com/", "control-plane"])
            .fix(&["--allowed-audiences='https://management.azure.com/'"]),
        case("audience mismatch, no aud", 400, oauth("invalid_grant", "The audience in ID Token [] does not match the expected audience."), "sts.audience_mismatch")
            .src("google-sts-wif.md §2.4 row invalid_grant/The audience in ID Token ([meas]: `[]` means no aud)")
            .ctx(|c| c.token_aud.clear())
            .detail(&["no `aud` claim"]),
        case("audience mismatch, resource differs", 400, oauth("invalid_grant", "The audience in ID Token [api://wif-app] does not match the expected audience."), "sts.audience_mismatch")
            .src("google-sts-wif.md §2.4 row invalid_grant/The audience in ID Token ([meas]: v1 aud is the resource exactly as requested)")
            .ctx(|c| c.resource = Some("api://wif-app/".into()))
            .detail(&["⟨api://wif-app/⟩", "⟨api://wif-app⟩"]),
        case("issuer v1 token, v2 provider", 400, oauth("invalid_grant", &format!("The issuer in ID Token {v1} does not match the expected one in config: {v2}")), "sts.issuer_mismatch")
            .src("google-sts-wif.md §2.4 row invalid_grant/The issuer in ID Token ([meas]; [gha] TROUBLESHOOTING)")
            .detail(&[&format!("Token `iss`: {v1}"), &format!("Provider issuer URI: {v2}"), "Version mismatch", "v1.0 token", "v2.0 issuer"])
            .fix(&[&format!("{UPDATE} --issuer-uri='{v1}'"), "requestedAccessTokenVersion=2"]),
        case("issuer v2 token, v1 provider (older wording)", 400, oauth("invalid_grant", &format!("The issuer in ID Token {v2} does not match the expected ones: https://sts.windows.net/{TID}")), "sts.issuer_mismatch")
            .src("google-sts-wif.md §2.4 row invalid_grant/The issuer in ID Token, older wording `does not match the expected ones`")
            .ctx(|c| { c.token_iss = Some(v2.clone()); c.token_version = Some(TokenVersion::V2); })
            .detail(&[&v2, &format!("https://sts.windows.net/{TID}"), "Version mismatch"])
            .fix(&[&format!("--issuer-uri='{v2}'"), "requestedAccessTokenVersion=1"]),
        case("issuer tenant mismatch", 400, oauth("invalid_grant", &format!("The issuer in ID Token {v1} does not match the expected one in config: https://sts.windows.net/{other_tid}")), "sts.issuer_mismatch")
            .src("google-sts-wif.md §2.4 row invalid_grant/The issuer in ID Token ([meas])")
            .detail(&["Tenant mismatch", TID, other_tid])
            .fix(&[&format!("--issuer-uri='{v1}'")]),
        case("issuer null", 400, oauth("invalid_grant", &format!("The issuer in ID Token null does not match the expected one in config: https://sts.windows.net/{TID}")), "sts.issuer_mismatch")
            .src("google-sts-wif.md §2.4 row invalid_grant/The issuer in ID Token (`null` = no iss)")
            .ctx(|c| c.token_iss = None)
            .detail(&["no `iss` claim"]),
        case("stale, expired", 400, oauth("invalid_grant", &format!("ID Token issued at {} is stale to sign-in.", NOW - 90_000)), "sts.token_stale")
            .src("google-sts-wif.md §2.4 row invalid_grant/ID Token issued at ([meas]); §2.5 skew ≈ 60 s")
            .ctx(|c| { c.token_iat = Some(NOW - 90_000); c.token_exp = Some(NOW - 3_600); })
            .detail(&[&format_utc(NOW - 90_000), &format_utc(NOW - 3_600), "expired 1 h ago", "60 s"])
            .fix(&["fresh token", "date -u"])
            .retryable(),
        case("stale, clock", 400, oauth("invalid_grant", &format!("ID Token issued at {} is stale to sign-in.", NOW - 3_600)), "sts.token_stale")
            .src("google-sts-wif.md §2.4 row invalid_grant/ID Token issued at (code-index reports: old but unexpired Entra tokens)")
            .detail(&["still valid", "clock", &format_utc(NOW - 3_600)])
            .retryable(),
        case("stale, iat null", 400, oauth("invalid_grant", "ID Token issued at null is stale to sign-in."), "sts.token_stale")
            .src("google-sts-wif.md §2.4 row invalid_grant/ID Token issued at (`issued at null`)")
            .ctx(|c| { c.token_iat = None; c.token_exp = None; })
            .detail(&["iat=null", "no iat claim"])
            .retryable(),
        case("signature", 400, oauth("invalid_grant", "Unable to verify the ID Token signature."), "sts.signature_invalid")
            .src("google-sts-wif.md §2.4 row invalid_grant/Unable to verify the ID Token signature ([meas])")
            .detail(&["Unable to verify the ID Token signature."])
            .fix(&["https://login.microsoftonline.com/common/discovery/keys", "jwksJson"]),
        case("signature, graph token", 400, oauth("invalid_grant", "Unable to verify the ID Token signature."), "sts.signature_invalid")
            .src("google-sts-wif.md §2.4 row invalid_grant/Unable to verify the ID Token signature ([meas]); Graph tokens: azure-managed-identity.md")
            .ctx(|c| c.token_aud = vec!["https://graph.microsoft.com".into()])
            .detail(&["Microsoft Graph (https://graph.microsoft.com)"]),
        case("issuer unreachable", 400, oauth("invalid_grant", "Error connecting to the given credential's issuer."), "sts.issuer_unreachable")
            .src("google-sts-wif.md §2.4 row invalid_grant/Error connecting to the given credential's issuer ([doc-ts]; [meas])")
            .detail(&[&format!("https://sts.windows.net/{TID}/.well-known/openid-configuration")])
            .fix(&[&format!("curl -sS https://sts.windows.net/{TID}/.well-known/openid-configuration")]),
        case("issuer unreachable, not entra", 400, oauth("invalid_grant", "Error connecting to the given credential's issuer."), "sts.issuer_unreachable")
            .src("google-sts-wif.md §2.4 row invalid_grant/Error connecting to the given credential's issuer ([doc-ts]: not public)")
            .ctx(|c| c.token_iss = Some("https://issuer.example.internal".into()))
            .detail(&["⟨https://issuer.example.internal⟩ is not a Microsoft Entra ID issuer"]),
        case("attribute condition", 400, oauth("unauthorized_client", "The given credential is rejected by the attribute condition."), "sts.attribute_condition")
            .src("google-sts-wif.md §2.4 row unauthorized_client/attribute condition ([issues] circleci/circleci-docs#8541; [meas])")
            .detail(&[TID, SUB])
            .fix(&[&format!("assertion.tid=='{TID}' && assertion.sub=='{SUB}'"), &format!("{UPDATE} --attribute-condition=\"assertion.tid=='{TID}' && assertion.sub=='{SUB}'\"")]),
        case("subject not a string", 400, oauth("unauthorized_client", "The mapped attribute 'google.subject' must be of type STRING."), "sts.subject_not_string")
            .src("google-sts-wif.md §2.4 row unauthorized_client/google.subject STRING ([issues] google-github-actions/auth#378)")
            .detail(&[SUB])
            .fix(&[&format!("{UPDATE} --attribute-mapping='google.subject=assertion.sub,attribute.subject=assertion.sub'")]),
        case("subject too long", 400, oauth("invalid_request", SUBJECT_TOO_LONG), "sts.subject_too_long")
            .src("google-sts-wif.md §2.4 row invalid_request/size of mapped attribute ([doc-ts], [doc-clouds], [gha])")
            .ctx(|c| c.token_sub = Some(long_sub.clone()))
            .detail(&["144 bytes", "127"])
            .fix(&["--attribute-mapping='google.subject=assertion.sub", "extract('/eid1/c/pub/t/{sub_claim}')"]),
        case("subject too long, older wording", 400, oauth("invalid_request", "The size of mapped attribute exceeds the 127 bytes limit."), "sts.subject_too_long")
            .src("google-sts-wif.md §2.4 row invalid_request/size of mapped attribute, older wording"),
        case("requested_token_type", 400, oauth("invalid_request", "Invalid value of requested_token_type in request."), "sts.requested_token_type")
            .src("google-sts-wif.md §2.4 row invalid_request/requested_token_type (third-party agentgateway docs)")
            .fix(&["requested_token_type=urn:ietf:params:oauth:token-type:access_token"]),
        case("scope", 400, oauth("invalid_request", "Scope(s) must be provided."), "sts.scope_missing")
            .src("google-sts-wif.md §2.4 row invalid_request/Scope(s) must be provided (third-party agentgateway docs); §2.1")
            .fix(&["scope=https://www.googleapis.com/auth/cloud-platform"]),
        case("quota", 429, oauth("quota_exceeded", "The request was throttled due to rate limit: sts.googleapis.com/requests. Please retry after a few seconds."), "sts.quota_exceeded")
            .src("google-sts-wif.md §2.4 row quota_exceeded (HTTP 429) ([doc-ts], [doc-quota])")
            .detail(&["123456789012", "6,000"])
            .fix(&["backoff"])
            .retryable(),
        case("429 without a JSON body", 429, "Too Many Requests".into(), "sts.rate_limited")
            .src("google-sts-wif.md §2.3 (429 throttling); a proxy's plain-text 429 (RFC 6585 §4 reason phrase)")
            .fix(&["backoff"])
            .retryable(),
        case("500", 500, r#"{"error":{"code":500,"message":"Internal error encountered.","status":"INTERNAL"}}"#.into(), "sts.server_error")
            .src("google-sts-wif.md §2.4 last row (HTTP 500, [meas]); body shape §2.3 / Google JSON error (INTERNAL)")
            .detail(&["Internal error encountered."])
            .retryable(),
        case("503 html", 503, "<html><head><title>503 Service Unavailable</title></head></html>".into(), "sts.server_error")
            .src("google-sts-wif.md §2.4 last row (5xx); an HTML 503 from a front end")
            .detail(&["503 Service Unavailable"])
            .retryable(),
        case("401 google shape", 401, r#"{"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.","status":"UNAUTHENTICATED"}}"#.into(), "sts.unauthenticated")
            .src("google-sts-wif.md §4 (401 UNAUTHENTICATED `Expected OAuth 2 access token` body, [doc-ts]) and §2.1 (no Authorization header, [sts-disc])")
            .detail(&["Request had invalid authentication credentials", "Authorization header"])
            .fix(&["without an Authorization header"]),
        case("403 google shape", 403, r#"{"error":{"code":403,"message":"Request is prohibited by organization's policy.","status":"PERMISSION_DENIED"}}"#.into(), "sts.permission_denied")
            .src("google-sts-wif.md §2.4 provider-management rows (org policy); §2.1 (no Authorization header)")
            .detail(&["Request is prohibited by organization's policy."])
            .fix(&["gcloud org-policies list --project=my-proj"]),
        case("403 service disabled", 403, r#"{"error":{"code":403,"message":"Security Token Service API has not been used in project 123456789012 before or it is disabled.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"SERVICE_DISABLED","domain":"googleapis.com","metadata":{"service":"sts.googleapis.com","consumer":"projects/123456789012"}}]}}"#.into(), "sts.service_disabled")
            .src("google-sts-wif.md §3 Errors (`has not been used in project <NUMBER> before or it is disabled`, PERMISSION_DENIED) with ErrorInfo SERVICE_DISABLED metadata service/consumer")
            .detail(&["has not been used in project 123456789012"])
            .fix(&["gcloud services enable sts.googleapis.com --project=123456789012"]),
        case("html body", 400, "<!DOCTYPE html><html><head><title>Access denied by proxy</title></head><body>blocked</body></html>".into(), "sts.non_json")
            .src("google-sts-wif.md §2.3 (STS answers JSON); a proxy's HTML block page (peers-and-ux.md)")
            .detail(&["Access denied by proxy", "HTTP 400"])
            .fix(&["https://sts.googleapis.com/v1/token", "HTTPS_PROXY"]),
        case("empty body", 400, "".into(), "sts.non_json")
            .src("google-sts-wif.md §2.3; an empty body from a proxy or load balancer")
            .detail(&["(empty body)"]),
        case("unknown error verbatim", 400, oauth("invalid_scope", "Some brand new failure, id 42."), "sts.unknown")
            .src("RFC 6749 §5.2 error shape (google-sts-wif.md §2.3) with an error not in §2.4")
            .detail(&["invalid_scope", "Some brand new failure, id 42.", "HTTP 400"])
            .fix(&["providers describe azure-mi"]),
    ]
}

/// Hiragana, katakana or kanji.
fn has_japanese(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
    })
}

/// An expected fragment that is a value or a command (no spaces, or a command line), which
/// must appear unchanged in every language.
fn is_value(s: &str) -> bool {
    (!s.contains(' ') && !s.chars().all(char::is_alphabetic))
        || ["gcloud ", "curl ", "az ", "date ", "wif-doctor ", "--"]
            .iter()
            .any(|p| s.starts_with(p))
}

fn texts(e: &Explanation) -> [(&'static str, &Text); 3] {
    [
        ("summary", &e.summary),
        ("detail", &e.detail),
        ("fix", &e.fix),
    ]
}

#[test]
fn catalogue_table() {
    for c in cases() {
        assert!(!c.source.is_empty(), "{}: no source named", c.name);
        let e = explain_sts(c.status, &c.body, &c.ctx);
        assert_eq!(e.id, c.id, "{}: {e:#?}", c.name);
        // Every message the explanation uses is in the catalogue.
        for (part, t) in texts(&e) {
            for k in t.keys() {
                assert!(has_key(k), "{}: {part} uses unknown key {k}", c.name);
            }
        }
        for d in &c.detail {
            assert!(
                e.detail.en().contains(d.as_str()),
                "{}: detail lacks {d:?}\n{}",
                c.name,
                e.detail
            );
        }
        for f in &c.fix {
            assert!(
                e.fix.en().contains(f.as_str()),
                "{}: fix lacks {f:?}\n{}",
                c.name,
                e.fix
            );
        }
        assert_eq!(e.retryable, c.retryable, "{}: retryable", c.name);
        assert!(
            !e.summary.is_empty() && !e.summary.en().contains('\n'),
            "{}: summary {:?}",
            c.name,
            e.summary
        );
        assert!(!e.fix.is_empty(), "{}", c.name);
        // Nothing left unfilled, in either language.
        for lang in Lang::ALL {
            for (_, t) in texts(&e) {
                let text = t.render(lang);
                for gap in [
                    "<token_",
                    "<error",
                    "<provider_",
                    "{token",
                    "{expected",
                    "{",
                ] {
                    if gap == "{" && c.id == "sts.subject_too_long" {
                        continue; // extract('/eid1/c/pub/t/{sub_claim}') is literal
                    }
                    if gap == "{" && c.id == "sts.unknown" {
                        continue; // a JSON body quoted verbatim
                    }
                    assert!(
                        !text.contains(gap),
                        "{} ({lang:?}): unfilled {gap} in {text}",
                        c.name
                    );
                }
            }
        }
        // Japanese: Japanese words, the same values and commands.
        let (sj, dj, fj) = (
            e.summary.render(Lang::Ja),
            e.detail.render(Lang::Ja),
            e.fix.render(Lang::Ja),
        );
        if std::env::var_os("STS_PRINT").is_some() {
            // `STS_PRINT=1 cargo test --test diagnose_sts catalogue_table -- --nocapture`
            println!("== {} ({})\n{sj}\n{dj}\n{fj}\n", c.name, c.id);
        }
        for (part, t) in [("summary", &sj), ("detail", &dj), ("fix", &fj)] {
            assert!(
                has_japanese(t),
                "{}: ja {part} has no Japanese: {t}",
                c.name
            );
        }
        assert!(!sj.contains('\n'), "{}: ja summary {sj:?}", c.name);
        for d in c.detail.iter().filter(|d| is_value(d)) {
            assert!(
                dj.contains(d.as_str()),
                "{}: ja detail lacks {d:?}\n{dj}",
                c.name
            );
        }
        for f in c.fix.iter().filter(|f| is_value(f)) {
            assert!(
                fj.contains(f.as_str()),
                "{}: ja fix lacks {f:?}\n{fj}",
                c.name
            );
        }
        // English stays English.
        for (part, t) in texts(&e) {
            assert!(!has_japanese(&t.en()), "{}: en {part} has Japanese", c.name);
        }
    }
}

#[test]
fn every_catalogue_entry_has_a_case() {
    let tested: BTreeSet<&str> = cases().iter().map(|c| c.id).collect();
    let all: BTreeSet<&str> = catalogue_ids().into_iter().collect();
    let untested: Vec<_> = all.difference(&tested).collect();
    assert!(
        untested.is_empty(),
        "catalogue entries without a test: {untested:?}"
    );
}

#[test]
fn known_errors_quote_the_server_verbatim() {
    let d = "The audience in ID Token [api://x] does not match the expected audience.";
    let e = explain_sts(400, &oauth("invalid_grant", d), &ctx());
    assert!(
        e.detail.en().contains(&format!("error_description={d:?}")),
        "{}",
        e.detail
    );
    assert!(e.detail.en().contains("error=\"invalid_grant\""));
    // The summary is never just the raw body.
    assert_ne!(e.summary.en(), d);
}

#[test]
fn tolerant_parsing() {
    // Extra fields, different case, surrounding whitespace.
    let body = r#"{"error":"INVALID_GRANT","error_description":"  the AUDIENCE in id token [api://x] does not match the expected audience. ","error_uri":"https://example","extra":1}"#;
    let e = explain_sts(400, body, &ctx());
    assert_eq!(e.id, "sts.audience_mismatch");
    // Missing error_description: unknown, error verbatim.
    let e = explain_sts(400, r#"{"error":"invalid_grant"}"#, &ctx());
    assert_eq!(e.id, "sts.unknown");
    assert!(
        e.detail.en().contains("error: invalid_grant"),
        "{}",
        e.detail
    );
    // JSON of another shape.
    let e = explain_sts(400, r#"{"foo":1}"#, &ctx());
    assert_eq!(e.id, "sts.unknown");
    assert!(e.detail.en().contains(r#"{"foo":1}"#), "{}", e.detail);
    // Empty context: placeholders, no panic.
    let e = explain_sts(
        400,
        &oauth(
            "invalid_grant",
            "The audience in ID Token [api://x] does not match the expected audience.",
        ),
        &Context::default(),
    );
    assert!(
        e.fix.en().contains("update-oidc '<PROVIDER_ID>'"),
        "{}",
        e.fix
    );
    assert!(
        e.fix.en().contains("--allowed-audiences='api://x'"),
        "{}",
        e.fix
    );
}

#[test]
fn context_from_token_helpers() {
    let c = ctx();
    assert_eq!(c.sts_audience(), EXPECTED_AUD);
    assert_eq!(
        c.principal(),
        format!(
            "principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/subject/{SUB}"
        )
    );
    assert!(
        c.principal_set()
            .ends_with(&format!("/attribute.subject/{SUB}"))
    );
    let empty = Context::default();
    assert!(
        empty.principal().contains("<PROJECT_NUMBER>") && empty.principal().contains("<SUBJECT>")
    );
}

#[test]
fn an_empty_json_error_body_is_named_as_such() {
    let e = explain_sts(400, "{}", &wif_doctor::diagnose::Context::default());
    assert_eq!(e.id, "sts.unknown");
    assert!(e.detail.en().contains("HTTP 400"), "{}", e.detail);
    assert!(e.detail.en().contains("verbatim"), "{}", e.detail);
}

#[test]
fn japanese_explanations_use_the_console_terms_and_keep_values() {
    // Source: google-sts-wif.md §2.4 row invalid_grant/The audience in ID Token ([meas]).
    let d = format!("The audience in ID Token [{AUD}] does not match the expected audience.");
    let e = explain_sts(400, &oauth("invalid_grant", &d), &ctx());
    let summary = e.summary.render(Lang::Ja);
    assert!(summary.contains("許可するオーディエンス"), "{summary}");
    assert!(summary.contains(AUD), "{summary}");
    let fix = e.fix.render(Lang::Ja);
    assert!(
        fix.contains(&format!("{UPDATE} --allowed-audiences='api://wif-app'")),
        "{fix}"
    );
    // The server's words stay verbatim in Japanese too.
    assert!(
        e.detail
            .render(Lang::Ja)
            .contains(&format!("error_description={d:?}")),
        "{}",
        e.detail.render(Lang::Ja)
    );

    // Source: google-sts-wif.md §2.4 row invalid_grant/The issuer in ID Token ([meas]).
    let v1 = v1();
    let v2 = v2();
    let e = explain_sts(
        400,
        &oauth(
            "invalid_grant",
            &format!("The issuer in ID Token {v1} does not match the expected one in config: {v2}"),
        ),
        &ctx(),
    );
    let detail = e.detail.render(Lang::Ja);
    assert!(detail.contains("発行元 URI"), "{detail}");
    assert!(detail.contains("バージョンの不一致"), "{detail}");
    assert!(detail.contains(&v1) && detail.contains(&v2), "{detail}");
    let fix = e.fix.render(Lang::Ja);
    assert!(
        fix.contains(&format!("{UPDATE} --issuer-uri='{v1}'")),
        "{fix}"
    );
    assert!(fix.contains("requestedAccessTokenVersion=2"), "{fix}");
    // Japanese has no space between sentences; English has exactly one.
    assert!(!fix.contains("`。 "), "{fix}");
    assert!(
        e.fix.en().contains("`. Or keep the provider"),
        "{}",
        e.fix.en()
    );
}

#[test]
fn several_causes_are_listed_most_likely_first() {
    // Source: google-sts-wif.md §2.4 row invalid_target ([issues] google-github-actions/auth#202, #333, #370).
    let e = explain_sts(400, &oauth("invalid_target", INVALID_TARGET), &ctx());
    for lang in Lang::ALL {
        let d = e.detail.render(lang);
        let (one, two, three) = (d.find("(1)"), d.find("(2)"), d.find("(3)"));
        assert!(
            one.is_some() && one < two && two < three,
            "{lang:?}: causes not in order: {d}"
        );
    }
    assert!(e.detail.en().contains("NOT_FOUND") && e.detail.en().contains("`disabled: true`"));
}

#[test]
fn structure_decides_before_the_text() {
    // ErrorInfo.reason SERVICE_DISABLED wins whatever the message says (google-sts-wif.md §3,
    // SERVICE_DISABLED with metadata service and consumer), and names the consumer project.
    let body = r#"{"error":{"code":403,"message":"Some reworded text.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"SERVICE_DISABLED","domain":"googleapis.com","metadata":{"service":"sts.googleapis.com","consumer":"projects/999"}}]}}"#;
    let e = explain_sts(403, body, &ctx());
    assert_eq!(e.id, "sts.service_disabled");
    assert!(e.summary.en().contains("project 999"), "{}", e.summary.en());
    // The error's project against the settings' (number / ID).
    assert!(
        e.detail
            .en()
            .contains("The error names project 999, but your settings say 123456789012 / my-proj"),
        "{}",
        e.detail.en()
    );
    let ja = e.detail.render(Lang::Ja);
    assert!(
        ja.contains("エラーが示すプロジェクトは 999 ですが、設定は 123456789012 / my-proj です"),
        "{ja}"
    );
    assert!(
        e.fix
            .render(Lang::Ja)
            .contains("gcloud services enable sts.googleapis.com --project=999")
    );
    // The same OAuth error with an unknown description is not guessed from the error alone.
    let e = explain_sts(400, &oauth("invalid_grant", "Something new."), &ctx());
    assert_eq!(e.id, "sts.unknown");
}

/// Every simulator scenario whose failure is an STS answer (the simulator replays the §2.4
/// bodies): under `LANG=ja_JP.UTF-8` the failing `sts.exchange` finding is Japanese and still
/// names the actual wrong value and the exact command; under `LC_ALL=C` it has no Japanese.
#[test]
fn sts_failures_end_to_end_in_japanese() {
    use wif_doctor::sim::{Scenario, TokenVersion as SimVersion};
    let update = "gcloud iam workload-identity-pools providers update-oidc azure-mi --project=demo-project --location=global --workload-identity-pool=azure-pool";
    /// (values the detail names, commands the fix holds) for a scenario's world.
    type Expect = Box<dyn Fn(&World) -> (Vec<String>, Vec<String>)>;
    let scenarios: Vec<(Scenario, Expect)> = vec![
        (
            Scenario::AudienceMismatch,
            Box::new(move |w| {
                let aud = w.sim.app_v1().identifier_uri.clone();
                (
                    vec![aud.clone()],
                    vec![format!("{update} --allowed-audiences='{aud}'")],
                )
            }),
        ),
        (
            Scenario::IssuerMismatch,
            Box::new(move |w| {
                let v1 = w.sim.issuer(SimVersion::V1);
                let v2 = w.sim.issuer(SimVersion::V2);
                (
                    vec![v1.clone(), v2],
                    vec![format!("{update} --issuer-uri='{v1}'")],
                )
            }),
        ),
        (
            Scenario::DisabledPool,
            Box::new(move |_| {
                (
                    vec!["azure-pool".into(), "invalid_target".into()],
                    vec![format!("{update} --no-disabled")],
                )
            }),
        ),
        (
            Scenario::ProjectIdAudience,
            Box::new(|_| {
                (
                    vec!["⟨demo-project⟩".into()],
                    vec![
                        "gcloud projects describe demo-project --format='value(projectNumber)'"
                            .into(),
                    ],
                )
            }),
        ),
        (
            Scenario::AttributeCondition,
            Box::new(move |w| {
                let tid = w.sim.tenant_id().to_string();
                (
                    vec![tid.clone()],
                    vec![format!(
                        "{update} --attribute-condition=\"assertion.tid=='{tid}'"
                    )],
                )
            }),
        ),
        (
            Scenario::ExpiredToken,
            Box::new(|_| (vec!["iat=".into()], vec!["date -u".into()])),
        ),
    ];
    for (scenario, expect) in scenarios {
        let w = World::new(scenario);
        let (values, commands) = expect(&w);
        let mut env = w.full_env();
        set(&mut env, "LANG", "ja_JP.UTF-8");
        let j = w.run(&env, &["check", "--json"]).json();
        let f = finding(&j, "sts.exchange");
        assert_eq!(f["status"], "fail", "{scenario:?}: {f:#}");
        let detail = f["detail"].as_str().unwrap_or_default();
        let fix = f["fix"].as_str().unwrap_or_default();
        assert!(has_japanese(detail), "{scenario:?}: {detail}");
        assert!(has_japanese(fix), "{scenario:?}: {fix}");
        for v in &values {
            assert!(
                detail.contains(v.as_str()),
                "{scenario:?}: detail lacks {v:?}\n{detail}"
            );
        }
        for c in &commands {
            assert!(
                fix.contains(c.as_str()),
                "{scenario:?}: fix lacks {c:?}\n{fix}"
            );
        }
        set(&mut env, "LC_ALL", "C");
        let j = w.run(&env, &["check", "--json"]).json();
        let f = finding(&j, "sts.exchange");
        for part in ["title", "detail", "fix"] {
            let t = f[part].as_str().unwrap_or_default();
            assert!(!has_japanese(t), "{scenario:?} LC_ALL=C: {part} {t}");
        }
    }
}

#[test]
fn a_consumer_matching_the_settings_is_not_flagged() {
    // google-sts-wif.md §3 Errors: SERVICE_DISABLED naming the settings' own project.
    let body = r#"{"error":{"code":403,"message":"Security Token Service API has not been used in project 123456789012 before or it is disabled.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"SERVICE_DISABLED","domain":"googleapis.com","metadata":{"service":"sts.googleapis.com","consumer":"projects/123456789012"}}]}}"#;
    let e = explain_sts(403, body, &ctx());
    assert_eq!(e.id, "sts.service_disabled");
    assert!(
        !e.detail.en().contains("your settings say"),
        "{}",
        e.detail.en()
    );
    // Another ErrorInfo domain is not this entry.
    let other = body.replace(
        "\"domain\":\"googleapis.com\"",
        "\"domain\":\"example.com\"",
    );
    assert_ne!(explain_sts(403, &other, &ctx()).id, "sts.service_disabled");
}
