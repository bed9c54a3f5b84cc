fn main() {
    // The app's own commands are permission-gated like plugin commands: only those granted to the
    // main window in capabilities/main.json can be called.
    let commands = &[
        "app_info",
        "catalog",
        "search_patients",
        "create_patient",
        "patient_assessments",
        "recent_assessments",
        "create_draft",
        "open_assessment",
        "save_answers",
        "set_acknowledgement",
        "finalise",
        "amend",
        "discard_draft",
        "summary_html",
        "export_assessment",
        "import_assessment",
        "save_settings",
        "set_text_size",
        "ui_ready",
    ];
    let attributes = tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(commands));
    tauri_build::try_build(attributes).expect("tauri build script");
}
