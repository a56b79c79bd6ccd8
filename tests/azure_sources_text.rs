//! Source detection explains itself from the catalogue (assets/i18n/azure.toml) in English
//! and Japanese, with the actual values and commands kept verbatim in both.

use wif_doctor::azure::{self, ErrorKind};
use wif_doctor::i18n::{Lang, Text};
use wif_doctor::settings::{EnvMap, Settings, SettingsArgs};

fn settings(args: SettingsArgs, env: &[(&str, &str)]) -> Settings {
    let root = std::env::temp_dir().join("wif-doctor-sources-text-root");
    std::fs::create_dir_all(&root).unwrap();
    let env: EnvMap = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::resolve(
        &SettingsArgs {
            sysroot: Some(root),
            ..args
        },
        &env,
    )
    .expect("settings resolve")
}

fn has_japanese(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'))
}

fn ja(parts: &[&Text]) -> String {
    parts
        .iter()
        .map(|t| t.render(Lang::Ja))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn app_service_source_reason_names_the_origin_in_both_languages() {
    let s = settings(
        SettingsArgs::default(),
        &[
            ("IDENTITY_ENDPOINT", "http://169.254.129.4:8081/msi/token"),
            ("IDENTITY_HEADER", "853b9a84-5bfa-4b22-a3f3-0b9a43d9ad21"),
        ],
    );
    let p = azure::detect(&s).unwrap();
    assert_eq!(
        p.reason.en(),
        "IDENTITY_ENDPOINT and IDENTITY_HEADER are set (environment IDENTITY_ENDPOINT)"
    );
    let j = p.reason.render(Lang::Ja);
    assert!(has_japanese(&j) && j.contains("IDENTITY_ENDPOINT"), "{j}");
    assert!(!j.contains("853b9a84"), "{j}");
    assert!(has_japanese(&p.kind.label().render(Lang::Ja)));
}

#[test]
fn no_identity_in_an_app_service_app_gives_the_assign_command() {
    let s = settings(SettingsArgs::default(), &[("WEBSITE_SITE_NAME", "my-app")]);
    let e = azure::detect(&s).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NoSource);
    assert!(e.summary.en().contains("'my-app'"), "{}", e.summary.en());
    let cmd = "az webapp identity assign -g <resource-group> -n my-app";
    assert!(e.fix.en().contains(cmd), "{}", e.fix.en());
    let j = ja(&[&e.summary, &e.cause, &e.fix]);
    assert!(
        has_japanese(&j) && j.contains(cmd) && j.contains("my-app"),
        "{j}"
    );
}

#[test]
fn kudu_and_nothing_at_all() {
    let kudu = azure::detect(&settings(
        SettingsArgs::default(),
        &[("KUDU_APPPATH", "/opt/Kudu")],
    ))
    .unwrap_err();
    assert_eq!(kudu.kind, ErrorKind::KuduContainer);
    assert!(kudu.fix.en().contains("Development Tools → SSH"));
    let j = ja(&[&kudu.summary, &kudu.fix]);
    assert!(
        has_japanese(&j) && j.contains("https://<app>.scm.azurewebsites.net/webssh/host"),
        "{j}"
    );

    let none = azure::detect(&settings(SettingsArgs::default(), &[])).unwrap_err();
    assert_eq!(none.kind, ErrorKind::NoSource);
    assert!(none.fix.en().contains("wif-doctor --demo"));
    let j = ja(&[&none.summary, &none.cause, &none.fix]);
    assert!(
        has_japanese(&j) && j.contains("wif-doctor --demo") && j.contains("--source imds"),
        "{j}"
    );
}

#[test]
fn forced_source_without_its_variables() {
    let e = azure::detect(&settings(
        SettingsArgs {
            source: Some("app-service".into()),
            ..Default::default()
        },
        &[],
    ))
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Config);
    assert_eq!(
        e.summary.en(),
        "--source app-service was requested but IDENTITY_ENDPOINT/IDENTITY_HEADER is not set"
    );
    let j = e.summary.render(Lang::Ja);
    assert!(
        has_japanese(&j) && j.contains("--source app-service"),
        "{j}"
    );
}
