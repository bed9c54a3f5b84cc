//! The one error that crosses IPC: `{code, message, field}`.

use serde::Serialize;
use trdcheck::records::StorageError;
use trdcheck::{ErrorCode, InputError};

#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
#[error("{message}")]
pub struct IpcError {
    /// Stable, machine-readable: `invalid_field`, `finalised`, `corrupt_database`, …
    pub code: ErrorCode,
    /// For the clinician.
    pub message: String,
    /// The answer at fault (`cardiovascular.systolic_mmhg`), so the UI shows the error beside it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> IpcError {
        IpcError { code, message: message.into(), field: None }
    }
}

impl From<InputError> for IpcError {
    fn from(e: InputError) -> IpcError {
        let field = e.path().map(str::to_string);
        let message = match (&e, &field) {
            // The field is shown beside the message: say only what is wrong with it.
            (InputError::Field { message, .. }, Some(_)) => message.clone(),
            _ => e.to_string(),
        };
        IpcError { code: e.code(), message, field }
    }
}

impl From<StorageError> for IpcError {
    fn from(e: StorageError) -> IpcError {
        match e {
            StorageError::Input(input) => input.into(),
            StorageError::InvalidField { field, message } => {
                IpcError { code: ErrorCode::InvalidField, message, field: Some(field) }
            }
            StorageError::SettingsUnreadable { ref key, .. } => {
                let field = Some(key.clone());
                IpcError { code: e.code(), message: e.to_string(), field }
            }
            other => IpcError::new(other.code(), other.to_string()),
        }
    }
}

impl From<trdcheck::PolicyError> for IpcError {
    fn from(e: trdcheck::PolicyError) -> IpcError {
        IpcError::new(e.code(), e.to_string())
    }
}
