//! Recovering the app's environment when the SSH shell lacks it.
//!
//! sshd does not pass the container environment to login sessions. Built-in App Service
//! images snapshot it into `/etc/profile`; custom containers often don't, and the Kudu
//! container never has the identity variables. The app's own processes do
//! (reference: azure-managed-identity.md §5.4).
//!
//! Another process's environment is evidence about *this* machine only inside an App
//! Service container, so recovery is fenced:
//! - only on App Service: an App Service marker ([`APP_SERVICE_MARKERS`]) is in the
//!   shell's environment, in `/etc/profile`'s exports, or in PID 1's environment (PID 1 is
//!   the container's entrypoint; it is read once to look for the markers, and nothing is
//!   taken from it without them). Elsewhere no other process's environment is read;
//! - only from sources that carry a marker themselves: PID 1 first, then other processes
//!   in PID order, then `/etc/profile`;
//! - only the variables wif-doctor knows (the caller passes those the shell lacks; the
//!   shell and flags always win);
//! - every read is bounded: a non-regular file is skipped without blocking, a file over
//!   [`MAX_FILE`] is skipped, at most [`MAX_PROCESSES`] processes are looked at.
//!
//! All paths live under a root that tests override (`WIF_DOCTOR_SYSROOT`).

use crate::files;
use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::Path;

/// Largest environ/profile file we read; real ones are a few KiB.
pub const MAX_FILE: u64 = 1024 * 1024;
/// Most processes whose environment is read (App Service containers run a handful).
pub const MAX_PROCESSES: usize = 256;
/// Variables App Service sets in every app container (and Functions on App Service).
pub const APP_SERVICE_MARKERS: &[&str] = &["WEBSITE_SITE_NAME", "WEBSITE_INSTANCE_ID"];

/// Where a recovered value came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Source {
    /// The process, or `None` for `/etc/profile`.
    pub pid: Option<u32>,
    /// The process's name (`/proc/PID/comm`), control characters replaced.
    pub process: Option<String>,
    /// The file read, relative to the system root (`/proc/1/environ`, `/etc/profile`).
    pub path: String,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.pid, &self.process) {
            (Some(pid), Some(name)) => write!(f, "process {pid} ({name}), {}", self.path),
            (Some(pid), None) => write!(f, "process {pid}, {}", self.path),
            _ => write!(f, "{}", self.path),
        }
    }
}

/// Variables found in the app's environment, each with where it came from.
#[derive(Debug, Default, Clone)]
pub struct Recovered {
    /// Whether this machine was recognised as App Service (recovery ran at all).
    pub app_service: bool,
    pub vars: BTreeMap<String, (String, Source)>,
}

impl Recovered {
    pub fn get(&self, name: &str) -> Option<(&str, &Source)> {
        self.vars.get(name).map(|(v, from)| (v.as_str(), from))
    }
}

fn marked(vars: &BTreeMap<String, String>) -> bool {
    APP_SERVICE_MARKERS
        .iter()
        .any(|m| vars.get(*m).is_some_and(|v| !v.is_empty()))
}

/// Look for `wanted` variables in the app's processes and `/etc/profile` under `root`,
/// when this is App Service (`shell` is this process's environment). Sources are tried
/// in order and the first that has a variable wins for that variable.
pub fn recover(root: &Path, shell: &BTreeMap<String, String>, wanted: &[&str]) -> Recovered {
    let profile = read_small(&root.join("etc/profile")).map(|t| parse_profile_exports(&t));
    let pid1 = read_environ(root, 1);
    let app_service =
        marked(shell) || profile.as_ref().is_some_and(marked) || pid1.as_ref().is_some_and(marked);
    let mut out = Recovered {
        app_service,
        ..Default::default()
    };
    if !app_service {
        return out;
    }
    let mut take = |vars: BTreeMap<String, String>, from: Source| {
        for (k, v) in vars {
            if wanted.contains(&k.as_str()) && !v.is_empty() && !out.vars.contains_key(&k) {
                out.vars.insert(k, (v, from.clone()));
            }
        }
    };
    if let Some(vars) = pid1.filter(marked) {
        take(vars, process_source(root, 1));
    }
    for pid in other_processes(root) {
        if let Some(vars) = read_environ(root, pid).filter(marked) {
            take(vars, process_source(root, pid));
        }
    }
    if let Some(vars) = profile.filter(marked) {
        take(
            vars,
            Source {
                pid: None,
                process: None,
                path: "/etc/profile".into(),
            },
        );
    }
    out
}

fn read_small(path: &Path) -> Option<String> {
    files::read_capped_string(path, MAX_FILE, "the app's environment").ok()
}

fn read_environ(root: &Path, pid: u32) -> Option<BTreeMap<String, String>> {
    let path = root.join(format!("proc/{pid}/environ"));
    files::read_capped(&path, MAX_FILE, "the app's environment")
        .ok()
        .map(|b| parse_environ(&b))
}

fn process_source(root: &Path, pid: u32) -> Source {
    let process = files::read_capped_string(&root.join(format!("proc/{pid}/comm")), 256, "comm")
        .ok()
        .map(|n| {
            n.trim_end_matches('\n')
                .chars()
                .map(|c| if c.is_control() { '?' } else { c })
                .collect::<String>()
        })
        .filter(|n| !n.is_empty());
    Source {
        pid: Some(pid),
        process,
        path: format!("/proc/{pid}/environ"),
    }
}

/// Parse NUL-separated `K=V` records.
pub fn parse_environ(bytes: &[u8]) -> BTreeMap<String, String> {
    bytes
        .split(|b| *b == 0)
        .filter_map(|rec| {
            let rec = String::from_utf8_lossy(rec);
            let (k, v) = rec.split_once('=')?;
            (!k.is_empty()).then(|| (k.to_string(), v.to_string()))
        })
        .collect()
}

/// Parse `export K="V"` / `export K=V` lines; the last assignment wins, as in a shell.
pub fn parse_profile_exports(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("export ") else {
            continue;
        };
        let Some((k, v)) = rest.trim().split_once('=') else {
            continue;
        };
        if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        out.insert(k.to_string(), unquote(v.trim()));
    }
    out
}

fn unquote(v: &str) -> String {
    let bytes = v.as_bytes();
    if bytes.len() >= 2 {
        let (first, last) = (bytes[0], bytes[bytes.len() - 1]);
        if (first == b'"' && last == b'"') || (first == b'\'' && last == b'\'') {
            return v[1..v.len() - 1].replace("\\\"", "\"");
        }
    }
    v.to_string()
}

/// Other processes' PIDs, in order, at most [`MAX_PROCESSES`].
fn other_processes(root: &Path) -> Vec<u32> {
    let Ok(entries) = fs::read_dir(root.join("proc")) else {
        return Vec::new();
    };
    let mut pids: Vec<u32> = entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .filter(|pid| *pid != 1)
        .collect();
    pids.sort_unstable();
    pids.truncate(MAX_PROCESSES);
    pids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_environ_records() {
        let vars = parse_environ(b"A=1\0IDENTITY_ENDPOINT=http://x/msi/token\0EMPTY=\0=bad\0");
        assert_eq!(vars["A"], "1");
        assert_eq!(vars["IDENTITY_ENDPOINT"], "http://x/msi/token");
        assert_eq!(vars["EMPTY"], "");
        assert!(!vars.contains_key(""));
    }

    #[test]
    fn parses_profile_exports_like_app_service_init() {
        let text = "# Get environment variables to show up in SSH session\n\
                    export IDENTITY_ENDPOINT=\"http://169.254.129.4:8081/msi/token\"\n\
                    export IDENTITY_HEADER='abc'\nexport IDENTITY_HEADER=\"def\"\nPATH=/x\n";
        let vars = parse_profile_exports(text);
        assert_eq!(
            vars["IDENTITY_ENDPOINT"],
            "http://169.254.129.4:8081/msi/token"
        );
        assert_eq!(vars["IDENTITY_HEADER"], "def");
        assert!(!vars.contains_key("PATH"));
    }

    #[test]
    fn recovery_prefers_pid1_then_marked_processes_then_profile() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in ["proc/1", "proc/42", "proc/43", "etc"] {
            fs::create_dir_all(root.join(d)).unwrap();
        }
        fs::write(
            root.join("proc/1/environ"),
            b"HOME=/root\0WEBSITE_SITE_NAME=app\0",
        )
        .unwrap();
        fs::write(root.join("proc/1/comm"), b"init_container\n").unwrap();
        fs::write(
            root.join("proc/42/environ"),
            b"WEBSITE_INSTANCE_ID=abc\0IDENTITY_ENDPOINT=http://p42/msi/token\0IDENTITY_HEADER=h42\0",
        )
        .unwrap();
        // No marker: a neighbour's values are never taken.
        fs::write(
            root.join("proc/43/environ"),
            b"IDENTITY_ENDPOINT=http://decoy\0GCP_PROJECT_NUMBER=666\0",
        )
        .unwrap();
        fs::write(
            root.join("etc/profile"),
            "export WEBSITE_SITE_NAME=\"app\"\nexport IDENTITY_ENDPOINT=\"http://profile\"\nexport GCP_PROJECT_NUMBER=\"123\"\n",
        )
        .unwrap();
        let rec = recover(
            root,
            &BTreeMap::new(),
            &["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "GCP_PROJECT_NUMBER"],
        );
        assert!(rec.app_service);
        let (v, from) = rec.get("IDENTITY_ENDPOINT").unwrap();
        assert_eq!(v, "http://p42/msi/token");
        assert_eq!(from.pid, Some(42));
        assert_eq!(from.to_string(), "process 42, /proc/42/environ");
        assert_eq!(rec.get("IDENTITY_HEADER").unwrap().0, "h42");
        let (v, from) = rec.get("GCP_PROJECT_NUMBER").unwrap();
        assert_eq!((v, from.path.as_str()), ("123", "/etc/profile"));
    }

    #[test]
    fn off_app_service_nothing_is_recovered() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("proc/1")).unwrap();
        fs::create_dir_all(root.join("proc/42")).unwrap();
        fs::write(
            root.join("proc/1/environ"),
            b"HOME=/root\0GCP_PROJECT_NUMBER=1\0",
        )
        .unwrap();
        fs::write(
            root.join("proc/42/environ"),
            b"WEBSITE_SITE_NAME=neighbour\0GCP_PROJECT_NUMBER=666\0",
        )
        .unwrap();
        let rec = recover(root, &BTreeMap::new(), &["GCP_PROJECT_NUMBER"]);
        assert!(!rec.app_service);
        assert!(rec.vars.is_empty());
    }

    #[test]
    fn a_fifo_as_environ_never_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("proc/1")).unwrap();
        let fifo = root.join("proc/1/environ");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let shell: BTreeMap<String, String> =
            [("WEBSITE_SITE_NAME".to_string(), "app".to_string())].into();
        let rec = recover(root, &shell, &["GCP_PROJECT_NUMBER"]);
        assert!(rec.app_service);
        assert!(rec.vars.is_empty());
    }
}
