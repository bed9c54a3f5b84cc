//! Typed errors of the core. Each has a stable `code` so that the app can pass one
//! `{code, message}` over IPC and the CLI can choose its exit status.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Every error code the core, the CLI and the app use: the one list, exported to TypeScript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum ErrorCode {
    // A document or answer that was given.
    InvalidJson,
    InvalidField,
    InvalidPolicyFile,
    InvalidPolicyValue,
    InvalidFormat,
    InvalidPath,
    // The records.
    NoPatient,
    NoAssessment,
    NoCourse,
    NoSession,
    NoAdministration,
    DuplicateMrn,
    Finalised,
    NotFinal,
    AlreadyAmended,
    AcknowledgementNeeded,
    NotAPrecaution,
    // Clinicians and the key.
    WeakPassphrase,
    WrongPassphrase,
    WrongRecoveryKey,
    UnknownClinician,
    ClinicianExists,
    /// The last clinician, or one's own account, cannot be removed.
    ClinicianNeeded,
    NotSetUp,
    AlreadySetUp,
    /// The app is locked (idle, or signed out): sign in again.
    Locked,
    // The database and files.
    NotATrdcheckDatabase,
    /// The file does not open with this set-up's key.
    WrongDatabaseKey,
    /// An earlier version's unencrypted records (encrypted at set-up).
    PlainDatabase,
    KeyFileUnreadable,
    NewerDatabase,
    CorruptDatabase,
    SettingsUnreadable,
    /// The settings were changed elsewhere since the form was opened.
    SettingsChanged,
    /// This workstation's display preferences (text size) cannot be read or written.
    Preferences,
    Io,
    Database,
    Migration,
    Ruleset,
    Pdf,
    Internal,
    /// The call itself failed before reaching a command (set by the UI only).
    Ipc,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::InvalidField => "invalid_field",
            ErrorCode::InvalidPolicyFile => "invalid_policy_file",
            ErrorCode::InvalidPolicyValue => "invalid_policy_value",
            ErrorCode::InvalidFormat => "invalid_format",
            ErrorCode::InvalidPath => "invalid_path",
            ErrorCode::NoPatient => "no_patient",
            ErrorCode::NoAssessment => "no_assessment",
            ErrorCode::NoCourse => "no_course",
            ErrorCode::NoSession => "no_session",
            ErrorCode::NoAdministration => "no_administration",
            ErrorCode::DuplicateMrn => "duplicate_mrn",
            ErrorCode::Finalised => "finalised",
            ErrorCode::NotFinal => "not_final",
            ErrorCode::AlreadyAmended => "already_amended",
            ErrorCode::AcknowledgementNeeded => "acknowledgement_needed",
            ErrorCode::NotAPrecaution => "not_a_precaution",
            ErrorCode::WeakPassphrase => "weak_passphrase",
            ErrorCode::WrongPassphrase => "wrong_passphrase",
            ErrorCode::WrongRecoveryKey => "wrong_recovery_key",
            ErrorCode::UnknownClinician => "unknown_clinician",
            ErrorCode::ClinicianExists => "clinician_exists",
            ErrorCode::ClinicianNeeded => "clinician_needed",
            ErrorCode::NotSetUp => "not_set_up",
            ErrorCode::AlreadySetUp => "already_set_up",
            ErrorCode::Locked => "locked",
            ErrorCode::NotATrdcheckDatabase => "not_a_trdcheck_database",
            ErrorCode::WrongDatabaseKey => "wrong_database_key",
            ErrorCode::PlainDatabase => "plain_database",
            ErrorCode::KeyFileUnreadable => "key_file_unreadable",
            ErrorCode::NewerDatabase => "newer_database",
            ErrorCode::CorruptDatabase => "corrupt_database",
            ErrorCode::SettingsUnreadable => "settings_unreadable",
            ErrorCode::SettingsChanged => "settings_changed",
            ErrorCode::Preferences => "preferences",
            ErrorCode::Io => "io",
            ErrorCode::Database => "database",
            ErrorCode::Migration => "migration",
            ErrorCode::Ruleset => "ruleset",
            ErrorCode::Pdf => "pdf",
            ErrorCode::Internal => "internal",
            ErrorCode::Ipc => "ipc",
        }
    }

    /// Whether the request was at fault (the CLI exits 2), not the system (exit 1).
    pub fn is_request_error(self) -> bool {
        matches!(
            self,
            ErrorCode::InvalidJson
                | ErrorCode::InvalidField
                | ErrorCode::InvalidPolicyFile
                | ErrorCode::InvalidPolicyValue
                | ErrorCode::InvalidFormat
                | ErrorCode::InvalidPath
                | ErrorCode::NoPatient
                | ErrorCode::NoAssessment
                | ErrorCode::NoCourse
                | ErrorCode::NoSession
                | ErrorCode::NoAdministration
                | ErrorCode::DuplicateMrn
                | ErrorCode::Finalised
                | ErrorCode::NotFinal
                | ErrorCode::AlreadyAmended
                | ErrorCode::AcknowledgementNeeded
                | ErrorCode::NotAPrecaution
                | ErrorCode::SettingsChanged
                | ErrorCode::WeakPassphrase
                | ErrorCode::WrongPassphrase
                | ErrorCode::WrongRecoveryKey
                | ErrorCode::UnknownClinician
                | ErrorCode::ClinicianExists
                | ErrorCode::ClinicianNeeded
                | ErrorCode::NotSetUp
                | ErrorCode::AlreadySetUp
                | ErrorCode::Locked
                | ErrorCode::NotATrdcheckDatabase
        )
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `ErrorCode::Finalised == "finalised"`, for tests and callers that hold a code as text.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A rejected assessment or policy document.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum InputError {
    /// Not JSON at all.
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    Syntax { line: usize, column: usize, message: String },
    /// A field with a wrong name, type or value; `path` is like `trials[0].dose_mg_per_day`
    /// (empty for the document itself).
    #[error("{}: {message}", if path.is_empty() { "(document)" } else { path.as_str() })]
    Field { path: String, message: String },
}

impl InputError {
    pub fn code(&self) -> ErrorCode {
        match self {
            InputError::Syntax { .. } => ErrorCode::InvalidJson,
            InputError::Field { .. } => ErrorCode::InvalidField,
        }
    }

    /// The path of the field at fault, when there is one.
    pub fn path(&self) -> Option<&str> {
        match self {
            InputError::Field { path, .. } => Some(path),
            InputError::Syntax { .. } => None,
        }
    }
}

/// A rule set or catalog that does not hold together. The embedded one is checked by tests,
/// so this is met only with a site's own rule files.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("rule set {file}: {message}")]
pub struct RuleSetError {
    pub file: String,
    pub message: String,
}

/// A site policy outside what the rule set allows.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum PolicyError {
    #[error("policy file {path}: {message}")]
    Read { path: String, message: String },
    #[error("policy {key}: {value} is not allowed; allowed: {allowed}")]
    NotAllowed { key: String, value: String, allowed: String },
}

impl PolicyError {
    pub fn code(&self) -> ErrorCode {
        match self {
            PolicyError::Read { .. } => ErrorCode::InvalidPolicyFile,
            PolicyError::NotAllowed { .. } => ErrorCode::InvalidPolicyValue,
        }
    }
}
