//! The loop: `select!` over terminal events, task messages, SIGTERM/SIGHUP and a tick
//! that exists only while something runs. Effects become tokio tasks that send their
//! result back as an [`Action`]; drawing never awaits IO. A panicking task is fatal.

use super::app::{Action, App, Effect, FileKind, Step, WriteError, Written};
use super::terminal::{self, PANICKED};
use super::ui;
use crate::checks;
use crate::files::{self, FileError, Overwrite};
use crate::gcp::executable::CredentialForm;
use crate::gcp::{self, RevealHeader};
use crate::session::{Session, now};
use crossterm::event::{Event as TermEvent, EventStream};
use crossterm::execute;
use futures_util::StreamExt;
use std::future::Future;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

/// How the wizard was started.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub ascii: bool,
    /// The simulator scenario (`--demo`), shown in the title.
    pub demo: Option<String>,
}

/// How the wizard ended.
#[derive(Debug)]
pub enum Outcome {
    /// The user quit; the plain summary to print.
    Quit(String),
    /// SIGTERM or SIGHUP.
    Signal(&'static str),
}

enum Msg {
    Action(Action),
    Panicked(String),
}

/// Run the wizard until the user quits. The terminal is restored before this returns.
pub async fn run(session: Session, opts: Options) -> Result<Outcome, String> {
    let mono = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let mut guard = terminal::init()
        .map_err(|e| crate::tr!("ui.error.terminal_setup", error = e.to_string()))?;
    let mut app = App::new(Arc::new(session), now());
    // The executable form names this binary; fall back to the placeholder path if unknown.
    if let Some(p) = std::env::current_exe()
        .ok()
        .and_then(|p| p.to_str().map(str::to_string))
    {
        app.program = p;
    }
    app.ascii = opts.ascii;
    app.monochrome = mono;
    app.demo = opts.demo;
    if app.demo.is_some() {
        // The demo never writes where the real app's files live (see demo::output_dir).
        let dir = crate::demo::output_dir()
            .unwrap_or_else(|_| std::path::PathBuf::from("/nonexistent/wif-doctor-demo"));
        let at = |name: &str| dir.join(name).display().to_string();
        app.default_config_path = at("gcp_credentials.json");
        app.default_report_path = at("wif-doctor-report.md");
        app.default_values_path = at("wif-doctor-values.txt");
    }
    if let Ok(size) = guard.terminal.size() {
        app.size = (size.width, size.height);
    }
    let result = event_loop(&mut guard.terminal, &mut app).await;
    drop(guard);
    match result {
        Ok(Some(sig)) => Ok(Outcome::Signal(sig)),
        Ok(None) => Ok(Outcome::Quit(app.exit_summary())),
        Err(e) => Err(e),
    }
}

async fn event_loop(
    term: &mut terminal::Term,
    app: &mut App,
) -> Result<Option<&'static str>, String> {
    let (tx, mut rx) = unbounded_channel::<Msg>();
    let mut events = EventStream::new();
    let mut sigterm = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
    let mut sighup = signal(SignalKind::hangup()).map_err(|e| e.to_string())?;

    for fx in app.start() {
        apply(fx, app, term, &tx)?;
    }
    // Fault injection, for the tests proving that any panic restores the terminal and ends
    // the wizard (not just the task): `panic-task` panics in a background task, `panic-ui`
    // on the UI thread after the first frame.
    let fault = std::env::var("WIF_DOCTOR_FAULT").unwrap_or_default();
    if fault == "panic-task" {
        spawn_task(&tx, async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            panic!("injected task panic (WIF_DOCTOR_FAULT=panic-task)");
        });
    }
    let mut frames = 0u64;
    loop {
        if PANICKED.load(Ordering::SeqCst) {
            return Err(crate::tr!("ui.error.panic"));
        }
        if let Some(e) = &app.fatal {
            return Err(e.clone());
        }
        if app.quit {
            return Ok(None);
        }
        if !app.suspended {
            app.update(Action::Clock(now()));
            term.draw(|f| ui::render(f, app))
                .map_err(|e| crate::tr!("ui.error.draw", error = e.to_string()))?;
            frames += 1;
            if fault == "panic-ui" && frames == 2 {
                panic!("injected UI panic (WIF_DOCTOR_FAULT=panic-ui)");
            }
        }
        // Tick only while something runs (spinner), or each second for the expiry countdown.
        let tick = if app.busy() {
            Some(Duration::from_millis(250))
        } else if app.step == Step::Token && app.fetched().is_some() && !app.suspended {
            Some(Duration::from_secs(1))
        } else {
            None
        };
        let action = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(TermEvent::Key(k))) => Action::Key(k),
                Some(Ok(TermEvent::Paste(s))) => Action::Paste(s),
                Some(Ok(TermEvent::Resize(w, h))) => Action::Resize(w, h),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(crate::tr!("ui.error.read", error = e.to_string())),
                None => return Ok(Some("end of input")),
            },
            Some(msg) = rx.recv() => match msg {
                Msg::Action(a) => a,
                Msg::Panicked(what) => return Err(crate::tr!("ui.error.task_panic", what = what)),
            },
            _ = sigterm.recv() => return Ok(Some("SIGTERM")),
            _ = sighup.recv() => return Ok(Some("SIGHUP")),
            _ = async { match tick { Some(d) => tokio::time::sleep(d).await, None => std::future::pending().await } } => Action::Tick(now()),
        };
        for fx in app.update(action) {
            apply(fx, app, term, &tx)?;
        }
    }
}

/// Spawn `fut`; its action (if any) comes back as a message. A panic is reported, not lost.
fn spawn_task(
    tx: &UnboundedSender<Msg>,
    fut: impl Future<Output = Option<Action>> + Send + 'static,
) {
    let handle = tokio::spawn(fut);
    let tx = tx.clone();
    tokio::spawn(async move {
        match handle.await {
            Ok(Some(a)) => {
                let _ = tx.send(Msg::Action(a));
            }
            Ok(None) => {}
            Err(e) if e.is_panic() => {
                let p = e.into_panic();
                let what = p
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                let _ = tx.send(Msg::Panicked(what));
            }
            Err(_) => {}
        }
    });
}

fn expand(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

fn write_file(path: &str, bytes: &[u8], replace: bool) -> Result<Written, WriteError> {
    let p = expand(path);
    let overwrite = if replace {
        Overwrite::Force
    } else {
        Overwrite::Refuse
    };
    match files::write_private_atomic(&p, bytes, overwrite) {
        Ok(outcome) => Ok(Written {
            path: p.display().to_string(),
            outcome,
        }),
        Err(e) => Err(WriteError {
            path: path.to_string(),
            exists: matches!(e, FileError::Exists { .. } | FileError::Symlink { .. }),
            message: match e {
                FileError::Exists { .. } => {
                    crate::tr!("ui.error.exists", path = p.display().to_string())
                }
                other => other.to_string(),
            },
        }),
    }
}

fn apply(
    fx: Effect,
    app: &App,
    term: &mut terminal::Term,
    tx: &UnboundedSender<Msg>,
) -> Result<(), String> {
    match fx {
        Effect::RunChecks { generation, token } => {
            let session = app.session.clone();
            let out = tx.clone();
            spawn_task(tx, async move {
                let (etx, mut erx) = unbounded_channel();
                let run = checks::run_with(session, token.map(|t| *t), etx);
                tokio::pin!(run);
                loop {
                    tokio::select! {
                        biased;
                        Some(event) = erx.recv() => {
                            let _ = out.send(Msg::Action(Action::Check { generation, event }));
                        }
                        report = &mut run => {
                            while let Ok(event) = erx.try_recv() {
                                let _ = out.send(Msg::Action(Action::Check { generation, event }));
                            }
                            return Some(Action::ChecksDone { generation, report });
                        }
                    }
                }
            });
        }
        Effect::Rebuild { settings, refetch } => {
            spawn_task(tx, async move {
                let result = tokio::task::spawn_blocking(move || Session::new(*settings))
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|r| r.map_err(|e| e.to_string()))
                    .map(Arc::new);
                Some(Action::SessionRebuilt { result, refetch })
            });
        }
        Effect::WriteConfig {
            path,
            replace,
            form,
            program,
        } => {
            let session = app.session.clone();
            spawn_task(tx, async move {
                let result = tokio::task::spawn_blocking(move || {
                    let needs = |missing: Vec<&str>| WriteError {
                        path: path.clone(),
                        exists: false,
                        message: crate::tr!("ui.error.config_needs", what = missing.join(", ")),
                    };
                    let mut body = match form {
                        CredentialForm::Url => {
                            let inputs = session.config_inputs().map_err(needs)?;
                            gcp::credential_config(&inputs).to_json(RevealHeader::Yes)
                        }
                        CredentialForm::Executable => {
                            let inputs = session
                                .executable_inputs(
                                    program,
                                    gcp::executable::TIMEOUT_DEFAULT_MILLIS,
                                    None,
                                )
                                .map_err(needs)?;
                            gcp::executable::executable_config(&inputs)
                                .map_err(|e| WriteError {
                                    path: path.clone(),
                                    exists: false,
                                    message: e.to_string(),
                                })?
                                .to_json()
                        }
                    };
                    if !body.ends_with('\n') {
                        body.push('\n');
                    }
                    write_file(&path, body.as_bytes(), replace)
                })
                .await
                .unwrap_or_else(|e| {
                    Err(WriteError {
                        path: String::new(),
                        exists: false,
                        message: e.to_string(),
                    })
                });
                Some(Action::FileWritten {
                    kind: FileKind::Config,
                    result,
                })
            });
        }
        Effect::WriteFile {
            kind,
            path,
            contents,
            replace,
        } => {
            spawn_task(tx, async move {
                let result = tokio::task::spawn_blocking(move || {
                    write_file(&path, contents.as_bytes(), replace)
                })
                .await
                .unwrap_or_else(|e| {
                    Err(WriteError {
                        path: String::new(),
                        exists: false,
                        message: e.to_string(),
                    })
                });
                Some(Action::FileWritten { kind, result })
            });
        }
        Effect::PrintPlain { title, lines } => {
            terminal::suspend().map_err(|e| e.to_string())?;
            // Raw mode is still on: end lines with \r\n. Values are never wrapped by us, so the
            // terminal soft-wraps them and a selection copies each one whole. The normal
            // screen is cleared first (cursor home, erase display): a single value then sits
            // near the top with nothing to scroll past.
            let mut out = io::stdout().lock();
            let mut text = format!("\x1b[H\x1b[2J{title}\r\n\r\n");
            for l in lines {
                text.push_str(&l);
                text.push_str("\r\n");
            }
            text.push_str(&crate::tr!("ui.print.return"));
            text.push_str("\r\n");
            out.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
            out.flush().map_err(|e| e.to_string())?;
        }
        Effect::Resume => {
            terminal::resume(term).map_err(|e| e.to_string())?;
        }
        Effect::Copy(text) => {
            // Best effort: many browser consoles drop OSC 52.
            let _ = execute!(
                io::stdout(),
                crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
            );
        }
        Effect::Quit => {}
    }
    Ok(())
}
