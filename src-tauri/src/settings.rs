//! The clinic's settings, kept with tauri-plugin-store (settings only; records live in SQLite).

use std::path::Path;

use serde::{Deserialize, Serialize};
use tauri_plugin_store::StoreExt;
use trdcheck::summary_html::Paper;
use trdcheck::PolicyOverrides;

use crate::error::IpcError;

const KEY: &str = "settings";
const FILE: &str = "settings.json";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Settings {
    /// The clinician using this workstation: recorded in the audit trail and on finalised summaries.
    pub clinician: String,
    pub clinic: String,
    pub paper: Paper,
    /// The site policy: what is left unset keeps the rule set's default.
    pub policy: PolicyOverrides,
}

/// The saved settings, or the defaults when there are none (or they cannot be read).
pub fn load(app: &tauri::AppHandle, dir: &Path) -> Settings {
    app.store(dir.join(FILE))
        .ok()
        .and_then(|store| store.get(KEY))
        .and_then(|value| serde_json::from_value(value).ok())
        .unwrap_or_default()
}

pub fn save(app: &tauri::AppHandle, dir: &Path, settings: &Settings) -> Result<(), IpcError> {
    let store = app.store(dir.join(FILE)).map_err(|e| IpcError::new("settings", e.to_string()))?;
    let value = serde_json::to_value(settings).map_err(|e| IpcError::new("settings", e.to_string()))?;
    store.set(KEY, value);
    store.save().map_err(|e| IpcError::new("settings", e.to_string()))
}
