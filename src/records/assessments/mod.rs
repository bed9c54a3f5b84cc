//! Assessments: drafts saved on every change, signed versions, versions linked by amendment; the
//! queries written once over [`Sql`], and [`Store`]'s methods their face on the encrypted file.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::audit::{self, changed_answers, Event};
use super::sql::{params, Row, Sql};
use super::{to_json, Result, StorageError, Store};
use crate::eligibility::engine::{Determination, Evaluation};
use crate::eligibility::input::validate;
use crate::eligibility::model::Assessment;
use crate::eligibility::policy::SitePolicy;
use crate::eligibility::ruleset::RuleSetRef;

mod record;

pub(crate) use record::{finding_text, stale};
pub use record::{AssessmentListing, AssessmentRecord, RecordStatus, Snapshot};

const COLUMNS: &str = "a.id, a.patient_id, a.version, a.amends_id, \
    (SELECT b.id FROM assessment b WHERE b.amends_id = a.id), a.status, a.answers, a.acknowledgements, \
    a.created_at, a.updated_at, a.finalised_at, a.finalised_by, a.evaluation, a.ruleset_id, a.ruleset_version, \
    a.ruleset_sha256, a.policy, a.signed_sha256, a.acknowledged_for";

fn from_row(r: &Row) -> Result<AssessmentRecord> {
    let status: String = r.get(5)?;
    let evaluation: Option<Evaluation> = r.json(12)?;
    let policy: Option<SitePolicy> = r.json(16)?;
    let ruleset = match (r.get::<Option<String>>(13)?, r.get::<Option<String>>(14)?, r.get::<Option<String>>(15)?) {
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
        answers: r.json(6)?.unwrap_or_default(),
        acknowledgements: r.json(7)?.unwrap_or_default(),
        acknowledged_for: r.json(18)?.unwrap_or_default(),
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
        finalised_at: r.get(10)?,
        finalised_by: r.get(11)?,
        signed_sha256: r.get(17)?,
        snapshot,
    })
}

/// The assessment of this id, draft or final.
pub fn load(db: &(impl Sql + ?Sized), id: i64) -> Result<AssessmentRecord> {
    match db.row(&format!("SELECT {COLUMNS} FROM assessment a WHERE a.id = $1"), params![id])? {
        Some(row) => from_row(&row),
        None => Err(StorageError::NoAssessment(id)),
    }
}

/// Only the determination of a stored evaluation (the rest of it is skipped unread).
#[derive(Deserialize)]
struct DeterminationOnly {
    determination: Option<Determination>,
}

fn listing_from_row(r: &Row) -> Result<AssessmentListing> {
    let status = RecordStatus::from_column(&r.get::<String>(5)?);
    let determination = r
        .get::<Option<String>>(9)?
        .and_then(|text| serde_json::from_str::<DeterminationOnly>(&text).ok())
        .and_then(|d| d.determination);
    let amended_by: Option<i64> = r.get(6)?;
    Ok(AssessmentListing {
        id: r.get(0)?,
        patient_id: r.get(1)?,
        mrn: r.get(2)?,
        patient_name: r.get(3)?,
        version: r.get(4)?,
        starts_course: status == RecordStatus::Final
            && amended_by.is_none()
            && determination.is_some_and(Determination::starts_course),
        status,
        amended_by,
        updated_at: r.get(7)?,
        finalised_by: r.get(8)?,
        determination,
    })
}

/// The newest assessments, of one patient or of all, newest first.
pub fn listings(db: &(impl Sql + ?Sized), patient_id: Option<i64>, limit: usize) -> Result<Vec<AssessmentListing>> {
    // Two statements rather than `$1 IS NULL OR …`, which would keep SQLite from using the
    // patient index (a full scan at 100,000 assessments).
    let select = "SELECT a.id, a.patient_id, p.mrn, p.name, a.version, a.status, \
         (SELECT b.id FROM assessment b WHERE b.amends_id = a.id), a.updated_at, a.finalised_by, a.evaluation \
         FROM assessment a JOIN patient p ON p.id = a.patient_id";
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = match patient_id {
        Some(id) => {
            db.rows(&format!("{select} WHERE a.patient_id = $1 ORDER BY a.id DESC LIMIT $2"), params![id, limit])?
        }
        None => db.rows(&format!("{select} ORDER BY a.id DESC LIMIT $1"), params![limit])?,
    };
    rows.iter().map(listing_from_row).collect()
}

/// Starts a draft for a patient: the given answers, or an empty assessment for their MRN.
pub fn create_draft(
    db: &(impl Sql + ?Sized),
    at: &str,
    patient_id: i64,
    answers: Option<Assessment>,
    actor: &str,
) -> Result<i64> {
    let patient = super::patients::by_id(db, patient_id)?;
    let answers = answers.unwrap_or_else(|| Assessment::new(patient.mrn.clone()));
    validate(&answers)?;
    insert_draft(db, at, patient_id, &answers, actor)
}

/// A new version 1 draft and its audit entry, inside the caller's transaction.
pub(super) fn insert_draft(
    db: &(impl Sql + ?Sized),
    at: &str,
    patient_id: i64,
    answers: &Assessment,
    actor: &str,
) -> Result<i64> {
    let id = crate::records::sql::returned_id(db.row(
        "INSERT INTO assessment (patient_id, version, status, answers, created_at, updated_at) \
         VALUES ($1, 1, 'draft', $2, $3, $3) RETURNING id",
        params![patient_id, to_json(answers), at],
    )?)?;
    audit::append(
        db,
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
}

/// Saves a draft's answers: validated, then written with one audit entry per changed answer.
pub fn save_draft(db: &(impl Sql + ?Sized), at: &str, id: i64, answers: &Assessment, actor: &str) -> Result<()> {
    validate(answers)?;
    write_draft(db, at, id, answers, actor)
}

/// [`save_draft`] of answers already validated (the store validates before its write waits).
fn write_draft(db: &(impl Sql + ?Sized), at: &str, id: i64, answers: &Assessment, actor: &str) -> Result<()> {
    let current = load(db, id)?;
    if current.status == RecordStatus::Final {
        return Err(StorageError::Finalised(id));
    }
    if current.answers == *answers {
        return Ok(());
    }
    let changes = changed_answers(&current.answers, answers);
    db.run("UPDATE assessment SET answers = $1, updated_at = $2 WHERE id = $3", params![to_json(answers), at, id])?;
    let base = Event {
        actor,
        action: "answer",
        patient_id: Some(current.patient_id),
        assessment_id: Some(id),
        ..Default::default()
    };
    super::signed::audit_changes(db, at, &base, changes)
}

/// Amends a finalised assessment: a new draft version with its answers and notes, linked to it.
/// Returns the new version's id.
pub fn amend(db: &(impl Sql + ?Sized), at: &str, id: i64, actor: &str) -> Result<i64> {
    let current = load(db, id)?;
    if current.status != RecordStatus::Final {
        return Err(StorageError::NotFinal { id, action: "amending" });
    }
    if let Some(by) = current.amended_by {
        return Err(StorageError::AlreadyAmended { id, by });
    }
    // The new version is written in today's format (an amended version 1 record gains the
    // questions of version 2, unknown until answered).
    let mut answers = current.answers.clone();
    answers.upgrade();
    // The notes are copied, each bound to the finding it was signed with, except the notes on
    // urgent findings: an amendment asks for those again (issue 24).
    let signed: Vec<&crate::Finding> =
        current.snapshot.as_ref().map(|s| s.evaluation.findings.iter().collect()).unwrap_or_default();
    let urgent = |rule: &str| signed.iter().any(|f| &*f.rule == rule && f.urgent);
    let acks: BTreeMap<String, String> =
        current.acknowledgements.iter().filter(|(r, _)| !urgent(r)).map(|(r, n)| (r.clone(), n.clone())).collect();
    let bound: BTreeMap<String, String> = acks
        .keys()
        .map(|r| (r.clone(), finding_text(signed.iter().copied(), r)))
        .filter(|(_, text)| !text.is_empty())
        .collect();
    let content = [
        ("answers", to_json(&answers).into()),
        ("acknowledgements", to_json(&acks).into()),
        ("acknowledged_for", to_json(&bound).into()),
    ];
    let new_id = super::signed::new_version(db, &super::signed::ASSESSMENT, id, "patient_id", &content, at)?;
    audit::append(
        db,
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
}

/// Discards a draft. Finalised versions cannot be deleted (the database refuses too).
pub fn discard_draft(db: &(impl Sql + ?Sized), at: &str, id: i64, actor: &str) -> Result<()> {
    let current = load(db, id)?;
    if current.status == RecordStatus::Final {
        return Err(StorageError::Finalised(id));
    }
    db.run("DELETE FROM assessment WHERE id = $1", params![id])?;
    audit::append(
        db,
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
}

/// The assessments of the encrypted file: the interface above on its connection.
impl Store {
    pub fn assessment(&self, id: i64) -> Result<AssessmentRecord> {
        load(&self.conn, id)
    }

    /// A patient's assessments, newest first.
    pub fn assessments_of(&self, patient_id: i64) -> Result<Vec<AssessmentListing>> {
        self.patient(patient_id)?;
        listings(&self.conn, Some(patient_id), usize::MAX)
    }

    /// The most recently changed assessments of all patients.
    pub fn recent_assessments(&self, limit: usize) -> Result<Vec<AssessmentListing>> {
        listings(&self.conn, None, limit)
    }

    /// Starts a draft for a patient: the given answers, or an empty assessment for their MRN.
    pub fn create_draft(
        &mut self,
        patient_id: i64,
        answers: Option<Assessment>,
        actor: &str,
    ) -> Result<AssessmentRecord> {
        // The patient and the answers are checked before the write waits for the integrity check
        // or the lock (see `Store::create_patient`), once.
        let patient = self.patient(patient_id)?;
        let answers = answers.unwrap_or_else(|| Assessment::new(patient.mrn.clone()));
        validate(&answers)?;
        let id = self.write(|tx, at| insert_draft(tx, at, patient_id, &answers, actor))?;
        self.assessment(id)
    }

    /// Saves a draft's answers. Returns when the change is on disk.
    pub fn save_draft(&mut self, id: i64, answers: &Assessment, actor: &str) -> Result<AssessmentRecord> {
        validate(answers)?;
        self.write(|tx, at| write_draft(tx, at, id, answers, actor))?;
        self.assessment(id)
    }

    /// Amends a finalised assessment: a new draft version with its answers and notes, linked to it.
    pub fn amend(&mut self, id: i64, actor: &str) -> Result<AssessmentRecord> {
        let new_id = self.write(|tx, at| amend(tx, at, id, actor))?;
        self.assessment(new_id)
    }

    /// Discards a draft. Finalised versions cannot be deleted (the database refuses too).
    pub fn discard_draft(&mut self, id: i64, actor: &str) -> Result<()> {
        self.write(|tx, at| discard_draft(tx, at, id, actor))
    }
}
