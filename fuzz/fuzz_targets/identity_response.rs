//! Identity-endpoint answers (App Service 2019-08-01, legacy MSI 2017-09-01): the parser and
//! explanations `fetch_token` applies to a response body, and the lenient expiry reader.
//!
//! Input: a first line `STATUS VARIANT CONTENT-TYPE` (any part may be missing), then the body.
//! Properties: no panic; an accepted token is exactly the trimmed `access_token` of a 200
//! JSON answer; an error never carries the identity header (raw or JSON-escaped) and quotes
//! at most an excerpt of the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use wif_doctor::azure::{self, Plan};
use wif_doctor::settings::{EnvMap, Settings, SettingsArgs};

/// The header values the endpoint is called with; real ones look like this (a GUID-ish string).
const HEADER: &str = "b1f3c0de-7a5e-4c11-9f3a-hdr/SECRET\"v1";
const MSI_SECRET: &str = "legacy-msi-secret-0d9e8f7a6b5c";
const NOW: i64 = 1_795_863_600;

struct Variant {
    settings: Settings,
    plan: Plan,
    /// The secret header this variant sends, raw and JSON-escaped.
    secrets: Vec<String>,
}

fn variants() -> &'static [Variant] {
    static V: OnceLock<Vec<Variant>> = OnceLock::new();
    V.get_or_init(|| {
        // An empty sysroot: nothing is recovered from this machine's processes.
        let root = std::env::temp_dir().join("wif-doctor-fuzz-empty-root");
        std::fs::create_dir_all(&root).unwrap();
        let mk = |args: SettingsArgs, env: &[(&str, &str)]| {
            let env: EnvMap = env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            let args = SettingsArgs {
                sysroot: Some(root.clone()),
                ..args
            };
            let settings = Settings::resolve(&args, &env).expect("fuzz settings resolve");
            let plan = azure::detect(&settings).expect("fuzz settings have a source");
            let secrets = [&settings.identity_header, &settings.msi_secret]
                .into_iter()
                .flatten()
                .flat_map(|h| {
                    let v = h.value.expose();
                    let json = serde_json::to_string(v).unwrap();
                    [v.to_string(), json[1..json.len() - 1].to_string()]
                })
                .collect();
            Variant {
                settings,
                plan,
                secrets,
            }
        };
        let app_service = [
            ("IDENTITY_ENDPOINT", "http://127.0.0.1:41111/msi/token"),
            ("IDENTITY_HEADER", HEADER),
            ("WEBSITE_SITE_NAME", "fuzz-app"),
        ];
        vec![
            mk(SettingsArgs::default(), &app_service),
            mk(
                SettingsArgs {
                    client_id: Some("3f2a1b0c-0000-4000-8000-00000000c11d".into()),
                    resource: Some("api://wif-doctor/.default".into()),
                    api_version: Some("2017-09-01".into()),
                    ..Default::default()
                },
                &app_service,
            ),
            mk(
                SettingsArgs::default(),
                &[
                    ("MSI_ENDPOINT", "http://127.0.0.1:41112/msi/token"),
                    ("MSI_SECRET", MSI_SECRET),
                ],
            ),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let (head, body) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let head = String::from_utf8_lossy(head);
    let mut words = head.splitn(3, ' ');
    let status: u16 = words
        .next()
        .and_then(|w| w.trim().parse().ok())
        .unwrap_or(200);
    let variant: usize = words
        .next()
        .and_then(|w| w.trim().parse().ok())
        .unwrap_or(0);
    let content_type = words.next();
    let v = &variants()[variant % variants().len()];
    // A real run registers a handful of tokens; here every accepted body registers one, and
    // the oldest values (the headers first) drop out of the run's registry. Keep the headers
    // registered, as they are in a real run (scrubbing stays correct either way).
    for h in [&v.settings.identity_header, &v.settings.msi_secret]
        .into_iter()
        .flatten()
    {
        wif_doctor::secret::registry().add(&h.value);
    }

    let result = azure::interpret_response(&v.settings, &v.plan, status, content_type, body);

    let text = String::from_utf8_lossy(body);
    let echoes_secret = v.secrets.iter().any(|f| text.contains(f.as_str()));
    // The token is read from the body as received (strict UTF-8).
    let json: Option<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_slice(body).ok();
    if let Some(obj) = &json {
        // The expiry reader never panics, whatever `now` is.
        for now in [NOW, 0, i64::MIN, i64::MAX] {
            let _ = azure::parse_expiry(obj, now);
        }
    }
    match result {
        Ok(token) => {
            assert_eq!(status, 200, "a token accepted from HTTP {status}");
            let t = token.token.expose();
            assert!(
                !t.is_empty() && t.trim() == t,
                "the token is trimmed and non-empty"
            );
            if !echoes_secret {
                let sent = json
                    .as_ref()
                    .and_then(|o| o.get("access_token"))
                    .and_then(|v| v.as_str())
                    .expect("a token came from a JSON access_token");
                assert_eq!(t, sent.trim());
            }
        }
        Err(e) => {
            let shown = serde_json::to_string(&e).expect("errors serialise");
            let plain = format!(
                "{} {} {} {}",
                e.summary,
                e.cause,
                e.fix,
                e.raw.as_deref().unwrap_or("")
            );
            for f in &v.secrets {
                assert!(
                    !plain.contains(f.as_str()),
                    "a secret header reached an error: {plain:?}"
                );
                assert!(
                    !shown.contains(f.as_str()),
                    "a secret header reached the JSON error"
                );
            }
            if let Some(raw) = &e.raw {
                assert!(raw.chars().count() <= 601, "the raw excerpt is capped");
            }
            if status == 200
                && !echoes_secret
                && !wif_doctor::http::looks_like_html(content_type, body)
            {
                let usable = json
                    .as_ref()
                    .and_then(|o| o.get("access_token"))
                    .and_then(|v| v.as_str())
                    .is_some_and(|t| !t.trim().is_empty());
                assert!(
                    !usable,
                    "a 200 with a usable access_token was rejected: {}",
                    e.summary
                );
            }
        }
    }
});
