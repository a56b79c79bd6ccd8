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
