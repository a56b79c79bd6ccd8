//! Progress on stderr while a check takes longer than ~300 ms (only on a terminal).

use crate::checks::{CheckId, Event, Report};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedReceiver;

const SHOW_AFTER: Duration = Duration::from_millis(300);
const FRAMES: &[&str] = &["|", "/", "-", "\\"];

/// The token the run fetched (or why it could not).
pub type TokenResult = Option<Result<crate::session::Fetched, crate::azure::AzureError>>;

/// Drain engine events until the run ends, drawing a one-line status when something is slow.
/// Returns the report and the token the run reported.
pub async fn follow(
    mut rx: UnboundedReceiver<Event>,
    run: impl std::future::Future<Output = Report>,
) -> (Report, TokenResult) {
    let mut token = None;
    let draw = std::io::stderr().is_terminal();
    let mut running: BTreeMap<CheckId, Instant> = BTreeMap::new();
    let mut shown = false;
    let mut frame = 0usize;
    let mut tick = tokio::time::interval(Duration::from_millis(120));
    tokio::pin!(run);
    loop {
        tokio::select! {
            report = &mut run => {
                if shown { clear(); }
                while let Ok(ev) = rx.try_recv() {
                    if let Event::Token(t) = ev { token = Some(*t); }
                }
                return (report, token);
            }
            Some(ev) = rx.recv() => match ev {
                Event::Started(id) => { running.insert(id, Instant::now()); }
                Event::Finished(f) => { running.remove(&f.id); }
                Event::Token(t) => token = Some(*t),
            },
            _ = tick.tick() => {
                if !draw { continue; }
                let slow: Vec<_> = running.iter().filter(|(_, t)| t.elapsed() >= SHOW_AFTER).collect();
                if slow.is_empty() {
                    if shown { clear(); shown = false; }
                    continue;
                }
                frame = (frame + 1) % FRAMES.len();
                let names: Vec<&str> = slow.iter().map(|(id, _)| id.as_str()).collect();
                let secs = slow.iter().map(|(_, t)| t.elapsed()).max().unwrap_or_default().as_secs_f32();
                let line = crate::msg!("cli.progress.checking", checks = names.join(", "), seconds = format!("{secs:.1}"));
                eprint!("\r\x1b[2K{} {line}", FRAMES[frame]);
                let _ = std::io::stderr().flush();
                shown = true;
            }
        }
    }
}

fn clear() {
    eprint!("\r\x1b[2K");
    let _ = std::io::stderr().flush();
}
