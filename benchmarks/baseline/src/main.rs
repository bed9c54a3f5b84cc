//! The baseline for trdcheck's launch and memory benchmarks: the smallest Tauri 2 app that shows
//! a page and answers one command from it. Same Tauri version and WebKit settings as trdcheck.

#[tauri::command]
fn ui_ready() {
    if std::env::var_os("TRDCHECK_LAUNCH_PROBE").is_some() {
        eprintln!("trdcheck: ui ready");
    }
}

fn main() {
    #[cfg(target_os = "linux")]
    for key in ["WEBKIT_DISABLE_DMABUF_RENDERER", "WEBKIT_DISABLE_COMPOSITING_MODE"] {
        if std::env::var_os(key).is_none() {
            // Safe: first thing in main, before any other thread exists.
            unsafe { std::env::set_var(key, "1") };
        }
    }
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ui_ready])
        .run(tauri::generate_context!())
        .expect("baseline app");
}
