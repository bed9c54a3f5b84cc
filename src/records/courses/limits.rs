//! Limits that hold per patient, not per course (issue 24): at most one active course per patient
//! and route, a course ended with its reason, no second treated session on one day, and no course
//! that starts before the assessment it comes from was signed. (Schema V9 also binds each
//! assessment note to the finding it was written for: [`crate::records::signing`].)

use serde::{Deserialize, Serialize};

use super::super::audit::{self, Event};
use super::super::sql::{params, Row, Sql};
use super::super::{to_json, Result, Store};
use super::{field, load_course};
use crate::eligibility::model::Route;

/// Version 9: a course is ended once, with its reason; the end is kept and never changed.
pub(crate) const V9: &str = r#"
CREATE TABLE course_end (
    course_id  INTEGER PRIMARY KEY REFERENCES course(id),
    ended_on   TEXT NOT NULL,
    reason     TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    ended_at   TEXT NOT NULL,
    ended_by   TEXT NOT NULL
);

CREATE TRIGGER course_end_is_kept BEFORE DELETE ON course_end
BEGIN
    SELECT RAISE(ABORT, 'the end of a course cannot be removed');
END;

CREATE TRIGGER course_end_is_immutable BEFORE UPDATE ON course_end
BEGIN
    SELECT RAISE(ABORT, 'the end of a course cannot be changed');
END;

-- For each acknowledgement note, the finding as it read when the note was written (issue 24): a
-- note answers that reading only. Empty for records finalised before: they print as signed.
ALTER TABLE assessment ADD COLUMN acknowledged_for TEXT NOT NULL DEFAULT '{}';
"#;

/// The longest reason for ending a course, in characters.
pub const END_REASON_MAX_CHARS: usize = 2000;

/// How and when a course was ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct CourseEnd {
    /// YYYY-MM-DD.
    pub ended_on: String,
    pub reason: String,
    pub ended_at: String,
    pub ended_by: String,
}

/// The columns of [`CourseEnd`] for a query `FROM course` (NULL while the course is active).
pub(super) const END_COLUMNS: &str = "(SELECT e.ended_on FROM course_end e WHERE e.course_id = course.id), \
     (SELECT e.reason FROM course_end e WHERE e.course_id = course.id), \
     (SELECT e.ended_at FROM course_end e WHERE e.course_id = course.id), \
     (SELECT e.ended_by FROM course_end e WHERE e.course_id = course.id)";

/// The [`CourseEnd`] read from the four [`END_COLUMNS`] starting at `first`.
pub(super) fn end_from_row(r: &Row, first: usize) -> Result<Option<CourseEnd>> {
    let ended_on: Option<String> = r.get(first)?;
    Ok(match ended_on {
        None => None,
        Some(ended_on) => Some(CourseEnd {
            ended_on,
            reason: r.get(first + 1)?,
            ended_at: r.get(first + 2)?,
            ended_by: r.get(first + 3)?,
        }),
    })
}

/// The patient's active course by this route (started and not ended), if any: its id and start.
pub(super) fn active_course(db: &(impl Sql + ?Sized), patient_id: i64, route: Route) -> Result<Option<(i64, String)>> {
    db.row(
        "SELECT c.id, c.started_on FROM course c WHERE c.patient_id = $1 AND c.route = $2 \
         AND NOT EXISTS (SELECT 1 FROM course_end e WHERE e.course_id = c.id) ORDER BY c.id LIMIT 1",
        params![patient_id, route.as_str()],
    )?
    .map(|r| Ok((r.get(0)?, r.get(1)?)))
    .transpose()
}

/// The first session of a course that is still a draft, if any.
pub(super) fn first_draft(db: &(impl Sql + ?Sized), course_id: i64) -> Result<Option<u32>> {
    db.row(
        "SELECT number FROM session WHERE course_id = $1 AND status = 'draft' ORDER BY number LIMIT 1",
        params![course_id],
    )?
    .map_or(Ok(None), |r| r.get(0))
}

/// A course takes no new session once it has ended.
pub(super) fn not_ended(db: &(impl Sql + ?Sized), course_id: i64) -> Result<()> {
    let ended: Option<String> = db
        .row("SELECT ended_on FROM course_end WHERE course_id = $1", params![course_id])?
        .map_or(Ok(None), |r| r.get(0))?;
    match ended {
        Some(on) => Err(field("course_id", format!("course {course_id} ended on {on}: it takes no new session"))),
        None => Ok(()),
    }
}

/// This workstation's offset from UTC, learnt by [`remember_local_offset`].
static LOCAL_OFFSET: std::sync::OnceLock<time::UtcOffset> = std::sync::OnceLock::new();

/// Learns this workstation's time zone while the process still has one thread (the only time the
/// `time` crate reads it safely): the CLI and the app call it first thing.
pub fn remember_local_offset() {
    if let Ok(offset) = time::UtcOffset::current_local_offset() {
        let _ = LOCAL_OFFSET.set(offset);
    }
}

/// The calendar day of `at` (an RFC 3339 time) on this workstation's clock; in a process that does
/// not know its zone, at UTC`fallback_hours` (−12: the earliest day anywhere, +14: the latest).
fn local_day(at: &str, fallback_hours: i8) -> Option<time::Date> {
    let at = time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).ok()?;
    let fallback = time::UtcOffset::from_hms(fallback_hours, 0, 0).unwrap_or(time::UtcOffset::UTC);
    Some(at.to_offset(LOCAL_OFFSET.get().copied().unwrap_or(fallback)).date())
}

/// A course cannot start before the assessment it comes from was signed: `started_on` must not be
/// before the calendar day of `finalised_at` (an RFC 3339 time) on this workstation's clock. When
/// its zone is not known (a test process), the day is read at UTC−12, the earliest calendar day
/// anywhere at that instant, so that no zone is refused the day it signed.
pub(super) fn not_before_signature(started_on: &str, finalised_at: &str) -> Result<()> {
    let day = local_day(finalised_at, -12)
        .ok_or_else(|| field("assessment_id", format!("its signature time {finalised_at:?} cannot be read")))?;
    let started = crate::treatment::session::parse_date("started_on", started_on)?;
    if started < day {
        return Err(field(
            "started_on",
            format!("{started_on} is before the assessment was signed ({finalised_at}): a course starts on or after that day"),
        ));
    }
    Ok(())
}

/// A session is signed on or after its day, never before: `date` must not be after the calendar
/// day of `signed_at` (an RFC 3339 time) on this workstation's clock. When its zone is not known
/// (a test process), the day is read at UTC+14, the latest calendar day anywhere at that instant,
/// so that no zone is refused its own today.
pub(super) fn not_after_signing(date: &str, signed_at: &str) -> Result<()> {
    let today = local_day(signed_at, 14)
        .ok_or_else(|| field("date", format!("the signing time {signed_at:?} cannot be read")))?;
    let day = crate::treatment::session::parse_date("date", date)?;
    if day > today {
        return Err(field(
            "date",
            format!("{date} is after today ({today}): a session is finalised on its day or later, not before"),
        ));
    }
    Ok(())
}

/// No second treated session on one day, whatever the course or route: the patient's treated
/// sessions in force (the newest finalised version of each) dated `date`, other than `except`
/// (the session being judged and the version it amends). Returns (course id, session number).
pub(super) fn treated_on(
    db: &(impl Sql + ?Sized),
    patient_id: i64,
    date: &str,
    except: &[i64],
) -> Result<Option<(i64, u32)>> {
    let rows = session_keys(
        db,
        &format!(
            "SELECT s.id, s.course_id, s.number FROM session s JOIN course c ON c.id = s.course_id \
             WHERE c.patient_id = $1 AND s.status = 'final' AND s.outcome = 'treated' \
             AND {} = $2 \
             AND NOT EXISTS (SELECT 1 FROM session b WHERE b.amends_id = s.id AND b.status = 'final') \
             ORDER BY s.course_id, s.number",
            db.json_text("s.data", "date")
        ),
        params![patient_id, date],
    )?;
    Ok(rows.into_iter().find(|(id, _, _)| !except.contains(id)).map(|(_, course, number)| (course, number)))
}

/// (session id, course id, session number) of each row of a query.
fn session_keys(
    db: &(impl Sql + ?Sized),
    sql: &str,
    params: &[super::super::sql::Value],
) -> Result<Vec<(i64, i64, u32)>> {
    db.rows(sql, params)?.iter().map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).collect()
}

/// A dose being recorded on `date` when another session of the patient that day already records
/// one (a draft with its dose entered, or a treated session in force), in any course: refused at
/// once, not only when it is signed (issue 24 review). `except`: this session and what it amends.
pub(super) fn one_dose_a_day(db: &(impl Sql + ?Sized), patient_id: i64, date: &str, except: &[i64]) -> Result<()> {
    let rows = session_keys(
        db,
        &format!(
            "SELECT s.id, s.course_id, s.number FROM session s JOIN course c ON c.id = s.course_id \
             WHERE c.patient_id = $1 AND {} = $2 \
             AND ((s.status = 'draft' AND {} IS NOT NULL) \
                  OR (s.status = 'final' AND s.outcome = 'treated' \
                      AND NOT EXISTS (SELECT 1 FROM session b WHERE b.amends_id = s.id AND b.status = 'final'))) \
             ORDER BY s.course_id, s.number",
            db.json_text("s.data", "date"),
            db.json_text("s.data", "dose.dose_mg")
        ),
        params![patient_id, date],
    )?;
    match rows.into_iter().find(|(id, _, _)| !except.contains(id)) {
        Some((_, course, number)) => Err(field(
            "dose.dose_mg",
            format!(
                "another session of the patient on {date} records a dose (course {course}, session {number}): \
                 no second dose on one day"
            ),
        )),
        None => Ok(()),
    }
}

/// The refusal of a second treated session on `date`.
pub(super) fn one_treatment_a_day(db: &(impl Sql + ?Sized), patient_id: i64, date: &str, except: &[i64]) -> Result<()> {
    match treated_on(db, patient_id, date, except)? {
        Some((course, number)) => Err(field(
            "date",
            format!(
                "the patient was already treated on {date} (course {course}, session {number}): \
                 no second treated session on one day"
            ),
        )),
        None => Ok(()),
    }
}

impl Store {
    /// Ends a course on `ended_on` for `reason`: it then takes no new session (its sessions can
    /// still be amended and its scales given), and a new course by the same route can start.
    /// A course whose session is a draft is not ended: finalise the session first.
    pub fn end_course(&mut self, course_id: i64, ended_on: &str, reason: &str, actor: &str) -> Result<CourseEnd> {
        self.write(|tx, at| end(tx, at, course_id, ended_on, reason, actor))
    }
}

/// Ends a course on `ended_on` for `reason` ([`Store::end_course`]).
pub fn end(
    tx: &(impl Sql + ?Sized),
    at: &str,
    course_id: i64,
    ended_on: &str,
    reason: &str,
    actor: &str,
) -> Result<CourseEnd> {
    let course = load_course(tx, course_id)?;
    if let Some(end) = course.ended {
        return Err(field("course_id", format!("course {course_id} already ended on {}", end.ended_on)));
    }
    let day = crate::treatment::session::parse_date("ended_on", ended_on)?;
    if ended_on < course.started_on.as_str() {
        return Err(field("ended_on", format!("{day} is before the course started ({})", course.started_on)));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(field("reason", "must say why the course ends"));
    }
    if reason.chars().count() > END_REASON_MAX_CHARS {
        return Err(field("reason", format!("is longer than {END_REASON_MAX_CHARS} characters")));
    }
    crate::eligibility::model::check_length("reason", reason, END_REASON_MAX_CHARS)?;
    let last: Option<String> = super::super::sql::scalar(
        tx,
        &format!("SELECT MAX({}) FROM session WHERE course_id = $1", tx.json_text("data", "date")),
        params![course_id],
    )?;
    if let Some(last) = last.filter(|l| l.as_str() > ended_on) {
        return Err(field("ended_on", format!("{ended_on} is before the course's last session ({last})")));
    }
    let draft: Option<u32> = first_draft(tx, course_id)?;
    // A draft can no longer be finalised once the course's assessment was amended: the
    // course may then end with it left unsigned (else the patient could never start the
    // course the amended assessment allows).
    let amended = crate::records::assessments::load(tx, course.assessment_id)?.amended_by.is_some();
    if let (Some(n), false) = (draft, amended) {
        return Err(field("course_id", format!("session {n} is a draft: finalise it before ending the course")));
    }
    tx.run(
        "INSERT INTO course_end (course_id, ended_on, reason, ended_at, ended_by) VALUES ($1, $2, $3, $4, $5)",
        params![course_id, ended_on, reason, at, actor],
    )?;
    audit::append(
        tx,
        at,
        &Event {
            actor,
            action: "course_end",
            patient_id: Some(course.patient_id),
            assessment_id: Some(course.assessment_id),
            detail: Some(to_json(&serde_json::json!({
                "course": course_id,
                "ended_on": ended_on,
                "unsigned_draft_session": draft,
            }))),
            new_value: Some(reason.to_string()),
            ..Default::default()
        },
    )?;
    Ok(CourseEnd {
        ended_on: ended_on.to_string(),
        reason: reason.to_string(),
        ended_at: at.to_string(),
        ended_by: actor.to_string(),
    })
}
