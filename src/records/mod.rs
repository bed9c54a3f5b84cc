//! Local records in SQLite: one module per stored aggregate, each change and its audit entries
//! in one transaction.
//!
//! - [`patients`]: who an assessment is of;
//! - [`assessments`]: drafts, versions and amendments; [`signing`]: notes and finalisation;
//!   [`transfer`]: import and export;
//! - [`courses`]: treatment courses and their sessions; [`administrations`]: the outcome scales
//!   given in a course;
//! - [`audit`]: the tamper-evident trail; [`settings`]: the clinic's settings with their history;
//! - [`backup`]: integrity checks, backup and restore; [`migrations`]: the schema.
//!
//! Encryption: every file (the database, its WAL, backups) is encrypted with SQLCipher under the
//! [`DbKey`]; a store is only ever opened with it ([`key`], [`encrypt`] for an earlier version's
//! unencrypted file).
//!
//! Durability: WAL journal with `synchronous = FULL`, so a write reported as saved has been
//! synced to disk.

pub mod administrations;
pub mod assessments;
pub mod audit;
pub mod backup;
pub mod clinic_details;
pub mod courses;
pub mod encrypt;
pub mod error;
pub mod key;
pub mod migrations;
pub mod outcomes;
pub mod patients;
pub mod search;
pub mod settings;
mod signed;
pub mod signing;
pub mod sql;
pub mod transfer;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, TransactionBehavior};
use serde::Serialize;

pub use administrations::{AdministrationRecord, Baseline, BaselineOrigin};
pub use assessments::{AssessmentListing, AssessmentRecord, RecordStatus, Snapshot};
pub use audit::{AuditEntry, AuditReport};
use backup::{inspect, inspect_header, integrity_check, Integrity};
pub use courses::limits::{remember_local_offset, CourseEnd};
pub use courses::{
    CourseOverview, CourseRecord, InForce, Problem, RemsFacts, RemsPending, SessionListing, SessionOutcome,
    SessionRecord, SessionState,
};
pub(crate) use error::Result;
pub use error::StorageError;
pub use key::DbKey;
use migrations::{APPLICATION_ID, LATEST_VERSION};
pub use outcomes::{BenefitReview, CourseAlert, CourseOutcomes, OutcomePoint, ScaleOutcome};
pub use patients::{NewPatient, Patient};
pub use settings::ClinicSettings;

/// The folder of the desktop app's data (derived from its identifier, as Tauri does on Linux).
pub const APP_IDENTIFIER: &str = "org.trdcheck.desktop";
pub const DATABASE_FILE: &str = "trdcheck.sqlite3";

/// The database the desktop app and the CLI share: `$XDG_DATA_HOME/org.trdcheck.desktop/trdcheck.sqlite3`.
pub fn default_path() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join(APP_IDENTIFIER).join(DATABASE_FILE))
}

/// The open database.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    /// The key it was opened with (none in memory).
    key: Option<DbKey>,
    integrity: Integrity,
    /// The time stamped on what is written instead of the system clock ([`Store::set_clock`]).
    clock: Option<String>,
}

/// Syncs the folder holding `path`, so that a rename or a new file in it survives a power cut.
pub(crate) fn sync_parent(path: &Path) -> Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StorageError::Io { path: shown(dir), message: e.to_string() })
}

/// The time now, UTC, to the second: "2026-11-23T15:55:36Z".
pub(crate) fn now() -> String {
    let now = time::OffsetDateTime::now_utc().replace_nanosecond(0).unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    now.format(&time::format_description::well_known::Rfc3339).unwrap_or_else(|_| now.unix_timestamp().to_string())
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

pub(crate) fn shown(path: &Path) -> String {
    path.display().to_string()
}

impl Store {
    /// Opens (or creates) the encrypted database at `path` with its key. An existing file that
    /// the key does not open, is not a trdcheck database, comes from a newer version, or fails
    /// its integrity check is refused unchanged.
    pub fn open(path: &Path, key: &DbKey) -> Result<Store> {
        if path.exists() {
            inspect(path, key)?;
        } else if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StorageError::Io { path: shown(dir), message: e.to_string() })?;
        }
        let conn = key::connect(path)?;
        key::unlock(&conn, key, path)?;
        Self::prepare(conn, Some(path.to_path_buf()), Some(key.clone()))
    }

    /// Opens the database for the desktop app, quickly: the header checks (a trdcheck database,
    /// not newer) are done at once and refuse the file as [`Store::open`] does, while the full
    /// integrity check (`PRAGMA quick_check`, which reads every page) runs on its own read-only
    /// connection in the background. Nothing is written before it has passed: every write waits
    /// for it, and fails with `corrupt_database` if it did not. A file that needs a migration or
    /// is not in WAL mode is checked in full first, since opening it changes it.
    pub fn open_with_background_check(path: &Path, key: &DbKey) -> Result<Store> {
        Self::open_after_header_checks(path, key, || {
            let (owned, check_key) = (path.to_path_buf(), key.clone());
            Integrity::Running(std::thread::spawn(move || integrity_check(&owned, &check_key)))
        })
    }

    /// The quick opens: the header checks of [`Store::open`] at once, then the integrity check as
    /// `later` arranges it. A new file, one that needs a migration or one not in WAL mode is
    /// opened by [`Store::open`], checked in full first, since opening it changes it.
    fn open_after_header_checks(path: &Path, key: &DbKey, later: impl FnOnce() -> Integrity) -> Result<Store> {
        if !path.exists() {
            return Self::open(path, key);
        }
        let header = inspect_header(path, key)?;
        if header.version < LATEST_VERSION || !header.wal {
            return Self::open(path, key);
        }
        let integrity = later();
        let conn = key::connect(path)?;
        key::unlock(&conn, key, path)?;
        let mut store = Self::prepare(conn, Some(path.to_path_buf()), Some(key.clone()))?;
        store.integrity = integrity;
        Ok(store)
    }

    /// Opens the database to read (the command line's list, show, export and summaries): the
    /// header checks of [`Store::open`] at once, but not the full integrity check, which reads
    /// and decrypts every page (seconds for a large clinic). Every page a read touches is still
    /// authenticated by SQLCipher, so a damaged page is an error, never a wrong answer; and the
    /// full check runs before the first write, should there be one. A file that needs a migration
    /// or is not in WAL mode is opened as by [`Store::open`]. The full check stays in `db verify`
    /// and in the desktop app's background check.
    pub fn open_to_read(path: &Path, key: &DbKey) -> Result<Store> {
        Self::open_after_header_checks(path, key, || Integrity::Deferred)
    }

    /// Waits for the background integrity check, if one is running; its error is kept.
    pub fn ensure_intact(&mut self) -> Result<()> {
        self.integrity = match std::mem::replace(&mut self.integrity, Integrity::Checked) {
            Integrity::Running(handle) => {
                let path = self.path.as_deref().map(shown).unwrap_or_default();
                match handle.join() {
                    Ok(Ok(())) => Integrity::Checked,
                    Ok(Err(StorageError::Corrupt { path, detail })) => Integrity::Failed { path, detail },
                    Ok(Err(other)) => Integrity::Failed { path, detail: other.to_string() },
                    Err(_) => Integrity::Failed { path, detail: "the integrity check stopped".into() },
                }
            }
            Integrity::Deferred => match (&self.path, &self.key) {
                (Some(path), Some(key)) => match integrity_check(path, key) {
                    Ok(()) => Integrity::Checked,
                    Err(StorageError::Corrupt { path, detail }) => Integrity::Failed { path, detail },
                    Err(other) => return Err(other),
                },
                _ => Integrity::Checked,
            },
            settled => settled,
        };
        match &self.integrity {
            Integrity::Failed { path, detail } => {
                Err(StorageError::Corrupt { path: path.clone(), detail: detail.clone() })
            }
            _ => Ok(()),
        }
    }

    /// A database in memory (tests, previews).
    pub fn open_in_memory() -> Result<Store> {
        {
            key::initialise();
            Self::prepare(Connection::open_in_memory()?, None, None)
        }
    }

    fn prepare(mut conn: Connection, path: Option<PathBuf>, key: Option<DbKey>) -> Result<Store> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL in WAL mode: each commit is synced, so an acknowledged save survives power loss.
        conn.pragma_update(None, "synchronous", "FULL")?;
        // The foreign keys are off while the migrations run (a migration may rebuild a table that
        // others refer to; such a migration checks them itself), then on.
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        let app: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        if app == 0 {
            conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        }
        migrations::migrations().to_latest(&mut conn).map_err(|e| StorageError::Migration(e.to_string()))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(Store { conn, path, key, integrity: Integrity::Checked, clock: None })
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The raw connection, for tests and benchmarks that check the database itself.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Stamps `at` (RFC 3339, UTC) on everything this store writes from now on, instead of the
    /// system clock: for tests and benchmarks that replay a clinic's past days (an assessment
    /// signed on 1 November, its course started on the 2nd). Neither the app nor the CLI calls it.
    #[doc(hidden)]
    pub fn set_clock(&mut self, at: &str) -> Result<()> {
        time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
            .map_err(|_| courses::field("clock", format!("{at:?} is not an RFC 3339 time")))?;
        self.clock = Some(at.to_string());
        Ok(())
    }

    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&rusqlite::Transaction, &str) -> Result<T>) -> Result<T> {
        // Never write to a file whose integrity check has not passed.
        self.ensure_intact()?;
        self.transact(f)
    }

    /// `f` in one immediate transaction, stamped with the store's clock; committed if it succeeds.
    fn transact<T>(&mut self, f: impl FnOnce(&rusqlite::Transaction, &str) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = self.clock.clone().unwrap_or_else(now);
        let out = f(&tx, &at)?;
        tx.commit()?;
        Ok(out)
    }
}

impl Store {
    /// Writes what a read leaves in the records, the audit entry of an export (who exported what),
    /// as [`Store::write`] does, except that a file opened to read ([`Store::open_to_read`]) is
    /// not checked in full first: the entry is appended to the audit trail, whose pages SQLCipher
    /// authenticates as it touches them (a damaged one is an error, never overwritten), and
    /// nothing else is changed, so an export answers at once at a clinic's size (issue 25). A
    /// check that has run and failed, or is running (the app), is waited for and refuses it.
    pub(crate) fn record_read<T>(&mut self, f: impl FnOnce(&rusqlite::Transaction, &str) -> Result<T>) -> Result<T> {
        if !matches!(self.integrity, Integrity::Deferred) {
            self.ensure_intact()?;
        }
        self.transact(f)
    }
}

impl Drop for Store {
    /// A background integrity check still running is waited for, so that no thread outlives
    /// the store.
    fn drop(&mut self) {
        // (A deferred check is not started here: nothing was written.)
        if matches!(self.integrity, Integrity::Running(_)) {
            let _ = self.ensure_intact();
        }
    }
}
