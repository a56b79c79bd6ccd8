//! Settings parsing: `--resolve HOST=ADDR:PORT`, durations (`--timeout`), Google IDs
//! (project number / ID, pool and provider IDs), universe domain, location, token URL, the
//! settings lint, and the app-environment readers (`/proc/N/environ`, `/etc/profile`).
//!
//! The input is tried as every kind of setting at once; its lines are also the fields of
//! the settings lint. Properties: no panic; what is accepted has the documented shape and
//! round-trips; error messages show the value escaped (never a raw control character).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::time::Duration;
use wif_doctor::diagnose::{self, SettingsLintInput};
use wif_doctor::gcp;
use wif_doctor::i18n::Lang;
use wif_doctor::settings::normalise::{check_header_value, check_request_url, normalise};
use wif_doctor::settings::{self, EnvMap, Settings, SettingsArgs, Sourced, recover};

/// Resolved settings are normalised: nothing a paste leaves around a value remains, the
/// normalisation is idempotent, and a changed value keeps its raw form.
fn normalised_ok(name: &str, s: &Sourced<String>) {
    let again = normalise(&s.value);
    assert_eq!(
        again.value, s.value,
        "{name}: normalising twice changed {:?}",
        s.value
    );
    assert!(
        again.problems.is_empty(),
        "{name}: {:?} still has {:?}",
        s.value,
        again.problems
    );
    if let Some(raw) = &s.raw {
        assert_ne!(raw, &s.value, "{name}: raw kept though unchanged");
    }
}

fn empty_root() -> &'static std::path::Path {
    static ROOT: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    ROOT.get_or_init(|| {
        let root = std::env::temp_dir().join("wif-doctor-fuzz-empty-root");
        std::fs::create_dir_all(&root).unwrap();
        root
    })
}

fn no_raw_controls(what: &str, msg: &str) {
    assert!(
        !msg.chars().any(|c| c.is_control()),
        "{what}: a raw control character in the message {msg:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    // The app-environment readers take bytes as they are on disk.
    for (k, v) in recover::parse_environ(data) {
        assert!(
            !k.is_empty() && !k.contains('=') && !k.contains('\0'),
            "{k:?}"
        );
        assert!(!v.contains('\0'), "{v:?}");
    }
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let _ = recover::parse_profile_exports(s);

    match settings::parse_duration(s) {
        Ok(d) => {
            assert!(
                d >= Duration::from_millis(1) && d <= Duration::from_secs(3600),
                "{s:?} -> {d:?}"
            );
            // Whole milliseconds round-trip exactly.
            let ms = d.as_millis();
            assert_eq!(
                settings::parse_duration(&format!("{ms}ms")),
                Ok(Duration::from_millis(ms as u64)),
                "{ms}ms"
            );
        }
        Err(e) => Lang::ALL
            .iter()
            .for_each(|&l| no_raw_controls("duration", &e.render(l))),
    }

    // `--resolve`: the host is a bare lower-case name and the entry round-trips.
    if let Ok((host, addr)) = settings::parse_resolve(s) {
        assert!(
            !host.is_empty() && !host.contains(['/', ':', '=']),
            "{host:?}"
        );
        assert_eq!(host, host.to_ascii_lowercase());
        let again = settings::parse_resolve(&format!("{host}={addr}")).expect("round trip");
        assert_eq!(again, (host, addr));
    }

    let id = s.trim_end_matches('\n');
    match gcp::validate_pool_or_provider_id(id) {
        Ok(()) => {
            assert!((4..=32).contains(&id.len()) && !id.starts_with("gcp-"));
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            );
        }
        Err(e) => {
            // Problems are Text now: check both languages.
            no_raw_controls("pool/provider id", &e.en());
            no_raw_controls("pool/provider id", &e.render(wif_doctor::i18n::Lang::Ja));
        }
    }
    match gcp::validate_project_number(id) {
        Ok(()) => assert!(!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())),
        Err(e) => {
            // Problems are Text now: check both languages.
            no_raw_controls("project number", &e.en());
            no_raw_controls("project number", &e.render(wif_doctor::i18n::Lang::Ja));
        }
    }
    match gcp::validate_project_id(id) {
        Ok(()) => {
            let bare = id.rsplit_once(':').map_or(id, |(_, b)| b);
            assert!((6..=30).contains(&bare.len()), "{id:?}");
            assert!(bare.as_bytes()[0].is_ascii_lowercase() && !bare.ends_with('-'));
        }
        Err(e) => {
            // Problems are Text now: check both languages.
            no_raw_controls("project id", &e.en());
            no_raw_controls("project id", &e.render(wif_doctor::i18n::Lang::Ja));
        }
    }
    for r in [
        gcp::validate_universe_domain(id),
        gcp::validate_location(id),
        gcp::validate_token_url(id, "googleapis.com"),
    ] {
        if let Err(e) = r {
            {
                // Problems are Text now: check both languages.
                no_raw_controls("google setting", &e.en());
                no_raw_controls("google setting", &e.render(wif_doctor::i18n::Lang::Ja));
            };
        }
    }

    // Normalisation on its own, and the request-side checks.
    let n = normalise(s);
    assert_eq!(normalise(&n.value).value, n.value, "idempotent");
    assert_eq!(n.problems.is_empty(), n.value == s, "{s:?} -> {n:?}");
    for r in [
        check_request_url("--identity-endpoint", s),
        check_header_value("IDENTITY_HEADER", s),
    ] {
        if let Err(e) = r {
            no_raw_controls("request check", &e.to_string());
        }
    }

    // The whole resolve step, the lines of the input as flags, nothing read from this machine.
    let mut fields = s.split('\n').map(str::to_string);
    let mut f = || fields.next();
    let args = SettingsArgs {
        pool: f(),
        provider: f(),
        project_number: f(),
        project_id: f(),
        service_account: f(),
        location: f(),
        universe_domain: f(),
        token_url: f(),
        identity_endpoint: f(),
        identity_header: f(),
        resource: f(),
        sysroot: Some(empty_root().to_path_buf()),
        ..Default::default()
    };
    if let Ok(st) = Settings::resolve(&args, &EnvMap::new()) {
        for (name, v) in [
            ("pool", st.pool.as_ref()),
            ("provider", st.provider.as_ref()),
            ("project number", st.project_number.as_ref()),
            ("project id", st.project_id.as_ref()),
            ("service account", st.service_account.as_ref()),
            ("location", Some(&st.location)),
            ("universe domain", Some(&st.universe_domain)),
            ("token url", Some(&st.token_url)),
            ("identity endpoint", st.identity_endpoint.as_ref()),
            ("resource", Some(&st.resource)),
        ] {
            if let Some(v) = v {
                normalised_ok(name, v);
            }
        }
        assert!(st.check_requestable().is_ok());
        let _ = wif_doctor::azure::detect(&st);
        let _ = diagnose::lint_settings(&SettingsLintInput::from_settings(&st));
    }

    // The settings lint sees the lines as the raw settings.
    let mut lines = s.split('\n').map(|l| Some(l.to_string()));
    let mut next = || lines.next().flatten();
    let input = SettingsLintInput {
        project_number: next(),
        project_id: next(),
        pool: next(),
        provider: next(),
        service_account: next(),
        resource: next(),
        audience: next(),
    };
    for issue in diagnose::lint_settings(&input) {
        assert!(
            Lang::ALL.iter().all(|&l| {
                !issue.message.render(l).trim().is_empty() && !issue.fix.render(l).trim().is_empty()
            }),
            "{issue:?}"
        );
    }
});
