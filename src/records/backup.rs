//! The database file itself: header and integrity checks that change nothing, backup and restore.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::audit::{self, Event};
use super::key::{is_plain, open_with_key, DbKey};
use super::migrations::{self, APPLICATION_ID, LATEST_VERSION};
use super::{shown, Result, StorageError, Store};

const READ_ONLY: OpenFlags = OpenFlags::SQLITE_OPEN_READ_ONLY.union(OpenFlags::SQLITE_OPEN_NO_MUTEX);

/// An encrypted file, opened read-only with its key.
pub(super) fn read_only(path: &Path, key: &DbKey) -> Result<Connection> {
    open_with_key(path, key, READ_ONLY)
}

/// An unencrypted file (an earlier version's records), opened read-only.
pub(super) fn read_only_plain(path: &Path) -> Result<Connection> {
    super::key::initialise();
    Connection::open_with_flags(path, READ_ONLY)
        .map_err(|e| StorageError::Corrupt { path: shown(path), detail: e.to_string() })
}

/// What the header of an existing file says, read without changing it.
pub(super) struct Header {
    pub(super) version: i64,
    pub(super) wal: bool,
}

/// Checks an existing encrypted file's header without changing it: it opens with the key, is a
/// trdcheck database, not newer. An earlier version's unencrypted records are refused as
/// [`StorageError::Plain`] (the vault encrypts them), any other unencrypted file as not ours.
pub(super) fn inspect_header(path: &Path, key: &DbKey) -> Result<Header> {
    if is_plain(path)? {
        return Err(match plain_header(path) {
            Ok(_) => StorageError::Plain { path: shown(path) },
            Err(e) => e,
        });
    }
    header_of(&read_only(path, key)?, path)
}

/// An unencrypted file is an earlier version's trdcheck records (not another program's SQLite
/// file, nor from a newer version): refused otherwise.
pub(crate) fn check_plain(path: &Path) -> Result<()> {
    plain_header(path).map(|_| ())
}

/// The header of an unencrypted file: a trdcheck database, not newer.
pub(super) fn plain_header(path: &Path) -> Result<Header> {
    header_of(&read_only_plain(path)?, path)
}

pub(super) fn header_of(conn: &Connection, path: &Path) -> Result<Header> {
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
pub(super) fn integrity_check(path: &Path, key: &DbKey) -> Result<()> {
    quick_check(&read_only(path, key)?, path)
}

pub(super) fn quick_check(conn: &Connection, path: &Path) -> Result<()> {
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| StorageError::Corrupt { path: shown(path), detail: e.to_string() })?;
    if check != "ok" {
        return Err(StorageError::Corrupt { path: shown(path), detail: check });
    }
    Ok(())
}

/// Checks an existing file without changing it: a trdcheck database, not newer, intact.
pub(super) fn inspect(path: &Path, key: &DbKey) -> Result<()> {
    inspect_header(path, key)?;
    integrity_check(path, key)
}

/// The integrity check of the file, done at open or still running beside it.
pub(super) enum Integrity {
    Checked,
    /// Not checked yet (opened to read): the first write checks the file in full before it.
    Deferred,
    Running(std::thread::JoinHandle<Result<()>>),
    Failed {
        path: String,
        detail: String,
    },
}

impl Store {
    /// Copies the whole database to one new file, encrypted with the same key (SQLCipher's
    /// export into an attached file). It is written under a temporary name and renamed when
    /// complete, so a file with the chosen name is always a whole backup.
    pub fn backup(&mut self, to: &Path, actor: &str) -> Result<()> {
        if to.exists() {
            return Err(StorageError::Io { path: shown(to), message: "already exists; choose a new file name".into() });
        }
        let key = self.key.clone().ok_or(StorageError::NotEncrypted)?;
        let partial = to.with_file_name(format!(
            "{}.partial",
            to.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "backup".into())
        ));
        fn io(path: &Path) -> impl Fn(std::io::Error) -> StorageError + '_ {
            move |e| StorageError::Io { path: shown(path), message: e.to_string() }
        }
        if partial.exists() {
            std::fs::remove_file(&partial).map_err(io(&partial))?;
        }
        self.write(|tx, at| {
            audit::append(tx, at, &Event { actor, action: "backup", detail: Some(shown(to)), ..Default::default() })?;
            Ok(())
        })?;
        let name = partial.to_str().ok_or_else(|| StorageError::Io {
            path: shown(&partial),
            message: "the folder's name cannot be used (not UTF-8)".into(),
        })?;
        self.conn.execute("ATTACH DATABASE ?1 AS backup KEY ?2", rusqlite::params![name, &*key.literal()])?;
        let exported = self.conn.query_row("SELECT sqlcipher_export('backup')", [], |_| Ok(())).and_then(|()| {
            // sqlcipher_export copies the schema and rows, not these header fields.
            for pragma in ["user_version", "application_id"] {
                let value: i64 = self.conn.query_row(&format!("PRAGMA main.{pragma}"), [], |r| r.get(0))?;
                self.conn.pragma_update(Some("backup"), pragma, value)?;
            }
            Ok(())
        });
        let detached = self.conn.execute("DETACH DATABASE backup", []);
        exported?;
        detached?;
        std::fs::File::open(&partial).and_then(|f| f.sync_all()).map_err(io(&partial))?;
        std::fs::rename(&partial, to).map_err(io(to))?;
        super::sync_parent(to)
    }

    /// Replaces this database's records with a backup, after checking that the backup opens with
    /// this database's key, is a trdcheck database that is not newer and passes its integrity
    /// check. Older backups are migrated; the clinic's settings in force are kept.
    pub fn restore(&mut self, from: &Path, actor: &str) -> Result<()> {
        if !from.is_file() {
            return Err(StorageError::Io { path: shown(from), message: "no such file".into() });
        }
        let key = self.key.clone().ok_or(StorageError::NotEncrypted)?;
        inspect(from, &key)?;
        self.ensure_intact()?;
        let source = read_only(from, &key)?;
        let app: i64 = source.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        if app != APPLICATION_ID {
            return Err(StorageError::NotTrdcheck { path: shown(from) });
        }
        // The clinic's settings in force stay in force: a backup from another time (or from
        // before settings were kept here) must not change the policy without a word.
        let kept = if self.has_clinic_settings()? { Some(self.settings_rows()?) } else { None };
        rusqlite::backup::Backup::new(&source, &mut self.conn)?.run_to_completion(
            256,
            std::time::Duration::ZERO,
            None,
        )?;
        drop(source);
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
