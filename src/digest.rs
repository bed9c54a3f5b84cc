//! SHA-256 as lower-case hex: the one way the project names content (rule sets, dosing rules,
//! audit entries, signatures).

use sha2::{Digest, Sha256};

pub fn sha256_hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(bytes))
}
