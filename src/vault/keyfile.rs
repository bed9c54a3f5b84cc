//! The key file beside the database (`trdcheck.keys`): the database key wrapped once per
//! clinician and once by the recovery key. It holds no patient data and no secret in the clear:
//! clinicians' names, the key derivation's parameters and the wrapped keys. Written whole to a
//! temporary file, synced and renamed, so it is always either the old or the new file.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::secret::{self, KdfParams};
use super::VaultError;
use crate::records::DbKey;

pub const FORMAT: &str = "trdcheck/keys/v1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlotKind {
    Clinician,
    Recovery,
}

/// One way to unlock the database key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Slot {
    pub id: String,
    pub kind: SlotKind,
    /// The clinician's name (empty for the recovery slot).
    pub name: String,
    pub created_at: String,
    pub kdf: KdfParams,
    pub cipher: String,
    pub nonce: String,
    pub wrapped_key: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyFile {
    pub format: String,
    /// Random, made at set-up: binds the slots to this database's key file.
    pub database_id: String,
    pub slots: Vec<Slot>,
}

const CIPHER: &str = "xchacha20poly1305";

impl KeyFile {
    pub fn new() -> Result<KeyFile, VaultError> {
        let id = secret::random::<16>().map_err(VaultError::Random)?;
        Ok(KeyFile { format: FORMAT.into(), database_id: data_encoding::HEXLOWER.encode(&id[..]), slots: Vec::new() })
    }

    pub fn read(path: &Path) -> Result<KeyFile, VaultError> {
        let unreadable = |detail: String| VaultError::KeyFileUnreadable { path: path.display().to_string(), detail };
        let bytes = std::fs::read(path).map_err(|e| unreadable(e.to_string()))?;
        let file: KeyFile = serde_json::from_slice(&bytes).map_err(|e| unreadable(e.to_string()))?;
        if file.format != FORMAT {
            return Err(unreadable(format!("format {:?} is not {FORMAT:?}", file.format)));
        }
        Ok(file)
    }

    /// Writes the whole file atomically (temporary file, sync, rename, sync of the folder).
    pub fn write(&self, path: &Path) -> Result<(), VaultError> {
        let io = |e: std::io::Error| VaultError::Io { path: path.display().to_string(), message: e.to_string() };
        let json = serde_json::to_vec_pretty(self)
            .map_err(|e| VaultError::Io { path: path.display().to_string(), message: e.to_string() })?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".new");
        let tmp = path.with_file_name(name);
        {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp).map_err(io)?;
            f.write_all(&json).and_then(|()| f.sync_all()).map_err(io)?;
        }
        std::fs::rename(&tmp, path).map_err(io)?;
        crate::records::sync_parent(path)
            .map_err(|e| VaultError::Io { path: path.display().to_string(), message: e.to_string() })
    }

    pub fn clinicians(&self) -> impl Iterator<Item = &Slot> {
        self.slots.iter().filter(|s| s.kind == SlotKind::Clinician)
    }

    /// The clinician's slot, by name in any case.
    pub fn clinician(&self, name: &str) -> Option<&Slot> {
        let name = name.trim().to_lowercase();
        self.clinicians().find(|s| s.name.to_lowercase() == name)
    }

    pub fn recovery(&self) -> Option<&Slot> {
        self.slots.iter().find(|s| s.kind == SlotKind::Recovery)
    }

    /// What each slot's wrapped key is bound to.
    fn aad(&self, id: &str, kind: SlotKind, name: &str) -> Vec<u8> {
        let kind = match kind {
            SlotKind::Clinician => "clinician",
            SlotKind::Recovery => "recovery",
        };
        format!("{FORMAT}\n{}\n{id}\n{kind}\n{name}", self.database_id).into_bytes()
    }

    /// A new slot wrapping `key` under `secret` (a passphrase or the recovery key).
    pub fn make_slot(&self, kind: SlotKind, name: &str, secret: &[u8], key: &DbKey) -> Result<Slot, VaultError> {
        let id = data_encoding::HEXLOWER.encode(&secret::random::<8>().map_err(VaultError::Random)?[..]);
        let kdf = KdfParams::new_random().map_err(VaultError::Random)?;
        let kek = kdf.derive(secret).map_err(VaultError::Kdf)?;
        let (nonce, wrapped_key) = secret::wrap(&kek, key, &self.aad(&id, kind, name)).map_err(VaultError::Kdf)?;
        Ok(Slot {
            id,
            kind,
            name: name.to_string(),
            created_at: crate::records::now(),
            kdf,
            cipher: CIPHER.into(),
            nonce,
            wrapped_key,
        })
    }

    /// The database key, if `secret` opens `slot`.
    pub fn open_slot(&self, slot: &Slot, secret: &[u8]) -> Result<Option<DbKey>, VaultError> {
        if slot.cipher != CIPHER {
            return Err(VaultError::Kdf(format!("cipher {:?} is not known", slot.cipher)));
        }
        let kek = slot.kdf.derive(secret).map_err(VaultError::Kdf)?;
        Ok(secret::unwrap(&kek, &slot.nonce, &slot.wrapped_key, &self.aad(&slot.id, slot.kind, &slot.name)))
    }
}
