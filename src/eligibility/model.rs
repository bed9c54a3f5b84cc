//! The assessment as exchanged in `trdcheck/assessment/v2` (docs/assessment-v2.md; version 1
//! files are read and upgraded, docs/assessment-v1.md).
//!
//! Every answer is an `Option`: `None` is *unknown*, whether the key was absent or `null`.
//! Unknown keys are rejected by serde (`deny_unknown_fields`); ranges and cross-field checks are
//! applied by [`crate::eligibility::input::parse_assessment`], using the [`QUESTIONS`] table below, which is the
//! one place that says which questions exist, what kind of answer each takes and how to read it.

use serde::{Deserialize, Deserializer, Serialize};

/// The schema tag every assessment this version writes carries.
pub const SCHEMA: &str = "trdcheck/assessment/v2";
/// The first version of the format: still read, and upgraded on reading (every new answer unknown).
pub const SCHEMA_V1: &str = "trdcheck/assessment/v1";

/// Defines a closed set of string answers with its serde names, `as_str` and the list of values.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }
        impl $name {
            /// Every value, in the order of the specification.
            pub const VALUES: &'static [&'static str] = &[$($text),+];
            /// The value as written in the JSON.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }
    };
}

string_enum!(
    /// The planned route of treatment.
    Route { IvKetamine => "iv_ketamine", EsketamineNasal => "esketamine_nasal" }
);
string_enum!(Sex { Female => "female", Male => "male", Other => "other" });
string_enum!(Diagnosis { Mdd => "mdd", BipolarI => "bipolar_i", BipolarII => "bipolar_ii", Other => "other" });
string_enum!(KetamineMisuse { Never => "never", Past => "past", Current => "current" });
string_enum!(SubstanceUseDisorder { None => "none", InRemission => "in_remission", Active => "active" });
string_enum!(SuicidalIdeation {
    None => "none",
    Passive => "passive",
    Active => "active",
    ActiveWithPlan => "active_with_plan",
});
string_enum!(HepaticImpairment { None => "none", Mild => "mild", Moderate => "moderate", Severe => "severe" });

/// A whole assessment. Field names and meaning are fixed by assessment-v1.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Assessment {
    pub schema: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<Route>,
    pub patient: Patient,
    #[serde(default, deserialize_with = "null_as_default")]
    pub episode: Episode,
    /// `None`: not recorded (unknown). `Some(vec![])`: no trials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trials: Option<Vec<Trial>>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub cardiovascular: Cardiovascular,
    #[serde(default, deserialize_with = "null_as_default")]
    pub respiratory: Respiratory,
    #[serde(default, deserialize_with = "null_as_default")]
    pub pregnancy: Pregnancy,
    #[serde(default, deserialize_with = "null_as_default")]
    pub substance_use: SubstanceUse,
    #[serde(default, deserialize_with = "null_as_default")]
    pub psychiatric: Psychiatric,
    #[serde(default, deserialize_with = "null_as_default")]
    pub medical: Medical,
    /// `None`: not recorded (unknown). `Some(vec![])`: takes no medication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medications: Option<Vec<Medication>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Patient {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "whole_as_integer")]
    pub age_years: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "whole_as_integer")]
    pub weight_kg: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "whole_as_integer")]
    pub height_cm: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Episode {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnosis: Option<Diagnosis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_to_consent: Option<bool>,
    /// PHQ-9 total today (0–27).
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "whole_as_integer")]
    pub phq9_total: Option<f64>,
    /// MADRS total today (0–60).
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "whole_as_integer")]
    pub madrs_total: Option<f64>,
}

/// One antidepressant trial (MGH-ATRQ style).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Trial {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drug: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "whole_as_integer")]
    pub dose_mg_per_day: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "whole_as_integer")]
    pub weeks_at_dose: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adherent: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "whole_as_integer")]
    pub improvement_percent: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_episode: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_for_intolerance: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adequacy_confirmed_by_clinician: Option<bool>,
    /// For a name close in spelling to a catalog drug ("sertralin"), or outside the catalog to an
    /// earlier trial's name outside it ("agomelatin" after "agomelatine"): the clinician's answer
    /// that it is that drug (true) or a different one (false); unknown until answered (rule set
    /// 2026.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_drug_as_suggestion: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Cardiovascular {
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "whole_as_integer")]
    pub systolic_mmhg: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "whole_as_integer")]
    pub diastolic_mmhg: Option<f64>,
    /// A repeat reading after rest (both values or neither).
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "whole_as_integer")]
    pub repeat_systolic_mmhg: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "whole_as_integer")]
    pub repeat_diastolic_mmhg: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aneurysmal_vascular_disease: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arteriovenous_malformation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intracerebral_hemorrhage_history: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unstable_cardiovascular_disease: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stable_cardiovascular_disease: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hypertensive_encephalopathy_history: Option<bool>,
}

/// Added in assessment-v2.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Respiratory {
    /// Obstructive sleep apnoea, COPD, respiratory insufficiency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respiratory_disease: Option<bool>,
    /// Resting oxygen saturation (50–100 %).
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "whole_as_integer")]
    pub spo2_percent: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Pregnancy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub childbearing_potential: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pregnant: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breastfeeding: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct SubstanceUse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ketamine_or_pcp_misuse: Option<KetamineMisuse>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substance_use_disorder: Option<SubstanceUseDisorder>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intoxicated_or_withdrawing: Option<bool>,
    /// Heavy or binge drinking now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heavy_alcohol_use: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Psychiatric {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_psychosis_or_mania: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub psychotic_disorder_history: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suicidal_ideation: Option<SuicidalIdeation>,
    /// Some intent to act (C-SSRS item 4); asked only when the ideation is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suicidal_intent: Option<bool>,
    /// An attempt or preparatory act in the last 3 months (C-SSRS item 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suicidal_behaviour_recent: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Medical {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ketamine_hypersensitivity: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raised_intracranial_pressure: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hepatic_impairment: Option<HepaticImpairment>,
    /// Dementia, symptomatic brain injury.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neurocognitive_disorder: Option<bool>,
    /// Cystitis, bladder pain, urgency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urinary_symptoms: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Medication {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "whole_as_integer")]
    pub dose_mg_per_day: Option<f64>,
    /// Catalog class ids chosen by the clinician for a name the catalog does not know
    /// (`[]`: reviewed, none of the interacting classes; `None`: not classified).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classes: Option<Vec<String>>,
    /// Clinician-given diazepam equivalent of a benzodiazepine the catalog has no equivalent for.
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "whole_as_integer")]
    pub diazepam_equivalent_mg_per_day: Option<f64>,
}

/// Writes 146.0 as 146, so that an exported file reads as the clinician wrote it.
fn whole_as_integer<S: serde::Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => s.serialize_i64(*n as i64),
        Some(n) => s.serialize_f64(*n),
        None => s.serialize_none(),
    }
}

/// A section given as `null` is the same as a section left out: every answer in it is unknown.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// The answer to one question, read through [`QUESTIONS`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Answer<'a> {
    Unknown,
    Bool(bool),
    Number(f64),
    Choice(&'static str),
    /// A list question (trials, medications) that was recorded, with its length.
    List(usize),
    Text(&'a str),
}

impl Answer<'_> {
    pub fn is_unknown(&self) -> bool {
        matches!(self, Answer::Unknown)
    }
}

impl From<Option<bool>> for Answer<'_> {
    fn from(v: Option<bool>) -> Self {
        v.map_or(Answer::Unknown, Answer::Bool)
    }
}

impl From<Option<f64>> for Answer<'_> {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Answer::Unknown, Answer::Number)
    }
}

/// The longest drug or medication name, in characters (assessment-v2.md: a name, not a note).
pub const NAME_MAX_CHARS: usize = 200;
/// The longest patient id (MRN), in characters.
pub const PATIENT_ID_MAX_CHARS: usize = 64;
/// The longest note (an acknowledgement, a reason, an adverse event, a clinician's note), in characters.
pub const NOTE_MAX_CHARS: usize = 4000;
/// The longest short text (a lot number, a patient's or clinician's name), in characters.
pub const SHORT_TEXT_MAX_CHARS: usize = 200;

/// Refuses a text over `max` characters, naming `path` and the length (not the text itself); and
/// one holding a character that cannot be typed as text or that reorders what is printed around
/// it: a control character other than tab and line breaks (U+0000…), or a bidirectional
/// embedding, override or isolate (U+202A–U+202E, U+2066–U+2069), with which an MRN or a name
/// could print as something else on every signed document (issue 24). The left-to-right and
/// right-to-left marks (U+200E, U+200F) that right-to-left writing uses are allowed.
pub fn check_length(path: &str, text: &str, max: usize) -> Result<(), crate::error::InputError> {
    let n = text.chars().count();
    if n > max {
        return Err(crate::error::InputError::Field {
            path: path.to_string(),
            message: format!("is {n} characters long; at most {max} are allowed"),
        });
    }
    if let Some(c) = text.chars().find(|&c| forbidden_in_text(c)) {
        return Err(crate::error::InputError::Field {
            path: path.to_string(),
            message: format!(
                "holds the character U+{:04X}, a control or direction override that is not text; remove it",
                u32::from(c)
            ),
        });
    }
    Ok(())
}

/// As [`check_length`], for a text of one line (an id, a name, a drug, a lot number, a clinic's
/// detail): a line break in it would print as a line of its own on a signed document ("MRN-1" then
/// "Determination: NOT ELIGIBLE"), so it is refused, naming the field.
pub fn check_line(path: &str, text: &str, max: usize) -> Result<(), crate::error::InputError> {
    check_length(path, text, max)?;
    if text.chars().any(is_line_break) {
        return Err(crate::error::InputError::Field {
            path: path.to_string(),
            message: "holds a line break; it is one line".into(),
        });
    }
    Ok(())
}

/// A character that starts a new line where text is printed.
pub fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn forbidden_in_text(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

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
    /// An assessment with every answer unknown.
    pub fn new(patient_id: impl Into<String>) -> Self {
        Assessment {
            schema: SCHEMA.to_string(),
            patient: Patient { id: patient_id.into(), ..Default::default() },
            ..Default::default()
        }
    }

    /// Upgrades a version 1 assessment to version 2 in place: every new answer stays unknown.
    pub fn upgrade(&mut self) {
        if self.schema == SCHEMA_V1 {
            self.schema = SCHEMA.to_string();
        }
    }

    /// The answer to the question at `path`; `None` when there is no such question.
    pub fn answer(&self, path: &str) -> Option<Answer<'_>> {
        QUESTIONS.iter().find(|f| f.path == path).map(|f| (f.get)(self))
    }
}

/// The description of the question at `path`, if there is one.
pub fn question_field(path: &str) -> Option<&'static Field<Assessment>> {
    QUESTIONS.iter().find(|f| f.path == path)
}
