//! Assessments: drafts saved on every change, versions linked by amendment, and what each record
//! shows (its rule set and evaluation).

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::audit::{self, changed_answers, Event};
use super::{to_json, Result, StorageError, Store};
use crate::eligibility::engine::{evaluate, Determination, Evaluation};
use crate::eligibility::input::validate;
use crate::eligibility::model::Assessment;
use crate::eligibility::policy::SitePolicy;
use crate::eligibility::ruleset::{RuleSet, RuleSetRef};

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
    /// Per note, the finding as it read when the note was written (a changed finding asks for
    /// the note again before finalising).
    pub acknowledged_for: BTreeMap<String, String>,
    pub created_at: String,
    pub updated_at: String,
    pub finalised_at: Option<String>,
    pub finalised_by: Option<String>,
    /// The SHA-256 of what was signed ([`Store::finalise`]); none for a record finalised by a
    /// version before signed finalisation.
    pub signed_sha256: Option<String>,
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
    /// A treatment course can start from it: finalised, the newest version, found eligible.
    pub starts_course: bool,
}

impl Store {
    const ASSESSMENT_COLUMNS: &'static str = "a.id, a.patient_id, a.version, a.amends_id, \
        (SELECT b.id FROM assessment b WHERE b.amends_id = a.id), a.status, a.answers, a.acknowledgements, \
        a.created_at, a.updated_at, a.finalised_at, a.finalised_by, a.evaluation, a.ruleset_id, a.ruleset_version, \
        a.ruleset_sha256, a.policy, a.signed_sha256, a.acknowledged_for";

    fn assessment_from_row(r: &rusqlite::Row) -> rusqlite::Result<AssessmentRecord> {
        use super::json_column as json;
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
            acknowledged_for: json(18, Some(r.get(18)?))?.unwrap_or_default(),
            created_at: r.get(8)?,
            updated_at: r.get(9)?,
            finalised_at: r.get(10)?,
            finalised_by: r.get(11)?,
            signed_sha256: r.get(17)?,
            snapshot,
        })
    }

    pub(super) fn load_assessment(conn: &Connection, id: i64) -> Result<AssessmentRecord> {
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
            let determination: Option<Determination> = det.and_then(|d| serde_json::from_value(Value::String(d)).ok());
            let status = RecordStatus::from_column(&status);
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
        let id = self.write(|tx, at| Self::insert_draft(tx, at, patient_id, &answers, actor))?;
        self.assessment(id)
    }

    /// A new version 1 draft and its audit entry, inside the caller's transaction.
    pub(super) fn insert_draft(
        tx: &Transaction,
        at: &str,
        patient_id: i64,
        answers: &Assessment,
        actor: &str,
    ) -> Result<i64> {
        tx.execute(
            "INSERT INTO assessment (patient_id, version, status, answers, created_at, updated_at) \
             VALUES (?1, 1, 'draft', ?2, ?3, ?3)",
            params![patient_id, to_json(answers), at],
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
            let base = Event {
                actor,
                action: "answer",
                patient_id: Some(current.patient_id),
                assessment_id: Some(id),
                ..Default::default()
            };
            super::signed::audit_changes(tx, at, &base, changes)?;
            Ok(())
        })?;
        self.assessment(id)
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
            // The notes are copied, each bound to the finding it was signed with, except the notes
            // on urgent findings: an amendment asks for those again (issue 24).
            let signed: Vec<&crate::Finding> =
                current.snapshot.as_ref().map(|s| s.evaluation.findings.iter().collect()).unwrap_or_default();
            let urgent = |rule: &str| signed.iter().any(|f| &*f.rule == rule && f.urgent);
            let acks: BTreeMap<String, String> = current
                .acknowledgements
                .iter()
                .filter(|(r, _)| !urgent(r))
                .map(|(r, n)| (r.clone(), n.clone()))
                .collect();
            let bound: BTreeMap<String, String> = acks
                .keys()
                .map(|r| (r.clone(), super::signing::finding_text(signed.iter().copied(), r)))
                .filter(|(_, text)| !text.is_empty())
                .collect();
            tx.execute(
                "INSERT INTO assessment (patient_id, version, amends_id, status, answers, acknowledgements, \
                 acknowledged_for, created_at, updated_at) VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?7, ?7)",
                params![
                    current.patient_id,
                    current.version + 1,
                    id,
                    to_json(&answers),
                    to_json(&acks),
                    to_json(&bound),
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
        })
    }
}

impl AssessmentRecord {
    /// The notes of a draft written when their finding read otherwise than in `e` (rule id → the
    /// finding as it read then; "" for a note written before notes were tied to their finding):
    /// each must be confirmed again before finalising.
    pub fn stale_acknowledgements(&self, e: &crate::Evaluation) -> BTreeMap<String, String> {
        if self.status != RecordStatus::Draft {
            return BTreeMap::new();
        }
        e.findings
            .iter()
            .filter(|f| f.level == crate::Level::Precaution && self.acknowledgements.contains_key(&*f.rule))
            .filter_map(|f| {
                let then = super::signing::stale(&self.acknowledged_for, e.findings.iter(), &f.rule)?;
                Some((f.rule.to_string(), then.to_string()))
            })
            .collect()
    }

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
}
