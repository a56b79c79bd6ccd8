//! The wizard as an operator sees it: the real binary with `--demo` in a pseudo-terminal
//! (80×24, TERM=xterm-color, like the App Service browser console).

mod pty_support;
use pty_support::Pty;

/// The simulator's system identity and project (fixed values of the demo tenant).
fn principal_set() -> String {
    let sub = &wif_doctor::sim::SimTenant::demo().system.object_id;
    format!(
        "principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/azure-pool/attribute.subject/{sub}"
    )
}

fn wizard(args: &[&str]) -> Pty {
    let pty = Pty::spawn(args, 80, 24, &[]);
    pty.wait_for("1 Environment");
    pty
}

#[test]
fn walks_every_step_by_its_digit() {
    let mut pty = wizard(&["--demo"]);
    assert!(pty.alternate_screen());
    pty.wait_for("all 8 checks ok");
    for (key, title) in [
        ("2", "2 Token"),
        ("3", "3 Google values"),
        ("4", "4 Credential config"),
        ("5", "5 End-to-end test"),
        ("6", "6 Report"),
        ("1", "1 Environment"),
    ] {
        pty.send(key.as_bytes());
        pty.wait_for(title);
    }
    pty.send(b"2");
    pty.wait_for("expires");
    pty.send(b"?");
    pty.wait_for("Keys");
    pty.send(b"x");
    pty.send(b"q");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn the_end_to_end_test_lights_every_hop() {
    let mut pty = wizard(&["--demo"]);
    pty.send(b"5");
    pty.wait_for("5 End-to-end test");
    pty.send(b"t");
    pty.wait_for("End-to-end test passed");
    let screen = pty.screen();
    for hop in ["✓ Azure MI", "✓ token", "✓ Google STS", "✓ Vertex AI"] {
        assert!(screen.contains(hop), "{hop}:\n{screen}");
    }
    pty.send(b"q");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn a_fault_shows_the_failing_hop_and_its_fix() {
    let mut pty = wizard(&["--demo=audience-mismatch"]);
    pty.send(b"5");
    pty.wait_for("✗ Google STS");
    pty.wait_for("fix: Allow the token's audience");
    pty.wait_for("– Vertex AI"); // the run is over: Vertex is skipped, not running
    let screen = pty.screen();
    assert!(screen.contains("token says (aud):"), "{screen}");
    assert!(screen.contains("provider expects:"), "{screen}");
    pty.send(b"q");
    pty.wait_exit();
}

/// After choosing one value: the normal screen holds exactly its label, the value as one
/// logical line (soft-wrapped by the terminal, never broken by us) and the prompt, with
/// nothing scrolled off above; the bytes of the value are contiguous.
fn assert_printed_alone(pty: &Pty, label: &str, value: &str) {
    pty.wait_for("Press Enter to return");
    assert!(
        !pty.alternate_screen(),
        "printed on the main screen, where the mouse selects text"
    );
    let lines = pty.logical_lines();
    let shown: Vec<&str> = lines
        .iter()
        .map(String::as_str)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(
        shown,
        [label, value, "Press Enter to return to the wizard."],
        "{}",
        pty.screen()
    );
    assert_eq!(lines[0], label, "printed from the top of a cleared screen");
    assert_eq!(pty.scrollback_len(), 0, "nothing to scroll past");
    let row = lines.iter().position(|l| l == value).unwrap() as u16;
    let rows = value.len().div_ceil(80) as u16;
    assert!(rows > 1, "the value is longer than the terminal is wide");
    for r in row..row + rows - 1 {
        assert!(pty.row_wrapped(r), "row {r} soft-wraps into the next");
    }
    assert!(!pty.row_wrapped(row + rows - 1), "the value ends its line");
    // No newline, cursor move, border or label inside the value's bytes.
    assert!(pty.raw().contains(&format!("\r\n{value}\r\n")));
}

/// The chooser's highlighted entry: its number and the rest of its row.
fn highlighted(pty: &Pty) -> Option<(usize, String)> {
    let screen = pty.screen();
    let row = screen.lines().find(|r| r.contains('▶'))?;
    let rest = row.split_once('▶')?.1.trim_start();
    let (n, text) = rest.split_once(' ')?;
    Some((n.parse().ok()?, text.trim_start().to_string()))
}

/// Wait until the highlighted entry's text starts with `label`; returns its number.
fn wait_highlighted(pty: &Pty, label: &str) -> usize {
    pty.wait_until(
        |p| highlighted(p).is_some_and(|(_, t)| t.starts_with(label)),
        &format!("{label:?} highlighted"),
    );
    highlighted(pty).unwrap().0
}

#[test]
fn p_chooses_the_principal_set_by_number_and_by_arrows() {
    let mut pty = wizard(&["--demo"]);
    pty.wait_for("all 8 checks ok");
    pty.send(b"3");
    pty.wait_for("3 Google values");
    pty.wait_for("Principal (this identity)");
    let want = principal_set();
    let label = "PrincipalSet (attribute.subject):";

    // By number.
    pty.send(b"p");
    pty.wait_for("Print which value?");
    let n = wait_highlighted(&pty, "PrincipalSet");
    assert!(n < 10, "one digit picks it");
    pty.wait_for(" 0 all ");
    pty.send(n.to_string().as_bytes());
    assert_printed_alone(&pty, label, &want);
    pty.send(b"\r");
    pty.wait_until(|p| p.alternate_screen(), "the wizard to come back");
    pty.wait_for("3 Google values");

    // By arrows: up to the principal, back down, Enter.
    pty.send(b"p");
    wait_highlighted(&pty, "PrincipalSet");
    pty.send(b"\x1b[A");
    assert_eq!(wait_highlighted(&pty, "Principal "), n - 1);
    pty.send(b"\x1b[B");
    assert_eq!(wait_highlighted(&pty, "PrincipalSet"), n);
    pty.send(b"\r");
    assert_printed_alone(&pty, label, &want);
    pty.send(b"\r");
    pty.wait_until(|p| p.alternate_screen(), "the wizard to come back");
    pty.wait_for("3 Google values");

    // Entry 0 prints every value under its label (the old p), Esc cancels.
    pty.send(b"p");
    pty.wait_for("Print which value?");
    pty.send(b"0");
    pty.wait_for("Press Enter to return");
    let raw = pty.raw();
    assert!(raw.contains("\x1b[2Jwif-doctor: Google values\r\n"));
    assert!(raw.contains("\r\nTerraform:\r\n"));
    assert!(raw.contains(&format!("\r\n{label}\r\n{want}\r\n")));
    pty.send(b"\r");
    pty.wait_until(|p| p.alternate_screen(), "the wizard to come back");
    pty.send(b"p");
    pty.wait_for("Print which value?");
    pty.send(b"\x1b");
    pty.wait_for("nothing printed");
    pty.send(b"q");
    assert_eq!(pty.wait_exit(), 0);
}

#[test]
fn p_chooses_a_failing_checks_fix_command() {
    let tenant = wif_doctor::sim::SimTenant::demo();
    let update = format!(
        "gcloud iam workload-identity-pools providers update-oidc azure-mi --project=demo-project --location=global --workload-identity-pool=azure-pool --allowed-audiences='{}'",
        tenant.app_v1.identifier_uri
    );
    let describe = "gcloud iam workload-identity-pools providers describe azure-mi --project=demo-project --location=global --workload-identity-pool=azure-pool --format=json";
    let mut pty = wizard(&["--demo=audience-mismatch"]);
    pty.send(b"5");
    pty.wait_for("✗ Google STS");
    pty.wait_for("– Vertex AI"); // the run is over

    pty.send(b"p");
    pty.wait_for("Print which value?");
    assert_eq!(wait_highlighted(&pty, "update-oidc azure-mi"), 1);
    pty.wait_for("2 describe azure-mi");
    pty.wait_for("0 every fix in full");
    pty.send(b"1");
    assert_printed_alone(
        &pty,
        "update-oidc azure-mi (fix for sts.exchange):",
        &update,
    );
    pty.send(b"\r");
    pty.wait_until(|p| p.alternate_screen(), "the wizard to come back");
    pty.wait_for("5 End-to-end test");

    pty.send(b"p");
    wait_highlighted(&pty, "update-oidc azure-mi");
    pty.send(b"\x1b[B");
    assert_eq!(wait_highlighted(&pty, "describe azure-mi"), 2);
    pty.send(b"\r");
    assert_printed_alone(&pty, "describe azure-mi (fix for sts.exchange):", describe);
    pty.send(b"\r");
    pty.wait_until(|p| p.alternate_screen(), "the wizard to come back");
    pty.wait_for("5 End-to-end test");
    pty.send(b"q");
    pty.wait_exit();
}

#[test]
fn quit_leaves_the_alternate_screen_and_prints_the_summary() {
    let mut pty = wizard(&["--demo"]);
    pty.wait_for("all 8 checks ok");
    pty.send(b"q");
    assert_eq!(pty.wait_exit(), 0);
    assert!(!pty.alternate_screen());
    let screen = pty.screen();
    assert!(screen.contains(&principal_set()), "{screen}");
    assert!(screen.contains("https://sts.windows.net/"), "{screen}");
}

#[test]
fn ctrl_c_and_sigterm_restore_the_terminal() {
    let mut pty = wizard(&["--demo"]);
    pty.send(b"\x03");
    pty.wait_exit();
    assert!(!pty.alternate_screen());
    assert!(
        pty.raw().contains("\x1b[?2004l") || pty.raw().contains("\x1b[?1049l"),
        "terminal modes restored"
    );

    let mut pty = wizard(&["--demo"]);
    let pid = pty.pid();
    let status = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(status.success());
    pty.wait_exit();
    assert!(!pty.alternate_screen(), "{}", pty.screen());
}

#[test]
fn terminal_modes_suit_a_browser_console() {
    let mut pty = wizard(&["--demo"]);
    pty.send(b"q");
    pty.wait_exit();
    let raw = pty.raw();
    assert!(raw.contains("\x1b[?2004h"), "bracketed paste on");
    for mouse in ["\x1b[?1000h", "\x1b[?1002h", "\x1b[?1003h", "\x1b[?1006h"] {
        assert!(
            !raw.contains(mouse),
            "mouse capture must stay off so text selection works"
        );
    }
}

#[test]
fn too_small_terminal_says_so() {
    let mut pty = Pty::spawn(&["--demo"], 50, 12, &[]);
    pty.wait_for("terminal too small");
    pty.send(b"q");
    pty.wait_exit();
}

#[test]
fn no_color_and_ascii_are_honoured() {
    let mut pty = Pty::spawn(&["--demo", "--ascii"], 80, 24, &[("NO_COLOR", "1")]);
    pty.wait_for("1 Environment");
    pty.wait_for("all 8 checks ok");
    let screen = pty.screen();
    assert!(!screen.contains('┌') && !screen.contains('✓'), "{screen}");
    pty.send(b"q");
    pty.wait_exit();
    let raw = pty.raw();
    assert!(
        !raw.contains("\x1b[38;5;") && !raw.contains("\x1b[31m") && !raw.contains("\x1b[32m"),
        "no colours under NO_COLOR"
    );
}

#[test]
fn a_panic_anywhere_restores_the_terminal_and_ends_the_wizard() {
    for fault in ["panic-task", "panic-ui"] {
        let mut pty = Pty::spawn(&["--demo"], 80, 24, &[("WIF_DOCTOR_FAULT", fault)]);
        let code = pty.wait_exit();
        assert_ne!(code, 0, "{fault}");
        assert!(!pty.alternate_screen(), "{fault}: {}", pty.screen());
        assert!(
            pty.raw().contains("\x1b[?2004l"),
            "{fault}: bracketed paste switched off"
        );
        assert!(
            pty.screen().contains("injected"),
            "{fault}: the panic is reported: {}",
            pty.screen()
        );
    }
}

#[test]
fn sighup_restores_the_terminal() {
    let mut pty = wizard(&["--demo"]);
    let status = std::process::Command::new("kill")
        .arg("-HUP")
        .arg(pty.pid().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    pty.wait_exit();
    assert!(!pty.alternate_screen(), "{}", pty.screen());
}

#[test]
fn edit_in_place_validates_a_pasted_value_and_reruns_the_checks() {
    let mut pty = wizard(&["--demo"]);
    pty.wait_for("all 8 checks ok");
    pty.send(b"e");
    pty.wait_for("Pick a setting");
    pty.send(b"\x1b[B\x1b[B\r"); // Down, Down (pool), Enter
    pty.wait_for("GCP_WORKLOAD_IDENTITY_POOL_ID");
    pty.send(b"\x15"); // Ctrl+U clears
    pty.send(b"\x1b[200~gcp-reserved\x1b[201~"); // a bracketed paste arrives whole
    pty.wait_for("can not start with \"gcp-\"");
    pty.send(b"\x15");
    pty.send(b"\x1b[200~other-pool\x1b[201~");
    pty.wait_for("ok");
    pty.send(b"\r");
    // The new pool does not exist in the simulated project: STS now fails.
    pty.send(b"5");
    pty.wait_for("✗ Google STS");
    pty.send(b"1");
    pty.wait_for("other-pool");
    pty.send(b"q");
    pty.wait_exit();
}

#[test]
fn only_the_sixteen_named_colours_are_used() {
    let mut pty = wizard(&["--demo"]);
    pty.wait_for("all 8 checks ok");
    pty.send(b"5");
    pty.wait_for("End-to-end test passed");
    pty.send(b"q");
    pty.wait_exit();
    let raw = pty.raw();
    assert!(
        !raw.contains("38;2;") && !raw.contains("48;2;"),
        "no truecolor"
    );
    assert!(
        raw.contains("38;5;"),
        "the healthy screen is coloured (green marks)"
    );
    for code in raw.split("38;5;").skip(1).chain(raw.split("48;5;").skip(1)) {
        let n: u32 = code
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect::<String>()
            .parse()
            .unwrap();
        assert!(n < 16, "colour {n} is outside the 16 named colours");
    }
}
