//! The summary a clinician signs and files: one model, built once from the assessment and its
//! evaluation, that every renderer (text, Markdown, HTML, PDF, FHIR) reads.

use crate::documents::bidi::isolate;
use crate::documents::summary_rows::{checklist, medication_rows, trial_rows};
pub use crate::documents::summary_rows::{ChecklistArea, ChecklistRow, MedicationRow, TrialRow};
use std::collections::BTreeMap;

use serde::Serialize;

use crate::eligibility::engine::{Determination, Evaluation, Finding};
use crate::eligibility::input::fmt_num;
use crate::eligibility::model::Assessment;
use crate::eligibility::ruleset::{Level, RuleSet};
use crate::records::{AssessmentRecord, Patient, RecordStatus};

/// Where the summary stands in the record's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// Evaluated from a file, not a stored record.
    Unsaved,
    Draft,
    Final {
        by: String,
        at: String,
        /// The SHA-256 of what was signed (none for a record signed before signed finalisation).
        #[serde(skip_serializing_if = "Option::is_none")]
        signature: Option<String>,
    },
}

/// What the record adds to the assessment (clinic, clinician, patient identity, version).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Context {
    pub clinic: Option<String>,
    pub clinician: Option<String>,
    /// When the summary was made, as the clinician reads it (local time).
    pub generated_at: Option<String>,
    pub patient_name: Option<String>,
    pub date_of_birth: Option<String>,
    /// The clinic's identifier; the assessment's `patient.id` when not given.
    pub mrn: Option<String>,
    pub version: Option<u32>,
    pub status: Option<Status>,
    /// Acknowledgement note per precaution rule id.
    pub acknowledgements: BTreeMap<String, String>,
}

/// The whole summary, ready to render.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub title: String,
    pub context: Context,
    pub patient_line: String,
    pub route: String,
    pub determination: Determination,
    pub reason: String,
    pub urgent: Vec<Finding>,
    /// Findings grouped by level, in the order of levels; empty levels left out.
    pub findings: Vec<(Level, Vec<Finding>)>,
    pub failed_adequate_trials: u32,
    pub required_failed_trials: u32,
    pub trials_recorded: bool,
    pub trials: Vec<TrialRow>,
    pub medications_recorded: bool,
    pub medications: Vec<MedicationRow>,
    pub checklist: Vec<ChecklistArea>,
    pub ruleset_line: String,
    pub policy_line: String,
    pub disclaimer: String,
}

impl Summary {
    pub fn build(a: &Assessment, e: &Evaluation, rules: &RuleSet, mut context: Context) -> Summary {
        if context.mrn.is_none() {
            context.mrn = Some(a.patient.id.clone());
        }
        let patient = patient_line(a, &context);
        let route_q = rules.question("route");
        let route = match (a.route, route_q) {
            (Some(r), Some(q)) => q.option_label(r.as_str()).to_string(),
            _ => "Unknown".into(),
        };
        let findings: Vec<(Level, Vec<Finding>)> = Level::ALL
            .iter()
            .map(|&level| (level, e.findings.iter().filter(|f| f.level == level).cloned().collect::<Vec<_>>()))
            .filter(|(_, list)| !list.is_empty())
            .collect();
        let required = e.required_failed_trials;
        let trials = trial_rows(a, e);
        let medications = medication_rows(e, rules);
        let checklist = checklist(a, rules);
        let p = &e.policy;
        Summary {
            title: rules.meta.title.clone(),
            patient_line: patient,
            route,
            determination: e.determination,
            reason: reason(e),
            urgent: e.urgent().cloned().collect(),
            findings,
            failed_adequate_trials: e.failed_adequate_trials,
            required_failed_trials: required,
            trials_recorded: a.trials.is_some(),
            trials,
            medications_recorded: a.medications.is_some(),
            medications,
            checklist,
            ruleset_line: format!(
                "Rule set {} version {} · sha256 {}",
                e.ruleset.id, e.ruleset.version, e.ruleset.sha256
            ),
            policy_line: format!("Site policy: {}", p.describe(rules)),
            disclaimer: rules.meta.disclaimer.clone(),
            context,
        }
    }

    pub fn status_line(&self) -> String {
        let version = self.context.version.map(|v| format!("version {v}, ")).unwrap_or_default();
        match &self.context.status {
            Some(Status::Draft) => format!("DRAFT ({version}not finalised)"),
            Some(Status::Final { by, at, .. }) => format!("Final ({version}finalised by {}, {at})", isolate(by)),
            Some(Status::Unsaved) | None => "Evaluation (not a stored record)".into(),
        }
    }

    pub fn is_draft(&self) -> bool {
        matches!(self.context.status, Some(Status::Draft))
    }

    /// Header lines other than the title: patient, route, clinic, clinician, date, status.
    pub fn header_lines(&self) -> Vec<(String, String)> {
        let mut lines = vec![("Patient".to_string(), self.patient_line.clone()), ("Route".into(), self.route.clone())];
        if let Some(c) = &self.context.clinic {
            lines.push(("Clinic".into(), isolate(c).into_owned()));
        }
        if let Some(c) = &self.context.clinician {
            lines.push(("Clinician".into(), isolate(c).into_owned()));
        }
        if let Some(d) = &self.context.generated_at {
            lines.push(("Date".into(), d.clone()));
        }
        lines.push(("Status".into(), self.status_line()));
        if let Some(Status::Final { by, signature: Some(hash), .. }) = &self.context.status {
            lines.push((
                "Signature".into(),
                format!("signed by {by}, who re-entered their passphrase; SHA-256 of the signed record {hash}"),
            ));
        }
        lines
    }

    /// The columns of the treatment-history table, as every renderer prints them.
    pub const TRIAL_COLUMNS: [&'static str; 10] =
        ["#", "Drug", "Dose", "Minimum", "Weeks", "Adherent", "Improved", "This episode", "Counts", "Why"];
    pub const MEDICATION_COLUMNS: [&'static str; 3] = ["Medication", "Class", "Diazepam equivalent"];

    /// The treatment-history table's cells, one row a trial, in [`Summary::TRIAL_COLUMNS`] order.
    pub fn trial_cells(&self) -> Vec<Vec<String>> {
        self.trials
            .iter()
            .map(|t| {
                vec![
                    t.number.to_string(),
                    t.drug.clone(),
                    t.dose.clone(),
                    t.minimum.clone(),
                    t.weeks.clone(),
                    t.adherent.clone(),
                    t.improvement.clone(),
                    t.current_episode.clone(),
                    t.counted.clone(),
                    t.why.clone(),
                ]
            })
            .collect()
    }

    /// The medications table's cells, in [`Summary::MEDICATION_COLUMNS`] order.
    pub fn medication_cells(&self) -> Vec<Vec<String>> {
        self.medications
            .iter()
            .map(|m| vec![m.medication.clone(), m.classes.clone(), m.diazepam_equivalent.clone()])
            .collect()
    }

    pub fn trials_heading(&self) -> String {
        format!(
            "Treatment history: {} failed adequate trial(s) in the current episode ({} required)",
            self.failed_adequate_trials, self.required_failed_trials
        )
    }
}

/// The patient's line: ID, name, birth date, age and sex, what the clinic wrote isolated (right-to-
/// left text moves nothing).
fn patient_line(a: &Assessment, context: &Context) -> String {
    let mut patient = vec![format!("ID {}", isolate(context.mrn.as_deref().unwrap_or(&a.patient.id)))];
    if let Some(name) = &context.patient_name {
        patient.push(isolate(name).into_owned());
    }
    if let Some(dob) = &context.date_of_birth {
        patient.push(format!("born {dob}"));
    }
    patient.push(a.patient.age_years.map_or("age unknown".into(), |y| format!("{} years", fmt_num(y))));
    if let Some(sex) = a.patient.sex {
        patient.push(sex.as_str().to_string());
    }
    patient.join(" · ")
}

/// The one-line reason under the determination.
pub fn reason(e: &Evaluation) -> String {
    let ids = |level: Level| -> Vec<&str> {
        let mut v: Vec<&str> = e.findings.iter().filter(|f| f.level == level).map(|f| &*f.rule).collect();
        v.dedup();
        v
    };
    let (contra, unmet, missing, precautions) =
        (ids(Level::Contraindication), ids(Level::Unmet), ids(Level::Missing), ids(Level::Precaution));
    match e.determination {
        Determination::NotEligible => {
            let mut parts = Vec::new();
            if !contra.is_empty() {
                parts.push(format!("contraindication: {}", contra.join(", ")));
            }
            if !unmet.is_empty() {
                parts.push(format!(
                    "fewer than the required failed adequate trials ({}: {})",
                    e.failed_adequate_trials,
                    unmet.join(", ")
                ));
            }
            format!("Not eligible because of {}.", parts.join("; "))
        }
        Determination::Incomplete => {
            let n = e.findings.iter().filter(|f| f.level == Level::Missing).count();
            format!("{n} answer(s) the determination depends on are unknown ({}).", missing.join(", "))
        }
        Determination::EligibleWithPrecautions => format!(
            "{} failed adequate trials; may proceed only with the clinician's documented acknowledgement of: {}.",
            e.failed_adequate_trials,
            precautions.join(", ")
        ),
        Determination::Deferred => {
            let defer = ids(Level::Defer);
            format!("Not today: {} — recheck and reassess; this is not a lasting exclusion.", defer.join(", "))
        }
        Determination::Eligible => format!(
            "{} failed adequate trials; no contraindication, missing answer or precaution.",
            e.failed_adequate_trials
        ),
    }
}

/// Today's date on this workstation's clock (YYYY-MM-DD), for what is judged "as of today".
pub fn today() -> String {
    let now = time::OffsetDateTime::now_local().unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    now.date().format(time::macros::format_description!("[year]-[month]-[day]")).unwrap_or_default()
}

/// The time now as a clinician reads it on a summary: local time with its offset when the system
/// can tell it, else UTC. "2026-11-23 16:03 UTC+01:00".
pub fn now_for_display() -> String {
    let now = time::OffsetDateTime::now_local().unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    let format = time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute] UTC[offset_hour sign:mandatory]:[offset_minute]"
    );
    now.format(&format).unwrap_or_else(|_| now.to_string())
}

impl Context {
    /// The summary's context for this record: patient identity, version, status and notes.
    pub fn of_record(record: &AssessmentRecord, patient: &Patient) -> Context {
        Context {
            patient_name: (!patient.name.is_empty()).then(|| patient.name.clone()),
            date_of_birth: patient.date_of_birth.clone(),
            mrn: Some(patient.mrn.clone()),
            version: Some(record.version as u32),
            status: Some(match (&record.finalised_by, &record.finalised_at) {
                (Some(by), Some(at)) if record.status == RecordStatus::Final => {
                    Status::Final { by: by.clone(), at: at.clone(), signature: record.signed_sha256.clone() }
                }
                _ => Status::Draft,
            }),
            acknowledgements: record.acknowledgements.clone(),
            ..Context::default()
        }
    }
}
