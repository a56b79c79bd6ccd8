//! `check` on a terminal: progress on stderr while a step is slow, then the checklist.

mod pty_support;
use pty_support::Pty;

#[test]
fn slow_steps_show_progress_then_the_checklist() {
    let mut pty = Pty::spawn(&["--demo", "--demo-latency=400ms", "check"], 100, 30, &[]);
    pty.wait_until(
        |p| p.raw().contains("checking azure.token"),
        "a progress line",
    );
    let code = pty.wait_exit();
    assert_eq!(code, 0, "{}", pty.screen());
    let screen = pty.screen();
    assert!(screen.contains("✓ vertex.call"), "{screen}");
    assert!(screen.contains("OK: 8 passed"), "{screen}");
    assert!(
        !screen.contains("checking "),
        "the progress line is cleared: {screen}"
    );
}
