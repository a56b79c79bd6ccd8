//! What each step offers to copy: `p` prints these plainly, `y` sends the first by OSC 52,
//! `s` saves them, and quitting prints the summary.

use super::{App, FileKind, Step};
use crate::checks::Status;
use crate::gcp;

/// A value the user may want to copy, with its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copyable {
    pub label: String,
    pub value: String,
}

impl Copyable {
    fn new(label: impl Into<String>, value: impl Into<String>) -> Copyable {
        Copyable {
            label: label.into(),
            value: value.into(),
        }
    }
}

impl App {
    /// The one value `y` copies on this step.
    pub fn primary_copyable(&self) -> Option<Copyable> {
        let all = self.copyables();
        let want = match self.step {
            Step::Environment => "az webapp",
            Step::Token => "sub",
            Step::Values => "PrincipalSet",
            Step::Config => "export",
            Step::Test => "fix",
            Step::Report => "report",
        };
        all.iter()
            .find(|c| c.label.starts_with(want))
            .or(all.first())
            .cloned()
    }

    /// The current step's copyable values, in display order.
    pub fn copyables(&self) -> Vec<Copyable> {
        let mut out = Vec::new();
        match self.step {
            Step::Environment => {
                out.push(Copyable::new(
                    "az webapp config appsettings set (App Service app settings)",
                    self.appsettings_command(),
                ));
            }
            Step::Token => {
                if let Some(f) = self.fetched() {
                    let s = &f.summary;
                    if let Some(v) = &s.identity.sub {
                        out.push(Copyable::new("sub (managed identity object ID)", v));
                    }
                    if let Some(v) = &s.issuer {
                        out.push(Copyable::new("iss", v));
                    }
                    for a in &s.audience {
                        out.push(Copyable::new("aud", a));
                    }
                    if let Some(v) = &s.identity.tid {
                        out.push(Copyable::new("tid", v));
                    }
                    if let Some(v) = &s.identity.client_id {
                        out.push(Copyable::new("client id (appid/azp)", v));
                    }
                    if let Some(v) = &s.sha256 {
                        out.push(Copyable::new("token sha256", v));
                    }
                }
            }
            Step::Values => {
                let v = &self.values;
                for (label, value) in v.labelled() {
                    out.push(Copyable::new(label, value));
                }
                for (i, c) in v.gcloud.iter().enumerate() {
                    out.push(Copyable::new(format!("gcloud command {}", i + 1), c));
                }
                out.push(Copyable::new("Terraform", v.terraform.trim_end()));
            }
            Step::Config => {
                if let Some(Ok(w)) = self.written.get(&FileKind::Config) {
                    out.push(Copyable::new(
                        "export (point Google libraries at the file)",
                        format!(
                            "export GOOGLE_APPLICATION_CREDENTIALS={}",
                            gcp::shell_quote(&w.path)
                        ),
                    ));
                }
                if let Ok(inputs) = self.session.config_inputs() {
                    out.push(Copyable::new(
                        "credential configuration (header redacted; w writes the real file)",
                        gcp::credential_config(&inputs).to_json(gcp::RevealHeader::No),
                    ));
                }
            }
            Step::Test => {
                for f in self.findings.values() {
                    if !f.fix.is_empty() && matches!(f.status, Status::Fail | Status::Warn) {
                        out.push(Copyable::new(format!("fix for {}", f.id), &f.fix));
                    }
                }
            }
            Step::Report => {
                if let Some(Ok(w)) = self.written.get(&FileKind::Report) {
                    out.push(Copyable::new("report file", &w.path));
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
        let mut out = String::from("wif-doctor summary\n");
        let v = &self.values;
        out.push_str(&format!("Issuer URI:\n{}\n", v.issuer_uri));
        out.push_str(&format!("Allowed audience:\n{}\n", v.allowed_audience));
        out.push_str(&format!("PrincipalSet:\n{}\n", v.principal_set));
        match self.written.get(&FileKind::Config) {
            Some(Ok(w)) => out.push_str(&format!(
                "Credential configuration:\n{}\nexport GOOGLE_APPLICATION_CREDENTIALS={}\n",
                w.path,
                gcp::shell_quote(&w.path)
            )),
            _ => out
                .push_str("Credential configuration: not written (wif-doctor config writes it)\n"),
        }
        if let Some(Ok(w)) = self.written.get(&FileKind::Report) {
            out.push_str(&format!("Report:\n{}\n", w.path));
        }
        out
    }
}
