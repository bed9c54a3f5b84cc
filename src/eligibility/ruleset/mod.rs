//! The rule set as data: `rules/ruleset.toml` and `rules/drugs.toml`, embedded at build time.
//!
//! Loading checks that the data holds together (every question, class, rule and placeholder it
//! names exists), so that a mistake in a rule file is an error at start-up, never a wrong result.

use crate::eligibility::drugs::DrugCatalog;
use crate::eligibility::model;
use crate::error::RuleSetError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::OnceLock;

mod checks;
mod levels;
mod messages;
mod policy_spec;
mod questions;
mod rules;

pub use levels::*;
pub use messages::*;
pub use policy_spec::*;
pub use questions::*;
pub use rules::*;

pub const EMBEDDED_RULESET: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/ruleset.toml"));

pub const EMBEDDED_DRUGS: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/drugs.toml"));

/// Earlier rule sets, kept byte for byte so that a record finalised under one is shown with the
/// questions, labels and classes it was signed with (found by its sha256). Never evaluated.
pub const ARCHIVED: &[(&str, &str)] = &[
    (
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/archive/trd-ketamine-2026.1/ruleset.toml")),
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/archive/trd-ketamine-2026.1/drugs.toml")),
    ),
    (
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/archive/trd-ketamine-2026.2/ruleset.toml")),
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/archive/trd-ketamine-2026.2/drugs.toml")),
    ),
];

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
        let position =
            |path: &str| crate::eligibility::question_table::QUESTIONS.iter().position(|f| f.path == path).unwrap_or(0);
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
}

/// Whether a rule set is the one in force (complete, evaluated) or archived (shown only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    InForce,
    Archived,
}
