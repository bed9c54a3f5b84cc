//! The REMS form's records: what a session's form is filled from, the forms not yet submitted
//! and their marking as submitted.

use serde::{Deserialize, Serialize};

use crate::eligibility::model::Route;
use crate::records::audit::{self, Event};
use crate::records::sql::{params, scalar, Sql};
use crate::records::{to_json, RecordStatus, Result, StorageError, Store};
use crate::treatment::dosing::DosingRules;
use crate::treatment::session::Session;

use super::*;

/// What the REMS Patient Monitoring Form of a session is filled from (`documents::rems` fills it).
pub struct RemsFacts {
    pub record: SessionRecord,
    pub patient: crate::records::Patient,
    /// The evaluation signed with the course's assessment (its medications).
    pub evaluation: crate::eligibility::engine::Evaluation,
    /// The assessment recorded the medications (else the form's medication boxes stay blank).
    pub medications_recorded: bool,
    /// Esketamine sessions with a dose given before this one, in any course of the patient.
    pub treated_before: u32,
}

impl Store {
    /// What the REMS form of a finalised, treated esketamine session is filled from; refused for a
    /// draft, an IV ketamine session or a session that gave no dose.
    pub fn rems_facts(&self, session_id: i64) -> Result<RemsFacts> {
        let record = self.session(session_id)?;
        if record.status != RecordStatus::Final {
            return Err(field(
                "session_id",
                format!("session {session_id} is a draft: the REMS form is made from a finalised session"),
            ));
        }
        let course = self.course(record.course_id)?;
        if course.route != Route::EsketamineNasal {
            return Err(field(
                "session_id",
                format!("session {session_id} is IV ketamine: the REMS form is for esketamine"),
            ));
        }
        // The form reports a dose given (its dose and lot number): a session without one has none.
        if record.outcome != Some(SessionOutcome::Treated) {
            let outcome = record.outcome.map_or("not treated", SessionOutcome::title);
            return Err(field(
                "session_id",
                format!("session {session_id} gave no dose ({outcome}): the REMS form is for a treated session"),
            ));
        }
        let patient = self.patient(course.patient_id)?;
        let assessment = self.assessment(course.assessment_id)?;
        let evaluation = assessment
            .snapshot
            .as_ref()
            .map(|s| s.evaluation.clone())
            .ok_or(StorageError::NotFinal { id: course.assessment_id, action: "the REMS form" })?;
        let treated_before =
            esketamine_treatments_before(&self.conn, course.patient_id, course.id, record.session.number)?;
        Ok(RemsFacts {
            medications_recorded: assessment.answers.medications.is_some(),
            record,
            patient,
            evaluation,
            treated_before,
        })
    }
}

/// A finalised, treated esketamine session whose REMS form is not marked submitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct RemsPending {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub session_id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub course_id: i64,
    pub mrn: String,
    pub patient_name: String,
    pub date: String,
    /// The last day to submit (the session's date + 7 days).
    pub due: String,
}

impl RemsPending {
    /// Past its last day to submit on `today` (YYYY-MM-DD): overdue, as the app marks it.
    pub fn overdue(&self, today: &str) -> bool {
        self.due.as_str() < today
    }
}

impl Store {
    /// The treated esketamine sessions whose REMS form is not marked submitted, oldest first.
    pub fn rems_pending(&self, dosing: &DosingRules) -> Result<Vec<RemsPending>> {
        let rows = self.conn.rows(
            &format!(
                "SELECT s.id, s.course_id, p.mrn, p.name, s.data FROM session s \
                 JOIN course c ON c.id = s.course_id JOIN patient p ON p.id = c.patient_id \
                 WHERE c.route = 'esketamine_nasal' AND s.status = 'final' AND s.outcome = 'treated' \
                 AND NOT EXISTS (SELECT 1 FROM rems_submission r WHERE r.session_id = s.id) AND NOT {SUPERSEDED} ORDER BY s.id"
            ),
            &[],
        )?;
        let rows = rows
            .iter()
            .map(|r| Ok((r.get::<i64>(0)?, r.get::<i64>(1)?, r.get::<String>(2)?, r.get::<String>(3)?, stored(r, 4)?)))
            .collect::<Result<Vec<(i64, i64, String, String, Session)>>>()?;
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let days = dosing.esketamine.rems_form.submit_within_days;
        let mut out = Vec::with_capacity(rows.len());
        for (session_id, course_id, mrn, patient_name, session) in rows {
            let due = time::Date::parse(&session.date, &format)
                .ok()
                .and_then(|d| d.checked_add(time::Duration::days(i64::from(days))))
                .and_then(|d| d.format(&format).ok())
                .unwrap_or_default();
            out.push(RemsPending { session_id, course_id, mrn, patient_name, date: session.date, due });
        }
        out.sort_by(|a, b| a.due.cmp(&b.due).then(a.session_id.cmp(&b.session_id)));
        Ok(out)
    }

    /// Marks a session's REMS form as submitted (once; audited).
    pub fn mark_rems_submitted(&mut self, session_id: i64, actor: &str) -> Result<()> {
        self.write(|tx, at| mark_submitted(tx, at, session_id, actor))
    }
}

/// Marks a session's REMS form as submitted ([`Store::mark_rems_submitted`]).
pub fn mark_submitted(tx: &(impl Sql + ?Sized), at: &str, session_id: i64, actor: &str) -> Result<()> {
    let record = load_session(tx, session_id)?;
    let course = load_course(tx, record.course_id)?;
    if course.route != Route::EsketamineNasal || record.outcome != Some(SessionOutcome::Treated) {
        return Err(field("session_id", format!("session {session_id} is not a treated esketamine session")));
    }
    let done: i64 = scalar(tx, "SELECT COUNT(*) FROM rems_submission WHERE session_id = $1", params![session_id])?;
    if done > 0 {
        return Err(field("session_id", format!("the REMS form of session {session_id} is already marked submitted")));
    }
    tx.run(
        "INSERT INTO rems_submission (session_id, submitted_at, submitted_by) VALUES ($1, $2, $3)",
        params![session_id, at, actor],
    )?;
    audit::append(
        tx,
        at,
        &Event {
            actor,
            action: "rems_submitted",
            patient_id: Some(course.patient_id),
            assessment_id: Some(course.assessment_id),
            detail: Some(to_json(&serde_json::json!({ "course": course.id, "session": session_id }))),
            ..Default::default()
        },
    )?;
    Ok(())
}
