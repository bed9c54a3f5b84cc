//! The desktop shell: thin Tauri commands over the trdcheck core.
//!
//! - [`commands`]: the commands, generated from commands.toml (with their permissions and
//!   TypeScript wrappers); each checks its input, calls the core on the blocking pool and returns
//!   typed data or one `{code, message, field}` error ([`IpcError`]);
//! - [`state`]: what they share and their work; [`views`]: what they return;
//! - [`shell`]: the few that need the window (file dialogs, zoom); [`prefs`]: display preferences.

pub mod access;
pub mod commands;
mod error;
mod prefs;
mod shell;
pub mod state;
pub mod views;

use std::path::PathBuf;
use std::sync::Arc;

use tauri::Manager;

pub use access::LockReason;
pub use error::IpcError;
pub use state::{AppState, Shared};
pub use trdcheck::records::ClinicSettings as Settings;
pub use views::{Access, AccessState, AppInfo, AssessmentView, ExportFormat, SetUp, SettingChange};

/// The folder of the database and settings: `TRDCHECK_DATA_DIR` (tests), else the app's data
/// folder, derived from the identifier `org.trdcheck.desktop`.
fn data_dir(app: &tauri::App) -> PathBuf {
    match std::env::var_os("TRDCHECK_DATA_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => app.path().app_data_dir().unwrap_or_else(|_| PathBuf::from(".")),
    }
}

/// WebKitGTK settings that avoid blank windows without a GPU and save memory, unless set.
#[cfg(target_os = "linux")]
fn linux_webkit_defaults() {
    for key in ["WEBKIT_DISABLE_DMABUF_RENDERER", "WEBKIT_DISABLE_COMPOSITING_MODE"] {
        if std::env::var_os(key).is_none() {
            // Safe here: called first in main, before any other thread exists.
            unsafe { std::env::set_var(key, "1") };
        }
    }
}

pub fn run() {
    #[cfg(target_os = "linux")]
    linux_webkit_defaults();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let dir = data_dir(app);
            // Locked: the records open when a clinician signs in.
            let state = AppState::new(dir.clone()).map_err(|e| e.message)?;
            let text_size = state.load_preferences();
            state.set_text_size(text_size).map_err(|e| e.message)?;
            if let Some(window) = app.get_webview_window("main") {
                window.set_zoom(prefs::zoom_of(text_size))?;
            }
            app.manage(Arc::new(state));
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("trdcheck: could not start: {e}");
        std::process::exit(1);
    }
}
