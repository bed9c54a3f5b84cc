//! The main window may call the app's own commands and nothing else, and everything that lists
//! the commands is generated from commands.toml: the command functions and handler (build.rs),
//! the capability file (build.rs; scripts/test fails when the committed one differs from what the
//! build wrote) and the TypeScript wrappers (scripts/bindings; `--check` in CI). This test checks
//! what is on disk: no plugin permission, and wrappers that pass each command's own arguments.

use std::collections::BTreeSet;

use trdcheck_desktop::commands::COMMANDS;

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn defined() -> BTreeSet<String> {
    COMMANDS.iter().map(|c| c.name.to_string()).collect()
}

#[test]
fn the_window_may_call_exactly_the_defined_commands_and_no_plugin() {
    let capability: serde_json::Value = serde_json::from_str(&read("capabilities/main.json")).unwrap();
    let granted: BTreeSet<String> =
        capability["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect();
    // No plugin permission at all: no dialog, file system, shell, opener, updater or HTTP.
    for p in &granted {
        assert!(!p.contains(':'), "the main window is granted a plugin permission: {p}");
    }
    let expected: BTreeSet<String> = defined().iter().map(|c| format!("allow-{}", c.replace('_', "-"))).collect();
    assert_eq!(granted, expected, "capabilities/main.json is not what commands.toml defines");
}

#[test]
fn the_typescript_wrappers_are_those_of_the_definition_and_the_ui_uses_only_them() {
    let wrappers = read("../ui/src/bindings/commands.ts");
    let named: BTreeSet<String> =
        wrappers.split(">(\"").skip(1).map(|rest| rest.split('"').next().unwrap().to_string()).collect();
    assert_eq!(named, defined(), "ui/src/bindings/commands.ts is out of date: run scripts/bindings");
    // Each wrapper passes exactly its command's arguments, by the names Tauri expects (the
    // camelCase of the Rust names).
    for c in COMMANDS {
        let line = wrappers
            .lines()
            .find(|l| l.contains(&format!(">(\"{}\"", c.name)))
            .unwrap_or_else(|| panic!("{}: no wrapper", c.name));
        let js: Vec<String> = c
            .args
            .iter()
            .map(|(arg, _)| {
                arg.split('_')
                    .enumerate()
                    .map(|(i, w)| if i == 0 { w.to_string() } else { w[..1].to_uppercase() + &w[1..] })
                    .collect()
            })
            .collect();
        let passed = if js.is_empty() {
            format!("(\"{}\")", c.name)
        } else {
            format!("(\"{}\", {{ {} }})", c.name, js.join(", "))
        };
        assert!(line.contains(&passed), "{}: the wrapper does not pass {passed}: {line}", c.name);
    }
    // No screen calls a command by name past the wrappers.
    let ui = format!("{}/../ui/src", env!("CARGO_MANIFEST_DIR"));
    let mut stack = vec![std::path::PathBuf::from(ui)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("bindings") {
                    stack.push(path);
                }
                continue;
            }
            if path.extension().is_some_and(|e| e == "ts") && !path.ends_with("call.ts") {
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(
                    !text.contains("invoke(") && !text.contains("invoke<") && !text.contains("call<"),
                    "{} calls a command directly; use the generated commands",
                    path.display()
                );
            }
        }
    }
}
