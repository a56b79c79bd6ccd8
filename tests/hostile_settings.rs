//! Hostile and careless settings (issue 7, defects 1, 2 and 7; request-side errors): pasted
//! spaces, quotes, no-break and zero-width spaces, CR/LF, path tricks in the service
//! account. Each is normalised once (and reported) or refused with the setting named —
//! never a panic, a hang, a forged request or a leaked secret.

mod common;
mod hostile_support;
use common::*;
use hostile_support::*;
use wif_doctor::sim::Scenario;

/// The forms copy/paste gives a value `x`.
fn pasted(x: &str) -> Vec<String> {
    vec![
        format!("{x} "),
        format!(" {x}"),
        format!("\t{x}\t"),
        format!("\u{00A0}{x}"),
        format!("{x}\u{200B}"),
        format!("\u{FEFF}{x}"),
        format!("\"{x}\""),
        format!("'{x}'"),
        format!("“{x}”"),
        format!("{x}\r\n"),
        format!("{x}\n"),
    ]
}

/// `check --json` with one setting replaced by each pasted form: it passes end to end on
/// the normalised value, and gcp.settings warns showing the raw form escaped.
fn pasted_values_are_normalised(var: &str, flag: &str, value: impl Fn(&World) -> String) {
    let w = World::new(Scenario::Healthy);
    let good = value(&w);
    for (i, raw) in pasted(&good).into_iter().enumerate() {
        let mut env = w.full_env();
        let r = if i % 2 == 0 {
            set(&mut env, var, &raw);
            hostile(&w, &env, &["check", "--json"])
        } else {
            hostile(&w, &env, &["check", "--json", &format!("{flag}={raw}")])
        };
        let j = r.json();
        assert_eq!(r.code, 0, "{var}={raw:?}: {}", r.all());
        assert_eq!(status(&j, "gcp.settings"), "warn", "{raw:?}: {j:#}");
        let d = detail(&j, "gcp.settings");
        let shown = wif_doctor::diagnose::visible(&raw);
        assert!(
            d.contains(&shown),
            "{raw:?}: raw form {shown} not shown:\n{d}"
        );
        assert!(d.contains("copy/paste"), "{d}");
        assert_eq!(status(&j, "sts.exchange"), "pass", "{raw:?}: {j:#}");
        assert_eq!(status(&j, "vertex.call"), "pass", "{raw:?}: {j:#}");
    }
}

#[test]
fn universe_domain_with_pasted_artefacts_never_panics() {
    pasted_values_are_normalised(
        "GCP_WORKLOAD_IDENTITY_UNIVERSE_DOMAIN",
        "--universe-domain",
        |_| "googleapis.com".into(),
    );
}

#[test]
fn location_with_pasted_artefacts_never_panics() {
    pasted_values_are_normalised("GCP_LOCATION", "--location", |w| w.sim.google().location);
}

#[test]
fn pool_with_pasted_artefacts_is_used_normalised() {
    pasted_values_are_normalised("GCP_WORKLOAD_IDENTITY_POOL_ID", "--pool", |w| {
        w.sim.google().pool
    });
}

#[test]
fn provider_project_number_and_project_id_with_pasted_artefacts() {
    pasted_values_are_normalised("GCP_WORKLOAD_IDENTITY_PROVIDER_ID", "--provider", |w| {
        w.sim.google().provider
    });
    pasted_values_are_normalised("GCP_PROJECT_NUMBER", "--project-number", |w| {
        w.sim.google().project_number
    });
    pasted_values_are_normalised("GCP_PROJECT_ID", "--project-id", |w| {
        w.sim.google().project_id
    });
}

/// The two defect-1 reproductions exactly as filed.
#[test]
fn the_filed_panics_are_warnings() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.full_env();
    set(
        &mut env,
        "GCP_WORKLOAD_IDENTITY_UNIVERSE_DOMAIN",
        "googleapis.com ",
    );
    let r = hostile(&w, &env, &["check", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(detail(&r.json(), "gcp.settings").contains("⟨googleapis.com␠⟩"));

    let r = hostile(
        &w,
        &w.full_env(),
        &["check", "--json", "--location", " us-central1"],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(detail(&r.json(), "gcp.settings").contains("⟨␠us-central1⟩"));
    // Text output too (the panic was in the URL builder, not the JSON).
    let r = hostile(&w, &w.full_env(), &["check", "--location", " us-central1"]);
    assert_eq!(r.code, 0, "{}", r.all());
}

/// Defect 2: check, values and config use the same normalised pool.
#[test]
fn check_values_and_config_agree_on_a_pasted_pool() {
    let w = World::new(Scenario::Healthy);
    let g = w.sim.google();
    let pasted = format!("{} ", g.pool);
    let r = hostile(&w, &w.full_env(), &["check", "--json", "--pool", &pasted]);
    assert_eq!(r.code, 0, "{}", r.all());
    let j = r.json();
    let audience = finding(&j, "sts.exchange")["data"]["audience"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        audience.ends_with(&format!(
            "/workloadIdentityPools/{}/providers/{}",
            g.pool, g.provider
        )),
        "{audience}"
    );

    let r = hostile(&w, &w.full_env(), &["values", "--json", "--pool", &pasted]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains(&audience), "{}", r.stdout);
    assert!(!r.stdout.contains(&format!("{} /", g.pool)), "{}", r.stdout);

    let out = w.dir.path().join("creds.json");
    let r = hostile(
        &w,
        &w.full_env(),
        &[
            "config",
            "--output",
            out.to_str().unwrap(),
            "--pool",
            &pasted,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stderr.contains(&format!("⟨{}␠⟩", g.pool)),
        "config says it cleaned the value: {}",
        r.stderr
    );
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(file["audience"], audience.as_str());

    // env shows the value used and the raw form beside it.
    let r = hostile(&w, &w.full_env(), &["env", "--json", "--pool", &pasted]);
    let j = r.json();
    let pool = j["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "pool")
        .unwrap();
    assert_eq!(pool["value"], g.pool.as_str());
    assert_eq!(j["adjustments"][0]["field"], "pool", "{j:#}");
    assert_eq!(j["adjustments"][0]["raw"], format!("⟨{}␠⟩", g.pool));
    let r = hostile(&w, &w.full_env(), &["env", "--pool", &pasted]);
    assert!(
        r.stdout.contains(&format!("⟨{}␠⟩ -> ⟨{}⟩", g.pool, g.pool)),
        "{}",
        r.stdout
    );
}

/// Inside a value, whitespace and control characters are not paste artefacts: the settings
/// lint rejects the value, nothing panics. A host-forming setting (universe, location)
/// then sends nothing; an ID still goes to STS in the form body (its answer is evidence).
#[test]
fn damage_inside_a_value_is_rejected() {
    let w = World::new(Scenario::Healthy);
    let g = w.sim.google();
    for (var, raw, forms_a_host) in [
        (
            "GCP_WORKLOAD_IDENTITY_POOL_ID",
            format!("{}\r\nx", g.pool),
            false,
        ),
        (
            "GCP_WORKLOAD_IDENTITY_POOL_ID",
            "azure\u{00A0}pool".to_string(),
            false,
        ),
        (
            "GCP_WORKLOAD_IDENTITY_PROVIDER_ID",
            "azure mi".to_string(),
            false,
        ),
        ("GCP_PROJECT_NUMBER", "1234\u{0007}5".to_string(), false),
        (
            "GCP_PROJECT_NUMBER",
            format!("{}\u{7f}", g.project_number),
            false,
        ),
        (
            "GCP_WORKLOAD_IDENTITY_UNIVERSE_DOMAIN",
            "googleapis.com\r\nX-Evil: 1".to_string(),
            true,
        ),
        ("GCP_LOCATION", "us-central1\u{1b}[2J".to_string(), true),
        ("GCP_LOCATION", "us-central1\u{7f}".to_string(), true),
    ] {
        let before = requests_to(&w, "sts.googleapis.com").len();
        let mut env = w.full_env();
        set(&mut env, var, &raw);
        let r = hostile(&w, &env, &["check", "--json"]);
        assert_eq!(r.code, 1, "{var}={raw:?}: {}", r.all());
        let j = r.json();
        assert_eq!(status(&j, "gcp.settings"), "fail", "{var}={raw:?}: {j:#}");
        if forms_a_host {
            assert_eq!(status(&j, "sts.exchange"), "skip", "{var}={raw:?}");
            assert_eq!(
                requests_to(&w, "sts.googleapis.com").len(),
                before,
                "{var}: STS was called"
            );
            assert_eq!(status(&j, "vertex.call"), "skip", "{var}={raw:?}");
        }
    }
    // gcp.settings shows what is left of a value escaped, in text too.
    let mut env = w.full_env();
    set(&mut env, "GCP_LOCATION", "us-central1\u{1b}[2J");
    let r = hostile(&w, &env, &["check"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stdout.contains("us-central1<U+001B>[2J"), "{}", r.stdout);
}

/// Settings that cannot form a request: usage errors (exit 2) naming the setting, with no
/// request and no retry; the secret header value is never shown.
#[test]
fn unrequestable_settings_are_usage_errors_naming_the_setting() {
    let w = World::new(Scenario::Healthy);
    let header = format!("{}\r\nX-Evil: 1", w.sim.identity_header());
    let long = format!("https://sts.googleapis.com/v1/token?{}", "a".repeat(5000));
    let cases: Vec<(&str, String, Vec<&str>, &str)> = vec![
        ("IDENTITY_HEADER", header.clone(), vec![], "IDENTITY_HEADER"),
        (
            "IDENTITY_HEADER",
            format!("{}\u{7f}", w.sim.identity_header()),
            vec![],
            "IDENTITY_HEADER",
        ),
        (
            "",
            String::new(),
            vec!["--identity-header", &header],
            "--identity-header",
        ),
        (
            "IDENTITY_ENDPOINT",
            "ftp://127.0.0.1/msi/token".into(),
            vec![],
            "IDENTITY_ENDPOINT",
        ),
        (
            "IDENTITY_ENDPOINT",
            "file:///etc/passwd".into(),
            vec![],
            "IDENTITY_ENDPOINT",
        ),
        (
            "IDENTITY_ENDPOINT",
            format!("{}\nX: y", w.sim.identity_endpoint()),
            vec![],
            "IDENTITY_ENDPOINT",
        ),
        ("", String::new(), vec!["--token-url", &long], "--token-url"),
        (
            "AZURE_IMDS_ENDPOINT",
            "gopher://169.254.169.254".into(),
            vec![],
            "AZURE_IMDS_ENDPOINT",
        ),
    ];
    for (var, value, flags, named) in cases {
        let mut env = w.full_env();
        if !var.is_empty() {
            set(&mut env, var, &value);
        }
        for json in [false, true] {
            let before = w.identity_requests();
            let mut args = vec!["check"];
            if json {
                args.push("--json");
            }
            args.extend(flags.iter().copied());
            let r = hostile(&w, &env, &args);
            assert_eq!(r.code, 2, "{named}: {}", r.all());
            assert!(r.stderr.contains(named), "{named} not named: {}", r.stderr);
            assert!(r.stderr.contains("usage error"), "{}", r.stderr);
            assert!(!r.all().contains("X-Evil: 1\n"), "{}", r.all());
            assert_eq!(w.identity_requests(), before, "{named}: a request was made");
            if json {
                let j = r.json();
                assert_eq!(j["ok"], false);
                assert_eq!(j["exit_code"], 2);
                assert_eq!(j["error"]["kind"], "usage");
                assert!(j["error"]["message"].as_str().unwrap().contains(named));
            }
        }
    }
}

/// A trailing line break on the header (a pasted value) is normalised and works.
#[test]
fn a_pasted_identity_header_is_normalised_and_never_shown() {
    let w = World::new(Scenario::Healthy);
    let mut env = w.full_env();
    set(
        &mut env,
        "IDENTITY_HEADER",
        &format!(" {}\r\n", w.sim.identity_header()),
    );
    let r = hostile(&w, &env, &["check", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let d = detail(&r.json(), "gcp.settings");
    assert!(d.contains("identity header"), "{d}");
    assert!(d.contains("not shown"), "{d}");
}

/// Defect 7: the service account is one path segment, and a value the settings lint
/// rejects is never sent.
#[test]
fn service_account_path_tricks_are_never_sent() {
    let w = World::new(Scenario::Healthy);
    let sa = w.sim.google().service_account_email;
    for raw in [
        format!("{sa}/../../x?"),
        format!("{sa}#"),
        format!("{sa}#x"),
        "a@b.iam.gserviceaccount.com/../../x?".to_string(),
        format!("{sa}%2F..%2F"),
        format!("{sa}?alt=media"),
        format!("x\r\n@{sa}"),
    ] {
        let mut env = w.full_env();
        set(&mut env, "GCP_SERVICE_ACCOUNT", &raw);
        let r = hostile(&w, &env, &["check", "--json"]);
        assert_eq!(r.code, 1, "{raw:?}: {}", r.all());
        let j = r.json();
        assert_eq!(status(&j, "gcp.settings"), "fail", "{raw:?}: {j:#}");
        assert_eq!(status(&j, "iam.impersonation"), "skip", "{raw:?}: {j:#}");
        let d = detail(&j, "iam.impersonation");
        assert!(d.contains("not called"), "{raw:?}: {d}");
        assert!(
            requests_to(&w, "iamcredentials.").is_empty(),
            "{raw:?}: generateAccessToken was called: {:?}",
            requests_to(&w, "iamcredentials.")
        );

        let out = w.dir.path().join("sa-creds.json");
        let r = hostile(
            &w,
            &w.full_env(),
            &[
                "config",
                "--output",
                out.to_str().unwrap(),
                "--service-account",
                &raw,
            ],
        );
        assert_eq!(r.code, 2, "{raw:?}: {}", r.all());
        assert!(r.stderr.contains("--service-account"), "{}", r.stderr);
        assert!(!out.exists(), "{raw:?}: a credential file was written");
    }

    // The same check sees the request when the value is valid, so the test can see one.
    let mut env = w.full_env();
    set(&mut env, "GCP_SERVICE_ACCOUNT", &sa);
    let _ = hostile(&w, &env, &["check", "--json"]);
    // The connection warm-up (a bare `HEAD /`, no credential) precedes the real call.
    let calls: Vec<String> = requests_to(&w, "iamcredentials.")
        .into_iter()
        .filter(|r| !r.starts_with("HEAD "))
        .collect();
    assert_eq!(
        calls,
        vec![format!(
            "POST iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/{sa}:generateAccessToken"
        )]
    );
}

#[test]
fn the_impersonation_url_keeps_the_email_one_segment() {
    use wif_doctor::gcp::service_account_impersonation_url as url;
    assert_eq!(
        url("googleapis.com", "a@b.iam.gserviceaccount.com/../../x?"),
        "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/a@b.iam.gserviceaccount.com%2F..%2F..%2Fx%3F:generateAccessToken"
    );
    assert_eq!(
        url("googleapis.com", "a@b.iam.gserviceaccount.com#frag"),
        "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/a@b.iam.gserviceaccount.com%23frag:generateAccessToken"
    );
    let parsed = ::url::Url::parse(&url("googleapis.com", "x/../y?#z@p.com")).unwrap();
    assert_eq!(parsed.path_segments().unwrap().count(), 5, "{parsed}");
    assert_eq!(parsed.query(), None);
    assert_eq!(parsed.fragment(), None);
}

/// Every `--json` command prints its errors as JSON on stdout, with the exit code.
#[test]
fn json_commands_print_errors_as_json() {
    let w = World::new(Scenario::Healthy);
    for (args, code) in [
        (vec!["token", "--json"], 1),
        (vec!["values", "--json"], 1),
        (vec!["check", "--json", "--source", "bogus"], 2),
        (vec!["env", "--json", "--resolve", "nonsense"], 2),
        (vec!["config", "--json", "--stdout"], 2),
        (vec!["check", "--json", "--no-such-flag"], 2),
        (vec!["decode", "--json", "not-a-jwt"], 1),
    ] {
        let r = w.run(&w.base_env(), &args);
        invariants(&r, &args);
        assert_eq!(r.code, code, "{args:?}: {}", r.all());
        let j = r.json();
        assert_eq!(j["ok"], false, "{args:?}: {j:#}");
        assert_eq!(j["exit_code"], code, "{args:?}: {j:#}");
        assert!(!j["error"]["message"].as_str().unwrap().is_empty());
    }
}

/// `decode` flags an unsigned token and `crit` as token.claims does.
#[test]
fn decode_flags_alg_none_and_crit() {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let claims =
        b64(r#"{"iss":"https://sts.windows.net/t/","aud":"api://x","sub":"s","exp":4102444800}"#);
    let w = World::new(Scenario::Healthy);
    for (header, expect) in [
        (r#"{"alg":"none","typ":"JWT"}"#, "unsigned"),
        (r#"{"alg":"RS256","kid":"k","crit":["b64"]}"#, "crit"),
    ] {
        let token = format!("{}.{claims}.", b64(header));
        let r = w.run(&w.base_env(), &["decode", "--json", &token]);
        assert_eq!(r.code, 0, "{}", r.all());
        let notes = r.json()["notes"].to_string();
        assert!(notes.contains(expect), "{header}: {notes}");
        let r = w.run(&w.base_env(), &["decode", &token]);
        assert!(r.stdout.contains(expect), "{header}: {}", r.stdout);
    }
}
