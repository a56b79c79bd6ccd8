//! Step 5: the end-to-end test as a flow whose hops light up as findings stream in; on
//! failure, what the token says next to what the provider expects, and the fix.

use super::{Lines, Mark, group_mark, heading, mark_span, pad, para};
use crate::checks::{CheckId, Finding, Status};
use crate::tr;
use crate::tui::app::App;
use crate::tui::theme::Theme;
use ratatui::text::{Line, Span};

/// One hop of the flow and the checks that decide it.
pub struct Hop {
    /// Its catalogue key (`ui.hop.<key>`).
    pub key: &'static str,
    pub ids: &'static [CheckId],
}

impl Hop {
    /// The hop's name in the process language.
    pub fn name(&self) -> String {
        match self.key {
            "azure" => tr!("ui.hop.azure"),
            "token" => tr!("ui.hop.token"),
            "sts" => tr!("ui.hop.sts"),
            "sa" => tr!("ui.hop.sa"),
            _ => tr!("ui.hop.vertex"),
        }
    }

    fn is_sa(&self) -> bool {
        self.key == "sa"
    }
}

pub const HOPS: [Hop; 5] = [
    Hop {
        key: "azure",
        ids: &[CheckId::AzureSource],
    },
    Hop {
        key: "token",
        ids: &[
            CheckId::AzureToken,
            CheckId::TokenClaims,
            CheckId::TokenSignature,
        ],
    },
    Hop {
        key: "sts",
        ids: &[CheckId::GcpSettings, CheckId::StsExchange],
    },
    Hop {
        key: "sa",
        ids: &[CheckId::IamImpersonation],
    },
    Hop {
        key: "vertex",
        ids: &[CheckId::GcpPermissions, CheckId::VertexCall],
    },
];

pub const ALL_HOP_IDS: [CheckId; 9] = [
    CheckId::AzureSource,
    CheckId::AzureToken,
    CheckId::TokenClaims,
    CheckId::TokenSignature,
    CheckId::GcpSettings,
    CheckId::StsExchange,
    CheckId::IamImpersonation,
    CheckId::GcpPermissions,
    CheckId::VertexCall,
];

/// A hop passes only when all its checks ran: a skipped one (e.g. the STS exchange after a
/// failed token) leaves the hop skipped even if a prerequisite passed.
fn hop_mark(app: &App, ids: &[CheckId]) -> Mark {
    match group_mark(app, ids) {
        Mark::Done(Status::Pass)
            if ids
                .iter()
                .any(|id| app.finding(*id).is_some_and(|f| f.status == Status::Skip)) =>
        {
            Mark::Done(Status::Skip)
        }
        m => m,
    }
}

fn worst<'a>(app: &'a App, ids: &[CheckId]) -> Option<&'a Finding> {
    ids.iter()
        .filter_map(|id| app.finding(*id))
        .filter(|f| matches!(f.status, Status::Fail | Status::Warn))
        .max_by_key(|f| f.status)
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_string()
}

/// The finding's side-by-side rows (`data.compare`): what, token says, provider expects.
pub fn token_vs_provider(f: &Finding) -> Vec<(String, String, String)> {
    f.data["compare"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    let text = |k: &str| r[k].as_str().unwrap_or_default().to_string();
                    (text("what"), text("token_says"), text("provider_expects"))
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn lines(app: &App, theme: &Theme) -> Lines {
    let mut out = vec![heading(theme, &tr!("ui.test.flow"))];
    let no_sa = app.session.settings.service_account.is_none();
    for (i, hop) in HOPS.iter().enumerate() {
        let mark = hop_mark(app, hop.ids);
        let name = if hop.is_sa() && no_sa {
            tr!("ui.hop.sa_unused", name = hop.name())
        } else {
            hop.name()
        };
        let note = match mark {
            Mark::Pending => String::new(),
            Mark::Running => tr!("ui.test.running"),
            Mark::Done(Status::Pass) => tr!("ui.test.ok"),
            Mark::Done(Status::Skip) => {
                if hop.is_sa() && no_sa {
                    tr!("ui.test.not_used")
                } else {
                    tr!("ui.test.skipped")
                }
            }
            Mark::Done(Status::Warn) => tr!("ui.test.warning_below"),
            Mark::Done(_) => tr!("ui.test.failed_below"),
        };
        let connector = if i == 0 {
            "   ".to_string()
        } else if theme.ascii {
            " v ".to_string()
        } else {
            " ↓ ".to_string()
        };
        let style = match mark {
            Mark::Done(s) => theme.status(s),
            _ => theme.value(),
        };
        out.push(Line::from(vec![
            Span::styled(connector, theme.dim()),
            mark_span(app, theme, mark),
            Span::styled(
                format!(" {}", pad(&name, 18.max(super::width(&name) + 1))),
                style,
            ),
            Span::styled(note, theme.dim()),
        ]));
    }
    out.push(Line::raw(""));

    if app.findings.is_empty() && !app.checks_running {
        out.push(Line::raw(tr!("ui.test.press_t")));
        return out;
    }
    let failed = HOPS.iter().find_map(|hop| {
        worst(app, hop.ids)
            .filter(|f| f.status == Status::Fail)
            .map(|f| (hop, f))
    });
    match failed {
        Some((hop, f)) => {
            out.push(Line::styled(
                format!(
                    "{} {}",
                    Status::Fail.mark(theme.ascii),
                    tr!(
                        "ui.test.failed_at",
                        hop = hop.name(),
                        detail = first_line(&f.detail.to_string())
                    )
                ),
                theme.status(Status::Fail),
            ));
            for (claim, token, provider) in token_vs_provider(f) {
                out.push(Line::styled(
                    tr!("ui.test.token_says", claim = claim),
                    theme.heading(),
                ));
                out.push(Line::styled(token, theme.value()));
                out.push(Line::styled(
                    tr!("ui.test.provider_expects"),
                    theme.heading(),
                ));
                out.push(Line::styled(provider, theme.value()));
            }
            if !f.fix.is_empty() {
                out.extend(para(&f.fix.to_string(), &fix_prefix(), theme.value()));
            }
            out.push(Line::raw(""));
            out.push(heading(theme, &tr!("ui.test.details")));
            out.extend(para(&super::detail_parts(f).1, "", theme.value()));
        }
        None if app.checks_running => {
            out.push(Line::raw(format!(
                "{} {}",
                theme.spinner(app.spinner),
                tr!("ui.test.running_test")
            )));
        }
        None => {
            let warned = ALL_HOP_IDS
                .iter()
                .filter_map(|id| app.finding(*id))
                .any(|f| f.status == Status::Warn);
            let arrow = format!(" {} ", theme.arrow());
            let path = HOPS
                .iter()
                .filter(|h| !(h.is_sa() && no_sa))
                .map(|h| h.name())
                .collect::<Vec<_>>()
                .join(&arrow);
            let (s, said) = if warned {
                (Status::Warn, tr!("ui.test.passed_warnings", path = path))
            } else {
                (Status::Pass, tr!("ui.test.passed", path = path))
            };
            out.push(Line::styled(
                format!("{} {said}", s.mark(theme.ascii)),
                theme.status(s),
            ));
            for f in app.findings.values().filter(|f| f.status == Status::Warn) {
                out.push(Line::styled(
                    format!("{} {}", f.title, first_line(&f.detail.to_string())),
                    theme.status(Status::Warn),
                ));
                if !f.fix.is_empty() {
                    out.extend(para(&f.fix.to_string(), &fix_prefix(), theme.value()));
                }
            }
        }
    }
    out.push(Line::raw(""));
    out.push(heading(theme, &tr!("ui.test.all_checks")));
    for id in CheckId::ALL {
        let mark = if app.running.contains(&id) {
            Mark::Running
        } else {
            app.finding(id)
                .map(|f| Mark::Done(f.status))
                .unwrap_or(Mark::Pending)
        };
        out.push(Line::from(vec![
            mark_span(app, theme, mark),
            Span::raw(format!(" {:<18}", id.as_str())),
            Span::styled(id.title().to_string(), theme.dim()),
        ]));
    }
    out
}

/// `fix: ` before a fix's first line.
fn fix_prefix() -> String {
    format!("{} ", tr!("ui.label.fix"))
}
