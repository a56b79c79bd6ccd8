//! Reading untrusted input files safely, and writing private files (credential configs)
//! atomically.
//!
//! Every file wif-doctor reads on a user's or another process's say-so (a token file, a
//! credential configuration, `decode @FILE`, certificate bundles, `/etc/profile`) goes through
//! [`read_capped`]: a FIFO, a device or a directory named there must be a clear error, not a
//! hang or an unbounded read.

use crate::i18n::Text;
use crate::msg;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Why [`read_capped`] refused or failed. Every message names the file and the setting
/// (`what`) it came from, so the operator knows which variable or flag to fix; the words are
/// in `assets/i18n/files.toml` ([`ReadError::message`]).
#[derive(Debug)]
pub enum ReadError {
    Open {
        what: Text,
        path: PathBuf,
        source: io::Error,
    },
    NotRegular {
        what: Text,
        path: PathBuf,
        /// `fifo`, `char_device`, `directory`, … (`files.kind.*`)
        kind: &'static str,
    },
    TooLarge {
        what: Text,
        path: PathBuf,
        cap: u64,
    },
    Read {
        what: Text,
        path: PathBuf,
        source: io::Error,
    },
}

/// An IO error in words: the common kinds catalogued, anything else as the OS says it.
pub fn io_text(e: &io::Error) -> Text {
    let key = match e.kind() {
        io::ErrorKind::NotFound => "files.io.not_found",
        io::ErrorKind::PermissionDenied => "files.io.permission_denied",
        io::ErrorKind::AlreadyExists => "files.io.already_exists",
        io::ErrorKind::IsADirectory => "files.io.is_a_directory",
        io::ErrorKind::NotADirectory => "files.io.not_a_directory",
        io::ErrorKind::ReadOnlyFilesystem => "files.io.read_only",
        io::ErrorKind::StorageFull => "files.io.storage_full",
        _ => return Text::value(e.to_string()),
    };
    msg!(key, os = e.to_string()).into()
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message().fmt(f)
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Open { source, .. } | ReadError::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl ReadError {
    /// What went wrong, naming the file and the setting that named it.
    pub fn message(&self) -> Text {
        let shown = |p: &Path| p.display().to_string();
        match self {
            ReadError::Open { what, path, source } => msg!(
                "files.read.open",
                path = shown(path),
                what = what,
                why = io_text(source)
            ),
            ReadError::NotRegular { what, path, kind } => msg!(
                "files.read.not_regular",
                path = shown(path),
                what = what,
                kind = msg!(format!("files.kind.{kind}"))
            ),
            ReadError::TooLarge { what, path, cap } => msg!(
                "files.read.too_large",
                path = shown(path),
                what = what,
                kib = cap / 1024
            ),
            ReadError::Read { what, path, source } => msg!(
                "files.read.read",
                path = shown(path),
                what = what,
                why = io_text(source)
            ),
        }
        .into()
    }

    /// The file this error is about.
    pub fn path(&self) -> &Path {
        match self {
            ReadError::Open { path, .. }
            | ReadError::NotRegular { path, .. }
            | ReadError::TooLarge { path, .. }
            | ReadError::Read { path, .. } => path,
        }
    }

    /// The underlying IO error's kind, if the failure was an IO error (e.g. `NotFound`).
    pub fn io_kind(&self) -> Option<io::ErrorKind> {
        match self {
            ReadError::Open { source, .. } | ReadError::Read { source, .. } => Some(source.kind()),
            _ => None,
        }
    }
}

/// The catalogue name (`files.kind.*`) of a non-regular file type.
fn kind_name(ft: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "fifo";
        }
        if ft.is_char_device() {
            return "char_device";
        }
        if ft.is_block_device() {
            return "block_device";
        }
        if ft.is_socket() {
            return "socket";
        }
    }
    if ft.is_dir() {
        return "directory";
    }
    if ft.is_symlink() {
        return "symlink";
    }
    "other"
}

/// Opens without blocking: `O_NONBLOCK` so a FIFO without a writer or a device that waits
/// for carrier returns at once, `O_NOCTTY` so a terminal device never becomes ours.
fn open_nonblocking(path: &Path) -> io::Result<fs::File> {
    let mut opts = fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    opts.open(path)
}

/// Reads at most `cap` bytes of the regular file at `path`; `what` names the setting or
/// variable that named the file (`AZURE_FEDERATED_TOKEN_FILE`, `--credentials`, … as a value,
/// or a catalogue message such as `tls.system_store`) and appears in every error.
///
/// The file is opened non-blocking, then checked with `fstat` on the open descriptor (no
/// race with a rename): anything but a regular file (after following symlinks) is
/// [`ReadError::NotRegular`] naming its type, and nothing is read from it. The size is
/// checked before reading, and the read itself stops after `cap + 1` bytes, because files
/// such as `/proc/*/environ` report size 0 and a file may grow while we read.
/// A file over the cap is [`ReadError::TooLarge`] ("over N KiB"), never "empty".
pub fn read_capped(path: &Path, cap: u64, what: impl Into<Text>) -> Result<Vec<u8>, ReadError> {
    let what: Text = what.into();
    let file = open_nonblocking(path).map_err(|source| ReadError::Open {
        what: what.clone(),
        path: path.to_path_buf(),
        source,
    })?;
    let meta = file.metadata().map_err(|source| ReadError::Read {
        what: what.clone(),
        path: path.to_path_buf(),
        source,
    })?;
    let ft = meta.file_type();
    if !ft.is_file() {
        return Err(ReadError::NotRegular {
            what,
            path: path.to_path_buf(),
            kind: kind_name(&ft),
        });
    }
    let too_large = || ReadError::TooLarge {
        what: what.clone(),
        path: path.to_path_buf(),
        cap,
    };
    if meta.len() > cap {
        return Err(too_large());
    }
    let mut buf = Vec::with_capacity(meta.len() as usize);
    file.take(cap + 1)
        .read_to_end(&mut buf)
        .map_err(|source| ReadError::Read {
            what: what.clone(),
            path: path.to_path_buf(),
            source,
        })?;
    if buf.len() as u64 > cap {
        return Err(too_large());
    }
    Ok(buf)
}

/// [`read_capped`] as text: invalid UTF-8 is replaced (the text is shown or parsed, never
/// trusted).
pub fn read_capped_string(
    path: &Path,
    cap: u64,
    what: impl Into<Text>,
) -> Result<String, ReadError> {
    read_capped(path, cap, what).map(|b| match String::from_utf8(b) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Whether an existing file with different content (or a symlink) may be replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// Refuse to replace different content or a symlink.
    Refuse,
    /// Replace it (a symlink is replaced by a regular file; its target is left alone).
    Force,
}

/// What [`write_private_atomic`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// The file did not exist and was created.
    Created,
    /// The file already had exactly this content; nothing was written (its permissions are
    /// tightened to owner-only if they were broader).
    Unchanged,
    /// A different file (or a symlink, with [`Overwrite::Force`]) was replaced.
    Replaced,
}

/// Why [`write_private_atomic`] did not write (`files.write.*`, [`FileError::message`]).
#[derive(Debug)]
pub enum FileError {
    Exists {
        path: PathBuf,
    },
    Symlink {
        path: PathBuf,
    },
    NotAFile {
        path: PathBuf,
    },
    /// `action`: `read`, `write`, `sync`, `replace`, … (`files.action.*`)
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
}

impl FileError {
    pub fn message(&self) -> Text {
        match self {
            FileError::Exists { path } => {
                msg!(
                    "files.write.exists",
                    path = path.display().to_string(),
                    flag = "--force"
                )
            }
            FileError::Symlink { path } => {
                msg!(
                    "files.write.symlink",
                    path = path.display().to_string(),
                    flag = "--force"
                )
            }
            FileError::NotAFile { path } => {
                msg!("files.write.not_a_file", path = path.display().to_string())
            }
            FileError::Io {
                action,
                path,
                source,
            } => msg!(
                "files.write.io",
                action = msg!(
                    format!("files.action.{action}"),
                    path = path.display().to_string()
                ),
                why = io_text(source)
            ),
        }
        .into()
    }
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message().fmt(f)
    }
}

impl std::error::Error for FileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FileError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> FileError + 'a {
    move |source| FileError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// Content of the file at `path` equals `bytes` (reads at most `bytes.len() + 1` bytes).
fn same_content(path: &Path, bytes: &[u8]) -> io::Result<bool> {
    let file = fs::File::open(path)?;
    if file.metadata()?.len() != bytes.len() as u64 {
        return Ok(false);
    }
    let mut existing = Vec::with_capacity(bytes.len());
    file.take(bytes.len() as u64 + 1)
        .read_to_end(&mut existing)?;
    Ok(existing == bytes)
}

#[cfg(unix)]
fn owner_only() -> fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    fs::Permissions::from_mode(0o600)
}

#[cfg(unix)]
fn tighten(path: &Path, meta: &fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if meta.permissions().mode() & 0o077 != 0 {
        fs::set_permissions(path, owner_only())?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn tighten(_path: &Path, _meta: &fs::Metadata) -> io::Result<()> {
    Ok(())
}

/// Writes `bytes` to `path` with owner-only permissions (0600), atomically: a temporary
/// file in the same directory is created with mode 0600, written, fsynced, then renamed over
/// `path`. Nothing else is created; on error the temporary file is removed.
///
/// - identical existing content → [`WriteOutcome::Unchanged`];
/// - different content → error unless [`Overwrite::Force`];
/// - a symlink at `path` → error unless forced, in which case the link itself is replaced
///   (content is never written into the link's target).
pub fn write_private_atomic(
    path: &Path,
    bytes: &[u8],
    overwrite: Overwrite,
) -> Result<WriteOutcome, FileError> {
    write_with_hook(path, bytes, overwrite, Durability::Synced, |_| Ok(()))
}

/// [`write_private_atomic`] for a cache that is rewritten on every use (`subject-token`'s
/// output file): still atomic for readers (a temporary file renamed over the old one) and
/// 0600, but not fsynced — two fsyncs cost more than the whole token request, and after a
/// crash the reader re-runs the command when the cache is missing or stale.
pub fn write_private_atomic_cache(path: &Path, bytes: &[u8]) -> Result<WriteOutcome, FileError> {
    write_with_hook(path, bytes, Overwrite::Force, Durability::Cache, |_| Ok(()))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Durability {
    Synced,
    Cache,
}

fn write_with_hook(
    path: &Path,
    bytes: &[u8],
    overwrite: Overwrite,
    durability: Durability,
    before_rename: impl FnOnce(&Path) -> io::Result<()>,
) -> Result<WriteOutcome, FileError> {
    let existed = match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            if overwrite != Overwrite::Force {
                return Err(FileError::Symlink {
                    path: path.to_path_buf(),
                });
            }
            true
        }
        Ok(meta) if meta.is_file() => {
            if same_content(path, bytes).map_err(io_err("read", path))? {
                tighten(path, &meta).map_err(io_err("set_permissions", path))?;
                return Ok(WriteOutcome::Unchanged);
            }
            if overwrite != Overwrite::Force {
                return Err(FileError::Exists {
                    path: path.to_path_buf(),
                });
            }
            true
        }
        Ok(_) => {
            return Err(FileError::NotAFile {
                path: path.to_path_buf(),
            });
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(io_err("inspect", path)(e)),
    };

    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".to_string());
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(owner_only());
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(io_err("create_temp", dir))?;
    // Mode first (umask can only have narrowed it), content second.
    #[cfg(unix)]
    tmp.as_file()
        .set_permissions(owner_only())
        .map_err(io_err("set_permissions", tmp.path()))?;
    tmp.write_all(bytes).map_err(io_err("write", tmp.path()))?;
    if durability == Durability::Synced {
        tmp.as_file()
            .sync_all()
            .map_err(io_err("sync", tmp.path()))?;
    }
    before_rename(tmp.path()).map_err(io_err("write", path))?;
    tmp.persist(path).map_err(|e| FileError::Io {
        action: "replace",
        path: path.to_path_buf(),
        source: e.error,
    })?;
    // Make the rename durable; not all platforms can open a directory, so best effort.
    if durability == Durability::Synced
        && let Ok(d) = fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(if existed {
        WriteOutcome::Replaced
    } else {
        WriteOutcome::Created
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    fn mkfifo(p: &Path) {
        let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    }

    #[test]
    fn read_capped_reads_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t");
        fs::write(&p, b"abc").unwrap();
        assert_eq!(read_capped(&p, 3, "X").unwrap(), b"abc");
        assert_eq!(read_capped_string(&p, 10, "X").unwrap(), "abc");
        // Through a symlink too.
        let l = dir.path().join("l");
        symlink(&p, &l).unwrap();
        assert_eq!(read_capped(&l, 3, "X").unwrap(), b"abc");
    }

    #[test]
    fn read_capped_refuses_a_fifo_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("fifo");
        mkfifo(&p);
        let e = read_capped(&p, 1024, "AZURE_FEDERATED_TOKEN_FILE").unwrap_err();
        assert!(matches!(e, ReadError::NotRegular { .. }), "{e}");
        let m = e.to_string();
        assert!(
            m.contains("FIFO") && m.contains("AZURE_FEDERATED_TOKEN_FILE"),
            "{m}"
        );
        assert!(m.contains(&p.display().to_string()), "{m}");
        // A symlink to it too.
        let l = dir.path().join("l");
        symlink(&p, &l).unwrap();
        assert!(matches!(
            read_capped(&l, 1024, "X"),
            Err(ReadError::NotRegular { .. })
        ));
    }

    #[test]
    fn read_capped_refuses_devices_and_directories() {
        let e = read_capped(Path::new("/dev/zero"), 1024, "SSL_CERT_FILE").unwrap_err();
        assert!(e.to_string().contains("a character device"), "{e}");
        assert!(e.to_string().contains("SSL_CERT_FILE"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let e = read_capped(dir.path(), 1024, "--credentials").unwrap_err();
        assert!(e.to_string().contains("a directory"), "{e}");
    }

    #[test]
    fn read_capped_refuses_an_oversized_file_as_over_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big");
        fs::write(&p, vec![b'a'; 4097]).unwrap();
        let e = read_capped(&p, 4096, "GOOGLE_APPLICATION_CREDENTIALS").unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { cap: 4096, .. }), "{e}");
        assert!(e.to_string().contains("over 4 KiB"), "{e}");
        assert!(!e.to_string().contains("empty"), "{e}");
    }

    #[test]
    fn read_capped_caps_files_that_report_size_zero() {
        // /proc/self/environ reports st_size 0 but has content (the test runner sets PATH).
        let p = Path::new("/proc/self/environ");
        assert_eq!(fs::metadata(p).unwrap().len(), 0);
        let e = read_capped(p, 4, "X").unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { cap: 4, .. }), "{e}");
        assert!(!read_capped(p, 1 << 20, "X").unwrap().is_empty());
    }

    #[test]
    fn read_capped_names_a_missing_file() {
        let e = read_capped(Path::new("/nonexistent/x"), 10, "--credentials").unwrap_err();
        assert_eq!(e.io_kind(), Some(io::ErrorKind::NotFound));
        assert!(e.to_string().contains("--credentials"), "{e}");
    }

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn creates_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cred.json");
        assert_eq!(
            write_private_atomic(&p, b"{}", Overwrite::Refuse).unwrap(),
            WriteOutcome::Created
        );
        assert_eq!(fs::read(&p).unwrap(), b"{}");
        assert_eq!(mode(&p), 0o600);
        assert_eq!(entries(dir.path()), vec!["cred.json"]);
    }

    #[test]
    fn identical_content_is_unchanged_and_tightened() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cred.json");
        fs::write(&p, b"same").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(
            write_private_atomic(&p, b"same", Overwrite::Refuse).unwrap(),
            WriteOutcome::Unchanged
        );
        assert_eq!(mode(&p), 0o600);
        assert_eq!(entries(dir.path()), vec!["cred.json"]);
    }

    #[test]
    fn refuses_different_content_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cred.json");
        fs::write(&p, b"old").unwrap();
        let e = write_private_atomic(&p, b"new", Overwrite::Refuse).unwrap_err();
        assert!(matches!(e, FileError::Exists { .. }));
        assert!(e.to_string().contains("pass --force"), "{e}");
        assert_eq!(fs::read(&p).unwrap(), b"old");
        // Same length, different bytes.
        assert!(write_private_atomic(&p, b"new", Overwrite::Refuse).is_err());
        assert!(write_private_atomic(&p, b"ol", Overwrite::Refuse).is_err());
        assert_eq!(entries(dir.path()), vec!["cred.json"]);
    }

    #[test]
    fn force_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cred.json");
        fs::write(&p, b"old").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(
            write_private_atomic(&p, b"new content", Overwrite::Force).unwrap(),
            WriteOutcome::Replaced
        );
        assert_eq!(fs::read(&p).unwrap(), b"new content");
        assert_eq!(mode(&p), 0o600);
        assert_eq!(entries(dir.path()), vec!["cred.json"]);
    }

    #[test]
    fn symlinks_are_refused_unless_forced_and_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.txt");
        let link = dir.path().join("cred.json");
        fs::write(&target, b"target").unwrap();
        symlink(&target, &link).unwrap();
        let e = write_private_atomic(&link, b"new", Overwrite::Refuse).unwrap_err();
        assert!(matches!(e, FileError::Symlink { .. }), "{e}");
        // Even identical content through a link is refused.
        assert!(write_private_atomic(&link, b"target", Overwrite::Refuse).is_err());
        assert_eq!(
            write_private_atomic(&link, b"new", Overwrite::Force).unwrap(),
            WriteOutcome::Replaced
        );
        assert!(
            !fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&link).unwrap(), b"new");
        assert_eq!(fs::read(&target).unwrap(), b"target");
        // A dangling link is refused too.
        let dangling = dir.path().join("dangling.json");
        symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(write_private_atomic(&dangling, b"x", Overwrite::Refuse).is_err());
        assert!(!dir.path().join("nowhere").exists());
    }

    #[test]
    fn directory_target_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub");
        fs::create_dir(&p).unwrap();
        let e = write_private_atomic(&p, b"x", Overwrite::Force).unwrap_err();
        assert!(matches!(e, FileError::NotAFile { .. }), "{e}");
        assert_eq!(entries(dir.path()), vec!["sub"]);
    }

    #[test]
    fn temp_file_removed_on_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cred.json");
        let mut seen = None;
        let e = write_with_hook(
            &p,
            b"secret",
            Overwrite::Refuse,
            Durability::Synced,
            |tmp| {
                assert_eq!(mode(tmp), 0o600);
                assert_eq!(fs::read(tmp).unwrap(), b"secret");
                seen = Some(tmp.to_path_buf());
                Err(io::Error::other("injected"))
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("injected"), "{e}");
        let tmp = seen.unwrap();
        assert!(
            tmp.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".cred.json.")
        );
        assert!(!tmp.exists());
        assert!(entries(dir.path()).is_empty());
    }

    #[test]
    fn missing_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("no/such/dir/cred.json");
        let e = write_private_atomic(&p, b"x", Overwrite::Force).unwrap_err();
        assert!(matches!(e, FileError::Io { .. }), "{e}");
        assert!(entries(dir.path()).is_empty());
    }

    fn japanese(s: &str) -> bool {
        s.chars()
            .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'))
    }

    #[test]
    fn read_errors_in_japanese_keep_the_path_and_the_variable() {
        use crate::i18n::Lang;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("fifo");
        mkfifo(&p);
        let e = read_capped(&p, 1024, "AZURE_FEDERATED_TOKEN_FILE").unwrap_err();
        let ja = e.message().render(Lang::Ja);
        assert!(
            ja.contains("名前付きパイプ") && ja.contains("通常のファイルではありません"),
            "{ja}"
        );
        assert!(
            ja.contains(&p.display().to_string()) && ja.contains("AZURE_FEDERATED_TOKEN_FILE"),
            "{ja}"
        );
        let missing = dir.path().join("nope.json");
        let e = read_capped(&missing, 1024, "GOOGLE_APPLICATION_CREDENTIALS").unwrap_err();
        let ja = e.message().render(Lang::Ja);
        assert!(
            ja.contains("開けません") && ja.contains("ありません ("),
            "{ja}"
        );
        assert!(ja.contains(&missing.display().to_string()), "{ja}");
        // English keeps the OS's words as they were.
        let en = e.message().en();
        assert!(
            en.contains("No such file or directory") && !japanese(&en),
            "{en}"
        );
    }

    #[test]
    fn write_errors_in_japanese_keep_the_path_and_the_flag() {
        use crate::i18n::Lang;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cred.json");
        fs::write(&p, b"old").unwrap();
        let e = write_private_atomic(&p, b"new", Overwrite::Refuse).unwrap_err();
        let ja = e.message().render(Lang::Ja);
        assert!(
            japanese(&ja) && ja.contains(&p.display().to_string()) && ja.contains("--force"),
            "{ja}"
        );
        let e = write_private_atomic(&dir.path().join("no/such/dir/x"), b"x", Overwrite::Refuse)
            .unwrap_err();
        let ja = e.message().render(Lang::Ja);
        assert!(
            ja.contains("できません") && ja.contains("no/such/dir"),
            "{ja}"
        );
    }
}
