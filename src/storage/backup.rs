//! The database file itself: header and integrity checks that change nothing, backup and restore.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::audit::{self, Event};
use super::migrations::{self, APPLICATION_ID, LATEST_VERSION};
use super::{shown, Result, StorageError, Store};

pub(super) fn read_only(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(path, flags)
        .map_err(|e| StorageError::Corrupt { path: shown(path), detail: e.to_string() })
}

/// What the header of an existing file says, read without changing it.
pub(super) struct Header {
    pub(super) version: i64,
    pub(super) wal: bool,
}

/// Checks an existing file's header without changing it: a trdcheck database, not newer.
pub(super) fn inspect_header(path: &Path) -> Result<Header> {
    let conn = read_only(path)?;
    let header = || -> rusqlite::Result<(i64, i64, i64, String)> {
        let app: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        Ok((app, version, tables, mode))
    };
    let (app, version, tables, mode) = header().map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => StorageError::NotTrdcheck { path: shown(path) },
        _ => StorageError::Corrupt { path: shown(path), detail: e.to_string() },
    })?;
    let empty = app == 0 && version == 0 && tables == 0;
    if app != APPLICATION_ID && !empty {
        return Err(StorageError::NotTrdcheck { path: shown(path) });
    }
    if version > LATEST_VERSION {
        return Err(StorageError::NewerSchema { path: shown(path), found: version, known: LATEST_VERSION });
    }
    Ok(Header { version, wal: mode.eq_ignore_ascii_case("wal") })
}

/// `PRAGMA quick_check` on a read-only connection: reads every page, changes nothing.
pub(super) fn integrity_check(path: &Path) -> Result<()> {
    let conn = read_only(path)?;
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| StorageError::Corrupt { path: shown(path), detail: e.to_string() })?;
    if check != "ok" {
        return Err(StorageError::Corrupt { path: shown(path), detail: check });
    }
    Ok(())
}

/// Checks an existing file without changing it: a trdcheck database, not newer, intact.
pub(super) fn inspect(path: &Path) -> Result<()> {
    inspect_header(path)?;
    integrity_check(path)
}

/// The integrity check of the file, done at open or still running beside it.
pub(super) enum Integrity {
    Checked,
    Running(std::thread::JoinHandle<Result<()>>),
    Failed { path: String, detail: String },
}

impl Store {
    /// Copies the whole database to one file with SQLite's online backup.
    pub fn backup(&mut self, to: &Path, actor: &str) -> Result<()> {
        if to.exists() {
            return Err(StorageError::Io { path: shown(to), message: "already exists; choose a new file name".into() });
        }
        self.write(|tx, at| {
            audit::append(tx, at, &Event { actor, action: "backup", detail: Some(shown(to)), ..Default::default() })?;
            Ok(())
        })?;
        self.conn.backup(rusqlite::MAIN_DB, to, None)?;
        Ok(())
    }

    /// Replaces this database's records with a backup, after checking that the backup is a trdcheck
    /// database that is not newer and passes its integrity check. Older backups are migrated; the clinic's settings in force are kept.
    pub fn restore(&mut self, from: &Path, actor: &str) -> Result<()> {
        if !from.is_file() {
            return Err(StorageError::Io { path: shown(from), message: "no such file".into() });
        }
        inspect(from)?;
        self.ensure_intact()?;
        let app: i64 = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)?.query_row(
            "PRAGMA application_id",
            [],
            |r| r.get(0),
        )?;
        if app != APPLICATION_ID {
            return Err(StorageError::NotTrdcheck { path: shown(from) });
        }
        // The clinic's settings in force stay in force: a backup from another time (or from
        // before settings were kept here) must not change the policy without a word.
        let kept = if self.has_clinic_settings()? { Some(self.settings_rows()?) } else { None };
        self.conn.restore(rusqlite::MAIN_DB, from, None::<fn(rusqlite::backup::Progress)>)?;
        migrations::migrations().to_latest(&mut self.conn).map_err(|e| StorageError::Migration(e.to_string()))?;
        self.write(|tx, at| {
            audit::append(
                tx,
                at,
                &Event { actor, action: "restore", detail: Some(shown(from)), ..Default::default() },
            )?;
            Ok(())
        })?;
        match kept {
            Some(rows) => self.keep_settings_across_restore(&rows, actor, &shown(from)),
            None => Ok(()),
        }
    }
}
