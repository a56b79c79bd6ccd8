//! What each step offers to copy: `p` opens a chooser and prints one value alone (or all),
//! `y` sends the step's main one by OSC 52, `s` saves them, and quitting prints the summary.

use super::{App, Effect, FileKind, Overlay, Step};
use crate::checks::Status;
use crate::gcp;

/// A value the user may want to copy, with its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copyable {
    /// What the value is, for code (`y` picks the step's main one by it); never shown.
    pub id: &'static str,
    /// The label, in the process language, with its explanation.
    pub label: String,
    /// The label without its explanation, where room is short (the chooser).
    pub short: String,
    pub value: String,
}

impl Copyable {
    fn new(id: &'static str, label: impl Into<String>, value: impl Into<String>) -> Copyable {
        let label = label.into();
        Copyable {
            id,
            short: label.clone(),
            label,
            value: value.into(),
        }
    }

    /// A label with an explanation: `short (why)`.
    fn explained(
        id: &'static str,
        short: impl Into<String>,
        why: impl Into<String>,
        value: impl Into<String>,
    ) -> Copyable {
        let short = short.into();
        Copyable {
            id,
            label: crate::tr!("ui.copy.explained", label = short.clone(), why = why.into()),
            short,
            value: value.into(),
        }
    }
}

/// The `p` chooser: numbered values, each printed alone when chosen, and entry 0 printing
/// all of them labelled. A snapshot of the step's values when `p` was pressed, so what is
/// chosen is what was shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chooser {
    /// Entry `n` (from 1) is `items[n - 1]`.
    pub items: Vec<Copyable>,
    /// What entry 0 prints: the step's values with their labels, as `p` always did.
    pub all: Vec<Copyable>,
    /// Entry 0's text in the list.
    pub all_label: String,
    /// The highlighted entry's number (0 = all).
    pub selected: usize,
    /// Digits typed so far: with ten or more entries, `1` waits for a second digit.
    pub typed: String,
}

/// What a key does in the chooser.
enum Pick {
    Stay,
    Cancel,
    Print(usize),
}

impl Chooser {
    /// Entry numbers in display order: 1..=N, then 0 (all) last.
    pub fn order(&self) -> Vec<usize> {
        (1..=self.items.len()).chain([0]).collect()
    }

    fn step(&mut self, down: bool) {
        let order = self.order();
        let at = order.iter().position(|n| *n == self.selected).unwrap_or(0);
        let len = order.len();
        self.selected = order[if down {
            (at + 1) % len
        } else {
            (at + len - 1) % len
        }];
        self.typed.clear();
    }

    /// A digit: select that number; print at once unless a longer number starts with it.
    fn digit(&mut self, d: char) -> Pick {
        let max = self.items.len();
        let mut typed = format!("{}{d}", self.typed);
        if typed.parse::<usize>().map_or(true, |n| n > max) {
            typed = d.to_string();
        }
        let Ok(n) = typed.parse::<usize>() else {
            return Pick::Stay;
        };
        if n > max {
            self.typed.clear();
            return Pick::Stay;
        }
        self.selected = n;
        let longer = n > 0 && (1..=max).any(|m| m != n && m.to_string().starts_with(&typed));
        if longer {
            self.typed = typed;
            Pick::Stay
        } else {
            self.typed.clear();
            Pick::Print(n)
        }
    }

    fn key(&mut self, code: crossterm::event::KeyCode) -> Pick {
        use crossterm::event::KeyCode;
        match code {
            KeyCode::Esc | KeyCode::Char('q') => Pick::Cancel,
            KeyCode::Up | KeyCode::Char('k') | KeyCode::BackTab => {
                self.step(false);
                Pick::Stay
            }
            KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => {
                self.step(true);
                Pick::Stay
            }
            KeyCode::Home => {
                self.selected = 1.min(self.items.len());
                self.typed.clear();
                Pick::Stay
            }
            KeyCode::End => {
                self.selected = 0;
                self.typed.clear();
                Pick::Stay
            }
            KeyCode::Enter => Pick::Print(self.selected),
            KeyCode::Char(d) if d.is_ascii_digit() => self.digit(d),
            _ => Pick::Stay,
        }
    }
}

/// The commands inside a fix text: its `backticked` spans that hold more than one word
/// (`sub` or `state` name a field; `gcloud … --x=y` is something to run).
/// An unclosed backtick opens no span.
pub fn fix_commands(fix: &str) -> Vec<&str> {
    let pieces: Vec<&str> = fix.split('`').collect();
    let closed = pieces.len().saturating_sub(1);
    pieces[..closed]
        .iter()
        .skip(1)
        .step_by(2)
        .map(|s| s.trim())
        .filter(|s| s.contains(' '))
        .collect()
}

/// A line as the terminal may receive it, through the same choke point as the frame
/// (`ui::sanitised`): the run's secrets scrubbed, and a control character (an escape
/// sequence in a server's text could redraw the normal screen) shown as a visible escape.
/// Everything else, spaces included, stays as it is so the line copies exactly.
fn printable(line: &str) -> String {
    crate::untrusted::line(&crate::secret::registry().scrub(line)).into_owned()
}

/// What tells a command apart from its neighbours, for its label: the last two words
/// before its first flag (`update-oidc azure-mi` of `gcloud iam … update-oidc azure-mi
/// --project=…`), since fix commands often share their first words.
fn command_gist(cmd: &str) -> String {
    let words: Vec<&str> = cmd
        .split_whitespace()
        .take_while(|w| !w.starts_with('-'))
        .collect();
    words[words.len().saturating_sub(2)..].join(" ")
}

impl App {
    /// `p`: the chooser when the step has more than one thing to print, else that one value.
    pub(super) fn print_plain(&mut self) -> Vec<Effect> {
        let all = self.copyables();
        let items = if self.step == Step::Test {
            self.fix_command_items()
        } else {
            all.clone()
        };
        if items.is_empty() {
            self.toast = Some(crate::tr!("ui.toast.nothing_to_print"));
            return vec![];
        }
        if items.len() == 1 && items == all {
            return self.print_one(&items[0]);
        }
        let primary = self.primary_copyable();
        let selected = items
            .iter()
            .position(|c| Some(c) == primary.as_ref())
            .map_or(1, |i| i + 1);
        let all_label = if self.step == Step::Test {
            crate::tr!("ui.chooser.all_fixes")
        } else {
            crate::tr!("ui.chooser.all_values", n = all.len())
        };
        self.overlay = Overlay::Chooser(Chooser {
            items,
            all,
            all_label,
            selected,
            typed: String::new(),
        });
        vec![]
    }

    pub(super) fn on_chooser_key(
        &mut self,
        mut c: Chooser,
        key: crossterm::event::KeyEvent,
    ) -> Vec<Effect> {
        match c.key(key.code) {
            Pick::Stay => {
                self.overlay = Overlay::Chooser(c);
                vec![]
            }
            Pick::Cancel => {
                self.overlay = Overlay::None;
                self.toast = Some(crate::tr!("ui.toast.nothing_printed"));
                vec![]
            }
            Pick::Print(0) => {
                self.overlay = Overlay::None;
                self.print_all(&c.all)
            }
            Pick::Print(n) => {
                self.overlay = Overlay::None;
                match c.items.get(n - 1) {
                    Some(item) => self.print_one(item),
                    None => vec![],
                }
            }
        }
    }

    /// One value alone: its label on a line above, then the value's own lines.
    fn print_one(&mut self, c: &Copyable) -> Vec<Effect> {
        let mut lines: Vec<String> = c.value.lines().map(printable).collect();
        lines.push(String::new());
        self.suspended = true;
        vec![Effect::PrintPlain {
            title: printable(&crate::tr!("ui.copy.heading", label = c.label.clone())),
            lines,
        }]
    }

    /// Every value, each under its label.
    fn print_all(&mut self, items: &[Copyable]) -> Vec<Effect> {
        let mut lines = Vec::new();
        for c in items {
            lines.push(printable(&crate::tr!(
                "ui.copy.heading",
                label = c.label.clone()
            )));
            lines.extend(c.value.lines().map(printable));
            lines.push(String::new());
        }
        self.suspended = true;
        vec![Effect::PrintPlain {
            title: crate::tr!("ui.copy.all_title", step = self.step.title()),
            lines,
        }]
    }

    /// The End-to-end step's chooser entries: each command in each failing (or warning)
    /// check's fix; a fix without a command is offered whole.
    fn fix_command_items(&self) -> Vec<Copyable> {
        let mut out = Vec::new();
        for f in self.findings.values() {
            if f.fix.is_empty() || !matches!(f.status, Status::Fail | Status::Warn) {
                continue;
            }
            let fix = f.fix.to_string();
            let commands = fix_commands(&fix);
            if commands.is_empty() {
                out.push(Copyable::new(
                    "fix",
                    crate::tr!("ui.copy.fix_whole", check = f.id.as_str()),
                    f.fix.to_string(),
                ));
            }
            for cmd in commands {
                out.push(Copyable::explained(
                    "fix",
                    command_gist(cmd),
                    crate::tr!("ui.copy.fix_for", check = f.id.as_str()),
                    cmd,
                ));
            }
        }
        out
    }

    /// The one value `y` copies on this step.
    pub fn primary_copyable(&self) -> Option<Copyable> {
        let all = self.copyables();
        let want = match self.step {
            Step::Environment => "appsettings",
            Step::Token => "sub",
            Step::Values => "principal_set",
            Step::Config => "export",
            Step::Test => "fix",
            Step::Report => "report",
        };
        all.iter().find(|c| c.id == want).or(all.first()).cloned()
    }

    /// The current step's copyable values, in display order.
    pub fn copyables(&self) -> Vec<Copyable> {
        let mut out = Vec::new();
        match self.step {
            Step::Environment => {
                out.push(Copyable::explained(
                    "appsettings",
                    "az webapp config appsettings set",
                    crate::tr!("ui.copy.appsettings_why"),
                    self.appsettings_command(),
                ));
            }
            Step::Token => {
                if let Some(f) = self.fetched() {
                    let s = &f.summary;
                    if let Some(v) = &s.identity.sub {
                        out.push(Copyable::explained(
                            "sub",
                            "sub",
                            crate::tr!("ui.copy.sub_why"),
                            v,
                        ));
                    }
                    if let Some(v) = &s.issuer {
                        out.push(Copyable::new("iss", "iss", v));
                    }
                    for a in &s.audience {
                        out.push(Copyable::new("aud", "aud", a));
                    }
                    if let Some(v) = &s.identity.tid {
                        out.push(Copyable::new("tid", "tid", v));
                    }
                    if let Some(v) = &s.identity.client_id {
                        out.push(Copyable::explained(
                            "client_id",
                            crate::tr!("ui.copy.client_id"),
                            "appid/azp",
                            v,
                        ));
                    }
                    if let Some(v) = &s.sha256 {
                        out.push(Copyable::new("sha256", crate::tr!("ui.copy.sha256"), v));
                    }
                }
            }
            Step::Values => {
                let v = &self.values;
                // In `labelled()` order (the principalSet is the last, `y`'s value).
                const IDS: [&str; 8] = [
                    "issuer",
                    "audience",
                    "mapping",
                    "subject",
                    "provider",
                    "sts_audience",
                    "principal",
                    "principal_set",
                ];
                for (id, (label, value)) in IDS.into_iter().zip(v.labelled()) {
                    let label = label.to_string();
                    // The explanation in parentheses goes where room is short.
                    let short = label.split(" (").next().unwrap_or(&label).to_string();
                    out.push(Copyable {
                        id,
                        label: label.clone(),
                        short,
                        value: value.to_string(),
                    });
                }
                for (i, c) in v.gcloud.iter().enumerate() {
                    out.push(Copyable::new(
                        "gcloud",
                        crate::tr!("ui.copy.gcloud", n = i + 1),
                        c,
                    ));
                }
                out.push(Copyable::new(
                    "terraform",
                    "Terraform",
                    v.terraform.trim_end(),
                ));
            }
            Step::Config => {
                if let Some(Ok(w)) = self.written.get(&FileKind::Config) {
                    out.push(Copyable::explained(
                        "export",
                        "export",
                        crate::tr!("ui.copy.export_why"),
                        format!(
                            "export GOOGLE_APPLICATION_CREDENTIALS={}",
                            gcp::shell_quote(&w.path)
                        ),
                    ));
                }
                if let Ok(inputs) = self.session.config_inputs() {
                    out.push(Copyable::explained(
                        "config",
                        crate::tr!("ui.file.config"),
                        crate::tr!("ui.copy.config_why"),
                        gcp::credential_config(&inputs).to_json(gcp::RevealHeader::No),
                    ));
                }
            }
            Step::Test => {
                for f in self.findings.values() {
                    if !f.fix.is_empty() && matches!(f.status, Status::Fail | Status::Warn) {
                        out.push(Copyable::new(
                            "fix",
                            crate::tr!("ui.copy.fix_for", check = f.id.as_str()),
                            f.fix.to_string(),
                        ));
                    }
                }
            }
            Step::Report => {
                if let Some(Ok(w)) = self.written.get(&FileKind::Report) {
                    out.push(Copyable::new(
                        "report",
                        crate::tr!("ui.copy.report"),
                        &w.path,
                    ));
                }
            }
        }
        out
    }

    /// `az webapp config appsettings set` with the Google settings (placeholders where unset).
    pub fn appsettings_command(&self) -> String {
        crate::settings::appsettings::appsettings_command(&self.session.settings)
    }

    /// What the wizard prints after leaving the terminal.
    pub fn exit_summary(&self) -> String {
        let v = &self.values;
        let mut out = vec![crate::tr!("ui.summary.title")];
        let mut labelled = |label: String, value: &str| {
            out.push(crate::tr!("ui.copy.heading", label = label));
            out.push(value.to_string());
        };
        labelled(crate::tr!("ui.summary.issuer"), &v.issuer_uri);
        labelled(crate::tr!("ui.summary.audience"), &v.allowed_audience);
        labelled("PrincipalSet".to_string(), &v.principal_set);
        match self.written.get(&FileKind::Config) {
            Some(Ok(w)) => {
                out.push(crate::tr!(
                    "ui.copy.heading",
                    label = crate::tr!("ui.file.config_title")
                ));
                out.push(w.path.clone());
                out.push(format!(
                    "export GOOGLE_APPLICATION_CREDENTIALS={}",
                    gcp::shell_quote(&w.path)
                ));
            }
            _ => out.push(crate::tr!(
                "ui.summary.config_not_written",
                command = "wif-doctor config"
            )),
        }
        if let Some(Ok(w)) = self.written.get(&FileKind::Report) {
            out.push(crate::tr!(
                "ui.copy.heading",
                label = crate::tr!("ui.summary.report")
            ));
            out.push(w.path.clone());
        }
        let mut text = out.join("\n");
        text.push('\n');
        text
    }
}
