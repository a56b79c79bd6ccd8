//! Snapshots of every wizard step, healthy and failing, at 80×24 and 60×16, drawn into a
//! ratatui `TestBackend` from real engine results: the simulator runs in-process, the
//! demo settings are applied, and the session fetches the token and runs the checks
//! exactly as the wizard does. Run-specific values (ports, key ids, hashes, opaque
//! claims, times) are replaced by insta filters.

use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use wif_doctor::checks::{self, Event};
use wif_doctor::cli::Cli;
use wif_doctor::i18n::{Lang, set_lang};
use wif_doctor::session::Session;
use wif_doctor::settings::{EnvMap, Settings};
use wif_doctor::sim::Scenario;
use wif_doctor::tui::app::{Action, App, Overlay, Step};
use wif_doctor::tui::ui;

/// A regex matching `value` even when the wizard's word wrap split it over two rows of
/// the step pane (the rest of the row, the borders and the sidebar in between).
fn split_tolerant(value: &str) -> String {
    const SEP: &str = r#"(?:[ ]*[│|]"\n"[│|][^\n]*?[│|][│|])?"#;
    let chars: Vec<String> = value
        .chars()
        .map(|c| {
            if c.is_ascii_punctuation() {
                format!("\\{c}")
            } else {
                c.to_string()
            }
        })
        .collect();
    chars.join(SEP)
}

/// The process language is global and the tests of this file run in parallel: each one
/// holds this lock for its whole run, in the language it draws.
static LANG: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn lang(l: Lang) -> tokio::sync::MutexGuard<'static, ()> {
    let guard = LANG.lock().await;
    set_lang(l);
    guard
}

struct State {
    app: App,
    filters: Vec<(String, String)>,
    /// The identity header and the token: never to appear in anything the wizard writes.
    secrets: Vec<String>,
}

async fn state(scenario: Scenario) -> State {
    let sim = wif_doctor::demo::start(scenario, Duration::ZERO)
        .await
        .expect("simulator starts");
    let cli = Cli::try_parse_from(["wif-doctor", "--sysroot", "/nonexistent-wif-doctor-root"])
        .expect("arguments parse");
    let mut settings = Settings::resolve(&cli.settings, &EnvMap::new()).expect("settings");
    wif_doctor::demo::apply(&mut settings, &sim);
    let session = Arc::new(Session::new(settings).expect("session"));
    let fetched = session.fetch().await;
    let mut secrets: Vec<String> = vec![sim.identity_header().to_string()];
    if let Ok(f) = &fetched {
        secrets.push(f.token.token.expose().to_string());
    }
    let report = checks::run_to_report(session.clone()).await;

    let mut app = App::new(session, 0);
    app.demo = Some(scenario.name().to_string());
    app.default_config_path = "/home/user/gcp_credentials.json".into();
    // The wizard's start: generation 1 for both the fetch and the checks.
    let _ = app.start();

    let mut filters = vec![
        (
            r"127\.0\.0\.1:\d+".to_string(),
            "127.0.0.1:[port]".to_string(),
        ),
        // The simulator's error bodies carry a fresh correlation id.
        (
            r#"correlationId":"[0-9a-f-]{36}"#.to_string(),
            r#"correlationId":"[guid]"#.to_string(),
        ),
    ];
    let mut now = 1_800_000_000;
    if let Ok(f) = &fetched {
        let jwt = &f.jwt;
        let mut literal = |label: &str, v: Option<String>| {
            if let Some(v) = v.filter(|v| v.len() >= 6) {
                filters.push((split_tolerant(&v), format!("[{label}]")));
                // A value cut off at the bottom of the pane shows only its beginning.
                if v.len() >= 16 {
                    filters.push((
                        format!("{}[^\\s\"│|]*", split_tolerant(&v[..16])),
                        format!("[{label}...]"),
                    ));
                }
            }
        };
        literal("sha256", f.summary.sha256.clone());
        literal("kid", jwt.kid().map(str::to_string));
        literal("x5t", jwt.x5t().map(str::to_string));
        for claim in ["aio", "rh", "uti"] {
            literal(
                claim,
                jwt.claims
                    .get(claim)
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
            );
        }
        for claim in ["iat", "nbf", "exp"] {
            literal(claim, jwt.claims.get(claim).map(|v| v.to_string()));
        }
        // The countdown reads the app's clock: 1 h 2 m 3 s before expiry.
        if let Some((at, _)) = f.expires_at() {
            now = at - 3723;
            literal("utc", Some(wif_doctor::jwt::format_utc(at)));
        }
        for t in [jwt.iat(), jwt.nbf(), jwt.exp()].into_iter().flatten() {
            literal("utc", Some(wif_doctor::jwt::format_utc(t)));
        }
    }
    app.update(Action::Check {
        generation: 1,
        event: Event::Token(Box::new(fetched)),
    });
    app.update(Action::ChecksDone {
        generation: 1,
        report,
    });
    app.update(Action::Clock(now));
    drop(sim);
    State {
        app,
        filters,
        secrets,
    }
}

fn draw(app: &App, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal.draw(|f| ui::render(f, app)).expect("draw");
    terminal.backend().to_string()
}

fn snapshot(state: &State, name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    for (re, with) in &state.filters {
        settings.add_filter(re, with.as_str());
    }
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name.to_string(), text));
}

fn every_step(state: &mut State, prefix: &str) {
    for (w, h) in [(80u16, 24u16), (60, 16)] {
        for step in Step::ALL {
            state.app.step = step;
            state.app.size = (w, h);
            let text = draw(&state.app, w, h);
            let name = format!("{prefix}_{w}x{h}_{}_{}", step.digit(), step.slug());
            snapshot(state, &name, &text);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthy_every_step() {
    let _lang = lang(Lang::En).await;
    let mut s = state(Scenario::Healthy).await;
    s.app.step = Step::Test;
    let text = draw(&s.app, 80, 24);
    for hop in ["Azure MI", "token", "Google STS", "Vertex AI"] {
        assert!(text.contains(hop), "{hop} missing:\n{text}");
    }
    assert!(text.contains("End-to-end test passed"), "{text}");
    every_step(&mut s, "healthy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audience_mismatch_every_step() {
    let _lang = lang(Lang::En).await;
    let mut s = state(Scenario::AudienceMismatch).await;
    s.app.step = Step::Test;
    let text = draw(&s.app, 80, 24);
    assert!(text.contains("Failed at Google STS"), "{text}");
    assert!(text.contains("token says"), "{text}");
    assert!(text.contains("provider expects"), "{text}");
    assert!(text.contains("fix:"), "{text}");
    every_step(&mut s, "audience_mismatch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_identity_every_step() {
    let _lang = lang(Lang::En).await;
    // identity-500: the token never comes, so every step shows its failure state.
    let mut s = state(Scenario::Identity500).await;
    every_step(&mut s, "identity_500");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_small_overlays_and_ascii() {
    let _lang = lang(Lang::En).await;
    let mut s = state(Scenario::Healthy).await;
    let text = draw(&s.app, 59, 15);
    assert!(
        text.contains("terminal too small: need 60×16, have 59×15"),
        "{text}"
    );
    snapshot(&s, "too_small_59x15", &text);

    s.app.step = Step::Test;
    s.app.update(Action::Key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Char('?'),
    )));
    snapshot(&s, "help_overlay_80x24", &draw(&s.app, 80, 24));
    s.app.update(Action::Key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Esc,
    )));

    s.app.step = Step::Environment;
    for code in [
        crossterm::event::KeyCode::Char('e'),
        crossterm::event::KeyCode::Down,
        crossterm::event::KeyCode::Down,
        crossterm::event::KeyCode::Enter,
        crossterm::event::KeyCode::Char('X'),
    ] {
        s.app
            .update(Action::Key(crossterm::event::KeyEvent::from(code)));
    }
    snapshot(&s, "edit_pool_invalid_80x24", &draw(&s.app, 80, 24));
    s.app.update(Action::Key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Esc,
    )));
    s.app.update(Action::Key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Esc,
    )));

    s.app.ascii = true;
    s.app.step = Step::Test;
    let text = draw(&s.app, 80, 24);
    assert!(text.is_ascii(), "--ascii draws ASCII only:\n{text}");
    snapshot(&s, "ascii_test_80x24", &text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_config_executable_form() {
    let _lang = lang(Lang::En).await;
    let mut s = state(Scenario::Healthy).await;
    s.app.step = Step::Config;
    s.app.update(Action::Key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Char('f'),
    )));
    for (w, h) in [(80u16, 24u16), (60, 16)] {
        s.app.size = (w, h);
        let text = draw(&s.app, w, h);
        assert!(text.contains("executable"), "{text}");
        snapshot(
            &s,
            &format!("executable_form_{w}x{h}_credential_config"),
            &text,
        );
    }
    // Scrolled to the preview: the command names this binary and subject-token.
    s.app.size = (80, 24);
    s.app.scroll[Step::Config.index()] = 10;
    let text = draw(&s.app, 80, 24);
    assert!(text.contains("subject-token"), "{text}");
    snapshot(&s, "executable_form_80x24_preview", &text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_is_redacted_and_complete() {
    let _lang = lang(Lang::En).await;
    let s = state(Scenario::AudienceMismatch).await;
    let md = wif_doctor::report::markdown(&s.app.report_input());
    for secret in &s.secrets {
        assert!(
            !md.contains(secret.as_str()),
            "a secret leaked into the report"
        );
    }
    for want in [
        "| identity header | set (",
        "principalSet://",
        "FAIL `sts.exchange`",
        "update-oidc",
        "| aud | api://",
    ] {
        assert!(md.contains(want), "{want} missing:\n{md}");
    }
}

fn press(app: &mut App, code: crossterm::event::KeyCode) {
    app.update(Action::Key(crossterm::event::KeyEvent::from(code)));
}

/// Every row of a drawn frame is exactly `w` columns and the chooser's box is closed on
/// both sides: nothing wrapped into or out of the frame.
fn assert_intact(text: &str, w: u16, h: u16) {
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), usize::from(h), "{text}");
    for row in &rows {
        let inner = row.trim_matches('"');
        assert_eq!(inner.chars().count(), usize::from(w), "{row}");
    }
    let top = rows
        .iter()
        .position(|r| r.contains("Print which value"))
        .expect("chooser title");
    let bottom = rows
        .iter()
        .skip(top + 1)
        .position(|r| r.contains('└'))
        .expect("chooser bottom")
        + top
        + 1;
    let left = rows[top].chars().position(|c| c == '┌').unwrap();
    for row in &rows[top + 1..bottom] {
        let chars: Vec<char> = row.chars().collect();
        assert_eq!(chars[left], '│', "{row}");
        assert_eq!(chars[chars.len() - 1 - left], '│', "{row}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chooser_on_values_and_on_a_failing_fix() {
    let _lang = lang(Lang::En).await;
    let mut s = state(Scenario::Healthy).await;
    s.app.step = Step::Values;
    press(&mut s.app, crossterm::event::KeyCode::Char('p'));
    assert!(matches!(s.app.overlay, Overlay::Chooser(_)));
    let ps = s.app.values.principal_set.clone();
    for (w, h) in [(80u16, 24u16), (60, 16)] {
        s.app.size = (w, h);
        let text = draw(&s.app, w, h);
        assert_intact(&text, w, h);
        // The principalSet is highlighted, cut with an ellipsis, never wrapped.
        let row = text
            .lines()
            .find(|r| r.contains("▶"))
            .expect("a highlighted row");
        assert!(
            row.contains("PrincipalSet") && row.contains("principalSet://"),
            "{row}"
        );
        assert!(row.contains('…') && !text.contains(&ps), "{text}");
        snapshot(&s, &format!("chooser_values_{w}x{h}"), &text);
    }
    // At 60×16 the list scrolls: "all" (0) comes into view at the end.
    press(&mut s.app, crossterm::event::KeyCode::End);
    let text = draw(&s.app, 60, 16);
    assert_intact(&text, 60, 16);
    let row = text
        .lines()
        .find(|r| r.contains("▶"))
        .expect("a highlighted row");
    assert!(
        row.contains(" 0 all ") && row.contains(" of them"),
        "{text}"
    );
    snapshot(&s, "chooser_values_all_60x16", &text);

    let mut s = state(Scenario::AudienceMismatch).await;
    s.app.step = Step::Test;
    press(&mut s.app, crossterm::event::KeyCode::Char('p'));
    for (w, h) in [(80u16, 24u16), (60, 16)] {
        s.app.size = (w, h);
        let text = draw(&s.app, w, h);
        assert_intact(&text, w, h);
        assert!(text.contains("1 update-oidc azure-mi"), "{text}");
        assert!(text.contains("2 describe azure-mi"), "{text}");
        assert!(text.contains("gcloud iam"), "{text}");
        snapshot(&s, &format!("chooser_fix_{w}x{h}"), &text);
    }
    s.app.ascii = true;
    let text = draw(&s.app, 80, 24);
    assert!(text.is_ascii(), "{text}");
    assert!(
        text.contains("> 1 update-oidc") && text.contains("..."),
        "{text}"
    );
}

// ---- Japanese (LANG=ja_JP.UTF-8 in the wizard): the same screens, drawn cell by cell ----

/// Draws `app` and returns the rows as the terminal would show them (a wide character's
/// second cell is not repeated), after checking that the frame survived double-width text:
/// every row is exactly `w` columns, no wide character hides a non-blank cell (something
/// drawn over half of it), and with `frame` the body rows start and end with a border.
fn draw_checked(app: &App, w: u16, h: u16, frame: bool) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal.draw(|f| ui::render(f, app)).expect("draw");
    let buf = terminal.backend().buffer().clone();
    let mut out = String::new();
    let mut problems = Vec::new();
    for y in 0..h {
        let mut row = String::new();
        let mut skip = 0usize;
        for x in 0..w {
            let sym = buf[(x, y)].symbol();
            if skip > 0 {
                skip -= 1;
                if !sym.trim().is_empty() {
                    problems.push(format!(
                        "row {y}: {sym:?} at column {x} hidden by a wide character"
                    ));
                }
                continue;
            }
            row.push_str(sym);
            skip = sym.width().saturating_sub(1);
        }
        if row.width() != usize::from(w) {
            problems.push(format!("row {y} is {} columns, not {w}", row.width()));
        }
        if frame && (1..h - 2).contains(&y) {
            let first = row.chars().next().unwrap_or(' ');
            let last = row.chars().last().unwrap_or(' ');
            if !"┌│└".contains(first) || !"┐│┘".contains(last) {
                problems.push(format!(
                    "row {y} does not start and end with a border: {row:?}"
                ));
            }
        }
        out.push('"');
        out.push_str(&row);
        out.push_str("\"\n");
    }
    assert!(problems.is_empty(), "{}\n{out}", problems.join("\n"));
    out
}

fn every_step_ja(state: &mut State, prefix: &str) {
    for (w, h) in [(80u16, 24u16), (60, 16)] {
        for step in Step::ALL {
            state.app.step = step;
            state.app.size = (w, h);
            state.app.scroll = [0; 6];
            let text = draw_checked(&state.app, w, h, true);
            let name = format!("{prefix}_{w}x{h}_{}_{}", step.digit(), step.slug());
            snapshot(state, &name, &text);
            // Every scroll position of the step keeps the frame (long lines wrap inside).
            for scroll in 1..40 {
                state.app.scroll[step.index()] = scroll;
                draw_checked(&state.app, w, h, true);
            }
            state.app.scroll = [0; 6];
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ja_healthy_every_step() {
    let _lang = lang(Lang::Ja).await;
    let mut s = state(Scenario::Healthy).await;
    s.app.step = Step::Test;
    let text = draw_checked(&s.app, 80, 24, true);
    for want in ["エンドツーエンド テスト成功", "件すべて成功", "ステップ"] {
        assert!(text.contains(want), "{want} missing:\n{text}");
    }
    every_step_ja(&mut s, "ja_healthy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ja_audience_mismatch_every_step() {
    let _lang = lang(Lang::Ja).await;
    let mut s = state(Scenario::AudienceMismatch).await;
    s.app.step = Step::Test;
    let text = draw_checked(&s.app, 80, 24, true);
    for want in [
        "Google STS で失敗",
        "トークンの値 (aud):",
        "プロバイダが期待する値:",
        "対処:",
    ] {
        assert!(text.contains(want), "{want} missing:\n{text}");
    }
    every_step_ja(&mut s, "ja_audience_mismatch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ja_no_identity_every_step() {
    let _lang = lang(Lang::Ja).await;
    let mut s = state(Scenario::Identity500).await;
    every_step_ja(&mut s, "ja_identity_500");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ja_overlays_too_small_and_toasts() {
    use crossterm::event::KeyCode;
    let _lang = lang(Lang::Ja).await;
    let mut s = state(Scenario::Healthy).await;
    let text = draw_checked(&s.app, 59, 15, false);
    assert!(
        text.contains("端末が小さすぎます: 60×16 必要ですが 59×15 です"),
        "{text}"
    );
    snapshot(&s, "ja_too_small_59x15", &text);

    for (w, h) in [(80u16, 24u16), (60, 16)] {
        s.app.size = (w, h);
        s.app.step = Step::Test;
        press(&mut s.app, KeyCode::Char('?'));
        let text = draw_checked(&s.app, w, h, true);
        assert!(text.contains("キー操作"), "{text}");
        snapshot(&s, &format!("ja_help_overlay_{w}x{h}"), &text);
        press(&mut s.app, KeyCode::Esc);

        s.app.step = Step::Environment;
        press(&mut s.app, KeyCode::Char('e'));
        let text = draw_checked(&s.app, w, h, true);
        assert!(
            text.contains("設定の編集") && text.contains("プロジェクト番号"),
            "{text}"
        );
        snapshot(&s, &format!("ja_edit_pick_{w}x{h}"), &text);
        for code in [
            KeyCode::Down,
            KeyCode::Down,
            KeyCode::Enter,
            KeyCode::Char('X'),
        ] {
            press(&mut s.app, code);
        }
        let text = draw_checked(&s.app, w, h, true);
        snapshot(&s, &format!("ja_edit_pool_invalid_{w}x{h}"), &text);
        press(&mut s.app, KeyCode::Esc);
        press(&mut s.app, KeyCode::Esc);

        s.app.step = Step::Values;
        press(&mut s.app, KeyCode::Char('p'));
        assert!(matches!(s.app.overlay, Overlay::Chooser(_)));
        let text = draw_checked(&s.app, w, h, true);
        assert!(text.contains("どの値を表示しますか"), "{text}");
        snapshot(&s, &format!("ja_chooser_values_{w}x{h}"), &text);
        press(&mut s.app, KeyCode::Esc);
        // The longest toast, cut with an ellipsis on the status line.
        s.app.step = Step::Values;
        press(&mut s.app, KeyCode::Char('y'));
        let text = draw_checked(&s.app, w, h, true);
        assert!(text.contains("OSC 52") && text.contains('…'), "{text}");
        snapshot(&s, &format!("ja_toast_copy_{w}x{h}"), &text);
        s.app.toast = None;

        s.app.step = Step::Config;
        press(&mut s.app, KeyCode::Char('w'));
        let text = draw_checked(&s.app, w, h, true);
        assert!(text.contains("ファイルの書き込み"), "{text}");
        snapshot(&s, &format!("ja_path_prompt_{w}x{h}"), &text);
        press(&mut s.app, KeyCode::Esc);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ja_fix_chooser_keeps_the_commands() {
    use crossterm::event::KeyCode;
    let _lang = lang(Lang::Ja).await;
    let mut s = state(Scenario::AudienceMismatch).await;
    s.app.step = Step::Test;
    press(&mut s.app, KeyCode::Char('p'));
    for (w, h) in [(80u16, 24u16), (60, 16)] {
        s.app.size = (w, h);
        let text = draw_checked(&s.app, w, h, true);
        assert!(text.contains("1 update-oidc azure-mi"), "{text}");
        assert!(text.contains("gcloud iam"), "{text}");
        snapshot(&s, &format!("ja_chooser_fix_{w}x{h}"), &text);
    }
}
