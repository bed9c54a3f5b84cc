//! An earlier version's unencrypted records, encrypted in place, crash-safely.
//!
//! The steps: the plain file is checked (a trdcheck database, not newer, intact) and its WAL
//! folded into it; an encrypted copy is written beside it (`….encrypting`), read back with the key
//! and compared table by table; it is synced, and renamed over the plain file (one atomic step),
//! and the folder is synced. A crash before the rename leaves the plain file complete (the
//! half-written copy is removed at the next attempt); after it, the encrypted file is complete.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags};

use super::backup::{header_of, quick_check};
use super::key::{self, open_with_key, DbKey};
use super::{shown, sync_parent, Result, StorageError};

/// The encrypted copy being written, beside the plain file.
pub fn encrypting_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".encrypting");
    path.with_file_name(name)
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(StorageError::Io { path: shown(path), message: e.to_string() })
        }
        _ => Ok(()),
    }
}

/// Row counts of every table, with the schema version and application id: what the copy must equal.
fn census(conn: &Connection) -> Result<Vec<(String, i64)>> {
    let mut out = Vec::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for t in tables {
        let n: i64 =
            conn.query_row(&format!("SELECT count(*) FROM \"{}\"", t.replace('"', "\"\"")), [], |r| r.get(0))?;
        out.push((t, n));
    }
    for pragma in ["user_version", "application_id"] {
        out.push((pragma.to_string(), conn.query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0))?));
    }
    Ok(out)
}

/// Encrypts the unencrypted trdcheck database at `path` with `key`, in place (see the module).
pub fn encrypt_plain(path: &Path, key: &DbKey) -> Result<()> {
    let copy = encrypting_path(path);
    for stale in [copy.clone(), sidecar(&copy, "-journal"), sidecar(&copy, "-wal"), sidecar(&copy, "-shm")] {
        remove_if_present(&stale)?;
    }
    {
        // Fold the WAL into the file and leave WAL mode, so the plain file stands alone.
        // Read-write from the start: a WAL left by a crash (of an earlier version, or of an
        // interrupted encryption) is recovered first, which a read-only check cannot do.
        let plain = key::connect(path)?;
        plain.busy_timeout(std::time::Duration::from_secs(5))?;
        header_of(&plain, path)?;
        // Every change in the WAL folded into the file, and the WAL gone: else another program
        // (another trdcheck window) has the file open, and nothing is done.
        let in_use = || StorageError::Io {
            path: shown(path),
            message: "the records are open in another trdcheck window or trd-check command; close it and try again"
                .into(),
        };
        let (busy, log, done): (i64, i64, i64) =
            plain.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        if busy != 0 || log != done {
            return Err(in_use());
        }
        quick_check(&plain, path)?;
        let mode: String = plain.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("delete") {
            return Err(in_use());
        }
        let name = copy.to_str().ok_or_else(|| StorageError::Io {
            path: shown(&copy),
            message: "the folder's name cannot be used (not UTF-8)".into(),
        })?;
        plain.execute("ATTACH DATABASE ?1 AS encrypted KEY ?2", params![name, &*key.literal()])?;
        let exported = plain.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(())).and_then(|()| {
            let version: i64 = plain.query_row("PRAGMA main.user_version", [], |r| r.get(0))?;
            let app: i64 = plain.query_row("PRAGMA main.application_id", [], |r| r.get(0))?;
            plain.pragma_update(Some("encrypted"), "user_version", version)?;
            plain.pragma_update(Some("encrypted"), "application_id", app)
        });
        let detached = plain.execute("DETACH DATABASE encrypted", []);
        exported?;
        detached?;
        // Read back with the key: intact, and the same rows in every table.
        let encrypted = open_with_key(&copy, key, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        quick_check(&encrypted, &copy)?;
        if census(&encrypted)? != census(&plain)? {
            return Err(StorageError::Corrupt {
                path: shown(&copy),
                detail: "the encrypted copy does not hold the same records; the unencrypted file was kept".into(),
            });
        }
    }
    std::fs::File::open(&copy)
        .and_then(|f| f.sync_all())
        .map_err(|e| StorageError::Io { path: shown(&copy), message: e.to_string() })?;
    for stale in [sidecar(path, "-wal"), sidecar(path, "-shm"), sidecar(path, "-journal")] {
        remove_if_present(&stale)?;
    }
    std::fs::rename(&copy, path).map_err(|e| StorageError::Io { path: shown(path), message: e.to_string() })?;
    sync_parent(path)
}
