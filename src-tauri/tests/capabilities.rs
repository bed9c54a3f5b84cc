//! The main window may call the app's own commands and nothing else, and the command list kept in
//! build.rs, the capability file, `generate_handler!` and ui/src/ipc.ts does not drift.

use std::collections::BTreeSet;

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The quoted names between `start` and the next `end` in `text`.
fn quoted(text: &str, start: &str, end: &str) -> BTreeSet<String> {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start}")) + start.len();
    let body = &text[from..from + text[from..].find(end).unwrap()];
    body.split('"').skip(1).step_by(2).map(str::to_string).collect()
}

#[test]
fn the_window_may_call_only_the_apps_own_commands_and_every_list_agrees() {
    let built = quoted(&read("build.rs"), "let commands = &[", "];");
    let capability: serde_json::Value = serde_json::from_str(&read("capabilities/main.json")).unwrap();
    let granted: BTreeSet<String> =
        capability["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect();
    // No plugin permission at all: no dialog, file system, shell, opener, updater or HTTP.
    for p in &granted {
        assert!(!p.contains(':'), "the main window is granted a plugin permission: {p}");
    }
    let expected: BTreeSet<String> = built.iter().map(|c| format!("allow-{}", c.replace('_', "-"))).collect();
    assert_eq!(granted, expected, "capabilities/main.json and build.rs list different commands");
    let lib = read("src/lib.rs");
    let from = lib.find("generate_handler![").unwrap() + "generate_handler![".len();
    let handled: BTreeSet<String> = lib[from..from + lib[from..].find(']').unwrap()]
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(handled, built, "generate_handler! and build.rs list different commands");
    // Every command the UI calls exists.
    let ipc = read("../ui/src/ipc.ts");
    let mut called = 0;
    for part in ipc.split("call<").skip(1) {
        let Some((ty, rest)) = part.split_once(">(\"") else { continue };
        if ty.contains('\n') {
            continue;
        }
        let name = rest.split('"').next().unwrap();
        assert!(built.contains(name), "ui/src/ipc.ts calls {name}, which is not a command");
        called += 1;
    }
    assert_eq!(called, built.len(), "ui/src/ipc.ts wraps every command once");
}
