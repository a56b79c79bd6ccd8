//! What goes over the wire during `check`: the STS request exactly as google-auth sends it,
//! and where each secret travelled (from the simulator's request log).

mod common;
use common::*;
use wif_doctor::sim::{RecordedRequest, Scenario};

/// Python's `urllib.parse.urlencode` (quote_plus): google-auth's form encoder.
fn python_urlencode(pairs: &[(&str, &str)]) -> String {
    fn quote_plus(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_string(),
                other => format!("%{other:02X}"),
            })
            .collect()
    }
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", quote_plus(k), quote_plus(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn sts_requests(reqs: &[RecordedRequest]) -> Vec<&RecordedRequest> {
    reqs.iter()
        .filter(|r| r.host == "sts.googleapis.com" && r.path == "/v1/token")
        .collect()
}

#[test]
fn sts_request_matches_google_auth_field_for_field() {
    let w = World::new(Scenario::Healthy);
    let r = w.run(&w.full_env(), &["check", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let reqs = w.sim.requests();
    let sts = sts_requests(&reqs);
    assert_eq!(sts.len(), 1);
    let req = sts[0];
    assert_eq!(req.method, "POST");
    assert_eq!(
        req.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert!(
        req.header("authorization").is_none(),
        "STS must not get an Authorization header"
    );
    let subject = url::form_urlencoded::parse(req.body.as_bytes())
        .find(|(k, _)| k == "subject_token")
        .map(|(_, v)| v.into_owned())
        .expect("subject_token");
    let g = w.sim.google();
    let expected = python_urlencode(&[
        (
            "grant_type",
            "urn:ietf:params:oauth:grant-type:token-exchange",
        ),
        ("audience", &g.audience()),
        ("scope", "https://www.googleapis.com/auth/cloud-platform"),
        (
            "requested_token_type",
            "urn:ietf:params:oauth:token-type:access_token",
        ),
        ("subject_token", &subject),
        ("subject_token_type", "urn:ietf:params:oauth:token-type:jwt"),
    ]);
    assert_eq!(req.body, expected);
}

fn carries(req: &RecordedRequest, secret: &str) -> bool {
    req.headers.iter().any(|(_, v)| v.contains(secret))
        || req.query.contains(secret)
        || req.body.contains(secret)
}

#[test]
fn secrets_go_only_where_they_belong_in_every_scenario() {
    for scenario in Scenario::all() {
        let w = World::new(scenario);
        let mut env = w.full_env();
        if scenario == Scenario::IdentityHang {
            set(&mut env, "WIF_DOCTOR_TIMEOUT", "300ms");
        }
        for args in [["check", "--json"], ["check", "--ascii"]] {
            let r = w.run(&env, &args); // asserts: no header, JWT or ya29 token in any output
            assert!(r.code == 0 || r.code == 1, "{scenario}: {}", r.all());
        }
        let reqs = w.sim.requests();
        let header = w.sim.identity_header();
        let subject_tokens: Vec<String> = sts_requests(&reqs)
            .iter()
            .filter_map(|r| {
                url::form_urlencoded::parse(r.body.as_bytes())
                    .find(|(k, _)| k == "subject_token")
                    .map(|(_, v)| v.into_owned())
            })
            .collect();
        for q in &reqs {
            let identity = q.listener == "http" && q.path.eq_ignore_ascii_case("/msi/token");
            assert!(
                !carries(q, header) || identity,
                "{scenario}: header sent to {} {}",
                q.host,
                q.path
            );
            let is_sts = q.host == "sts.googleapis.com";
            for t in &subject_tokens {
                assert!(
                    !carries(q, t) || is_sts,
                    "{scenario}: Azure token sent to {} {}",
                    q.host,
                    q.path
                );
            }
            // A Google token only ever travels as a bearer to Google APIs, never to Azure.
            if carries(q, "ya29.") {
                assert!(
                    q.host.ends_with("googleapis.com") && !is_sts,
                    "{scenario}: Google token sent to {}",
                    q.host
                );
            }
        }
    }
}
