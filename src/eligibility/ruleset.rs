//! The rule set as data: `rules/ruleset.toml` and `rules/drugs.toml`, embedded at build time.
//!
//! Loading checks that the data holds together (every question, class, rule and placeholder it
//! names exists), so that a mistake in a rule file is an error at start-up, never a wrong result.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::eligibility::drugs::DrugCatalog;
use crate::eligibility::model::{self, AnswerKind};
use crate::eligibility::policy_keys::{with_policy_keys, PolicyValue};
use crate::eligibility::source::Strength;
use crate::error::RuleSetError;

pub const EMBEDDED_RULESET: &str = include_str!("../../rules/ruleset.toml");
pub const EMBEDDED_DRUGS: &str = include_str!("../../rules/drugs.toml");

/// Earlier rule sets, kept byte for byte so that a record finalised under one is shown with the
/// questions, labels and classes it was signed with (found by its sha256). Never evaluated.
pub const ARCHIVED: &[(&str, &str)] = &[
    (
        include_str!("../../rules/archive/trd-ketamine-2026.1/ruleset.toml"),
        include_str!("../../rules/archive/trd-ketamine-2026.1/drugs.toml"),
    ),
    (
        include_str!("../../rules/archive/trd-ketamine-2026.2/ruleset.toml"),
        include_str!("../../rules/archive/trd-ketamine-2026.2/drugs.toml"),
    ),
];

/// How strongly a finding weighs; the order is the order of the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Level {
    Contraindication,
    Unmet,
    Missing,
    /// Treatment must not go ahead today; reassess (not a lasting exclusion).
    Defer,
    Precaution,
    Info,
}

impl Level {
    pub const ALL: [Level; 6] =
        [Level::Contraindication, Level::Unmet, Level::Missing, Level::Defer, Level::Precaution, Level::Info];
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Contraindication => "contraindication",
            Level::Unmet => "unmet",
            Level::Missing => "missing",
            Level::Defer => "defer",
            Level::Precaution => "precaution",
            Level::Info => "info",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Level::Contraindication => "Contraindications",
            Level::Unmet => "Unmet criteria",
            Level::Missing => "Missing answers",
            Level::Defer => "Not today: recheck",
            Level::Precaution => "Precautions",
            Level::Info => "Information",
        }
    }
    /// The level of one finding, as a clinician reads it.
    pub fn label(self) -> &'static str {
        match self {
            Level::Contraindication => "Contraindication",
            Level::Unmet => "Unmet criterion",
            Level::Missing => "Missing answer",
            Level::Defer => "Not today",
            Level::Precaution => "Precaution",
            Level::Info => "Information",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Area {
    Patient,
    TreatmentHistory,
    Cardiovascular,
    Respiratory,
    Pregnancy,
    SubstanceUse,
    Psychiatric,
    Medical,
    Medications,
}

impl Area {
    pub const ALL: [Area; 9] = [
        Area::Patient,
        Area::TreatmentHistory,
        Area::Cardiovascular,
        Area::Respiratory,
        Area::Pregnancy,
        Area::SubstanceUse,
        Area::Psychiatric,
        Area::Medical,
        Area::Medications,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Patient => "patient",
            Area::TreatmentHistory => "treatment_history",
            Area::Cardiovascular => "cardiovascular",
            Area::Respiratory => "respiratory",
            Area::Pregnancy => "pregnancy",
            Area::SubstanceUse => "substance_use",
            Area::Psychiatric => "psychiatric",
            Area::Medical => "medical",
            Area::Medications => "medications",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Area::Patient => "Patient",
            Area::TreatmentHistory => "Treatment history",
            Area::Cardiovascular => "Cardiovascular",
            Area::Respiratory => "Respiratory",
            Area::Pregnancy => "Pregnancy",
            Area::SubstanceUse => "Substance use",
            Area::Psychiatric => "Psychiatric",
            Area::Medical => "Medical",
            Area::Medications => "Medications",
        }
    }
}

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
    fn placeholders(&self) -> &'static [&'static str] {
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
    fn required_variants(&self) -> &'static [&'static str] {
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
    /// For an `answer` trigger, the position of its question in [`model::QUESTIONS`].
    #[serde(skip)]
    pub(crate) field: usize,
    /// For a `medication_class` trigger, its classes as bits of the drug catalog.
    #[serde(skip)]
    pub(crate) class_bits: u64,
    /// For an `all_unanswered` trigger, the positions of its questions in [`model::QUESTIONS`].
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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct ChoiceOption {
    pub value: String,
    pub label: String,
}

/// Asks a question only while another answer is not `is_not` (unknown counts as "not"), or
/// only while it is one of `is` (unknown is none of them).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Condition {
    pub question: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_not: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub is: Vec<Value>,
    /// Position of `question` in [`model::QUESTIONS`], resolved when the rule set loads.
    #[serde(skip)]
    pub(crate) field: usize,
}

impl Condition {
    /// Whether the condition lets its question be asked.
    pub fn holds(&self, a: &model::Assessment) -> bool {
        let answer = (model::QUESTIONS[self.field].get)(a);
        if self.is.is_empty() {
            !self.is_not.as_ref().is_some_and(|v| v.matches(&answer))
        } else {
            self.is.iter().any(|v| v.matches(&answer))
        }
    }
}

/// When a question is asked: one condition, or any of several.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum AppliesWhen {
    Any { any: Vec<Condition> },
    One(Condition),
}

impl AppliesWhen {
    pub fn holds(&self, a: &model::Assessment) -> bool {
        match self {
            AppliesWhen::One(c) => c.holds(a),
            AppliesWhen::Any { any } => any.iter().any(|c| c.holds(a)),
        }
    }
    fn conditions_mut(&mut self) -> &mut [Condition] {
        match self {
            AppliesWhen::One(c) => std::slice::from_mut(c),
            AppliesWhen::Any { any } => any,
        }
    }
    fn conditions(&self) -> &[Condition] {
        match self {
            AppliesWhen::One(c) => std::slice::from_ref(c),
            AppliesWhen::Any { any } => any,
        }
    }
}

/// A question of the checklist as the clinician sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Question {
    pub id: String,
    pub area: Area,
    pub text: String,
    /// `bool`, `number`, `choice`, `trials` or `medications` (checked against the model).
    pub answer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ChoiceOption>,
    /// The rule whose finding an unknown answer gives; `None`: not required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap_rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_when: Option<AppliesWhen>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// A question answered together with this one: both or neither (a repeat blood pressure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paired_with: Option<String>,
    /// Position in [`model::QUESTIONS`] (the same as in the file; checked when it loads).
    #[serde(skip)]
    pub(crate) field: usize,
    /// `gap_rule` as a position in [`RuleSet::rules`].
    #[serde(skip)]
    pub(crate) gap_position: Option<usize>,
}

impl Question {
    /// This question's answer in an assessment.
    pub fn answer<'a>(&self, a: &'a model::Assessment) -> model::Answer<'a> {
        (model::QUESTIONS[self.field].get)(a)
    }

    /// Whether the question is asked for this assessment (`applies_when`).
    pub fn applies(&self, a: &model::Assessment) -> bool {
        self.applies_when.as_ref().is_none_or(|c| c.holds(a))
    }

    /// The label of a choice value, or the value itself.
    pub fn option_label<'a>(&'a self, value: &'a str) -> &'a str {
        self.options.iter().find(|o| o.value == value).map_or(value, |o| o.label.as_str())
    }
}

/// A site-configurable value: its default and what a site may choose.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "T: Deserialize<'de>"))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Setting<T> {
    pub label: String,
    pub default: T,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<T>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<T>,
    /// For the failure threshold: how an improvement is compared with each allowed value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub comparison: BTreeMap<String, Comparison>,
    pub source: String,
}

macro_rules! policy_spec {
    (since_v1 { $($k1:ident: $t1:ty),* $(,)? } since_v2 { $($k2:ident: $t2:ty),* $(,)? }) => {
        /// The site-configurable values of the rule set (ruleset-v1.md, ruleset-v2.md §10). The keys
        /// added in version 2 are absent from an archived version 1 rule set; the rule set in force must
        /// have every one (checked when it loads).
        #[derive(Debug, Clone, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
        pub struct PolicySpec {
            $(pub $k1: Setting<$t1>,)*
            $(
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $k2: Option<Setting<$t2>>,
            )*
        }

        impl PolicySpec {
            /// Every setting this rule set has, by key, in the rule set's order.
            pub fn entries(&self) -> Vec<PolicyEntry> {
                let mut out = vec![$(PolicyEntry::of(stringify!($k1), &self.$k1),)*];
                $(out.extend(self.$k2.as_ref().map(|s| PolicyEntry::of(stringify!($k2), s)));)*
                out
            }

            /// A numeric setting a rule may compare an answer with, by key.
            pub fn number_setting(&self, key: &str) -> Option<&Setting<u32>> {
                use std::any::Any;
                match key {
                    $(stringify!($k1) => (&self.$k1 as &dyn Any).downcast_ref::<Setting<u32>>(),)*
                    $(stringify!($k2) => self.$k2.as_ref().and_then(|s| (s as &dyn Any).downcast_ref::<Setting<u32>>()),)*
                    _ => None,
                }
            }

            /// Each default within what its setting allows; in the rule set in force, every key
            /// present.
            fn check_keys(&self, mode: Mode) -> Result<(), String> {
                $(self.$k1.check(stringify!($k1))?;)*
                if mode == Mode::InForce {
                    $(
                        match &self.$k2 {
                            Some(s) => s.check(stringify!($k2))?,
                            None => return Err(format!("policy {} is missing", stringify!($k2))),
                        }
                    )*
                }
                Ok(())
            }
        }
    };
}
with_policy_keys!(policy_spec);

/// One setting of the rule set as the rules document shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyEntry {
    pub key: &'static str,
    pub label: String,
    pub default: String,
    /// What a site may choose: the allowed values (with their comparison, for the failure
    /// threshold) or the range.
    pub allowed: String,
    pub source: String,
}

impl PolicyEntry {
    fn of<T: PolicyValue>(key: &'static str, s: &Setting<T>) -> PolicyEntry {
        let allowed = match (&s.allowed, s.min, s.max) {
            (Some(list), ..) => list
                .iter()
                .map(|v| match s.comparison.get(&v.shown()) {
                    Some(c) => format!("{} (failed when improvement {} {} %)", v.shown(), c.symbol(), v.shown()),
                    None => v.shown(),
                })
                .collect::<Vec<_>>()
                .join(", "),
            (None, min, max) => match (min.map(|m| m.shown()), max.map(|m| m.shown())) {
                (None, None) => "true, false".to_string(),
                (min, max) => format!("{}–{}", min.unwrap_or_else(|| "0".into()), max.unwrap_or_default()),
            },
        };
        PolicyEntry { key, label: s.label.clone(), default: s.default.shown(), allowed, source: s.source.clone() }
    }
}

impl<T: PolicyValue> Setting<T> {
    /// The default within what the setting allows.
    fn check(&self, name: &str) -> Result<(), String> {
        let in_allowed = self.allowed.as_ref().is_none_or(|a| a.contains(&self.default));
        let in_range = self.min.is_none_or(|m| self.default >= m) && self.max.is_none_or(|m| self.default <= m);
        if in_allowed && in_range {
            Ok(())
        } else {
            Err(format!("policy {name}: default {:?} is outside what it allows", self.default))
        }
    }
}

impl PolicyValue for Level {
    fn shown(&self) -> String {
        self.as_str().to_string()
    }
}

impl PolicySpec {
    /// The failure comparison for a threshold value (every allowed value has one: checked at load).
    pub fn failure_comparison(&self, threshold: u32) -> Comparison {
        self.failure_threshold_percent.comparison.get(&threshold.to_string()).copied().unwrap_or(Comparison::Below)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Meta {
    pub id: String,
    pub version: String,
    pub title: String,
    pub disclaimer: String,
}

/// A step of the checklist as the app presents it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Step {
    pub id: String,
    pub title: String,
    pub questions: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    ruleset: Meta,
    policy: PolicySpec,
    #[serde(rename = "step")]
    steps: Vec<Step>,
    #[serde(rename = "definition")]
    definitions: Vec<Definition>,
    #[serde(rename = "question")]
    questions: Vec<Question>,
    #[serde(rename = "rule")]
    rules: Vec<Rule>,
}

/// Identifies the rule set an evaluation used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RuleSetRef {
    pub id: String,
    pub version: String,
    pub sha256: String,
}

/// The loaded, checked rule set.
#[derive(Debug, Clone, Serialize)]
pub struct RuleSet {
    pub meta: Meta,
    /// sha256 of `ruleset.toml` followed by `drugs.toml`, as `cat ruleset.toml drugs.toml | sha256sum`.
    pub sha256: String,
    pub policy: PolicySpec,
    pub steps: Vec<Step>,
    pub definitions: Vec<Definition>,
    pub questions: Vec<Question>,
    pub rules: Vec<Rule>,
    pub drugs: DrugCatalog,
    #[serde(skip)]
    rule_index: HashMap<String, usize>,
    /// TRD-COUNT's minimum, found once when the rule set loads.
    #[serde(skip)]
    required_failed_trials: u32,
    /// The augmentation classes of TRD-COUNT, as bits of the drug catalog.
    #[serde(skip)]
    augmentation_bits: u64,
}

static ARCHIVED_SETS: OnceLock<Vec<RuleSet>> = OnceLock::new();

static EMBEDDED: OnceLock<Result<RuleSet, RuleSetError>> = OnceLock::new();

impl RuleSet {
    /// The rule set built into this program, loaded once. Its data is checked by the test suite;
    /// an error here is a build defect, reported with the rule at fault.
    pub fn embedded() -> Result<&'static RuleSet, RuleSetError> {
        EMBEDDED.get_or_init(|| RuleSet::from_sources(EMBEDDED_RULESET, EMBEDDED_DRUGS)).as_ref().map_err(Clone::clone)
    }

    /// The archived rule sets (earlier versions), loaded once.
    pub fn archived_versions() -> &'static [RuleSet] {
        ARCHIVED_SETS
            .get_or_init(|| ARCHIVED.iter().filter_map(|(r, d)| RuleSet::load(r, d, Mode::Archived).ok()).collect())
    }

    /// The rule set an evaluation was made with, found by its sha256: the one in force or an
    /// archived one (to show a record finalised under it with its own questions and labels).
    pub fn for_reference(reference: &RuleSetRef) -> Option<&'static RuleSet> {
        let current = RuleSet::embedded().ok()?;
        if current.sha256 == reference.sha256 {
            return Some(current);
        }
        RuleSet::archived_versions().iter().find(|s| s.sha256 == reference.sha256)
    }

    /// Loads a rule set from the text of its two files.
    pub fn from_sources(ruleset_toml: &str, drugs_toml: &str) -> Result<RuleSet, RuleSetError> {
        RuleSet::load(ruleset_toml, drugs_toml, Mode::InForce)
    }

    /// Loads an archived rule set (checked as the version it was, for display only).
    pub fn archived(ruleset_toml: &str, drugs_toml: &str) -> Result<RuleSet, RuleSetError> {
        RuleSet::load(ruleset_toml, drugs_toml, Mode::Archived)
    }

    fn load(ruleset_toml: &str, drugs_toml: &str, mode: Mode) -> Result<RuleSet, RuleSetError> {
        let file: RuleFile = toml::from_str(ruleset_toml)
            .map_err(|e| RuleSetError { file: "ruleset.toml".into(), message: e.to_string() })?;
        let drugs = DrugCatalog::from_toml(drugs_toml)?;
        let mut hasher = Sha256::new();
        hasher.update(ruleset_toml.as_bytes());
        hasher.update(drugs_toml.as_bytes());
        let sha256 = data_encoding::HEXLOWER.encode(&hasher.finalize());
        let rule_index = file.rules.iter().enumerate().map(|(i, r)| (r.id.to_string(), i)).collect();
        let mut set = RuleSet {
            meta: file.ruleset,
            sha256,
            policy: file.policy,
            steps: file.steps,
            definitions: file.definitions,
            questions: file.questions,
            rules: file.rules,
            drugs,
            rule_index,
            required_failed_trials: u32::MAX,
            augmentation_bits: 0,
        };
        set.check(mode).map_err(|message| RuleSetError { file: "ruleset.toml".into(), message })?;
        set.resolve_fields();
        Ok(set)
    }

    pub fn reference(&self) -> RuleSetRef {
        RuleSetRef { id: self.meta.id.clone(), version: self.meta.version.clone(), sha256: self.sha256.clone() }
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rule_index.get(id).map(|&i| &self.rules[i])
    }

    /// How many failed adequate trials treatment resistance needs (the `failed_trial_count`
    /// rule's minimum; the loader requires exactly one such rule).
    pub fn required_failed_trials(&self) -> u32 {
        self.required_failed_trials
    }

    /// The classes whose drugs are augmentation agents for the trial count.
    pub fn augmentation_class_bits(&self) -> u64 {
        self.augmentation_bits
    }

    /// The position of a rule in the file (the order of findings within a level).
    pub fn position(&self, id: &str) -> usize {
        self.rule_index.get(id).copied().unwrap_or(usize::MAX)
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// Whether an answer given to a question that does not apply is shown wherever the record
    /// is (and checked against the answers it contradicts): from version 3 on (issue 24). A
    /// record of an earlier version prints as it was signed.
    pub fn shows_answers_not_asked(&self) -> bool {
        self.meta.version.parse::<u32>().is_ok_and(|v| v >= 3)
    }

    /// Whether `q` is shown for this assessment: it applies, or (version 3 on) it was answered.
    pub fn shown(&self, q: &Question, a: &model::Assessment) -> bool {
        q.applies(a) || (self.shows_answers_not_asked() && !q.answer(a).is_unknown())
    }

    /// Resolves question paths, rule ids and class names to positions and bits once, so that the
    /// engine never looks anything up by name. Called after `check`, which guarantees they exist.
    fn resolve_fields(&mut self) {
        let position = |path: &str| model::QUESTIONS.iter().position(|f| f.path == path).unwrap_or(0);
        for q in &mut self.questions {
            q.field = position(&q.id);
            q.gap_position = q.gap_rule.as_deref().and_then(|id| self.rule_index.get(id).copied());
            if let Some(applies) = &mut q.applies_when {
                for c in applies.conditions_mut() {
                    c.field = position(&c.question);
                }
            }
        }
        for r in &mut self.rules {
            r.superseded_positions = r.superseded_by.iter().filter_map(|id| self.rule_index.get(id).copied()).collect();
            match &mut r.trigger {
                Trigger::Answer { question, .. } => r.field = position(question),
                Trigger::BelowSetting { question, .. } => r.field = position(question),
                Trigger::AnyAnswer { answers } | Trigger::AllAnswers { answers } => {
                    for answer in answers {
                        answer.field = position(&answer.question);
                    }
                }
                Trigger::ScoresBelow { scores } => {
                    for score in scores {
                        score.field = position(&score.question);
                    }
                }
                Trigger::AllUnanswered { questions } => r.fields = questions.iter().map(|q| position(q)).collect(),
                Trigger::AnswerWithClass { question, classes, .. }
                | Trigger::AnswerWithoutClass { question, classes, .. } => {
                    r.field = position(question);
                    r.class_bits = self.drugs.class_bits(classes);
                }
                Trigger::MedicationClass { classes } | Trigger::DiazepamEquivalentAbove { classes, .. } => {
                    r.class_bits = self.drugs.class_bits(classes)
                }
                Trigger::FailedTrialCount { minimum, augmentation_classes } => {
                    self.required_failed_trials = *minimum;
                    self.augmentation_bits = self.drugs.class_bits(augmentation_classes);
                }
                _ => {}
            }
        }
    }

    /// Checks that the data holds together; the message names the rule or question at fault.
    fn check(&self, mode: Mode) -> Result<(), String> {
        if self.rule_index.len() != self.rules.len() {
            let mut seen = BTreeSet::new();
            let dup = self.rules.iter().find(|r| !seen.insert(&r.id)).map(|r| r.id.clone());
            return Err(format!("rule id {} is used twice", dup.unwrap_or_default()));
        }
        self.check_questions(mode)?;
        self.check_steps()?;
        let counts = self.rules.iter().filter(|r| matches!(r.trigger, Trigger::FailedTrialCount { .. })).count();
        if counts != 1 {
            return Err(format!("exactly one rule must have the trigger failed_trial_count (found {counts})"));
        }
        // An archived rule set is never evaluated: its rules are shown as they were written.
        if mode == Mode::InForce {
            for rule in &self.rules {
                self.check_rule(rule).map_err(|m| format!("rule {}: {m}", rule.id))?;
            }
        }
        self.check_policy(mode)
    }

    fn check_questions(&self, mode: Mode) -> Result<(), String> {
        let data: Vec<&str> = self.questions.iter().map(|q| q.id.as_str()).collect();
        let model: Vec<&str> = model::QUESTIONS.iter().map(|f| f.path).collect();
        let fields: Vec<&model::Field<model::Assessment>> = match mode {
            Mode::InForce if data != model => {
                return Err(format!("the questions must be exactly, in this order: {}", model.join(", ")));
            }
            Mode::InForce => model::QUESTIONS.iter().collect(),
            // An archived rule set asked some of today's questions, in today's order.
            Mode::Archived => {
                let mut in_order = model::QUESTIONS.iter().filter(|f| data.contains(&f.path));
                let found: Vec<_> = data.iter().map(|id| in_order.next().filter(|f| f.path == *id)).collect();
                match found.iter().position(Option::is_none) {
                    Some(i) => return Err(format!("question {} is not a question of the model here", data[i])),
                    None => found.into_iter().flatten().collect(),
                }
            }
        };
        for (q, field) in self.questions.iter().zip(fields) {
            let err = |m: &str| Err(format!("question {}: {m}", q.id));
            let expected = match field.kind {
                AnswerKind::Bool => "bool",
                AnswerKind::Number { .. } => "number",
                AnswerKind::Choice { .. } => "choice",
                AnswerKind::Trials => "trials",
                AnswerKind::Medications => "medications",
                AnswerKind::Text => "text",
            };
            if q.answer != expected {
                return err(&format!("answer must be {expected}"));
            }
            if let AnswerKind::Choice { values } = field.kind {
                let options: Vec<&str> = q.options.iter().map(|o| o.value.as_str()).collect();
                if options != values {
                    return err(&format!("options must be {}", values.join(", ")));
                }
            }
            if let Some(gap) = &q.gap_rule {
                match self.rule(gap) {
                    Some(r) if r.level == Level::Missing => {}
                    Some(_) => return err(&format!("gap_rule {gap} must have level missing")),
                    None => return err(&format!("gap_rule {gap} does not exist")),
                }
            }
            if let Some(other) = &q.paired_with {
                if self.question(other).is_none_or(|o| o.answer != "number" || q.answer != "number") {
                    return err(&format!("paired_with {other} must be a numeric question, as this one"));
                }
            }
            for cond in q.applies_when.iter().flat_map(AppliesWhen::conditions) {
                let values = cond.is.iter().chain(&cond.is_not);
                if cond.is.is_empty() == cond.is_not.is_none() {
                    return err("a condition needs either is_not or is");
                }
                for v in values {
                    self.check_value(&cond.question, v).map_err(|m| format!("question {}: {m}", q.id))?;
                }
            }
        }
        Ok(())
    }

    /// Every question in exactly one step.
    fn check_steps(&self) -> Result<(), String> {
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for step in &self.steps {
            for q in &step.questions {
                if self.question(q).is_none() {
                    return Err(format!("step {}: no question {q}", step.id));
                }
                if let Some(other) = seen.insert(q, &step.id) {
                    return Err(format!("question {q} is in steps {other} and {}", step.id));
                }
            }
        }
        match self.questions.iter().find(|q| !seen.contains_key(q.id.as_str())) {
            Some(q) => Err(format!("question {} is in no step", q.id)),
            None => Ok(()),
        }
    }

    /// Checks that `value` is a possible answer of the question `question`.
    fn check_value(&self, question: &str, value: &Value) -> Result<(), String> {
        let field = model::question_field(question).ok_or(format!("no question {question}"))?;
        let ok = match (&field.kind, value) {
            (AnswerKind::Bool, Value::Bool(_)) => true,
            (AnswerKind::Choice { values }, Value::Text(t)) => values.contains(&t.as_str()),
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(format!("{value:?} is not a possible answer of {question}"))
        }
    }

    fn check_answer(&self, question: &str, any_of: &[Value]) -> Result<(), String> {
        if any_of.is_empty() {
            return Err("any_of is empty".into());
        }
        for v in any_of {
            self.check_value(question, v)?;
        }
        Ok(())
    }

    fn check_classes(&self, classes: &[String]) -> Result<(), String> {
        for c in classes {
            if !self.drugs.classes.contains_key(c) {
                return Err(format!("class {c} is not in drugs.toml"));
            }
        }
        Ok(())
    }

    /// A numeric question whose answer is compared with a numeric policy setting.
    fn check_number_setting(&self, question: &str, setting: &str) -> Result<(), String> {
        match model::question_field(question) {
            Some(f) if matches!(f.kind, AnswerKind::Number { .. }) => {}
            _ => return Err(format!("{question} is not a numeric question")),
        }
        if self.policy.number_setting(setting).is_none() {
            return Err(format!("{setting} is not a numeric setting of the policy"));
        }
        Ok(())
    }

    fn check_rule(&self, rule: &Rule) -> Result<(), String> {
        match &rule.trigger {
            Trigger::Answer { question, any_of } => self.check_answer(question, any_of)?,
            Trigger::AnyAnswer { answers } | Trigger::AllAnswers { answers } => {
                if answers.is_empty() {
                    return Err("answers is empty".into());
                }
                for a in answers {
                    self.check_answer(&a.question, &a.any_of)?;
                }
            }
            Trigger::AnswerWithClass { question, any_of, classes }
            | Trigger::AnswerWithoutClass { question, any_of, classes } => {
                self.check_answer(question, any_of)?;
                self.check_classes(classes)?;
            }
            Trigger::BelowSetting { question, setting } => self.check_number_setting(question, setting)?,
            Trigger::ScoresBelow { scores } => {
                for score in scores {
                    self.check_number_setting(&score.question, &score.setting)?;
                }
            }
            Trigger::AllUnanswered { questions } => {
                for q in questions {
                    if self.question(q).and_then(|q| q.gap_rule.as_deref()) != Some(&*rule.id) {
                        return Err(format!("question {q} must name this rule as its gap_rule"));
                    }
                }
            }
            Trigger::Unanswered | Trigger::TrialGap
                if !self.questions.iter().any(|q| q.gap_rule.as_deref() == Some(&*rule.id)) =>
            {
                return Err("no question names this rule as its gap_rule".into());
            }
            Trigger::MedicationClass { classes } | Trigger::DiazepamEquivalentAbove { classes, .. } => {
                self.check_classes(classes)?
            }
            Trigger::FailedTrialCount { augmentation_classes, .. } => self.check_classes(augmentation_classes)?,
            _ => {}
        }
        for t in &rule.by_route {
            if rule.by_route.iter().filter(|o| o.route == t.route).count() > 1 {
                return Err(format!("by_route names {} twice", t.route.as_str()));
            }
        }
        for s in &rule.superseded_by {
            if self.rule(s).is_none() {
                return Err(format!("superseded_by {s} does not exist"));
            }
        }
        if let Some(setting) = &rule.level_setting {
            if setting != "active_sud_level" {
                return Err(format!("level_setting {setting} is not a level setting of the policy"));
            }
        }
        for v in rule.trigger.required_variants() {
            if !rule.variants.contains_key(*v) {
                return Err(format!("needs the message variant `{v}`"));
            }
        }
        let allowed = rule.trigger.placeholders();
        let route_texts = rule.by_route.iter().map(|t| &t.message);
        for text in std::iter::once(&rule.message).chain(rule.variants.values()).chain(route_texts) {
            for name in placeholders(text) {
                if !allowed.contains(&name) {
                    return Err(format!(
                        "placeholder {{{name}}} is not filled for this trigger (allowed: {allowed:?})"
                    ));
                }
            }
        }
        Ok(())
    }

    fn check_policy(&self, mode: Mode) -> Result<(), String> {
        let p = &self.policy;
        p.check_keys(mode)?;
        if mode == Mode::Archived {
            return Ok(());
        }
        let comparisons = &p.failure_threshold_percent.comparison;
        for v in p.failure_threshold_percent.allowed.iter().flatten() {
            if !comparisons.contains_key(&v.to_string()) {
                return Err(format!("policy failure_threshold_percent: the value {v} has no comparison"));
            }
        }
        match (&p.spo2_defer_percent, &p.spo2_low_percent) {
            (Some(d), Some(l)) if d.default >= l.default => {
                Err("policy spo2_defer_percent: its default must be below spo2_low_percent's".into())
            }
            _ => Ok(()),
        }
    }
}

/// Whether a rule set is the one in force (complete, evaluated) or archived (shown only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    InForce,
    Archived,
}

/// The `{name}` placeholders of a message template.
pub fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    text.split('{').skip(1).filter_map(|part| part.split_once('}').map(|(name, _)| name))
}

/// Fills a message template; placeholders are checked when the rule set loads.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                match values.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}
