//! The window's Content Security Policy (tauri.conf.json) lets the page load nothing from outside
//! the app: every directive names only the app itself, inline styles, data: images and the IPC
//! channel to the app's own commands; no script may be inline or evaluated; plugins, <base> and
//! form posts are off. (That nothing leaves the machine is shown end to end by scripts/no-network.)

use std::collections::BTreeMap;

fn policy() -> BTreeMap<String, Vec<String>> {
    let path = format!("{}/tauri.conf.json", env!("CARGO_MANIFEST_DIR"));
    let conf: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let csp = conf["app"]["security"]["csp"].as_str().expect("a CSP is set");
    csp.split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let mut words = d.split_whitespace().map(str::to_string);
            (words.next().unwrap(), words.collect())
        })
        .collect()
}

#[test]
fn the_csp_allows_no_remote_source() {
    let csp = policy();
    // Sources a directive may name: the app, nothing, data: images, the IPC channel, inline styles.
    let allowed = ["'self'", "'none'", "data:", "ipc:", "http://ipc.localhost", "'unsafe-inline'"];
    for (directive, sources) in &csp {
        for source in sources {
            assert!(allowed.contains(&source.as_str()), "{directive} allows {source}");
            if source.starts_with("http") {
                assert_eq!(directive, "connect-src", "only the IPC channel is reached over http: {directive} {source}");
            }
        }
    }
    let only = |directive: &str, sources: &[&str]| {
        assert_eq!(
            csp.get(directive).map(Vec::as_slice),
            Some(&sources.iter().map(|s| s.to_string()).collect::<Vec<_>>()[..]),
            "{directive}"
        );
    };
    only("default-src", &["'self'"]);
    only("script-src", &["'self'"]);
    only("object-src", &["'none'"]);
    only("base-uri", &["'none'"]);
    only("form-action", &["'none'"]);
    assert!(
        csp["style-src"].contains(&"'unsafe-inline'".to_string())
            && !csp["script-src"].iter().any(|s| s.contains("unsafe"))
    );
}
