use wif_doctor::gcp::{self, GoogleInputs, TokenFacts, derive};
use wif_doctor::i18n::{Lang, Text};

fn en_notes(notes: &[Text]) -> String {
    notes.iter().map(Text::en).collect::<Vec<_>>().join("\n")
}

fn ja_notes(notes: &[Text]) -> String {
    notes
        .iter()
        .map(|n| n.render(Lang::Ja))
        .collect::<Vec<_>>()
        .join("\n")
}

fn has_japanese(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'))
}

const TID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUB: &str = "3f1a9e5c-0b7d-4c2e-9a51-6d2f8e4b7c10";

fn inputs() -> GoogleInputs {
    GoogleInputs {
        project_number: Some("123456789012".into()),
        project_id: Some("my-proj".into()),
        pool: Some("azure-pool".into()),
        provider: Some("azure-mi".into()),
        service_account: None,
        token_url: gcp::defaults::TOKEN_URL.into(),
        universe_domain: gcp::defaults::UNIVERSE_DOMAIN.into(),
        subject_token_type: gcp::defaults::SUBJECT_TOKEN_TYPE.into(),
        location: Some("asia-northeast1".into()),
    }
}

fn facts() -> TokenFacts {
    TokenFacts {
        iss: Some(format!("https://sts.windows.net/{TID}/")),
        aud: vec!["api://gcp-wif-audience".into()],
        sub: Some(SUB.into()),
        tid: Some(TID.into()),
    }
}

#[test]
fn complete_inputs() {
    let v = derive(&inputs(), &facts());
    assert!(v.missing.is_empty(), "{:?}", v.missing);
    assert_eq!(v.issuer_uri, format!("https://sts.windows.net/{TID}/"));
    assert_eq!(v.allowed_audience, "api://gcp-wif-audience");
    assert_eq!(
        v.attribute_mapping,
        "google.subject=assertion.sub,attribute.subject=assertion.sub"
    );
    assert_eq!(v.subject, SUB);
    assert_eq!(
        v.provider_resource,
        "projects/123456789012/locations/global/workloadIdentityPools/azure-pool/providers/azure-mi"
    );
    assert_eq!(
        v.sts_audience,
        "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/providers/azure-mi"
    );
    assert_eq!(
        v.principal,
        format!(
            "principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/subject/{SUB}"
        )
    );
    assert_eq!(
        v.principal_set,
        format!(
            "principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/attribute.subject/{SUB}"
        )
    );
    assert_eq!(
        v.gcloud,
        vec![
            "gcloud services enable iam.googleapis.com sts.googleapis.com iamcredentials.googleapis.com cloudresourcemanager.googleapis.com aiplatform.googleapis.com --project=my-proj".to_string(),
            "gcloud iam workload-identity-pools create azure-pool --project=my-proj --location=global --display-name='Azure managed identities'".to_string(),
            format!("gcloud iam workload-identity-pools providers create-oidc azure-mi --project=my-proj --location=global --workload-identity-pool=azure-pool --issuer-uri=https://sts.windows.net/{TID}/ --allowed-audiences=api://gcp-wif-audience --attribute-mapping=google.subject=assertion.sub,attribute.subject=assertion.sub"),
            format!("gcloud projects add-iam-policy-binding my-proj --member=principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/attribute.subject/{SUB} --role=roles/aiplatform.user"),
        ]
    );
    // Terraform
    let tf = &v.terraform;
    assert!(tf.contains(r#"resource "google_iam_workload_identity_pool" "azure""#));
    assert!(tf.contains(r#"workload_identity_pool_id = "azure-pool""#));
    assert!(tf.contains(r#"workload_identity_pool_provider_id = "azure-mi""#));
    assert!(tf.contains(&format!(
        r#"issuer_uri        = "https://sts.windows.net/{TID}/""#
    )));
    assert!(tf.contains(r#"allowed_audiences = ["api://gcp-wif-audience"]"#));
    assert!(tf.contains(r#""google.subject"    = "assertion.sub""#));
    assert!(tf.contains(r#""attribute.subject" = "assertion.sub""#));
    assert!(tf.contains(r#"role    = "roles/aiplatform.user""#));
    assert!(tf.contains(&format!(
        r#"member  = "principalSet://iam.googleapis.com/${{google_iam_workload_identity_pool.azure.name}}/attribute.subject/{SUB}""#
    )));
    assert!(!tf.contains("google_service_account_iam_member"));
    assert_eq!(tf.matches('{').count(), tf.matches('}').count());
    // Issuer notes
    let notes = en_notes(&v.notes);
    assert!(
        notes.contains(&format!(
            "`https://sts.windows.net/{TID}` (no trailing slash), which is also accepted"
        )),
        "{notes}"
    );
    assert!(notes.contains("v1 vs v2 host mismatch is fatal"), "{notes}");
}

#[test]
fn json_field_names() {
    let v = serde_json::to_value(derive(&inputs(), &facts())).unwrap();
    for key in [
        "issuer_uri",
        "allowed_audience",
        "attribute_mapping",
        "subject",
        "provider_resource",
        "sts_audience",
        "principal",
        "principal_set",
        "gcloud",
        "terraform",
        "missing",
        "notes",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
}

#[test]
fn missing_settings_use_placeholders() {
    let v = derive(
        &GoogleInputs {
            project_number: None,
            project_id: Some("my-proj".into()),
            pool: None,
            provider: Some("  ".into()),
            ..inputs()
        },
        &facts(),
    );
    assert_eq!(
        v.sts_audience,
        "//iam.googleapis.com/projects/<PROJECT_NUMBER>/locations/global/workloadIdentityPools/<POOL_ID>/providers/<PROVIDER_ID>"
    );
    assert!(
        v.principal_set.contains("projects/<PROJECT_NUMBER>/")
            && v.principal_set.contains("/<POOL_ID>/")
    );
    let names: Vec<_> = v.missing.iter().map(|m| (m.name, m.flag, m.env)).collect();
    assert_eq!(
        names,
        vec![
            (
                "project_number",
                Some("--project-number"),
                Some("GCP_PROJECT_NUMBER")
            ),
            (
                "pool",
                Some("--pool"),
                Some("GCP_WORKLOAD_IDENTITY_POOL_ID")
            ),
            (
                "provider",
                Some("--provider"),
                Some("GCP_WORKLOAD_IDENTITY_PROVIDER_ID")
            ),
        ]
    );
    assert!(
        v.missing[0]
            .why
            .en()
            .contains("gcloud projects describe my-proj --format='value(projectNumber)'")
    );
    // Placeholders are shell-quoted so a pasted command cannot redirect.
    assert!(
        v.gcloud[1]
            .starts_with("gcloud iam workload-identity-pools create '<POOL_ID>' --project=my-proj")
    );
    assert!(
        v.gcloud[2].contains("create-oidc '<PROVIDER_ID>' ")
            && v.gcloud[2].contains("--workload-identity-pool='<POOL_ID>'")
    );
    assert!(
        v.gcloud[3]
            .contains("--member='principalSet://iam.googleapis.com/projects/<PROJECT_NUMBER>/")
    );
    assert!(
        v.terraform
            .contains(r#"workload_identity_pool_id = "<POOL_ID>""#)
    );
}

#[test]
fn nothing_given_at_all() {
    let v = derive(
        &GoogleInputs {
            token_url: String::new(),
            universe_domain: String::new(),
            subject_token_type: String::new(),
            ..GoogleInputs::default()
        },
        &TokenFacts::default(),
    );
    let names: Vec<_> = v.missing.iter().map(|m| m.name).collect();
    assert_eq!(
        names,
        vec![
            "project_number",
            "project_id",
            "pool",
            "provider",
            "issuer_uri",
            "allowed_audience",
            "subject"
        ]
    );
    assert_eq!(v.missing[1].flag, Some("--project-id"));
    assert_eq!(v.missing[1].env, Some("GCP_PROJECT_ID"));
    assert_eq!(v.missing[6].flag, None);
    assert!(v.missing[6].why.en().contains("`sub`"));
    assert_eq!(v.issuer_uri, "<ISSUER_URI>");
    assert_eq!(v.allowed_audience, "<AUDIENCE>");
    assert_eq!(v.subject, "<SUBJECT>");
    assert!(v.principal.ends_with("/subject/<SUBJECT>"));
    assert!(v.gcloud[0].ends_with("--project='<PROJECT_ID>'"));
    assert!(v.gcloud[2].contains("--issuer-uri='<ISSUER_URI>' --allowed-audiences='<AUDIENCE>'"));
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["missing"][0]["flag"], "--project-number");
    assert_eq!(json["missing"][6]["env"], serde_json::Value::Null);
}

#[test]
fn service_account_variant() {
    let v = derive(
        &GoogleInputs {
            service_account: Some("vertex@my-proj.iam.gserviceaccount.com".into()),
            ..inputs()
        },
        &facts(),
    );
    assert_eq!(v.gcloud.len(), 5);
    assert_eq!(
        v.gcloud[4],
        format!(
            "gcloud iam service-accounts add-iam-policy-binding vertex@my-proj.iam.gserviceaccount.com --member=principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/subject/{SUB} --role=roles/iam.workloadIdentityUser"
        )
    );
    assert!(
        v.terraform
            .contains(r#"resource "google_service_account_iam_member" "workload_identity_user""#)
    );
    assert!(v.terraform.contains(r#"service_account_id = "projects/my-proj/serviceAccounts/vertex@my-proj.iam.gserviceaccount.com""#));
    assert!(
        v.terraform
            .contains(r#"role               = "roles/iam.workloadIdentityUser""#)
    );
    assert!(v.terraform.contains(&format!(
        r#"member             = "principal://iam.googleapis.com/${{google_iam_workload_identity_pool.azure.name}}/subject/{SUB}""#
    )));
}

#[test]
fn v2_token_and_several_audiences() {
    let v = derive(
        &inputs(),
        &TokenFacts {
            iss: Some(format!("https://login.microsoftonline.com/{TID}/v2.0")),
            aud: vec![
                "0d7c2c2f-aaaa-bbbb-cccc-000000000001".into(),
                "other".into(),
            ],
            ..facts()
        },
    );
    assert_eq!(
        v.issuer_uri,
        format!("https://login.microsoftonline.com/{TID}/v2.0")
    );
    assert_eq!(v.allowed_audience, "0d7c2c2f-aaaa-bbbb-cccc-000000000001");
    let notes = en_notes(&v.notes);
    assert!(
        notes.contains(&format!(
            "`https://sts.windows.net/{TID}`) rejects this token"
        )),
        "{notes}"
    );
    assert!(
        notes.contains("2 audiences; allowed_audience uses the first"),
        "{notes}"
    );
    assert!(!notes.contains("no trailing slash"), "{notes}");
}

#[test]
fn invalid_settings_are_noted_not_fatal() {
    let v = derive(
        &GoogleInputs {
            project_number: Some("my-proj".into()),
            pool: Some("gcp-pool".into()),
            provider: Some("Azure".into()),
            ..inputs()
        },
        &facts(),
    );
    let notes = en_notes(&v.notes);
    assert!(
        notes.contains(
            "project number: \"my-proj\" is not a project number: this looks like a project ID"
        ),
        "{notes}"
    );
    assert!(
        notes.contains(r#"pool ID: "gcp-pool" can not start with "gcp-""#),
        "{notes}"
    );
    assert!(
        notes.contains("provider ID: \"Azure\" must contain only lowercase"),
        "{notes}"
    );
    assert!(v.missing.is_empty());
}

#[test]
fn from_decoded_jwt() {
    use base64::Engine as _;
    let enc = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let token = format!(
        "{}.{}.c2ln",
        enc(serde_json::json!({"alg": "RS256"})),
        enc(
            serde_json::json!({"iss": format!("https://sts.windows.net/{TID}/"), "aud": ["api://a"], "sub": SUB, "tid": TID})
        )
    );
    let jwt = wif_doctor::jwt::decode(&token).unwrap();
    assert_eq!(
        TokenFacts::from(&jwt),
        TokenFacts {
            aud: vec!["api://a".into()],
            ..facts()
        }
    );
}

#[test]
fn japanese_notes_and_reasons_keep_the_values() {
    // A v1 token (seed-procedure.md: iss https://sts.windows.net/{TENANT_ID}/) and a project
    // ID given as the number.
    let v = derive(
        &GoogleInputs {
            project_number: Some("my-proj".into()),
            pool: Some("gcp-pool".into()),
            ..inputs()
        },
        &facts(),
    );
    let ja = ja_notes(&v.notes);
    assert!(has_japanese(&ja), "{ja}");
    assert!(ja.contains("プロジェクト番号"), "{ja}");
    assert!(
        ja.contains("gcloud projects describe my-proj --format='value(projectNumber)'"),
        "{ja}"
    );
    assert!(ja.contains(r#""gcp-pool""#), "{ja}");
    assert!(
        ja.contains(&format!("https://sts.windows.net/{TID}")),
        "{ja}"
    );
    assert!(!has_japanese(&en_notes(&v.notes)));

    // Missing values: Japanese reasons, the same command.
    let v = derive(
        &GoogleInputs {
            project_number: None,
            ..inputs()
        },
        &TokenFacts::default(),
    );
    let why = v.missing[0].why.render(Lang::Ja);
    assert!(has_japanese(&why), "{why}");
    assert!(
        why.contains("gcloud projects describe my-proj --format='value(projectNumber)'"),
        "{why}"
    );
    assert!(
        v.missing
            .iter()
            .all(|m| has_japanese(&m.why.render(Lang::Ja)))
    );

    // Labels follow the language; the values and commands do not.
    for (label, _) in v.labelled() {
        assert!(
            has_japanese(&label.render(Lang::Ja)),
            "{}",
            label.render(Lang::En)
        );
        assert!(!has_japanese(&label.render(Lang::En)));
    }
    assert!(v.gcloud.iter().all(|c| !has_japanese(c)));
    assert!(!has_japanese(&v.terraform));
}

#[test]
fn validation_problems_in_both_languages() {
    let e = gcp::validate_pool_or_provider_id("Azure_Pool").unwrap_err();
    assert!(e.en().contains("(use lowercase)"), "{}", e.en());
    let ja = e.render(Lang::Ja);
    assert!(ja.contains(r#""Azure_Pool""#) && has_japanese(&ja), "{ja}");
    let e = gcp::validate_token_url("http://sts.googleapis.com/v1/token", "googleapis.com")
        .unwrap_err();
    assert!(e.render(Lang::Ja).contains("http") && has_japanese(&e.render(Lang::Ja)));
    let p = gcp::project_id_problem("123456").unwrap();
    assert!(p.en().starts_with("is all digits"), "{}", p.en());
    assert!(p.render(Lang::Ja).contains("プロジェクト番号"));
    let e = gcp::validate_service_account_email("a b@c.com").unwrap_err();
    assert!(e.en().contains("' '"), "{}", e.en());
    assert!(e.render(Lang::Ja).contains("' '"));
}
