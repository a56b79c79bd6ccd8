//! One test per `assets/i18n/identity.toml` rule, each with a recorded or documented body of
//! the App Service / Container Apps identity endpoint, IMDS or Entra ID (source named next to
//! it; "reference" is /work/shared/reference/azure-managed-identity.md), read exactly as
//! `fetch_token` reads it (`interpret_response`). Plus Japanese renderings.

use wif_doctor::azure::{self, AzureError, ErrorKind, Plan};
use wif_doctor::i18n::Lang;
use wif_doctor::settings::{EnvMap, Settings, SettingsArgs};

const HEADER: &str = "853b9a84-5bfa-4b22-a3f3-0b9a43d9ad21";
const ENDPOINT: &str = "http://169.254.129.4:8081/msi/token";
const APP: &str = "api://wif-app";

struct Case {
    settings: Settings,
    plan: Plan,
}

fn empty_root() -> std::path::PathBuf {
    let root = std::env::temp_dir().join("wif-doctor-identity-bodies-root");
    std::fs::create_dir_all(&root).unwrap();
    root
}

fn case(args: SettingsArgs, env: &[(&str, &str)]) -> Case {
    let env: EnvMap = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let args = SettingsArgs {
        sysroot: Some(empty_root()),
        ..args
    };
    let settings = Settings::resolve(&args, &env).expect("settings resolve");
    let plan = azure::detect(&settings).expect("a source");
    Case { settings, plan }
}

fn app_service(args: SettingsArgs) -> Case {
    case(
        args,
        &[("IDENTITY_ENDPOINT", ENDPOINT), ("IDENTITY_HEADER", HEADER)],
    )
}

fn app_service_for(resource: &str) -> Case {
    app_service(SettingsArgs {
        resource: Some(resource.into()),
        ..Default::default()
    })
}

fn imds(args: SettingsArgs) -> Case {
    case(
        SettingsArgs {
            source: Some("imds".into()),
            ..args
        },
        &[],
    )
}

impl Case {
    fn answer(&self, status: u16, body: &str) -> AzureError {
        let ct = Some("application/json; charset=utf-8");
        let e = azure::interpret_response(&self.settings, &self.plan, status, ct, body.as_bytes())
            .expect_err("an error answer");
        for lang in Lang::ALL {
            for t in [&e.summary, &e.cause, &e.fix] {
                let r = t.render(lang);
                assert!(!r.contains(HEADER), "the secret header leaked: {r}");
                assert!(!unfilled(&r), "an unfilled placeholder: {r}");
            }
        }
        e
    }
}

/// `{name}` left in a rendering (literal JSON braces in a command are fine).
fn unfilled(s: &str) -> bool {
    s.split('{').skip(1).any(|rest| {
        rest.find('}').is_some_and(|end| {
            end > 0
                && rest[..end]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
    })
}

fn all_en(e: &AzureError) -> String {
    format!("{}\n{}\n{}", e.summary.en(), e.cause.en(), e.fix.en())
}

fn all_ja(e: &AzureError) -> String {
    [&e.summary, &e.cause, &e.fix]
        .iter()
        .map(|t| t.render(Lang::Ja))
        .collect::<Vec<_>>()
        .join("\n")
}

fn has_japanese(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'))
}

fn explained(e: &AzureError, id: &str, kind: ErrorKind) {
    assert_eq!(e.explanation, Some(id), "{}", all_en(e));
    assert_eq!(e.kind, kind, "{}", all_en(e));
}

// Azure/azure-sdk-for-net#44685 (MikeYeager, 2024-06-21), verbatim; same body in #40848 (a
// maintainer: a service-side exception, open a support case), Azure/ms-rest-nodeauth#106
// (after an App Service restart: the platform case) and
// reference §2.2 "App Service / Container Apps token service" and §6 "Recorded answers".
const AAD_500: &str = r#"{"statusCode":500,"message":"An unexpected error occured while fetching the AAD Token.","correlationId":"8997f3a2-4774-4406-bcc2-14da6f7c387a"}"#;

#[test]
fn app_service_500_offers_both_causes_resource_first_and_how_to_tell() {
    let c = app_service_for(APP);
    let e = c.answer(500, AAD_500);
    explained(&e, "identity.aad_token_500", ErrorKind::ResourceUnknown);
    assert!(e.summary.en().contains(APP), "{}", e.summary.en());
    assert!(
        e.summary
            .en()
            .contains("occured while fetching the AAD Token")
    );
    let cause = e.cause.en();
    let (resource, platform) = (
        cause
            .find("(1) Entra ID does not know the resource api://wif-app")
            .expect(&cause),
        cause
            .find("(2) a fault of the platform's token service")
            .expect(&cause),
    );
    assert!(resource < platform, "most likely first: {cause}");
    let fix = e.fix.en();
    assert!(
        fix.contains("wif-doctor token --resource=https://management.azure.com/"),
        "{fix}"
    );
    assert!(
        fix.contains("If that works, the resource is the problem"),
        "{fix}"
    );
    assert!(fix.contains("If it fails too, it is the platform"), "{fix}");
    assert!(fix.contains("az ad sp create --id <appId>"), "{fix}");
    assert!(
        fix.contains("8997f3a2-4774-4406-bcc2-14da6f7c387a"),
        "{fix}"
    );
}

#[test]
fn app_service_500_for_a_well_known_resource_puts_the_platform_first() {
    // Same body; the resource is ARM, which every tenant knows.
    let c = app_service_for("https://management.azure.com/");
    let e = c.answer(500, AAD_500);
    explained(&e, "identity.aad_token_500", ErrorKind::ResourceUnknown);
    let cause = e.cause.en();
    assert!(
        cause.starts_with(
            "this answer has two known causes, most likely first: (1) a fault of the platform"
        ),
        "{cause}"
    );
    // The probe asks for another well-known resource, with the same identity.
    let fix = e.fix.en();
    assert!(
        fix.contains("wif-doctor token --resource=https://vault.azure.net"),
        "{fix}"
    );
}

#[test]
fn app_service_500_probe_keeps_the_selected_identity() {
    let c = app_service(SettingsArgs {
        resource: Some(APP.into()),
        client_id: Some("3f2a1b0c-0000-4000-8000-00000000c11d".into()),
        ..Default::default()
    });
    let e = c.answer(500, AAD_500);
    assert!(
        e.fix.en().contains(
            "wif-doctor token --resource=https://management.azure.com/ --client-id=3f2a1b0c-0000-4000-8000-00000000c11d"
        ),
        "{}",
        e.fix.en()
    );
}

#[test]
fn app_service_500_in_japanese_keeps_values_and_command() {
    let c = app_service_for(APP);
    let e = c.answer(500, AAD_500);
    let ja = all_ja(&e);
    assert!(has_japanese(&ja), "{ja}");
    for v in [
        APP,
        "wif-doctor token --resource=https://management.azure.com/",
        "az ad sp create --id <appId>",
        "8997f3a2-4774-4406-bcc2-14da6f7c387a",
        "An unexpected error occured while fetching the AAD Token.",
    ] {
        assert!(ja.contains(v), "{v} missing from: {ja}");
    }
    assert!(ja.contains("(1)") && ja.contains("(2)"), "{ja}");
}

// AzureAD/microsoft-identity-web#2796 (2024-04-24), verbatim body from the managed-identity
// endpoint when a library appended "/.default"; reference §3.1 and §6 "Recorded answers".
const AADSTS500011: &str = r#"{"error":"invalid_resource","error_description":"AADSTS500011: The resource principal named api://AzureADTokenExchange./default was not found in the tenant named bea21ebe-8b64-4d06-9f6d-6a889b120a7c. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant. Trace ID: 11bd6df9-328d-43b3-b930-f72d3caf0a00 Correlation ID: 8fbda31f-14a8-4bdc-8d80-55d74b58bdb0 Timestamp: 2024-04-24 17:54:15Z","error_codes":[500011],"timestamp":"2024-04-24 17:54:15Z","trace_id":"11bd6df9-328d-43b3-b930-f72d3caf0a00","correlation_id":"8fbda31f-14a8-4bdc-8d80-55d74b58bdb0"}"#;

#[test]
fn aadsts500011_names_the_resource_and_compares_it_with_the_settings() {
    let c = imds(SettingsArgs {
        resource: Some("api://AzureADTokenExchange/.default".into()),
        ..Default::default()
    });
    let e = c.answer(400, AADSTS500011);
    explained(&e, "identity.aadsts_500011", ErrorKind::ResourceUnknown);
    assert!(
        e.summary.en().contains("AADSTS500011"),
        "{}",
        e.summary.en()
    );
    let cause = e.cause.en();
    assert!(
        cause.contains("bea21ebe-8b64-4d06-9f6d-6a889b120a7c"),
        "{cause}"
    );
    assert!(
        cause.contains("The error names api://AzureADTokenExchange./default; your settings say api://AzureADTokenExchange/.default"),
        "{cause}"
    );
    assert!(cause.contains("ends with /.default"), "{cause}");
    assert!(
        e.fix.en().contains("--resource api://AzureADTokenExchange"),
        "{}",
        e.fix.en()
    );
    let ja = all_ja(&e);
    assert!(has_japanese(&ja), "{ja}");
    assert!(
        ja.contains("api://AzureADTokenExchange./default")
            && ja.contains("api://AzureADTokenExchange/.default"),
        "{ja}"
    );
    assert!(ja.contains("az ad sp create --id <appId>"), "{ja}");
}

// Reference §2.2 IMDS table, row `invalid_resource` "AADSTS50001: The application named <URI>
// was not found in the tenant…" (how-to-use-vm-token.md); tenant GUID and URI filled in.
const AADSTS50001: &str = r#"{"error":"invalid_resource","error_description":"AADSTS50001: The application named api://nope was not found in the tenant named 72f988bf-86f1-41af-91ab-2d7cd011db47. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.\r\nTrace ID: 1\r\nCorrelation ID: 2\r\nTimestamp: 2024-01-01 00:00:00Z"}"#;

#[test]
fn aadsts50001_from_imds() {
    let c = imds(SettingsArgs {
        resource: Some("api://nope".into()),
        ..Default::default()
    });
    let e = c.answer(400, AADSTS50001);
    explained(&e, "identity.aadsts_50001", ErrorKind::ResourceUnknown);
    let cause = e.cause.en();
    assert!(cause.contains("the application named api://nope is not found in the tenant 72f988bf-86f1-41af-91ab-2d7cd011db47"), "{cause}");
    // Same resource named and configured: no comparison sentence.
    assert!(!cause.contains("The error names"), "{cause}");
}

// hashicorp/terraform-provider-azurerm#20623 (2023-02-23), the Entra token endpoint's body
// (client ID redacted there as ***), verbatim up to the trace ID.
const AADSTS700016: &str = r#"{"error":"unauthorized_client","error_description":"AADSTS700016: Application with identifier '***' was not found in the directory 'mydirectory'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.\r\nTrace ID: 37c28d1f-664c-43ee-"}"#;

#[test]
fn aadsts700016_is_an_unknown_client_not_an_unknown_resource() {
    let c = imds(SettingsArgs {
        client_id: Some("3f2a1b0c-0000-4000-8000-00000000c11d".into()),
        ..Default::default()
    });
    let e = c.answer(400, AADSTS700016);
    explained(&e, "identity.aadsts_700016", ErrorKind::IdentityNotFound);
    assert!(e.summary.en().contains("'***'") || e.summary.en().contains("***"));
    assert!(e.summary.en().contains("mydirectory"), "{}", e.summary.en());
    assert!(
        e.cause
            .en()
            .contains("client ID 3f2a1b0c-0000-4000-8000-00000000c11d"),
        "{}",
        e.cause.en()
    );
}

// The error text is Entra's template for AADSTS501051 as quoted in
// Azure/azure-functions-host#9884 (2024-02-29, from login.microsoftonline.com/error?code=501051):
// "Application '{appId}'({appName}) is not assigned to a role for the application
// '{resourceId}'({resourceName})", carried in IMDS's {error, error_description} shape
// (reference §2.2). App Service wraps the same failure in its generic 500.
const AADSTS501051: &str = r#"{"error":"invalid_grant","error_description":"AADSTS501051: Application 'c0ffee00-1111-2222-3333-444455556666'(my-func) is not assigned to a role for the application 'api://wif-app'(wif-app)."}"#;

#[test]
fn aadsts501051_asks_for_the_app_role_assignment() {
    let c = imds(SettingsArgs {
        resource: Some(APP.into()),
        ..Default::default()
    });
    let e = c.answer(400, AADSTS501051);
    explained(&e, "identity.aadsts_501051", ErrorKind::AppRoleRequired);
    assert!(e.fix.en().contains("appRoleAssignments"), "{}", e.fix.en());
    assert!(
        e.fix.en().contains("\"appRoleId\""),
        "literal braces kept: {}",
        e.fix.en()
    );
    let ja = all_ja(&e);
    assert!(
        has_japanese(&ja) && ja.contains("appRoleAssignments") && ja.contains(APP),
        "{ja}"
    );
}

// Reference §2.2 IMDS table, row `invalid_resource` (how-to-use-vm-token.md), with a
// description that carries no AADSTS code, so only the `error` field decides.
#[test]
fn invalid_resource_without_a_code() {
    let c = imds(SettingsArgs {
        resource: Some("api://nope".into()),
        ..Default::default()
    });
    let e = c.answer(
        400,
        r#"{"error":"invalid_resource","error_description":"The resource is invalid."}"#,
    );
    explained(&e, "identity.invalid_resource", ErrorKind::ResourceUnknown);
}

// Reference §2.2 IMDS table, row `bad_request_102` "Required metadata header not specified"
// (how-to-use-vm-token.md).
#[test]
fn imds_without_the_metadata_header() {
    let c = imds(SettingsArgs::default());
    let e = c.answer(
        400,
        r#"{"error":"bad_request_102","error_description":"Required metadata header not specified"}"#,
    );
    explained(
        &e,
        "identity.imds_metadata_header",
        ErrorKind::ProtocolMismatch,
    );
    assert!(e.fix.en().contains("NO_PROXY=169.254.169.254"));
}

// Reference §2.2 "App Service / Container Apps token service" (azure-sdk-for-net#43691).
const MI_NOT_FOUND: &str = r#"{"statusCode":400,"message":"Unable to load the proper Managed Identity.","correlationId":"7f2a51d3-4c1e-4b9b-a1b2-0c9d8e7f6a5b"}"#;

#[test]
fn app_service_identity_not_found_with_and_without_a_selector() {
    let system = app_service(SettingsArgs::default()).answer(400, MI_NOT_FOUND);
    explained(
        &system,
        "identity.app_service_identity_not_found",
        ErrorKind::IdentityNotFound,
    );
    assert!(system.cause.en().contains("the system-assigned identity"));
    assert!(
        system
            .fix
            .en()
            .contains("az webapp identity assign -g <rg> -n <app>")
    );
    let user = app_service(SettingsArgs {
        client_id: Some("3f2a1b0c-0000-4000-8000-00000000c11d".into()),
        ..Default::default()
    })
    .answer(400, MI_NOT_FOUND);
    assert!(
        user.cause
            .en()
            .contains("client ID 3f2a1b0c-0000-4000-8000-00000000c11d (flag --client-id)"),
        "{}",
        user.cause.en()
    );
    assert!(
        user.fix
            .en()
            .contains("az webapp identity show -g <rg> -n <app>"),
        "{}",
        user.fix.en()
    );
    let ja = all_ja(&user);
    assert!(
        has_japanese(&ja) && ja.contains("3f2a1b0c-0000-4000-8000-00000000c11d"),
        "{ja}"
    );
}

// Reference §2.2 IMDS table, row 400 `{"error":"invalid_request","error_description":"Identity
// not found"}` (azure-sdk-for-net#46709; imds.py).
#[test]
fn imds_identity_not_found() {
    let e = imds(SettingsArgs::default()).answer(
        400,
        r#"{"error":"invalid_request","error_description":"Identity not found"}"#,
    );
    explained(
        &e,
        "identity.imds_identity_not_found",
        ErrorKind::IdentityNotFound,
    );
    assert!(
        e.fix.en().contains("az vm identity assign -g <rg> -n <vm>"),
        "{}",
        e.fix.en()
    );
}

// Hexadite/acs-keyvault-agent#43 (2021-08-02), IMDS's 400 verbatim (also recorded in
// Azure/Synapse-workspace-deployment#114 and dotnet/docker-tools#1286).
#[test]
fn imds_multiple_identities_without_a_selector() {
    let e = imds(SettingsArgs::default()).answer(
        400,
        r#"{"error":"invalid_request","error_description":"Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request"}"#,
    );
    explained(
        &e,
        "identity.multiple_identities",
        ErrorKind::IdentityNotFound,
    );
    assert!(
        e.cause.en().contains("the system-assigned identity"),
        "{}",
        e.cause.en()
    );
    assert!(
        e.fix.en().contains("az vm identity show -g <rg> -n <vm>"),
        "{}",
        e.fix.en()
    );
    let ja = all_ja(&e);
    assert!(
        has_japanese(&ja) && ja.contains("--client-id <clientId>"),
        "{ja}"
    );
}

// MicrosoftDocs/azure-docs#69848 and microsoft/azure-container-apps#341 (reference §1.1,
// "Mixing versions breaks requests"): api-version 2017-09-01 with X-IDENTITY-HEADER gets a
// 400/405; no body was recorded, so the status alone decides.
#[test]
fn legacy_api_version_with_the_new_header() {
    let c = app_service(SettingsArgs {
        api_version: Some("2017-09-01".into()),
        ..Default::default()
    });
    let e = c.answer(400, "");
    explained(
        &e,
        "identity.legacy_version_mismatch",
        ErrorKind::ProtocolMismatch,
    );
    assert!(e.fix.en().contains("2019-08-01"));
}

// Reference §2.2: 401 "when the header is missing or wrong" (azure-sdk-for-js#11595,
// azure-functions-host#7273); a 403 with a non-JSON body (azure-sdk-for-net#30467).
#[test]
fn header_rejected() {
    let c = app_service(SettingsArgs::default());
    let e = c.answer(401, "");
    explained(&e, "identity.header_rejected", ErrorKind::HeaderRejected);
    assert!(e.summary.en().contains("IDENTITY_HEADER"));
    assert!(
        e.cause.en().contains("environment IDENTITY_HEADER"),
        "{}",
        e.cause.en()
    );
    let e = c.answer(403, "Forbidden");
    explained(&e, "identity.header_rejected", ErrorKind::HeaderRejected);
}

// Reference §2.2 IMDS table, row 5xx "Transient error from service… safe to retry"
// (how-to-use-vm-token.md), after wif-doctor's own retries.
#[test]
fn server_error_after_retries() {
    let e = imds(SettingsArgs::default()).answer(503, "");
    explained(&e, "identity.server_error", ErrorKind::Http);
    assert!(e.fix.en().starts_with("retry later"));
}

// Reference §2.2 IMDS table, row 404 "IMDS endpoint is updating" (retried, then reported).
#[test]
fn anything_else_is_reported_with_the_request_settings() {
    let e = imds(SettingsArgs::default()).answer(404, "IMDS endpoint is updating");
    explained(&e, "identity.other", ErrorKind::Http);
    assert!(e.fix.en().contains("api-version 2018-02-01") || e.fix.en().contains("api-version"));
}

#[test]
fn every_rule_has_a_test_here() {
    let src = include_str!("identity_bodies.rs");
    for r in azure::rules() {
        assert!(
            src.contains(&format!("\"{}\"", r.id)),
            "no test for {}",
            r.id
        );
    }
}
