//! Test harness: the real binary against the simulator over real HTTP/TLS on loopback.
//!
//! Every invocation starts from an empty environment, trusts only the simulator's CA
//! (SSL_CERT_FILE), resolves every production host name to the simulator (WIF_DOCTOR_RESOLVE),
//! reads /proc and DMI from an empty fake root (so it never thinks it is on an Azure VM and
//! never probes the real IMDS address), and runs under a hard deadline.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;
use wif_doctor::sim::{self, Scenario, Sim, SimOptions};

pub struct World {
    pub rt: tokio::runtime::Runtime,
    pub sim: Sim,
    pub dir: tempfile::TempDir,
    pub ca: PathBuf,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Peak resident set size of the child (KiB): the largest VmHWM read from
    /// /proc/<pid>/status while it ran (polled every 2 ms; wait4's ru_maxrss cannot be used,
    /// it counts the forking test process's memory from before exec).
    pub peak_rss_kib: u64,
    /// Wall time from spawn to exit.
    pub elapsed: Duration,
}

/// The hard deadline of every run; a hostile case that hangs fails here, not in CI's timeout.
pub const RUN_DEADLINE: Duration = Duration::from_secs(60);

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// The bounds every hostile case must keep: done within `timeout` plus 2 s, under
    /// 50 MB peak RSS (exit code and "no panic" are checked for every run already).
    pub fn assert_bounded(&self, timeout: Duration) {
        // Shown with --nocapture: the measured figures behind the bound.
        eprintln!(
            "bounded run: {:?} (limit {:?}), peak RSS {} KiB, exit {}",
            self.elapsed,
            timeout + Duration::from_secs(2),
            self.peak_rss_kib,
            self.code
        );
        assert!(
            self.elapsed <= timeout + Duration::from_secs(2),
            "took {:?} (timeout {timeout:?}):\n{}",
            self.elapsed,
            self.all()
        );
        assert!(
            self.peak_rss_kib < 50 * 1024,
            "peak RSS {} KiB >= 50 MB:\n{}",
            self.peak_rss_kib,
            self.all()
        );
    }
}

/// Run `cmd` to completion under `deadline` (killed after it), collecting its output and
/// its peak memory; wait4(2) on its own pid, so parallel tests do not mix their children.
pub fn run_child(
    mut cmd: std::process::Command,
    stdin: Option<Vec<u8>>,
    deadline: Duration,
) -> Run {
    use std::io::{Read, Write};
    use std::process::Stdio;
    use std::time::Instant;
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().expect("spawn wif-doctor");
    if let Some(input) = stdin {
        let mut w = child.stdin.take().unwrap();
        std::thread::spawn(move || {
            let _ = w.write_all(&input);
        });
    }
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut killed = false;
    let mut peak_kib = 0u64;
    let status_file = format!("/proc/{pid}/status");
    loop {
        if let Ok(s) = std::fs::read_to_string(&status_file)
            && let Some(kib) = s
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak_kib = peak_kib.max(kib);
        }
        // SAFETY: wait4 on our own child's pid with valid out-pointers.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        assert!(r == 0, "wait4 failed: {}", std::io::Error::last_os_error());
        if started.elapsed() > deadline && !killed {
            let _ = child.kill();
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let elapsed = started.elapsed();
    // The child is reaped; std must not wait for it again.
    std::mem::forget(child);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -libc::WTERMSIG(status)
    };
    let run = Run {
        code,
        stdout: String::from_utf8_lossy(&out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
        peak_rss_kib: peak_kib,
        elapsed,
    };
    assert!(!killed, "still running after {deadline:?}:\n{}", run.all());
    assert!(
        matches!(run.code, 0..=2),
        "exit code {} is not 0, 1 or 2:\n{}",
        run.code,
        run.all()
    );
    assert!(
        !run.stderr.contains("panicked at"),
        "wif-doctor panicked:\n{}",
        run.all()
    );
    run
}

impl World {
    pub fn new(scenario: Scenario) -> World {
        World::with(SimOptions {
            scenario,
            ..Default::default()
        })
    }

    pub fn with(opts: SimOptions) -> World {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let sim = rt.block_on(sim::start(opts)).expect("simulator starts");
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("sim-ca.pem");
        sim.write_ca_file(&ca).unwrap();
        std::fs::create_dir_all(dir.path().join("root")).unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        World { rt, sim, dir, ca }
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// The environment every run starts from: network pinned to the simulator, no identity.
    pub fn base_env(&self) -> Vec<(String, String)> {
        let resolve: Vec<String> = self
            .sim
            .resolve_entries()
            .iter()
            .map(|(h, a)| format!("{h}={a}"))
            .collect();
        vec![
            ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
            ("HOME".into(), self.home().display().to_string()),
            ("SSL_CERT_FILE".into(), self.ca.display().to_string()),
            ("WIF_DOCTOR_RESOLVE".into(), resolve.join(",")),
            (
                "WIF_DOCTOR_SYSROOT".into(),
                self.root().display().to_string(),
            ),
            ("NO_COLOR".into(), "1".into()),
        ]
    }

    /// The App Service environment: identity endpoint and header of the simulator.
    pub fn app_service_env(&self) -> Vec<(String, String)> {
        let mut env = self.base_env();
        env.push(("IDENTITY_ENDPOINT".into(), self.sim.identity_endpoint()));
        env.push(("IDENTITY_HEADER".into(), self.sim.identity_header().into()));
        env.push((
            "AZURE_RESOURCE_URI".into(),
            self.sim.app_v1().identifier_uri.clone(),
        ));
        env
    }

    pub fn run(&self, env: &[(String, String)], args: &[&str]) -> Run {
        self.run_stdin(env, args, None)
    }

    pub fn run_stdin(
        &self,
        env: &[(String, String)],
        args: &[&str],
        stdin: Option<Vec<u8>>,
    ) -> Run {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wif-doctor"));
        cmd.env_clear().envs(env.iter().cloned()).args(args);
        let run = run_child(cmd, stdin, RUN_DEADLINE);
        self.assert_no_secrets(&run);
        run
    }

    /// Neither IDENTITY_HEADER, the legacy secret, nor any JWT may appear in any output.
    pub fn assert_no_secrets(&self, run: &Run) {
        let all = run.all();
        assert!(
            !all.contains(self.sim.identity_header()),
            "IDENTITY_HEADER leaked:\n{all}"
        );
        assert!(
            !all.contains(self.sim.msi_secret()),
            "MSI_SECRET leaked:\n{all}"
        );
        assert!(!looks_like_jwt_in(&all), "a JWT leaked into output:\n{all}");
        assert!(
            !all.contains("ya29."),
            "a Google access token leaked into output:\n{all}"
        );
    }
}

pub fn set(env: &mut Vec<(String, String)>, k: &str, v: &str) {
    env.retain(|(key, _)| key != k);
    env.push((k.into(), v.into()));
}

pub fn unset(env: &mut Vec<(String, String)>, k: &str) {
    env.retain(|(key, _)| key != k);
}

/// `eyJ` is base64url of `{"`: every JWT header starts with it.
pub fn looks_like_jwt_in(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .any(|w| w.starts_with("eyJ") && w.matches('.').count() >= 2)
}

/// A loopback port with nothing listening.
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

pub fn write(path: &Path, text: &str) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

impl World {
    /// How many requests reached the identity endpoint (retries included).
    pub fn identity_requests(&self) -> usize {
        self.sim
            .requests()
            .iter()
            .filter(|q| q.path.eq_ignore_ascii_case("/msi/token"))
            .count()
    }

    /// App Service environment plus the simulator project's Google settings.
    pub fn full_env(&self) -> Vec<(String, String)> {
        let mut env = self.app_service_env();
        for (name, value) in self.sim.google().app_settings() {
            set(&mut env, name, &value);
        }
        env
    }
}

/// The check named `id` in a `check --json` report.
pub fn finding<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("no checks array: {report}"))
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {report:#}"))
}
