//! The errors of the records, each with a stable code.

use thiserror::Error;

use crate::error::InputError;

#[derive(Debug, Error)]
pub enum StorageError {
    #[error("{path}: not a trdcheck database; it was not opened or changed")]
    NotTrdcheck { path: String },
    #[error("{path}: made by a newer trdcheck (schema version {found}; this version knows up to {known}); it was not opened or changed")]
    NewerSchema { path: String, found: i64, known: i64 },
    #[error("{path}: failed its integrity check ({detail}); it was not opened or changed. Restore a backup.")]
    Corrupt { path: String, detail: String },
    #[error("no patient with id {0}")]
    NoPatient(i64),
    #[error("no assessment with id {0}")]
    NoAssessment(i64),
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
    #[error(
        "{rule} is not a precaution of this assessment, so it cannot be acknowledged (its precautions: {precautions})"
    )]
    NotAPrecaution { rule: String, precautions: String },
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database schema: {0}")]
    Migration(String),
}

impl StorageError {
    pub fn code(&self) -> &'static str {
        match self {
            StorageError::NotTrdcheck { .. } => "not_a_trdcheck_database",
            StorageError::NewerSchema { .. } => "newer_database",
            StorageError::Corrupt { .. } => "corrupt_database",
            StorageError::NoPatient(_) => "no_patient",
            StorageError::NoAssessment(_) => "no_assessment",
            StorageError::Finalised(_) => "finalised",
            StorageError::NotFinal { .. } => "not_final",
            StorageError::AlreadyAmended { .. } => "already_amended",
            StorageError::DuplicateMrn(_) => "duplicate_mrn",
            StorageError::InvalidField { .. } => "invalid_field",
            StorageError::AcknowledgementNeeded(_) => "acknowledgement_needed",
            StorageError::NotAPrecaution { .. } => "not_a_precaution",
            StorageError::Input(e) => e.code(),
            StorageError::Io { .. } => "io",
            StorageError::Sqlite(_) => "database",
            StorageError::Migration(_) => "migration",
        }
    }
}

pub(crate) type Result<T> = std::result::Result<T, StorageError>;
