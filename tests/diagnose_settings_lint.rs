//! Settings lint: one case per rule.

use wif_doctor::diagnose::{Issue, SettingsLintInput, Severity, lint_settings, visible};

const AUD: &str = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/providers/azure-mi";

fn good() -> SettingsLintInput {
    SettingsLintInput {
        project_number: Some("123456789012".into()),
        project_id: Some("my-proj".into()),
        pool: Some("azure-pool".into()),
        provider: Some("azure-mi".into()),
        service_account: Some("wif-sa@my-proj.iam.gserviceaccount.com".into()),
        resource: Some("api://11112222-3333-4444-5555-666677778888".into()),
        audience: Some(AUD.into()),
    }
}

fn with(f: impl FnOnce(&mut SettingsLintInput)) -> SettingsLintInput {
    let mut i = good();
    f(&mut i);
    i
}

/// Exactly the issues for `field`, and at least one with `severity` whose message and fix
/// contain the given parts.
fn expect(
    name: &str,
    input: SettingsLintInput,
    field: &str,
    severity: Severity,
    message: &[&str],
    fix: &[&str],
) {
    let issues = lint_settings(&input);
    let mine: Vec<&Issue> = issues.iter().filter(|i| i.field == field).collect();
    let others: Vec<&Issue> = issues.iter().filter(|i| i.field != field).collect();
    assert!(
        others.is_empty(),
        "{name}: unexpected issues on other fields: {others:#?}"
    );
    let hit = mine.iter().find(|i| {
        i.severity == severity
            && message.iter().all(|m| i.message.en().contains(m))
            && fix.iter().all(|f| i.fix.en().contains(f))
    });
    assert!(
        hit.is_some(),
        "{name}: no {severity:?} issue on {field} with {message:?} / {fix:?}; got {mine:#?}"
    );
}

#[test]
fn clean_settings_have_no_issues() {
    assert_eq!(lint_settings(&good()), vec![]);
    assert_eq!(lint_settings(&SettingsLintInput::default()), vec![]);
}

#[test]
fn visible_marks_whitespace_and_invisibles() {
    assert_eq!(visible(" azure-pool"), "⟨␠azure-pool⟩");
    assert_eq!(visible("a\tb\r\n"), "⟨a␉b␍␤⟩");
    assert_eq!(visible("\"x\""), "⟨\"x\"⟩");
    assert_eq!(visible("a\u{200B}b"), "⟨a<U+200B>b⟩");
}

#[test]
fn project_number_rules() {
    expect(
        "id as number",
        with(|i| i.project_number = Some("my-proj".into())),
        "project_number",
        Severity::Fail,
        &["⟨my-proj⟩", "project ID"],
        &["gcloud projects describe my-proj --format='value(projectNumber)'"],
    );
    expect(
        "whitespace",
        with(|i| i.project_number = Some(" 123456789012\n".into())),
        "project_number",
        Severity::Warn,
        &["⟨␠123456789012␤⟩", "a line break", "whitespace"],
        &["⟨123456789012⟩"],
    );
    expect(
        "quotes",
        with(|i| i.project_number = Some("\"123456789012\"".into())),
        "project_number",
        Severity::Fail,
        &["⟨\"123456789012\"⟩", "quotes"],
        &["⟨123456789012⟩"],
    );
    expect(
        "resource name",
        with(|i| {
            i.project_number = Some(
                "projects/123456789012/locations/global/workloadIdentityPools/azure-pool".into(),
            )
        }),
        "project_number",
        Severity::Fail,
        &["whole resource name"],
        &["--project-number=123456789012"],
    );
    expect(
        "garbage",
        with(|i| i.project_number = Some("12 34".into())),
        "project_number",
        Severity::Fail,
        &["⟨12␠34⟩", "digits"],
        &["projectNumber"],
    );
}

#[test]
fn project_id_rules() {
    expect(
        "number as id",
        with(|i| i.project_id = Some("123456789012".into())),
        "project_id",
        Severity::Fail,
        &["⟨123456789012⟩", "project number"],
        &["gcloud projects describe 123456789012 --format='value(projectId)'"],
    );
    expect(
        "uppercase",
        with(|i| {
            i.project_id = Some("My-Project".into());
            i.service_account = None;
        }),
        "project_id",
        Severity::Fail,
        &["⟨My-Project⟩", "lowercase"],
        &["my-project"],
    );
    expect(
        "too short",
        with(|i| {
            i.project_id = Some("abc".into());
            i.service_account = None;
        }),
        "project_id",
        Severity::Fail,
        &["⟨abc⟩", "6 to 30"],
        &["gcloud projects list"],
    );
    expect(
        "starts with digit",
        with(|i| {
            i.project_id = Some("1abcdef".into());
            i.service_account = None;
        }),
        "project_id",
        Severity::Fail,
        &["start with a letter"],
        &[],
    );
    expect(
        "underscore",
        with(|i| {
            i.project_id = Some("my_proj".into());
            i.service_account = None;
        }),
        "project_id",
        Severity::Fail,
        &["⟨my_proj⟩", "hyphens"],
        &[],
    );
    assert_eq!(
        lint_settings(&with(|i| {
            i.project_id = Some("example.com:my-proj".into());
            i.service_account = None;
        })),
        vec![]
    );
}

#[test]
fn pool_and_provider_rules() {
    expect(
        "leading space",
        with(|i| i.pool = Some(" azure-pool".into())),
        "pool",
        Severity::Warn,
        &["⟨␠azure-pool⟩"],
        &["⟨azure-pool⟩"],
    );
    expect(
        "zero-width",
        with(|i| i.pool = Some("azure\u{200B}-pool".into())),
        "pool",
        Severity::Fail,
        &["<U+200B>", "invisible"],
        &["⟨azure-pool⟩"],
    );
    expect(
        "principalSet",
        with(|i| {
            i.pool = Some("principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/*".into())
        }),
        "pool",
        Severity::Fail,
        &["principalSet:// member", "bare ID"],
        &["--pool=azure-pool"],
    );
    expect(
        "pool from provider path",
        with(|i| i.pool = Some(AUD.into())),
        "pool",
        Severity::Fail,
        &["full provider resource name"],
        &["--pool=azure-pool"],
    );
    expect(
        "provider full name",
        with(|i| i.provider = Some(AUD.into())),
        "provider",
        Severity::Fail,
        &["full provider resource name"],
        &["--provider=azure-mi"],
    );
    expect(
        "provider https",
        with(|i| {
            i.provider = Some("https://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/providers/azure-mi".into())
        }),
        "provider",
        Severity::Fail,
        &["https:"],
        &["--provider=azure-mi"],
    );
    expect(
        "provider given a pool path",
        with(|i| {
            i.provider = Some(
                "projects/123456789012/locations/global/workloadIdentityPools/azure-pool".into(),
            )
        }),
        "provider",
        Severity::Fail,
        &["without a provider"],
        &[
            "gcloud iam workload-identity-pools providers list --workload-identity-pool=azure-pool --location=global --project=123456789012",
        ],
    );
    expect(
        "other project in path",
        with(|i| {
            i.pool = Some("projects/999/locations/global/workloadIdentityPools/azure-pool".into())
        }),
        "pool",
        Severity::Warn,
        &["999", "123456789012"],
        &["--project-number=999"],
    );
    expect(
        "uppercase underscore",
        with(|i| i.pool = Some("Azure_Pool".into())),
        "pool",
        Severity::Fail,
        &["only lowercase"],
        &["--pool=azure-pool"],
    );
    expect(
        "gcp- prefix",
        with(|i| i.provider = Some("gcp-azure".into())),
        "provider",
        Severity::Fail,
        &["gcp-"],
        &["--provider=azure"],
    );
    expect(
        "too short",
        with(|i| i.provider = Some("az".into())),
        "provider",
        Severity::Fail,
        &["smaller than 4"],
        &["4-32"],
    );
}

#[test]
fn service_account_rules() {
    let sa = "wif-sa@my-proj.iam.gserviceaccount.com";
    expect(
        "stray quotes",
        with(|i| i.service_account = Some(format!("\"{sa}\""))),
        "service_account",
        Severity::Fail,
        &[&format!("⟨\"{sa}\"⟩"), "quotes"],
        &[&format!("use exactly {sa}")],
    );
    expect(
        "trailing newline",
        with(|i| i.service_account = Some(format!("{sa}\n"))),
        "service_account",
        Severity::Fail,
        &["␤"],
        &[sa],
    );
    expect(
        "bare name",
        with(|i| i.service_account = Some("wif-sa".into())),
        "service_account",
        Severity::Fail,
        &["⟨wif-sa⟩", "not an email"],
        &[sa],
    );
    expect(
        "member prefix",
        with(|i| i.service_account = Some(format!("serviceAccount:{sa}"))),
        "service_account",
        Severity::Fail,
        &["serviceAccount:"],
        &[&format!("bare email {sa}")],
    );
    expect(
        "not a service account",
        with(|i| i.service_account = Some("someone@gmail.com".into())),
        "service_account",
        Severity::Fail,
        &["⟨someone@gmail.com⟩"],
        &["gcloud iam service-accounts list --project=my-proj"],
    );
    expect(
        "uppercase",
        with(|i| i.service_account = Some("WIF-SA@my-proj.iam.gserviceaccount.com".into())),
        "service_account",
        Severity::Fail,
        &["uppercase"],
        &[sa],
    );
    expect(
        "short name",
        with(|i| i.service_account = Some("sa@my-proj.iam.gserviceaccount.com".into())),
        "service_account",
        Severity::Fail,
        &["⟨sa⟩", "6-30"],
        &[],
    );
    assert_eq!(
        lint_settings(&with(|i| i.service_account =
            Some("123456789012-compute@developer.gserviceaccount.com".into()))),
        vec![]
    );
}

#[test]
fn resource_rules() {
    expect(
        ".default",
        with(|i| i.resource = Some("api://wif-app/.default".into())),
        "resource",
        Severity::Fail,
        &["/.default"],
        &["--resource=api://wif-app"],
    );
    expect(
        "arm",
        with(|i| i.resource = Some("https://management.azure.com/".into())),
        "resource",
        Severity::Warn,
        &["Resource Manager"],
        &["api://<APP_ID>"],
    );
    expect(
        "graph",
        with(|i| i.resource = Some("https://graph.microsoft.com".into())),
        "resource",
        Severity::Fail,
        &["Microsoft Graph"],
        &["api://<APP_ID>"],
    );
    expect(
        "gcloud default",
        with(|i| i.resource = Some(format!("https://iam.googleapis.com/{}", &AUD[22..]))),
        "resource",
        Severity::Warn,
        &["gcloud's default"],
        &["api://<APP_ID>"],
    );
}

#[test]
fn audience_rules() {
    expect(
        "https prefix",
        with(|i| i.audience = Some(format!("https:{AUD}"))),
        "audience",
        Severity::Fail,
        &["https:"],
        &[AUD],
    );
    expect(
        "pool only",
        with(|i| i.audience = Some(AUD.split("/providers/").next().unwrap().to_string())),
        "audience",
        Severity::Fail,
        &["pool only"],
        &[AUD],
    );
    expect(
        "project id",
        with(|i| i.audience = Some(AUD.replace("123456789012", "my-proj"))),
        "audience",
        Severity::Fail,
        &["⟨my-proj⟩", "project number"],
        &[
            "gcloud projects describe my-proj --format='value(projectNumber)'",
            AUD,
        ],
    );
    expect(
        "mismatch",
        with(|i| i.audience = Some(AUD.replace("azure-mi", "other-mi"))),
        "audience",
        Severity::Fail,
        &["other-mi", "azure-mi"],
        &[AUD],
    );
    expect(
        "no scheme prefix",
        with(|i| i.audience = Some(AUD.trim_start_matches("//iam.googleapis.com/").to_string())),
        "audience",
        Severity::Fail,
        &["lacks the `//iam.googleapis.com/` prefix"],
        &[AUD],
    );
}
