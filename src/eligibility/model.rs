//! The assessment as exchanged in `trdcheck/assessment/v2` (docs/assessment-v2.md; version 1
//! files are read and upgraded, docs/assessment-v1.md).
//!
//! Every answer is an `Option`: `None` is *unknown*, whether the key was absent or `null`.
//! Unknown keys are rejected by serde (`deny_unknown_fields`); ranges and cross-field checks are
//! applied by [`crate::eligibility::input::parse_assessment`], using the question table
//! ([`crate::eligibility::question_table::QUESTIONS`]), the one place that says which questions
//! exist, what kind of answer each takes and how to read it.

use serde::{Deserialize, Deserializer, Serialize};

pub use crate::eligibility::text::{
    check_length, check_line, is_line_break, NAME_MAX_CHARS, NOTE_MAX_CHARS, PATIENT_ID_MAX_CHARS, SHORT_TEXT_MAX_CHARS,
};

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
}
