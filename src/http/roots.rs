//! Trusted roots, loaded once per run on a background thread while the identity request (plain
//! HTTP) is in flight, and a certificate verifier that waits for them only when a server's
//! certificate actually has to be checked.
//!
//! Sources, as OpenSSL reads them: `SSL_CERT_FILE` / `SSL_CERT_DIR` when set (only those); else
//! the first system bundle file that exists (one file — Debian's `/etc/ssl/certs` directory holds
//! the same certificates again as hash links); else the files of `/etc/ssl/certs`; else the
//! bundled Mozilla roots. Every file is opened without blocking, must be a regular file and is
//! read under a size cap, so a FIFO, a device or a huge file is an error naming the variable,
//! never a hang or unbounded memory.

use crate::i18n::Text;
use crate::msg;
use rustls::DigitallySignedStruct;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// A CA bundle is a few hundred KiB; 16 MiB is far beyond any real one.
pub const MAX_BUNDLE: u64 = 16 * 1024 * 1024;
/// One certificate file of a directory store.
const MAX_DIR_FILE: u64 = 1024 * 1024;
/// Files read from one directory store.
const MAX_DIR_FILES: usize = 4096;

/// System bundle files, in the order distributions place them.
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];
const SYSTEM_DIR: &str = "/etc/ssl/certs";

/// Where the roots came from (reported by diagnostics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Roots {
    /// `SSL_CERT_FILE` and/or `SSL_CERT_DIR`.
    Environment,
    /// A system bundle file or directory.
    Platform(PathBuf),
    /// Bundled Mozilla roots: the container has no CA store.
    Bundled,
}

/// What the loader needs: the variables' values (as the process saw them) and extra PEM roots.
#[derive(Debug, Clone, Default)]
pub struct RootSources {
    pub cert_file: Option<PathBuf>,
    pub cert_dir: Option<PathBuf>,
    pub extra_pem: Vec<String>,
    /// Where the system store's paths are looked up: `/`, or the tests' fake root.
    pub system_root: PathBuf,
}

impl RootSources {
    /// From the process environment (an empty value counts as unset, as OpenSSL does).
    pub fn from_env(extra_pem: &[String], system_root: &Path) -> RootSources {
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        RootSources {
            cert_file: var("SSL_CERT_FILE"),
            cert_dir: var("SSL_CERT_DIR"),
            extra_pem: extra_pem.to_vec(),
            system_root: system_root.to_path_buf(),
        }
    }
}

type Loaded = Result<(Arc<WebPkiServerVerifier>, Roots), Text>;

/// A verifier whose roots arrive from a background thread.
#[derive(Debug)]
pub struct LazyVerifier {
    cell: Arc<OnceLock<Loaded>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl LazyVerifier {
    /// Starts loading now; the handshake that first needs the roots waits for them.
    pub fn start(sources: RootSources, provider: Arc<CryptoProvider>) -> LazyVerifier {
        let cell = Arc::new(OnceLock::new());
        let algorithms = provider.signature_verification_algorithms;
        let fill = cell.clone();
        let spawned = std::thread::Builder::new()
            .name("tls-roots".into())
            .spawn(move || {
                let _ = fill.set(build(&sources, provider));
            });
        if let Err(e) = spawned {
            let _ = cell.set(Err(msg!("tls.load.thread", why = e.to_string()).into()));
        }
        LazyVerifier { cell, algorithms }
    }

    fn loaded(&self) -> &Loaded {
        self.cell.wait()
    }

    /// Where the roots came from, or why none could be loaded (waits for the loader).
    pub fn roots(&self) -> Result<Roots, Text> {
        self.loaded()
            .as_ref()
            .map(|(_, r)| r.clone())
            .map_err(Clone::clone)
    }
}

impl ServerCertVerifier for LazyVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.loaded() {
            Ok((v, _)) => {
                v.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            }
            // "TLS" in the text: the failure is reported as a TLS one, naming the variable.
            // The library's error chain is a value (English), like every other TLS error.
            Err(e) => Err(rustls::Error::General(format!(
                "no trusted TLS roots: {}",
                e.en()
            ))),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

fn build(sources: &RootSources, provider: Arc<CryptoProvider>) -> Loaded {
    let (certs, origin) = collect(sources)?;
    let mut store = rustls::RootCertStore::empty();
    let (_, _ignored) = store.add_parsable_certificates(certs);
    for pem in &sources.extra_pem {
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            let cert =
                cert.map_err(|e| Text::from(msg!("tls.load.extra_not_pem", why = e.to_string())))?;
            store
                .add(cert)
                .map_err(|e| Text::from(msg!("tls.load.extra_not_ca", why = e.to_string())))?;
        }
    }
    if store.is_empty() {
        return Err(match origin {
            Roots::Environment => msg!("tls.load.no_usable_in", source = env_names(sources)),
            Roots::Platform(p) => msg!("tls.load.no_usable_in", source = p.display().to_string()),
            Roots::Bundled => msg!("tls.load.no_usable"),
        }
        .into());
    }
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
        .build()
        .map_err(|e| Text::from(msg!("tls.load.verifier", why = e.to_string())))?;
    Ok((verifier, origin))
}

fn env_names(s: &RootSources) -> String {
    let mut parts = Vec::new();
    if let Some(f) = &s.cert_file {
        parts.push(format!("SSL_CERT_FILE={}", f.display()));
    }
    if let Some(d) = &s.cert_dir {
        parts.push(format!("SSL_CERT_DIR={}", d.display()));
    }
    parts.join(", ")
}

/// The DER certificates of the chosen source.
fn collect(s: &RootSources) -> Result<(Vec<CertificateDer<'static>>, Roots), Text> {
    if s.cert_file.is_some() || s.cert_dir.is_some() {
        let mut certs = Vec::new();
        if let Some(f) = &s.cert_file {
            certs.extend(pem_certs(&read_capped(f, MAX_BUNDLE, "SSL_CERT_FILE")?));
        }
        if let Some(d) = &s.cert_dir {
            certs.extend(read_dir(d, "SSL_CERT_DIR")?);
        }
        return Ok((certs, Roots::Environment));
    }
    let under = |p: &str| s.system_root.join(p.trim_start_matches('/'));
    for bundle in SYSTEM_BUNDLES {
        let path = &under(bundle);
        if !path.exists() {
            continue;
        }
        if let Ok(bytes) = read_capped(path, MAX_BUNDLE, msg!("tls.system_store")) {
            let certs: Vec<_> = pem_certs(&bytes).collect();
            if !certs.is_empty() {
                return Ok((certs, Roots::Platform(path.to_path_buf())));
            }
        }
    }
    if let Ok(certs) = read_dir(&under(SYSTEM_DIR), msg!("tls.system_store"))
        && !certs.is_empty()
    {
        return Ok((certs, Roots::Platform(under(SYSTEM_DIR))));
    }
    let bundled = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|c| c.clone().into_owned())
        .collect();
    Ok((bundled, Roots::Bundled))
}

/// Certificates of a PEM text; other blocks (keys, CRLs, trust attributes) are skipped.
fn pem_certs(bytes: &[u8]) -> impl Iterator<Item = CertificateDer<'static>> + '_ {
    CertificateDer::pem_slice_iter(bytes).filter_map(Result::ok)
}

/// Every certificate in a directory's regular files (OpenSSL hash links included, once each).
fn read_dir(dir: &Path, what: impl Into<Text>) -> Result<Vec<CertificateDer<'static>>, Text> {
    let what: Text = what.into();
    let path = || dir.display().to_string();
    let meta = std::fs::metadata(dir).map_err(|e| {
        Text::from(msg!(
            "files.read.open",
            path = path(),
            what = &what,
            why = crate::files::io_text(&e)
        ))
    })?;
    if !meta.is_dir() {
        return Err(msg!("tls.load.not_a_directory", path = path(), what = what).into());
    }
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| {
            Text::from(msg!(
                "files.read.read",
                path = path(),
                what = &what,
                why = crate::files::io_text(&e)
            ))
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .take(MAX_DIR_FILES)
        .collect();
    names.sort();
    let mut seen = std::collections::HashSet::new();
    let mut certs = Vec::new();
    for path in names {
        // Hash links point at the named files: read each target once.
        let target = std::fs::canonicalize(&path).unwrap_or(path);
        if !seen.insert(target.clone()) {
            continue;
        }
        if let Ok(bytes) = read_capped(&target, MAX_DIR_FILE, &what) {
            certs.extend(pem_certs(&bytes));
        }
    }
    Ok(certs)
}

fn read_capped(path: &Path, cap: u64, what: impl Into<Text>) -> Result<Vec<u8>, Text> {
    crate::files::read_capped(path, cap, what).map_err(|e| e.message())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(file: Option<&str>, dir: Option<&str>) -> RootSources {
        RootSources {
            cert_file: file.map(PathBuf::from),
            cert_dir: dir.map(PathBuf::from),
            extra_pem: Vec::new(),
            system_root: PathBuf::from("/"),
        }
    }

    fn provider() -> Arc<CryptoProvider> {
        Arc::new(rustls::crypto::aws_lc_rs::default_provider())
    }

    #[test]
    fn devices_fifos_and_directories_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let d = dir.path().display().to_string();
        for (path, what) in [
            ("/dev/zero", "a character device"),
            (fifo.to_str().unwrap(), "a FIFO"),
            (d.as_str(), "a directory"),
        ] {
            let err = build(&env(Some(path), None), provider()).unwrap_err().en();
            assert!(
                err.contains(&format!("{path} (named by SSL_CERT_FILE) is {what}")),
                "{err}"
            );
        }
        let err = build(&env(None, Some("/dev/null")), provider())
            .unwrap_err()
            .en();
        assert!(
            err.contains("/dev/null (named by SSL_CERT_DIR) is not a directory"),
            "{err}"
        );
    }

    #[test]
    fn huge_and_empty_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.pem");
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(MAX_BUNDLE + 1).unwrap(); // sparse: costs no disk
        let err = build(&env(big.to_str(), None), provider())
            .unwrap_err()
            .en();
        assert!(
            err.contains("(named by SSL_CERT_FILE) is over 16384 KiB"),
            "{err}"
        );
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "").unwrap();
        let err = build(&env(empty.to_str(), None), provider())
            .unwrap_err()
            .en();
        assert!(err.contains("no usable certificate"), "{err}");
    }

    #[test]
    fn a_directory_store_is_read_once_per_file() {
        let dir = tempfile::tempdir().unwrap();
        let pem = CertificateDer::from(webpki_root_certs::TLS_SERVER_ROOT_CERTS[0].to_vec());
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &pem);
        let body = format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n");
        std::fs::write(dir.path().join("a.pem"), &body).unwrap();
        std::os::unix::fs::symlink(dir.path().join("a.pem"), dir.path().join("abcd1234.0"))
            .unwrap();
        let certs = read_dir(dir.path(), "SSL_CERT_DIR").unwrap();
        assert_eq!(certs.len(), 1);
        let (_, roots) = build(&env(None, dir.path().to_str()), provider()).unwrap();
        assert_eq!(roots, Roots::Environment);
    }
}
