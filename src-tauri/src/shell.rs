//! The commands that need the window: the file dialogs of export and import (opened here, so that
//! the page never names a path: file access is only what the clinician chose), and the zoom.

use tauri::Manager;
use tauri_plugin_dialog::DialogExt;
use trdcheck::ErrorCode;

use crate::commands::blocking;
use crate::state::Shared;
use crate::views::{AppInfo, AssessmentView, ExportFormat, SessionDocument};
use crate::{prefs, IpcError};

type Result<T> = std::result::Result<T, IpcError>;

pub async fn export_assessment(
    app: tauri::AppHandle,
    state: Shared,
    id: i64,
    format: ExportFormat,
) -> Result<Option<String>> {
    let (filter, ext) = format.dialog();
    blocking(&state, move |s| {
        let name = s.export_file_name(id, ext)?;
        let chosen = app.dialog().file().add_filter(filter, &[ext]).set_file_name(name).blocking_save_file();
        match chosen.map(|p| p.into_path()) {
            None => Ok(None),
            Some(Ok(path)) => s.export_assessment(id, format, &path).map(Some),
            Some(Err(e)) => Err(IpcError::new(ErrorCode::InvalidPath, e.to_string())),
        }
    })
    .await
}

/// Writes `bytes` to the file the clinician chooses; `None` when cancelled.
fn save_chosen(
    app: &tauri::AppHandle,
    filter: &str,
    ext: &str,
    name: String,
    bytes: impl FnOnce() -> Result<Vec<u8>>,
) -> Result<Option<String>> {
    let chosen = app.dialog().file().add_filter(filter, &[ext]).set_file_name(name).blocking_save_file();
    match chosen.map(|p| p.into_path()) {
        None => Ok(None),
        Some(Ok(path)) => {
            let bytes = bytes()?;
            std::fs::write(&path, bytes)
                .map_err(|e| IpcError::new(ErrorCode::Io, format!("{}: {e}", path.display())))?;
            Ok(Some(path.display().to_string()))
        }
        Some(Err(e)) => Err(IpcError::new(ErrorCode::InvalidPath, e.to_string())),
    }
}

pub async fn export_course(
    app: tauri::AppHandle,
    state: Shared,
    id: i64,
    format: ExportFormat,
) -> Result<Option<String>> {
    let (filter, ext) = match format {
        ExportFormat::Json => ("Course (JSON, trdcheck/course/v1)", "json"),
        other => other.dialog(),
    };
    blocking(&state, move |s| {
        let name = s.course_file_name(id, &format!("course-{id}"), ext)?;
        let saved = save_chosen(&app, filter, ext, name, || s.course_document(id, format))?;
        if saved.is_some() {
            s.record_course_export(id, None, "course", format.as_str())?;
        }
        Ok(saved)
    })
    .await
}

pub async fn export_session_document(
    app: tauri::AppHandle,
    state: Shared,
    id: i64,
    document: SessionDocument,
) -> Result<Option<String>> {
    blocking(&state, move |s| {
        let (course, number) = s.session_place(id)?;
        let name = s.course_file_name(course, &document.file_part(number), "pdf")?;
        let saved = save_chosen(&app, "PDF", "pdf", name, || s.session_document(id, document, true))?;
        if saved.is_some() {
            s.record_course_export(course, Some(id), document.as_str(), "pdf")?;
        }
        Ok(saved)
    })
    .await
}

pub async fn import_assessment(app: tauri::AppHandle, state: Shared) -> Result<Option<AssessmentView>> {
    blocking(&state, move |s| {
        let chosen = app.dialog().file().add_filter("Assessment (JSON)", &["json"]).blocking_pick_file();
        match chosen.map(|p| p.into_path()) {
            None => Ok(None),
            Some(Ok(path)) => s.import_assessment(&path).map(Some),
            Some(Err(e)) => Err(IpcError::new(ErrorCode::InvalidPath, e.to_string())),
        }
    })
    .await
}

/// Sets the text size, keeps it for the next start, and applies it to the page.
pub async fn set_text_size(webview: tauri::Webview, state: Shared, percent: u32) -> Result<AppInfo> {
    let app = webview.app_handle().clone();
    let info = blocking(&state, move |s| {
        prefs::check_text_size(percent)?;
        // A preferences file that cannot be read may hold an older version's clinic settings
        // not yet in the database: it is not written over until they are saved.
        if let Some(e) = s.settings_blocked() {
            return Err(e);
        }
        prefs::save_text_size(&app, &s.data_dir, percent)?;
        s.set_text_size(percent)?;
        s.set_preferences_error(None);
        s.app_info()
    })
    .await?;
    webview.set_zoom(prefs::zoom_of(percent)).map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))?;
    Ok(info)
}
