//! The executable-sourced `external_account` file (AIP-4117 "executable-sourced
//! credentials"): the client library runs `wif-doctor subject-token` on every refresh, so
//! the file holds no secret and never goes stale when the platform rotates
//! `IDENTITY_HEADER`.
//!
//! Limits are the libraries' own (google-auth `pluggable.py`, Node `PluggableAuthClient`,
//! Go `executablecredsource.go`): `timeout_millis` 5–120 s, default 30 s; the command is
//! split on whitespace by Python, Go and Rust (Node honours quotes), so no part may contain
//! any.

use crate::i18n::{Msg, Text};
use crate::msg;
use serde::Serialize;

/// `GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES`: libraries refuse to run the command unless
/// the app's environment sets it to `1`.
pub const ALLOW_EXECUTABLES: &str = "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES";
/// The subcommand the file runs.
pub const SUBJECT_TOKEN_COMMAND: &str = "subject-token";
pub const TIMEOUT_MIN_MILLIS: u64 = 5_000;
pub const TIMEOUT_MAX_MILLIS: u64 = 120_000;
pub const TIMEOUT_DEFAULT_MILLIS: u64 = 30_000;
/// How much earlier than the library's timeout `subject-token` gives up and answers with a
/// failure response of its own (a killed process explains nothing).
pub const DEADLINE_MARGIN_MILLIS: u64 = 1_500;

/// The two shapes of credential configuration wif-doctor writes, with the trade-off an
/// operator chooses by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CredentialForm {
    /// `credential_source.url` with the identity header (the seed's form).
    #[default]
    Url,
    /// `credential_source.executable` running `wif-doctor subject-token`.
    Executable,
}

impl CredentialForm {
    pub const ALL: [CredentialForm; 2] = [CredentialForm::Url, CredentialForm::Executable];

    pub fn id(self) -> &'static str {
        match self {
            CredentialForm::Url => "url",
            CredentialForm::Executable => "executable",
        }
    }

    /// One line: who supports it and what it costs.
    pub fn tradeoff_msg(self) -> Msg {
        match self {
            CredentialForm::Url => msg!("executable.form.url_tradeoff"),
            CredentialForm::Executable => {
                msg!(
                    "executable.form.executable_tradeoff",
                    var = ALLOW_EXECUTABLES
                )
            }
        }
    }

    /// [`CredentialForm::tradeoff_msg`] rendered in the process language (for the faces).
    pub fn tradeoff(self) -> String {
        self.tradeoff_msg().to_string()
    }

    pub fn other(self) -> CredentialForm {
        match self {
            CredentialForm::Url => CredentialForm::Executable,
            CredentialForm::Executable => CredentialForm::Url,
        }
    }
}

/// Everything the executable-sourced file is built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutableInputs {
    pub universe_domain: String,
    pub audience: String,
    pub subject_token_type: String,
    pub token_url: String,
    pub service_account: Option<String>,
    /// Absolute path of the program (this binary).
    pub program: String,
    /// Arguments after the program: `subject-token` and the non-secret settings as
    /// `--flag=value` (one word each).
    pub args: Vec<String>,
    pub timeout_millis: u64,
    /// Absolute path of the cached response, if any.
    pub output_file: Option<String>,
}

/// Which part of the command holds whitespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The wif-doctor binary's path.
    Program,
    /// One of the arguments after it.
    Argument,
}

/// Why the file cannot be written as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecutableError {
    Whitespace { what: Part, value: String },
    NotAbsolute(String),
    Timeout(u64),
    OutputFileNotAbsolute(String),
}

impl ExecutableError {
    /// What went wrong and the way out, in words from `executable.toml`.
    pub fn message(&self) -> Text {
        match self {
            ExecutableError::Whitespace { what, value } => {
                let (what, fix) = match what {
                    Part::Program => (
                        msg!("executable.error.program"),
                        msg!("executable.error.program_fix"),
                    ),
                    Part::Argument => (
                        msg!("executable.error.argument"),
                        msg!("executable.error.argument_fix"),
                    ),
                };
                msg!(
                    "executable.error.whitespace",
                    what = what,
                    value = format!("{value:?}"),
                    fix = fix
                )
                .into()
            }
            ExecutableError::NotAbsolute(p) => {
                msg!("executable.error.not_absolute", path = format!("{p:?}")).into()
            }
            ExecutableError::Timeout(ms) => msg!(
                "executable.error.timeout",
                ms = *ms,
                min = TIMEOUT_MIN_MILLIS,
                max = TIMEOUT_MAX_MILLIS
            )
            .into(),
            ExecutableError::OutputFileNotAbsolute(p) => msg!(
                "executable.error.output_not_absolute",
                path = format!("{p:?}")
            )
            .into(),
        }
    }
}

impl std::fmt::Display for ExecutableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message().fmt(f)
    }
}

impl std::error::Error for ExecutableError {}

/// The executable-sourced credential configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExecutableConfig {
    pub universe_domain: String,
    #[serde(rename = "type")]
    pub credential_type: &'static str,
    pub audience: String,
    pub subject_token_type: String,
    pub token_url: String,
    pub credential_source: ExecutableSource,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account_impersonation_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExecutableSource {
    pub executable: Executable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Executable {
    pub command: String,
    pub timeout_millis: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_file: Option<String>,
}

fn no_whitespace(what: Part, value: &str) -> Result<(), ExecutableError> {
    if value.chars().any(char::is_whitespace) || value.is_empty() {
        return Err(ExecutableError::Whitespace {
            what,
            value: value.to_string(),
        });
    }
    Ok(())
}

/// Builds the file, refusing what a library would mis-run.
pub fn executable_config(i: &ExecutableInputs) -> Result<ExecutableConfig, ExecutableError> {
    no_whitespace(Part::Program, &i.program)?;
    if !i.program.starts_with('/') {
        return Err(ExecutableError::NotAbsolute(i.program.clone()));
    }
    for a in &i.args {
        no_whitespace(Part::Argument, a)?;
    }
    if !(TIMEOUT_MIN_MILLIS..=TIMEOUT_MAX_MILLIS).contains(&i.timeout_millis) {
        return Err(ExecutableError::Timeout(i.timeout_millis));
    }
    if let Some(o) = &i.output_file
        && !o.starts_with('/')
    {
        return Err(ExecutableError::OutputFileNotAbsolute(o.clone()));
    }
    let mut command = i.program.clone();
    for a in &i.args {
        command.push(' ');
        command.push_str(a);
    }
    let service_account = i
        .service_account
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    Ok(ExecutableConfig {
        universe_domain: i.universe_domain.trim().to_string(),
        credential_type: "external_account",
        audience: i.audience.trim().to_string(),
        subject_token_type: i.subject_token_type.trim().to_string(),
        token_url: i.token_url.trim().to_string(),
        credential_source: ExecutableSource {
            executable: Executable {
                command,
                timeout_millis: i.timeout_millis,
                output_file: i.output_file.clone(),
            },
        },
        service_account_impersonation_url: service_account
            .map(|sa| super::service_account_impersonation_url(&i.universe_domain, sa)),
    })
}

impl ExecutableConfig {
    /// Pretty JSON (2-space indent, trailing newline), gcloud's key order. Nothing in it is
    /// secret.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("plain strings serialise");
        s.push('\n');
        s
    }
}

/// The `subject-token` deadline for a library timeout: a little under it, so the command
/// answers with its own failure response before the library kills it.
pub fn deadline_millis(timeout_millis: u64) -> u64 {
    timeout_millis
        .saturating_sub(DEADLINE_MARGIN_MILLIS)
        .max(1_000)
}

/// `az webapp config appsettings set …` with what the chosen form needs in the app's
/// environment: the file's path, and for the executable form the opt-in the libraries demand.
pub fn appsettings_command(app: Option<&str>, credentials_path: &str, executable: bool) -> String {
    let q = super::shell_quote;
    let mut line = crate::i18n::Msg::new("executable.cmd.appsettings")
        .arg("app", q(app.unwrap_or("<APP_NAME>")))
        .arg(
            "settings",
            q(&format!(
                "GOOGLE_APPLICATION_CREDENTIALS={credentials_path}"
            )),
        )
        .render(crate::i18n::Lang::En);
    if executable {
        line.push(' ');
        line.push_str(&q(&format!("{ALLOW_EXECUTABLES}=1")));
    }
    line
}

/// App Service keeps only `/home` across restarts; a binary elsewhere (e.g. copied to
/// /usr/local/bin or /tmp) is gone after the next one, and with it every token refresh.
pub fn survives_restart(program: &str) -> bool {
    program.starts_with("/home/")
}

/// The program's file name says wif-doctor (`wif-doctor`, `wif-doctor-x86_64`, …).
pub fn names_wif_doctor(program: &str) -> bool {
    program
        .rsplit('/')
        .next()
        .is_some_and(|name| name.starts_with("wif-doctor"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> ExecutableInputs {
        ExecutableInputs {
            universe_domain: "googleapis.com".into(),
            audience: "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/v".into(),
            subject_token_type: "urn:ietf:params:oauth:token-type:jwt".into(),
            token_url: "https://sts.googleapis.com/v1/token".into(),
            service_account: None,
            program: "/home/site/wif-doctor".into(),
            args: vec!["subject-token".into(), "--resource=api://x".into()],
            timeout_millis: 30_000,
            output_file: None,
        }
    }

    #[test]
    fn command_is_program_and_args_joined_by_single_spaces() {
        let c = executable_config(&inputs()).unwrap();
        assert_eq!(
            c.credential_source.executable.command,
            "/home/site/wif-doctor subject-token --resource=api://x"
        );
        let v: serde_json::Value = serde_json::from_str(&c.to_json()).unwrap();
        assert!(
            v["credential_source"]["executable"]
                .get("output_file")
                .is_none()
        );
        assert!(v.get("service_account_impersonation_url").is_none());
    }

    #[test]
    fn refuses_whitespace_relative_paths_and_out_of_range_timeouts() {
        let mut i = inputs();
        i.program = "/home/my site/wif-doctor".into();
        assert!(matches!(
            executable_config(&i),
            Err(ExecutableError::Whitespace { .. })
        ));
        let mut i = inputs();
        i.args.push("--resource=api://a\tb".into());
        assert!(matches!(
            executable_config(&i),
            Err(ExecutableError::Whitespace { .. })
        ));
        let mut i = inputs();
        i.program = "wif-doctor".into();
        assert!(matches!(
            executable_config(&i),
            Err(ExecutableError::NotAbsolute(_))
        ));
        for bad in [4_999, 120_001] {
            let mut i = inputs();
            i.timeout_millis = bad;
            assert_eq!(executable_config(&i), Err(ExecutableError::Timeout(bad)));
        }
        let mut i = inputs();
        i.output_file = Some("cache.json".into());
        assert!(matches!(
            executable_config(&i),
            Err(ExecutableError::OutputFileNotAbsolute(_))
        ));
    }

    #[test]
    fn appsettings_line_names_the_opt_in_only_for_the_executable_form() {
        assert_eq!(
            appsettings_command(Some("my-app"), "/home/gcp_credentials.json", true),
            "az webapp config appsettings set -g <RESOURCE_GROUP> -n my-app --settings GOOGLE_APPLICATION_CREDENTIALS=/home/gcp_credentials.json GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1"
        );
        assert_eq!(
            appsettings_command(None, "/home/c.json", false),
            "az webapp config appsettings set -g <RESOURCE_GROUP> -n '<APP_NAME>' --settings GOOGLE_APPLICATION_CREDENTIALS=/home/c.json"
        );
        assert!(survives_restart("/home/site/wif-doctor"));
        assert!(!survives_restart("/usr/local/bin/wif-doctor"));
    }

    #[test]
    fn errors_speak_both_languages_and_keep_the_values() {
        use crate::i18n::Lang;
        let e = ExecutableError::Whitespace {
            what: Part::Program,
            value: "/home/my site/wif-doctor".into(),
        };
        let en = e.message().en();
        assert!(
            en.starts_with("the wif-doctor path \"/home/my site/wif-doctor\" contains whitespace"),
            "{en}"
        );
        let ja = e.message().render(Lang::Ja);
        assert!(ja.contains("空白"), "{ja}");
        assert!(ja.contains("\"/home/my site/wif-doctor\""), "{ja}");
        assert!(ja.contains("/home/site/wif-doctor"), "{ja}");
        let ja = ExecutableError::Timeout(200_000).message().render(Lang::Ja);
        assert!(
            ja.contains("200000") && ja.contains("5000..=120000"),
            "{ja}"
        );
        assert!(
            CredentialForm::Executable
                .tradeoff_msg()
                .render(Lang::Ja)
                .contains(ALLOW_EXECUTABLES)
        );
    }

    #[test]
    fn deadline_stays_under_the_library_timeout() {
        assert_eq!(deadline_millis(30_000), 28_500);
        assert_eq!(deadline_millis(5_000), 3_500);
        assert_eq!(deadline_millis(0), 1_000);
    }
}
