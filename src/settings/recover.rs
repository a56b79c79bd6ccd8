//! Recovering the app's environment when the SSH shell lacks it.
//!
//! sshd does not pass the container environment to login sessions. Built-in App Service
//! images snapshot it into `/etc/profile`; custom containers often don't, and the Kudu
//! container never has the identity variables. The app's own processes do: PID 1 first,
//! then any other process, then `export` lines in `/etc/profile`
//! (reference: azure-managed-identity.md §5.4). All paths live under a root that tests
//! override.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Largest environ/profile file we read; real ones are a few KiB.
const MAX_FILE: u64 = 1024 * 1024;

/// Variables found in the app's environment, each with the file it came from.
#[derive(Debug, Default, Clone)]
pub struct Recovered {
    pub vars: BTreeMap<String, (String, String)>,
}

impl Recovered {
    pub fn get(&self, name: &str) -> Option<(&str, &str)> {
        self.vars
            .get(name)
            .map(|(v, from)| (v.as_str(), from.as_str()))
    }
}

/// Look for `wanted` variables in the app's processes and `/etc/profile` under `root`.
/// Sources are tried in order and the first that has a variable wins for that variable.
pub fn recover(root: &Path, wanted: &[&str]) -> Recovered {
    let mut out = Recovered::default();
    let mut take = |vars: BTreeMap<String, String>, from: &str| {
        for (k, v) in vars {
            if wanted.contains(&k.as_str()) && !v.is_empty() && !out.vars.contains_key(&k) {
                out.vars.insert(k, (v, from.to_string()));
            }
        }
    };

    let pid1 = root.join("proc/1/environ");
    if let Some(vars) = read_environ(&pid1) {
        take(vars, "/proc/1/environ");
    }
    for (pid, path) in other_processes(root) {
        if let Some(vars) = read_environ(&path) {
            // Only processes of the app carry the identity variables; a shell's own
            // environment (without them) adds nothing.
            if vars.contains_key("IDENTITY_ENDPOINT") || vars.contains_key("MSI_ENDPOINT") {
                take(vars, &format!("/proc/{pid}/environ"));
            }
        }
    }
    if let Some(text) = read_small(&root.join("etc/profile")) {
        take(parse_profile_exports(&text), "/etc/profile");
    }
    out
}

fn read_small(path: &Path) -> Option<String> {
    crate::files::read_capped_string(path, MAX_FILE, "the shell profile").ok()
}

fn read_environ(path: &Path) -> Option<BTreeMap<String, String>> {
    // /proc files report size 0, so read with a cap instead of trusting metadata.
    let buf = crate::files::read_capped(path, MAX_FILE, "a process environment").ok()?;
    Some(parse_environ(&buf))
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

fn other_processes(root: &Path) -> Vec<(u32, PathBuf)> {
    let Ok(entries) = fs::read_dir(root.join("proc")) else {
        return Vec::new();
    };
    let mut pids: Vec<u32> = entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .filter(|pid| *pid != 1)
        .collect();
    pids.sort_unstable();
    pids.into_iter()
        .map(|pid| (pid, root.join(format!("proc/{pid}/environ"))))
        .collect()
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
    fn recovery_prefers_pid1_then_processes_then_profile() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("proc/1")).unwrap();
        fs::create_dir_all(root.join("proc/42")).unwrap();
        fs::create_dir_all(root.join("etc")).unwrap();
        fs::write(root.join("proc/1/environ"), b"HOME=/root\0").unwrap();
        fs::write(
            root.join("proc/42/environ"),
            b"IDENTITY_ENDPOINT=http://p42/msi/token\0IDENTITY_HEADER=h42\0",
        )
        .unwrap();
        fs::write(
            root.join("etc/profile"),
            "export IDENTITY_ENDPOINT=\"http://profile\"\nexport GCP_PROJECT_NUMBER=\"123\"\n",
        )
        .unwrap();
        let rec = recover(
            root,
            &["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "GCP_PROJECT_NUMBER"],
        );
        assert_eq!(
            rec.get("IDENTITY_ENDPOINT"),
            Some(("http://p42/msi/token", "/proc/42/environ"))
        );
        assert_eq!(
            rec.get("IDENTITY_HEADER"),
            Some(("h42", "/proc/42/environ"))
        );
        assert_eq!(rec.get("GCP_PROJECT_NUMBER"), Some(("123", "/etc/profile")));
    }
}
