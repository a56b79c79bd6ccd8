//! The wizard's state and its transitions. Pure: no IO, no terminal, no clock (the
//! runtime passes "now" in [`Action::Tick`]). Every change of state goes through
//! [`App::update`], which returns the [`Effect`]s the runtime must carry out.

use crate::azure::AzureError;
use crate::checks::{CheckId, Event, Finding, Report};
use crate::files::WriteOutcome;
use crate::gcp::GoogleValues;
use crate::gcp::executable::CredentialForm;
use crate::session::{Fetched, Session};
use crate::settings::{Origin, Settings, Sourced};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

mod copy;
mod field;
mod step;
pub use copy::{Chooser, Copyable, fix_commands};
pub use field::Field;
pub use step::Step;

/// Below this the wizard shows only a "terminal too small" message.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// The wizard's own fetch of the token (the checks fetch theirs independently).
#[derive(Debug, Clone)]
pub enum FetchState {
    Idle,
    Running,
    Done(Result<Box<Fetched>, AzureError>),
}

/// The edit overlay: first pick a field, then type its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub field: usize,
    /// `None` while picking the field.
    pub buffer: Option<String>,
    pub error: Option<String>,
}

/// Files the wizard writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    Config,
    Report,
    Values,
}

impl FileKind {
    /// What the file is, in the process language.
    pub fn what(self) -> String {
        match self {
            FileKind::Config => crate::tr!("ui.file.config"),
            FileKind::Report => crate::tr!("ui.file.report"),
            FileKind::Values => crate::tr!("ui.file.values"),
        }
    }
}

/// The path prompt before writing a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPrompt {
    pub kind: FileKind,
    pub buffer: String,
    /// The file exists with different content: Enter replaces it.
    pub replace: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    Edit(Edit),
    Path(PathPrompt),
    /// `p`: which value to print.
    Chooser(Chooser),
}

/// A file the wizard wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: String,
    /// What happened to the file.
    pub outcome: WriteOutcome,
}

/// Why a write failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteError {
    pub path: String,
    /// The file exists with different content (may be replaced on confirmation).
    pub exists: bool,
    pub message: String,
}

/// Inputs to the state machine: terminal events and task results.
#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    Paste(String),
    Resize(u16, u16),
    /// Clock tick (Unix seconds) while something runs: expiry countdowns and the spinner.
    Tick(i64),
    /// The time before a redraw (Unix seconds); moves no spinner.
    Clock(i64),
    Check {
        generation: u64,
        event: Event,
    },
    ChecksDone {
        generation: u64,
        report: Report,
    },
    SessionRebuilt {
        result: Result<Arc<Session>, String>,
        refetch: bool,
    },
    FileWritten {
        kind: FileKind,
        result: Result<Written, WriteError>,
    },
}

/// Work for the runtime: IO, tasks and terminal operations.
#[derive(Debug)]
pub enum Effect {
    /// Run the checks; `token` reuses a fetched token instead of fetching a fresh one.
    RunChecks {
        generation: u64,
        token: Option<Box<Fetched>>,
    },
    /// Build a new `Session` from these settings, then answer `SessionRebuilt`.
    Rebuild {
        settings: Box<Settings>,
        refetch: bool,
    },
    /// Write the credential configuration to `path`, mode 0600: the url form carries the
    /// real header; the executable form runs `program subject-token`.
    WriteConfig {
        path: String,
        replace: bool,
        form: CredentialForm,
        program: String,
    },
    /// Write `contents` to `path`, mode 0600.
    WriteFile {
        kind: FileKind,
        path: String,
        contents: String,
        replace: bool,
    },
    /// Leave the alternate screen, clear it and print `title`, then these lines plainly
    /// (never wrapped by us); the app waits for Enter.
    PrintPlain {
        title: String,
        lines: Vec<String>,
    },
    /// Back to the alternate screen after `PrintPlain`.
    Resume,
    /// Best-effort OSC 52 clipboard write.
    Copy(String),
    Quit,
}

/// The whole wizard state.
#[derive(Debug)]
pub struct App {
    pub session: Arc<Session>,
    pub step: Step,
    pub ascii: bool,
    /// Theme without colours (`NO_COLOR`).
    pub monochrome: bool,
    /// The simulator scenario, when running with `--demo`.
    pub demo: Option<String>,
    pub fetch: FetchState,
    pub values: GoogleValues,
    pub findings: BTreeMap<CheckId, Finding>,
    pub running: BTreeSet<CheckId>,
    pub checks_running: bool,
    pub checks_ran: bool,
    check_generation: u64,
    pub default_config_path: String,
    /// Which credential configuration the Config step previews and writes (f switches).
    pub config_form: CredentialForm,
    /// The form of the configuration last written.
    pub written_form: CredentialForm,
    /// This binary's absolute path, for the executable form's command (the runtime sets it).
    pub program: String,
    pub default_report_path: String,
    pub default_values_path: String,
    pub written: BTreeMap<FileKind, Result<Written, String>>,
    pub overlay: Overlay,
    pub toast: Option<String>,
    pub scroll: [u16; 6],
    pub size: (u16, u16),
    pub now: i64,
    pub spinner: usize,
    /// Showing plain text outside the alternate screen; Enter returns.
    pub suspended: bool,
    pub quit: bool,
    /// A background task panicked: the runtime stops.
    pub fatal: Option<String>,
}

impl App {
    pub fn new(session: Arc<Session>, now: i64) -> App {
        let values = session.values(None);
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("."));
        App {
            session,
            step: Step::Environment,
            ascii: false,
            monochrome: false,
            demo: None,
            fetch: FetchState::Idle,
            values,
            findings: BTreeMap::new(),
            running: BTreeSet::new(),
            checks_running: false,
            checks_ran: false,
            check_generation: 0,
            default_config_path: home.join("gcp_credentials.json").display().to_string(),
            config_form: CredentialForm::Url,
            written_form: CredentialForm::Url,
            program: "/home/site/wif-doctor".into(),
            default_report_path: "./wif-doctor-report.md".into(),
            default_values_path: "./wif-doctor-values.txt".into(),
            written: BTreeMap::new(),
            overlay: Overlay::None,
            toast: None,
            scroll: [0; 6],
            size: (80, 24),
            now,
            spinner: 0,
            suspended: false,
            quit: false,
            fatal: None,
        }
    }

    /// What to do at start: run the checks in the background; the token arrives with them.
    pub fn start(&mut self) -> Vec<Effect> {
        self.run_checks(true)
    }

    pub fn fetched(&self) -> Option<&Fetched> {
        match &self.fetch {
            FetchState::Done(Ok(f)) => Some(f),
            _ => None,
        }
    }

    /// The support report's inputs, from the wizard's state.
    pub fn report_input(&self) -> crate::report::ReportInput<'_> {
        crate::report::ReportInput {
            settings: &self.session.settings,
            token: match &self.fetch {
                FetchState::Done(Ok(f)) => Some(Ok(f)),
                FetchState::Done(Err(e)) => Some(Err(e)),
                FetchState::Running | FetchState::Idle => None,
            },
            values: &self.values,
            findings: self.findings.values().collect(),
            now: self.now,
            demo: self.demo.as_deref(),
        }
    }

    /// Something runs in the background (the spinner needs ticks).
    pub fn busy(&self) -> bool {
        matches!(self.fetch, FetchState::Running) || self.checks_running
    }

    pub fn too_small(&self) -> bool {
        self.size.0 < MIN_WIDTH || self.size.1 < MIN_HEIGHT
    }

    pub fn finding(&self, id: CheckId) -> Option<&Finding> {
        self.findings.get(&id)
    }

    /// Start a checks run. With `refetch` the run fetches a fresh token (which it reports
    /// back); without, it reuses the current one and only the later checks see the change.
    fn run_checks(&mut self, refetch: bool) -> Vec<Effect> {
        self.check_generation += 1;
        self.findings.clear();
        self.running.clear();
        self.checks_running = true;
        let token = if refetch {
            None
        } else {
            self.fetched().cloned().map(Box::new)
        };
        if token.is_none() {
            self.fetch = FetchState::Running;
        }
        vec![Effect::RunChecks {
            generation: self.check_generation,
            token,
        }]
    }

    fn rederive(&mut self) {
        let jwt = self.fetched().map(|f| f.jwt.clone());
        self.values = self.session.values(jwt.as_ref());
    }

    /// Apply one input; returns the work to do.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Key(key) => self.on_key(key),
            Action::Paste(text) => self.on_paste(&text),
            Action::Resize(w, h) => {
                self.size = (w, h);
                vec![]
            }
            Action::Tick(now) => {
                self.now = now;
                self.spinner = self.spinner.wrapping_add(1);
                vec![]
            }
            Action::Clock(now) => {
                self.now = now;
                vec![]
            }
            Action::Check { generation, event } => {
                if generation == self.check_generation {
                    match event {
                        Event::Started(id) => {
                            self.running.insert(id);
                        }
                        Event::Finished(f) => {
                            self.running.remove(&f.id);
                            self.findings.insert(f.id, f);
                        }
                        Event::Token(result) => {
                            self.fetch = FetchState::Done((*result).map(Box::new));
                            self.rederive();
                        }
                    }
                }
                vec![]
            }
            Action::ChecksDone { generation, report } => {
                if generation == self.check_generation {
                    self.running.clear();
                    self.checks_running = false;
                    self.checks_ran = true;
                    for f in report.checks {
                        self.findings.insert(f.id, f);
                    }
                }
                vec![]
            }
            Action::SessionRebuilt { result, refetch } => match result {
                Ok(session) => {
                    self.session = session;
                    self.rederive();
                    self.run_checks(refetch)
                }
                Err(e) => {
                    self.toast = Some(crate::tr!("ui.toast.apply_failed", error = e));
                    vec![]
                }
            },
            Action::FileWritten { kind, result } => self.on_written(kind, result),
        }
    }

    fn on_written(&mut self, kind: FileKind, result: Result<Written, WriteError>) -> Vec<Effect> {
        match result {
            Ok(w) => {
                self.toast = Some(written_line(&w));
                let path = w.path.clone();
                self.written.insert(kind, Ok(w));
                if kind == FileKind::Config {
                    // Lint the file just written: it becomes the configuration the checks read.
                    let mut s = self.session.settings.clone();
                    s.credentials = Some(Sourced::new(PathBuf::from(path), Origin::Edited));
                    return vec![Effect::Rebuild {
                        settings: Box::new(s),
                        refetch: false,
                    }];
                }
                vec![]
            }
            Err(e) if e.exists => {
                // Ask before replacing a different file.
                self.overlay = Overlay::Path(PathPrompt {
                    kind,
                    buffer: e.path,
                    replace: true,
                });
                self.toast = Some(e.message);
                vec![]
            }
            Err(e) => {
                self.toast = Some(e.message.clone());
                self.written.insert(kind, Err(e.message));
                vec![]
            }
        }
    }

    fn on_paste(&mut self, text: &str) -> Vec<Effect> {
        // A pasted value is one line: drop newlines a terminal may add.
        let clean: String = text.trim().chars().filter(|c| !c.is_control()).collect();
        match &mut self.overlay {
            Overlay::Edit(edit) => {
                if let Some(buf) = &mut edit.buffer {
                    buf.push_str(&clean);
                    let field = Field::ALL[edit.field];
                    edit.error = field.validate(buf).err();
                }
            }
            Overlay::Path(p) => p.buffer.push_str(&clean),
            _ => self.toast = Some(crate::tr!("ui.toast.paste_ignored")),
        }
        vec![]
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.kind != KeyEventKind::Press {
            return vec![];
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('c') {
            self.quit = true;
            return vec![Effect::Quit];
        }
        if self.suspended {
            if matches!(key.code, KeyCode::Enter | KeyCode::Esc | KeyCode::Char('q')) {
                self.suspended = false;
                return vec![Effect::Resume];
            }
            return vec![];
        }
        match self.overlay.clone() {
            Overlay::Help => {
                self.overlay = Overlay::None;
                vec![]
            }
            Overlay::Edit(edit) => self.on_edit_key(edit, key),
            Overlay::Path(prompt) => self.on_path_key(prompt, key),
            Overlay::Chooser(c) => self.on_chooser_key(c, key),
            Overlay::None => self.on_main_key(key),
        }
    }

    fn on_main_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        self.toast = None;
        let i = self.step.index();
        match key.code {
            KeyCode::Char('q') | KeyCode::Esc => {
                self.quit = true;
                vec![Effect::Quit]
            }
            KeyCode::Char(c @ '1'..='6') => {
                if let Some(s) = Step::from_digit(c) {
                    self.step = s;
                }
                vec![]
            }
            KeyCode::Tab | KeyCode::Right | KeyCode::Char('l') => {
                self.step = self.step.next();
                vec![]
            }
            KeyCode::BackTab | KeyCode::Left | KeyCode::Char('h') => {
                self.step = self.step.prev();
                vec![]
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.scroll[i] = self.scroll[i].saturating_add(1);
                vec![]
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.scroll[i] = self.scroll[i].saturating_sub(1);
                vec![]
            }
            KeyCode::PageDown | KeyCode::Char(' ') => {
                self.scroll[i] = self.scroll[i].saturating_add(self.page());
                vec![]
            }
            KeyCode::PageUp => {
                self.scroll[i] = self.scroll[i].saturating_sub(self.page());
                vec![]
            }
            KeyCode::Home | KeyCode::Char('g') => {
                self.scroll[i] = 0;
                vec![]
            }
            KeyCode::Char('?') => {
                self.overlay = Overlay::Help;
                vec![]
            }
            KeyCode::Char('t') => {
                self.step = Step::Test;
                self.test()
            }
            KeyCode::Char('r') => {
                let fx = self.run_checks(true);
                self.toast = Some(crate::tr!("ui.toast.rerun"));
                fx
            }
            KeyCode::Char('w') => {
                self.step = Step::Config;
                self.prompt_config()
            }
            KeyCode::Char('e') => {
                self.overlay = Overlay::Edit(Edit {
                    field: 0,
                    buffer: None,
                    error: None,
                });
                vec![]
            }
            KeyCode::Char('f') if self.step == Step::Config => {
                self.config_form = self.config_form.other();
                self.toast = Some(crate::tr!(
                    "ui.toast.form_selected",
                    form = self.config_form.id()
                ));
                vec![]
            }
            KeyCode::Char('p') => self.print_plain(),
            KeyCode::Char('y') => self.copy(),
            KeyCode::Char('s') => {
                self.overlay = Overlay::Path(PathPrompt {
                    kind: FileKind::Values,
                    buffer: self.default_values_path.clone(),
                    replace: false,
                });
                vec![]
            }
            KeyCode::Enter => self.act(),
            _ => vec![],
        }
    }

    fn page(&self) -> u16 {
        self.size.1.saturating_sub(8).max(1)
    }

    /// Enter: the current step's main action.
    fn act(&mut self) -> Vec<Effect> {
        match self.step {
            Step::Environment => {
                self.overlay = Overlay::Edit(Edit {
                    field: 0,
                    buffer: None,
                    error: None,
                });
                vec![]
            }
            Step::Token => {
                self.toast = Some(crate::tr!("ui.toast.fetching"));
                self.run_checks(true)
            }
            Step::Values => self.print_plain(),
            Step::Config => self.prompt_config(),
            Step::Test => self.test(),
            Step::Report => {
                self.overlay = Overlay::Path(PathPrompt {
                    kind: FileKind::Report,
                    buffer: self.default_report_path.clone(),
                    replace: false,
                });
                vec![]
            }
        }
    }

    fn test(&mut self) -> Vec<Effect> {
        if self.checks_running {
            self.toast = Some(crate::tr!("ui.toast.test_running"));
            return vec![];
        }
        self.run_checks(true)
    }

    /// What the chosen form still needs (empty when it can be written).
    pub fn config_missing(&self) -> Vec<&'static str> {
        match self.config_form {
            CredentialForm::Url => self.session.config_inputs().err().unwrap_or_default(),
            CredentialForm::Executable => self
                .session
                .executable_inputs(self.program.clone(), 0, None)
                .err()
                .unwrap_or_default(),
        }
    }

    /// The executable form's file as it would be written, or what it still needs.
    pub fn executable_preview(&self) -> Result<String, Vec<String>> {
        use crate::gcp::executable::{TIMEOUT_DEFAULT_MILLIS, executable_config};
        let inputs = self
            .session
            .executable_inputs(self.program.clone(), TIMEOUT_DEFAULT_MILLIS, None)
            .map_err(|missing| missing.iter().map(|m| m.to_string()).collect::<Vec<_>>())?;
        executable_config(&inputs)
            .map(|c| c.to_json())
            .map_err(|e| vec![e.to_string()])
    }

    fn prompt_config(&mut self) -> Vec<Effect> {
        let missing = self.config_missing();
        if !missing.is_empty() {
            self.toast = Some(crate::tr!(
                "ui.toast.config_needs",
                what = missing.join(", ")
            ));
            return vec![];
        }
        let buffer = match self.written.get(&FileKind::Config) {
            Some(Ok(w)) => w.path.clone(),
            _ => self.default_config_path.clone(),
        };
        self.overlay = Overlay::Path(PathPrompt {
            kind: FileKind::Config,
            buffer,
            replace: false,
        });
        vec![]
    }

    fn on_path_key(&mut self, mut p: PathPrompt, key: KeyEvent) -> Vec<Effect> {
        match key.code {
            KeyCode::Esc => {
                self.overlay = Overlay::None;
                self.toast = Some(crate::tr!("ui.toast.nothing_written"));
                vec![]
            }
            KeyCode::Enter => {
                let path = p.buffer.trim().to_string();
                if path.is_empty() {
                    self.toast = Some(crate::tr!("ui.toast.give_path"));
                    return vec![];
                }
                self.overlay = Overlay::None;
                match p.kind {
                    FileKind::Config => {
                        self.written_form = self.config_form;
                        vec![Effect::WriteConfig {
                            path,
                            replace: p.replace,
                            form: self.config_form,
                            program: self.program.clone(),
                        }]
                    }
                    FileKind::Report => vec![Effect::WriteFile {
                        kind: FileKind::Report,
                        path,
                        contents: crate::report::markdown(&self.report_input()),
                        replace: p.replace,
                    }],
                    FileKind::Values => {
                        let mut contents = String::new();
                        for c in self.copyables() {
                            contents.push_str(&format!("# {}\n{}\n\n", c.label, c.value));
                        }
                        vec![Effect::WriteFile {
                            kind: FileKind::Values,
                            path,
                            contents,
                            replace: p.replace,
                        }]
                    }
                }
            }
            KeyCode::Backspace => {
                p.buffer.pop();
                p.replace = false;
                self.overlay = Overlay::Path(p);
                vec![]
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                p.buffer.clear();
                p.replace = false;
                self.overlay = Overlay::Path(p);
                vec![]
            }
            KeyCode::Char(c) => {
                p.buffer.push(c);
                p.replace = false;
                self.overlay = Overlay::Path(p);
                vec![]
            }
            _ => vec![],
        }
    }

    fn on_edit_key(&mut self, mut e: Edit, key: KeyEvent) -> Vec<Effect> {
        let field = Field::ALL[e.field];
        let Some(mut buf) = e.buffer.take() else {
            // Picking a field.
            match key.code {
                KeyCode::Esc | KeyCode::Char('q') => self.overlay = Overlay::None,
                KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => {
                    e.field = (e.field + 1) % Field::ALL.len();
                    self.overlay = Overlay::Edit(e);
                }
                KeyCode::Up | KeyCode::Char('k') | KeyCode::BackTab => {
                    e.field = (e.field + Field::ALL.len() - 1) % Field::ALL.len();
                    self.overlay = Overlay::Edit(e);
                }
                KeyCode::Enter | KeyCode::Char('e') => {
                    let current = field.current(&self.session.settings);
                    e.error = field.validate(&current).err();
                    e.buffer = Some(current);
                    self.overlay = Overlay::Edit(e);
                }
                _ => self.overlay = Overlay::Edit(e),
            }
            return vec![];
        };
        match key.code {
            KeyCode::Esc => {
                // Cancel: back to the field list, nothing changed.
                e.error = None;
                self.overlay = Overlay::Edit(e);
                return vec![];
            }
            KeyCode::Enter => {
                let value = buf.trim().to_string();
                if let Err(msg) = field.validate(&value) {
                    e.error = Some(msg);
                    e.buffer = Some(buf);
                    self.overlay = Overlay::Edit(e);
                    return vec![];
                }
                self.overlay = Overlay::None;
                if value == field.current(&self.session.settings) {
                    self.toast = Some(crate::tr!("ui.toast.unchanged", field = field.label()));
                    return vec![];
                }
                let mut settings = self.session.settings.clone();
                field.apply(&mut settings, &value);
                self.toast = Some(if field.affects_token() {
                    crate::tr!("ui.toast.changed_refetch", field = field.label())
                } else {
                    crate::tr!("ui.toast.changed_rederive", field = field.label())
                });
                return vec![Effect::Rebuild {
                    settings: Box::new(settings),
                    refetch: field.affects_token(),
                }];
            }
            KeyCode::Backspace => {
                buf.pop();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => buf.clear(),
            KeyCode::Char(c) => buf.push(c),
            _ => {}
        }
        e.error = field.validate(buf.trim()).err();
        e.buffer = Some(buf);
        self.overlay = Overlay::Edit(e);
        vec![]
    }

    fn copy(&mut self) -> Vec<Effect> {
        let Some(c) = self.primary_copyable() else {
            self.toast = Some(crate::tr!("ui.toast.nothing_to_copy"));
            return vec![];
        };
        self.toast = Some(crate::tr!("ui.toast.copied", label = c.label.clone()));
        vec![Effect::Copy(c.value)]
    }
}

/// `wrote /path (mode 0600)`: what a write did, in the process language.
pub fn written_line(w: &Written) -> String {
    let path = w.path.clone();
    match w.outcome {
        WriteOutcome::Created => crate::tr!("ui.written.created", path = path),
        WriteOutcome::Unchanged => crate::tr!("ui.written.unchanged", path = path),
        WriteOutcome::Replaced => crate::tr!("ui.written.replaced", path = path),
    }
}

#[cfg(test)]
mod tests;
