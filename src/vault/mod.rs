//! Who may open the records: clinician accounts, each with their own key slot, and the recovery
//! key. The database key is random and never changes; a passphrase only unwraps it, so adding,
//! removing or changing a clinician rewrites the key file (`trdcheck.keys`), never the records.
//!
//! - [`secret`]: Argon2id and XChaCha20-Poly1305; [`keyfile`]: the slots and their file;
//! - [`passphrase`]: names, passphrase strength, the recovery key's printed form.
//!
//! Changes of the key file are written by one process at a time (a lock on `trdcheck.keys.lock`).
//! The audit entries of sign-in and account changes are written by the caller, into the records
//! the key opens ([`crate::records::Store::record_access`]).

pub mod keyfile;
pub mod passphrase;
pub mod secret;

use std::path::{Path, PathBuf};

use thiserror::Error;
use zeroize::Zeroizing;

use crate::error::ErrorCode;
use crate::records::{encrypt, key, DbKey, StorageError};
use keyfile::{KeyFile, SlotKind};

#[derive(Debug, Error)]
pub enum VaultError {
    #[error("{field}: {message}")]
    InvalidField { field: String, message: String },
    #[error("passphrase: {message}")]
    WeakPassphrase { message: String },
    #[error("that passphrase does not unlock the records for {name}; nothing was changed")]
    WrongPassphrase { name: String },
    #[error("that recovery key does not unlock these records; nothing was changed")]
    WrongRecoveryKey,
    #[error("no clinician named {name} can unlock these records")]
    UnknownClinician { name: String },
    #[error("a clinician named {name} already exists")]
    ClinicianExists { name: String },
    #[error("{name} is the only clinician; add another before removing this one")]
    LastClinician { name: String },
    #[error("you cannot remove your own account; another clinician can")]
    RemoveSelf,
    #[error("no clinician is set up yet: create the first one (trd-check db init --user NAME, or start the app)")]
    NotSetUp,
    #[error("the records are already set up with clinicians; sign in, or add a clinician")]
    AlreadySetUp,
    #[error("{path}: the key file is missing, so the encrypted records beside it cannot be opened by anyone. Put back the key file from the folder's backup; the records were not changed.")]
    KeysMissing { path: String },
    #[error("{path}: the key file cannot be read ({detail}); it was not changed. Put back the key file from the folder's backup.")]
    KeyFileUnreadable { path: String, detail: String },
    #[error("no recovery key was made for these records")]
    NoRecoveryKey,
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("key derivation: {0}")]
    Kdf(String),
    #[error("{0}")]
    Random(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl VaultError {
    pub fn code(&self) -> ErrorCode {
        match self {
            VaultError::InvalidField { .. } => ErrorCode::InvalidField,
            VaultError::WeakPassphrase { .. } => ErrorCode::WeakPassphrase,
            VaultError::WrongPassphrase { .. } => ErrorCode::WrongPassphrase,
            VaultError::WrongRecoveryKey => ErrorCode::WrongRecoveryKey,
            VaultError::UnknownClinician { .. } => ErrorCode::UnknownClinician,
            VaultError::ClinicianExists { .. } => ErrorCode::ClinicianExists,
            VaultError::LastClinician { .. } | VaultError::RemoveSelf => ErrorCode::ClinicianNeeded,
            VaultError::NotSetUp => ErrorCode::NotSetUp,
            VaultError::AlreadySetUp => ErrorCode::AlreadySetUp,
            VaultError::KeysMissing { .. } | VaultError::KeyFileUnreadable { .. } => ErrorCode::KeyFileUnreadable,
            VaultError::NoRecoveryKey => ErrorCode::WrongRecoveryKey,
            VaultError::Io { .. } => ErrorCode::Io,
            VaultError::Kdf(_) | VaultError::Random(_) => ErrorCode::Internal,
            VaultError::Storage(e) => e.code(),
        }
    }
}

pub type Result<T> = std::result::Result<T, VaultError>;

/// What the data folder holds, as the sign-in screen needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// No records and no clinician yet: set up the first clinician.
    New,
    /// An earlier version's unencrypted records and no clinician: setting up the first clinician
    /// encrypts them.
    Unencrypted,
    /// Clinicians can sign in (their names, in the order they were added).
    Ready { clinicians: Vec<String>, recovery_key: bool },
}

/// The database key, unlocked by a clinician (who is then the one acting).
pub struct Unlocked {
    pub clinician: String,
    pub key: DbKey,
}

/// The records' database and its key file.
#[derive(Debug, Clone)]
pub struct Vault {
    database: PathBuf,
}

/// A new clinician's passphrase, checked and held until written.
fn new_passphrase(passphrase: &str, name: &str) -> Result<()> {
    passphrase::check_strength(passphrase, name)
}

impl Vault {
    /// The vault of the database at `database`; its key file is beside it, with the extension
    /// `.keys` (`trdcheck.sqlite3` → `trdcheck.keys`).
    pub fn new(database: &Path) -> Vault {
        Vault { database: database.to_path_buf() }
    }

    pub fn database(&self) -> &Path {
        &self.database
    }

    pub fn key_file(&self) -> PathBuf {
        self.database.with_extension("keys")
    }

    fn lock(&self) -> Result<std::fs::File> {
        let mut name = self.key_file().into_os_string();
        name.push(".lock");
        let path = PathBuf::from(name);
        let io = |e: std::io::Error| VaultError::Io { path: path.display().to_string(), message: e.to_string() };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(io)?;
        file.lock().map_err(io)?;
        Ok(file)
    }

    fn read(&self) -> Result<KeyFile> {
        let path = self.key_file();
        if !path.exists() {
            let db = &self.database;
            return Err(if db.is_dir() {
                VaultError::Storage(StorageError::NotTrdcheck { path: db.display().to_string() })
            } else if db.exists() && key::is_plain(db)? {
                // An earlier version's records wait for set-up; another program's file is refused.
                match crate::records::backup::check_plain(db) {
                    Ok(()) => VaultError::NotSetUp,
                    Err(e) => VaultError::Storage(e),
                }
            } else if !db.exists() || std::fs::metadata(db).is_ok_and(|m| m.len() == 0) {
                VaultError::NotSetUp
            } else if key::cannot_be_database(db)? {
                VaultError::Storage(StorageError::NotTrdcheck { path: db.display().to_string() })
            } else {
                VaultError::KeysMissing { path: path.display().to_string() }
            });
        }
        KeyFile::read(&path)
    }

    pub fn status(&self) -> Result<Status> {
        match self.read() {
            Ok(file) => Ok(Status::Ready {
                clinicians: file.clinicians().map(|s| s.name.clone()).collect(),
                recovery_key: file.recovery().is_some(),
            }),
            Err(VaultError::NotSetUp) if self.database.exists() && key::is_plain(&self.database)? => {
                Ok(Status::Unencrypted)
            }
            Err(VaultError::NotSetUp) => Ok(Status::New),
            Err(e) => Err(e),
        }
    }

    /// Creates the first clinician and the recovery key (returned once, to be shown once).
    /// Refused when clinicians exist. An earlier version's records are encrypted by
    /// [`Vault::finish_encryption`] (or the next [`Vault::unlock`]), which the caller runs after
    /// the recovery key is shown, so that a failure or a kill during that longer step never
    /// loses a recovery key nobody saw.
    pub fn set_up(&self, name: &str, passphrase: &str) -> Result<(Unlocked, Zeroizing<String>)> {
        let name = passphrase::clinician_name(name)?;
        new_passphrase(passphrase, &name)?;
        let _lock = self.lock()?;
        match self.status()? {
            Status::Ready { .. } => return Err(VaultError::AlreadySetUp),
            // An earlier version's records are encrypted after the key file is written: another
            // program's SQLite file is refused first, leaving no key file behind.
            Status::Unencrypted => {
                crate::records::backup::check_plain(&self.database)?;
            }
            Status::New => {}
        }
        let key = DbKey::random().map_err(|e| VaultError::Random(e.to_string()))?;
        let recovery = passphrase::new_recovery_key()?;
        let normalised = passphrase::normalise_recovery_key(&recovery).ok_or(VaultError::WrongRecoveryKey)?;
        let mut file = KeyFile::new()?;
        let slot = file.make_slot(SlotKind::Clinician, &name, passphrase.as_bytes(), &key)?;
        file.slots.push(slot);
        let slot = file.make_slot(SlotKind::Recovery, "", normalised.as_bytes(), &key)?;
        file.slots.push(slot);
        // The key file first: an interrupted encryption is finished at the next sign-in.
        file.write(&self.key_file())?;
        Ok((Unlocked { clinician: name, key }, recovery))
    }

    /// An earlier version's records left unencrypted (just set up, or set up and interrupted
    /// before the swap) are encrypted with `key` now: by one process at a time (the key file's
    /// lock), and checked again once it is held.
    pub fn finish_encryption(&self, key: &DbKey) -> Result<()> {
        if !(self.database.exists() && key::is_plain(&self.database)?) {
            return Ok(());
        }
        let _lock = self.lock()?;
        if self.database.exists() && key::is_plain(&self.database)? {
            encrypt::encrypt_plain(&self.database, key)?;
        }
        Ok(())
    }

    /// Unlocks the records with a clinician's passphrase.
    pub fn unlock(&self, name: &str, passphrase: &str) -> Result<Unlocked> {
        let file = self.read()?;
        let slot = file.clinician(name).ok_or_else(|| VaultError::UnknownClinician { name: name.trim().into() })?;
        let key = file
            .open_slot(slot, passphrase.as_bytes())?
            .ok_or_else(|| VaultError::WrongPassphrase { name: slot.name.clone() })?;
        self.finish_encryption(&key)?;
        Ok(Unlocked { clinician: slot.name.clone(), key })
    }

    /// Checks a clinician's passphrase again (before signing): the same as signing in, without
    /// anything else.
    pub fn confirm(&self, name: &str, passphrase: &str) -> Result<()> {
        self.unlock(name, passphrase).map(|_| ())
    }

    /// With the recovery key: gives `name` a new passphrase (a new clinician, or one who forgot
    /// theirs), and unlocks the records as them.
    pub fn recover(&self, recovery_key: &str, name: &str, passphrase: &str) -> Result<Unlocked> {
        let name = passphrase::clinician_name(name)?;
        new_passphrase(passphrase, &name)?;
        let _lock = self.lock()?;
        let mut file = self.read()?;
        let slot = file.recovery().ok_or(VaultError::NoRecoveryKey)?;
        let typed = passphrase::normalise_recovery_key(recovery_key).ok_or(VaultError::WrongRecoveryKey)?;
        let key = file.open_slot(slot, typed.as_bytes())?.ok_or(VaultError::WrongRecoveryKey)?;
        let name = file.clinician(&name).map(|s| s.name.clone()).unwrap_or(name);
        let slot = file.make_slot(SlotKind::Clinician, &name, passphrase.as_bytes(), &key)?;
        file.slots.retain(|s| !(s.kind == SlotKind::Clinician && s.name.to_lowercase() == name.to_lowercase()));
        file.slots.push(slot);
        file.write(&self.key_file())?;
        drop(_lock);
        self.finish_encryption(&key)?;
        Ok(Unlocked { clinician: name, key })
    }

    /// Adds a clinician, by one who is signed in.
    pub fn add_clinician(&self, by: &Unlocked, name: &str, passphrase: &str) -> Result<String> {
        let name = passphrase::clinician_name(name)?;
        new_passphrase(passphrase, &name)?;
        let _lock = self.lock()?;
        let mut file = self.read()?;
        if file.clinician(&name).is_some() {
            return Err(VaultError::ClinicianExists { name });
        }
        let slot = file.make_slot(SlotKind::Clinician, &name, passphrase.as_bytes(), &by.key)?;
        file.slots.push(slot);
        file.write(&self.key_file())?;
        Ok(name)
    }

    /// Removes a clinician's slot (never the last one, nor the signed-in clinician's own). Their
    /// passphrase no longer opens this key file; the records are not re-encrypted.
    pub fn remove_clinician(&self, by: &Unlocked, name: &str) -> Result<String> {
        let _lock = self.lock()?;
        let mut file = self.read()?;
        let slot = file.clinician(name).ok_or_else(|| VaultError::UnknownClinician { name: name.trim().into() })?;
        let name = slot.name.clone();
        if name.eq_ignore_ascii_case(&by.clinician) {
            return Err(VaultError::RemoveSelf);
        }
        if file.clinicians().count() <= 1 {
            return Err(VaultError::LastClinician { name });
        }
        file.slots.retain(|s| !(s.kind == SlotKind::Clinician && s.name == name));
        file.write(&self.key_file())?;
        Ok(name)
    }

    /// Changes a clinician's passphrase (the old one is needed).
    pub fn change_passphrase(&self, name: &str, old: &str, new: &str) -> Result<String> {
        let _lock = self.lock()?;
        let mut file = self.read()?;
        let slot = file.clinician(name).ok_or_else(|| VaultError::UnknownClinician { name: name.trim().into() })?;
        let name = slot.name.clone();
        let key =
            file.open_slot(slot, old.as_bytes())?.ok_or_else(|| VaultError::WrongPassphrase { name: name.clone() })?;
        new_passphrase(new, &name)?;
        let slot = file.make_slot(SlotKind::Clinician, &name, new.as_bytes(), &key)?;
        file.slots.retain(|s| !(s.kind == SlotKind::Clinician && s.name == name));
        file.slots.push(slot);
        file.write(&self.key_file())?;
        Ok(name)
    }
}
