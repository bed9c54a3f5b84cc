//! What the commands return: the app's own description, the rule set as the UI needs it, and an
//! assessment with everything its screen shows.

use serde::{Deserialize, Serialize};
use trdcheck::eligibility::checklist::{self, StepState};
use trdcheck::eligibility::engine::{Determination, Evaluation};
use trdcheck::eligibility::question_table::{AnswerKind, Field, MEDICATION_FIELDS, QUESTIONS, TRIAL_FIELDS};
use trdcheck::eligibility::ruleset::{Area, Definition, Level, Meta, PolicySpec, Question, RuleSetRef, Step};
use trdcheck::eligibility::source::Strength;
use trdcheck::records::SessionOutcome;
use trdcheck::records::{AssessmentRecord, AuditEntry, ClinicSettings, Patient, RecordStatus, Store};
use trdcheck::treatment::dosing::SchedulePhase;
use trdcheck::treatment::pre_dose::GateDecision;
use trdcheck::{RuleSet, SitePolicy};

use crate::IpcError;

mod treatment;

pub use treatment::*;

type Result<T> = std::result::Result<T, IpcError>;

/// What the app shows of itself.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct AppInfo {
    pub version: String,
    pub ruleset: RuleSetRef,
    pub data_dir: String,
    pub database: String,
    /// The clinic's settings, from the records database; `None` when they cannot be read
    /// (`settings_error` says why; no default is put in their place).
    pub settings: Option<ClinicSettings>,
    pub settings_error: Option<IpcError>,
    /// This workstation's display preferences could not be read (the file is left as it is).
    pub preferences_error: Option<IpcError>,
    /// The page zoom of this workstation, in percent, and the sizes offered.
    pub text_size_percent: u32,
    pub text_sizes: Vec<u32>,
    /// The policy in force (`None` when the settings cannot be read).
    pub policy: Option<SitePolicy>,
    /// Set when the database could not be opened: the app shows it instead of the records.
    pub database_error: Option<IpcError>,
    /// The clinician signed in (none: locked).
    pub signed_in: Option<String>,
    /// The screen lock's range in minutes (the core checks it; the form sets min/max from it).
    pub lock_after_min: u32,
    pub lock_after_max: u32,
    /// The words for each determination, level and source strength, from the core (the UI
    /// repeats none of them).
    pub labels: Labels,
}

/// Where the sign-in screen stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum AccessState {
    /// No clinician yet: create the first one.
    SetUp,
    SignIn,
    SignedIn,
}

/// What the sign-in screen shows (no patient data: names of clinicians only).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Access {
    pub state: AccessState,
    /// An earlier version's unencrypted records are here: setting up encrypts them.
    pub unencrypted_records: bool,
    /// The clinicians who can sign in.
    pub clinicians: Vec<String>,
    /// Whether a recovery key was made (it can give a forgotten passphrase a replacement).
    pub recovery_key: bool,
    pub clinician: Option<String>,
    pub lock_after_minutes: Option<u32>,
    /// The key file cannot be read or is missing: nobody can sign in until it is put back.
    pub error: Option<IpcError>,
}

/// The first clinician was created: the recovery key, shown this once.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct SetUp {
    pub recovery_key: String,
    pub access: Access,
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
    /// The site's dosing choices (rules/dosing.toml).
    pub dosing_site: trdcheck::treatment::dosing::DosingSiteSpec,
    /// The clinic's details on the REMS Patient Monitoring Form, in the form's order.
    pub rems_fields: Vec<trdcheck::records::clinic_details::RemsSettingField>,
    /// The outcome scales (rules/scales): items, answers, bands, rules and sources.
    pub scales: Vec<trdcheck::outcomes::scales::Scale>,
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
    /// The pre-dose gate's decisions, a session's outcomes, the schedule's phases.
    pub gate_decisions: Vec<Label>,
    pub session_outcomes: Vec<Label>,
    pub phases: Vec<Label>,
}

pub(crate) fn labels() -> Labels {
    let label = |id: &str, title: &str| Label { id: id.to_string(), title: title.to_string() };
    Labels {
        determinations: Determination::ALL.iter().map(|d| label(d.as_str(), d.title())).collect(),
        levels: Level::ALL.iter().map(|l| label(l.as_str(), l.title())).collect(),
        strengths: Strength::ALL.iter().map(|s| label(s.as_str(), s.label())).collect(),
        gate_decisions: GateDecision::ALL.iter().map(|d| label(d.as_str(), d.title())).collect(),
        session_outcomes: SessionOutcome::ALL.iter().map(|o| label(o.as_str(), o.title())).collect(),
        phases: SchedulePhase::ALL.iter().map(|p| label(p.as_str(), p.title())).collect(),
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
    /// Notes written when their finding read otherwise (rule id → how it read then; "" when
    /// not known): to be confirmed again before finalising.
    pub stale_acknowledgements: std::collections::BTreeMap<String, String>,
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

pub(crate) fn view(store: &Store, rules: &RuleSet, policy: &SitePolicy, id: i64) -> Result<AssessmentView> {
    let record = store.assessment(id)?;
    let patient = store.patient(record.patient_id)?;
    let evaluation = record.evaluation(rules, policy);
    // A finalised record is shown with the rule set that evaluated it (its own questions).
    let steps = checklist::steps(&record.answers, record.rules_for_display(rules));
    let stale_acknowledgements = record.stale_acknowledgements(&evaluation);
    Ok(AssessmentView {
        editable: record.status == RecordStatus::Draft,
        record,
        patient,
        evaluation,
        steps,
        stale_acknowledgements,
    })
}

/// The ranges of a session's own numbers (its blood pressures and SpO₂ take the assessment's),
/// under `session.`: the same limits [`trdcheck::treatment::session::check`] holds them to.
fn session_ranges() -> Vec<FieldRange> {
    use trdcheck::treatment::session::{HEART_RATE_BPM, MINUTES_MAX, MOAAS_MAX};
    let range = |path: &str, min: f64, max: f64, unit: &str| FieldRange {
        path: format!("session.{path}"),
        min,
        max: Some(max),
        unit: unit.to_string(),
    };
    let mut out = vec![
        range("pre_dose.heart_rate_bpm", HEART_RATE_BPM.0, HEART_RATE_BPM.1, "bpm"),
        range("monitoring.moaas_lowest", 0.0, f64::from(MOAAS_MAX), ""),
        range("minutes", 0.0, f64::from(MINUTES_MAX), "min"),
    ];
    if let Ok(d) = trdcheck::treatment::dosing::DosingRules::embedded() {
        let [lo, hi] = d.iv_ketamine.limits.weight_kg;
        out.push(range("dose.weight_kg", lo, hi, "kg"));
    }
    out
}

pub(crate) fn catalog_of(
    rules: &RuleSet,
    dosing: &trdcheck::treatment::dosing::DosingRules,
    scales: &trdcheck::outcomes::scales::Scales,
) -> Catalog {
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
    field_ranges.extend(session_ranges());
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
        dosing_site: dosing.site_spec(),
        rems_fields: trdcheck::records::clinic_details::RemsSetting::FIELDS.to_vec(),
        scales: scales.scales.clone(),
    }
}

/// The kinds of file an assessment is exported as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum ExportFormat {
    /// The assessment document (trdcheck/assessment/v2).
    Json,
    Html,
    Pdf,
    /// A FHIR R4 Bundle (JSON).
    Fhir,
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Html => "html",
            ExportFormat::Pdf => "pdf",
            ExportFormat::Fhir => "fhir",
        }
    }

    /// The save dialog's filter name and the file extension.
    pub fn dialog(self) -> (&'static str, &'static str) {
        match self {
            ExportFormat::Pdf => ("PDF", "pdf"),
            ExportFormat::Html => ("HTML", "html"),
            ExportFormat::Fhir => ("FHIR R4 Bundle (JSON)", "json"),
            ExportFormat::Json => ("Assessment (JSON, trdcheck/assessment/v2)", "json"),
        }
    }
}

/// One change of a clinic setting: who, when, which setting, from → to (JSON values; `None` is
/// "not set", the rule set's default).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct SettingChange {
    pub at: String,
    pub actor: String,
    /// `clinic`, `paper`, `policy.min_weeks_at_dose`…; `None` for an entry of an older version,
    /// which carries the whole change in `detail`.
    pub key: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub detail: Option<String>,
}

impl From<AuditEntry> for SettingChange {
    fn from(e: AuditEntry) -> SettingChange {
        SettingChange { at: e.at, actor: e.actor, key: e.field, from: e.old_value, to: e.new_value, detail: e.detail }
    }
}
