//! This workstation's display preferences (text size), kept with tauri-plugin-store in
//! `settings.json`. The clinic's settings live in the records database; older versions kept them
//! in this file, and [`legacy_settings`] reads them once to move them there.
//!
//! The plugin ignores a file it cannot parse (and would write over it), so the file is read here
//! first: one that cannot be read is reported and left as it is, never replaced by defaults.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use tauri_plugin_store::StoreExt;
use trdcheck::records::ClinicSettings;
use trdcheck::ErrorCode;

use crate::{AppState, IpcError};

use trdcheck::records::settings::{LEGACY_FILE as FILE, LEGACY_KEY as LEGACY_SETTINGS_KEY};
const TEXT_SIZE_KEY: &str = "text_size_percent";

/// The text sizes offered on this workstation, in percent of normal (the whole page is zoomed).
pub const TEXT_SIZES: [u32; 5] = [100, 125, 150, 175, 200];

pub fn zoom_of(percent: u32) -> f64 {
    f64::from(percent) / 100.0
}

pub fn path(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

fn unreadable(path: &Path, why: impl std::fmt::Display) -> IpcError {
    IpcError::new(
        ErrorCode::Preferences,
        format!(
            "{}: cannot be read ({why}); it was left as it is and nothing was replaced by a default",
            path.display()
        ),
    )
}

/// The preferences file as it is on disk: `None` when there is none, an error when it is not a
/// JSON object.
pub fn read(dir: &Path) -> Result<Option<Map<String, Value>>, IpcError> {
    let path = path(dir);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(unreadable(&path, e)),
    };
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(Some(map)),
        Ok(_) => Err(unreadable(&path, "not a JSON object")),
        Err(e) => Err(unreadable(&path, e)),
    }
}

/// The clinic's settings an older version kept in the file, if any (the clinician's name they
/// held is no longer a setting: the signed-in clinician acts).
pub fn legacy_settings(file: &Map<String, Value>, dir: &Path) -> Result<Option<ClinicSettings>, IpcError> {
    match file.get(LEGACY_SETTINGS_KEY) {
        None => Ok(None),
        Some(value) => {
            let mut value = value.clone();
            if let Some(map) = value.as_object_mut() {
                map.remove("clinician");
            }
            serde_json::from_value(value)
                .map(Some)
                .map_err(|e| unreadable(&path(dir), format!("its clinic settings: {e}")))
        }
    }
}

/// Removes the older version's settings from the file once they are in the database (a new
/// file renamed over the old one; called at start, before the plugin has read the file).
fn forget_legacy_settings(mut file: Map<String, Value>, dir: &Path) -> Result<(), IpcError> {
    let path = path(dir);
    let failed = |e: std::io::Error| IpcError::new(ErrorCode::Preferences, format!("{}: {e}", path.display()));
    file.remove(LEGACY_SETTINGS_KEY);
    let text = serde_json::to_vec_pretty(&Value::Object(file))
        .map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))?;
    let temp = path.with_extension("json.new");
    std::fs::write(&temp, text).map_err(failed)?;
    std::fs::rename(&temp, &path).map_err(failed)
}

impl AppState {
    /// Reads this workstation's preferences at start (before anyone signs in) and returns its
    /// text size; a file that cannot be read is reported and left as it is.
    pub fn load_preferences(&self) -> u32 {
        match read(&self.data_dir) {
            Ok(file) => text_size(file.as_ref()),
            Err(e) => {
                self.set_preferences_error(Some(e));
                TEXT_SIZES[0]
            }
        }
    }

    /// Once the records are open (at each sign-in): moves the clinic's settings an older version
    /// kept in the preferences file into the database (once, audited). What cannot be read is
    /// reported and left as it is, never replaced by a default: when the database has no
    /// settings of its own, the policy stays unknown until they are saved.
    pub(crate) fn adopt_older_settings(&self) {
        let dir = self.data_dir.clone();
        let refuse = |e: IpcError| {
            let stored = self.with_store(|s| Ok(s.has_clinic_settings()?)).unwrap_or(true);
            if !stored {
                self.block_settings(e.clone());
            }
            self.set_preferences_error(Some(e));
        };
        let file = match read(&dir) {
            Ok(Some(file)) => file,
            Ok(None) => return,
            Err(e) => return refuse(e),
        };
        match legacy_settings(&file, &dir) {
            Ok(Some(legacy)) => {
                let from = path(&dir).display().to_string();
                match self.with_store(|s| Ok(s.adopt_settings(&legacy, &from, self.rules)?)) {
                    // Moved (and audited): the file keeps only this workstation's preferences.
                    Ok(true) => {
                        if let Err(e) = forget_legacy_settings(file, &dir) {
                            self.set_preferences_error(Some(e));
                        }
                    }
                    // The database has its own settings already: they are in force; the file is
                    // left as it is.
                    Ok(false) => {}
                    Err(e) => self.block_settings(e),
                }
            }
            Ok(None) => {}
            Err(e) => refuse(e),
        }
    }
}

/// A text size the app offers, or an error naming the field.
pub fn check_text_size(percent: u32) -> Result<u32, IpcError> {
    if TEXT_SIZES.contains(&percent) {
        Ok(percent)
    } else {
        let allowed: Vec<String> = TEXT_SIZES.iter().map(|p| format!("{p} %")).collect();
        Err(IpcError {
            code: ErrorCode::InvalidField,
            message: format!("text size {percent} % is not offered; allowed: {}", allowed.join(", ")),
            field: Some(TEXT_SIZE_KEY.into()),
        })
    }
}

/// The workstation's text size in the file (100 % when none was chosen).
pub fn text_size(file: Option<&Map<String, Value>>) -> u32 {
    file.and_then(|f| f.get(TEXT_SIZE_KEY))
        .and_then(Value::as_u64)
        .and_then(|p| u32::try_from(p).ok())
        .and_then(|p| check_text_size(p).ok())
        .unwrap_or(TEXT_SIZES[0])
}

pub fn save_text_size(app: &tauri::AppHandle, dir: &Path, percent: u32) -> Result<(), IpcError> {
    let store = app.store(path(dir)).map_err(|e| IpcError::new(ErrorCode::Preferences, e.to_string()))?;
    store.set(TEXT_SIZE_KEY, percent);
    store.save().map_err(|e| IpcError::new(ErrorCode::Preferences, e.to_string()))
}
