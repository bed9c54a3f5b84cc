//! A rule as the rule set states it: its trigger, level, texts by route and source, and the
//! values and comparisons a trigger names.

use crate::eligibility::model::{self};
use crate::eligibility::source::Strength;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

use super::*;

/// A bool or a choice value, as written in a trigger or a condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Value {
    Bool(bool),
    Text(String),
}

impl Value {
    pub fn matches(&self, answer: &model::Answer) -> bool {
        match (self, answer) {
            (Value::Bool(v), model::Answer::Bool(a)) => v == a,
            (Value::Text(v), model::Answer::Choice(a)) => v == a,
            _ => false,
        }
    }
}

/// One answer a trigger looks for: the question's answer is one of `any_of`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerIs {
    pub question: String,
    pub any_of: Vec<Value>,
    #[serde(skip)]
    pub(crate) field: usize,
}

/// A score and the site-policy setting that holds its minimum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreMinimum {
    pub question: String,
    pub label: String,
    pub setting: String,
    #[serde(skip)]
    pub(crate) field: usize,
}

/// How an improvement is compared with the failure threshold (data, per threshold value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Comparison {
    /// Failed when the improvement is below the threshold.
    Below,
    /// Failed when the improvement is at or below the threshold.
    AtOrBelow,
}

impl Comparison {
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Below => value < threshold,
            Comparison::AtOrBelow => value <= threshold,
        }
    }
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Below => "<",
            Comparison::AtOrBelow => "≤",
        }
    }
}

/// What makes a rule fire. The engine implements each kind once; the numbers are here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    Answer {
        question: String,
        any_of: Vec<Value>,
    },
    /// Any one of several answers (one finding naming those that hold).
    AnyAnswer {
        answers: Vec<AnswerIs>,
    },
    /// Answers that contradict each other: every one of `answers` holds, read as given, whether
    /// or not its question applies (one finding naming them all; rule set 2026.3).
    AllAnswers {
        answers: Vec<AnswerIs>,
    },
    Unanswered,
    /// Every one of `questions` unknown (and asked): one finding.
    AllUnanswered {
        questions: Vec<String>,
    },
    /// The answer of `question` is below the site policy's `setting`.
    BelowSetting {
        question: String,
        setting: String,
    },
    /// Every recorded score is below its minimum, and at least one is recorded.
    ScoresBelow {
        scores: Vec<ScoreMinimum>,
    },
    /// An answer is one of `any_of` and no current medication is in `classes`; when the
    /// medication list is unknown the finding is `missing` (variant `list_unknown`).
    AnswerWithoutClass {
        question: String,
        any_of: Vec<Value>,
        classes: Vec<String>,
    },
    /// An answer is one of `any_of` and a current medication is in `classes`.
    AnswerWithClass {
        question: String,
        any_of: Vec<Value>,
        classes: Vec<String>,
    },
    BpStop,
    BpAbove {
        systolic: f64,
        diastolic: f64,
    },
    AgeBelow {
        years: f64,
    },
    AgeAtOrAbove {
        years: f64,
    },
    FailedTrialCount {
        minimum: u32,
        /// The classes of augmentation agents: counted only under the site policy
        /// `augmentation_counts` (ruleset-v2.md §3).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        augmentation_classes: Vec<String>,
    },
    TrialGap,
    TrialIntolerance,
    TrialConfirmed,
    /// Two counted drugs of which one is an enantiomer of the other (drugs.toml `enantiomer_of`):
    /// escitalopram and citalopram both count, and the clinician is told so.
    TrialEnantiomers,
    MedicationClass {
        classes: Vec<String>,
    },
    /// The total of `classes` (diazepam-equivalent per day) above `mg`.
    DiazepamEquivalentAbove {
        mg: f64,
        classes: Vec<String>,
    },
    MedicationUnclassified,
    MedicationClinicianClasses,
}

impl Trigger {
    /// The placeholders the engine fills for this kind, by message variant.
    pub(super) fn placeholders(&self) -> &'static [&'static str] {
        match self {
            Trigger::Answer { .. } => &[],
            Trigger::AnyAnswer { .. } | Trigger::AllAnswers { .. } => &["answers"],
            Trigger::Unanswered => &["question", "medication"],
            Trigger::AllUnanswered { .. } => &["questions"],
            Trigger::BelowSetting { .. } => &["value", "limit"],
            Trigger::ScoresBelow { .. } => &["scores"],
            Trigger::AnswerWithoutClass { .. } | Trigger::AnswerWithClass { .. } => &["medications"],
            Trigger::BpStop => &["bp", "reading", "systolic_limit", "diastolic_limit"],
            Trigger::BpAbove { .. } => &["bp"],
            Trigger::AgeBelow { .. } | Trigger::AgeAtOrAbove { .. } => &["age"],
            Trigger::FailedTrialCount { .. } => &["count", "minimum", "possible"],
            Trigger::TrialGap => &["trial", "gaps", "question"],
            Trigger::TrialIntolerance | Trigger::TrialConfirmed => &["trial"],
            Trigger::TrialEnantiomers => &["trial", "other", "drug", "of"],
            Trigger::MedicationClass { .. } => &["medications", "limit"],
            Trigger::DiazepamEquivalentAbove { .. } => &["medications", "diazepam_mg", "limit"],
            Trigger::MedicationUnclassified => &["medication", "suggestion"],
            Trigger::MedicationClinicianClasses => &["medication", "classes"],
        }
    }

    /// Message variants the engine uses for this kind besides `message`.
    pub(super) fn required_variants(&self) -> &'static [&'static str] {
        match self {
            Trigger::FailedTrialCount { .. } => &["met", "pending"],
            Trigger::TrialGap => &["unanswered", "settled"],
            Trigger::AnswerWithoutClass { .. } => &["list_unknown"],
            Trigger::MedicationUnclassified => &["suggest"],
            Trigger::MedicationClinicianClasses => &["none"],
            _ => &[],
        }
    }
}

/// A rule's text and source for one planned route (the route-neutral text is the rule's own).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteText {
    pub route: model::Route,
    pub message: String,
    pub source: Arc<str>,
    pub strength: Strength,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: Arc<str>,
    pub area: Area,
    pub level: Level,
    pub trigger: Trigger,
    pub message: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variants: BTreeMap<String, String>,
    pub source: Arc<str>,
    pub strength: Strength,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub superseded_by: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<model::Route>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub urgent: bool,
    /// The site-policy setting that decides this rule's level (instead of `level`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level_setting: Option<String>,
    /// The text and source for a known route, where they differ from the route-neutral ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_route: Vec<RouteText>,
    /// For an `answer` trigger, the position of its question in [`crate::eligibility::question_table::QUESTIONS`].
    #[serde(skip)]
    pub(crate) field: usize,
    /// For a `medication_class` trigger, its classes as bits of the drug catalog.
    #[serde(skip)]
    pub(crate) class_bits: u64,
    /// For an `all_unanswered` trigger, the positions of its questions in [`crate::eligibility::question_table::QUESTIONS`].
    #[serde(skip)]
    pub(crate) fields: Vec<usize>,
    /// `superseded_by` as positions in [`RuleSet::rules`].
    #[serde(skip)]
    pub(crate) superseded_positions: Vec<usize>,
}

impl Rule {
    pub fn text(&self, variant: Option<&str>) -> &str {
        variant.and_then(|v| self.variants.get(v)).unwrap_or(&self.message)
    }

    /// The text for the planned route: its own message and source where the rule has them.
    pub fn route_text(&self, route: Option<model::Route>) -> Option<&RouteText> {
        let route = route?;
        self.by_route.iter().find(|t| t.route == route)
    }
}

/// A definition that rules rely on (TRD-ADEQ, TRD-FAIL): shown to the clinician, never a finding.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Definition {
    pub id: String,
    pub area: Area,
    pub text: String,
    pub source: String,
    pub strength: Strength,
}
