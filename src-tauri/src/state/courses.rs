//! Treatment courses and their sessions: start and end a course, sessions saved as typed,
//! finalised and amended, the REMS forms and the course's documents.

use crate::access::locked;
use crate::views::{CourseView, ExportFormat, SessionDocument, SessionView};
use crate::IpcError;
use trdcheck::records::{self, CourseRecord, RemsPending, Store};
use trdcheck::treatment::dosing::DosingRules;
use trdcheck::treatment::session::Session as TreatmentSession;
use trdcheck::ErrorCode;

use super::*;

impl AppState {
    /// The dosing rules (rules/dosing.toml).
    pub(super) fn dosing(&self) -> Result<&'static DosingRules> {
        DosingRules::embedded().map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))
    }

    /// Runs `f` with what sessions are judged with today: the rule set, the policy in force and
    /// the dosing rules and choices.
    pub(super) fn with_sessions<T>(
        &self,
        f: impl FnOnce(&mut Store, &records::InForce, &InForce) -> Result<T>,
    ) -> Result<T> {
        let dosing = self.dosing()?;
        self.with_store(|s| {
            let f_now = self.in_force(s)?;
            let now =
                records::InForce { rules: self.rules, policy: &f_now.policy, dosing, site: &f_now.settings.dosing };
            f(s, &now, &f_now)
        })
    }

    pub(super) fn session_view(s: &Store, now: &records::InForce, id: i64) -> Result<SessionView> {
        let record = s.session(id)?;
        let course = s.course(record.course_id)?;
        let patient = s.patient(course.patient_id)?;
        let state = s.session_state(id, now)?;
        let overview = s.course_overview(course.id, now.dosing)?;
        let rems_submitted = overview.sessions.iter().find(|l| l.id == id).and_then(|l| l.rems_submitted);
        Ok(SessionView {
            rems_submitted,
            editable: record.status == trdcheck::records::RecordStatus::Draft,
            record,
            course,
            patient,
            state,
        })
    }

    pub(super) fn course_view(s: &Store, dosing: &DosingRules, id: i64) -> Result<CourseView> {
        let overview = s.course_overview(id, dosing)?;
        let patient = s.patient(overview.course.patient_id)?;
        Ok(CourseView { overview, patient })
    }

    pub fn patient_courses(&self, patient_id: i64) -> Result<Vec<CourseRecord>> {
        self.with_store(|s| Ok(s.courses_of(patient_id)?))
    }

    pub fn start_course(&self, assessment_id: i64, started_on: String) -> Result<CourseView> {
        let dosing = self.dosing()?;
        self.with_store(|s| {
            let actor = self.in_force(s)?.actor();
            let course = s.start_course(assessment_id, &started_on, &actor)?;
            Self::course_view(s, dosing, course.id)
        })
    }

    pub fn end_course(&self, id: i64, ended_on: String, reason: String) -> Result<CourseView> {
        let dosing = self.dosing()?;
        self.with_store(|s| {
            let actor = self.in_force(s)?.actor();
            s.end_course(id, &ended_on, &reason, &actor)?;
            Self::course_view(s, dosing, id)
        })
    }

    pub fn open_course(&self, id: i64) -> Result<CourseView> {
        let dosing = self.dosing()?;
        self.with_store(|s| Self::course_view(s, dosing, id))
    }

    pub fn new_session(&self, course_id: i64, date: String) -> Result<SessionView> {
        self.with_sessions(|s, now, f| {
            let record = s.new_session(course_id, &date, &f.actor(), now)?;
            Self::session_view(s, now, record.id)
        })
    }

    pub fn open_session(&self, id: i64) -> Result<SessionView> {
        self.with_sessions(|s, now, _| Self::session_view(s, now, id))
    }

    pub fn save_session(&self, id: i64, session: TreatmentSession) -> Result<SessionView> {
        self.with_sessions(|s, now, f| {
            s.save_session(id, &session, &f.actor(), now)?;
            Self::session_view(s, now, id)
        })
    }

    /// Finalises a session, signed by the signed-in clinician, who gives their passphrase again.
    pub fn finalise_session(&self, id: i64, passphrase: String) -> Result<SessionView> {
        let signer = self.confirm_passphrase(&passphrase)?;
        self.with_sessions(|s, now, f| {
            if f.clinician != signer {
                return Err(locked());
            }
            s.finalise_session(id, &signer, now)?;
            Self::session_view(s, now, id)
        })
    }

    /// A new draft version of a finalised session; the clinician gives their passphrase again.
    pub fn amend_session(&self, id: i64, passphrase: String) -> Result<SessionView> {
        self.confirm_passphrase(&passphrase)?;
        self.with_sessions(|s, now, f| {
            let record = s.amend_session(id, &f.actor())?;
            Self::session_view(s, now, record.id)
        })
    }

    /// Marks a finalised esketamine session's REMS form as submitted (once), by the clinician.
    pub fn mark_rems_submitted(&self, id: i64) -> Result<SessionView> {
        self.with_sessions(|s, now, f| {
            s.mark_rems_submitted(id, &f.actor())?;
            Self::session_view(s, now, id)
        })
    }

    /// Records in the audit trail that a course's document was saved to a file.
    pub fn record_course_export(&self, course: i64, session: Option<i64>, document: &str, format: &str) -> Result<()> {
        self.with_store(|s| {
            let actor = self.in_force(s)?.actor();
            Ok(s.record_course_export(course, session, document, format, &actor)?)
        })
    }

    /// The treated esketamine sessions whose REMS form is not marked submitted, soonest due first.
    pub fn rems_pending(&self) -> Result<Vec<RemsPending>> {
        let dosing = self.dosing()?;
        self.with_store(|s| Ok(s.rems_pending(dosing)?))
    }

    /// A session's summary or REMS form, as HTML or PDF, on the clinic's paper.
    pub fn session_document(&self, id: i64, document: SessionDocument, pdf: bool) -> Result<Vec<u8>> {
        let dosing = self.dosing()?;
        let pdf_error = |e: trdcheck::documents::pdf::PdfError| IpcError::new(ErrorCode::Pdf, e.to_string());
        self.with_store(|s| {
            let f = self.in_force(s)?;
            let paper = f.settings.paper;
            self.before_render();
            Ok(match document {
                SessionDocument::Summary => {
                    let record = s.session(id)?;
                    let summary = trdcheck::documents::course_summary::course_summary(
                        s,
                        record.course_id,
                        self.rules,
                        dosing,
                        Some(record.session.number),
                    )?;
                    if pdf {
                        summary.to_pdf(paper).map_err(pdf_error)?
                    } else {
                        summary.to_html(paper).into_bytes()
                    }
                }
                SessionDocument::RemsForm => {
                    let form = trdcheck::documents::rems::rems_form(s, id, dosing, &f.settings.rems_setting())?;
                    if pdf {
                        form.to_pdf(paper).map_err(pdf_error)?
                    } else {
                        form.to_html(paper).into_bytes()
                    }
                }
            })
        })
    }

    /// A session document as HTML, for the screen.
    pub fn session_document_html(&self, id: i64, document: SessionDocument) -> Result<String> {
        let bytes = self.session_document(id, document, false)?;
        String::from_utf8(bytes).map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))
    }

    /// A course as JSON (trdcheck/course/v1), its summary (HTML, PDF) or FHIR R4.
    pub fn course_document(&self, id: i64, format: ExportFormat) -> Result<Vec<u8>> {
        let dosing = self.dosing()?;
        let internal = |e: serde_json::Error| IpcError::new(ErrorCode::Internal, e.to_string());
        self.with_store(|s| {
            let paper = self.in_force(s)?.settings.paper;
            self.before_render();
            let course = s.course(id)?;
            Ok(match format {
                ExportFormat::Json => serde_json::to_vec_pretty(&s.course_document(id)?).map_err(internal)?,
                ExportFormat::Fhir => {
                    let patient = s.patient(course.patient_id)?;
                    let scores = s.administrations_of(id)?;
                    // The sessions as signed and in force (a draft amendment does not hide its
                    // signed version).
                    let signed = s.sessions_in_force(id)?;
                    serde_json::to_vec_pretty(&trdcheck::documents::course_fhir::course_bundle(
                        &course, &signed, &scores, &patient,
                    ))
                    .map_err(internal)?
                }
                ExportFormat::Html => {
                    trdcheck::documents::course_summary::course_summary(s, id, self.rules, dosing, None)?
                        .to_html(paper)
                        .into_bytes()
                }
                ExportFormat::Pdf => {
                    trdcheck::documents::course_summary::course_summary(s, id, self.rules, dosing, None)?
                        .to_pdf(paper)
                        .map_err(|e| IpcError::new(ErrorCode::Pdf, e.to_string()))?
                }
            })
        })
    }

    /// The file name the save dialog offers for a course ("trdcheck-MRN-course-3.pdf") or a
    /// session document ("trdcheck-MRN-session-2-rems.pdf").
    pub fn course_file_name(&self, course_id: i64, part: &str, ext: &str) -> Result<String> {
        self.with_store(|s| {
            let patient = s.patient(s.course(course_id)?.patient_id)?;
            Ok(format!("trdcheck-{}-{part}.{ext}", safe_file_part(&patient.mrn)))
        })
    }

    /// The course and number of a session (for its file name).
    pub fn session_place(&self, id: i64) -> Result<(i64, u32)> {
        self.with_store(|s| {
            let r = s.session(id)?;
            Ok((r.course_id, r.session.number))
        })
    }
}
