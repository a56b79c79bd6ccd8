//! The wizard in a pseudo-terminal against an identity endpoint whose error message tries
//! to retitle the terminal, clear it and forge a line: the operator sees the escapes as
//! text, and not one of those bytes reaches the terminal.

mod pty_support;
use pty_support::Pty;
use std::io::{Read, Write};

const FORGED: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\r\nwif-doctor: ok \u{9b}31m";

/// A loopback identity endpoint answering every request with HTTP 400 and `FORGED` as the
/// error description (plain HTTP, as App Service's endpoint is).
fn hostile_identity() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let body =
        serde_json::json!({"error": "invalid_request", "error_description": FORGED}).to_string();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let mut got = Vec::new();
            while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            }
            let _ = write!(
                s,
                "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

#[test]
fn the_wizard_shows_a_servers_escape_sequences_as_text() {
    let port = hostile_identity();
    let endpoint = format!("http://127.0.0.1:{port}/msi/token");
    let mut pty = Pty::spawn(
        &[],
        100,
        30,
        &[
            ("IDENTITY_ENDPOINT", &endpoint),
            (
                "IDENTITY_HEADER",
                "9f3c2a71-hostile-header-5b8e-4d2f9a6c1e07",
            ),
            ("AZURE_RESOURCE_URI", "api://wif-doctor-hostile"),
        ],
    );
    pty.wait_for("1 Environment");
    pty.send(b"2");
    pty.wait_for("pwned");
    let screen = pty.screen();
    assert!(screen.contains("\\x1b]0;pwned\\x07"), "{screen}");
    assert!(
        !screen.lines().any(|l| l
            .trim_start_matches(['│', ' '])
            .starts_with("wif-doctor: ok")),
        "a forged line:\n{screen}"
    );
    let raw = pty.raw();
    assert!(
        !raw.contains("\u{1b}]0;pwned"),
        "the title escape reached the terminal"
    );
    assert!(!raw.contains('\u{9b}'), "a C1 CSI reached the terminal");
    assert!(!raw.contains("\u{7}"), "BEL reached the terminal");
    pty.send(b"q");
    let code = pty.wait_exit();
    assert!(code <= 2, "exit {code}");
    // The summary printed after the wizard is sanitised too.
    let raw = pty.raw();
    assert!(!raw.contains("\u{1b}]0;pwned"), "{raw:?}");
}
