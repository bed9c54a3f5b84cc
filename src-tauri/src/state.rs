//! What the commands share, and their work: each method of [`AppState`] is the body of the
//! command of the same name (the tests call them directly). Database, file and rendering work is
//! done here, on the blocking pool; no lock is held while a document renders.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use trdcheck::documents::summary::Summary;
use trdcheck::eligibility::model::Assessment;
use trdcheck::outcomes::administration::Administration;
use trdcheck::outcomes::scales::Scales;
use trdcheck::records::CourseOutcomes;
use trdcheck::records::{
    self, AssessmentListing, AssessmentRecord, ClinicSettings, CourseRecord, NewPatient, Patient, RemsPending, Store,
};
use trdcheck::treatment::dosing::DosingRules;
use trdcheck::treatment::session::Session as TreatmentSession;
use trdcheck::vault::Vault;
use trdcheck::{ErrorCode, Evaluation, RuleSet, SitePolicy};

use crate::access::{locked, Session};
use crate::views::{
    catalog_of, labels, view, AdministrationView, AppInfo, AssessmentView, Catalog, CourseView, ExportFormat,
    SessionDocument, SessionView, SettingChange,
};
use crate::{prefs, IpcError};

type Result<T> = std::result::Result<T, IpcError>;

/// The state the commands share, as Tauri manages it.
pub type Shared = Arc<AppState>;

/// The clinic's settings and the policy they give, read from the database for each command, and
/// the signed-in clinician who acts.
struct InForce {
    settings: ClinicSettings,
    policy: SitePolicy,
    clinician: String,
}

impl InForce {
    /// Who is acting: the signed-in clinician.
    fn actor(&self) -> String {
        self.clinician.clone()
    }
}

pub struct AppState {
    pub(crate) rules: &'static RuleSet,
    pub(crate) data_dir: PathBuf,
    /// The records' database and its key file.
    pub(crate) vault: Vault,
    /// The signed-in clinician (none: locked).
    pub(crate) session: Mutex<Option<Session>>,
    /// The open database, or why it is not open: locked, or it could not be opened (shown to the
    /// clinician, never replaced).
    pub(crate) store: Mutex<std::result::Result<Store, IpcError>>,
    /// Set when settings of an earlier version could not be read and none are in the database:
    /// the policy is unknown until the clinician saves the settings (never the defaults).
    settings_block: Mutex<Option<IpcError>>,
    /// This workstation's text size in percent (a display preference, not audited).
    text_size: Mutex<u32>,
    /// Why the display preferences could not be read, if they could not.
    preferences_error: Mutex<Option<IpcError>>,
    /// Called between reading a record and rendering its document (tests use it to show that
    /// no lock is held while a document renders).
    render_hook: Mutex<Option<Box<dyn Fn() + Send + Sync>>>,
}

/// The errors that mean the clinic's settings cannot be known until they are saved again.
const SETTINGS_PROBLEMS: [ErrorCode; 3] =
    [ErrorCode::SettingsUnreadable, ErrorCode::Preferences, ErrorCode::InvalidPolicyValue];

fn poisoned(what: &str) -> IpcError {
    IpcError::new(ErrorCode::Internal, format!("{what} lock"))
}

impl AppState {
    /// The app's state over its data folder, locked: the records open when a clinician signs in.
    pub fn new(data_dir: PathBuf) -> Result<AppState> {
        let rules = RuleSet::embedded().map_err(|e| IpcError::new(ErrorCode::Ruleset, e.to_string()))?;
        Ok(AppState {
            rules,
            vault: Vault::new(&data_dir.join(trdcheck::records::DATABASE_FILE)),
            data_dir,
            session: Mutex::new(None),
            store: Mutex::new(Err(locked())),
            settings_block: Mutex::new(None),
            text_size: Mutex::new(prefs::TEXT_SIZES[0]),
            preferences_error: Mutex::new(None),
            render_hook: Mutex::new(None),
        })
    }

    /// Runs `f` on the open records, for the signed-in clinician (locked: refused).
    pub(crate) fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        self.signed_in()?;
        let mut guard = self.store.lock().map_err(|_| poisoned("database"))?;
        match guard.as_mut() {
            Ok(store) => f(store),
            Err(e) => Err(e.clone()),
        }
    }

    /// The settings and policy in force; an unreadable setting is an error, never a default.
    fn in_force(&self, store: &Store) -> Result<InForce> {
        if let Some(e) = self.settings_block.lock().map_err(|_| poisoned("settings"))?.clone() {
            return Err(e);
        }
        // Who is signed in (the lock was checked by with_store; checking it again here, with the
        // records held, could close them from under this very command).
        let clinician = self.session.lock().map_err(|_| poisoned("session"))?.as_ref().map(|s| s.clinician.clone());
        let clinician = clinician.ok_or_else(locked)?;
        let settings = store.clinic_settings()?;
        let policy = SitePolicy::resolve(self.rules, &settings.policy)?;
        Ok(InForce { settings, policy, clinician })
    }

    /// Blocks the settings until they are saved (an earlier version's settings could not be read).
    pub(crate) fn block_settings(&self, why: IpcError) {
        if let Ok(mut b) = self.settings_block.lock() {
            *b = Some(why);
        }
    }

    pub(crate) fn set_preferences_error(&self, why: Option<IpcError>) {
        if let Ok(mut p) = self.preferences_error.lock() {
            *p = why;
        }
    }

    pub(crate) fn settings_blocked(&self) -> Option<IpcError> {
        self.settings_block.lock().ok().and_then(|b| b.clone())
    }

    pub(crate) fn preferences_error(&self) -> Option<IpcError> {
        self.preferences_error.lock().ok().and_then(|p| p.clone())
    }

    /// What the app shows of itself: version, rule set, data folder, settings and policy.
    pub fn app_info(&self) -> Result<AppInfo> {
        let (in_force, database_error) = match self.with_store(|s| self.in_force(s)) {
            Ok(f) => (Ok(f), None),
            // Locked: nothing of the records is shown.
            Err(e) if e.code == ErrorCode::Locked => (Err(e), None),
            Err(e) => {
                let database_error = self.store.lock().ok().and_then(|s| s.as_ref().err().cloned());
                (Err(e), database_error)
            }
        };
        let (settings, policy, settings_error) = match in_force {
            Ok(f) => (Some(f.settings), Some(f.policy), None),
            Err(_) if database_error.is_some() => (None, None, None),
            Err(e) if e.code == ErrorCode::Locked => (None, None, None),
            // What the settings are is not known: shown as the error, no default in their place.
            Err(e) if SETTINGS_PROBLEMS.contains(&e.code) => (None, None, Some(e)),
            // Anything else (the database busy a moment) is an error of this call, not "no settings".
            Err(e) => return Err(e),
        };
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            ruleset: self.rules.reference(),
            data_dir: self.data_dir.display().to_string(),
            database: self.data_dir.join(trdcheck::records::DATABASE_FILE).display().to_string(),
            settings,
            settings_error,
            preferences_error: self.preferences_error(),
            policy,
            text_size_percent: *self.text_size.lock().map_err(|_| poisoned("settings"))?,
            text_sizes: prefs::TEXT_SIZES.to_vec(),
            database_error,
            lock_after_min: *trdcheck::records::settings::LOCK_AFTER_MINUTES_RANGE.start(),
            lock_after_max: *trdcheck::records::settings::LOCK_AFTER_MINUTES_RANGE.end(),
            signed_in: self.session.lock().ok().and_then(|s| s.as_ref().map(|s| s.clinician.clone())),
            labels: labels(),
        })
    }

    pub fn catalog(&self) -> Result<Catalog> {
        let scales = Scales::embedded().map_err(|e| IpcError::new(ErrorCode::Ruleset, e.to_string()))?;
        Ok(catalog_of(self.rules, self.dosing()?, scales))
    }

    /// Sets this workstation's text size (one of [`prefs::TEXT_SIZES`]) for this session.
    pub fn set_text_size(&self, percent: u32) -> Result<()> {
        let percent = prefs::check_text_size(percent)?;
        *self.text_size.lock().map_err(|_| poisoned("settings"))? = percent;
        Ok(())
    }

    pub fn search_patients(&self, query: String) -> Result<Vec<Patient>> {
        self.with_store(|s| Ok(s.search_patients(&query, 100)?))
    }

    pub fn patient(&self, id: i64) -> Result<Patient> {
        self.with_store(|s| Ok(s.patient(id)?))
    }

    pub fn create_patient(&self, patient: NewPatient) -> Result<Patient> {
        self.with_store(|s| {
            let actor = self.in_force(s)?.actor();
            Ok(s.create_patient(&patient, &actor)?)
        })
    }

    pub fn patient_assessments(&self, patient_id: i64) -> Result<Vec<AssessmentListing>> {
        self.with_store(|s| Ok(s.assessments_of(patient_id)?))
    }

    pub fn recent_assessments(&self) -> Result<Vec<AssessmentListing>> {
        self.with_store(|s| Ok(s.recent_assessments(50)?))
    }

    pub fn create_draft(&self, patient_id: i64) -> Result<AssessmentView> {
        self.with_store(|s| {
            let f = self.in_force(s)?;
            let record = s.create_draft(patient_id, None, &f.actor())?;
            view(s, self.rules, &f.policy, record.id)
        })
    }

    /// An assessment as its screen shows it. A finalised one shows what was signed (its own
    /// evaluation and policy), so it opens even while the clinic's settings cannot be read.
    pub fn open_assessment(&self, id: i64) -> Result<AssessmentView> {
        self.with_store(|s| {
            if let Some(signed) = s.assessment(id)?.snapshot {
                return view(s, self.rules, &signed.policy, id);
            }
            let f = self.in_force(s)?;
            view(s, self.rules, &f.policy, id)
        })
    }

    pub fn save_answers(&self, id: i64, answers: Assessment) -> Result<AssessmentView> {
        self.with_store(|s| {
            let f = self.in_force(s)?;
            s.save_draft(id, &answers, &f.actor())?;
            view(s, self.rules, &f.policy, id)
        })
    }

    pub fn set_acknowledgement(&self, id: i64, rule: String, note: String) -> Result<AssessmentView> {
        self.with_store(|s| {
            let f = self.in_force(s)?;
            s.set_acknowledgement(id, &rule, &note, &f.actor(), self.rules, &f.policy)?;
            view(s, self.rules, &f.policy, id)
        })
    }

    /// Finalises a draft, signed by the signed-in clinician, who gives their passphrase again.
    pub fn finalise(&self, id: i64, passphrase: String) -> Result<AssessmentView> {
        let signer = self.confirm_passphrase(&passphrase)?;
        self.with_store(|s| {
            let f = self.in_force(s)?;
            // Signed by the clinician still signed in (not one who took over meanwhile).
            if f.clinician != signer {
                return Err(locked());
            }
            s.finalise(id, &signer, self.rules, &f.policy)?;
            view(s, self.rules, &f.policy, id)
        })
    }

    /// A new draft version of a finalised assessment; the clinician gives their passphrase again.
    pub fn amend(&self, id: i64, passphrase: String) -> Result<AssessmentView> {
        self.confirm_passphrase(&passphrase)?;
        self.with_store(|s| {
            let f = self.in_force(s)?;
            let record = s.amend(id, &f.actor())?;
            view(s, self.rules, &f.policy, record.id)
        })
    }

    pub fn discard_draft(&self, id: i64) -> Result<()> {
        self.with_store(|s| {
            let actor = self.in_force(s)?.actor();
            Ok(s.discard_draft(id, &actor)?)
        })
    }

    /// The dosing rules (rules/dosing.toml).
    fn dosing(&self) -> Result<&'static DosingRules> {
        DosingRules::embedded().map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))
    }

    /// Runs `f` with what sessions are judged with today: the rule set, the policy in force and
    /// the dosing rules and choices.
    fn with_sessions<T>(&self, f: impl FnOnce(&mut Store, &records::InForce, &InForce) -> Result<T>) -> Result<T> {
        let dosing = self.dosing()?;
        self.with_store(|s| {
            let f_now = self.in_force(s)?;
            let now =
                records::InForce { rules: self.rules, policy: &f_now.policy, dosing, site: &f_now.settings.dosing };
            f(s, &now, &f_now)
        })
    }

    fn session_view(s: &Store, now: &records::InForce, id: i64) -> Result<SessionView> {
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

    fn course_view(s: &Store, dosing: &DosingRules, id: i64) -> Result<CourseView> {
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

    fn administration_view(s: &Store, settings: &ClinicSettings, id: i64) -> Result<AdministrationView> {
        let record = s.administration(id)?;
        let course = s.course(record.course_id)?;
        let patient = s.patient(course.patient_id)?;
        let a = &record.administration;
        let scale = Scales::scale(&a.scale)?;
        let baseline = if a.baseline { None } else { s.baseline_of(course.id, &a.scale)? };
        let editable = record.status == trdcheck::records::RecordStatus::Draft;
        let score = match (&record.score, a.answers()) {
            (Some(signed), _) => Some(signed.clone()),
            (None, Some(items)) if editable => {
                let threshold = settings.scales.remission_threshold(&a.scale);
                Some(scale.score(&items, baseline.as_ref().map(|b| b.total), threshold)?)
            }
            _ => None,
        };
        Ok(AdministrationView {
            still_needed: a.still_needed(scale),
            alerts: a.alerts(scale),
            baseline,
            score,
            editable,
            record,
            course,
            patient,
        })
    }

    /// Adds a scale administration to a course as a draft, every item unanswered.
    pub fn new_administration(
        &self,
        course_id: i64,
        scale: String,
        date: String,
        baseline: bool,
        session_number: Option<u32>,
    ) -> Result<AdministrationView> {
        let mut a = Administration::new(Scales::scale(&scale)?, &date);
        a.baseline = baseline;
        a.session_number = session_number;
        self.with_store(|s| {
            let f = self.in_force(s)?;
            let record = s.new_administration(course_id, &a, &f.actor())?;
            Self::administration_view(s, &f.settings, record.id)
        })
    }

    pub fn open_administration(&self, id: i64) -> Result<AdministrationView> {
        self.with_store(|s| {
            let f = self.in_force(s)?;
            Self::administration_view(s, &f.settings, id)
        })
    }

    pub fn save_administration(&self, id: i64, administration: Administration) -> Result<AdministrationView> {
        self.with_store(|s| {
            let f = self.in_force(s)?;
            s.save_administration(id, &administration, &f.actor())?;
            Self::administration_view(s, &f.settings, id)
        })
    }

    /// Finalises an administration, signed by the signed-in clinician, who gives their passphrase
    /// again; its score is kept with the site's remission choice in force.
    pub fn finalise_administration(&self, id: i64, passphrase: String) -> Result<AdministrationView> {
        let signer = self.confirm_passphrase(&passphrase)?;
        self.with_store(|s| {
            let f = self.in_force(s)?;
            if f.clinician != signer {
                return Err(locked());
            }
            s.finalise_administration(id, &signer, &f.settings.scales)?;
            Self::administration_view(s, &f.settings, id)
        })
    }

    /// A new draft version of a finalised administration; the clinician gives their passphrase again.
    pub fn amend_administration(&self, id: i64, passphrase: String) -> Result<AdministrationView> {
        self.confirm_passphrase(&passphrase)?;
        self.with_store(|s| {
            let f = self.in_force(s)?;
            let record = s.amend_administration(id, &f.actor())?;
            Self::administration_view(s, &f.settings, record.id)
        })
    }

    /// The course's outcome scales as of today: baselines, every administration judged against
    /// the baseline in force, the safety alerts and the benefit review.
    pub fn course_outcomes(&self, course_id: i64) -> Result<CourseOutcomes> {
        self.with_store(|s| {
            let f = self.in_force(s)?;
            Ok(s.course_outcomes(course_id, &f.settings.scales, &trdcheck::documents::summary::today())?)
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

    /// Saves the clinic's settings in the database (each change audited, by the signed-in
    /// clinician); a changed policy applies to every draft from now on, a changed lock time at
    /// once. Refused when they changed since `expected` was read.
    pub fn save_settings(&self, settings: ClinicSettings, expected: Option<ClinicSettings>) -> Result<AppInfo> {
        let actor = self.signed_in()?;
        let saved =
            self.with_store(|s| Ok(s.save_clinic_settings(&settings, expected.as_ref(), &actor, self.rules)?))?;
        self.set_lock_after(saved.lock_after_minutes);
        if let Ok(mut b) = self.settings_block.lock() {
            *b = None;
        }
        self.app_info()
    }

    /// Every change of the clinic's settings, newest first.
    pub fn settings_history(&self) -> Result<Vec<SettingChange>> {
        let entries = self.with_store(|s| Ok(s.settings_history()?))?;
        Ok(entries.into_iter().rev().map(SettingChange::from).collect())
    }

    pub fn ui_ready(&self) -> Result<()> {
        if std::env::var_os("TRDCHECK_LAUNCH_PROBE").is_some() {
            eprintln!("trdcheck: ui ready");
        }
        Ok(())
    }

    /// Sets the hook called before a document renders (tests only).
    #[doc(hidden)]
    pub fn set_render_hook(&self, hook: impl Fn() + Send + Sync + 'static) {
        if let Ok(mut h) = self.render_hook.lock() {
            *h = Some(Box::new(hook));
        }
    }

    fn before_render(&self) {
        if let Ok(h) = self.render_hook.lock() {
            if let Some(hook) = h.as_ref() {
                hook();
            }
        }
    }

    /// What a document of a record is made from, read under the database lock (released before
    /// anything renders).
    fn document_of(&self, id: i64) -> Result<Document> {
        self.with_store(|s| {
            let f = self.in_force(s)?;
            let record = s.assessment(id)?;
            let patient = s.patient(record.patient_id)?;
            let evaluation = record.evaluation(self.rules, &f.policy);
            let mut context = trdcheck::documents::summary::Context::of_record(&record, &patient);
            context.clinic = Some(f.settings.clinic.clone()).filter(|c| !c.trim().is_empty());
            context.clinician = record.finalised_by.clone().or(Some(f.clinician.clone()));
            context.generated_at = Some(trdcheck::documents::summary::now_for_display());
            Ok(Document { actor: f.actor(), paper: f.settings.paper, record, evaluation, context })
        })
    }

    pub fn summary_html(&self, id: i64) -> Result<String> {
        let doc = self.document_of(id)?;
        self.before_render();
        Ok(doc.summary(self.rules).to_html(doc.paper))
    }

    /// Writes an assessment to `path` and then records the export.
    pub fn export_assessment(&self, id: i64, format: ExportFormat, path: &Path) -> Result<String> {
        if !path.is_absolute() {
            return Err(IpcError::new(ErrorCode::InvalidPath, "choose where to save the file"));
        }
        let doc = self.document_of(id)?;
        self.before_render();
        let internal = |e: serde_json::Error| IpcError::new(ErrorCode::Internal, e.to_string());
        let bytes = match format {
            ExportFormat::Json => serde_json::to_vec_pretty(&doc.record.answers).map_err(internal)?,
            ExportFormat::Html => doc.summary(self.rules).to_html(doc.paper).into_bytes(),
            ExportFormat::Pdf => {
                doc.summary(self.rules).to_pdf(doc.paper).map_err(|e| IpcError::new(ErrorCode::Pdf, e.to_string()))?
            }
            ExportFormat::Fhir => {
                let rules = doc.record.rules_for_display(self.rules);
                let bundle =
                    trdcheck::documents::fhir::bundle(&doc.record.answers, &doc.evaluation, rules, &doc.context);
                serde_json::to_vec_pretty(&bundle).map_err(internal)?
            }
        };
        std::fs::write(path, bytes).map_err(|e| IpcError::new(ErrorCode::Io, format!("{}: {e}", path.display())))?;
        self.with_store(|s| Ok(s.export(id, format.as_str(), &doc.actor)?))?;
        Ok(path.display().to_string())
    }

    /// The file name the save dialog offers: "trdcheck-MRN-v2.pdf".
    pub fn export_file_name(&self, id: i64, ext: &str) -> Result<String> {
        self.with_store(|s| {
            let record = s.assessment(id)?;
            let patient = s.patient(record.patient_id)?;
            Ok(format!("trdcheck-{}-v{}.{ext}", safe_file_part(&patient.mrn), record.version))
        })
    }

    /// Imports the assessment file at `path` as a new draft (of the patient with its MRN).
    pub fn import_assessment(&self, path: &Path) -> Result<AssessmentView> {
        let io = |e: std::io::Error| IpcError::new(ErrorCode::Io, format!("{}: {e}", path.display()));
        if std::fs::metadata(path).map_err(io)?.len() > 5_000_000 {
            return Err(IpcError::new(ErrorCode::InvalidJson, "this file is too large to be an assessment"));
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        self.with_store(|s| {
            let f = self.in_force(s)?;
            let record = s.import(&text, &f.actor())?;
            view(s, self.rules, &f.policy, record.id)
        })
    }
}

/// A record with what its documents show, read from the database.
struct Document {
    actor: String,
    paper: trdcheck::records::clinic_details::Paper,
    record: AssessmentRecord,
    evaluation: Evaluation,
    context: trdcheck::documents::summary::Context,
}

impl Document {
    /// The summary (no database access: built without the lock).
    fn summary(&self, rules: &RuleSet) -> Summary {
        Summary::build(
            &self.record.answers,
            &self.evaluation,
            self.record.rules_for_display(rules),
            self.context.clone(),
        )
    }
}

/// An MRN as part of a file name: letters, digits and '-' kept, anything else '_'.
fn safe_file_part(mrn: &str) -> String {
    mrn.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect()
}
