//! Treatment courses and their sessions (issue 13). A course starts from a finalised assessment
//! found eligible; each session is a draft saved on every change (checked by
//! [`crate::session::check`], one audit entry per changed answer) and then finalised, signed like
//! an assessment: the database refuses to change or delete a finalised session.
//!
//! The session's gate is judged with the rule set and site policy in force (a safety check made
//! today); both are recorded with the finalised session.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use super::audit::{self, changes, leaves_of, Event};
use super::course_limits::{self, end_from_row, CourseEnd, END_COLUMNS};
use super::{json_column, to_json, RecordStatus, Result, StorageError, Store};
use crate::dosing::{DosingRules, DosingSite, ScheduleStep};
use crate::engine::Determination;
use crate::model::Route;
use crate::policy::SitePolicy;
use crate::pre_dose::{Gate, GateDecision};
use crate::ruleset::RuleSet;
use crate::session::{self, Calculator, Context, Course, Session};

/// A course as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct CourseRecord {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub patient_id: i64,
    /// The finalised assessment it started from.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub assessment_id: i64,
    pub route: Route,
    pub started_on: String,
    pub started_at: String,
    pub started_by: String,
    /// How it ended; `None` while it is active.
    pub ended: Option<CourseEnd>,
}

/// How a finalised session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum SessionOutcome {
    Treated,
    /// Not treated today (the gate deferred it), the readings kept.
    Deferred,
    /// Not treated: something new since the assessment, which is to be amended first.
    Reassess,
}

impl SessionOutcome {
    pub const ALL: [SessionOutcome; 3] = [SessionOutcome::Treated, SessionOutcome::Deferred, SessionOutcome::Reassess];

    pub fn as_str(self) -> &'static str {
        match self {
            SessionOutcome::Treated => "treated",
            SessionOutcome::Deferred => "deferred",
            SessionOutcome::Reassess => "reassess",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            SessionOutcome::Treated => "Treated",
            SessionOutcome::Deferred => "Deferred (no dose)",
            SessionOutcome::Reassess => "Not treated: reassess",
        }
    }
}

/// A session as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct SessionRecord {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub course_id: i64,
    pub status: RecordStatus,
    pub session: Session,
    pub created_at: String,
    pub updated_at: String,
    pub finalised_at: Option<String>,
    pub finalised_by: Option<String>,
    pub signed_sha256: Option<String>,
    /// At finalisation: the gate as it was judged, and the outcome.
    pub gate: Option<Gate>,
    pub outcome: Option<SessionOutcome>,
    /// At finalisation: what it was judged with.
    pub ruleset_sha256: Option<String>,
    pub policy: Option<SitePolicy>,
    pub dosing_sha256: Option<String>,
    pub dosing_site: Option<DosingSite>,
    /// 1, or the version of an amendment.
    pub version: u32,
    /// The finalised version this one amends.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub amends: Option<i64>,
    /// The version that amends this one, if any.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub amended_by: Option<i64>,
}

/// Version 6: courses and sessions; a finalised session is immutable and kept.
pub(super) const V6: &str = r#"
CREATE TABLE course (
    id            INTEGER PRIMARY KEY,
    patient_id    INTEGER NOT NULL REFERENCES patient(id),
    assessment_id INTEGER NOT NULL REFERENCES assessment(id),
    route         TEXT NOT NULL CHECK (route IN ('iv_ketamine', 'esketamine_nasal')),
    started_on    TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    started_by    TEXT NOT NULL
);
CREATE INDEX course_by_patient ON course(patient_id, id);

CREATE TRIGGER course_is_immutable BEFORE UPDATE ON course
BEGIN
    SELECT RAISE(ABORT, 'a course cannot be changed');
END;

CREATE TRIGGER course_is_kept BEFORE DELETE ON course
BEGIN
    SELECT RAISE(ABORT, 'a course cannot be deleted');
END;

CREATE TABLE session (
    id             INTEGER PRIMARY KEY,
    course_id      INTEGER NOT NULL REFERENCES course(id),
    number         INTEGER NOT NULL CHECK (number >= 1),
    status         TEXT NOT NULL CHECK (status IN ('draft', 'final')),
    data           TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    finalised_at   TEXT,
    finalised_by   TEXT,
    gate           TEXT,
    outcome        TEXT CHECK (outcome IN ('treated', 'deferred', 'reassess')),
    ruleset_sha256 TEXT,
    policy         TEXT,
    dosing_sha256  TEXT,
    dosing_site    TEXT,
    signed_sha256  TEXT,
    UNIQUE (course_id, number),
    CHECK (status = 'draft' OR (finalised_at IS NOT NULL AND finalised_by IS NOT NULL AND gate IS NOT NULL
                                AND outcome IS NOT NULL AND signed_sha256 IS NOT NULL))
);

-- The REMS Patient Monitoring Form of an esketamine session marked as submitted: once, kept.
CREATE TABLE rems_submission (
    session_id   INTEGER PRIMARY KEY REFERENCES session(id),
    submitted_at TEXT NOT NULL,
    submitted_by TEXT NOT NULL
);

CREATE TRIGGER rems_submission_is_kept BEFORE DELETE ON rems_submission
BEGIN
    SELECT RAISE(ABORT, 'a REMS submission cannot be removed');
END;

CREATE TRIGGER rems_submission_is_immutable BEFORE UPDATE ON rems_submission
BEGIN
    SELECT RAISE(ABORT, 'a REMS submission cannot be changed');
END;

CREATE TRIGGER session_final_is_immutable BEFORE UPDATE ON session
WHEN OLD.status = 'final'
BEGIN
    SELECT RAISE(ABORT, 'a finalised session cannot be changed');
END;

CREATE TRIGGER session_final_is_kept BEFORE DELETE ON session
WHEN OLD.status = 'final'
BEGIN
    SELECT RAISE(ABORT, 'a finalised session cannot be deleted');
END;
"#;

/// Version 7: a finalised session is amended as a new version of it (the same number; the
/// version it amends kept, unchanged). The table is rebuilt for its new key, (course, number,
/// version); the foreign keys are checked after the migrations.
pub(super) const V7: &str = r#"
CREATE TABLE session_v7 (
    id             INTEGER PRIMARY KEY,
    course_id      INTEGER NOT NULL REFERENCES course(id),
    number         INTEGER NOT NULL CHECK (number >= 1),
    version        INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    amends_id      INTEGER UNIQUE REFERENCES session(id),
    status         TEXT NOT NULL CHECK (status IN ('draft', 'final')),
    data           TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    finalised_at   TEXT,
    finalised_by   TEXT,
    gate           TEXT,
    outcome        TEXT CHECK (outcome IN ('treated', 'deferred', 'reassess')),
    ruleset_sha256 TEXT,
    policy         TEXT,
    dosing_sha256  TEXT,
    dosing_site    TEXT,
    signed_sha256  TEXT,
    UNIQUE (course_id, number, version),
    CHECK ((version = 1) = (amends_id IS NULL)),
    CHECK (status = 'draft' OR (finalised_at IS NOT NULL AND finalised_by IS NOT NULL AND gate IS NOT NULL
                                AND outcome IS NOT NULL AND signed_sha256 IS NOT NULL))
);
INSERT INTO session_v7 (id, course_id, number, version, amends_id, status, data, created_at, updated_at,
                        finalised_at, finalised_by, gate, outcome, ruleset_sha256, policy, dosing_sha256,
                        dosing_site, signed_sha256)
SELECT id, course_id, number, 1, NULL, status, data, created_at, updated_at, finalised_at, finalised_by, gate,
       outcome, ruleset_sha256, policy, dosing_sha256, dosing_site, signed_sha256 FROM session;
DROP TABLE session;
ALTER TABLE session_v7 RENAME TO session;
CREATE INDEX session_by_course ON session(course_id, number, version);

CREATE TRIGGER session_final_is_immutable BEFORE UPDATE ON session
WHEN OLD.status = 'final'
BEGIN
    SELECT RAISE(ABORT, 'a finalised session cannot be changed');
END;

CREATE TRIGGER session_final_is_kept BEFORE DELETE ON session
WHEN OLD.status = 'final'
BEGIN
    SELECT RAISE(ABORT, 'a finalised session cannot be deleted');
END;
"#;

/// A session version that a finalised amendment has replaced.
const SUPERSEDED: &str = "EXISTS (SELECT 1 FROM session b WHERE b.amends_id = s.id AND b.status = 'final')";
/// A session version that an amendment (draft or final) follows.
const FOLLOWED: &str = "EXISTS (SELECT 1 FROM session b WHERE b.amends_id = s.id)";

pub(super) fn field(field: &str, message: impl Into<String>) -> StorageError {
    StorageError::InvalidField { field: field.into(), message: message.into() }
}

/// What the session checks are judged with, besides the course and its assessment.
pub struct InForce<'a> {
    pub rules: &'a RuleSet,
    pub policy: &'a SitePolicy,
    pub dosing: &'a DosingRules,
    pub site: &'a DosingSite,
}

const SESSION_COLUMNS: &str = "s.id, s.course_id, s.status, s.data, s.created_at, s.updated_at, s.finalised_at, \
     s.finalised_by, s.signed_sha256, s.gate, s.outcome, s.ruleset_sha256, s.policy, s.dosing_sha256, s.dosing_site, \
     s.version, s.amends_id, (SELECT b.id FROM session b WHERE b.amends_id = s.id)";

/// Sessions of a course treated (finalised with a dose) before session `number`: of each
/// session, its version in force (the newest finalised).
pub(super) fn treated_before(conn: &Connection, course_id: i64, number: u32) -> Result<u32> {
    Ok(conn.query_row(
        &format!(
            "SELECT COUNT(*) FROM session s WHERE s.course_id = ?1 AND s.number < ?2 AND s.status = 'final' \
             AND s.outcome = 'treated' AND NOT {SUPERSEDED}"
        ),
        params![course_id, number],
        |r| r.get(0),
    )?)
}

/// The patient's esketamine treatments before session `number` of `course_id`: in this course
/// and in any earlier course (the REMS form asks whether this is the patient's first treatment,
/// not the course's).
fn esketamine_treatments_before(conn: &Connection, patient_id: i64, course_id: i64, number: u32) -> Result<u32> {
    Ok(conn.query_row(
        &format!(
            "SELECT COUNT(*) FROM session s JOIN course c ON c.id = s.course_id \
             WHERE c.patient_id = ?1 AND c.route = 'esketamine_nasal' AND s.status = 'final' \
             AND s.outcome = 'treated' AND NOT {SUPERSEDED} \
             AND (s.course_id < ?2 OR (s.course_id = ?2 AND s.number < ?3))"
        ),
        params![patient_id, course_id, number],
        |r| r.get(0),
    )?)
}

fn session_from_row(r: &rusqlite::Row) -> rusqlite::Result<SessionRecord> {
    let status: String = r.get(2)?;
    Ok(SessionRecord {
        id: r.get(0)?,
        course_id: r.get(1)?,
        status: if status == "final" { RecordStatus::Final } else { RecordStatus::Draft },
        session: json_column(3, Some(r.get(3)?))?.expect("a stored session"),
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
        finalised_at: r.get(6)?,
        finalised_by: r.get(7)?,
        signed_sha256: r.get(8)?,
        gate: json_column(9, r.get(9)?)?,
        outcome: json_column(10, r.get::<_, Option<String>>(10)?.map(|o| format!("\"{o}\"")))?,
        ruleset_sha256: r.get(11)?,
        policy: json_column(12, r.get(12)?)?,
        dosing_sha256: r.get(13)?,
        dosing_site: json_column(14, r.get(14)?)?,
        version: r.get(15)?,
        amends: r.get(16)?,
        amended_by: r.get(17)?,
    })
}

fn course_from_row(r: &rusqlite::Row) -> rusqlite::Result<CourseRecord> {
    let route: String = r.get(3)?;
    Ok(CourseRecord {
        id: r.get(0)?,
        patient_id: r.get(1)?,
        assessment_id: r.get(2)?,
        route: if route == Route::EsketamineNasal.as_str() { Route::EsketamineNasal } else { Route::IvKetamine },
        started_on: r.get(4)?,
        started_at: r.get(5)?,
        started_by: r.get(6)?,
        ended: end_from_row(r, 7)?,
    })
}

fn course_columns() -> String {
    format!("id, patient_id, assessment_id, route, started_on, started_at, started_by, {END_COLUMNS}")
}

pub(super) fn load_course(conn: &Connection, id: i64) -> Result<CourseRecord> {
    conn.query_row(&format!("SELECT {} FROM course WHERE id = ?1", course_columns()), [id], course_from_row)
        .optional()?
        .ok_or(StorageError::NoCourse(id))
}

fn load_session(conn: &Connection, id: i64) -> Result<SessionRecord> {
    conn.query_row(&format!("SELECT {SESSION_COLUMNS} FROM session s WHERE s.id = ?1"), [id], session_from_row)
        .optional()?
        .ok_or(StorageError::NoSession(id))
}

impl Store {
    /// Starts a course from a finalised assessment found eligible (with or without precautions),
    /// the newest version of it; the route is the assessment's.
    pub fn start_course(&mut self, assessment_id: i64, started_on: &str, actor: &str) -> Result<CourseRecord> {
        let id = self.write(|tx, at| {
            let a = Self::load_assessment(tx, assessment_id)?;
            if a.status != RecordStatus::Final {
                return Err(StorageError::NotFinal { id: assessment_id, action: "starting a course" });
            }
            if let Some(by) = a.amended_by {
                return Err(StorageError::AlreadyAmended { id: assessment_id, by });
            }
            let determination = a.snapshot.as_ref().map(|s| s.evaluation.determination);
            let route =
                a.answers.route.ok_or_else(|| field("route", "the assessment does not say which treatment (route)"))?;
            let course = Course {
                route,
                started_on: started_on.to_string(),
                determination: determination.unwrap_or(Determination::Incomplete),
            };
            course.check()?;
            if let Some((active, since)) = course_limits::active_course(tx, a.patient_id, route)? {
                return Err(field(
                    "route",
                    format!(
                        "the patient already has an active {} course (course {active}, started {since}): end it before starting another",
                        route.as_str()
                    ),
                ));
            }
            if let Some(signed) = &a.finalised_at {
                course_limits::not_before_signature(started_on, signed)?;
            }
            tx.execute(
                "INSERT INTO course (patient_id, assessment_id, route, started_on, started_at, started_by) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![a.patient_id, assessment_id, route.as_str(), started_on, at, actor],
            )?;
            let id = tx.last_insert_rowid();
            audit::append(
                tx,
                at,
                &Event {
                    actor,
                    action: "course_start",
                    patient_id: Some(a.patient_id),
                    assessment_id: Some(assessment_id),
                    detail: Some(to_json(
                        &serde_json::json!({ "course": id, "route": route, "started_on": started_on }),
                    )),
                    ..Default::default()
                },
            )?;
            Ok(id)
        })?;
        self.course(id)
    }

    pub fn course(&self, id: i64) -> Result<CourseRecord> {
        load_course(&self.conn, id)
    }

    /// A patient's courses, oldest first.
    pub fn courses_of(&self, patient_id: i64) -> Result<Vec<CourseRecord>> {
        self.patient(patient_id)?;
        let mut stmt =
            self.conn.prepare(&format!("SELECT {} FROM course WHERE patient_id = ?1 ORDER BY id", course_columns()))?;
        let rows = stmt.query_map([patient_id], course_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn session(&self, id: i64) -> Result<SessionRecord> {
        load_session(&self.conn, id)
    }

    /// A course's sessions in order, each in its newest version (an amendment being written
    /// shows in place of the version it amends).
    pub fn sessions_of(&self, course_id: i64) -> Result<Vec<SessionRecord>> {
        self.course(course_id)?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {SESSION_COLUMNS} FROM session s WHERE s.course_id = ?1 AND NOT {FOLLOWED} ORDER BY s.number"
        ))?;
        let rows = stmt.query_map([course_id], session_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// A course's sessions as signed and in force, in order: of each session its newest finalised
    /// version (an amendment still being written does not replace the version it amends). What
    /// a record of the doses given is made from (FHIR).
    pub fn sessions_in_force(&self, course_id: i64) -> Result<Vec<SessionRecord>> {
        self.course(course_id)?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {SESSION_COLUMNS} FROM session s WHERE s.course_id = ?1 AND s.status = 'final' \
             AND NOT {SUPERSEDED} ORDER BY s.number"
        ))?;
        let rows = stmt.query_map([course_id], session_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The versions of a course's sessions that an amendment follows (kept as they were signed),
    /// by number and version.
    pub fn earlier_versions_of(&self, course_id: i64) -> Result<Vec<SessionRecord>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {SESSION_COLUMNS} FROM session s WHERE s.course_id = ?1 AND {FOLLOWED} ORDER BY s.number, s.version"
        ))?;
        let rows = stmt.query_map([course_id], session_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// A course as its JSON document (`trdcheck/course/v1`): the course, each session in its
    /// newest version, and the earlier versions amendments replaced (nothing is left out).
    pub fn course_document(&self, course_id: i64) -> Result<serde_json::Value> {
        let course = self.course(course_id)?;
        let sessions = self.sessions_of(course_id)?;
        let earlier = self.earlier_versions_of(course_id)?;
        let administrations = self.administrations_of(course_id)?;
        Ok(serde_json::json!({
            "schema": "trdcheck/course/v1",
            "course": course,
            "sessions": sessions,
            "earlier_versions": earlier,
            "administrations": administrations,
        }))
    }

    /// The judging context of session `number` of a course. A course whose assessment has been
    /// amended since takes no more sessions: the new version is evaluated and signed, and a new
    /// course starts from it if it is eligible.
    fn with_context<T>(
        conn: &Connection,
        course_id: i64,
        number: u32,
        now: &InForce,
        f: impl FnOnce(&Context, &CourseRecord) -> Result<T>,
    ) -> Result<T> {
        let course = load_course(conn, course_id)?;
        let a = Self::load_assessment(conn, course.assessment_id)?;
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
            Ok(conn
                .query_row(
                    &format!(
                        "SELECT json_extract(s.data, '$.date') FROM session s WHERE s.course_id = ?1 AND s.number = ?2 \
                         AND s.status = 'final' AND NOT {SUPERSEDED}"
                    ),
                    params![course_id, n],
                    |r| r.get(0),
                )
                .optional()?)
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
        let id = self.write(|tx, at| {
            let number: u32 = tx.query_row(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM session WHERE course_id = ?1",
                [course_id],
                |r| r.get(0),
            )?;
            let s = Session::new(number, date);
            Self::with_context(tx, course_id, number, now, |ctx, course| {
                session::check(ctx, &s)?;
                course_limits::one_treatment_a_day(tx, course.patient_id, &s.date, &[])
            })?;
            course_limits::not_ended(tx, course_id)?;
            Self::no_open_draft(tx, course_id)?;
            Self::insert_session(tx, at, course_id, &s, actor)
        })?;
        self.session(id)
    }

    /// Imports a whole session (a file in trdcheck/session/v1) as the next draft of a course;
    /// its number must be the next one.
    pub fn import_session(&mut self, course_id: i64, s: &Session, actor: &str, now: &InForce) -> Result<SessionRecord> {
        let id = self.write(|tx, at| {
            let next: u32 = tx.query_row(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM session WHERE course_id = ?1",
                [course_id],
                |r| r.get(0),
            )?;
            course_limits::not_ended(tx, course_id)?;
            Self::no_open_draft(tx, course_id)?;
            if s.number != next {
                return Err(field("number", format!("{} is not the course's next session ({next})", s.number)));
            }
            let mut bound = s.clone();
            Self::with_context(tx, course_id, s.number, now, |ctx, course| {
                session::check(ctx, s)?;
                // An imported note answers the readings imported with it.
                session::bind_acknowledgements(ctx, None, &mut bound)?;
                course_limits::one_treatment_a_day(tx, course.patient_id, &s.date, &[])?;
                if s.dose.dose_mg.is_some() {
                    course_limits::one_dose_a_day(tx, course.patient_id, &s.date, &[])?;
                }
                Ok(())
            })?;
            Self::insert_session(tx, at, course_id, &bound, actor)
        })?;
        self.session(id)
    }

    /// Sessions are judged in order: the next is added once the one before is finalised.
    fn no_open_draft(conn: &Connection, course_id: i64) -> Result<()> {
        let open: Option<u32> = conn
            .query_row(
                "SELECT number FROM session WHERE course_id = ?1 AND status = 'draft' ORDER BY number LIMIT 1",
                [course_id],
                |r| r.get(0),
            )
            .optional()?;
        match open {
            Some(n) => Err(field("course_id", format!("session {n} is a draft: finalise it before adding the next"))),
            None => Ok(()),
        }
    }

    fn insert_session(tx: &Transaction, at: &str, course_id: i64, s: &Session, actor: &str) -> Result<i64> {
        let course = load_course(tx, course_id)?;
        tx.execute(
            "INSERT INTO session (course_id, number, status, data, created_at, updated_at) \
             VALUES (?1, ?2, 'draft', ?3, ?4, ?4)",
            params![course_id, s.number, to_json(s), at],
        )?;
        let id = tx.last_insert_rowid();
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
        self.write(|tx, at| {
            let current = load_session(tx, id)?;
            if current.status == RecordStatus::Final {
                return Err(field("session_id", format!("session {id} is finalised and cannot be changed")));
            }
            if s.number != current.session.number {
                return Err(field("number", format!("session {id} is number {}", current.session.number)));
            }
            Self::with_context(tx, current.course_id, s.number, now, |ctx, course| {
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
                tx.execute("UPDATE session SET data = ?1, updated_at = ?2 WHERE id = ?3", params![to_json(s), at, id])?;
                let detail = format!("course {}, session {}", course.id, s.number);
                for (path, old_value, new_value) in changes(&leaves_of(&current.session), &leaves_of(s)) {
                    audit::append(
                        tx,
                        at,
                        &Event {
                            actor,
                            action: "session_answer",
                            patient_id: Some(course.patient_id),
                            assessment_id: Some(course.assessment_id),
                            field: Some(&path),
                            old_value,
                            new_value,
                            detail: Some(detail.clone()),
                        },
                    )?;
                }
                Ok(())
            })
        })?;
        self.session(id)
    }

    /// What a session still needs before it can be finalised, by field.
    pub fn session_still_needed(&self, id: i64, now: &InForce) -> Result<Vec<String>> {
        let current = self.session(id)?;
        let mut needed = Self::with_context(&self.conn, current.course_id, current.session.number, now, |ctx, _| {
            Ok(session::still_needed(ctx, &current.session)?)
        })?;
        // Its day, too: a session is not finalised before it (as finalising says).
        let at = self.clock.clone().unwrap_or_else(super::now);
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
        self.write(|tx, at| {
            let current = load_session(tx, id)?;
            if current.status == RecordStatus::Final {
                return Err(field("session_id", format!("session {id} is already finalised")));
            }
            course_limits::not_after_signing(&current.session.date, at)?;
            Self::with_context(tx, current.course_id, current.session.number, now, |ctx, course| {
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
                // What is signed is the text as stored.
                let data: String = tx.query_row("SELECT data FROM session WHERE id = ?1", [id], |r| r.get(0))?;
                let (gate_json, policy_json, site_json) = (to_json(&gate), to_json(now.policy), to_json(now.site));
                let ruleset = now.rules.reference();
                let hash = SessionSigned {
                    id,
                    patient_id: course.patient_id,
                    course_id: course.id,
                    assessment_id: course.assessment_id,
                    data: &data,
                    gate: &gate_json,
                    ruleset_sha256: &ruleset.sha256,
                    policy: &policy_json,
                    dosing_sha256: &now.dosing.sha256,
                    dosing_site: &site_json,
                    by: clinician,
                    at,
                }
                .sha256();
                tx.execute(
                    "UPDATE session SET status = 'final', finalised_at = ?1, finalised_by = ?2, updated_at = ?1, \
                     gate = ?3, outcome = ?4, ruleset_sha256 = ?5, policy = ?6, dosing_sha256 = ?7, dosing_site = ?8, \
                     signed_sha256 = ?9 WHERE id = ?10",
                    params![
                        at,
                        clinician,
                        gate_json,
                        outcome_text,
                        ruleset.sha256,
                        policy_json,
                        now.dosing.sha256,
                        site_json,
                        hash,
                        id
                    ],
                )?;
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
        })?;
        self.session(id)
    }
}

impl Store {
    /// Amends a finalised session: a new draft version of it (the same number, its answers
    /// copied), edited and finalised like any session; the version it amends is kept unchanged
    /// and stays in force until the amendment is finalised. Only the newest version can be
    /// amended, once, and only while no other session of the course is a draft.
    pub fn amend_session(&mut self, id: i64, actor: &str) -> Result<SessionRecord> {
        let new_id = self.write(|tx, at| {
            let current = load_session(tx, id)?;
            if current.status != RecordStatus::Final {
                return Err(field(
                    "session_id",
                    format!("session {id} is a draft: change it, there is nothing to amend"),
                ));
            }
            if let Some(by) = current.amended_by {
                return Err(field("session_id", format!("session {id} was already amended by session {by}")));
            }
            Self::no_open_draft(tx, current.course_id)?;
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
                    urgent_rules.contains(&k.as_str())
                        || copy.acknowledged_for.get(*k).is_some_and(|t| t.starts_with("URGENT"))
                })
                .cloned()
                .collect();
            for key in &urgent {
                copy.acknowledgements.remove(key);
                copy.acknowledged_for.remove(key);
            }
            tx.execute(
                "INSERT INTO session (course_id, number, version, amends_id, status, data, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, 'draft', ?5, ?6, ?6)",
                params![current.course_id, current.session.number, version, id, to_json(&copy), at],
            )?;
            let new_id = tx.last_insert_rowid();
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
        })?;
        self.session(new_id)
    }
}

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
        self.write(|tx, at| {
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
    pub alerts: Vec<crate::session_checks::SessionAlert>,
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
    pub blood_pressure: [crate::session::BloodPressure; 3],
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
            let alerts = crate::session_checks::alerts(ctx, &rec.session);
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
        let submitted: std::collections::BTreeSet<i64> = {
            let mut stmt = self.conn.prepare(
                "SELECT r.session_id FROM rems_submission r JOIN session s ON s.id = r.session_id WHERE s.course_id = ?1",
            )?;
            let rows = stmt.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            rows
        };
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
        let amended_by = Self::load_assessment(&self.conn, course.assessment_id)?.amended_by;
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

/// What a session's finalisation signs: the session as stored, the gate, what it was judged with,
/// whose patient, course and assessment, who signed and when.
struct SessionSigned<'a> {
    id: i64,
    patient_id: i64,
    course_id: i64,
    assessment_id: i64,
    data: &'a str,
    gate: &'a str,
    ruleset_sha256: &'a str,
    policy: &'a str,
    dosing_sha256: &'a str,
    dosing_site: &'a str,
    by: &'a str,
    at: &'a str,
}

impl SessionSigned<'_> {
    fn sha256(&self) -> String {
        let content = serde_json::json!([
            "trdcheck/session-signature/v1",
            self.id,
            self.patient_id,
            self.course_id,
            self.assessment_id,
            self.data,
            self.gate,
            self.ruleset_sha256,
            self.policy,
            self.dosing_sha256,
            self.dosing_site,
            self.by,
            self.at,
        ]);
        crate::digest::sha256_hex(content.to_string().as_bytes())
    }
}

impl Store {
    /// The finalised sessions whose stored content no longer matches the hash that was signed,
    /// by id, and how many were checked.
    pub fn broken_session_signatures(&self) -> Result<(u64, Vec<i64>)> {
        let mut stmt = self.conn.prepare(
            "SELECT s.id, c.patient_id, s.course_id, c.assessment_id, s.data, s.gate, s.ruleset_sha256, s.policy, \
             s.dosing_sha256, s.dosing_site, s.finalised_by, s.finalised_at, s.signed_sha256 \
             FROM session s JOIN course c ON c.id = s.course_id WHERE s.status = 'final' ORDER BY s.id",
        )?;
        let mut rows = stmt.query([])?;
        let (mut checked, mut broken) = (0, Vec::new());
        while let Some(r) = rows.next()? {
            let text =
                |i: usize| -> rusqlite::Result<String> { Ok(r.get::<_, Option<String>>(i)?.unwrap_or_default()) };
            let id: i64 = r.get(0)?;
            let expected = SessionSigned {
                id,
                patient_id: r.get(1)?,
                course_id: r.get(2)?,
                assessment_id: r.get(3)?,
                data: &text(4)?,
                gate: &text(5)?,
                ruleset_sha256: &text(6)?,
                policy: &text(7)?,
                dosing_sha256: &text(8)?,
                dosing_site: &text(9)?,
                by: &text(10)?,
                at: &text(11)?,
            }
            .sha256();
            checked += 1;
            if text(12)? != expected {
                broken.push(id);
            }
        }
        Ok((checked, broken))
    }
}

impl Store {
    /// The REMS Patient Monitoring Form of a finalised esketamine session.
    pub fn rems_form(
        &self,
        session_id: i64,
        dosing: &DosingRules,
        setting: &crate::rems::RemsSetting,
    ) -> Result<crate::rems::RemsForm> {
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
        Ok(crate::rems::monitoring_form(
            &dosing.esketamine.rems_form,
            &patient,
            &record,
            &evaluation,
            assessment.answers.medications.is_some(),
            treated_before,
            setting,
        ))
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
        let mut stmt = self.conn.prepare(&format!(
            "SELECT s.id, s.course_id, p.mrn, p.name, s.data FROM session s \
             JOIN course c ON c.id = s.course_id JOIN patient p ON p.id = c.patient_id \
             WHERE c.route = 'esketamine_nasal' AND s.status = 'final' AND s.outcome = 'treated' \
             AND NOT EXISTS (SELECT 1 FROM rems_submission r WHERE r.session_id = s.id) AND NOT {SUPERSEDED} ORDER BY s.id"
        ))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let days = dosing.esketamine.rems_form.submit_within_days;
        let mut out = Vec::with_capacity(rows.len());
        for (session_id, course_id, mrn, patient_name, data) in rows {
            let session: Session = serde_json::from_str(&data).map_err(|e| field("session", e.to_string()))?;
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
        self.write(|tx, at| {
            let record = load_session(tx, session_id)?;
            let course = load_course(tx, record.course_id)?;
            if course.route != Route::EsketamineNasal || record.outcome != Some(SessionOutcome::Treated) {
                return Err(field("session_id", format!("session {session_id} is not a treated esketamine session")));
            }
            let done: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM rems_submission WHERE session_id = ?1)",
                [session_id],
                |r| r.get(0),
            )?;
            if done {
                return Err(field(
                    "session_id",
                    format!("the REMS form of session {session_id} is already marked submitted"),
                ));
            }
            tx.execute(
                "INSERT INTO rems_submission (session_id, submitted_at, submitted_by) VALUES (?1, ?2, ?3)",
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
        })
    }
}

impl Store {
    /// The course summary, or with `only` the summary of that one session (by its number).
    pub fn course_summary(
        &self,
        course_id: i64,
        rules: &crate::RuleSet,
        dosing: &DosingRules,
        only: Option<u32>,
    ) -> Result<crate::course_summary::CourseSummary> {
        let overview = self.course_overview(course_id, dosing)?;
        let records = self.sessions_of(course_id)?;
        if let Some(n) = only {
            if !records.iter().any(|r| r.session.number == n) {
                return Err(field("session", format!("course {course_id} has no session {n}")));
            }
        }
        let patient = self.patient(overview.course.patient_id)?;
        let site = self.clinic_settings()?.scales;
        let outcomes = self.course_outcomes(course_id, &site, &crate::summary::today())?;
        Ok(crate::course_summary::CourseSummary::new(&overview, &records, &patient, rules, dosing, &outcomes, only))
    }
}
