//! The one table of the assessment's questions: each question's path, kind and how its answer is
//! read, for the assessment, each trial and each medication. The rule set, the checklist, the
//! input checks and the documents all go through it.

use serde::Serialize;

use crate::eligibility::model::*;

/// What kind of answer a question takes; numbers carry the range allowed by assessment-v1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AnswerKind {
    Bool,
    Number {
        min: f64,
        /// `None`: no upper limit.
        max: Option<f64>,
        unit: &'static str,
        /// Only whole numbers (scale totals).
        whole: bool,
    },
    Choice {
        values: &'static [&'static str],
    },
    Trials,
    Medications,
    Text,
}

impl AnswerKind {
    pub const fn range(min: f64, max: f64, unit: &'static str) -> Self {
        AnswerKind::Number { min, max: Some(max), unit, whole: false }
    }
    pub const fn whole(min: f64, max: f64, unit: &'static str) -> Self {
        AnswerKind::Number { min, max: Some(max), unit, whole: true }
    }
    pub const fn at_least(min: f64, unit: &'static str) -> Self {
        AnswerKind::Number { min, max: None, unit, whole: false }
    }
}

/// A field of the assessment: its path, its kind and how to read it.
pub struct Field<T: 'static> {
    pub path: &'static str,
    pub kind: AnswerKind,
    pub get: for<'a> fn(&'a T) -> Answer<'a>,
}

fn choice<E: Copy>(v: Option<E>, as_str: fn(E) -> &'static str) -> Answer<'static> {
    v.map_or(Answer::Unknown, |e| Answer::Choice(as_str(e)))
}

/// Every question of the checklist, in checklist order. The rule set's question catalog must
/// describe exactly these (checked when it loads).
pub static QUESTIONS: &[Field<Assessment>] = &[
    Field {
        path: "route",
        kind: AnswerKind::Choice { values: Route::VALUES },
        get: |a| choice(a.route, Route::as_str),
    },
    Field {
        path: "patient.sex",
        kind: AnswerKind::Choice { values: Sex::VALUES },
        get: |a| choice(a.patient.sex, Sex::as_str),
    },
    Field { path: "patient.weight_kg", kind: AnswerKind::range(2.0, 400.0, "kg"), get: |a| a.patient.weight_kg.into() },
    Field {
        path: "patient.height_cm",
        kind: AnswerKind::range(40.0, 260.0, "cm"),
        get: |a| a.patient.height_cm.into(),
    },
    Field {
        path: "patient.age_years",
        kind: AnswerKind::range(0.0, 120.0, "years"),
        get: |a| a.patient.age_years.into(),
    },
    Field {
        path: "episode.diagnosis",
        kind: AnswerKind::Choice { values: Diagnosis::VALUES },
        get: |a| choice(a.episode.diagnosis, Diagnosis::as_str),
    },
    Field {
        path: "episode.capacity_to_consent",
        kind: AnswerKind::Bool,
        get: |a| a.episode.capacity_to_consent.into(),
    },
    Field {
        path: "episode.phq9_total",
        kind: AnswerKind::whole(0.0, 27.0, "points"),
        get: |a| a.episode.phq9_total.into(),
    },
    Field {
        path: "episode.madrs_total",
        kind: AnswerKind::whole(0.0, 60.0, "points"),
        get: |a| a.episode.madrs_total.into(),
    },
    Field {
        path: "trials",
        kind: AnswerKind::Trials,
        get: |a| a.trials.as_ref().map_or(Answer::Unknown, |t| Answer::List(t.len())),
    },
    Field {
        path: "cardiovascular.systolic_mmhg",
        kind: AnswerKind::range(50.0, 300.0, "mmHg"),
        get: |a| a.cardiovascular.systolic_mmhg.into(),
    },
    Field {
        path: "cardiovascular.diastolic_mmhg",
        kind: AnswerKind::range(20.0, 200.0, "mmHg"),
        get: |a| a.cardiovascular.diastolic_mmhg.into(),
    },
    Field {
        path: "cardiovascular.repeat_systolic_mmhg",
        kind: AnswerKind::range(50.0, 300.0, "mmHg"),
        get: |a| a.cardiovascular.repeat_systolic_mmhg.into(),
    },
    Field {
        path: "cardiovascular.repeat_diastolic_mmhg",
        kind: AnswerKind::range(20.0, 200.0, "mmHg"),
        get: |a| a.cardiovascular.repeat_diastolic_mmhg.into(),
    },
    Field {
        path: "cardiovascular.aneurysmal_vascular_disease",
        kind: AnswerKind::Bool,
        get: |a| a.cardiovascular.aneurysmal_vascular_disease.into(),
    },
    Field {
        path: "cardiovascular.arteriovenous_malformation",
        kind: AnswerKind::Bool,
        get: |a| a.cardiovascular.arteriovenous_malformation.into(),
    },
    Field {
        path: "cardiovascular.intracerebral_hemorrhage_history",
        kind: AnswerKind::Bool,
        get: |a| a.cardiovascular.intracerebral_hemorrhage_history.into(),
    },
    Field {
        path: "cardiovascular.unstable_cardiovascular_disease",
        kind: AnswerKind::Bool,
        get: |a| a.cardiovascular.unstable_cardiovascular_disease.into(),
    },
    Field {
        path: "cardiovascular.stable_cardiovascular_disease",
        kind: AnswerKind::Bool,
        get: |a| a.cardiovascular.stable_cardiovascular_disease.into(),
    },
    Field {
        path: "cardiovascular.hypertensive_encephalopathy_history",
        kind: AnswerKind::Bool,
        get: |a| a.cardiovascular.hypertensive_encephalopathy_history.into(),
    },
    Field {
        path: "respiratory.respiratory_disease",
        kind: AnswerKind::Bool,
        get: |a| a.respiratory.respiratory_disease.into(),
    },
    Field {
        path: "respiratory.spo2_percent",
        kind: AnswerKind::range(50.0, 100.0, "%"),
        get: |a| a.respiratory.spo2_percent.into(),
    },
    Field {
        path: "pregnancy.childbearing_potential",
        kind: AnswerKind::Bool,
        get: |a| a.pregnancy.childbearing_potential.into(),
    },
    Field { path: "pregnancy.pregnant", kind: AnswerKind::Bool, get: |a| a.pregnancy.pregnant.into() },
    Field { path: "pregnancy.breastfeeding", kind: AnswerKind::Bool, get: |a| a.pregnancy.breastfeeding.into() },
    Field {
        path: "substance_use.ketamine_or_pcp_misuse",
        kind: AnswerKind::Choice { values: KetamineMisuse::VALUES },
        get: |a| choice(a.substance_use.ketamine_or_pcp_misuse, KetamineMisuse::as_str),
    },
    Field {
        path: "substance_use.substance_use_disorder",
        kind: AnswerKind::Choice { values: SubstanceUseDisorder::VALUES },
        get: |a| choice(a.substance_use.substance_use_disorder, SubstanceUseDisorder::as_str),
    },
    Field {
        path: "substance_use.intoxicated_or_withdrawing",
        kind: AnswerKind::Bool,
        get: |a| a.substance_use.intoxicated_or_withdrawing.into(),
    },
    Field {
        path: "substance_use.heavy_alcohol_use",
        kind: AnswerKind::Bool,
        get: |a| a.substance_use.heavy_alcohol_use.into(),
    },
    Field {
        path: "psychiatric.current_psychosis_or_mania",
        kind: AnswerKind::Bool,
        get: |a| a.psychiatric.current_psychosis_or_mania.into(),
    },
    Field {
        path: "psychiatric.psychotic_disorder_history",
        kind: AnswerKind::Bool,
        get: |a| a.psychiatric.psychotic_disorder_history.into(),
    },
    Field {
        path: "psychiatric.suicidal_ideation",
        kind: AnswerKind::Choice { values: SuicidalIdeation::VALUES },
        get: |a| choice(a.psychiatric.suicidal_ideation, SuicidalIdeation::as_str),
    },
    Field {
        path: "psychiatric.suicidal_intent",
        kind: AnswerKind::Bool,
        get: |a| a.psychiatric.suicidal_intent.into(),
    },
    Field {
        path: "psychiatric.suicidal_behaviour_recent",
        kind: AnswerKind::Bool,
        get: |a| a.psychiatric.suicidal_behaviour_recent.into(),
    },
    Field {
        path: "medical.ketamine_hypersensitivity",
        kind: AnswerKind::Bool,
        get: |a| a.medical.ketamine_hypersensitivity.into(),
    },
    Field {
        path: "medical.raised_intracranial_pressure",
        kind: AnswerKind::Bool,
        get: |a| a.medical.raised_intracranial_pressure.into(),
    },
    Field {
        path: "medical.hepatic_impairment",
        kind: AnswerKind::Choice { values: HepaticImpairment::VALUES },
        get: |a| choice(a.medical.hepatic_impairment, HepaticImpairment::as_str),
    },
    Field {
        path: "medical.neurocognitive_disorder",
        kind: AnswerKind::Bool,
        get: |a| a.medical.neurocognitive_disorder.into(),
    },
    Field { path: "medical.urinary_symptoms", kind: AnswerKind::Bool, get: |a| a.medical.urinary_symptoms.into() },
    Field {
        path: "medications",
        kind: AnswerKind::Medications,
        get: |a| a.medications.as_ref().map_or(Answer::Unknown, |m| Answer::List(m.len())),
    },
];

/// The fields of one trial, in the order a clinician fills them.
pub static TRIAL_FIELDS: &[Field<Trial>] = &[
    Field { path: "drug", kind: AnswerKind::Text, get: |t| t.drug.as_deref().map_or(Answer::Unknown, Answer::Text) },
    Field { path: "dose_mg_per_day", kind: AnswerKind::at_least(0.0, "mg/day"), get: |t| t.dose_mg_per_day.into() },
    Field { path: "weeks_at_dose", kind: AnswerKind::range(0.0, 520.0, "weeks"), get: |t| t.weeks_at_dose.into() },
    Field { path: "adherent", kind: AnswerKind::Bool, get: |t| t.adherent.into() },
    Field {
        path: "improvement_percent",
        kind: AnswerKind::range(0.0, 100.0, "%"),
        get: |t| t.improvement_percent.into(),
    },
    Field { path: "current_episode", kind: AnswerKind::Bool, get: |t| t.current_episode.into() },
    Field { path: "stopped_for_intolerance", kind: AnswerKind::Bool, get: |t| t.stopped_for_intolerance.into() },
    Field {
        path: "adequacy_confirmed_by_clinician",
        kind: AnswerKind::Bool,
        get: |t| t.adequacy_confirmed_by_clinician.into(),
    },
    Field { path: "same_drug_as_suggestion", kind: AnswerKind::Bool, get: |t| t.same_drug_as_suggestion.into() },
];

/// The fields of one current medication.
pub static MEDICATION_FIELDS: &[Field<Medication>] = &[
    Field { path: "name", kind: AnswerKind::Text, get: |m| m.name.as_deref().map_or(Answer::Unknown, Answer::Text) },
    Field { path: "dose_mg_per_day", kind: AnswerKind::at_least(0.0, "mg/day"), get: |m| m.dose_mg_per_day.into() },
    Field {
        path: "diazepam_equivalent_mg_per_day",
        kind: AnswerKind::at_least(0.0, "mg/day"),
        get: |m| m.diazepam_equivalent_mg_per_day.into(),
    },
];

impl Assessment {
    /// The answer to the question at `path`; `None` when there is no such question.
    pub fn answer(&self, path: &str) -> Option<Answer<'_>> {
        QUESTIONS.iter().find(|f| f.path == path).map(|f| (f.get)(self))
    }
}

/// The description of the question at `path`, if there is one.
pub fn question_field(path: &str) -> Option<&'static Field<Assessment>> {
    QUESTIONS.iter().find(|f| f.path == path)
}
