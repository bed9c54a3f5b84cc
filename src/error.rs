//! Typed errors of the core. Each has a stable `code` so that the app can pass one
//! `{code, message}` over IPC and the CLI can choose its exit status.

use thiserror::Error;

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
    pub fn code(&self) -> &'static str {
        match self {
            InputError::Syntax { .. } => "invalid_json",
            InputError::Field { .. } => "invalid_field",
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
    pub fn code(&self) -> &'static str {
        match self {
            PolicyError::Read { .. } => "invalid_policy_file",
            PolicyError::NotAllowed { .. } => "invalid_policy_value",
        }
    }
}
