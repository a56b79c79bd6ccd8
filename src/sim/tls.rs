//! TLS for the HTTPS listener: a throwaway CA generated at start and one leaf
//! certificate whose SANs cover every production host the client talks to, so
//! the real client can use production URLs (redirected by a DNS override) and
//! trust only this CA.

use std::io;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};
use tokio_rustls::TlsAcceptor;

/// Acceptor plus the CA certificate clients must trust.
pub(crate) struct TlsMaterial {
    pub acceptor: TlsAcceptor,
    pub ca_pem: String,
}

fn tls_err(what: &str, e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("simulator TLS setup ({what}): {e}"))
}

/// Generates CA + leaf (ECDSA P-256) for `sans` and builds a rustls acceptor
/// using the aws-lc-rs provider explicitly (independent of any process-wide
/// default provider). HTTP/2 and HTTP/1.1 are offered via ALPN, as Google's front ends do.
pub(crate) fn build(sans: &[&str]) -> io::Result<TlsMaterial> {
    let now = OffsetDateTime::now_utc();

    let ca_key =
        KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(|e| tls_err("ca key", e))?;
    let mut ca_params =
        CertificateParams::new(Vec::<String>::new()).map_err(|e| tls_err("ca", e))?;
    ca_params.distinguished_name.push(
        DnType::CommonName,
        "wif-doctor simulator CA (untrusted, test only)",
    );
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca_params.not_before = now - Duration::days(1);
    ca_params.not_after = now + Duration::days(30);
    let ca_cert = ca_params
        .self_signed(&ca_key)
        .map_err(|e| tls_err("ca sign", e))?;
    let issuer = Issuer::new(ca_params, ca_key);

    let leaf_key =
        KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(|e| tls_err("leaf key", e))?;
    let names: Vec<String> = sans.iter().map(|s| s.to_string()).collect();
    let mut leaf_params = CertificateParams::new(names).map_err(|e| tls_err("leaf", e))?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "wif-doctor simulator");
    leaf_params.is_ca = IsCa::NoCa;
    leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf_params.use_authority_key_identifier_extension = true;
    leaf_params.not_before = now - Duration::days(1);
    leaf_params.not_after = now + Duration::days(30);
    let leaf_cert = leaf_params
        .signed_by(&leaf_key, &issuer)
        .map_err(|e| tls_err("leaf sign", e))?;

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err("protocol versions", e))?
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(leaf_cert.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .map_err(|e| tls_err("server config", e))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];

    Ok(TlsMaterial {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        ca_pem: ca_cert.pem(),
    })
}
