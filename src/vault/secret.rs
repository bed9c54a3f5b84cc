//! The key slot's cryptography: Argon2id derives a key-encryption key from a passphrase (or the
//! recovery key), XChaCha20-Poly1305 wraps the database key with it. The slot's identity (its
//! id, kind and clinician's name, and the key file's database id) is authenticated with it, so a
//! slot renamed by hand no longer opens.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::records::DbKey;

/// Argon2id's parameters, recorded in each slot (so that they can be raised for new slots while
/// older ones still open).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    pub algorithm: String,
    pub version: u32,
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    /// Base64.
    pub salt: String,
}

impl KdfParams {
    /// What new slots use: Argon2id, 64 MiB, 3 passes, 1 lane (RFC 9106's second recommended
    /// option raised to 3 passes), a 16-byte random salt.
    pub fn new_random() -> Result<KdfParams, String> {
        Ok(KdfParams {
            algorithm: "argon2id".into(),
            version: 0x13,
            memory_kib: 64 * 1024,
            iterations: 3,
            parallelism: 1,
            salt: data_encoding::BASE64.encode(&random::<16>()?[..]),
        })
    }

    /// The 32-byte key-encryption key for `secret`.
    pub fn derive(&self, secret: &[u8]) -> Result<Zeroizing<[u8; 32]>, String> {
        if self.algorithm != "argon2id" || self.version != 0x13 {
            return Err(format!("key derivation {} version {:#x} is not known", self.algorithm, self.version));
        }
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
            .map_err(|e| format!("key derivation parameters: {e}"))?;
        let salt = data_encoding::BASE64.decode(self.salt.as_bytes()).map_err(|e| format!("salt: {e}"))?;
        let mut out = Zeroizing::new([0u8; 32]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(secret, &salt, out.as_mut())
            .map_err(|e| format!("key derivation: {e}"))?;
        Ok(out)
    }
}

/// `N` random bytes from the operating system.
pub fn random<const N: usize>() -> Result<Zeroizing<[u8; N]>, String> {
    let mut bytes = Zeroizing::new([0u8; N]);
    getrandom::fill(bytes.as_mut()).map_err(|e| format!("the system's random generator: {e}"))?;
    Ok(bytes)
}

/// The database key wrapped under `kek`: (nonce, ciphertext), both base64.
pub fn wrap(kek: &[u8; 32], key: &DbKey, aad: &[u8]) -> Result<(String, String), String> {
    let cipher = XChaCha20Poly1305::new(kek.into());
    let nonce = random::<24>()?;
    let sealed = cipher
        .encrypt(XNonce::from_slice(&nonce[..]), Payload { msg: key.bytes(), aad })
        .map_err(|_| "the key could not be wrapped".to_string())?;
    Ok((data_encoding::BASE64.encode(&nonce[..]), data_encoding::BASE64.encode(&sealed)))
}

/// The database key, when `kek` is the one it was wrapped under (else `None`: a wrong passphrase,
/// or a slot changed by hand).
pub fn unwrap(kek: &[u8; 32], nonce: &str, sealed: &str, aad: &[u8]) -> Option<DbKey> {
    let nonce = data_encoding::BASE64.decode(nonce.as_bytes()).ok().filter(|n| n.len() == 24)?;
    let sealed = data_encoding::BASE64.decode(sealed.as_bytes()).ok()?;
    let cipher = XChaCha20Poly1305::new(kek.into());
    let plain = Zeroizing::new(cipher.decrypt(XNonce::from_slice(&nonce), Payload { msg: &sealed, aad }).ok()?);
    let bytes: [u8; 32] = plain.as_slice().try_into().ok()?;
    Some(DbKey::from_bytes(Zeroizing::new(bytes)))
}
