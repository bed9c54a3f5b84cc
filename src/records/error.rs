//! The errors of the records, each with a stable code.

use thiserror::Error;

use crate::error::{ErrorCode, InputError, PolicyError};

#[derive(Debug, Error)]
pub enum StorageError {
    #[error("{path}: not a trdcheck database; it was not opened or changed")]
    NotTrdcheck { path: String },
    #[error("{path}: made by a newer trdcheck (schema version {found}; this version knows up to {known}); it was not opened or changed")]
    NewerSchema { path: String, found: i64, known: i64 },
    #[error("{path}: failed its integrity check ({detail}); it was not opened or changed. Restore a backup.")]
    Corrupt { path: String, detail: String },
    #[error("{path}: cannot be opened with this set-up's key: it is not a trdcheck database, or it was encrypted by another installation. It was not opened or changed.")]
    WrongKey { path: String },
    #[error("{path}: the records of an earlier version, not yet encrypted; they are encrypted when the first clinician is set up")]
    Plain { path: String },
    #[error("this database is not encrypted (it is in memory), so it cannot be backed up or restored")]
    NotEncrypted,
    #[error("no patient with id {0}")]
    NoPatient(i64),
    #[error("no assessment with id {0}")]
    NoAssessment(i64),
    #[error("no treatment course with id {0}")]
    NoCourse(i64),
    #[error("no session with id {0}")]
    NoSession(i64),
    #[error("no scale administration with id {0}")]
    NoAdministration(i64),
    #[error("assessment {0} is finalised and cannot be changed; amend it to make a new version")]
    Finalised(i64),
    #[error("assessment {id} is a draft: {action} needs a finalised assessment")]
    NotFinal { id: i64, action: &'static str },
    #[error("assessment {id} was already amended (by assessment {by}); amend the newest version")]
    AlreadyAmended { id: i64, by: i64 },
    #[error("a patient with MRN {0} already exists")]
    DuplicateMrn(String),
    #[error("{field}: {message}")]
    InvalidField { field: String, message: String },
    #[error("precaution {0} needs an acknowledgement note before the assessment can be finalised")]
    AcknowledgementNeeded(String),
    #[error("the note on {rule} was written {}; it now reads: \"{now}\". Read it again and confirm the note (save it again, or rewrite it) before finalising", if then.is_empty() { "before notes were tied to their finding".to_string() } else { format!("when the finding read: \"{then}\"") })]
    AcknowledgementStale { rule: String, then: String, now: String },
    #[error(
        "{rule} is not a precaution of this assessment, so it cannot be acknowledged (its precautions: {precautions})"
    )]
    NotAPrecaution { rule: String, precautions: String },
    #[error("the clinic's setting {key} cannot be read ({message}); it was not replaced by a default. Save the settings again to set it.")]
    SettingsUnreadable { key: String, message: String },
    #[error("the clinic's settings were changed elsewhere since you opened them; nothing was saved. They are shown as they are now: check them and save again.")]
    SettingsChanged,
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database: column {index}: {message}")]
    Column { index: usize, message: String },
    /// An error of the clinic's database server (PostgreSQL).
    #[error("database server: {0}")]
    Server(String),
    #[error("database schema: {0}")]
    Migration(String),
}

impl StorageError {
    pub fn code(&self) -> ErrorCode {
        match self {
            StorageError::NotTrdcheck { .. } => ErrorCode::NotATrdcheckDatabase,
            StorageError::NewerSchema { .. } => ErrorCode::NewerDatabase,
            StorageError::Corrupt { .. } => ErrorCode::CorruptDatabase,
            StorageError::WrongKey { .. } => ErrorCode::WrongDatabaseKey,
            StorageError::Plain { .. } => ErrorCode::PlainDatabase,
            StorageError::NotEncrypted => ErrorCode::Internal,
            StorageError::NoPatient(_) => ErrorCode::NoPatient,
            StorageError::NoAssessment(_) => ErrorCode::NoAssessment,
            StorageError::NoCourse(_) => ErrorCode::NoCourse,
            StorageError::NoSession(_) => ErrorCode::NoSession,
            StorageError::NoAdministration(_) => ErrorCode::NoAdministration,
            StorageError::Finalised(_) => ErrorCode::Finalised,
            StorageError::NotFinal { .. } => ErrorCode::NotFinal,
            StorageError::AlreadyAmended { .. } => ErrorCode::AlreadyAmended,
            StorageError::DuplicateMrn(_) => ErrorCode::DuplicateMrn,
            StorageError::InvalidField { .. } => ErrorCode::InvalidField,
            StorageError::AcknowledgementNeeded(_) | StorageError::AcknowledgementStale { .. } => {
                ErrorCode::AcknowledgementNeeded
            }
            StorageError::NotAPrecaution { .. } => ErrorCode::NotAPrecaution,
            StorageError::SettingsUnreadable { .. } => ErrorCode::SettingsUnreadable,
            StorageError::SettingsChanged => ErrorCode::SettingsChanged,
            StorageError::Input(e) => e.code(),
            StorageError::Policy(e) => e.code(),
            StorageError::Io { .. } => ErrorCode::Io,
            StorageError::Sqlite(_) | StorageError::Column { .. } | StorageError::Server(_) => ErrorCode::Database,
            StorageError::Migration(_) => ErrorCode::Migration,
        }
    }
}

pub(crate) type Result<T> = std::result::Result<T, StorageError>;
