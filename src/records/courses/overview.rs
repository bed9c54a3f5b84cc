//! What the course and session screens show: a session judged today, a course with its sessions
//! in order and what is due next, and the record of a course document written out.

use serde::Serialize;

use crate::eligibility::model::Route;
use crate::records::audit::{self, Event};
use crate::records::{to_json, RecordStatus, Result, StorageError, Store};
use crate::treatment::dosing::{DosingRules, ScheduleStep};
use crate::treatment::pre_dose::Gate;
use crate::treatment::session::{self, Calculator};

use super::*;

impl Store {
    /// Records that a document of a course was written out (call it once the file is written):
    /// `document` is what (`course`, `session_summary`, `rems_form`), `format` how (json, html,
    /// pdf, fhir); `session` the session it is of, if one.
    pub fn record_course_export(
        &mut self,
        course_id: i64,
        session: Option<i64>,
        document: &str,
        format: &str,
        actor: &str,
    ) -> Result<()> {
        let course = self.course(course_id)?;
        self.record_read(|tx, at| {
            audit::append(
                tx,
                at,
                &Event {
                    actor,
                    action: "course_export",
                    patient_id: Some(course.patient_id),
                    assessment_id: Some(course.assessment_id),
                    detail: Some(to_json(&serde_json::json!({
                        "course": course_id,
                        "session": session,
                        "document": document,
                        "format": format,
                    }))),
                    ..Default::default()
                },
            )?;
            Ok(())
        })
    }
}

/// A session as its screen shows it, judged today (a finalised one: as it was signed).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct SessionState {
    /// The pre-dose gate on the session's readings; a finalised session's as it was signed.
    pub gate: Option<Gate>,
    /// What finalising still needs, by field.
    pub still_needed: Vec<String>,
    /// The dose calculator at the site's settings (drafts only).
    pub calculator: Option<Calculator>,
    /// Where the session's dose falls in the schedule.
    pub schedule: ScheduleStep,
    /// The draft cannot be judged today: why, naming the field (the assessment was amended, or
    /// a reading is outside what the rules in force allow).
    pub problem: Option<Problem>,
    /// Notes written when their finding or alert read otherwise (key → how it read then; ""
    /// when not known): to be rewritten before finalising (issue 24).
    pub stale_acknowledgements: std::collections::BTreeMap<String, String>,
    /// Readings after the dose above the precaution line (urgent at the stop line) and a weight
    /// far from the assessment's: each needs the clinician's note under its key.
    pub alerts: Vec<crate::treatment::session::checks::SessionAlert>,
}

/// Why something cannot be judged, by field.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Problem {
    pub field: Option<String>,
    pub message: String,
}

/// A session in its course's list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct SessionListing {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub number: u32,
    /// 1, or the version of an amendment.
    pub version: u32,
    pub date: String,
    pub status: RecordStatus,
    pub outcome: Option<SessionOutcome>,
    pub dose_mg: Option<f64>,
    /// Where it falls in the schedule (by doses given before it).
    pub schedule: ScheduleStep,
    /// An esketamine session treated: whether its REMS form is marked submitted.
    pub rems_submitted: Option<bool>,
    /// Blood pressure before the dose, about 40 minutes after and before discharge.
    pub blood_pressure: [crate::treatment::session::BloodPressure; 3],
}

/// A course with its sessions in order and what is due next.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct CourseOverview {
    pub course: CourseRecord,
    pub sessions: Vec<SessionListing>,
    /// Doses given so far.
    pub treated: u32,
    /// Where the next dose falls in the schedule.
    pub next: ScheduleStep,
    /// Why no session can be added (a draft is open, or the assessment was amended); `None`: one can.
    pub closed: Option<String>,
}

impl Store {
    /// What a session's screen shows: the gate, what it still needs, the calculator, and its
    /// place in the schedule.
    pub fn session_state(&self, id: i64, now: &InForce) -> Result<SessionState> {
        let rec = self.session(id)?;
        let course = self.course(rec.course_id)?;
        let before = treated_before(&self.conn, rec.course_id, rec.session.number)?;
        let schedule = now.dosing.schedule_step(course.route, before + 1);
        if rec.status == RecordStatus::Final {
            return Ok(SessionState {
                gate: rec.gate,
                still_needed: vec![],
                calculator: None,
                schedule,
                problem: None,
                stale_acknowledgements: Default::default(),
                alerts: Vec::new(),
            });
        }
        let judged = Self::with_context(&self.conn, rec.course_id, rec.session.number, now, |ctx, _| {
            let gate = session::check(ctx, &rec.session)?;
            let needed = session::still_needed(ctx, &rec.session)?;
            let stale = session::stale_acknowledgements(ctx, &rec.session)?;
            let alerts = crate::treatment::session::checks::alerts(ctx, &rec.session);
            Ok((gate, needed, session::calculator(ctx, &rec.session), stale, alerts))
        });
        match judged {
            Ok((gate, still_needed, calculator, stale_acknowledgements, alerts)) => Ok(SessionState {
                stale_acknowledgements,
                alerts,
                gate: Some(gate),
                still_needed,
                calculator: Some(calculator),
                schedule,
                problem: None,
            }),
            Err(StorageError::InvalidField { field, message }) => Ok(SessionState {
                gate: None,
                still_needed: vec![],
                calculator: None,
                schedule,
                problem: Some(Problem { field: Some(field), message }),
                stale_acknowledgements: Default::default(),
                alerts: Vec::new(),
            }),
            Err(StorageError::Input(e)) => Ok(SessionState {
                gate: None,
                still_needed: vec![],
                calculator: None,
                schedule,
                problem: Some(Problem { field: e.path().map(String::from), message: e.to_string() }),
                stale_acknowledgements: Default::default(),
                alerts: Vec::new(),
            }),
            Err(e) => Err(e),
        }
    }

    /// A course with its sessions in order, each with its place in the schedule, and what is
    /// due next.
    pub fn course_overview(&self, id: i64, dosing: &DosingRules) -> Result<CourseOverview> {
        let course = self.course(id)?;
        let submitted: std::collections::BTreeSet<i64> = self
            .conn
            .rows(
                "SELECT r.session_id FROM rems_submission r JOIN session s ON s.id = r.session_id WHERE s.course_id = $1",
                crate::records::sql::params![id],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect::<Result<_>>()?;
        let mut treated = 0;
        let mut sessions = Vec::new();
        let mut draft_open = None;
        for rec in self.sessions_of(id)? {
            let schedule = dosing.schedule_step(course.route, treated + 1);
            // An amendment being written: the version it amends is in force until it is signed.
            let in_force = match (rec.status, rec.amends) {
                (RecordStatus::Draft, Some(amends)) => self.session(amends)?.outcome,
                _ => rec.outcome,
            };
            let was_treated = in_force == Some(SessionOutcome::Treated);
            if was_treated {
                treated += 1;
            }
            if rec.status == RecordStatus::Draft {
                draft_open = Some(rec.session.number);
            }
            sessions.push(SessionListing {
                id: rec.id,
                number: rec.session.number,
                version: rec.version,
                date: rec.session.date.clone(),
                status: rec.status,
                outcome: rec.outcome,
                dose_mg: if rec.outcome.is_none() || was_treated { rec.session.dose.dose_mg } else { None },
                schedule,
                rems_submitted: (was_treated && course.route == Route::EsketamineNasal)
                    .then(|| submitted.contains(&rec.id)),
                blood_pressure: rec.session.blood_pressures(),
            });
        }
        let amended_by = crate::records::assessments::load(&self.conn, course.assessment_id)?.amended_by;
        let closed = match (draft_open, amended_by) {
            _ if course.ended.is_some() => course.ended.as_ref().map(|e| format!("this course ended on {}: {}", e.ended_on, e.reason)),
            (_, Some(by)) => Some(format!(
                "the assessment this course started from was amended (assessment {by}): finalise the new version, end this course and start a new one from it"
            )),
            (Some(n), None) => Some(format!("session {n} is a draft: finalise it before adding the next")),
            (None, None) => None,
        };
        let next = dosing.schedule_step(course.route, treated + 1);
        Ok(CourseOverview { course, sessions, treated, next, closed })
    }
}
