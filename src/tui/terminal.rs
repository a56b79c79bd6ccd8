//! Entering and leaving the full-screen terminal: raw mode, alternate screen, bracketed
//! paste on, mouse capture never (browser consoles then keep their own selection).
//! Restored on drop, on panic (the hook chains the previous one) and by the runtime on
//! SIGTERM/SIGHUP.

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{self, Stdout};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Set by the panic hook: the runtime treats any panic, in any task, as fatal.
pub static PANICKED: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

/// The terminal in wizard mode; restores it when dropped.
pub struct Guard {
    pub terminal: Term,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = restore();
    }
}

fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICKED.store(true, Ordering::SeqCst);
            let _ = restore();
            previous(info);
        }));
    });
}

/// Enter wizard mode. `NO_COLOR` is honoured by our own theme, so crossterm is told to
/// emit styles regardless (its NO_COLOR handling also drops REVERSED, the selection).
pub fn init() -> io::Result<Guard> {
    install_panic_hook();
    crossterm::style::force_color_output(true);
    enable_raw_mode()?;
    let mut out = io::stdout();
    if let Err(e) = execute!(
        out,
        EnterAlternateScreen,
        EnableBracketedPaste,
        cursor::Hide
    ) {
        let _ = restore();
        return Err(e);
    }
    let terminal = match Terminal::new(CrosstermBackend::new(io::stdout())) {
        Ok(t) => t,
        Err(e) => {
            let _ = restore();
            return Err(e);
        }
    };
    Ok(Guard { terminal })
}

/// Leave wizard mode (idempotent).
pub fn restore() -> io::Result<()> {
    let r1 = disable_raw_mode();
    let r2 = execute!(
        io::stdout(),
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    r1.and(r2)
}

/// Show the normal screen (raw mode stays on so the loop still reads single keys).
pub fn suspend() -> io::Result<()> {
    execute!(io::stdout(), LeaveAlternateScreen, cursor::Show)
}

/// Back to the alternate screen after [`suspend`]; the next draw repaints everything.
pub fn resume(terminal: &mut Term) -> io::Result<()> {
    execute!(io::stdout(), EnterAlternateScreen, cursor::Hide)?;
    // `Terminal::clear` asks the terminal for the cursor position (ESC[6n), which some
    // consoles never answer; a resize clears and resets the buffers without asking.
    let area = terminal.size()?.into();
    terminal.resize(area)
}
