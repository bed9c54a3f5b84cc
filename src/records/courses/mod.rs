//! Treatment courses and their sessions (issue 13). A course starts from a finalised assessment
//! found eligible; each session is a draft saved on every change (checked by
//! [`crate::treatment::session::check`], one audit entry per changed answer) and then finalised, signed like
//! an assessment: the database refuses to change or delete a finalised session.
//!
//! The session's gate is judged with the rule set and site policy in force (a safety check made
//! today); both are recorded with the finalised session.

use serde::{Deserialize, Serialize};

use super::audit::{self, Event};
use super::sql::{params, scalar, Row, Sql};
use super::{to_json, RecordStatus, Result, StorageError, Store};
use crate::eligibility::engine::Determination;
use crate::eligibility::model::Route;
use crate::eligibility::policy::SitePolicy;
use crate::eligibility::ruleset::RuleSet;
use crate::treatment::dosing::{DosingRules, DosingSite};
use crate::treatment::pre_dose::Gate;
use crate::treatment::session::{Course, Session};
use limits::{self as course_limits, end_from_row, END_COLUMNS};
pub use limits::{end, CourseEnd};

pub(super) mod limits;
mod overview;
pub mod rems;
mod schema;
pub mod sessions;

pub use overview::{CourseOverview, Problem, SessionListing, SessionState};
pub use rems::{RemsFacts, RemsPending};
pub(super) use schema::{V6, V7};

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
pub(super) fn treated_before(db: &(impl Sql + ?Sized), course_id: i64, number: u32) -> Result<u32> {
    scalar(
        db,
        &format!(
            "SELECT COUNT(*) FROM session s WHERE s.course_id = $1 AND s.number < $2 AND s.status = 'final' \
             AND s.outcome = 'treated' AND NOT {SUPERSEDED}"
        ),
        params![course_id, number],
    )
}

/// The patient's esketamine treatments before session `number` of `course_id`: in this course
/// and in any earlier course (the REMS form asks whether this is the patient's first treatment,
/// not the course's).
fn esketamine_treatments_before(db: &(impl Sql + ?Sized), patient_id: i64, course_id: i64, number: u32) -> Result<u32> {
    scalar(
        db,
        &format!(
            "SELECT COUNT(*) FROM session s JOIN course c ON c.id = s.course_id \
             WHERE c.patient_id = $1 AND c.route = 'esketamine_nasal' AND s.status = 'final' \
             AND s.outcome = 'treated' AND NOT {SUPERSEDED} \
             AND (s.course_id < $2 OR (s.course_id = $2 AND s.number < $3))"
        ),
        params![patient_id, course_id, number],
    )
}

/// A JSON column that every stored row has (NOT NULL in the schema).
pub(super) fn stored<T: for<'de> Deserialize<'de>>(r: &Row, index: usize) -> Result<T> {
    r.json(index)?.ok_or_else(|| StorageError::Column { index, message: "is empty".into() })
}

fn session_from_row(r: &Row) -> Result<SessionRecord> {
    let status: String = r.get(2)?;
    let outcome = r
        .get::<Option<String>>(10)?
        .map(|o| {
            serde_json::from_value(serde_json::Value::String(o))
                .map_err(|e| StorageError::Column { index: 10, message: e.to_string() })
        })
        .transpose()?;
    Ok(SessionRecord {
        id: r.get(0)?,
        course_id: r.get(1)?,
        status: if status == "final" { RecordStatus::Final } else { RecordStatus::Draft },
        session: stored(r, 3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
        finalised_at: r.get(6)?,
        finalised_by: r.get(7)?,
        signed_sha256: r.get(8)?,
        gate: r.json(9)?,
        outcome,
        ruleset_sha256: r.get(11)?,
        policy: r.json(12)?,
        dosing_sha256: r.get(13)?,
        dosing_site: r.json(14)?,
        version: r.get(15)?,
        amends: r.get(16)?,
        amended_by: r.get(17)?,
    })
}

fn course_from_row(r: &Row) -> Result<CourseRecord> {
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

/// A course by id.
pub fn load_course(db: &(impl Sql + ?Sized), id: i64) -> Result<CourseRecord> {
    match db.row(&format!("SELECT {} FROM course WHERE id = $1", course_columns()), params![id])? {
        Some(r) => course_from_row(&r),
        None => Err(StorageError::NoCourse(id)),
    }
}

/// A session (one version) by id.
pub fn load_session(db: &(impl Sql + ?Sized), id: i64) -> Result<SessionRecord> {
    match db.row(&format!("SELECT {SESSION_COLUMNS} FROM session s WHERE s.id = $1"), params![id])? {
        Some(r) => session_from_row(&r),
        None => Err(StorageError::NoSession(id)),
    }
}

/// A patient's courses, oldest first.
pub fn courses_of(db: &(impl Sql + ?Sized), patient_id: i64) -> Result<Vec<CourseRecord>> {
    let rows = db.rows(
        &format!("SELECT {} FROM course WHERE patient_id = $1 ORDER BY id", course_columns()),
        params![patient_id],
    )?;
    rows.iter().map(course_from_row).collect()
}

/// A course's sessions in order, each in its newest version.
pub fn sessions_of(db: &(impl Sql + ?Sized), course_id: i64) -> Result<Vec<SessionRecord>> {
    sessions(
        db,
        &format!("SELECT {SESSION_COLUMNS} FROM session s WHERE s.course_id = $1 AND NOT {FOLLOWED} ORDER BY s.number"),
        params![course_id],
    )
}

/// The finalised sessions whose stored content no longer matches the hash that was signed, by
/// id, and how many were checked.
pub fn broken_session_signatures(db: &(impl Sql + ?Sized)) -> Result<(u64, Vec<i64>)> {
    super::signed::broken(db, &super::signed::SESSION)
}

/// The sessions a query returns.
fn sessions(db: &(impl Sql + ?Sized), sql: &str, params: &[super::sql::Value]) -> Result<Vec<SessionRecord>> {
    db.rows(sql, params)?.iter().map(session_from_row).collect()
}

impl Store {
    /// Starts a course from a finalised assessment found eligible (with or without precautions),
    /// the newest version of it; the route is the assessment's.
    pub fn start_course(&mut self, assessment_id: i64, started_on: &str, actor: &str) -> Result<CourseRecord> {
        let id = self.write(|tx, at| start(tx, at, assessment_id, started_on, actor))?;
        self.course(id)
    }

    pub fn course(&self, id: i64) -> Result<CourseRecord> {
        load_course(&self.conn, id)
    }

    /// A patient's courses, oldest first.
    pub fn courses_of(&self, patient_id: i64) -> Result<Vec<CourseRecord>> {
        self.patient(patient_id)?;
        courses_of(&self.conn, patient_id)
    }

    pub fn session(&self, id: i64) -> Result<SessionRecord> {
        load_session(&self.conn, id)
    }

    /// A course's sessions in order, each in its newest version (an amendment being written
    /// shows in place of the version it amends).
    pub fn sessions_of(&self, course_id: i64) -> Result<Vec<SessionRecord>> {
        self.course(course_id)?;
        sessions_of(&self.conn, course_id)
    }

    /// A course's sessions as signed and in force, in order: of each session its newest finalised
    /// version (an amendment still being written does not replace the version it amends). What
    /// a record of the doses given is made from (FHIR).
    pub fn sessions_in_force(&self, course_id: i64) -> Result<Vec<SessionRecord>> {
        self.course(course_id)?;
        sessions(
            &self.conn,
            &format!(
                "SELECT {SESSION_COLUMNS} FROM session s WHERE s.course_id = $1 AND s.status = 'final' \
                 AND NOT {SUPERSEDED} ORDER BY s.number"
            ),
            params![course_id],
        )
    }

    /// The versions of a course's sessions that an amendment follows (kept as they were signed),
    /// by number and version.
    pub fn earlier_versions_of(&self, course_id: i64) -> Result<Vec<SessionRecord>> {
        sessions(
            &self.conn,
            &format!(
                "SELECT {SESSION_COLUMNS} FROM session s WHERE s.course_id = $1 AND {FOLLOWED} ORDER BY s.number, s.version"
            ),
            params![course_id],
        )
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
}

impl Store {
    /// The finalised sessions whose stored content no longer matches the hash that was signed,
    /// by id, and how many were checked.
    pub fn broken_session_signatures(&self) -> Result<(u64, Vec<i64>)> {
        broken_session_signatures(&self.conn)
    }
}

/// Starts a course from a finalised assessment found eligible (with or without precautions), the
/// newest version of it; the route is the assessment's. Returns the course's id.
pub fn start(tx: &(impl Sql + ?Sized), at: &str, assessment_id: i64, started_on: &str, actor: &str) -> Result<i64> {
    let a = crate::records::assessments::load(tx, assessment_id)?;
    if a.status != RecordStatus::Final {
        return Err(StorageError::NotFinal { id: assessment_id, action: "starting a course" });
    }
    if let Some(by) = a.amended_by {
        return Err(StorageError::AlreadyAmended { id: assessment_id, by });
    }
    let determination = a.snapshot.as_ref().map(|s| s.evaluation.determination);
    let route = a.answers.route.ok_or_else(|| field("route", "the assessment does not say which treatment (route)"))?;
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
    let id = crate::records::sql::returned_id(tx.row(
        "INSERT INTO course (patient_id, assessment_id, route, started_on, started_at, started_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        params![a.patient_id, assessment_id, route.as_str(), started_on, at, actor],
    )?)?;
    audit::append(
        tx,
        at,
        &Event {
            actor,
            action: "course_start",
            patient_id: Some(a.patient_id),
            assessment_id: Some(assessment_id),
            detail: Some(to_json(&serde_json::json!({ "course": id, "route": route, "started_on": started_on }))),
            ..Default::default()
        },
    )?;
    Ok(id)
}
