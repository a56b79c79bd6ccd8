//! Token signing keys (RSA-2048, RS256 like Entra), JWT encoding and the JWKS
//! view of the keys, plus the small randomness helpers the simulator needs.
//! Keys are generated per start so nothing secret is ever checked in.

use std::io;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::{Value, json};

/// base64url without padding (JOSE encoding).
pub(crate) fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `n` cryptographically random bytes. Falls back to a time-seeded mix if the
/// system RNG fails, which never happens in practice but must not panic.
pub(crate) fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    if aws_lc_rs::rand::fill(&mut buf).is_err() {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (seed >> ((i % 16) * 8)) as u8 ^ (i as u8).wrapping_mul(151);
        }
    }
    buf
}

/// Random version-4 GUID in Azure's lowercase 8-4-4-4-12 form.
pub(crate) fn random_guid() -> String {
    let mut b = random_bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Random opaque base64url string of `n` bytes (for `aio`, `uti`, …).
pub(crate) fn random_b64url(n: usize) -> String {
    b64url(&random_bytes(n))
}

/// An RSA signing key with its public JWK components.
pub(crate) struct SigningKey {
    kid: String,
    pair: KeyPair,
    n: Vec<u8>,
    e: Vec<u8>,
}

impl SigningKey {
    /// Fresh RSA-2048 key. The `kid` mimics Entra's: base64url of 20 random
    /// bytes (Entra uses the SHA-1 certificate thumbprint, also used as `x5t`).
    pub(crate) fn generate() -> io::Result<Self> {
        let pair = KeyPair::generate(KeySize::Rsa2048)
            .map_err(|_| io::Error::other("RSA key generation failed"))?;
        let comps: PublicKeyComponents<Vec<u8>> = pair.public_key().into();
        Ok(SigningKey {
            kid: random_b64url(20),
            pair,
            n: comps.n,
            e: comps.e,
        })
    }

    pub(crate) fn kid(&self) -> &str {
        &self.kid
    }

    /// `<b64(header)>.<b64(claims)>.<b64(RS256 signature)>`.
    pub(crate) fn sign_jwt<H: Serialize, C: Serialize>(&self, header: &H, claims: &C) -> String {
        let h = serde_json::to_vec(header).unwrap_or_default();
        let c = serde_json::to_vec(claims).unwrap_or_default();
        let signing_input = format!("{}.{}", b64url(&h), b64url(&c));
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        let rng = SystemRandom::new();
        if self
            .pair
            .sign(&RSA_PKCS1_SHA256, &rng, signing_input.as_bytes(), &mut sig)
            .is_err()
        {
            // Unreachable with a valid key; an all-zero signature fails
            // verification loudly instead of panicking the server.
            sig.fill(0);
        }
        format!("{signing_input}.{}", b64url(&sig))
    }

    /// Public JWK as Entra publishes it (`x5t` = `kid`; v2 key sets add an
    /// `issuer` per key).
    pub(crate) fn jwk(&self, issuer: Option<&str>) -> Value {
        let mut v = json!({
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "x5t": self.kid,
            "n": b64url(&self.n),
            "e": b64url(&self.e),
        });
        if let (Some(iss), Some(obj)) = (issuer, v.as_object_mut()) {
            obj.insert("issuer".into(), Value::String(iss.to_string()));
        }
        v
    }
}

/// The published key and a second, unpublished one for the
/// `unknown-signing-key` scenario.
pub(crate) struct KeySet {
    pub primary: SigningKey,
    pub rogue: SigningKey,
}

impl KeySet {
    pub(crate) fn generate() -> io::Result<Self> {
        Ok(KeySet {
            primary: SigningKey::generate()?,
            rogue: SigningKey::generate()?,
        })
    }
}
