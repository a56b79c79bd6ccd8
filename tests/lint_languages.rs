//! The static lints in both languages (issue 10): every issue renders in English without
//! Japanese and in Japanese with Japanese, and both renderings keep every value (the actual
//! wrong value, the expected one, the exact command) verbatim.

use serde_json::{Value, json};
use wif_doctor::diagnose::{Issue, LintContext, SettingsLintInput, lint_config, lint_settings};
use wif_doctor::gcp::{ConfigInputs, IdentityHeader, RevealHeader, credential_config, defaults};
use wif_doctor::i18n::{Arg, Lang, Piece, Text};

const AUD: &str = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/providers/azure-mi";
const HEADER: &str = "853b9a84-5bfa-4b22-a3f3-0b9a43d9ad8a";
const ENDPOINT: &str = "http://169.254.129.4:8081/msi/token";
const RESOURCE: &str = "api://11112222-3333-4444-5555-666677778888";

fn has_japanese(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
    })
}

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

fn good() -> Value {
    let text = credential_config(&ConfigInputs {
        universe_domain: defaults::UNIVERSE_DOMAIN.into(),
        credential_type: defaults::CREDENTIAL_TYPE.into(),
        audience: AUD.into(),
        subject_token_type: defaults::SUBJECT_TOKEN_TYPE.into(),
        token_url: defaults::TOKEN_URL.into(),
        identity_endpoint: ENDPOINT.into(),
        identity_header: IdentityHeader::new(HEADER),
        resource: RESOURCE.into(),
        api_version: defaults::API_VERSION.into(),
        user_assigned: None,
        subject_token_field_name: defaults::SUBJECT_TOKEN_FIELD_NAME.into(),
        service_account: None,
    })
    .to_json(RevealHeader::Yes);
    serde_json::from_str(&text).unwrap()
}

fn with(f: impl FnOnce(&mut Value)) -> String {
    let mut v = good();
    f(&mut v);
    v.to_string()
}

/// Every verbatim value in a text, nested messages included.
fn values(t: &Text, out: &mut Vec<String>) {
    for p in &t.0 {
        match p {
            Piece::Value(v) => out.push(v.clone()),
            Piece::Msg(m) => {
                for (_, a) in &m.args {
                    match a {
                        Arg::Value(v) => out.push(v.clone()),
                        Arg::Text(t) => values(t, out),
                    }
                }
            }
            Piece::Space | Piece::Break => {}
        }
    }
}

/// A set of broken files: together they reach most config rules.
fn broken_configs() -> Vec<(String, LintContext)> {
    let vm = LintContext {
        on_app_service: false,
        ..lc()
    };
    let exe = LintContext {
        app_name: Some("my-app".into()),
        ..lc()
    };
    let mut out = vec![
        ("\u{FEFF}{}".to_string(), lc()),
        ("".into(), lc()),
        ("{\"type\": ".into(), lc()),
        ("[1, 2]".into(), lc()),
        (with(|v| v["type"] = json!("service_account")), lc()),
        (
            with(|v| v["audience"] = json!(AUD.replace("123456789012", "999999999999"))),
            lc(),
        ),
        (
            with(|v| v["audience"] = json!(AUD.replace("123456789012", "my-project"))),
            lc(),
        ),
        (
            with(|v| v["audience"] = json!(format!("https:{AUD}"))),
            lc(),
        ),
        (
            with(|v| v["audience"] = json!(AUD.replace("/providers/azure-mi", ""))),
            lc(),
        ),
        (with(|v| v["audience"] = json!(format!(" {AUD}\n"))), lc()),
        (
            with(|v| {
                v["subject_token_type"] = json!("urn:ietf:params:oauth:token-type:access_token")
            }),
            lc(),
        ),
        (
            with(|v| v["token_url"] = json!("http://sts.googleapis.com/v1/token")),
            lc(),
        ),
        (
            with(|v| v["token_url"] = json!("https://evil.example/v1/token")),
            lc(),
        ),
        (with(|v| v["universe_domain"] = json!("example.com")), lc()),
        (
            with(|v| {
                v["credential_source"]["url"] = json!(
                    "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=api://x"
                )
            }),
            lc(),
        ),
        (
            with(|v| {
                v["credential_source"]["url"] = json!(
                    "http://127.0.0.1:41234/msi/token?api-version=2019-08-01&resource=api://x/.default"
                )
            }),
            lc(),
        ),
        (
            with(|v| v["credential_source"]["url"] = json!("http://169.254.129.4:8081/msi/token")),
            vm.clone(),
        ),
        (
            with(|v| {
                v["credential_source"]["headers"]["X-IDENTITY-HEADER"] =
                    json!("0f0e0d0c-aaaa-4bbb-8ccc-123456789abc")
            }),
            lc(),
        ),
        (
            with(|v| {
                v["credential_source"]["headers"]["X-IDENTITY-HEADER"] = json!("<IDENTITY_HEADER>")
            }),
            lc(),
        ),
        (
            with(|v| v["credential_source"]["format"] = json!({"type": "text"})),
            lc(),
        ),
        (
            with(|v| v["credential_source"]["file"] = json!("/tmp/token")),
            lc(),
        ),
        (
            with(|v| {
                v["credential_source"] =
                    json!({"executable": {"command": "token.sh \"a b\"", "timeout_millis": 1}});
            }),
            exe,
        ),
        (
            with(|v| {
                v["service_account_impersonation_url"] = json!(
                    "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/serviceAccount:Wif-SA@my-proj.iam.gserviceaccount.com:generateAccessToken"
                )
            }),
            lc(),
        ),
        (
            with(|v| {
                v["service_account_impersonation_url"] = json!(
                    "https://iamcredentials.googleapis.com/v1/projects/p/serviceAccounts/x:generateIdToken"
                )
            }),
            lc(),
        ),
        (
            with(|v| v["service_account_impersonation"] = json!({"token_lifetime_seconds": 7200})),
            lc(),
        ),
    ];
    out.extend(more_configs());
    out
}

/// The rest of the rules, one input each.
fn more_configs() -> Vec<(String, LintContext)> {
    let aud = |a: &str| with(|v| v["audience"] = json!(a));
    let url = |u: &str| with(|v| v["credential_source"]["url"] = json!(u));
    let headers = |h: Value| with(|v| v["credential_source"]["headers"] = h);
    let cs = |c: Value| with(|v| v["credential_source"] = c);
    let imp = |u: &str| with(|v| v["service_account_impersonation_url"] = json!(u));
    let sa = |e: &str| {
        imp(&format!(
            "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/{e}:generateAccessToken"
        ))
    };
    let no_endpoint = LintContext {
        current_identity_endpoint: None,
        ..lc()
    };
    let exe_denied = LintContext {
        allow_executables: Some(("0".into(), "process 1, /proc/1/environ".into())),
        ..lc()
    };
    let pool_differs = LintContext {
        expected_audience: Some(AUD.replace("azure-pool", "other-pool")),
        ..lc()
    };
    let mut out: Vec<(String, LintContext)> = [
        aud("//iam.googleapis.com/locations/global/workforcePools/p/providers/x"),
        aud("azure-mi"),
        aud(&AUD.replace("//iam.googleapis.com/", "")),
        aud(&AUD.replace("//iam.googleapis.com/", "iam.googleapis.com/")),
        aud(&AUD.replace("/global/", "/us-central1/")),
        aud(&AUD.replace("/providers/azure-mi", "/providers/Azure_MI")),
        aud(&AUD.replace("/azure-pool/", "/gcp-pool/")),
        aud(&format!("{AUD}/extra")),
        with(|v| v["audience"] = json!(5)),
        with(|v| v["type"] = json!("authorized_user")),
        with(|v| v["type"] = json!("external_account_authorized_user")),
        with(|v| v["type"] = json!("impersonated_service_account")),
        with(|v| v["type"] = json!(7)),
        "{,}".to_string(),
        with(|v| v["subject_token_type"] = json!("urn:x")),
        with(|v| v["token_url"] = json!("not a url")),
        with(|v| v["token_url"] = json!(" https://sts.googleapis.com/v1/token")),
        with(|v| v["token_url"] = json!("https://sts.googleapis.com/v2/token")),
        with(|v| v["workforce_pool_user_project"] = json!("p")),
        cs(json!({})),
        cs(json!({"environment_id": "aws1"})),
        cs(json!({"certificate": {}})),
        cs(json!("x")),
        cs(json!({"executable": {}})),
        cs(json!({"executable": 5})),
        cs(json!({"executable": {"command": "/usr/local/bin/wif-doctor subject-token", "output_file": "rel.json"}})),
        cs(json!({"url": 5, "format": {"type": "json", "subject_token_field_name": "access_token"}})),
        cs(json!({"url": "http://[::1", "format": {"type": "json", "subject_token_field_name": "access_token"}})),
        with(|v| {
            v["credential_source"]
                .as_object_mut()
                .unwrap()
                .remove("format");
        }),
        url("ftp://169.254.129.4:8081/msi/token?api-version=2019-08-01&resource=api://x"),
        url("http://evil.example/msi/token?api-version=2019-08-01&resource=api://x"),
        url("http://169.254.129.4:8081/msi/token?api-version=2019-08-01&resource=api://x&clientid=c"),
        url("http://169.254.129.4:8081/msi/token?api-version=2017-09-01&resource=api://x&client_id=c"),
        headers(json!({})),
        headers(json!({"secret": "abcd1234"})),
        headers(json!({"X-IDENTITY-HEADER": 5})),
        imp("http://iamcredentials.googleapis.com/v1/x"),
        imp("https://foo.googleapis.com/v1/x"),
        imp("https://evil.example/v1/x"),
        imp("https://iamcredentials.googleapis.com/v1/projects/p/serviceAccounts/x:generateAccessToken"),
        with(|v| v["service_account_impersonation_url"] = json!(5)),
        with(|v| v["service_account_impersonation"] = json!({"token_lifetime_seconds": 60})),
        sa("Wif-SA@my-proj.iam.gserviceaccount.com"),
        sa("wifsa"),
        sa("wif-sa@"),
        sa("wif-sa@1proj.iam.gserviceaccount.com"),
        sa("ab@my-proj.iam.gserviceaccount.com"),
        sa("123@cloudservices.gserviceaccount.com"),
        sa("wif@example.com"),
    ]
    .into_iter()
    .map(|t| (t, lc()))
    .collect();
    out.push((
        url("http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=api://x"),
        no_endpoint,
    ));
    out.push((
        cs(json!({"executable": {"command": "/usr/local/bin/wif-doctor subject-token"}})),
        exe_denied,
    ));
    out.push((with(|_| {}), pool_differs));
    out
}

fn broken_settings() -> Vec<SettingsLintInput> {
    let base = SettingsLintInput {
        project_number: Some("123456789012".into()),
        project_id: Some("my-proj".into()),
        pool: Some("azure-pool".into()),
        provider: Some("azure-mi".into()),
        service_account: None,
        resource: Some(RESOURCE.into()),
        audience: None,
    };
    vec![
        SettingsLintInput {
            project_number: Some("my-project".into()),
            ..base.clone()
        },
        SettingsLintInput {
            project_number: Some(AUD.into()),
            ..base.clone()
        },
        SettingsLintInput {
            project_id: Some("My First Project".into()),
            ..base.clone()
        },
        SettingsLintInput {
            pool: Some("azure-pool \r\n".into()),
            provider: Some(AUD.replace("123456789012", "555555555555")),
            ..base.clone()
        },
        SettingsLintInput {
            pool: Some("Azure_Pool".into()),
            ..base.clone()
        },
        SettingsLintInput {
            service_account: Some(
                "serviceAccount:\u{200B}wif-sa@my-proj.iam.gserviceaccount.com".into(),
            ),
            ..base.clone()
        },
        SettingsLintInput {
            resource: Some("api://11112222-3333-4444-5555-666677778888/.default".into()),
            ..base.clone()
        },
        SettingsLintInput {
            resource: Some("https://graph.microsoft.com".into()),
            ..base.clone()
        },
        SettingsLintInput {
            audience: Some(AUD.replace("azure-mi", "other-provider")),
            ..base.clone()
        },
        SettingsLintInput {
            project_number: Some("12ab!".into()),
            project_id: Some("123456".into()),
            ..base.clone()
        },
        SettingsLintInput {
            project_number: Some("123456789012 ".into()),
            project_id: Some("\"a\"".into()),
            resource: Some(" https://management.azure.com/".into()),
            ..base.clone()
        },
        SettingsLintInput {
            pool: Some("principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/attribute.subject/x".into()),
            provider: Some("principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/subject/x".into()),
            resource: Some("https://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/providers/azure-mi".into()),
            ..base.clone()
        },
        SettingsLintInput {
            pool: Some("https://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool".into()),
            provider: Some("a/b".into()),
            ..base.clone()
        },
        SettingsLintInput {
            pool: Some("projects/123456789012/locations/global/workloadIdentityPools/azure-pool/x/y".into()),
            provider: Some("gcp-x".into()),
            ..base.clone()
        },
        SettingsLintInput {
            pool: Some("//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool".into()),
            ..base.clone()
        },
    ]
}

fn all_issues() -> Vec<Issue> {
    let mut out: Vec<Issue> = broken_configs()
        .iter()
        .flat_map(|(text, lc)| lint_config(text, lc))
        .collect();
    out.extend(broken_settings().iter().flat_map(lint_settings));
    out
}

#[test]
fn every_lint_renders_in_both_languages_and_keeps_every_value() {
    let issues = all_issues();
    assert!(
        issues.len() >= 40,
        "the corpus reaches many rules: {}",
        issues.len()
    );
    let mut keys = std::collections::BTreeSet::new();
    for i in &issues {
        for t in [&i.message, &i.fix] {
            let (en, ja) = (t.en(), t.render(Lang::Ja));
            assert!(
                !has_japanese(&en),
                "{}: English has Japanese: {en}",
                i.field
            );
            assert!(
                has_japanese(&ja),
                "{}: Japanese has none: {ja} (en: {en})",
                i.field
            );
            assert!(
                !en.contains("lint.") && !en.contains("audience.paste"),
                "a key leaked: {en}"
            );
            let mut vs = Vec::new();
            values(t, &mut vs);
            for v in vs.iter().filter(|v| !v.trim().is_empty()) {
                assert!(en.contains(v.as_str()), "{}: en lost {v:?}: {en}", i.field);
                assert!(ja.contains(v.as_str()), "{}: ja lost {v:?}: {ja}", i.field);
            }
            keys.extend(t.keys().into_iter().map(str::to_string));
        }
        // The identity header is never in any rendering.
        assert!(!i.message.render(Lang::Ja).contains(HEADER));
        assert!(!i.fix.render(Lang::Ja).contains(HEADER));
    }
    assert!(
        keys.len() >= 60,
        "distinct messages reached: {}",
        keys.len()
    );
}

fn find<'a>(issues: &'a [Issue], field: &str, en_part: &str) -> &'a Issue {
    issues
        .iter()
        .find(|i| i.field == field && i.message.en().contains(en_part))
        .unwrap_or_else(|| panic!("no {field} issue with {en_part:?}: {issues:#?}"))
}

#[test]
fn japanese_audience_mismatch_compares_file_and_settings_and_names_the_causes() {
    let file_aud = AUD.replace("123456789012", "999999999999");
    let issues = lint_config(&with(|v| v["audience"] = json!(file_aud)), &lc());
    let i = find(&issues, "audience", "but the settings give");
    let ja = i.message.render(Lang::Ja);
    assert!(ja.contains(&format!("⟨{file_aud}⟩")), "{ja}");
    assert!(ja.contains(&format!("⟨{AUD}⟩")), "{ja}");
    assert!(
        ja.contains("プロジェクト番号: こちらは 999999999999、設定は 123456789012"),
        "{ja}"
    );
    assert!(ja.contains("考えられる原因"), "{ja}");
    assert!(
        ja.contains("gcloud iam workload-identity-pools providers describe azure-mi --project=999999999999 --location=global --workload-identity-pool=azure-pool --format=json"),
        "{ja}"
    );
    assert!(i.fix.render(Lang::Ja).contains(AUD));
    let en = i.message.en();
    assert!(
        en.contains("Project number: 999999999999 here, 123456789012 in the settings."),
        "{en}"
    );
    assert!(en.contains("most likely first"), "{en}");
}

#[test]
fn japanese_endpoint_moved_names_both_addresses_and_the_regenerate_command() {
    let moved = "http://127.0.0.1:41234/msi/token?api-version=2019-08-01&resource=api://x";
    let issues = lint_config(
        &with(|v| v["credential_source"]["url"] = json!(moved)),
        &lc(),
    );
    let i = find(&issues, "credential_source.url", "endpoint moved");
    let ja = i.message.render(Lang::Ja);
    assert!(ja.contains("http://127.0.0.1:41234/msi/token"), "{ja}");
    assert!(ja.contains(ENDPOINT), "{ja}");
    assert!(
        ja.contains("考えられる原因") && ja.contains("再起動"),
        "{ja}"
    );
    assert!(
        i.fix
            .render(Lang::Ja)
            .contains("`wif-doctor config --force`")
    );
}

#[test]
fn japanese_allow_executables_names_the_variable_and_the_az_command() {
    let exe = LintContext {
        app_name: Some("my-app".into()),
        ..lc()
    };
    let text = with(|v| {
        v["credential_source"] =
            json!({"executable": {"command": "/usr/local/bin/wif-doctor subject-token"}})
    });
    let issues = lint_config(&text, &exe);
    let i = find(
        &issues,
        "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES",
        "not set",
    );
    let ja = i.message.render(Lang::Ja);
    assert!(
        ja.contains("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES の値: 未設定"),
        "{ja}"
    );
    assert!(
        ja.contains("Executables need to be explicitly allowed"),
        "the library's words stay: {ja}"
    );
    let fix = i.fix.render(Lang::Ja);
    assert!(fix.contains("アプリケーション設定"), "{fix}");
    assert!(
        fix.contains("az webapp config appsettings set -g <RESOURCE_GROUP> -n my-app --settings GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1"),
        "{fix}"
    );
}

#[test]
fn japanese_settings_lints_keep_the_wrong_value_and_the_command() {
    let issues = lint_settings(&SettingsLintInput {
        project_number: Some("my-project".into()),
        pool: Some("azure-pool ".into()),
        service_account: Some("serviceAccount:wif-sa@my-proj.iam.gserviceaccount.com".into()),
        resource: Some("api://app/.default".into()),
        ..Default::default()
    });
    let n = find(&issues, "project_number", "is a project ID");
    let ja = n.message.render(Lang::Ja);
    assert!(
        ja.contains("⟨my-project⟩") && ja.contains("プロジェクト番号"),
        "{ja}"
    );
    assert!(
        n.fix
            .render(Lang::Ja)
            .contains("gcloud projects describe my-project --format='value(projectNumber)'")
    );

    let p = find(&issues, "pool", "copy/paste");
    let ja = p.message.render(Lang::Ja);
    assert!(
        ja.contains("⟨azure-pool␠⟩") && ja.contains("前後の空白"),
        "{ja}"
    );
    assert!(p.fix.render(Lang::Ja).contains("⟨azure-pool⟩"));

    let s = find(&issues, "service_account", "prefix of an IAM member");
    assert!(s.message.render(Lang::Ja).contains("\"serviceAccount:\""));
    assert!(
        s.fix
            .render(Lang::Ja)
            .contains("wif-sa@my-proj.iam.gserviceaccount.com")
    );

    let r = find(&issues, "resource", "/.default");
    assert!(r.message.render(Lang::Ja).contains("AADSTS500011"));
    assert!(r.fix.render(Lang::Ja).contains("--resource=api://app"));
}

#[test]
fn settings_errors_render_in_both_languages() {
    let e = wif_doctor::settings::parse_resolve("sts.googleapis.com").unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid --resolve sts.googleapis.com: expected HOST=ADDR:PORT"
    );
    let ja = e.text().render(Lang::Ja);
    assert!(
        ja.contains("--resolve") && ja.contains("sts.googleapis.com"),
        "{ja}"
    );
    assert!(ja.contains("HOST=ADDR:PORT") && has_japanese(&ja), "{ja}");
}

#[test]
fn paste_problems_and_labels_follow_the_language() {
    let root = tempfile::tempdir().unwrap();
    let args = wif_doctor::settings::SettingsArgs {
        pool: Some("\"azure-pool\" ".into()),
        sysroot: Some(root.path().into()),
        ..Default::default()
    };
    let s = wif_doctor::settings::Settings::resolve(&args, &Default::default()).unwrap();
    let a = s.adjustments().pop().unwrap();
    assert_eq!(a.label.render(Lang::En), "pool ID");
    assert_eq!(a.label.render(Lang::Ja), "プール ID");
    assert_eq!(
        a.problems_text().en(),
        "leading or trailing whitespace, quotes around it"
    );
    assert_eq!(
        a.problems_text().render(Lang::Ja),
        "前後の空白、前後の引用符"
    );
    let missing = wif_doctor::settings::appsettings::missing(&s);
    assert!(
        missing
            .iter()
            .any(|m| m.name.render(Lang::Ja) == "プロジェクト番号"
                && m.why.render(Lang::Ja).contains("STS"))
    );
}

#[test]
fn zz_unreached() {
    let mut keys = std::collections::BTreeSet::new();
    for i in all_issues() {
        keys.extend(i.message.keys().into_iter().map(str::to_string));
        keys.extend(i.fix.keys().into_iter().map(str::to_string));
    }
    let (all, _) = wif_doctor::i18n::entries();
    for (k, _) in all {
        if (k.starts_with("lint.") || k.starts_with("audience.")) && !keys.contains(k) {
            println!("UNREACHED {k}");
        }
    }
}

/// Message keys no lint input produces: commands built by `diagnose::Context` for other
/// checks, texts for response bodies (unit-tested in src/diagnose/text.rs), and JSON error
/// kinds `serde_json` does not produce when parsing text into a `Value`.
const NOT_LINTS: &[&str] = &[
    "lint.cmd.update_oidc",
    "lint.snippet.html_title",
    "lint.snippet.empty",
    "lint.config.json_io",
    "lint.config.json_data",
];

/// Each lint has a test: some input of the corpus above produces every message.
#[test]
fn every_lint_message_is_reached_by_the_corpus() {
    let mut keys = std::collections::BTreeSet::new();
    for i in all_issues() {
        keys.extend(i.message.keys().into_iter().map(str::to_string));
        keys.extend(i.fix.keys().into_iter().map(str::to_string));
    }
    let (all, _) = wif_doctor::i18n::entries();
    let unreached: Vec<&str> = all
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| k.starts_with("lint.") || k.starts_with("audience."))
        .filter(|k| !keys.contains(*k) && !NOT_LINTS.contains(k))
        .collect();
    assert!(
        unreached.is_empty(),
        "no test input reaches: {unreached:#?}"
    );
}
