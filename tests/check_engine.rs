//! The engine as a library: the event stream, and re-running without re-fetching the token.

use std::sync::Arc;
use wif_doctor::checks::{self, CheckId, Event, Status};
use wif_doctor::settings::{EnvMap, Settings, SettingsArgs};
use wif_doctor::sim::Scenario;

fn session(sim: &wif_doctor::sim::Sim, root: &std::path::Path) -> wif_doctor::session::Session {
    let args = SettingsArgs {
        sysroot: Some(root.to_path_buf()),
        ..Default::default()
    };
    let mut settings = Settings::resolve(&args, &EnvMap::new()).unwrap();
    wif_doctor::demo::apply(&mut settings, sim);
    wif_doctor::session::Session::new(settings).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn findings_stream_as_they_complete_with_the_token() {
    let root = tempfile::tempdir().unwrap();
    let sim = wif_doctor::demo::start(Scenario::Healthy, std::time::Duration::ZERO)
        .await
        .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let report = checks::run(Arc::new(session(&sim, root.path())), tx).await;
    assert!(report.ok);
    let mut events = Vec::new();
    while let Ok(e) = rx.try_recv() {
        events.push(e);
    }
    // Every check is announced before it finishes, and finishes exactly once.
    for id in CheckId::ALL {
        let started = events
            .iter()
            .position(|e| matches!(e, Event::Started(x) if *x == id));
        let finished: Vec<usize> = events
            .iter()
            .enumerate()
            .filter(|(_, e)| matches!(e, Event::Finished(f) if f.id == id))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(finished.len(), 1, "{id}");
        assert!(started.unwrap() < finished[0], "{id}");
    }
    let token = events.iter().find_map(|e| match e {
        Event::Token(t) => Some(t),
        _ => None,
    });
    let fetched = token
        .expect("the token is reported")
        .as_ref()
        .as_ref()
        .expect("fetched");
    assert_eq!(
        fetched.jwt.sub(),
        Some(sim.system_identity().object_id.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rerun_with_a_token_skips_the_identity_endpoint() {
    let root = tempfile::tempdir().unwrap();
    let sim = wif_doctor::demo::start(Scenario::Healthy, std::time::Duration::ZERO)
        .await
        .unwrap();
    let s = Arc::new(session(&sim, root.path()));
    let fetched = s.fetch().await.unwrap();
    sim.clear_requests();
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let report = checks::run_with(s, Some(fetched), tx).await;
    assert!(report.ok, "{report:#?}");
    assert_eq!(
        report.get(CheckId::StsExchange).unwrap().status,
        Status::Pass
    );
    assert!(
        !sim.requests()
            .iter()
            .any(|r| r.path.eq_ignore_ascii_case("/msi/token")),
        "the token was reused"
    );
}

fn japanese(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'))
}

/// Issue 10: the failing token findings of the two token fault scenarios render in Japanese and
/// still name the actual values (the expiry time, the kid, the issuer) and the fix commands;
/// their English rendering has no Japanese in it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_faults_render_in_japanese_with_their_values() {
    use wif_doctor::i18n::Lang;
    for (scenario, id) in [
        (Scenario::ExpiredToken, CheckId::TokenClaims),
        (Scenario::UnknownSigningKey, CheckId::TokenSignature),
    ] {
        let root = tempfile::tempdir().unwrap();
        let sim = wif_doctor::demo::start(scenario, std::time::Duration::ZERO)
            .await
            .unwrap();
        let report = checks::run_to_report(Arc::new(session(&sim, root.path()))).await;
        let f = report.checks.iter().find(|f| f.id == id).unwrap();
        assert_eq!(f.status, Status::Fail, "{scenario:?}: {}", f.detail.en());
        let (d, fix) = (f.detail.render(Lang::Ja), f.fix.render(Lang::Ja));
        assert!(japanese(&d) && japanese(&fix), "{scenario:?}: {d}\n{fix}");
        assert!(!japanese(&f.detail.en()) && !japanese(&f.fix.en()));
        let data = &f.data;
        match id {
            CheckId::TokenClaims => {
                let exp = data["exp"].as_i64().unwrap();
                assert!(d.contains(&wif_doctor::jwt::format_utc(exp)), "{d}");
                assert!(d.contains("有効期限") && d.contains("前)"), "{d}");
                assert!(fix.contains("date -u"), "{fix}");
            }
            _ => {
                let iss = data.get("iss").and_then(|v| v.as_str());
                assert!(d.contains("署名鍵") && d.contains("JWKS"), "{d}");
                if let Some(iss) = iss {
                    assert!(d.contains(iss), "{d}");
                }
                assert!(fix.contains("--jwk-json-path"), "{fix}");
            }
        }
    }
}
