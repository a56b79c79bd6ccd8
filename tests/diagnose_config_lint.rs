//! Credential configuration lint: one case per rule, and the identity header never leaks.

use serde_json::{Value, json};
use wif_doctor::diagnose::{Issue, LintContext, Severity, lint_config};
use wif_doctor::gcp::{
    self, ConfigInputs, IdentityHeader, REDACTED_HEADER, RevealHeader, credential_config, defaults,
};

const AUD: &str = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/providers/azure-mi";
const HEADER: &str = "853b9a84-5bfa-4b22-a3f3-0b9a43d9ad8a";
const OLD_HEADER: &str = "0f0e0d0c-aaaa-4bbb-8ccc-123456789abc";
const ENDPOINT: &str = "http://169.254.129.4:8081/msi/token";
const RESOURCE: &str = "api://11112222-3333-4444-5555-666677778888";
const SA: &str = "wif-sa@my-proj.iam.gserviceaccount.com";

fn lc() -> LintContext {
    LintContext {
        current_identity_endpoint: Some(ENDPOINT.into()),
        current_identity_header: Some(HEADER.into()),
        resource: Some(RESOURCE.into()),
        on_app_service: true,
        expected_audience: Some(AUD.into()),
        ..Default::default()
    }
}

/// The file wif-doctor itself writes.
fn good_text(service_account: Option<&str>) -> String {
    credential_config(&ConfigInputs {
        universe_domain: defaults::UNIVERSE_DOMAIN.into(),
        credential_type: defaults::CREDENTIAL_TYPE.into(),
        audience: gcp::sts_audience("123456789012", "azure-pool", "azure-mi"),
        subject_token_type: defaults::SUBJECT_TOKEN_TYPE.into(),
        token_url: defaults::TOKEN_URL.into(),
        identity_endpoint: ENDPOINT.into(),
        identity_header: IdentityHeader::new(HEADER),
        resource: RESOURCE.into(),
        api_version: defaults::API_VERSION.into(),
        user_assigned: None,
        subject_token_field_name: defaults::SUBJECT_TOKEN_FIELD_NAME.into(),
        service_account: service_account.map(str::to_string),
    })
    .to_json(RevealHeader::Yes)
}

fn good() -> Value {
    serde_json::from_str(&good_text(None)).unwrap()
}

fn with(f: impl FnOnce(&mut Value)) -> String {
    let mut v = good();
    f(&mut v);
    v.to_string()
}

fn set_url(v: &mut Value, url: &str) {
    v["credential_source"]["url"] = json!(url);
}

fn no_secret(issues: &[Issue]) {
    for i in issues {
        for secret in [HEADER, OLD_HEADER] {
            assert!(
                !i.message.en().contains(secret) && !i.fix.en().contains(secret),
                "header value leaked: {i:#?}"
            );
        }
    }
}

fn expect(
    name: &str,
    text: &str,
    lc: &LintContext,
    field: &str,
    severity: Severity,
    message: &[&str],
    fix: &[&str],
) -> Vec<Issue> {
    let issues = lint_config(text, lc);
    no_secret(&issues);
    let hit = issues.iter().find(|i| {
        i.field == field
            && i.severity == severity
            && message.iter().all(|m| i.message.en().contains(m))
            && fix.iter().all(|f| i.fix.en().contains(f))
    });
    assert!(
        hit.is_some(),
        "{name}: no {severity:?} on {field} with {message:?} / {fix:?}; got {issues:#?}"
    );
    issues
}

#[test]
fn wif_doctors_own_files_are_clean() {
    assert_eq!(lint_config(&good_text(None), &lc()), vec![]);
    assert_eq!(lint_config(&good_text(Some(SA)), &lc()), vec![]);
    // Nothing to compare against: still clean.
    assert_eq!(
        lint_config(&good_text(None), &LintContext::default()),
        vec![]
    );
}

#[test]
fn gcloud_azure_vm_file_is_clean_off_app_service() {
    let text = json!({
        "universe_domain": "googleapis.com",
        "type": "external_account",
        "audience": AUD,
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "token_url": "https://sts.googleapis.com/v1/token",
        "credential_source": {
            "url": "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=api://my-app",
            "headers": {"Metadata": "True"},
            "format": {"type": "json", "subject_token_field_name": "access_token"}
        },
        "token_info_url": "https://sts.googleapis.com/v1/introspect"
    })
    .to_string();
    let vm = LintContext {
        expected_audience: Some(AUD.into()),
        ..Default::default()
    };
    assert_eq!(lint_config(&text, &vm), vec![]);
    // The same file on App Service: IMDS is unreachable.
    expect(
        "imds on app service",
        &text,
        &lc(),
        "credential_source.url",
        Severity::Fail,
        &["169.254.169.254", "unreachable on App Service"],
        &[
            "IDENTITY_ENDPOINT = http://169.254.129.4:8081/msi/token",
            "wif-doctor config --force",
        ],
    );
    // Missing Metadata header.
    let no_md = text.replace(r#""headers":{"Metadata":"True"},"#, "");
    expect(
        "imds without Metadata",
        &no_md,
        &vm,
        "credential_source.headers",
        Severity::Fail,
        &["Metadata: true"],
        &["\"Metadata\": \"True\""],
    );
}

#[test]
fn json_and_type() {
    let l = lc();
    expect(
        "trailing comma",
        "{\"type\": \"external_account\",}",
        &l,
        "json",
        Severity::Fail,
        &["not valid JSON", "line 1"],
        &["wif-doctor config --force"],
    );
    expect(
        "empty",
        "  \n",
        &l,
        "json",
        Severity::Fail,
        &["empty"],
        &["wif-doctor config --force"],
    );
    expect(
        "array",
        "[]",
        &l,
        "json",
        Severity::Fail,
        &["not an object"],
        &[],
    );
    let bom = format!("\u{FEFF}{}", good_text(None));
    let issues = expect(
        "bom",
        &bom,
        &l,
        "json",
        Severity::Warn,
        &["byte-order mark"],
        &[],
    );
    assert_eq!(issues.len(), 1, "{issues:#?}");
    expect(
        "service account key",
        &with(|v| v["type"] = json!("service_account")),
        &l,
        "type",
        Severity::Fail,
        &["\"service_account\"", "key file"],
        &["\"type\": \"external_account\""],
    );
    expect(
        "no type",
        &with(|v| {
            v.as_object_mut().unwrap().remove("type");
        }),
        &l,
        "type",
        Severity::Fail,
        &["missing"],
        &["external_account"],
    );
}

#[test]
fn audience_rules() {
    let l = lc();
    expect(
        "https prefix",
        &with(|v| v["audience"] = json!(format!("https:{AUD}"))),
        &l,
        "audience",
        Severity::Fail,
        &["https:"],
        &[AUD],
    );
    expect(
        "pool only",
        &with(|v| v["audience"] = json!(AUD.split("/providers/").next().unwrap())),
        &l,
        "audience",
        Severity::Fail,
        &["pool only"],
        &[AUD],
    );
    expect(
        "project id",
        &with(|v| v["audience"] = json!(AUD.replace("123456789012", "my-proj"))),
        &l,
        "audience",
        Severity::Fail,
        &["⟨my-proj⟩", "project number"],
        &["gcloud projects describe my-proj --format='value(projectNumber)'"],
    );
    expect(
        "mismatch",
        &with(|v| v["audience"] = json!(AUD.replace("azure-pool", "other-pool"))),
        &l,
        "audience",
        Severity::Fail,
        &["other-pool", AUD],
        &[AUD],
    );
    expect(
        "workforce",
        &with(|v| {
            v["audience"] =
                json!("//iam.googleapis.com/locations/global/workforcePools/p/providers/v")
        }),
        &l,
        "audience",
        Severity::Fail,
        &["workforce"],
        &[AUD],
    );
    expect(
        "bad provider id",
        &with(|v| v["audience"] = json!(AUD.replace("azure-mi", "Azure_MI"))),
        &LintContext::default(),
        "audience",
        Severity::Fail,
        &["provider ID", "lowercase"],
        &[],
    );
    expect(
        "trailing space",
        &with(|v| v["audience"] = json!(format!("{AUD} "))),
        &l,
        "audience",
        Severity::Fail,
        &["␠⟩"],
        &[AUD],
    );
    expect(
        "missing",
        &with(|v| {
            v.as_object_mut().unwrap().remove("audience");
        }),
        &l,
        "audience",
        Severity::Fail,
        &["missing"],
        &[AUD],
    );
}

#[test]
fn token_type_and_urls() {
    let l = lc();
    expect(
        "access_token type",
        &with(|v| v["subject_token_type"] = json!("urn:ietf:params:oauth:token-type:access_token")),
        &l,
        "subject_token_type",
        Severity::Fail,
        &["Google tokens only"],
        &["urn:ietf:params:oauth:token-type:jwt"],
    );
    assert_eq!(
        lint_config(
            &with(|v| v["subject_token_type"] = json!("urn:ietf:params:oauth:token-type:id_token")),
            &l
        ),
        vec![]
    );
    expect(
        "http token_url",
        &with(|v| v["token_url"] = json!("http://sts.googleapis.com/v1/token")),
        &l,
        "token_url",
        Severity::Fail,
        &["not https"],
        &["https://sts.googleapis.com/v1/token"],
    );
    expect(
        "foreign token_url",
        &with(|v| v["token_url"] = json!("https://sts.evil.example/v1/token")),
        &l,
        "token_url",
        Severity::Warn,
        &[
            "security",
            "⟨sts.evil.example⟩",
            "validate externally supplied credential configurations",
        ],
        &["https://sts.googleapis.com/v1/token"],
    );
    expect(
        "other googleapis host",
        &with(|v| v["token_url"] = json!("https://oauth2.googleapis.com/token")),
        &l,
        "token_url",
        Severity::Warn,
        &["not an STS endpoint"],
        &[],
    );
    for ok in [
        "https://sts.us-east1.rep.googleapis.com/v1/token",
        "https://sts.mtls.googleapis.com/v1/token",
    ] {
        assert_eq!(
            lint_config(&with(|v| v["token_url"] = json!(ok)), &l),
            vec![],
            "{ok}"
        );
    }
    expect(
        "bad token_info_url",
        &with(|v| v["token_info_url"] = json!("http://sts.googleapis.com/v1/introspect")),
        &l,
        "token_info_url",
        Severity::Fail,
        &["not https"],
        &[],
    );
    expect(
        "universe",
        &with(|v| v["universe_domain"] = json!("example.com")),
        &l,
        "universe_domain",
        Severity::Warn,
        &["⟨example.com⟩"],
        &[],
    );
    expect(
        "workforce project",
        &with(|v| v["workforce_pool_user_project"] = json!("p")),
        &l,
        "workforce_pool_user_project",
        Severity::Fail,
        &["not a workforce pool"],
        &["remove"],
    );
}

#[test]
fn credential_source_rules() {
    let l = lc();
    expect(
        "missing",
        &with(|v| {
            v.as_object_mut().unwrap().remove("credential_source");
        }),
        &l,
        "credential_source",
        Severity::Fail,
        &["missing"],
        &["wif-doctor config --force"],
    );
    expect(
        "file and url",
        &with(|v| v["credential_source"]["file"] = json!("/tmp/token")),
        &l,
        "credential_source",
        Severity::Fail,
        &["file and url", "exactly one"],
        &[],
    );
    expect(
        "none",
        &with(|v| v["credential_source"] = json!({"format": {"type": "json"}})),
        &l,
        "credential_source",
        Severity::Fail,
        &["none of"],
        &[],
    );
    expect(
        "aws",
        &with(|v| v["credential_source"] = json!({"environment_id": "aws1"})),
        &l,
        "credential_source",
        Severity::Fail,
        &["AWS"],
        &[],
    );
    expect(
        "certificate",
        &with(|v| {
            v["credential_source"] =
                json!({"certificate": {"use_default_certificate_config": true}})
        }),
        &l,
        "credential_source",
        Severity::Fail,
        &["X.509"],
        &[],
    );
    expect(
        "executable",
        &with(|v| {
            v["credential_source"] =
                json!({"executable": {"command": "/usr/local/bin/get-token --verbose"}})
        }),
        &l,
        "credential_source.executable",
        Severity::Warn,
        &[
            "security",
            "⟨/usr/local/bin/get-token␠--verbose⟩",
            "validate externally supplied credential configurations",
        ],
        &["wif-doctor config --form executable --force"],
    );
    // wif-doctor's own command is not a stranger's: no security warning, and with the
    // opt-in in the app's environment nothing to report at all.
    let ours = with(|v| {
        v["credential_source"] = json!({"executable": {
            "command": "/home/site/wif-doctor subject-token --resource=api://x --deadline=28500ms",
            "timeout_millis": 30000,
            "output_file": "/home/.wif-doctor-token.json"
        }})
    });
    let allowed = LintContext {
        allow_executables: Some(("1".into(), "environment".into())),
        ..lc()
    };
    assert_eq!(lint_config(&ours, &allowed), vec![]);
    expect(
        "executable without the opt-in",
        &ours,
        &l,
        "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES",
        Severity::Fail,
        &["not set", "Executables need to be explicitly allowed"],
        &["GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1"],
    );
    expect(
        "no format",
        &with(|v| {
            v["credential_source"]
                .as_object_mut()
                .unwrap()
                .remove("format");
        }),
        &l,
        "credential_source.format",
        Severity::Fail,
        &["missing"],
        &["\"subject_token_field_name\": \"access_token\""],
    );
    expect(
        "text format",
        &with(|v| v["credential_source"]["format"]["type"] = json!("text")),
        &l,
        "credential_source.format",
        Severity::Fail,
        &["⟨text⟩"],
        &["\"type\": \"json\""],
    );
    expect(
        "wrong field",
        &with(|v| v["credential_source"]["format"]["subject_token_field_name"] = json!("token")),
        &l,
        "credential_source.format",
        Severity::Fail,
        &["⟨token⟩"],
        &["access_token"],
    );
}

#[test]
fn url_source_rules() {
    let l = lc();
    let issues = expect(
        "endpoint moved",
        &with(|v| {
            set_url(
                v,
                &format!(
                    "http://169.254.129.5:8081/msi/token?resource={RESOURCE}&api-version=2019-08-01"
                ),
            )
        }),
        &l,
        "credential_source.url",
        Severity::Fail,
        &[
            "endpoint moved",
            "http://169.254.129.5:8081/msi/token",
            ENDPOINT,
        ],
        &["wif-doctor config --force"],
    );
    assert_eq!(issues.len(), 1, "{issues:#?}");
    expect(
        "unknown host",
        &with(|v| {
            set_url(
                v,
                &format!(
                    "https://tokens.example.net/msi/token?resource={RESOURCE}&api-version=2019-08-01"
                ),
            )
        }),
        &LintContext {
            current_identity_endpoint: None,
            ..lc()
        },
        "credential_source.url",
        Severity::Warn,
        &[
            "security",
            "⟨tokens.example.net⟩",
            "validate externally supplied credential configurations",
        ],
        &[],
    );
    expect(
        "resource differs",
        &with(|v| {
            set_url(
                v,
                &format!(
                    "{ENDPOINT}?resource=https://management.azure.com/&api-version=2019-08-01"
                ),
            )
        }),
        &l,
        "credential_source.url",
        Severity::Warn,
        &["⟨https://management.azure.com/⟩", &format!("⟨{RESOURCE}⟩")],
        &[],
    );
    expect(
        "no resource",
        &with(|v| set_url(v, &format!("{ENDPOINT}?api-version=2019-08-01"))),
        &l,
        "credential_source.url",
        Severity::Fail,
        &["no resource="],
        &[RESOURCE],
    );
    expect(
        ".default",
        &with(|v| {
            set_url(
                v,
                &format!("{ENDPOINT}?resource={RESOURCE}/.default&api-version=2019-08-01"),
            )
        }),
        &l,
        "credential_source.url",
        Severity::Fail,
        &["/.default"],
        &[&format!("resource={RESOURCE}")],
    );
    expect(
        "no api-version",
        &with(|v| set_url(v, &format!("{ENDPOINT}?resource={RESOURCE}"))),
        &l,
        "credential_source.url",
        Severity::Fail,
        &["api-version"],
        &["2019-08-01"],
    );
    expect(
        "clientid",
        &with(|v| {
            set_url(
                v,
                &format!("{ENDPOINT}?resource={RESOURCE}&api-version=2019-08-01&clientid=x"),
            )
        }),
        &l,
        "credential_source.url",
        Severity::Fail,
        &["clientid="],
        &["client_id="],
    );
    expect(
        "legacy version with new header",
        &with(|v| {
            set_url(
                v,
                &format!("{ENDPOINT}?resource={RESOURCE}&api-version=2017-09-01"),
            )
        }),
        &l,
        "credential_source.headers",
        Severity::Fail,
        &["2017-09-01", "secret"],
        &["2019-08-01"],
    );
    expect(
        "no header",
        &with(|v| v["credential_source"]["headers"] = json!({})),
        &l,
        "credential_source.headers",
        Severity::Fail,
        &["no X-IDENTITY-HEADER"],
        &["wif-doctor config --force"],
    );
}

#[test]
fn identity_header_rules_never_show_the_value() {
    let l = lc();
    let stale =
        with(|v| v["credential_source"]["headers"]["X-IDENTITY-HEADER"] = json!(OLD_HEADER));
    expect(
        "stale header",
        &stale,
        &l,
        "credential_source.headers",
        Severity::Fail,
        &["differs from the current IDENTITY_HEADER (stale after a restart)"],
        &["wif-doctor config --force"],
    );
    expect(
        "placeholder",
        &with(|v| v["credential_source"]["headers"]["X-IDENTITY-HEADER"] = json!(REDACTED_HEADER)),
        &l,
        "credential_source.headers",
        Severity::Fail,
        &["placeholder"],
        &[],
    );
    // The header value in odd places (URL path and query) is still never shown.
    let leaky = with(|v| {
        set_url(
            v,
            &format!(
                "http://169.254.129.5:8081/{OLD_HEADER}/token?resource={HEADER}&api-version=2019-08-01"
            ),
        );
        v["credential_source"]["headers"]["X-IDENTITY-HEADER"] = json!(OLD_HEADER);
    });
    let issues = lint_config(&leaky, &l);
    assert!(issues.len() >= 3, "{issues:#?}");
    no_secret(&issues);
    let legacy = with(|v| {
        set_url(
            v,
            &format!("{ENDPOINT}/{OLD_HEADER}?resource={RESOURCE}&api-version=2017-09-01"),
        );
        v["credential_source"]["headers"] = json!({"secret": OLD_HEADER});
    });
    no_secret(&lint_config(&legacy, &l));
    // Debug of the context hides it too.
    let dbg = format!("{:?}", lc());
    assert!(
        !dbg.contains(HEADER) && dbg.contains(REDACTED_HEADER),
        "{dbg}"
    );
    // Every other test case in this file also runs `no_secret` through `expect`.
}

#[test]
fn impersonation_rules() {
    let l = lc();
    let url = |email: &str| {
        format!(
            "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/{email}:generateAccessToken"
        )
    };
    assert_eq!(
        lint_config(
            &with(|v| v["service_account_impersonation_url"] = json!(url(SA))),
            &l
        ),
        vec![]
    );
    expect(
        "stray quote",
        &with(|v| v["service_account_impersonation_url"] = json!(url(&format!("%22{SA}%22")))),
        &l,
        "service_account_impersonation_url",
        Severity::Fail,
        &[&format!("⟨\"{SA}\"⟩")],
        &[SA],
    );
    expect(
        "http",
        &with(|v| {
            v["service_account_impersonation_url"] = json!(url(SA).replace("https:", "http:"))
        }),
        &l,
        "service_account_impersonation_url",
        Severity::Fail,
        &["not https"],
        &[],
    );
    expect(
        "id token",
        &with(|v| {
            v["service_account_impersonation_url"] =
                json!(url(SA).replace("generateAccessToken", "generateIdToken"))
        }),
        &l,
        "service_account_impersonation_url",
        Severity::Fail,
        &["generateIdToken"],
        &[":generateAccessToken"],
    );
    expect(
        "project segment",
        &with(|v| {
            v["service_account_impersonation_url"] =
                json!(url(SA).replace("/projects/-/", "/projects/my-proj/"))
        }),
        &l,
        "service_account_impersonation_url",
        Severity::Fail,
        &["`-`"],
        &[],
    );
    expect(
        "foreign host",
        &with(|v| {
            v["service_account_impersonation_url"] =
                json!(url(SA).replace("iamcredentials.googleapis.com", "iam.evil.example"))
        }),
        &l,
        "service_account_impersonation_url",
        Severity::Warn,
        &["security", "⟨iam.evil.example⟩"],
        &[],
    );
    expect(
        "not an SA",
        &with(|v| v["service_account_impersonation_url"] = json!(url("me@gmail.com"))),
        &l,
        "service_account_impersonation_url",
        Severity::Fail,
        &["⟨me@gmail.com⟩"],
        &[],
    );
    expect(
        "lifetime too long",
        &with(|v| {
            v["service_account_impersonation_url"] = json!(url(SA));
            v["service_account_impersonation"] = json!({"token_lifetime_seconds": 7200});
        }),
        &l,
        "service_account_impersonation.token_lifetime_seconds",
        Severity::Warn,
        &["7200", "allowServiceAccountCredentialLifetimeExtension"],
        &[],
    );
    expect(
        "lifetime too short",
        &with(|v| {
            v["service_account_impersonation_url"] = json!(url(SA));
            v["service_account_impersonation"] = json!({"token_lifetime_seconds": 100});
        }),
        &l,
        "service_account_impersonation.token_lifetime_seconds",
        Severity::Fail,
        &["100"],
        &["3600"],
    );
}
