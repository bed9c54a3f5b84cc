//! Typed errors of the core. Each has a stable `code` so that the app can pass one
//! `{code, message}` over IPC and the CLI can choose its exit status.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Defines [`ErrorCode`] from one table: each code's variant, its text (as serialised, in the CLI
/// and over IPC) and whether it is the requester's fault (`request`: the CLI exits 2) or the
/// system's (`system`: exit 1). Nothing about a code is listed anywhere else.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal, $fault:ident;)*) => {
        /// Every error code the core, the CLI and the app use: the one list, exported to TypeScript.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
        pub enum ErrorCode {
            $($(#[$doc])* #[serde(rename = $text)] $variant,)*
        }

        impl ErrorCode {
            /// Every code, in the table's order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $text,)*
                }
            }

            /// Whether the request was at fault (the CLI exits 2), not the system (exit 1).
            pub fn is_request_error(self) -> bool {
                match self {
                    $(ErrorCode::$variant => error_codes!(@fault $fault),)*
                }
            }
        }
    };
    (@fault request) => { true };
    (@fault system) => { false };
}

error_codes! {
    // A document or answer that was given.
    InvalidJson = "invalid_json", request;
    InvalidField = "invalid_field", request;
    InvalidPolicyFile = "invalid_policy_file", request;
    InvalidPolicyValue = "invalid_policy_value", request;
    InvalidFormat = "invalid_format", request;
    InvalidPath = "invalid_path", request;
    // The records.
    NoPatient = "no_patient", request;
    NoAssessment = "no_assessment", request;
    NoCourse = "no_course", request;
    NoSession = "no_session", request;
    NoAdministration = "no_administration", request;
    DuplicateMrn = "duplicate_mrn", request;
    Finalised = "finalised", request;
    NotFinal = "not_final", request;
    AlreadyAmended = "already_amended", request;
    AcknowledgementNeeded = "acknowledgement_needed", request;
    NotAPrecaution = "not_a_precaution", request;
    // Clinicians and the key.
    WeakPassphrase = "weak_passphrase", request;
    WrongPassphrase = "wrong_passphrase", request;
    WrongRecoveryKey = "wrong_recovery_key", request;
    UnknownClinician = "unknown_clinician", request;
    ClinicianExists = "clinician_exists", request;
    /// The last clinician, or one's own account, cannot be removed.
    ClinicianNeeded = "clinician_needed", request;
    NotSetUp = "not_set_up", request;
    AlreadySetUp = "already_set_up", request;
    /// The app is locked (idle, or signed out): sign in again.
    Locked = "locked", request;
    // The database and files.
    NotATrdcheckDatabase = "not_a_trdcheck_database", request;
    /// The file does not open with this set-up's key.
    WrongDatabaseKey = "wrong_database_key", system;
    /// An earlier version's unencrypted records (encrypted at set-up).
    PlainDatabase = "plain_database", system;
    KeyFileUnreadable = "key_file_unreadable", system;
    NewerDatabase = "newer_database", system;
    CorruptDatabase = "corrupt_database", system;
    SettingsUnreadable = "settings_unreadable", system;
    /// The settings were changed elsewhere since the form was opened.
    SettingsChanged = "settings_changed", request;
    /// This workstation's display preferences (text size) cannot be read or written.
    Preferences = "preferences", system;
    Io = "io", system;
    Database = "database", system;
    Migration = "migration", system;
    Ruleset = "ruleset", system;
    Pdf = "pdf", system;
    Internal = "internal", system;
    /// The call itself failed before reaching a command (set by the UI only).
    Ipc = "ipc", system;
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

#[cfg(test)]
mod code_tests {
    use super::ErrorCode;

    #[test]
    fn each_code_is_serialised_as_its_text_and_read_back() {
        let mut seen = std::collections::BTreeSet::new();
        for &code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
            assert!(seen.insert(code.as_str()), "{code:?} shares its text");
        }
        assert!(ErrorCode::InvalidField.is_request_error() && !ErrorCode::CorruptDatabase.is_request_error());
    }
}
