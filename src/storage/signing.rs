//! Acknowledging precautions and finalising: the clinician's notes and signature on a draft.

use rusqlite::params;

use super::audit::{self, Event};
use super::{to_json, AssessmentRecord, RecordStatus, Result, StorageError, Store};
use crate::engine::evaluate;
use crate::policy::SitePolicy;
use crate::ruleset::{Level, RuleSet};

impl Store {
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
}
