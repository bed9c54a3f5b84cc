//! Outcome-scale administrations of a course (issue 14): each a draft saved on every change
//! (checked by [`Administration::check`], one audit entry per changed answer), then finalised and
//! signed with its score; the database refuses to change or delete a finalised one, which is
//! amended as a new version like a session.
//!
//! The baseline of a scale in a course is its finalised baseline administration in force, else
//! the assessment's total for that scale (its PHQ-9 or MADRS total). The score signed with an
//! administration is what the clinician saw when finalising it; the course's outcome view
//! ([`Store::course_outcomes`]) judges every administration again against the baseline in force.

mod record;
mod rows;
mod schema;

pub use record::{AdministrationRecord, Baseline, BaselineOrigin};
use rows::SUPERSEDED;
pub use rows::{broken_signatures, load, of_course};
pub(crate) use schema::V8;

use super::audit::{self, changes, leaves_of, Event};
use super::courses::{field, load_course};
use super::signed;
use super::sql::{params, scalar, Sql};
use super::{to_json, RecordStatus, Result, Store};
use crate::outcomes::administration::{Administration, ScalesSite};
use crate::outcomes::scales::{Scale, Scales};
use crate::outcomes::score::Score;

/// The baseline of a scale in a course ([`Store::baseline_of`]).
pub fn baseline_of(db: &(impl Sql + ?Sized), course_id: i64, scale: &str) -> Result<Option<Baseline>> {
    Store::baseline_in(db, course_id, scale, None)
}

fn scale_of(id: &str) -> Result<&'static Scale> {
    Ok(Scales::scale(id)?)
}

impl Store {
    pub fn administration(&self, id: i64) -> Result<AdministrationRecord> {
        load(&self.conn, id)
    }

    /// The course's administrations, the newest version of each, by date then id.
    pub fn administrations_of(&self, course_id: i64) -> Result<Vec<AdministrationRecord>> {
        load_course(&self.conn, course_id)?;
        of_course(&self.conn, course_id)
    }

    /// Checks an administration against its course: a real scale, answers within it, a
    /// follow-up not dated before the course started, a session the course has.
    fn check_in_course(conn: &(impl Sql + ?Sized), course_id: i64, a: &Administration) -> Result<&'static Scale> {
        let scale = scale_of(&a.scale)?;
        a.check(scale)?;
        let course = load_course(conn, course_id)?;
        if !a.baseline && a.date < course.started_on {
            return Err(field(
                "date",
                format!("{} is before the course started ({}); only a baseline may be", a.date, course.started_on),
            ));
        }
        // A baseline is what the patient was before treatment: on or before the first dose's day.
        if a.baseline {
            let first: Option<String> = scalar(
                conn,
                &format!(
                    "SELECT MIN({}) FROM session s WHERE s.course_id = $1 \
                     AND s.status = 'final' AND s.outcome = 'treated' \
                     AND NOT EXISTS (SELECT 1 FROM session b WHERE b.amends_id = s.id AND b.status = 'final')",
                    conn.json_text("s.data", "date")
                ),
                params![course_id],
            )?;
            if let Some(first) = first.filter(|f| a.date.as_str() > f.as_str()) {
                return Err(field(
                    "baseline",
                    format!(
                        "a baseline is taken before treatment; the first dose was given on {first}, so a score of {} is a follow-up",
                        a.date
                    ),
                ));
            }
        }
        if let Some(n) = a.session_number {
            let sessions: u32 =
                scalar(conn, "SELECT COALESCE(MAX(number), 0) FROM session WHERE course_id = $1", params![course_id])?;
            if n > sessions {
                return Err(field(
                    "session_number",
                    format!("the course has {sessions} sessions; there is no session {n}"),
                ));
            }
        }
        Ok(scale)
    }

    /// Adds an administration to a course, as a draft.
    pub fn new_administration(
        &mut self,
        course_id: i64,
        a: &Administration,
        actor: &str,
    ) -> Result<AdministrationRecord> {
        let id = self.write(|tx, at| open(tx, at, course_id, a, actor))?;
        self.administration(id)
    }

    /// Saves a draft: checked (nothing is saved if anything is refused), then written with one
    /// audit entry per changed answer.
    pub fn save_administration(&mut self, id: i64, a: &Administration, actor: &str) -> Result<AdministrationRecord> {
        self.write(|tx, at| save(tx, at, id, a, actor))?;
        self.administration(id)
    }

    /// The baseline of a scale in a course: its finalised baseline administration in force,
    /// else the assessment's total for the scale.
    pub fn baseline_of(&self, course_id: i64, scale: &str) -> Result<Option<Baseline>> {
        baseline_of(&self.conn, course_id, scale)
    }

    fn baseline_in(
        conn: &(impl Sql + ?Sized),
        course_id: i64,
        scale: &str,
        except: Option<i64>,
    ) -> Result<Option<Baseline>> {
        // The newest finalised baseline in force (a course has few administrations of a scale:
        // whether each is a baseline is read from it here, the same on every engine).
        let finals = conn.rows(
            &format!(
                "SELECT a.id, a.score, a.data FROM administration a \
                 WHERE a.course_id = $1 AND a.scale = $2 AND a.status = 'final' AND NOT {SUPERSEDED} \
                 ORDER BY a.id DESC"
            ),
            params![course_id, scale],
        )?;
        for r in &finals {
            let id: i64 = r.get(0)?;
            let administration: Administration = super::courses::stored(r, 2)?;
            if Some(id) == except || !administration.baseline {
                continue;
            }
            let score: Score = super::courses::stored(r, 1)?;
            return Ok(Some(Baseline {
                total: score.total,
                origin: BaselineOrigin::Administration,
                administration_id: Some(id),
                date: Some(administration.date),
            }));
        }
        let course = load_course(conn, course_id)?;
        let a = crate::records::assessments::load(conn, course.assessment_id)?;
        let def = scale_of(scale)?;
        let question = def.scale.assessment_total.as_deref();
        let total = match crate::eligibility::question_table::QUESTIONS
            .iter()
            .find(|q| Some(q.path) == question)
            .map(|q| (q.get)(&a.answers))
        {
            Some(crate::eligibility::model::Answer::Number(t)) => Some(t),
            _ => None,
        };
        let max = def.max_total();
        Ok(total.filter(|t| t.fract() == 0.0 && *t >= 0.0 && *t <= f64::from(max)).map(|t| Baseline {
            total: t as u32,
            origin: BaselineOrigin::Assessment,
            administration_id: None,
            date: None,
        }))
    }

    /// What an administration still needs before it is finalised, by field.
    pub fn administration_still_needed(&self, id: i64) -> Result<Vec<String>> {
        let current = self.administration(id)?;
        Ok(current.administration.still_needed(scale_of(&current.administration.scale)?))
    }

    /// Finalises an administration, signed by `clinician` (whose passphrase the caller has
    /// checked): every item answered, a note on any safety alert, at most one baseline in force
    /// per scale. Its score (against the baseline in force), the scale's hash and the site's
    /// choices are kept with it.
    pub fn finalise_administration(
        &mut self,
        id: i64,
        clinician: &str,
        site: &ScalesSite,
    ) -> Result<AdministrationRecord> {
        self.write(|tx, at| finalise(tx, at, id, clinician, site))?;
        self.administration(id)
    }

    /// Amends a finalised administration: a new draft version with its answers copied; the
    /// version it amends stays in force until the amendment is finalised. Only the newest
    /// version can be amended, once.
    pub fn amend_administration(&mut self, id: i64, actor: &str) -> Result<AdministrationRecord> {
        let new_id = self.write(|tx, at| amend(tx, at, id, actor))?;
        self.administration(new_id)
    }

    /// The finalised administrations whose stored content no longer matches the hash that was
    /// signed, by id, and how many were checked.
    pub fn broken_administration_signatures(&self) -> Result<(u64, Vec<i64>)> {
        broken_signatures(&self.conn)
    }
}

/// Adds an administration to a course, as a draft; its id.
pub fn open(tx: &(impl Sql + ?Sized), at: &str, course_id: i64, a: &Administration, actor: &str) -> Result<i64> {
    Store::check_in_course(tx, course_id, a)?;
    let course = load_course(tx, course_id)?;
    let id = crate::records::sql::returned_id(tx.row(
        "INSERT INTO administration (course_id, scale, status, data, created_at, updated_at) \
         VALUES ($1, $2, 'draft', $3, $4, $4) RETURNING id",
        params![course_id, &a.scale, to_json(a), at],
    )?)?;
    audit::append(
        tx,
        at,
        &Event {
            actor,
            action: "administration_create",
            patient_id: Some(course.patient_id),
            assessment_id: Some(course.assessment_id),
            detail: Some(to_json(&serde_json::json!({
                "course": course_id, "administration": id, "scale": a.scale, "baseline": a.baseline,
            }))),
            ..Default::default()
        },
    )?;
    Ok(id)
}

/// Saves an administration draft ([`Store::save_administration`]).
pub fn save(tx: &(impl Sql + ?Sized), at: &str, id: i64, a: &Administration, actor: &str) -> Result<()> {
    let current = load(tx, id)?;
    if current.status == RecordStatus::Final {
        return Err(field("administration_id", format!("administration {id} is finalised; amend it to change it")));
    }
    if a.scale != current.administration.scale {
        return Err(field("scale", format!("administration {id} is of {}", current.administration.scale)));
    }
    Store::check_in_course(tx, current.course_id, a)?;
    if current.administration == *a {
        return Ok(());
    }
    let course = load_course(tx, current.course_id)?;
    tx.run("UPDATE administration SET data = $1, updated_at = $2 WHERE id = $3", params![to_json(a), at, id])?;
    let detail = format!("course {}, administration {id} ({})", course.id, a.scale);
    let base = Event {
        actor,
        action: "administration_answer",
        patient_id: Some(course.patient_id),
        assessment_id: Some(course.assessment_id),
        detail: Some(detail),
        ..Default::default()
    };
    signed::audit_changes(tx, at, &base, changes(&leaves_of(&current.administration), &leaves_of(a)))?;
    Ok(())
}

/// Finalises an administration, signed by `clinician` ([`Store::finalise_administration`]).
pub fn finalise(tx: &(impl Sql + ?Sized), at: &str, id: i64, clinician: &str, site: &ScalesSite) -> Result<()> {
    let current = load(tx, id)?;
    if current.status == RecordStatus::Final {
        return Err(field("administration_id", format!("administration {id} is already finalised")));
    }
    let a = &current.administration;
    let scale = Store::check_in_course(tx, current.course_id, a)?;
    let needed = a.still_needed(scale);
    if let Some(first) = needed.first() {
        return Err(field(
            first,
            format!("needed before the administration is finalised (still needed: {})", needed.join(", ")),
        ));
    }
    let other = Store::baseline_in(tx, current.course_id, &a.scale, current.amends)?;
    if a.baseline {
        if let Some(b) = other.as_ref().filter(|b| b.origin == BaselineOrigin::Administration) {
            return Err(field(
                "baseline",
                format!(
                    "the course already has a {} baseline (administration {}): amend it instead",
                    scale.scale.name,
                    b.administration_id.unwrap_or_default()
                ),
            ));
        }
    }
    let baseline = if a.baseline { None } else { other.map(|b| b.total) };
    let answers = a.answers().expect("every item is answered");
    let score = scale.score(&answers, baseline, site.remission_threshold(&a.scale))?;
    let course = load_course(tx, current.course_id)?;
    let (score_json, site_json) = (to_json(&score), to_json(site));
    tx.run(
        "UPDATE administration SET finalised_at = $1, finalised_by = $2, updated_at = $1, \
         score = $3, scale_sha256 = $4, scales_site = $5 WHERE id = $6",
        params![at, clinician, score_json, &scale.sha256, site_json, id],
    )?;
    let hash = signed::sign(tx, &signed::ADMINISTRATION, id)?;
    audit::append(
        tx,
        at,
        &Event {
            actor: clinician,
            action: "administration_finalise",
            patient_id: Some(course.patient_id),
            assessment_id: Some(course.assessment_id),
            detail: Some(to_json(&serde_json::json!({
                "course": course.id,
                "administration": id,
                "scale": a.scale,
                "total": score.total,
                "flags": score.flags,
                "signed_sha256": hash,
            }))),
            ..Default::default()
        },
    )?;
    Ok(())
}

/// Amends a finalised administration: a new draft version ([`Store::amend_administration`]); its id.
pub fn amend(tx: &(impl Sql + ?Sized), at: &str, id: i64, actor: &str) -> Result<i64> {
    let current = load(tx, id)?;
    if current.status != RecordStatus::Final {
        return Err(field("administration_id", format!("administration {id} is a draft: change it instead")));
    }
    if let Some(by) = current.amended_by {
        return Err(field("administration_id", format!("administration {id} was already amended by {by}")));
    }
    let course = load_course(tx, current.course_id)?;
    let version = current.version + 1;
    let content = [("data", to_json(&current.administration).into())];
    let new_id = signed::new_version(tx, &signed::ADMINISTRATION, id, "course_id, scale", &content, at)?;
    audit::append(
        tx,
        at,
        &Event {
            actor,
            action: "administration_amend",
            patient_id: Some(course.patient_id),
            assessment_id: Some(course.assessment_id),
            detail: Some(to_json(&serde_json::json!({
                "course": course.id, "administration": new_id, "version": version, "amends": id,
            }))),
            ..Default::default()
        },
    )?;
    Ok(new_id)
}
