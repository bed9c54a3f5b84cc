//! The house keeps its shape: the core's rooms import one another only in the directions of
//! ARCHITECTURE.md (records never import a renderer), and no module of the core imports, through
//! others, itself. Read from the source, so a wrong-way `use` fails here, named with its line.
//!
//! A module is a file of `src/` (the CLI in `src/bin` is outside the core); an import is a path
//! that starts at `crate::`, `super::` or `self::` in code (comments are skipped; a `use` may span
//! lines). A folder's
//! `mod.rs` and its own files are one module for the circle check (a parent declares its children
//! and they see its items: that is how Rust nests, not a circle between rooms).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each room and the rooms it may import. `foundation` is `error`, `digest` and `strict_json`.
const ARROWS: &[(&str, &[&str])] = &[
    ("foundation", &[]),
    ("eligibility", &["foundation"]),
    ("treatment", &["foundation", "eligibility"]),
    ("outcomes", &["foundation", "eligibility"]),
    ("records", &["foundation", "eligibility", "treatment", "outcomes"]),
    ("vault", &["foundation", "records"]),
    ("documents", &["foundation", "eligibility", "treatment", "outcomes", "records"]),
];

const FOUNDATION: &[&str] = &["error", "digest", "strict_json"];

/// An import of `to` (a module path) by `from`, at `line` of `file`.
#[derive(Debug, Clone)]
struct Import {
    from: String,
    to: String,
    file: String,
    line: usize,
}

fn room(module: &str) -> Option<&str> {
    let first = module.split("::").next().unwrap_or("");
    if module.is_empty() {
        None
    } else if FOUNDATION.contains(&first) {
        Some("foundation")
    } else {
        Some(first)
    }
}

/// The module path of a file of `src/` ("" for lib.rs).
fn module_of(relative: &Path) -> String {
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts.join("::")
}

fn parent(module: &str) -> String {
    module.rsplit_once("::").map(|(p, _)| p.to_string()).unwrap_or_default()
}

fn join(base: &str, rest: &str) -> String {
    match (base.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_string(),
        (_, true) => base.to_string(),
        _ => format!("{base}::{rest}"),
    }
}

/// The paths named after `crate::`/`super::`/`self::` in `line` (a whole file's code: a brace
/// group may span lines), brace groups expanded one level (`crate::{a::B, c}` names `a::B` and
/// `c`); each with the byte offset where it starts.
fn paths_on(line: &str) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(at) = line[from..].find(start) {
            let at = from + at;
            from = at + start.len();
            let boundary = at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
            if !boundary || (start == "self::" && line[..at].ends_with("super::")) {
                continue;
            }
            let anchor = start.trim_end_matches("::").to_string();
            let rest = &line[from..];
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 1;
                let mut item = String::new();
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    if depth == 0 || (depth == 1 && c == ',') {
                        out.push((anchor.clone(), path_prefix(&item), at));
                        item.clear();
                        if depth == 0 {
                            break;
                        }
                    } else {
                        item.push(c);
                    }
                }
            } else {
                out.push((anchor, path_prefix(rest), at));
            }
        }
    }
    out
}

/// `a::b::C<..>` → `a::b::C`: the identifiers joined by `::` at the start of `text`.
fn path_prefix(text: &str) -> String {
    let text = text.trim();
    let mut end = 0;
    let chars: Vec<char> = text.chars().collect();
    while end < chars.len() {
        let c = chars[end];
        if c.is_alphanumeric() || c == '_' {
            end += 1;
        } else if c == ':' && chars.get(end + 1) == Some(&':') {
            end += 2;
        } else {
            break;
        }
    }
    chars[..end].iter().collect::<String>().trim_end_matches("::").to_string()
}

/// The source with its comments blanked (`//` to the end of the line, `/* … */` across lines),
/// its lines kept where they were.
fn without_comments(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    loop {
        let line = rest.find("//");
        let block = rest.find("/*");
        match (line, block) {
            (Some(l), b) if b.is_none_or(|b| l < b) => {
                out.push_str(&rest[..l]);
                rest = &rest[l..];
                rest = &rest[rest.find('\n').unwrap_or(rest.len())..];
            }
            (_, Some(b)) => {
                out.push_str(&rest[..b]);
                let end = rest[b..].find("*/").map_or(rest.len(), |e| b + e + 2);
                out.extend(rest[b..end].chars().filter(|c| *c == '\n'));
                rest = &rest[end..];
            }
            _ => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

/// The imports of one file, resolved to the longest known module path they name.
fn imports_of(file: &str, module: &str, source: &str, modules: &BTreeSet<String>) -> Vec<Import> {
    let code = without_comments(source);
    let mut out = Vec::new();
    for (anchor, path, offset) in paths_on(&code) {
        let n = code[..offset].matches('\n').count();
        {
            // `super::` names the parent's items, or in a file's inner module (its tests) the
            // file's own: the first of the two that is a module is meant.
            let candidates = match anchor.as_str() {
                "crate" => vec![path.clone()],
                "super" => vec![join(&parent(module), &path), join(module, &path)],
                _ => vec![join(module, &path)],
            };
            let target = candidates.iter().find_map(|c| {
                let segments: Vec<&str> = c.split("::").collect();
                (1..=segments.len()).rev().map(|k| segments[..k].join("::")).find(|p| modules.contains(p))
            });
            if let Some(to) = target {
                if to != module {
                    out.push(Import { from: module.to_string(), to, file: file.to_string(), line: n + 1 });
                }
            }
        }
    }
    out
}

fn core_imports(src: &Path) -> Vec<Import> {
    let mut files = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "bin") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let modules: BTreeSet<String> =
        files.iter().map(|f| module_of(f.strip_prefix(src).unwrap())).filter(|m| !m.is_empty()).collect();
    let mut out = Vec::new();
    for f in &files {
        let relative = f.strip_prefix(src).unwrap();
        let module = module_of(relative);
        let source = std::fs::read_to_string(f).unwrap();
        let name = format!("src/{}", relative.display());
        out.extend(imports_of(&name, &module, &source, &modules));
    }
    out
}

/// Every import that runs against the arrows, as "file:line: from → to".
fn wrong_way(imports: &[Import]) -> Vec<String> {
    let allowed: BTreeMap<&str, &[&str]> = ARROWS.iter().copied().collect();
    let mut out = Vec::new();
    for i in imports {
        let (Some(a), Some(b)) = (room(&i.from), room(&i.to)) else { continue };
        if a == b {
            continue;
        }
        match allowed.get(a) {
            Some(ok) if ok.contains(&b) => {}
            Some(_) => out.push(format!("{}:{}: {} ({a}) imports {} ({b})", i.file, i.line, i.from, i.to)),
            None => out.push(format!("{}:{}: {} is in no room of ARCHITECTURE.md", i.file, i.line, i.from)),
        }
    }
    out
}

fn nested(a: &str, b: &str) -> bool {
    a.starts_with(&format!("{b}::")) || b.starts_with(&format!("{a}::"))
}

/// One import circle among the modules, as the modules around it, if there is one.
fn circle(imports: &[Import]) -> Option<Vec<String>> {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for i in imports {
        if !nested(&i.from, &i.to) && !i.from.is_empty() && !i.to.is_empty() {
            graph.entry(i.from.as_str()).or_default().insert(i.to.as_str());
        }
    }
    // Depth-first search; a module met again while still on the path closes a circle.
    fn visit<'a>(
        node: &'a str,
        graph: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| *n == node) {
            let mut around: Vec<String> = path[at..].iter().map(|s| s.to_string()).collect();
            around.push(node.to_string());
            return Some(around);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node);
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(found) = visit(node, &graph, &mut Vec::new(), &mut done) {
            return Some(found);
        }
    }
    None
}

fn src() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn rooms_import_only_in_the_directions_of_the_arrows() {
    let imports = core_imports(&src());
    // The reading finds the imports it must (else an empty graph would pass everything).
    assert!(
        imports.iter().any(|i| i.from == "documents::course_summary" && i.to.starts_with("records")),
        "the course summary reads the records: the reader found no such import"
    );
    let wrong = wrong_way(&imports);
    assert!(wrong.is_empty(), "imports against the arrows of ARCHITECTURE.md:\n{}", wrong.join("\n"));
}

#[test]
fn no_module_of_the_core_imports_itself_through_others() {
    let imports = core_imports(&src());
    if let Some(around) = circle(&imports) {
        panic!("an import circle: {}", around.join(" → "));
    }
}

#[test]
fn every_room_is_in_the_arrows() {
    let rooms: BTreeSet<String> =
        core_imports(&src()).iter().filter_map(|i| room(&i.from).map(str::to_string)).collect();
    let known: BTreeSet<String> = ARROWS.iter().map(|(r, _)| r.to_string()).collect();
    assert!(rooms.is_subset(&known), "rooms without arrows: {:?}", rooms.difference(&known).collect::<Vec<_>>());
}

/// The checks themselves find what they are for: a wrong-way import and a circle.
#[test]
fn the_checks_find_a_wrong_way_import_and_a_circle() {
    let modules: BTreeSet<String> =
        ["records", "records::courses", "documents", "documents::rems", "eligibility::model", "eligibility::input"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    let imports = imports_of(
        "src/records/courses.rs",
        "records::courses",
        "use super::Store;\n// crate::documents::rems in a comment is no import\nuse crate::{eligibility::model::Answer, documents::rems::RemsForm};",
        &modules,
    );
    let wrong = wrong_way(&imports);
    assert_eq!(wrong.len(), 1, "{wrong:?}");
    assert!(wrong[0].starts_with("src/records/courses.rs:3:"), "{wrong:?}");
    assert!(!imports.iter().any(|i| i.line == 2), "a comment counted as an import: {imports:?}");

    // An import over several lines, and one after a block comment, are read too.
    let grouped = imports_of(
        "src/records/courses.rs",
        "records::courses",
        "/* crate::documents::rems\n is a comment */\nuse crate::{\n    eligibility::model::Answer,\n    documents::rems::RemsForm,\n};",
        &modules,
    );
    let wrong = wrong_way(&grouped);
    assert_eq!(wrong.len(), 1, "{wrong:?}");
    assert!(wrong[0].starts_with("src/records/courses.rs:3:"), "{wrong:?}");

    let a = imports_of("src/eligibility/model.rs", "eligibility::model", "use super::input::X;", &modules);
    let b = imports_of("src/eligibility/input.rs", "eligibility::input", "use crate::eligibility::model::Y;", &modules);
    let both: Vec<Import> = a.into_iter().chain(b).collect();
    let found = circle(&both).expect("a circle of two modules");
    assert_eq!(found.first(), found.last());
    assert_eq!(found.len(), 3, "{found:?}");
}
