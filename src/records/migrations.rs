//! The database schema as migrations (rusqlite_migration, tracked in `user_version`).
//!
//! Finalised assessments and audit entries are protected by triggers in the database itself, so
//! that no code path (nor a hand-written SQL statement) can change them.

use rusqlite::{OptionalExtension, Transaction};
use rusqlite_migration::{HookError, HookResult, Migrations, M};

use super::search::words;
use super::StorageError;

/// An error of the records as a migration hook's error.
fn hook(e: StorageError) -> HookError {
    match e {
        StorageError::Sqlite(e) => HookError::RusqliteError(e),
        other => HookError::Hook(other.to_string()),
    }
}

/// `PRAGMA application_id` of a trdcheck database ("TRDC").
pub const APPLICATION_ID: i64 = 0x5452_4443;

const V1: &str = r#"
CREATE TABLE patient (
    id            INTEGER PRIMARY KEY,
    mrn           TEXT NOT NULL UNIQUE CHECK (length(trim(mrn)) > 0),
    name          TEXT NOT NULL,
    date_of_birth TEXT,
    sex           TEXT CHECK (sex IN ('female', 'male', 'other')),
    created_at    TEXT NOT NULL
);

CREATE TABLE assessment (
    id               INTEGER PRIMARY KEY,
    patient_id       INTEGER NOT NULL REFERENCES patient(id),
    version          INTEGER NOT NULL CHECK (version >= 1),
    amends_id        INTEGER UNIQUE REFERENCES assessment(id),
    status           TEXT NOT NULL CHECK (status IN ('draft', 'final')),
    answers          TEXT NOT NULL,
    acknowledgements TEXT NOT NULL DEFAULT '{}',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    finalised_at     TEXT,
    finalised_by     TEXT,
    evaluation       TEXT,
    ruleset_id       TEXT,
    ruleset_version  TEXT,
    ruleset_sha256   TEXT,
    policy           TEXT,
    CHECK (status = 'draft' OR (finalised_at IS NOT NULL AND finalised_by IS NOT NULL AND evaluation IS NOT NULL
                                AND ruleset_sha256 IS NOT NULL AND policy IS NOT NULL))
);
CREATE INDEX assessment_by_patient ON assessment(patient_id, id);

CREATE TRIGGER assessment_final_is_immutable BEFORE UPDATE ON assessment
WHEN OLD.status = 'final'
BEGIN
    SELECT RAISE(ABORT, 'a finalised assessment cannot be changed; amend it to make a new version');
END;

CREATE TRIGGER assessment_final_is_kept BEFORE DELETE ON assessment
WHEN OLD.status = 'final'
BEGIN
    SELECT RAISE(ABORT, 'a finalised assessment cannot be deleted');
END;

CREATE TABLE audit (
    seq           INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    patient_id    INTEGER,
    assessment_id INTEGER,
    field         TEXT,
    old_value     TEXT,
    new_value     TEXT,
    detail        TEXT,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX audit_by_assessment ON audit(assessment_id, seq);

CREATE TRIGGER audit_is_append_only BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

CREATE TRIGGER audit_is_kept BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
"#;

/// Version 2: a word index for case- and accent-insensitive prefix search of patients, and the
/// folded name to sort them by.
const V2: &str = r#"
ALTER TABLE patient ADD COLUMN sort_name TEXT NOT NULL DEFAULT '';
CREATE INDEX patient_by_sort_name ON patient(sort_name, mrn);
CREATE TABLE patient_word (
    word       TEXT NOT NULL,
    patient_id INTEGER NOT NULL REFERENCES patient(id),
    PRIMARY KEY (word, patient_id)
) WITHOUT ROWID;
"#;

fn backfill_words(tx: &Transaction) -> HookResult {
    let patients: Vec<(i64, String, String)> = tx
        .prepare("SELECT id, mrn, name FROM patient")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut insert = tx.prepare("INSERT OR IGNORE INTO patient_word (word, patient_id) VALUES (?1, ?2)")?;
    let mut sort = tx.prepare("UPDATE patient SET sort_name = ?1 WHERE id = ?2")?;
    for (id, mrn, name) in patients {
        sort.execute(rusqlite::params![super::search::fold(&name), id])?;
        for w in words(&mrn, &name) {
            insert.execute(rusqlite::params![w, id])?;
        }
    }
    Ok(())
}

/// Version 3: stored drafts are upgraded to assessment-v2 (every new answer unknown, i.e.
/// absent). Finalised versions keep exactly what was signed: the database refuses to change
/// them, and they are shown with the rule set that evaluated them.
const V3: &str = "";

fn upgrade_drafts(tx: &Transaction) -> HookResult {
    let drafts: Vec<(i64, String)> = tx
        .prepare("SELECT id, answers FROM assessment WHERE status = 'draft'")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut update = tx.prepare("UPDATE assessment SET answers = ?1 WHERE id = ?2")?;
    let at = super::now();
    for (id, answers) in drafts {
        // A draft that is not valid JSON stays as it is; opening it reports the problem.
        let Ok(mut value) = serde_json::from_str::<serde_json::Value>(&answers) else { continue };
        if value.get("schema").and_then(|s| s.as_str()) == Some(crate::eligibility::model::SCHEMA_V1) {
            value["schema"] = serde_json::Value::String(crate::eligibility::model::SCHEMA.to_string());
            update.execute(rusqlite::params![value.to_string(), id])?;
            let patient_id: Option<i64> =
                tx.query_row("SELECT patient_id FROM assessment WHERE id = ?1", [id], |r| r.get(0)).ok();
            // The audit trail says how the stored answers changed.
            super::audit::append(
                tx,
                &at,
                &super::audit::Event {
                    actor: "trdcheck (database upgrade)",
                    action: "upgrade",
                    patient_id,
                    assessment_id: Some(id),
                    field: Some("schema"),
                    old_value: Some(crate::eligibility::model::SCHEMA_V1.to_string()),
                    new_value: Some(crate::eligibility::model::SCHEMA.to_string()),
                    detail: Some("rule set version 2: the new questions are unknown until answered".into()),
                },
            )
            .map_err(hook)?;
        }
    }
    Ok(())
}

pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(V1),
        M::up_with_hook(V2, backfill_words),
        M::up_with_hook(V3, upgrade_drafts),
        M::up(V4),
        M::up_with_hook(V5, retire_clinician_setting),
        M::up(super::courses::V6),
        M::up(super::courses::V7).foreign_key_check(),
        M::up(super::administrations::V8),
        M::up(super::courses::limits::V9),
        M::up_with_hook(V10, backfill_mrn_keys),
    ])
}

/// Version 10 (issue 24): each patient's MRN also as its key ([`super::patients::mrn_key`]: case,
/// dashes and compatibility forms folded), so that "DUAL-1", "dual-1" and "DUAL‑1" are one patient
/// (two would each take a dose on one day). Indexed, not unique: an earlier version may already
/// hold two such patients, which are kept and found by their exact MRN.
const V10: &str = r#"
ALTER TABLE patient ADD COLUMN mrn_key TEXT;
CREATE INDEX patient_mrn_key ON patient (mrn_key);
"#;

fn backfill_mrn_keys(tx: &Transaction) -> HookResult {
    let patients: Vec<(i64, String)> = tx
        .prepare("SELECT id, mrn FROM patient")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut set = tx.prepare("UPDATE patient SET mrn_key = ?1 WHERE id = ?2")?;
    for (id, mrn) in patients {
        set.execute(rusqlite::params![super::patients::mrn_key(&mrn), id])?;
    }
    Ok(())
}

/// Signed finalisation: the SHA-256 of what was signed (finalised by an earlier version: none).
const V5: &str = r#"
ALTER TABLE assessment ADD COLUMN signed_sha256 TEXT;
"#;

/// The clinician's name is no longer a setting: the signed-in clinician acts and signs. A name an
/// earlier version kept is removed, with its audit entry (so the settings' history still holds).
fn retire_clinician_setting(tx: &Transaction) -> HookResult {
    let old: Option<String> =
        tx.query_row("SELECT value FROM setting WHERE key = 'clinician'", [], |r| r.get(0)).optional()?;
    if let Some(old) = old {
        tx.execute("DELETE FROM setting WHERE key = 'clinician'", [])?;
        super::audit::append(
            tx,
            &super::now(),
            &super::audit::Event {
                actor: "trdcheck (upgrade)",
                action: super::settings::SETTINGS_ACTION,
                field: Some("clinician"),
                old_value: Some(old),
                new_value: None,
                detail: Some("retired: the signed-in clinician is recorded instead".into()),
                ..Default::default()
            },
        )
        .map_err(hook)?;
    }
    Ok(())
}

/// The clinic's settings, one row per setting (its value as JSON); their history is in the audit
/// trail (action `settings`, field = the key, from → to).
const V4: &str = r#"
CREATE TABLE setting (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
) WITHOUT ROWID;
"#;

/// The schema version this build creates and understands.
pub const LATEST_VERSION: i64 = 10;
