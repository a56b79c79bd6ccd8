//! The demo never writes into real places (issue 7, defect 9): `--demo config`, `--demo
//! report` and `w` in the demo wizard write into a fresh temporary directory and say so;
//! `$HOME/gcp_credentials.json` (the path the seed's app reads) and the current directory
//! are never touched.

mod common;
mod hostile_support;
mod pty_support;
use common::*;
use hostile_support::invariants;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Run the binary with `HOME`, `TMPDIR` and the working directory of our choosing.
fn run_in(home: &Path, tmp: &Path, args: &[&str]) -> Run {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wif-doctor"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("TMPDIR", tmp)
        .env("WIF_DOCTOR_SYSROOT", home)
        .env("NO_COLOR", "1")
        .current_dir(home)
        .args(args);
    let r = run_child(cmd, None, RUN_DEADLINE);
    invariants(&r, args);
    assert!(!looks_like_jwt_in(&r.all()), "a JWT leaked: {}", r.all());
    r
}

struct Dirs {
    _keep: tempfile::TempDir,
    home: PathBuf,
    tmp: PathBuf,
}

fn dirs() -> Dirs {
    let keep = tempfile::tempdir().unwrap();
    let home = keep.path().join("home");
    let tmp = keep.path().join("tmp");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&tmp).unwrap();
    Dirs {
        home,
        tmp,
        _keep: keep,
    }
}

/// The files under `tmp/wif-doctor-demo-*/`.
fn demo_files(tmp: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for d in std::fs::read_dir(tmp).unwrap().flatten() {
        let name = d.file_name().to_string_lossy().into_owned();
        if name.starts_with("wif-doctor-demo-") {
            let mode = d.metadata().unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700, "the demo directory is private");
            out.extend(
                std::fs::read_dir(d.path())
                    .unwrap()
                    .flatten()
                    .map(|f| f.path()),
            );
        }
    }
    out.sort();
    out
}

/// Nothing in `home` but what the test made.
fn assert_home_untouched(home: &Path) {
    let left: Vec<_> = std::fs::read_dir(home)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        left.is_empty(),
        "the demo wrote into $HOME / the cwd: {left:?}"
    );
}

#[test]
fn demo_config_goes_to_a_temporary_directory_and_says_so() {
    let d = dirs();
    let r = run_in(&d.home, &d.tmp, &["--demo", "config"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_home_untouched(&d.home);
    let files = demo_files(&d.tmp);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].ends_with("gcp_credentials.json"));
    assert!(
        r.stdout.contains(&files[0].display().to_string()),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("temporary directory"), "{}", r.stdout);
    let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    let r = run_in(&d.home, &d.tmp, &["--demo", "config", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let j = r.json();
    assert!(
        j["demo_note"]
            .as_str()
            .unwrap()
            .contains("temporary directory")
    );
    assert!(
        j["path"]
            .as_str()
            .unwrap()
            .starts_with(d.tmp.to_str().unwrap()),
        "{j:#}"
    );
    assert_home_untouched(&d.home);

    // An explicit --output is honoured (the user chose the place).
    let chosen = d.tmp.join("chosen.json");
    let r = run_in(
        &d.home,
        &d.tmp,
        &["--demo", "config", "--output", chosen.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(chosen.exists());
    assert!(!r.stdout.contains("temporary directory"), "{}", r.stdout);
}

#[test]
fn demo_report_goes_to_a_temporary_directory() {
    let d = dirs();
    let r = run_in(&d.home, &d.tmp, &["--demo", "report"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_home_untouched(&d.home);
    let files = demo_files(&d.tmp);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].ends_with("wif-doctor-report.md"));
    assert!(
        r.stdout.contains(&files[0].display().to_string()),
        "{}",
        r.stdout
    );
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(!looks_like_jwt_in(&text), "the report holds a token");

    let r = run_in(&d.home, &d.tmp, &["--demo", "report", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["demo"], true);
    assert_home_untouched(&d.home);
}

/// `w` in the demo wizard proposes (and writes) a temporary path, never $HOME's.
#[test]
fn demo_wizard_w_writes_to_a_temporary_directory() {
    let d = dirs();
    let home = d.home.to_str().unwrap();
    let tmp = d.tmp.to_str().unwrap();
    let mut pty = pty_support::Pty::spawn(
        &["--demo"],
        120,
        30,
        &[
            ("HOME", home),
            ("TMPDIR", tmp),
            ("WIF_DOCTOR_SYSROOT", home),
        ],
    );
    pty.wait_for("all 8 checks ok");
    pty.send(b"w");
    pty.wait_for("wif-doctor-demo-");
    assert!(
        !pty.screen()
            .contains(&format!("{home}/gcp_credentials.json")),
        "{}",
        pty.screen()
    );
    pty.send(b"\r");
    pty.wait_for("wrote ");
    pty.send(b"q");
    pty.wait_exit();
    assert_home_untouched(&d.home);
    let files = demo_files(&d.tmp);
    assert!(
        files.iter().any(|f| f.ends_with("gcp_credentials.json")),
        "{files:?}"
    );
}
