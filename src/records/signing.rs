//! Acknowledging precautions and finalising: the clinician's notes and signature on a draft.
use super::assessments::{finding_text, stale};
use super::audit::{self, Event};
use super::sql::{params, Sql};
use super::{to_json, AssessmentRecord, RecordStatus, Result, StorageError, Store};
use crate::eligibility::engine::evaluate;
use crate::eligibility::policy::SitePolicy;
use crate::eligibility::ruleset::{Level, RuleSet};

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
        self.write(|tx, at| acknowledge(tx, at, id, notes, actor, rules, policy))?;
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
        let clinician = clinician_named(clinician)?;
        self.write(|tx, at| {
            acknowledge(tx, at, id, notes, clinician, rules, policy)?;
            finalise(tx, at, id, clinician, rules, policy)
        })?;
        self.assessment(id)
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
        clinician_named(clinician)?;
        self.write(|tx, at| finalise(tx, at, id, clinician, rules, policy))?;
        self.assessment(id)
    }
}

impl Store {
    /// The finalised records whose stored content no longer matches the hash that was signed (an
    /// edit of the file behind the app's back), by id; records signed before signed finalisation
    /// have no hash and are not counted.
    pub fn broken_signatures(&self) -> Result<(u64, Vec<i64>)> {
        broken_signatures(self.connection())
    }
}

/// The finalised assessments whose stored content no longer matches their signature, by id, and
/// how many were checked.
pub fn broken_signatures(db: &(impl Sql + ?Sized)) -> Result<(u64, Vec<i64>)> {
    super::signed::broken(db, &super::signed::ASSESSMENT)
}

/// A draft and its evaluation under the rule set and policy in force (a finalised record
/// cannot be changed).
fn draft_evaluated(
    db: &(impl Sql + ?Sized),
    id: i64,
    rules: &RuleSet,
    policy: &SitePolicy,
) -> Result<(AssessmentRecord, crate::eligibility::engine::Evaluation)> {
    let current = super::assessments::load(db, id)?;
    if current.status == RecordStatus::Final {
        return Err(StorageError::Finalised(id));
    }
    let evaluation = evaluate(&current.answers, rules, policy);
    Ok((current, evaluation))
}

/// A note for a precaution the assessment has; an empty note removes one (only a note that
/// exists, or one for a precaution, can be named).
pub fn acknowledge(
    db: &(impl Sql + ?Sized),
    at: &str,
    id: i64,
    notes: &[(&str, &str)],
    actor: &str,
    rules: &RuleSet,
    policy: &SitePolicy,
) -> Result<()> {
    let (current, evaluation) = draft_evaluated(db, id, rules, policy)?;
    let precautions: Vec<&str> =
        evaluation.findings.iter().filter(|f| f.level == Level::Precaution).map(|f| &*f.rule).collect();
    let mut acks = current.acknowledgements.clone();
    let mut bound = current.acknowledged_for.clone();
    for (rule, note) in notes {
        let note = note.trim();
        crate::eligibility::model::check_length(
            &format!("acknowledgements.{rule}"),
            note,
            crate::eligibility::model::NOTE_MAX_CHARS,
        )?;
        // A note answers the finding as it reads now; saving it again confirms it for that.
        let rebound = if note.is_empty() {
            bound.remove(*rule);
            false
        } else {
            let now = finding_text(evaluation.findings.iter(), rule);
            bound.insert(rule.to_string(), now.clone()) != Some(now)
        };
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
        let base = Event {
            actor,
            patient_id: Some(current.patient_id),
            assessment_id: Some(id),
            field: Some(rule),
            ..Default::default()
        };
        let event = if old.as_deref() == (!note.is_empty()).then_some(note) {
            // The same words confirmed for the finding as it reads now: audited as such.
            if !rebound {
                continue;
            }
            Event { action: "acknowledge_confirm", new_value: bound.get(*rule).cloned(), ..base }
        } else {
            Event {
                action: "acknowledge",
                old_value: old,
                new_value: (!note.is_empty()).then(|| note.to_string()),
                ..base
            }
        };
        audit::append(db, at, &event)?;
    }
    if acks != current.acknowledgements || bound != current.acknowledged_for {
        db.run(
            "UPDATE assessment SET acknowledgements = $1, acknowledged_for = $2, updated_at = $3 WHERE id = $4",
            params![to_json(&acks), to_json(&bound), at, id],
        )?;
    }
    Ok(())
}

fn clinician_named(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StorageError::InvalidField {
            field: "clinician".into(),
            message: "the clinician's name is needed to finalise".into(),
        });
    }
    Ok(name)
}

/// Finalises a draft inside the caller's transaction: evaluates it with the rule set and policy
/// in force, stores that snapshot with the clinician's name and the time, and signs it. Every
/// precaution needs an acknowledgement note, whatever the determination.
pub fn finalise(
    db: &(impl Sql + ?Sized),
    at: &str,
    id: i64,
    clinician: &str,
    rules: &RuleSet,
    policy: &SitePolicy,
) -> Result<()> {
    let clinician = clinician_named(clinician)?;
    let (current, evaluation) = draft_evaluated(db, id, rules, policy)?;
    if let Some(f) = evaluation
        .findings
        .iter()
        .find(|f| f.level == Level::Precaution && !current.acknowledgements.contains_key(&*f.rule))
    {
        return Err(StorageError::AcknowledgementNeeded(f.rule.to_string()));
    }
    // A note written when the finding read otherwise is confirmed again first (issue 24).
    for f in evaluation.findings.iter().filter(|f| f.level == Level::Precaution) {
        if let Some(then) = stale(&current.acknowledged_for, evaluation.findings.iter(), &f.rule) {
            return Err(StorageError::AcknowledgementStale {
                rule: f.rule.to_string(),
                then: then.to_string(),
                now: finding_text(evaluation.findings.iter(), &f.rule),
            });
        }
    }
    let r = rules.reference();
    let (evaluation_json, policy_json) = (to_json(&evaluation), to_json(policy));
    db.run(
        "UPDATE assessment SET finalised_at = $1, finalised_by = $2, updated_at = $1, evaluation = $3, \
         ruleset_id = $4, ruleset_version = $5, ruleset_sha256 = $6, policy = $7 WHERE id = $8",
        params![at, clinician, evaluation_json, &r.id, &r.version, &r.sha256, policy_json, id],
    )?;
    let hash = super::signed::sign(db, &super::signed::ASSESSMENT, id)?;
    audit::append(
        db,
        at,
        &Event {
            actor: clinician,
            action: "finalise",
            patient_id: Some(current.patient_id),
            assessment_id: Some(id),
            detail: Some(to_json(&serde_json::json!({
                "signed_sha256": hash,
                "determination": evaluation.determination,
                "ruleset": r,
                "policy": policy,
            }))),
            ..Default::default()
        },
    )?;
    Ok(())
}
