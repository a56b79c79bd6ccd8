use serde_json::{Value, json};
use wif_doctor::gcp::{
    self, ConfigInputs, IdentityHeader, REDACTED_HEADER, RevealHeader, UserAssignedSelector,
    credential_config, defaults,
};

const AUDIENCE: &str = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/providers/azure-mi";
const HEADER: &str = "853b9a84-5bfa-4b22-a3f3-0b9a43d9ad8a";

fn inputs() -> ConfigInputs {
    ConfigInputs {
        universe_domain: defaults::UNIVERSE_DOMAIN.into(),
        credential_type: defaults::CREDENTIAL_TYPE.into(),
        audience: gcp::sts_audience("123456789012", "azure-pool", "azure-mi"),
        subject_token_type: defaults::SUBJECT_TOKEN_TYPE.into(),
        token_url: defaults::TOKEN_URL.into(),
        identity_endpoint: "http://169.254.129.4:8081/msi/token".into(),
        identity_header: IdentityHeader::new(HEADER),
        resource: defaults::RESOURCE.into(),
        api_version: defaults::API_VERSION.into(),
        user_assigned: None,
        subject_token_field_name: defaults::SUBJECT_TOKEN_FIELD_NAME.into(),
        service_account: None,
    }
}

/// The seed procedure's file, with its `{…}` placeholders.
fn seed() -> Value {
    json!({
      "universe_domain": "googleapis.com",
      "type": "external_account",
      "audience": "//iam.googleapis.com/projects/{PROJECT_NUMBER}/locations/global/workloadIdentityPools/{POOL_ID}/providers/{PROVIDER_ID}",
      "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
      "token_url": "https://sts.googleapis.com/v1/token",
      "credential_source": {
        "url": "{IDENTITY_ENDPOINT}?resource=https://management.azure.com/&api-version=2019-08-01",
        "headers": { "X-IDENTITY-HEADER": "{IDENTITY_HEADER}" },
        "format": { "type": "json", "subject_token_field_name": "access_token" }
      }
    })
}

/// Object keys in the order they appear in `json` text, per nesting path.
fn key_order(text: &str) -> Vec<String> {
    // Every `"key": ` at the start of a pretty-printed line.
    text.lines()
        .filter_map(|l| {
            let t = l.trim_start();
            let rest = t.strip_prefix('"')?;
            let end = rest.find("\": ")?;
            Some(format!("{}{}", " ".repeat(l.len() - t.len()), &rest[..end]))
        })
        .collect()
}

#[test]
fn matches_the_seed_field_for_field() {
    let cfg = credential_config(&ConfigInputs {
        audience: "//iam.googleapis.com/projects/{PROJECT_NUMBER}/locations/global/workloadIdentityPools/{POOL_ID}/providers/{PROVIDER_ID}".into(),
        identity_endpoint: "{IDENTITY_ENDPOINT}".into(),
        identity_header: IdentityHeader::new("{IDENTITY_HEADER}"),
        ..inputs()
    });
    let text = cfg.to_json(RevealHeader::Yes);
    let parsed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed, seed());
    assert!(text.ends_with("}\n"));
    assert_eq!(
        key_order(&text),
        vec![
            "  universe_domain",
            "  type",
            "  audience",
            "  subject_token_type",
            "  token_url",
            "  credential_source",
            "    url",
            "    headers",
            "      X-IDENTITY-HEADER",
            "    format",
            "      type",
            "      subject_token_field_name",
        ]
    );
}

#[test]
fn real_endpoint_and_header() {
    let cfg = credential_config(&inputs());
    let v: Value = serde_json::from_str(&cfg.to_json(RevealHeader::Yes)).unwrap();
    assert_eq!(v["audience"], AUDIENCE);
    assert_eq!(
        v["credential_source"]["url"],
        "http://169.254.129.4:8081/msi/token?resource=https://management.azure.com/&api-version=2019-08-01"
    );
    assert_eq!(
        v["credential_source"]["headers"]["X-IDENTITY-HEADER"],
        HEADER
    );
    assert!(v.get("service_account_impersonation_url").is_none());
    assert!(v.get("token_info_url").is_none());
}

#[test]
fn header_is_redacted_when_printing() {
    let cfg = credential_config(&inputs());
    let printed = cfg.to_json(RevealHeader::No);
    assert!(!printed.contains(HEADER));
    let v: Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(
        v["credential_source"]["headers"]["X-IDENTITY-HEADER"],
        REDACTED_HEADER
    );
    assert_eq!(REDACTED_HEADER, "<IDENTITY_HEADER: redacted>");
    // Plain Serialize and Debug never reveal it either.
    assert!(!serde_json::to_string(&cfg).unwrap().contains(HEADER));
    assert!(!format!("{cfg:?}").contains(HEADER));
    assert!(!format!("{:?}", inputs()).contains(HEADER));
    assert_eq!(cfg.credential_source.identity_header.expose(), HEADER);
}

#[test]
fn impersonation_variant() {
    let cfg = credential_config(&ConfigInputs {
        service_account: Some("vertex@my-proj.iam.gserviceaccount.com".into()),
        ..inputs()
    });
    let text = cfg.to_json(RevealHeader::Yes);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        v["service_account_impersonation_url"],
        "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/vertex@my-proj.iam.gserviceaccount.com:generateAccessToken"
    );
    assert_eq!(
        key_order(&text).last().unwrap(),
        "  service_account_impersonation_url"
    );
    // Universe-aware.
    assert_eq!(
        gcp::service_account_impersonation_url(
            "example-universe.com",
            "sa@p.iam.gserviceaccount.com"
        ),
        "https://iamcredentials.example-universe.com/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken"
    );
    // An empty service account means none.
    let cfg = credential_config(&ConfigInputs {
        service_account: Some(" ".into()),
        ..inputs()
    });
    assert_eq!(cfg.service_account_impersonation_url, None);
}

#[test]
fn resource_is_percent_encoded_where_needed() {
    let url = |resource: &str| {
        credential_config(&ConfigInputs {
            resource: resource.into(),
            ..inputs()
        })
        .credential_source
        .url
    };
    // Characters legal in a query stay readable, as in the seed and gcloud's output.
    assert_eq!(
        url("api://1b4f5c7e-0000-4000-8000-00000000abcd"),
        "http://169.254.129.4:8081/msi/token?resource=api://1b4f5c7e-0000-4000-8000-00000000abcd&api-version=2019-08-01"
    );
    // Ones that would change the query's meaning are encoded.
    assert_eq!(
        url("api://contoso/app name?x=1&y+z#f%"),
        "http://169.254.129.4:8081/msi/token?resource=api://contoso/app%20name?x%3D1%26y%2Bz%23f%25&api-version=2019-08-01"
    );
    assert_eq!(
        url("api://tenant/ünïcode"),
        "http://169.254.129.4:8081/msi/token?resource=api://tenant/%C3%BCn%C3%AFcode&api-version=2019-08-01"
    );
    // The result parses back to the original resource.
    let parsed = url::Url::parse(&url("api://contoso/app name?x=1&y+z#f%")).unwrap();
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    // form-urlencoded parsing turns a literal '+' into a space, so the '+' must be %2B.
    assert_eq!(
        pairs[0],
        (
            "resource".into(),
            "api://contoso/app name?x=1&y+z#f%".into()
        )
    );
    assert_eq!(pairs[1], ("api-version".into(), "2019-08-01".into()));
}

#[test]
fn user_assigned_selectors() {
    let url = |sel: UserAssignedSelector| {
        credential_config(&ConfigInputs {
            user_assigned: Some(sel),
            ..inputs()
        })
        .credential_source
        .url
    };
    let base = "http://169.254.129.4:8081/msi/token?resource=https://management.azure.com/&api-version=2019-08-01";
    assert_eq!(
        url(UserAssignedSelector::ClientId("cid".into())),
        format!("{base}&client_id=cid")
    );
    assert_eq!(
        url(UserAssignedSelector::PrincipalId("oid".into())),
        format!("{base}&principal_id=oid")
    );
    assert_eq!(
        url(UserAssignedSelector::ResourceId(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id".into()
        )),
        format!("{base}&mi_res_id=/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id")
    );
}

#[test]
fn endpoint_with_existing_query_and_odd_values() {
    let cfg = credential_config(&ConfigInputs {
        identity_endpoint: " http://localhost:42356/msi/token?x=1 ".into(),
        ..inputs()
    });
    assert_eq!(
        cfg.credential_source.url,
        "http://localhost:42356/msi/token?x=1&resource=https://management.azure.com/&api-version=2019-08-01"
    );
    // Not a URL at all: used verbatim, never a panic.
    let cfg = credential_config(&ConfigInputs {
        identity_endpoint: String::new(),
        ..inputs()
    });
    assert_eq!(
        cfg.credential_source.url,
        "?resource=https://management.azure.com/&api-version=2019-08-01"
    );
}
