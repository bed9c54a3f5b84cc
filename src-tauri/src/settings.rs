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

const TEXT_SIZE_KEY: &str = "text_size_percent";

/// The text sizes offered on this workstation, in percent of normal (the whole page is zoomed).
pub const TEXT_SIZES: [u32; 5] = [100, 125, 150, 175, 200];

/// A text size the app offers, or an error naming the field.
pub fn check_text_size(percent: u32) -> Result<u32, IpcError> {
    if TEXT_SIZES.contains(&percent) {
        Ok(percent)
    } else {
        let allowed: Vec<String> = TEXT_SIZES.iter().map(|p| format!("{p} %")).collect();
        Err(IpcError {
            code: "invalid_field".into(),
            message: format!("text size {percent} % is not offered; allowed: {}", allowed.join(", ")),
            field: Some(TEXT_SIZE_KEY.into()),
        })
    }
}

/// The workstation's text size (a display preference, kept apart from the audited settings).
pub fn load_text_size(app: &tauri::AppHandle, dir: &Path) -> u32 {
    app.store(dir.join(FILE))
        .ok()
        .and_then(|store| store.get(TEXT_SIZE_KEY))
        .and_then(|value| value.as_u64())
        .and_then(|p| u32::try_from(p).ok())
        .and_then(|p| check_text_size(p).ok())
        .unwrap_or(TEXT_SIZES[0])
}

pub fn save_text_size(app: &tauri::AppHandle, dir: &Path, percent: u32) -> Result<(), IpcError> {
    let store = app.store(dir.join(FILE)).map_err(|e| IpcError::new("settings", e.to_string()))?;
    store.set(TEXT_SIZE_KEY, percent);
    store.save().map_err(|e| IpcError::new("settings", e.to_string()))
}
