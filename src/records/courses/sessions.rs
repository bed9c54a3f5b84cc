//! A session's life: opened, imported, saved on every change with its audit entries, finalised
//! with a signature, amended as a new version.

use super::limits::{self as course_limits};
use crate::eligibility::engine::Determination;
use crate::records::audit::{self, changes, leaves_of, Event};
use crate::records::{to_json, RecordStatus, Result, Store};
use crate::treatment::pre_dose::GateDecision;
use crate::treatment::session::{self, Context, Course, Session};

use super::*;
use crate::records::signed;
use crate::records::sql::{params, scalar, Sql};

impl Store {
    /// The judging context of session `number` of a course. A course whose assessment has been
    /// amended since takes no more sessions: the new version is evaluated and signed, and a new
    /// course starts from it if it is eligible.
    pub(super) fn with_context<T>(
        conn: &(impl Sql + ?Sized),
        course_id: i64,
        number: u32,
        now: &InForce,
        f: impl FnOnce(&Context, &CourseRecord) -> Result<T>,
    ) -> Result<T> {
        let course = load_course(conn, course_id)?;
        let a = crate::records::assessments::load(conn, course.assessment_id)?;
        if let Some(by) = a.amended_by {
            return Err(field(
                "course_id",
                format!(
                    "the assessment this course started from (assessment {}) was amended by assessment {by}: finalise the new version and start a course from it",
                    a.id
                ),
            ));
        }
        let treated_before = treated_before(conn, course_id, number)?;
        let date_of = |n: u32| -> Result<Option<String>> {
            let date = conn.json_text("s.data", "date");
            conn.row(
                &format!(
                    "SELECT {date} FROM session s WHERE s.course_id = $1 AND s.number = $2 \
                     AND s.status = 'final' AND NOT {SUPERSEDED}"
                ),
                params![course_id, n],
            )?
            .map_or(Ok(None), |r| r.get(0))
        };
        let previous_date = if number > 1 { date_of(number - 1)? } else { None };
        let next_date = date_of(number + 1)?;
        let determination = a.snapshot.as_ref().map_or(Determination::Incomplete, |s| s.evaluation.determination);
        let c = Course { route: course.route, started_on: course.started_on.clone(), determination };
        let ctx = Context {
            course: &c,
            assessment: &a.answers,
            rules: now.rules,
            policy: now.policy,
            dosing: now.dosing,
            site: now.site,
            treated_before,
            previous_date,
            next_date,
        };
        f(&ctx, &course)
    }

    /// Adds the next session of a course, as a draft dated `date`.
    pub fn new_session(&mut self, course_id: i64, date: &str, actor: &str, now: &InForce) -> Result<SessionRecord> {
        let id = self.write(|tx, at| open(tx, at, course_id, date, actor, now))?;
        self.session(id)
    }

    /// Imports a whole session (a file in trdcheck/session/v1) as the next draft of a course;
    /// its number must be the next one.
    pub fn import_session(&mut self, course_id: i64, s: &Session, actor: &str, now: &InForce) -> Result<SessionRecord> {
        let id = self.write(|tx, at| import(tx, at, course_id, s, actor, now))?;
        self.session(id)
    }

    /// Sessions are judged in order: the next is added once the one before is finalised.
    fn no_open_draft(conn: &(impl Sql + ?Sized), course_id: i64) -> Result<()> {
        let open: Option<u32> = course_limits::first_draft(conn, course_id)?;
        match open {
            Some(n) => Err(field("course_id", format!("session {n} is a draft: finalise it before adding the next"))),
            None => Ok(()),
        }
    }

    fn insert_session(tx: &(impl Sql + ?Sized), at: &str, course_id: i64, s: &Session, actor: &str) -> Result<i64> {
        let course = load_course(tx, course_id)?;
        let id = crate::records::sql::returned_id(tx.row(
            "INSERT INTO session (course_id, number, status, data, created_at, updated_at) \
             VALUES ($1, $2, 'draft', $3, $4, $4) RETURNING id",
            params![course_id, s.number, to_json(s), at],
        )?)?;
        audit::append(
            tx,
            at,
            &Event {
                actor,
                action: "session_create",
                patient_id: Some(course.patient_id),
                assessment_id: Some(course.assessment_id),
                detail: Some(to_json(&serde_json::json!({ "course": course_id, "session": id, "number": s.number }))),
                ..Default::default()
            },
        )?;
        Ok(id)
    }

    /// Saves a session draft: checked (what cannot be true is refused, naming the field, and
    /// nothing is saved), then written with one audit entry per changed answer.
    pub fn save_session(&mut self, id: i64, s: &Session, actor: &str, now: &InForce) -> Result<SessionRecord> {
        self.write(|tx, at| save(tx, at, id, s, actor, now))?;
        self.session(id)
    }

    /// What a session still needs before it can be finalised, by field.
    pub fn session_still_needed(&self, id: i64, now: &InForce) -> Result<Vec<String>> {
        let current = self.session(id)?;
        let mut needed = Self::with_context(&self.conn, current.course_id, current.session.number, now, |ctx, _| {
            Ok(session::still_needed(ctx, &current.session)?)
        })?;
        // Its day, too: a session is not finalised before it (as finalising says).
        let at = self.clock.clone().unwrap_or_else(crate::records::now);
        if current.status == RecordStatus::Draft
            && course_limits::not_after_signing(&current.session.date, &at).is_err()
        {
            needed.insert(0, "date".to_string());
        }
        Ok(needed)
    }

    /// Finalises a session, signed by `clinician` (whose passphrase the caller has checked): it
    /// must need nothing more. The gate, the rule set, policy and dosing rules in force and a
    /// SHA-256 of what was signed are kept with it.
    pub fn finalise_session(&mut self, id: i64, clinician: &str, now: &InForce) -> Result<SessionRecord> {
        self.write(|tx, at| finalise(tx, at, id, clinician, now))?;
        self.session(id)
    }
}

impl Store {
    /// Amends a finalised session: a new draft version of it (the same number, its answers
    /// copied), edited and finalised like any session; the version it amends is kept unchanged
    /// and stays in force until the amendment is finalised. Only the newest version can be
    /// amended, once, and only while no other session of the course is a draft.
    pub fn amend_session(&mut self, id: i64, actor: &str) -> Result<SessionRecord> {
        let new_id = self.write(|tx, at| amend(tx, at, id, actor))?;
        self.session(new_id)
    }
}

/// The number the next session of a course takes.
fn next_number(db: &(impl Sql + ?Sized), course_id: i64) -> Result<u32> {
    scalar(db, "SELECT COALESCE(MAX(number), 0) + 1 FROM session WHERE course_id = $1", params![course_id])
}

/// Adds the next session of a course, as a draft dated `date`; its id.
pub fn open(tx: &(impl Sql + ?Sized), at: &str, course_id: i64, date: &str, actor: &str, now: &InForce) -> Result<i64> {
    let number: u32 = next_number(tx, course_id)?;
    let s = Session::new(number, date);
    Store::with_context(tx, course_id, number, now, |ctx, course| {
        session::check(ctx, &s)?;
        course_limits::one_treatment_a_day(tx, course.patient_id, &s.date, &[])
    })?;
    course_limits::not_ended(tx, course_id)?;
    Store::no_open_draft(tx, course_id)?;
    Store::insert_session(tx, at, course_id, &s, actor)
}

/// Imports a whole session as the next draft of a course ([`Store::import_session`]); its id.
pub fn import(
    tx: &(impl Sql + ?Sized),
    at: &str,
    course_id: i64,
    s: &Session,
    actor: &str,
    now: &InForce,
) -> Result<i64> {
    let next: u32 = next_number(tx, course_id)?;
    course_limits::not_ended(tx, course_id)?;
    Store::no_open_draft(tx, course_id)?;
    if s.number != next {
        return Err(field("number", format!("{} is not the course's next session ({next})", s.number)));
    }
    let mut bound = s.clone();
    Store::with_context(tx, course_id, s.number, now, |ctx, course| {
        session::check(ctx, s)?;
        // An imported note answers the readings imported with it.
        session::bind_acknowledgements(ctx, None, &mut bound)?;
        course_limits::one_treatment_a_day(tx, course.patient_id, &s.date, &[])?;
        if s.dose.dose_mg.is_some() {
            course_limits::one_dose_a_day(tx, course.patient_id, &s.date, &[])?;
        }
        Ok(())
    })?;
    Store::insert_session(tx, at, course_id, &bound, actor)
}

/// Saves a session draft ([`Store::save_session`]).
pub fn save(tx: &(impl Sql + ?Sized), at: &str, id: i64, s: &Session, actor: &str, now: &InForce) -> Result<()> {
    let current = load_session(tx, id)?;
    if current.status == RecordStatus::Final {
        return Err(field("session_id", format!("session {id} is finalised and cannot be changed")));
    }
    if s.number != current.session.number {
        return Err(field("number", format!("session {id} is number {}", current.session.number)));
    }
    Store::with_context(tx, current.course_id, s.number, now, |ctx, course| {
        session::check(ctx, s)?;
        // Each note is bound to the finding it was written for (never the client's word).
        let mut bound = s.clone();
        session::bind_acknowledgements(ctx, Some(&current.session), &mut bound)?;
        let s = &bound;
        if current.session == *s {
            return Ok(());
        }
        if s.date != current.session.date {
            let except: Vec<i64> = current.amends.into_iter().collect();
            course_limits::one_treatment_a_day(tx, course.patient_id, &s.date, &except)?;
        }
        if s.dose.dose_mg.is_some() {
            let except: Vec<i64> = std::iter::once(id).chain(current.amends).collect();
            course_limits::one_dose_a_day(tx, course.patient_id, &s.date, &except)?;
        }
        tx.run("UPDATE session SET data = $1, updated_at = $2 WHERE id = $3", params![to_json(s), at, id])?;
        let base = Event {
            actor,
            action: "session_answer",
            patient_id: Some(course.patient_id),
            assessment_id: Some(course.assessment_id),
            detail: Some(format!("course {}, session {}", course.id, s.number)),
            ..Default::default()
        };
        signed::audit_changes(tx, at, &base, changes(&leaves_of(&current.session), &leaves_of(s)))?;
        Ok(())
    })
}

/// Finalises a session, signed by `clinician` ([`Store::finalise_session`]).
pub fn finalise(tx: &(impl Sql + ?Sized), at: &str, id: i64, clinician: &str, now: &InForce) -> Result<()> {
    let current = load_session(tx, id)?;
    if current.status == RecordStatus::Final {
        return Err(field("session_id", format!("session {id} is already finalised")));
    }
    course_limits::not_after_signing(&current.session.date, at)?;
    Store::with_context(tx, current.course_id, current.session.number, now, |ctx, course| {
        let needed = session::still_needed(ctx, &current.session)?;
        if let Some(first) = needed.first() {
            return Err(field(
                first,
                format!("needed before the session is finalised (still needed: {})", needed.join(", ")),
            ));
        }
        let gate = session::gate(ctx, &current.session)?;
        let outcome = match gate.decision {
            GateDecision::Defer => SessionOutcome::Deferred,
            GateDecision::Reassess => SessionOutcome::Reassess,
            GateDecision::Proceed | GateDecision::AcknowledgeFirst => SessionOutcome::Treated,
            GateDecision::Incomplete => {
                return Err(field("pre_dose.gate", "the pre-dose gate has not decided: a reading is missing"))
            }
        };
        if outcome == SessionOutcome::Treated {
            let except: Vec<i64> = std::iter::once(id).chain(current.amends).collect();
            course_limits::one_treatment_a_day(tx, course.patient_id, &current.session.date, &except)?;
        }
        let outcome_text = serde_json::to_value(outcome).ok().and_then(|v| v.as_str().map(String::from));
        let (gate_json, policy_json, site_json) = (to_json(&gate), to_json(now.policy), to_json(now.site));
        let ruleset = now.rules.reference();
        tx.run(
            "UPDATE session SET finalised_at = $1, finalised_by = $2, updated_at = $1, gate = $3, outcome = $4, \
             ruleset_sha256 = $5, policy = $6, dosing_sha256 = $7, dosing_site = $8 WHERE id = $9",
            params![
                at,
                clinician,
                gate_json,
                outcome_text,
                ruleset.sha256,
                policy_json,
                &now.dosing.sha256,
                site_json,
                id
            ],
        )?;
        // What is signed is the row as stored.
        let hash = signed::sign(tx, &signed::SESSION, id)?;
        audit::append(
            tx,
            at,
            &Event {
                actor: clinician,
                action: "session_finalise",
                patient_id: Some(course.patient_id),
                assessment_id: Some(course.assessment_id),
                detail: Some(to_json(&serde_json::json!({
                    "course": course.id,
                    "session": id,
                    "number": current.session.number,
                    "outcome": outcome,
                    "signed_sha256": hash,
                }))),
                ..Default::default()
            },
        )?;
        Ok(())
    })
}

/// Amends a finalised session: a new draft version of it ([`Store::amend_session`]); its id.
pub fn amend(tx: &(impl Sql + ?Sized), at: &str, id: i64, actor: &str) -> Result<i64> {
    let current = load_session(tx, id)?;
    if current.status != RecordStatus::Final {
        return Err(field("session_id", format!("session {id} is a draft: change it, there is nothing to amend")));
    }
    if let Some(by) = current.amended_by {
        return Err(field("session_id", format!("session {id} was already amended by session {by}")));
    }
    Store::no_open_draft(tx, current.course_id)?;
    let course = load_course(tx, current.course_id)?;
    let version = current.version + 1;
    // The notes are copied, except those on urgent findings and alerts: the amendment asks
    // for them again (issue 24).
    let mut copy = current.session.clone();
    let urgent_rules: Vec<&str> =
        current.gate.iter().flat_map(|g| g.findings.iter()).filter(|f| f.urgent).map(|f| &*f.rule).collect();
    let urgent: Vec<String> = copy
        .acknowledgements
        .keys()
        .filter(|k| {
            urgent_rules.contains(&k.as_str()) || copy.acknowledged_for.get(*k).is_some_and(|t| t.starts_with("URGENT"))
        })
        .cloned()
        .collect();
    for key in &urgent {
        copy.acknowledgements.remove(key);
        copy.acknowledged_for.remove(key);
    }
    let new_id =
        signed::new_version(tx, &signed::SESSION, id, "course_id, number", &[("data", to_json(&copy).into())], at)?;
    audit::append(
        tx,
        at,
        &Event {
            actor,
            action: "session_amend",
            patient_id: Some(course.patient_id),
            assessment_id: Some(course.assessment_id),
            detail: Some(to_json(&serde_json::json!({
                "course": course.id,
                "session": new_id,
                "number": current.session.number,
                "version": version,
                "amends": id,
            }))),
            ..Default::default()
        },
    )?;
    Ok(new_id)
}
