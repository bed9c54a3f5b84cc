//! Local records: patients and assessments in SQLite, with drafts saved on every change,
//! finalisation, amendments as new versions, and a tamper-evident audit trail.
//!
//! Durability: WAL journal with `synchronous = FULL`, so a write reported as saved has been
//! synced to disk; every change and its audit entries are one transaction.

pub mod audit;
pub mod schema;
pub mod search;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

use crate::engine::{evaluate, Determination, Evaluation};
use crate::error::InputError;
use crate::input::{parse_assessment, validate};
use crate::model::{Assessment, Sex};
use crate::policy::SitePolicy;
use crate::ruleset::{Level, RuleSet, RuleSetRef};
use audit::Event;
pub use audit::{AuditEntry, AuditReport};
use schema::{APPLICATION_ID, LATEST_VERSION};

/// The folder of the desktop app's data (derived from its identifier, as Tauri does on Linux).
pub const APP_IDENTIFIER: &str = "org.trdcheck.desktop";
pub const DATABASE_FILE: &str = "trdcheck.sqlite3";

/// The database the desktop app and the CLI share: `$XDG_DATA_HOME/org.trdcheck.desktop/trdcheck.sqlite3`.
pub fn default_path() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join(APP_IDENTIFIER).join(DATABASE_FILE))
}

#[derive(Debug, Error)]
pub enum StorageError {
    #[error("{path}: not a trdcheck database; it was not opened or changed")]
    NotTrdcheck { path: String },
    #[error("{path}: made by a newer trdcheck (schema version {found}; this version knows up to {known}); it was not opened or changed")]
    NewerSchema { path: String, found: i64, known: i64 },
    #[error("{path}: failed its integrity check ({detail}); it was not opened or changed. Restore a backup.")]
    Corrupt { path: String, detail: String },
    #[error("no patient with id {0}")]
    NoPatient(i64),
    #[error("no assessment with id {0}")]
    NoAssessment(i64),
    #[error("assessment {0} is finalised and cannot be changed; amend it to make a new version")]
    Finalised(i64),
    #[error("assessment {id} is a draft: {action} needs a finalised assessment")]
    NotFinal { id: i64, action: &'static str },
    #[error("assessment {id} was already amended (by assessment {by}); amend the newest version")]
    AlreadyAmended { id: i64, by: i64 },
    #[error("a patient with MRN {0} already exists")]
    DuplicateMrn(String),
    #[error("{field}: {message}")]
    InvalidField { field: String, message: String },
    #[error("precaution {0} needs an acknowledgement note before the assessment can be finalised")]
    AcknowledgementNeeded(String),
    #[error(
        "{rule} is not a precaution of this assessment, so it cannot be acknowledged (its precautions: {precautions})"
    )]
    NotAPrecaution { rule: String, precautions: String },
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database schema: {0}")]
    Migration(String),
}

impl StorageError {
    pub fn code(&self) -> &'static str {
        match self {
            StorageError::NotTrdcheck { .. } => "not_a_trdcheck_database",
            StorageError::NewerSchema { .. } => "newer_database",
            StorageError::Corrupt { .. } => "corrupt_database",
            StorageError::NoPatient(_) => "no_patient",
            StorageError::NoAssessment(_) => "no_assessment",
            StorageError::Finalised(_) => "finalised",
            StorageError::NotFinal { .. } => "not_final",
            StorageError::AlreadyAmended { .. } => "already_amended",
            StorageError::DuplicateMrn(_) => "duplicate_mrn",
            StorageError::InvalidField { .. } => "invalid_field",
            StorageError::AcknowledgementNeeded(_) => "acknowledgement_needed",
            StorageError::NotAPrecaution { .. } => "not_a_precaution",
            StorageError::Input(e) => e.code(),
            StorageError::Io { .. } => "io",
            StorageError::Sqlite(_) => "database",
            StorageError::Migration(_) => "migration",
        }
    }
}

type Result<T> = std::result::Result<T, StorageError>;

/// A new patient as entered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct NewPatient {
    pub mrn: String,
    pub name: String,
    #[serde(default)]
    pub date_of_birth: Option<String>,
    #[serde(default)]
    pub sex: Option<Sex>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, rename = "PatientRecord", optional_fields = nullable))]
pub struct Patient {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub mrn: String,
    pub name: String,
    pub date_of_birth: Option<String>,
    pub sex: Option<Sex>,
    pub created_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum RecordStatus {
    Draft,
    Final,
}

impl RecordStatus {
    /// From the `status` column (its CHECK allows only 'draft' and 'final').
    fn from_column(text: &str) -> RecordStatus {
        if text == "final" {
            RecordStatus::Final
        } else {
            RecordStatus::Draft
        }
    }
}

/// What was in force when an assessment was finalised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Snapshot {
    pub evaluation: Evaluation,
    pub ruleset: RuleSetRef,
    pub policy: SitePolicy,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct AssessmentRecord {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub patient_id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub version: i64,
    /// The finalised version this one amends.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub amends: Option<i64>,
    /// The version that amends this one, if any.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub amended_by: Option<i64>,
    pub status: RecordStatus,
    pub answers: Assessment,
    /// Acknowledgement note per precaution rule id.
    pub acknowledgements: BTreeMap<String, String>,
    pub created_at: String,
    pub updated_at: String,
    pub finalised_at: Option<String>,
    pub finalised_by: Option<String>,
    /// Set once finalised: the evaluation, rule set and policy at that moment.
    pub snapshot: Option<Snapshot>,
}

/// One line of a patient's list of assessments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct AssessmentListing {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub patient_id: i64,
    pub mrn: String,
    pub patient_name: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub version: i64,
    pub status: RecordStatus,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub amended_by: Option<i64>,
    pub updated_at: String,
    pub finalised_by: Option<String>,
    /// The determination at finalisation (drafts are evaluated when shown).
    pub determination: Option<Determination>,
}

/// The open database.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    integrity: Integrity,
}

/// The time now, UTC, to the second: "2026-11-23T15:55:36Z".
fn now() -> String {
    let now = time::OffsetDateTime::now_utc().replace_nanosecond(0).unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    now.format(&time::format_description::well_known::Rfc3339).unwrap_or_else(|_| now.unix_timestamp().to_string())
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

fn read_only(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(path, flags)
        .map_err(|e| StorageError::Corrupt { path: shown(path), detail: e.to_string() })
}

/// What the header of an existing file says, read without changing it.
struct Header {
    version: i64,
    wal: bool,
}

/// Checks an existing file's header without changing it: a trdcheck database, not newer.
fn inspect_header(path: &Path) -> Result<Header> {
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
fn integrity_check(path: &Path) -> Result<()> {
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
fn inspect(path: &Path) -> Result<()> {
    inspect_header(path)?;
    integrity_check(path)
}

/// The integrity check of the file, done at open or still running beside it.
enum Integrity {
    Checked,
    Running(std::thread::JoinHandle<Result<()>>),
    Failed { path: String, detail: String },
}

/// JSON leaves by path ("trials[0].dose_mg_per_day"), for the audit of a draft change. An empty
/// list or an empty entry (a trial added with nothing known yet) is a value of its own.
fn leaves(value: &Value, prefix: &str, out: &mut BTreeMap<String, Value>) {
    match value {
        // An empty list entry (`trials[1]`), not an empty section.
        Value::Object(map) if map.is_empty() && prefix.ends_with(']') => {
            out.insert(prefix.to_string(), value.clone());
        }
        Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                leaves(v, &path, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, v) in items.iter().enumerate() {
                leaves(v, &format!("{prefix}[{i}]"), out);
            }
        }
        Value::Null => {}
        other => {
            out.insert(prefix.to_string(), other.clone());
        }
    }
}

/// The answers that differ: (path, old, new), with `None` for unknown.
fn changed_answers(old: &Assessment, new: &Assessment) -> Vec<(String, Option<String>, Option<String>)> {
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    leaves(&serde_json::to_value(old).unwrap_or(Value::Null), "", &mut a);
    leaves(&serde_json::to_value(new).unwrap_or(Value::Null), "", &mut b);
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| ((*k).clone(), a.get(k).map(Value::to_string), b.get(k).map(Value::to_string)))
        .collect()
}

fn check_date(field: &str, value: &Option<String>) -> Result<()> {
    if let Some(d) = value {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(d, &format).map_err(|_| StorageError::InvalidField {
            field: field.into(),
            message: format!("{d:?} is not a date; write it as YYYY-MM-DD"),
        })?;
    }
    Ok(())
}

impl Store {
    /// Opens (or creates) the database at `path`. An existing file that is not a trdcheck
    /// database, comes from a newer version, or fails its integrity check is refused unchanged.
    pub fn open(path: &Path) -> Result<Store> {
        if path.exists() {
            inspect(path)?;
        } else if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StorageError::Io { path: shown(dir), message: e.to_string() })?;
        }
        let conn = Connection::open(path)?;
        Self::prepare(conn, Some(path.to_path_buf()))
    }

    /// Opens the database for the desktop app, quickly: the header checks (a trdcheck database,
    /// not newer) are done at once and refuse the file as [`Store::open`] does, while the full
    /// integrity check (`PRAGMA quick_check`, which reads every page) runs on its own read-only
    /// connection in the background. Nothing is written before it has passed: every write waits
    /// for it, and fails with `corrupt_database` if it did not. A file that needs a migration or
    /// is not in WAL mode is checked in full first, since opening it changes it.
    pub fn open_with_background_check(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Self::open(path);
        }
        let header = inspect_header(path)?;
        if header.version < LATEST_VERSION || !header.wal {
            return Self::open(path);
        }
        let owned = path.to_path_buf();
        let check = std::thread::spawn(move || integrity_check(&owned));
        let conn = Connection::open(path)?;
        let mut store = Self::prepare(conn, Some(path.to_path_buf()))?;
        store.integrity = Integrity::Running(check);
        Ok(store)
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
        Self::prepare(Connection::open_in_memory()?, None)
    }

    fn prepare(mut conn: Connection, path: Option<PathBuf>) -> Result<Store> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL in WAL mode: each commit is synced, so an acknowledged save survives power loss.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let app: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        if app == 0 {
            conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        }
        schema::migrations().to_latest(&mut conn).map_err(|e| StorageError::Migration(e.to_string()))?;
        Ok(Store { conn, path, integrity: Integrity::Checked })
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

    fn write<T>(&mut self, f: impl FnOnce(&rusqlite::Transaction, &str) -> Result<T>) -> Result<T> {
        // Never write to a file whose integrity check has not passed.
        self.ensure_intact()?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = now();
        let out = f(&tx, &at)?;
        tx.commit()?;
        Ok(out)
    }

    // ------------------------------------------------------------------ patients

    pub fn create_patient(&mut self, p: &NewPatient, actor: &str) -> Result<Patient> {
        let mrn = p.mrn.trim().to_string();
        if mrn.is_empty() {
            return Err(StorageError::InvalidField { field: "mrn".into(), message: "must not be empty".into() });
        }
        check_date("date_of_birth", &p.date_of_birth)?;
        self.write(|tx, at| {
            let exists: Option<i64> = tx.query_row("SELECT id FROM patient WHERE mrn = ?1", [&mrn], |r| r.get(0)).optional()?;
            if exists.is_some() {
                return Err(StorageError::DuplicateMrn(mrn.clone()));
            }
            tx.execute(
                "INSERT INTO patient (mrn, name, date_of_birth, sex, created_at, sort_name) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![mrn, p.name.trim(), p.date_of_birth, p.sex.map(Sex::as_str), at, search::fold(p.name.trim())],
            )?;
            let id = tx.last_insert_rowid();
            let mut insert = tx.prepare("INSERT OR IGNORE INTO patient_word (word, patient_id) VALUES (?1, ?2)")?;
            for w in search::words(&mrn, &p.name) {
                insert.execute(params![w, id])?;
            }
            audit::append(
                tx,
                at,
                &Event { actor, action: "create_patient", patient_id: Some(id), detail: Some(to_json(p)), ..Default::default() },
            )?;
            Ok(Patient {
                id,
                mrn: mrn.clone(),
                name: p.name.trim().to_string(),
                date_of_birth: p.date_of_birth.clone(),
                sex: p.sex,
                created_at: at.to_string(),
            })
        })
    }

    fn patient_from_row(r: &rusqlite::Row) -> rusqlite::Result<Patient> {
        let sex: Option<String> = r.get(4)?;
        Ok(Patient {
            id: r.get(0)?,
            mrn: r.get(1)?,
            name: r.get(2)?,
            date_of_birth: r.get(3)?,
            sex: sex.and_then(|s| serde_json::from_value(Value::String(s)).ok()),
            created_at: r.get(5)?,
        })
    }

    pub fn patient(&self, id: i64) -> Result<Patient> {
        self.conn
            .query_row(
                "SELECT id, mrn, name, date_of_birth, sex, created_at FROM patient WHERE id = ?1",
                [id],
                Self::patient_from_row,
            )
            .optional()?
            .ok_or(StorageError::NoPatient(id))
    }

    pub fn patient_by_mrn(&self, mrn: &str) -> Result<Option<Patient>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, mrn, name, date_of_birth, sex, created_at FROM patient WHERE mrn = ?1",
                [mrn.trim()],
                Self::patient_from_row,
            )
            .optional()?)
    }

    /// Patients whose MRN or any word of whose name starts with each word of `query`, ignoring
    /// case and accents ("garc jos" finds "José García"). An empty query lists the newest.
    pub fn search_patients(&self, query: &str, limit: usize) -> Result<Vec<Patient>> {
        let folded = search::fold(query);
        let terms: Vec<&str> = folded.split_whitespace().collect();
        let limit = limit as i64;
        if terms.is_empty() {
            let mut stmt = self.conn.prepare_cached(
                "SELECT id, mrn, name, date_of_birth, sex, created_at FROM patient ORDER BY id DESC LIMIT ?1",
            )?;
            return Ok(stmt.query_map([limit], Self::patient_from_row)?.collect::<rusqlite::Result<_>>()?);
        }
        // One prefix range per term; a patient must match every term.
        let mut sql = String::from("SELECT id, mrn, name, date_of_birth, sex, created_at FROM patient WHERE 1");
        let mut args: Vec<String> = Vec::new();
        for t in &terms {
            let n = args.len();
            sql.push_str(&format!(
                " AND id IN (SELECT patient_id FROM patient_word WHERE word >= ?{} AND word < ?{})",
                n + 1,
                n + 2
            ));
            args.push(t.to_string());
            args.push(search::prefix_end(t));
        }
        sql.push_str(&format!(" ORDER BY sort_name, mrn LIMIT {limit}"));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), Self::patient_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    // ------------------------------------------------------------------ assessments

    const ASSESSMENT_COLUMNS: &'static str = "a.id, a.patient_id, a.version, a.amends_id, \
        (SELECT b.id FROM assessment b WHERE b.amends_id = a.id), a.status, a.answers, a.acknowledgements, \
        a.created_at, a.updated_at, a.finalised_at, a.finalised_by, a.evaluation, a.ruleset_id, a.ruleset_version, \
        a.ruleset_sha256, a.policy";

    fn assessment_from_row(r: &rusqlite::Row) -> rusqlite::Result<AssessmentRecord> {
        fn json<T: for<'de> Deserialize<'de>>(idx: usize, text: Option<String>) -> rusqlite::Result<Option<T>> {
            text.map(|t| {
                serde_json::from_str(&t).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
                })
            })
            .transpose()
        }
        let status: String = r.get(5)?;
        let evaluation: Option<Evaluation> = json(12, r.get(12)?)?;
        let policy: Option<SitePolicy> = json(16, r.get(16)?)?;
        let ruleset =
            match (r.get::<_, Option<String>>(13)?, r.get::<_, Option<String>>(14)?, r.get::<_, Option<String>>(15)?) {
                (Some(id), Some(version), Some(sha256)) => Some(RuleSetRef { id, version, sha256 }),
                _ => None,
            };
        let snapshot = match (evaluation, ruleset, policy) {
            (Some(evaluation), Some(ruleset), Some(policy)) => Some(Snapshot { evaluation, ruleset, policy }),
            _ => None,
        };
        Ok(AssessmentRecord {
            id: r.get(0)?,
            patient_id: r.get(1)?,
            version: r.get(2)?,
            amends: r.get(3)?,
            amended_by: r.get(4)?,
            status: RecordStatus::from_column(&status),
            answers: json(6, Some(r.get(6)?))?.unwrap_or_default(),
            acknowledgements: json(7, Some(r.get(7)?))?.unwrap_or_default(),
            created_at: r.get(8)?,
            updated_at: r.get(9)?,
            finalised_at: r.get(10)?,
            finalised_by: r.get(11)?,
            snapshot,
        })
    }

    fn load_assessment(conn: &Connection, id: i64) -> Result<AssessmentRecord> {
        conn.query_row(
            &format!("SELECT {} FROM assessment a WHERE a.id = ?1", Self::ASSESSMENT_COLUMNS),
            [id],
            Self::assessment_from_row,
        )
        .optional()?
        .ok_or(StorageError::NoAssessment(id))
    }

    pub fn assessment(&self, id: i64) -> Result<AssessmentRecord> {
        Self::load_assessment(&self.conn, id)
    }

    /// A patient's assessments, newest first.
    pub fn assessments_of(&self, patient_id: i64) -> Result<Vec<AssessmentListing>> {
        self.patient(patient_id)?;
        self.listings(Some(patient_id), usize::MAX)
    }

    /// The most recently changed assessments of all patients.
    pub fn recent_assessments(&self, limit: usize) -> Result<Vec<AssessmentListing>> {
        self.listings(None, limit)
    }

    fn listings(&self, patient_id: Option<i64>, limit: usize) -> Result<Vec<AssessmentListing>> {
        // Two statements rather than `?1 IS NULL OR …`, which would keep SQLite from using the
        // patient index (a full scan at 100,000 assessments).
        let select = "SELECT a.id, a.patient_id, p.mrn, p.name, a.version, a.status, \
             (SELECT b.id FROM assessment b WHERE b.amends_id = a.id), a.updated_at, a.finalised_by, \
             json_extract(a.evaluation, '$.determination') \
             FROM assessment a JOIN patient p ON p.id = a.patient_id";
        let limit = limit.min(i64::MAX as usize) as i64;
        let map = |r: &rusqlite::Row| {
            let status: String = r.get(5)?;
            let det: Option<String> = r.get(9)?;
            Ok(AssessmentListing {
                id: r.get(0)?,
                patient_id: r.get(1)?,
                mrn: r.get(2)?,
                patient_name: r.get(3)?,
                version: r.get(4)?,
                status: RecordStatus::from_column(&status),
                amended_by: r.get(6)?,
                updated_at: r.get(7)?,
                finalised_by: r.get(8)?,
                determination: det.and_then(|d| serde_json::from_value(Value::String(d)).ok()),
            })
        };
        let rows = match patient_id {
            Some(id) => self
                .conn
                .prepare_cached(&format!("{select} WHERE a.patient_id = ?1 ORDER BY a.id DESC LIMIT ?2"))?
                .query_map(params![id, limit], map)?
                .collect::<rusqlite::Result<Vec<_>>>()?,
            None => self
                .conn
                .prepare_cached(&format!("{select} ORDER BY a.id DESC LIMIT ?1"))?
                .query_map(params![limit], map)?
                .collect::<rusqlite::Result<Vec<_>>>()?,
        };
        Ok(rows)
    }

    /// Starts a draft for a patient: the given answers, or an empty assessment for their MRN.
    pub fn create_draft(
        &mut self,
        patient_id: i64,
        answers: Option<Assessment>,
        actor: &str,
    ) -> Result<AssessmentRecord> {
        let patient = self.patient(patient_id)?;
        let answers = answers.unwrap_or_else(|| Assessment::new(patient.mrn.clone()));
        validate(&answers)?;
        let id = self.write(|tx, at| {
            tx.execute(
                "INSERT INTO assessment (patient_id, version, status, answers, created_at, updated_at) \
                 VALUES (?1, 1, 'draft', ?2, ?3, ?3)",
                params![patient_id, to_json(&answers), at],
            )?;
            let id = tx.last_insert_rowid();
            audit::append(
                tx,
                at,
                &Event {
                    actor,
                    action: "create_draft",
                    patient_id: Some(patient_id),
                    assessment_id: Some(id),
                    ..Default::default()
                },
            )?;
            Ok(id)
        })?;
        self.assessment(id)
    }

    /// Saves a draft's answers: validated, then written with one audit entry per changed answer.
    /// Returns when the change is on disk.
    pub fn save_draft(&mut self, id: i64, answers: &Assessment, actor: &str) -> Result<AssessmentRecord> {
        validate(answers)?;
        self.write(|tx, at| {
            let current = Self::load_assessment(tx, id)?;
            if current.status == RecordStatus::Final {
                return Err(StorageError::Finalised(id));
            }
            if current.answers == *answers {
                return Ok(());
            }
            let changes = changed_answers(&current.answers, answers);
            tx.execute(
                "UPDATE assessment SET answers = ?1, updated_at = ?2 WHERE id = ?3",
                params![to_json(answers), at, id],
            )?;
            for (field, old_value, new_value) in changes {
                audit::append(
                    tx,
                    at,
                    &Event {
                        actor,
                        action: "answer",
                        patient_id: Some(current.patient_id),
                        assessment_id: Some(id),
                        field: Some(&field),
                        old_value,
                        new_value,
                        detail: None,
                    },
                )?;
            }
            Ok(())
        })?;
        self.assessment(id)
    }

    /// Records the clinician's note for a precaution (an empty note removes it). A note can only
    /// be given for a precaution the assessment has under the rule set and policy in force.
    pub fn set_acknowledgement(
        &mut self,
        id: i64,
        rule: &str,
        note: &str,
        actor: &str,
        rules: &RuleSet,
        policy: &SitePolicy,
    ) -> Result<AssessmentRecord> {
        self.set_acknowledgements(id, &[(rule, note)], actor, rules, policy)
    }

    /// Records several notes in one transaction: all of them, or (on an error) none.
    pub fn set_acknowledgements(
        &mut self,
        id: i64,
        notes: &[(&str, &str)],
        actor: &str,
        rules: &RuleSet,
        policy: &SitePolicy,
    ) -> Result<AssessmentRecord> {
        self.write(|tx, at| Self::acknowledge_in(tx, at, id, notes, actor, rules, policy))?;
        self.assessment(id)
    }

    /// Notes, then finalising, in one transaction: when finalising is refused, no note is kept.
    pub fn finalise_with_notes(
        &mut self,
        id: i64,
        clinician: &str,
        notes: &[(&str, &str)],
        rules: &RuleSet,
        policy: &SitePolicy,
    ) -> Result<AssessmentRecord> {
        let clinician = Self::clinician(clinician)?;
        self.write(|tx, at| {
            Self::acknowledge_in(tx, at, id, notes, clinician, rules, policy)?;
            Self::finalise_in(tx, at, id, clinician, rules, policy)
        })?;
        self.assessment(id)
    }

    /// A draft and its evaluation under the rule set and policy in force (a finalised record
    /// cannot be changed).
    fn draft_evaluated(
        tx: &rusqlite::Transaction,
        id: i64,
        rules: &RuleSet,
        policy: &SitePolicy,
    ) -> Result<(AssessmentRecord, crate::engine::Evaluation)> {
        let current = Self::load_assessment(tx, id)?;
        if current.status == RecordStatus::Final {
            return Err(StorageError::Finalised(id));
        }
        let evaluation = evaluate(&current.answers, rules, policy);
        Ok((current, evaluation))
    }

    /// A note for a precaution the assessment has; an empty note removes one (only a note that
    /// exists, or one for a precaution, can be named).
    fn acknowledge_in(
        tx: &rusqlite::Transaction,
        at: &str,
        id: i64,
        notes: &[(&str, &str)],
        actor: &str,
        rules: &RuleSet,
        policy: &SitePolicy,
    ) -> Result<()> {
        let (current, evaluation) = Self::draft_evaluated(tx, id, rules, policy)?;
        let precautions: Vec<&str> =
            evaluation.findings.iter().filter(|f| f.level == Level::Precaution).map(|f| &*f.rule).collect();
        let mut acks = current.acknowledgements.clone();
        for (rule, note) in notes {
            let note = note.trim();
            // A note names a precaution; an empty one may also remove a note that exists.
            let removes_a_note = note.is_empty() && acks.contains_key(*rule);
            if !(precautions.contains(rule) || removes_a_note) {
                let precautions = if precautions.is_empty() { "none".to_string() } else { precautions.join(", ") };
                return Err(StorageError::NotAPrecaution { rule: rule.to_string(), precautions });
            }
            let old = acks.get(*rule).cloned();
            if note.is_empty() {
                acks.remove(*rule);
            } else {
                acks.insert(rule.to_string(), note.to_string());
            }
            if old.as_deref() == (!note.is_empty()).then_some(note) {
                continue;
            }
            audit::append(
                tx,
                at,
                &Event {
                    actor,
                    action: "acknowledge",
                    patient_id: Some(current.patient_id),
                    assessment_id: Some(id),
                    field: Some(rule),
                    old_value: old,
                    new_value: (!note.is_empty()).then(|| note.to_string()),
                    detail: None,
                },
            )?;
        }
        if acks != current.acknowledgements {
            tx.execute(
                "UPDATE assessment SET acknowledgements = ?1, updated_at = ?2 WHERE id = ?3",
                params![to_json(&acks), at, id],
            )?;
        }
        Ok(())
    }

    /// Finalises a draft: evaluates it with the rule set and policy in force and stores that
    /// snapshot with the clinician's name and the time. Every precaution needs an
    /// acknowledgement note, whatever the determination: a final summary never shows an
    /// unacknowledged precaution.
    pub fn finalise(
        &mut self,
        id: i64,
        clinician: &str,
        rules: &RuleSet,
        policy: &SitePolicy,
    ) -> Result<AssessmentRecord> {
        let clinician = Self::clinician(clinician)?;
        self.write(|tx, at| Self::finalise_in(tx, at, id, clinician, rules, policy))?;
        self.assessment(id)
    }

    fn clinician(name: &str) -> Result<&str> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StorageError::InvalidField {
                field: "clinician".into(),
                message: "the clinician's name is needed to finalise".into(),
            });
        }
        Ok(name)
    }

    fn finalise_in(
        tx: &rusqlite::Transaction,
        at: &str,
        id: i64,
        clinician: &str,
        rules: &RuleSet,
        policy: &SitePolicy,
    ) -> Result<()> {
        let (current, evaluation) = Self::draft_evaluated(tx, id, rules, policy)?;
        if let Some(f) = evaluation
            .findings
            .iter()
            .find(|f| f.level == Level::Precaution && !current.acknowledgements.contains_key(&*f.rule))
        {
            return Err(StorageError::AcknowledgementNeeded(f.rule.to_string()));
        }
        let r = rules.reference();
        tx.execute(
            "UPDATE assessment SET status = 'final', finalised_at = ?1, finalised_by = ?2, updated_at = ?1, \
             evaluation = ?3, ruleset_id = ?4, ruleset_version = ?5, ruleset_sha256 = ?6, policy = ?7 WHERE id = ?8",
            params![at, clinician, to_json(&evaluation), r.id, r.version, r.sha256, to_json(policy), id],
        )?;
        audit::append(
            tx,
            at,
            &Event {
                actor: clinician,
                action: "finalise",
                patient_id: Some(current.patient_id),
                assessment_id: Some(id),
                detail: Some(to_json(&serde_json::json!({
                    "determination": evaluation.determination,
                    "ruleset": r,
                    "policy": policy,
                }))),
                ..Default::default()
            },
        )?;
        Ok(())
    }

    /// Amends a finalised assessment: a new draft version with its answers and notes, linked to it.
    pub fn amend(&mut self, id: i64, actor: &str) -> Result<AssessmentRecord> {
        let new_id = self.write(|tx, at| {
            let current = Self::load_assessment(tx, id)?;
            if current.status != RecordStatus::Final {
                return Err(StorageError::NotFinal { id, action: "amending" });
            }
            if let Some(by) = current.amended_by {
                return Err(StorageError::AlreadyAmended { id, by });
            }
            // The new version is written in today's format (an amended version 1 record gains
            // the questions of version 2, unknown until answered).
            let mut answers = current.answers.clone();
            answers.upgrade();
            tx.execute(
                "INSERT INTO assessment (patient_id, version, amends_id, status, answers, acknowledgements, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?6)",
                params![
                    current.patient_id,
                    current.version + 1,
                    id,
                    to_json(&answers),
                    to_json(&current.acknowledgements),
                    at
                ],
            )?;
            let new_id = tx.last_insert_rowid();
            audit::append(
                tx,
                at,
                &Event {
                    actor,
                    action: "amend",
                    patient_id: Some(current.patient_id),
                    assessment_id: Some(new_id),
                    detail: Some(format!("amends assessment {id} (version {})", current.version)),
                    ..Default::default()
                },
            )?;
            Ok(new_id)
        })?;
        self.assessment(new_id)
    }

    /// Discards a draft. Finalised versions cannot be deleted (the database refuses too).
    pub fn discard_draft(&mut self, id: i64, actor: &str) -> Result<()> {
        self.write(|tx, at| {
            let current = Self::load_assessment(tx, id)?;
            if current.status == RecordStatus::Final {
                return Err(StorageError::Finalised(id));
            }
            tx.execute("DELETE FROM assessment WHERE id = ?1", [id])?;
            audit::append(
                tx,
                at,
                &Event {
                    actor,
                    action: "discard_draft",
                    patient_id: Some(current.patient_id),
                    assessment_id: Some(id),
                    detail: Some(to_json(&current.answers)),
                    ..Default::default()
                },
            )
            .map(|_| ())
            .map_err(Into::into)
        })
    }

    /// Imports an assessment document (version 2, or version 1 upgraded) as a new draft of the patient with that MRN
    /// (`patient.id`), creating the patient when there is none.
    pub fn import(&mut self, text: &str, actor: &str) -> Result<AssessmentRecord> {
        let answers = parse_assessment(text)?;
        let mrn = answers.patient.id.trim().to_string();
        let patient = match self.patient_by_mrn(&mrn)? {
            Some(p) => p,
            None => self.create_patient(
                &NewPatient { mrn, name: String::new(), date_of_birth: None, sex: answers.patient.sex },
                actor,
            )?,
        };
        let record = self.create_draft(patient.id, Some(answers), actor)?;
        self.write(|tx, at| {
            audit::append(
                tx,
                at,
                &Event {
                    actor,
                    action: "import",
                    patient_id: Some(patient.id),
                    assessment_id: Some(record.id),
                    detail: Some(text.to_string()),
                    ..Default::default()
                },
            )?;
            Ok(())
        })?;
        Ok(record)
    }

    /// Records the export of an assessment (call it once the file is written; the JSON is the
    /// record's answers: assessment-v2, or a version 1 record finalised as it was).
    pub fn export(&mut self, id: i64, format: &str, actor: &str) -> Result<AssessmentRecord> {
        let record = self.assessment(id)?;
        self.write(|tx, at| {
            audit::append(
                tx,
                at,
                &Event {
                    actor,
                    action: "export",
                    patient_id: Some(record.patient_id),
                    assessment_id: Some(id),
                    detail: Some(format.to_string()),
                    ..Default::default()
                },
            )?;
            Ok(())
        })?;
        Ok(record)
    }

    pub fn audit_of(&self, assessment_id: i64) -> Result<Vec<AuditEntry>> {
        Ok(audit::for_assessment(&self.conn, assessment_id)?)
    }

    /// Walks the audit chain and reports the first entry that does not hold.
    pub fn verify(&self) -> Result<AuditReport> {
        Ok(audit::verify(&self.conn)?)
    }

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

    /// Replaces this database with a backup, after checking that the backup is a trdcheck
    /// database that is not newer and passes its integrity check. Older backups are migrated.
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
        self.conn.restore(rusqlite::MAIN_DB, from, None::<fn(rusqlite::backup::Progress)>)?;
        schema::migrations().to_latest(&mut self.conn).map_err(|e| StorageError::Migration(e.to_string()))?;
        self.write(|tx, at| {
            audit::append(
                tx,
                at,
                &Event { actor, action: "restore", detail: Some(shown(from)), ..Default::default() },
            )?;
            Ok(())
        })
    }
}

impl AssessmentRecord {
    /// The rule set to show this record with: for a finalised record, the one that evaluated it
    /// (an archived version, found by its sha256), so that it reads exactly as it was signed.
    pub fn rules_for_display<'a>(&self, in_force: &'a RuleSet) -> &'a RuleSet {
        self.snapshot.as_ref().and_then(|s| RuleSet::for_reference(&s.ruleset)).unwrap_or(in_force)
    }

    /// The evaluation to show: the snapshot taken at finalisation (never re-evaluated), or for a
    /// draft a fresh evaluation with the rule set and policy in force.
    pub fn evaluation(&self, rules: &RuleSet, policy: &SitePolicy) -> Evaluation {
        match &self.snapshot {
            Some(s) => s.evaluation.clone(),
            None => evaluate(&self.answers, rules, policy),
        }
    }

    /// The summary's context for this record: patient identity, version, status and notes.
    pub fn summary_context(&self, patient: &Patient) -> crate::summary::Context {
        use crate::summary::{Context, Status};
        Context {
            patient_name: (!patient.name.is_empty()).then(|| patient.name.clone()),
            date_of_birth: patient.date_of_birth.clone(),
            mrn: Some(patient.mrn.clone()),
            version: Some(self.version as u32),
            status: Some(match (&self.finalised_by, &self.finalised_at) {
                (Some(by), Some(at)) if self.status == RecordStatus::Final => {
                    Status::Final { by: by.clone(), at: at.clone() }
                }
                _ => Status::Draft,
            }),
            acknowledgements: self.acknowledgements.clone(),
            ..Context::default()
        }
    }
}

impl Store {
    /// Records a change of the site settings (policy, clinician, clinic) in the audit trail.
    pub fn record_settings_change(&mut self, actor: &str, detail: &str) -> Result<()> {
        self.write(|tx, at| {
            audit::append(
                tx,
                at,
                &Event { actor, action: "settings", detail: Some(detail.to_string()), ..Default::default() },
            )?;
            Ok(())
        })
    }
}

impl Drop for Store {
    /// A background integrity check still running is waited for, so that no thread outlives
    /// the store.
    fn drop(&mut self) {
        let _ = self.ensure_intact();
    }
}
