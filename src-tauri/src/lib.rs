//! The desktop shell: thin Tauri commands over the trdcheck core. Each command checks its input,
//! calls the core and returns typed data or one `{code, message, field}` error.
//!
//! Every command is `async`: its database, file and rendering work runs on the blocking pool of
//! Tauri's tokio runtime ([`blocking`]), never on the main (window) thread, and no lock is held
//! while a document renders.

mod error;
mod settings;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tauri::{Manager, State};
use trdcheck::checklist::{self, StepState};
use trdcheck::engine::{Determination, Evaluation};
use trdcheck::model::{AnswerKind, Assessment, Field, MEDICATION_FIELDS, QUESTIONS, TRIAL_FIELDS};
use trdcheck::ruleset::{Area, Definition, Level, Meta, PolicySpec, Question, RuleSetRef, Step, Strength};
use trdcheck::storage::{AssessmentListing, AssessmentRecord, NewPatient, Patient, RecordStatus, Store};
use trdcheck::summary::Summary;
use trdcheck::{RuleSet, SitePolicy};

pub use error::IpcError;
pub use settings::Settings;

type Result<T> = std::result::Result<T, IpcError>;

/// The state the commands share, as Tauri manages it.
pub type Shared = Arc<AppState>;

/// Runs a command's work on the blocking pool of Tauri's tokio runtime, never on the main thread.
async fn blocking<T: Send + 'static>(
    state: &Shared,
    work: impl FnOnce(&AppState) -> Result<T> + Send + 'static,
) -> Result<T> {
    let state = Arc::clone(state);
    tauri::async_runtime::spawn_blocking(move || work(&state))
        .await
        .map_err(|e| IpcError::new("internal", format!("a command stopped: {e}")))?
}

/// Everything the commands share.
pub struct AppState {
    rules: &'static RuleSet,
    data_dir: PathBuf,
    /// The open database, or why it could not be opened (shown to the clinician, never replaced).
    store: Mutex<std::result::Result<Store, IpcError>>,
    settings: Mutex<Settings>,
    /// This workstation's text size in percent (a display preference, not audited).
    text_size: Mutex<u32>,
    /// Called between reading a record and rendering its document (tests use it to show that
    /// no lock is held while a document renders).
    render_hook: Mutex<Option<Box<dyn Fn() + Send + Sync>>>,
}

impl AppState {
    fn policy(&self) -> Result<SitePolicy> {
        let settings = self.settings.lock().map_err(|_| IpcError::new("internal", "settings lock"))?;
        Ok(SitePolicy::resolve(self.rules, &settings.policy)?)
    }

    fn actor(&self) -> String {
        let name = self.settings.lock().map(|s| s.clinician.trim().to_string()).unwrap_or_default();
        if name.is_empty() {
            "unnamed clinician".into()
        } else {
            name
        }
    }

    fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        let mut guard = self.store.lock().map_err(|_| IpcError::new("internal", "database lock"))?;
        match guard.as_mut() {
            Ok(store) => f(store),
            Err(e) => Err(e.clone()),
        }
    }
}

/// What the app shows of itself.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct AppInfo {
    pub version: String,
    pub ruleset: RuleSetRef,
    pub data_dir: String,
    pub database: String,
    pub settings: Settings,
    /// The page zoom of this workstation, in percent, and the sizes offered.
    pub text_size_percent: u32,
    pub text_sizes: Vec<u32>,
    pub policy: SitePolicy,
    /// Set when the database could not be opened: the app shows it instead of the records.
    pub database_error: Option<IpcError>,
    /// The words for each determination, level and source strength, from the core (the UI
    /// repeats none of them).
    pub labels: Labels,
}

/// A rule as the "Why?" panel shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct RuleInfo {
    pub id: String,
    pub area: Area,
    pub level: Level,
    pub level_setting: Option<String>,
    pub urgent: bool,
    pub message: String,
    pub source: String,
    pub strength: Strength,
    /// The trigger in words.
    pub trigger: String,
}

/// A name the drug field completes to.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct DrugName {
    pub name: String,
    pub generic: String,
    pub min_dose_mg: Option<f64>,
    pub diazepam_10mg_equivalent: Option<f64>,
    pub classes: Vec<String>,
}

/// The allowed range of a numeric answer (the core checks it; the UI sets min/max from it).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct FieldRange {
    /// `cardiovascular.systolic_mmhg`, or `trials[].weeks_at_dose` for list fields.
    pub path: String,
    pub min: f64,
    pub max: Option<f64>,
    pub unit: String,
}

/// The rule set as the UI needs it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Catalog {
    pub meta: Meta,
    pub ruleset: RuleSetRef,
    pub steps: Vec<Step>,
    pub questions: Vec<Question>,
    pub definitions: Vec<Definition>,
    pub rules: Vec<RuleInfo>,
    pub drugs: Vec<DrugName>,
    pub classes: std::collections::BTreeMap<String, String>,
    pub ranges: Vec<FieldRange>,
    pub policy: PolicySpec,
}

/// An id and its words for the clinician.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Label {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Labels {
    pub determinations: Vec<Label>,
    /// Headings of the groups of findings, in their order.
    pub levels: Vec<Label>,
    pub strengths: Vec<Label>,
}

fn labels() -> Labels {
    let label = |id: &str, title: &str| Label { id: id.to_string(), title: title.to_string() };
    Labels {
        determinations: Determination::ALL.iter().map(|d| label(d.as_str(), d.title())).collect(),
        levels: Level::ALL.iter().map(|l| label(l.as_str(), l.title())).collect(),
        strengths: Strength::ALL.iter().map(|s| label(s.as_str(), s.label())).collect(),
    }
}

/// An assessment with everything the checklist screen shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AssessmentView {
    pub record: AssessmentRecord,
    pub patient: Patient,
    pub evaluation: Evaluation,
    pub steps: Vec<StepState>,
    pub editable: bool,
}

fn ranges<T>(fields: &[Field<T>], prefix: &str) -> Vec<FieldRange> {
    fields
        .iter()
        .filter_map(|f| match f.kind {
            AnswerKind::Number { min, max, unit, .. } => {
                Some(FieldRange { path: format!("{prefix}{}", f.path), min, max, unit: unit.to_string() })
            }
            _ => None,
        })
        .collect()
}

fn view(store: &Store, rules: &RuleSet, policy: &SitePolicy, id: i64) -> Result<AssessmentView> {
    let record = store.assessment(id)?;
    let patient = store.patient(record.patient_id)?;
    let evaluation = record.evaluation(rules, policy);
    // A finalised record is shown with the rule set that evaluated it (its own questions).
    let steps = checklist::steps(&record.answers, record.rules_for_display(rules));
    Ok(AssessmentView { editable: record.status == RecordStatus::Draft, record, patient, evaluation, steps })
}

/// The commands' work, callable without a running app (the tests call these).
impl AppState {
    /// State over an open database and settings (the app builds it in `setup`).
    pub fn new(data_dir: PathBuf, store: std::result::Result<Store, IpcError>, settings: Settings) -> Result<AppState> {
        let rules = RuleSet::embedded().map_err(|e| IpcError::new("ruleset", e.to_string()))?;
        Ok(AppState {
            rules,
            data_dir,
            store: Mutex::new(store),
            settings: Mutex::new(settings),
            text_size: Mutex::new(settings::TEXT_SIZES[0]),
            render_hook: Mutex::new(None),
        })
    }

    /// What the app shows of itself: version, rule set, data folder, settings and policy.
    pub fn app_info(&self) -> Result<AppInfo> {
        let settings = self.settings.lock().map_err(|_| IpcError::new("internal", "settings lock"))?.clone();
        let database_error = self.store.lock().ok().and_then(|s| s.as_ref().err().cloned());
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            ruleset: self.rules.reference(),
            data_dir: self.data_dir.display().to_string(),
            database: self.data_dir.join(trdcheck::storage::DATABASE_FILE).display().to_string(),
            policy: SitePolicy::resolve(self.rules, &settings.policy)?,
            settings,
            text_size_percent: *self.text_size.lock().map_err(|_| IpcError::new("internal", "settings lock"))?,
            text_sizes: settings::TEXT_SIZES.to_vec(),
            database_error,
            labels: labels(),
        })
    }

    /// Sets this workstation's text size (one of [`settings::TEXT_SIZES`]).
    pub fn set_text_size(&self, percent: u32) -> Result<()> {
        let percent = settings::check_text_size(percent)?;
        *self.text_size.lock().map_err(|_| IpcError::new("internal", "settings lock"))? = percent;
        Ok(())
    }

    pub fn search_patients(&self, query: String) -> Result<Vec<Patient>> {
        self.with_store(|s| Ok(s.search_patients(&query, 100)?))
    }

    pub fn create_patient(&self, patient: NewPatient) -> Result<Patient> {
        let actor = self.actor();
        self.with_store(|s| Ok(s.create_patient(&patient, &actor)?))
    }

    pub fn patient_assessments(&self, patient_id: i64) -> Result<Vec<AssessmentListing>> {
        self.with_store(|s| Ok(s.assessments_of(patient_id)?))
    }

    pub fn recent_assessments(&self) -> Result<Vec<AssessmentListing>> {
        self.with_store(|s| Ok(s.recent_assessments(50)?))
    }

    pub fn create_draft(&self, patient_id: i64) -> Result<AssessmentView> {
        let (actor, policy) = (self.actor(), self.policy()?);
        self.with_store(|s| {
            let record = s.create_draft(patient_id, None, &actor)?;
            view(s, self.rules, &policy, record.id)
        })
    }

    pub fn open_assessment(&self, id: i64) -> Result<AssessmentView> {
        let policy = self.policy()?;
        self.with_store(|s| view(s, self.rules, &policy, id))
    }

    pub fn save_answers(&self, id: i64, answers: Assessment) -> Result<AssessmentView> {
        let (actor, policy) = (self.actor(), self.policy()?);
        self.with_store(|s| {
            s.save_draft(id, &answers, &actor)?;
            view(s, self.rules, &policy, id)
        })
    }

    pub fn set_acknowledgement(&self, id: i64, rule: String, note: String) -> Result<AssessmentView> {
        let (actor, policy) = (self.actor(), self.policy()?);
        self.with_store(|s| {
            s.set_acknowledgement(id, &rule, &note, &actor, self.rules, &policy)?;
            view(s, self.rules, &policy, id)
        })
    }

    pub fn finalise(&self, id: i64) -> Result<AssessmentView> {
        let clinician = self.settings.lock().map(|s| s.clinician.trim().to_string()).unwrap_or_default();
        if clinician.is_empty() {
            return Err(IpcError {
                code: "invalid_field".into(),
                message: "enter your name in Settings before finalising".into(),
                field: Some("clinician".into()),
            });
        }
        let policy = self.policy()?;
        self.with_store(|s| {
            s.finalise(id, &clinician, self.rules, &policy)?;
            view(s, self.rules, &policy, id)
        })
    }

    pub fn amend(&self, id: i64) -> Result<AssessmentView> {
        let (actor, policy) = (self.actor(), self.policy()?);
        self.with_store(|s| {
            let record = s.amend(id, &actor)?;
            view(s, self.rules, &policy, record.id)
        })
    }

    pub fn discard_draft(&self, id: i64) -> Result<()> {
        let actor = self.actor();
        self.with_store(|s| Ok(s.discard_draft(id, &actor)?))
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

    pub fn summary_html(&self, id: i64) -> Result<String> {
        let paper = self.settings.lock().map(|s| s.paper).unwrap_or_default();
        let (record, evaluation, patient) = self.with_store(|s| record_of(self, s, id))?;
        self.before_render();
        Ok(summary_of(self, &record, &evaluation, &patient)?.to_html(paper))
    }

    pub fn export_assessment(&self, id: i64, format: String, path: String) -> Result<String> {
        let path = PathBuf::from(path);
        if !path.is_absolute() {
            return Err(IpcError::new("invalid_path", "choose where to save the file"));
        }
        let paper = self.settings.lock().map(|s| s.paper).unwrap_or_default();
        let actor = self.actor();
        // Read under the lock, render and write without it, then record the export.
        let (record, evaluation, patient) = self.with_store(|s| record_of(self, s, id))?;
        self.before_render();
        let summary = summary_of(self, &record, &evaluation, &patient)?;
        let bytes = match format.as_str() {
            "json" => {
                serde_json::to_vec_pretty(&record.answers).map_err(|e| IpcError::new("internal", e.to_string()))?
            }
            "html" => summary.to_html(paper).into_bytes(),
            "pdf" => summary.to_pdf(paper).map_err(|e| IpcError::new("pdf", e.to_string()))?,
            "fhir" => {
                let bundle = trdcheck::fhir::bundle(
                    &record.answers,
                    &evaluation,
                    record.rules_for_display(self.rules),
                    &summary.context,
                );
                serde_json::to_vec_pretty(&bundle).map_err(|e| IpcError::new("internal", e.to_string()))?
            }
            other => return Err(IpcError::new("invalid_format", format!("unknown export format {other}"))),
        };
        std::fs::write(&path, bytes).map_err(|e| IpcError::new("io", format!("{}: {e}", path.display())))?;
        self.with_store(|s| Ok(s.export(id, &format, &actor)?))?;
        Ok(path.display().to_string())
    }

    /// The file name the save dialog offers: "trdcheck-MRN-v2.pdf".
    pub fn export_file_name(&self, id: i64, ext: &str) -> Result<String> {
        self.with_store(|s| {
            let record = s.assessment(id)?;
            let patient = s.patient(record.patient_id)?;
            let mrn: String =
                patient.mrn.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
            Ok(format!("trdcheck-{mrn}-v{}.{ext}", record.version))
        })
    }

    pub fn import_assessment(&self, path: String) -> Result<AssessmentView> {
        let path = Path::new(&path);
        let size = std::fs::metadata(path).map_err(|e| IpcError::new("io", format!("{}: {e}", path.display())))?.len();
        if size > 5_000_000 {
            return Err(IpcError::new("invalid_json", "this file is too large to be an assessment"));
        }
        let text =
            std::fs::read_to_string(path).map_err(|e| IpcError::new("io", format!("{}: {e}", path.display())))?;
        let (actor, policy) = (self.actor(), self.policy()?);
        self.with_store(|s| {
            let record = s.import(&text, &actor)?;
            view(s, self.rules, &policy, record.id)
        })
    }
}

#[tauri::command]
async fn app_info(state: State<'_, Shared>) -> Result<AppInfo> {
    blocking(&state, move |s| s.app_info()).await
}

#[tauri::command]
async fn catalog(state: State<'_, Shared>) -> Result<Catalog> {
    blocking(&state, |s| Ok(catalog_of(s.rules))).await
}

fn catalog_of(rules: &RuleSet) -> Catalog {
    let drugs = rules
        .drugs
        .names()
        .map(|(name, d)| DrugName {
            name: name.to_string(),
            generic: d.name.to_string(),
            min_dose_mg: d.min_dose_mg,
            diazepam_10mg_equivalent: d.diazepam_10mg_equivalent,
            classes: d.classes.to_vec(),
        })
        .collect();
    let rule_infos = rules
        .rules
        .iter()
        .map(|r| RuleInfo {
            id: r.id.to_string(),
            area: r.area,
            level: r.level,
            level_setting: r.level_setting.clone(),
            urgent: r.urgent,
            message: r.message.clone(),
            source: r.source.to_string(),
            strength: r.strength,
            trigger: r.trigger.describe(rules),
        })
        .collect();
    let mut field_ranges = ranges(QUESTIONS, "");
    field_ranges.extend(ranges(TRIAL_FIELDS, "trials[]."));
    field_ranges.extend(ranges(MEDICATION_FIELDS, "medications[]."));
    Catalog {
        meta: rules.meta.clone(),
        ruleset: rules.reference(),
        steps: rules.steps.clone(),
        questions: rules.questions.clone(),
        definitions: rules.definitions.clone(),
        rules: rule_infos,
        drugs,
        classes: rules.drugs.classes.clone(),
        ranges: field_ranges,
        policy: rules.policy.clone(),
    }
}

#[tauri::command]
async fn search_patients(state: State<'_, Shared>, query: String) -> Result<Vec<Patient>> {
    blocking(&state, move |s| s.search_patients(query)).await
}

#[tauri::command]
async fn create_patient(state: State<'_, Shared>, patient: NewPatient) -> Result<Patient> {
    blocking(&state, move |s| s.create_patient(patient)).await
}

#[tauri::command]
async fn patient_assessments(state: State<'_, Shared>, patient_id: i64) -> Result<Vec<AssessmentListing>> {
    blocking(&state, move |s| s.patient_assessments(patient_id)).await
}

#[tauri::command]
async fn recent_assessments(state: State<'_, Shared>) -> Result<Vec<AssessmentListing>> {
    blocking(&state, move |s| s.recent_assessments()).await
}

#[tauri::command]
async fn create_draft(state: State<'_, Shared>, patient_id: i64) -> Result<AssessmentView> {
    blocking(&state, move |s| s.create_draft(patient_id)).await
}

#[tauri::command]
async fn open_assessment(state: State<'_, Shared>, id: i64) -> Result<AssessmentView> {
    blocking(&state, move |s| s.open_assessment(id)).await
}

/// Saves a draft's answers. A rejected answer names its field and nothing is saved.
#[tauri::command]
async fn save_answers(state: State<'_, Shared>, id: i64, answers: Assessment) -> Result<AssessmentView> {
    blocking(&state, move |s| s.save_answers(id, answers)).await
}

#[tauri::command]
async fn set_acknowledgement(state: State<'_, Shared>, id: i64, rule: String, note: String) -> Result<AssessmentView> {
    blocking(&state, move |s| s.set_acknowledgement(id, rule, note)).await
}

#[tauri::command]
async fn finalise(state: State<'_, Shared>, id: i64) -> Result<AssessmentView> {
    blocking(&state, move |s| s.finalise(id)).await
}

#[tauri::command]
async fn amend(state: State<'_, Shared>, id: i64) -> Result<AssessmentView> {
    blocking(&state, move |s| s.amend(id)).await
}

#[tauri::command]
async fn discard_draft(state: State<'_, Shared>, id: i64) -> Result<()> {
    blocking(&state, move |s| s.discard_draft(id)).await
}

/// What a document of a record is made from, read from the database.
fn record_of(state: &AppState, store: &Store, id: i64) -> Result<(AssessmentRecord, Evaluation, Patient)> {
    let policy = state.policy()?;
    let record = store.assessment(id)?;
    let patient = store.patient(record.patient_id)?;
    let evaluation = record.evaluation(state.rules, &policy);
    Ok((record, evaluation, patient))
}

/// The summary of a record (no database access: built without the lock).
fn summary_of(
    state: &AppState,
    record: &AssessmentRecord,
    evaluation: &Evaluation,
    patient: &Patient,
) -> Result<Summary> {
    let settings = state.settings.lock().map_err(|_| IpcError::new("internal", "settings lock"))?.clone();
    let mut context = record.summary_context(patient);
    context.clinic = Some(settings.clinic.clone()).filter(|c| !c.trim().is_empty());
    context.clinician =
        record.finalised_by.clone().or(Some(settings.clinician.clone()).filter(|c| !c.trim().is_empty()));
    context.generated_at = Some(trdcheck::summary::now_for_display());
    Ok(Summary::build(&record.answers, evaluation, record.rules_for_display(state.rules), context))
}

#[tauri::command]
async fn summary_html(state: State<'_, Shared>, id: i64) -> Result<String> {
    blocking(&state, move |s| s.summary_html(id)).await
}

/// The file kinds of an export: (format, dialog filter, extension).
const EXPORTS: &[(&str, &str, &str)] = &[
    ("pdf", "PDF", "pdf"),
    ("html", "HTML", "html"),
    ("fhir", "FHIR R4 Bundle (JSON)", "json"),
    ("json", "Assessment (JSON, trdcheck/assessment/v2)", "json"),
];

/// Writes an assessment to a file the clinician chooses in the save dialog, which this command
/// opens itself: the webview never names a path (file access is scoped to what the clinician
/// chose). `json` (assessment-v2), `html`, `pdf` or `fhir`. Records the export; `None` when the
/// clinician cancelled.
#[tauri::command]
async fn export_assessment(
    app: tauri::AppHandle,
    state: State<'_, Shared>,
    id: i64,
    format: String,
) -> Result<Option<String>> {
    use tauri_plugin_dialog::DialogExt;
    let Some(&(_, filter, ext)) = EXPORTS.iter().find(|(f, _, _)| *f == format) else {
        return Err(IpcError::new("invalid_format", format!("unknown export format {format}")));
    };
    blocking(&state, move |s| {
        let name = s.export_file_name(id, ext)?;
        let chosen = app.dialog().file().add_filter(filter, &[ext]).set_file_name(name).blocking_save_file();
        match chosen.map(|p| p.into_path()) {
            None => Ok(None),
            Some(Ok(path)) => s.export_assessment(id, format, path.display().to_string()).map(Some),
            Some(Err(e)) => Err(IpcError::new("invalid_path", e.to_string())),
        }
    })
    .await
}

/// Imports an assessment file (v2, or v1 upgraded) as a new draft (of the patient with its MRN),
/// from the file the clinician chooses in the open dialog this command opens; `None` when
/// cancelled.
#[tauri::command]
async fn import_assessment(app: tauri::AppHandle, state: State<'_, Shared>) -> Result<Option<AssessmentView>> {
    use tauri_plugin_dialog::DialogExt;
    blocking(&state, move |s| {
        let chosen = app.dialog().file().add_filter("Assessment (JSON)", &["json"]).blocking_pick_file();
        match chosen.map(|p| p.into_path()) {
            None => Ok(None),
            Some(Ok(path)) => s.import_assessment(path.display().to_string()).map(Some),
            Some(Err(e)) => Err(IpcError::new("invalid_path", e.to_string())),
        }
    })
    .await
}

/// Saves the settings. A changed policy applies to every draft from now on and is recorded.
#[tauri::command]
async fn save_settings(app: tauri::AppHandle, state: State<'_, Shared>, settings: Settings) -> Result<AppInfo> {
    blocking(&state, move |s| save_settings_now(&app, s, settings)).await
}

fn save_settings_now(app: &tauri::AppHandle, state: &AppState, settings: Settings) -> Result<AppInfo> {
    SitePolicy::resolve(state.rules, &settings.policy)?;
    let previous = state.settings.lock().map_err(|_| IpcError::new("internal", "settings lock"))?.clone();
    settings::save(app, &state.data_dir, &settings)?;
    if previous != settings {
        let detail = serde_json::json!({ "from": previous, "to": settings }).to_string();
        let actor = if settings.clinician.trim().is_empty() { state.actor() } else { settings.clinician.clone() };
        state.with_store(|s| Ok(s.record_settings_change(&actor, &detail)?)).ok();
    }
    *state.settings.lock().map_err(|_| IpcError::new("internal", "settings lock"))? = settings;
    state.app_info()
}

/// Sets the text size (the zoom of the whole page), keeps it for the next start, and applies it.
#[tauri::command]
async fn set_text_size(
    app: tauri::AppHandle,
    webview: tauri::Webview,
    state: State<'_, Shared>,
    percent: u32,
) -> Result<AppInfo> {
    let info = blocking(&state, move |s| {
        s.set_text_size(percent)?;
        settings::save_text_size(&app, &s.data_dir, percent)?;
        s.app_info()
    })
    .await?;
    webview.set_zoom(zoom_of(percent)).map_err(|e| IpcError::new("internal", e.to_string()))?;
    Ok(info)
}

fn zoom_of(percent: u32) -> f64 {
    f64::from(percent) / 100.0
}

/// Called by the UI once its first screen is rendered with its data (launch measurement).
#[tauri::command]
async fn ui_ready() {
    if std::env::var_os("TRDCHECK_LAUNCH_PROBE").is_some() {
        eprintln!("trdcheck: ui ready");
    }
}

/// The folder of the database and settings: `TRDCHECK_DATA_DIR` (tests), else the app's data
/// folder, derived from the identifier `org.trdcheck.desktop`.
fn data_dir(app: &tauri::App) -> PathBuf {
    match std::env::var_os("TRDCHECK_DATA_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => app.path().app_data_dir().unwrap_or_else(|_| PathBuf::from(".")),
    }
}

/// WebKitGTK settings that avoid blank windows without a GPU and save memory, unless set.
#[cfg(target_os = "linux")]
fn linux_webkit_defaults() {
    for key in ["WEBKIT_DISABLE_DMABUF_RENDERER", "WEBKIT_DISABLE_COMPOSITING_MODE"] {
        if std::env::var_os(key).is_none() {
            // Safe here: called first in main, before any other thread exists.
            unsafe { std::env::set_var(key, "1") };
        }
    }
}

pub fn run() {
    #[cfg(target_os = "linux")]
    linux_webkit_defaults();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let dir = data_dir(app);
            let store =
                Store::open_with_background_check(&dir.join(trdcheck::storage::DATABASE_FILE)).map_err(IpcError::from);
            let settings = settings::load(app.handle(), &dir);
            let text_size = settings::load_text_size(app.handle(), &dir);
            let state = AppState::new(dir, store, settings).map_err(|e| e.message)?;
            state.set_text_size(text_size).map_err(|e| e.message)?;
            if let Some(window) = app.get_webview_window("main") {
                window.set_zoom(zoom_of(text_size))?;
            }
            app.manage(Arc::new(state));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            app_info,
            catalog,
            search_patients,
            create_patient,
            patient_assessments,
            recent_assessments,
            create_draft,
            open_assessment,
            save_answers,
            set_acknowledgement,
            finalise,
            amend,
            discard_draft,
            summary_html,
            export_assessment,
            import_assessment,
            save_settings,
            set_text_size,
            ui_ready,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("trdcheck: could not start: {e}");
        std::process::exit(1);
    }
}
