//! `wif-doctor simulate`: the built-in simulator as a standalone server, so an app or
//! any client library can be tried offline. It prints (and with `--env-file` writes,
//! 0600) the `export` lines that point an unmodified client at it — the identity
//! endpoint and header, the Google settings, its CONNECT proxy as `HTTPS_PROXY` and its
//! CA under the three names the common HTTP stacks read — then serves until Ctrl+C or
//! SIGTERM, logging one line per request (method, host, path, status) to stderr.
//!
//! The identity header printed here is the simulator's own random value, not a platform
//! secret: printing it is what lets a second shell or a test harness use it.

use super::Failure;
use crate::files::{self, Overwrite};
use crate::msg;
use crate::sim::{self, Scenario, Sim, SimOptions};
use clap::Args;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Args)]
pub struct SimulateArgs {
    /// Fault to inject (list them with --demo=list)
    #[arg(long, value_name = "SCENARIO", default_value = "healthy")]
    pub scenario: String,
    /// Delay every response by this many milliseconds
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,
    /// Also write the export lines here (mode 0600; the CA goes beside it as NAME-ca.pem);
    /// removed again when the simulator stops
    #[arg(long, value_name = "PATH")]
    pub env_file: Option<PathBuf>,
    /// Address of the HTTPS listener that answers for the Google and Entra host names
    /// (127.0.0.1:443 lets /etc/hosts entries alone reach it)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
}

/// Where the CA and (optionally) the env file live; a temporary directory is removed on drop.
struct Files {
    ca: PathBuf,
    env: Option<PathBuf>,
    _temp: Option<tempfile::TempDir>,
}

impl Files {
    fn plan(env_file: Option<&Path>) -> Result<Files, Failure> {
        match env_file {
            Some(env) => {
                let stem = env
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "simulate".into());
                Ok(Files {
                    ca: env.with_file_name(format!("{stem}-ca.pem")),
                    env: Some(env.to_path_buf()),
                    _temp: None,
                })
            }
            None => {
                let dir = tempfile::Builder::new()
                    .prefix("wif-doctor-simulate-")
                    .tempdir()
                    .map_err(|e| {
                        Failure::Failed(msg!("cli.simulate.temp_dir", error = e.to_string()).into())
                    })?;
                Ok(Files {
                    ca: dir.path().join("ca.pem"),
                    env: None,
                    _temp: Some(dir),
                })
            }
        }
    }
}

/// A value as a POSIX shell word: bare when it is plainly safe, else single-quoted.
fn shell_word(value: &str) -> String {
    let safe = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,%+".contains(c));
    if safe {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// `(NAME, value)` pairs of the environment an unmodified client needs.
pub fn environment(sim: &Sim, ca: &Path) -> Vec<(&'static str, String)> {
    let g = sim.google();
    let ca = ca.display().to_string();
    let proxy = sim.https_proxy().unwrap_or_default();
    let no_proxy = "127.0.0.1,localhost".to_string();
    let mut vars = vec![
        ("IDENTITY_ENDPOINT", sim.identity_endpoint()),
        ("IDENTITY_HEADER", sim.identity_header().to_string()),
    ];
    vars.extend(g.app_settings());
    vars.extend([
        // Both spellings: Python's urllib prefers the lower-case one when both are set.
        ("HTTPS_PROXY", proxy.clone()),
        ("https_proxy", proxy),
        ("NO_PROXY", no_proxy.clone()),
        ("no_proxy", no_proxy),
        ("SSL_CERT_FILE", ca.clone()),
        ("REQUESTS_CA_BUNDLE", ca.clone()),
        ("NODE_EXTRA_CA_CERTS", ca),
    ]);
    vars
}

/// Ctrl+C (SIGINT) and SIGTERM, registered when created so that a signal arriving
/// right after the env file appears is not lost.
struct StopSignals {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl StopSignals {
    fn register() -> Result<StopSignals, Failure> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let fail = |e: std::io::Error| {
                Failure::Failed(msg!("cli.simulate.signals", error = e.to_string()).into())
            };
            Ok(StopSignals {
                int: signal(SignalKind::interrupt()).map_err(fail)?,
                term: signal(SignalKind::terminate()).map_err(fail)?,
            })
        }
        #[cfg(not(unix))]
        Ok(StopSignals {})
    }

    /// Resolves on the first of them, naming which.
    async fn wait(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.int.recv() => "Ctrl+C",
                _ = self.term.recv() => "SIGTERM",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl+C"
        }
    }
}

pub async fn run(args: &SimulateArgs) -> Result<(), Failure> {
    let scenario: Scenario = args
        .scenario
        .parse()
        .map_err(|e: sim::ParseScenarioError| {
            Failure::Usage(super::flag_error("--scenario", e.to_string()))
        })?;
    let mut signals = StopSignals::register()?;
    let files = Files::plan(args.env_file.as_deref())?;
    let sim = sim::start(SimOptions {
        scenario,
        latency: Duration::from_millis(args.latency),
        https_listen: Some(args.listen),
        proxy: true,
        log_to_stderr: true,
    })
    .await
    .map_err(|e| Failure::Failed(msg!("cli.error.simulator", error = e.to_string()).into()))?;

    write_public(&files.ca, sim.ca_pem().as_bytes())?;
    let lines: String = environment(&sim, &files.ca)
        .iter()
        .map(|(k, v)| format!("export {k}={}\n", shell_word(v)))
        .collect();
    if let Some(env) = &files.env {
        files::write_private_atomic(env, lines.as_bytes(), Overwrite::Force)
            .map_err(|e| Failure::Failed(e.to_string().into()))?;
    }
    out!("{lines}");
    eprintln!(
        "{}",
        msg!(
            "cli.simulate.serving",
            scenario = scenario.to_string(),
            https = sim.https_addr().to_string(),
            proxy = sim.https_proxy().unwrap_or_default()
        )
    );

    let what = signals.wait().await;
    sim.shutdown();
    if let Some(env) = &files.env {
        let _ = std::fs::remove_file(env);
        let _ = std::fs::remove_file(&files.ca);
    }
    eprintln!("{}", msg!("cli.simulate.stopped", signal = what));
    Ok(())
}

/// The CA certificate is public: written atomically, readable by all (0644).
fn write_public(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let fail = |e: std::io::Error| {
        Failure::Failed(
            msg!(
                "cli.simulate.cannot_write",
                path = path.display().to_string(),
                error = e.to_string()
            )
            .into(),
        )
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(fail)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(fail)?;
    }
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::shell_word;

    #[test]
    fn shell_words_quote_only_when_needed() {
        assert_eq!(
            shell_word("http://127.0.0.1:80/msi/token"),
            "http://127.0.0.1:80/msi/token"
        );
        assert_eq!(shell_word("/tmp/a b/ca.pem"), "'/tmp/a b/ca.pem'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
