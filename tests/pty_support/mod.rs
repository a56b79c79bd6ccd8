//! Drive the real binary in a pseudo-terminal and read its screen with a VT100 parser,
//! as an operator's browser console would show it.
#![allow(dead_code)]

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Pty {
    state: Arc<Mutex<State>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
    _root: tempfile::TempDir,
}

struct State {
    parser: vt100::Parser,
    raw: Vec<u8>,
    eof: bool,
}

const DEADLINE: Duration = Duration::from_secs(30);

impl Pty {
    /// Start `wif-doctor ARGS` at `cols`×`rows` with a clean environment (no identity, a fake
    /// sysroot so nothing is recovered from this machine) plus `env`.
    pub fn spawn(args: &[&str], cols: u16, rows: u16, env: &[(&str, &str)]) -> Pty {
        let root = tempfile::tempdir().unwrap();
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_wif-doctor"));
        cmd.args(args);
        cmd.env_clear();
        cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
        cmd.env("HOME", root.path());
        cmd.env("TERM", "xterm-color");
        cmd.env("WIF_DOCTOR_SYSROOT", root.path());
        cmd.cwd(root.path());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let state = Arc::new(Mutex::new(State {
            parser: vt100::Parser::new(
                NonZeroU16::new(rows).unwrap(),
                NonZeroU16::new(cols).unwrap(),
                1000,
            ),
            raw: Vec::new(),
            eof: false,
        }));
        let pump = state.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => {
                        pump.lock().unwrap().eof = true;
                        break;
                    }
                    Ok(n) => {
                        let mut s = pump.lock().unwrap();
                        s.parser.process(&buf[..n]);
                        s.raw.extend_from_slice(&buf[..n]);
                    }
                }
            }
        });
        Pty {
            state,
            writer,
            child,
            _master: pair.master,
            _root: root,
        }
    }

    pub fn screen(&self) -> String {
        self.state.lock().unwrap().parser.screen().contents()
    }

    /// The visible screen as logical lines: rows the terminal soft-wrapped are joined, as
    /// a mouse selection in xterm.js copies them; trailing blanks trimmed.
    pub fn logical_lines(&self) -> Vec<String> {
        self.screen()
            .lines()
            .map(|l| l.trim_end().to_string())
            .collect()
    }

    /// Rows that scrolled off the top of the current screen (what one would scroll past).
    pub fn scrollback_len(&self) -> usize {
        self.state.lock().unwrap().parser.screen().scrollback_len()
    }

    /// Whether visible `row` continues on the next one (the terminal's soft wrap).
    pub fn row_wrapped(&self, row: u16) -> bool {
        self.state.lock().unwrap().parser.screen().row_wrapped(row)
    }

    /// What is wrong with the wizard's frame on the current screen, judged cell by cell as
    /// the terminal holds it (empty when it is intact):
    /// - no row soft-wraps into the next, and no wide character starts in the last column
    ///   (its second half would spill past the edge);
    /// - every row adds up to exactly the terminal's width in columns;
    /// - on the rows between the title line and the status line, the first and the last
    ///   column hold a border (the frame's left and right edges, or an overlay's, which
    ///   then spans the whole width), and with `sidebar` set (no overlay) the sidebar's
    ///   right border and the pane's left border sit in their columns.
    pub fn frame_problems(&self, sidebar: Option<u16>) -> Vec<String> {
        let state = self.state.lock().unwrap();
        let screen = state.parser.screen();
        let (rows, cols) = screen.size();
        let (rows, cols) = (rows.get(), cols.get());
        let mut problems = Vec::new();
        let at = |r: u16, c: u16| {
            screen
                .cell(r, c)
                .map(|cell| cell.contents().to_string())
                .unwrap_or_default()
        };
        for r in 0..rows {
            if screen.row_wrapped(r) {
                problems.push(format!("row {r} soft-wraps into the next"));
            }
            let mut width = 0u16;
            for c in 0..cols {
                let Some(cell) = screen.cell(r, c) else {
                    continue;
                };
                if cell.is_wide_continuation() {
                    continue;
                }
                width += if cell.is_wide() { 2 } else { 1 };
                if cell.is_wide() && c == cols - 1 {
                    problems.push(format!("row {r}: a wide character in the last column"));
                }
            }
            if width != cols {
                problems.push(format!("row {r} is {width} columns, not {cols}"));
            }
        }
        let left = ["┌", "│", "└", "+", "|"];
        let right = ["┐", "│", "┘", "+", "|"];
        for r in 1..rows.saturating_sub(2) {
            if !left.contains(&at(r, 0).as_str()) {
                problems.push(format!(
                    "row {r}: no left border in column 0: {:?}",
                    at(r, 0)
                ));
            }
            if !right.contains(&at(r, cols - 1).as_str()) {
                problems.push(format!(
                    "row {r}: no right border in the last column: {:?}",
                    at(r, cols - 1)
                ));
            }
            if let Some(side) = sidebar {
                if !right.contains(&at(r, side - 1).as_str()) {
                    problems.push(format!(
                        "row {r}: no sidebar border in column {}: {:?}",
                        side - 1,
                        at(r, side - 1)
                    ));
                }
                if !left.contains(&at(r, side).as_str()) {
                    problems.push(format!(
                        "row {r}: no pane border in column {side}: {:?}",
                        at(r, side)
                    ));
                }
            }
        }
        problems
    }

    /// Wait (a few seconds: the frame may be mid-draw) until the frame is intact; panics
    /// with the problems and the screen otherwise.
    pub fn assert_frame(&self, sidebar: Option<u16>, what: &str) {
        let start = Instant::now();
        loop {
            let problems = self.frame_problems(sidebar);
            if problems.is_empty() {
                return;
            }
            if start.elapsed() > Duration::from_secs(5) {
                panic!(
                    "{what}: the frame is broken:\n{}\nscreen:\n{}",
                    problems.join("\n"),
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn raw(&self) -> String {
        String::from_utf8_lossy(&self.state.lock().unwrap().raw).into_owned()
    }

    pub fn alternate_screen(&self) -> bool {
        self.state
            .lock()
            .unwrap()
            .parser
            .screen()
            .alternate_screen()
    }

    /// Wait until the screen shows `text`; panics with the screen after the deadline.
    pub fn wait_for(&self, text: &str) {
        self.wait_until(
            |p| p.screen().contains(text),
            &format!("screen to show {text:?}"),
        );
    }

    pub fn wait_until(&self, cond: impl Fn(&Pty) -> bool, what: &str) {
        let start = Instant::now();
        while start.elapsed() < DEADLINE {
            if cond(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("timed out waiting for {what}; screen:\n{}", self.screen());
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("pid")
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    /// Wait for the process to exit and the output to drain; returns the exit code.
    pub fn wait_exit(&mut self) -> u32 {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                self.wait_until(|p| p.state.lock().unwrap().eof, "output to drain");
                return status.exit_code();
            }
            assert!(
                start.elapsed() < DEADLINE,
                "process did not exit; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
