//! The wizard in Japanese (LANG=ja_JP.UTF-8), as an operator's browser console shows it:
//! the real binary with `--demo` in a pseudo-terminal at 80×24 and 60×16, read cell by cell
//! with a VT100 parser. On every screen reachable from the keyboard (each step, the help,
//! the editor, the chooser, a fault scenario), every row is exactly as wide as the terminal,
//! nothing wraps, and the frame's borders sit in their columns despite double-width text.

mod pty_support;
use pty_support::Pty;

const JA: &[(&str, &str)] = &[("LANG", "ja_JP.UTF-8")];

/// The sidebar's width at this terminal width (ui::render: 24 from 76 columns, else 20).
fn sidebar(cols: u16) -> u16 {
    if cols >= 76 { 24 } else { 20 }
}

fn wizard(args: &[&str], cols: u16, rows: u16) -> Pty {
    let pty = Pty::spawn(args, cols, rows, JA);
    pty.wait_for("環境");
    pty
}

/// The step titles as the pane shows them (` 3 Google の値 `).
const STEPS: [(&str, &str); 6] = [
    ("1", "1 環境"),
    ("2", "2 トークン"),
    ("3", "3 Google の値"),
    ("4", "4 認証情報の構成"),
    ("5", "5 エンドツーエンド テスト"),
    ("6", "6 レポート"),
];

/// Walk every step, then the help, the editor and the chooser, checking the frame on each.
fn walk(args: &[&str], cols: u16, rows: u16, done: &str) -> Pty {
    let mut pty = wizard(args, cols, rows);
    pty.wait_for(done);
    let side = Some(sidebar(cols));
    pty.assert_frame(side, "step 1");
    for (key, title) in STEPS {
        pty.send(key.as_bytes());
        pty.wait_for(title);
        pty.assert_frame(side, title);
        // Scrolled to the end of the step: long Japanese lines wrapped inside the pane.
        for _ in 0..3 {
            pty.send(b" ");
        }
        pty.assert_frame(side, &format!("{title}, scrolled"));
        pty.send(b"g");
    }
    pty.send(b"?");
    pty.wait_for("キー操作");
    pty.assert_frame(None, "help");
    pty.send(b"x");
    pty.wait_until(|p| !p.screen().contains("キー操作"), "the help to close");
    pty.send(b"1");
    pty.send(b"e");
    pty.wait_for("設定の編集");
    pty.assert_frame(None, "edit: pick a setting");
    pty.send(b"\r");
    pty.wait_for("(GCP_PROJECT_NUMBER)");
    pty.assert_frame(None, "edit: typing a value");
    pty.send(b"x");
    pty.wait_for("プロジェクト番号");
    pty.assert_frame(None, "edit: an invalid value");
    // One key at a time: two ESC bytes in a row read as one Alt+Esc.
    pty.send(b"\x1b");
    pty.wait_until(
        |p| !p.screen().contains("(GCP_PROJECT_NUMBER)"),
        "the editor to go back to the list",
    );
    pty.send(b"\x1b");
    pty.wait_until(
        |p| !p.screen().contains("設定の編集"),
        "the editor to close",
    );
    pty.send(b"3");
    pty.wait_for("3 Google の値");
    pty.send(b"p");
    pty.wait_for("どの値を表示しますか");
    pty.assert_frame(None, "chooser");
    pty.send(b"\x1b");
    pty.wait_for("何も表示しませんでした");
    pty.assert_frame(side, "toast");
    pty
}

#[test]
fn japanese_80x24_every_screen_keeps_its_frame() {
    let mut pty = walk(&["--demo"], 80, 24, "件すべて成功");
    let screen = pty.screen();
    assert!(screen.contains("ステップ"), "{screen}");
    pty.send(b"q");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn japanese_60x16_every_screen_keeps_its_frame() {
    let mut pty = walk(&["--demo"], 60, 16, "件すべて成功");
    pty.send(b"q");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn japanese_fault_scenario_keeps_its_frame_and_names_the_failing_hop() {
    for (cols, rows) in [(80u16, 24u16), (60, 16)] {
        let mut pty = walk(&["--demo=audience-mismatch"], cols, rows, "失敗");
        pty.send(b"5");
        pty.wait_for("Google STS で失敗");
        if rows < 24 {
            // Below the fold at 60×16: scroll to it.
            for _ in 0..6 {
                pty.send(b"j");
            }
        }
        pty.wait_for("トークンの値 (aud):");
        pty.assert_frame(Some(sidebar(cols)), "audience-mismatch, step 5");
        pty.send(b"q");
        pty.wait_exit();
    }
}

#[test]
fn japanese_identity_failure_keeps_its_frame() {
    let mut pty = walk(&["--demo=identity-500"], 80, 24, "失敗");
    pty.send(b"2");
    pty.wait_for("2 トークン");
    pty.assert_frame(Some(24), "identity-500, step 2");
    pty.send(b"q");
    pty.wait_exit();
}

#[test]
fn lang_en_and_lc_all_c_show_no_japanese() {
    let ja = ("LANG", "ja_JP.UTF-8");
    for (args, env) in [
        (&["--demo"][..], &[ja, ("LC_ALL", "C")][..]),
        (&["--demo"][..], &[ja, ("WIF_DOCTOR_LANG", "en")][..]),
        (&["--lang", "en", "--demo"][..], &[ja][..]),
    ] {
        let mut pty = Pty::spawn(args, 80, 24, env);
        pty.wait_for("all 8 checks ok");
        let mut screens = vec![pty.screen()];
        pty.send(b"?");
        pty.wait_for("Keys");
        screens.push(pty.screen());
        pty.send(b"x");
        pty.send(b"5");
        pty.wait_for("End-to-end test passed");
        screens.push(pty.screen());
        for screen in screens {
            assert!(
                !screen
                    .chars()
                    .any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)
                        || ('\u{4e00}'..='\u{9fff}').contains(&c)
                        || ('\u{ff00}'..='\u{ffef}').contains(&c)),
                "{args:?} {env:?}:\n{screen}"
            );
        }
        pty.send(b"q");
        pty.wait_exit();
    }
}
