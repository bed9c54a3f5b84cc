//! The rule set as data: `rules/ruleset.toml` and `rules/drugs.toml`, embedded at build time.
//!
//! Loading checks that the data holds together (every question, class, rule and placeholder it
//! names exists), so that a mistake in a rule file is an error at start-up, never a wrong result.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::drugs::DrugCatalog;
use crate::error::RuleSetError;
use crate::model::{self, AnswerKind};

pub const EMBEDDED_RULESET: &str = include_str!("../rules/ruleset.toml");
pub const EMBEDDED_DRUGS: &str = include_str!("../rules/drugs.toml");

/// How strongly a finding weighs; the order is the order of the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Level {
    Contraindication,
    Unmet,
    Missing,
    Precaution,
    Info,
}

impl Level {
    pub const ALL: [Level; 5] = [Level::Contraindication, Level::Unmet, Level::Missing, Level::Precaution, Level::Info];
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Contraindication => "contraindication",
            Level::Unmet => "unmet",
            Level::Missing => "missing",
            Level::Precaution => "precaution",
            Level::Info => "info",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Level::Contraindication => "Contraindications",
            Level::Unmet => "Unmet criteria",
            Level::Missing => "Missing answers",
            Level::Precaution => "Precautions",
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
    Pregnancy,
    SubstanceUse,
    Psychiatric,
    Medical,
    Medications,
}

impl Area {
    pub const ALL: [Area; 8] = [
        Area::Patient,
        Area::TreatmentHistory,
        Area::Cardiovascular,
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
            Area::Pregnancy => "Pregnancy",
            Area::SubstanceUse => "Substance use",
            Area::Psychiatric => "Psychiatric",
            Area::Medical => "Medical",
            Area::Medications => "Medications",
        }
    }
}

/// Strength of a source, as tagged in the clinical reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Strength {
    /// Verified in a primary source.
    V,
    /// Secondary source only.
    S,
    /// Unverified.
    U,
}

impl Strength {
    pub fn label(self) -> &'static str {
        match self {
            Strength::V => "verified",
            Strength::S => "secondary",
            Strength::U => "unverified",
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

/// What makes a rule fire. The engine implements each kind once; the numbers are here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    Answer {
        question: String,
        any_of: Vec<Value>,
    },
    Unanswered,
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
    },
    TrialGap,
    TrialIntolerance,
    TrialConfirmed,
    MedicationClass {
        classes: Vec<String>,
    },
    /// The total of `classes` (diazepam-equivalent per day) above `mg`.
    DiazepamEquivalentAbove {
        mg: f64,
        classes: Vec<String>,
    },
    MedicationUnclassified,
}

impl Trigger {
    /// The placeholders the engine fills for this kind, by message variant.
    fn placeholders(&self) -> &'static [&'static str] {
        match self {
            Trigger::Answer { .. } => &[],
            Trigger::Unanswered => &["question", "medication"],
            Trigger::BpStop => &["bp", "systolic_limit", "diastolic_limit"],
            Trigger::BpAbove { .. } => &["bp"],
            Trigger::AgeBelow { .. } | Trigger::AgeAtOrAbove { .. } => &["age"],
            Trigger::FailedTrialCount { .. } => &["count", "minimum", "possible"],
            Trigger::TrialGap => &["trial", "gaps", "question"],
            Trigger::TrialIntolerance | Trigger::TrialConfirmed => &["trial"],
            Trigger::MedicationClass { .. } => &["medications", "limit"],
            Trigger::DiazepamEquivalentAbove { .. } => &["medications", "diazepam_mg", "limit"],
            Trigger::MedicationUnclassified => &["medications"],
        }
    }

    /// Message variants the engine uses for this kind besides `message`.
    fn required_variants(&self) -> &'static [&'static str] {
        match self {
            Trigger::FailedTrialCount { .. } => &["met", "pending"],
            Trigger::TrialGap => &["unanswered", "settled"],
            _ => &[],
        }
    }
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
    /// For an `answer` trigger, the position of its question in [`model::QUESTIONS`].
    #[serde(skip)]
    pub(crate) field: usize,
    /// For a `medication_class` trigger, its classes as bits of the drug catalog.
    #[serde(skip)]
    pub(crate) class_bits: u64,
    /// `superseded_by` as positions in [`RuleSet::rules`].
    #[serde(skip)]
    pub(crate) superseded_positions: Vec<usize>,
}

impl Rule {
    pub fn text(&self, variant: Option<&str>) -> &str {
        variant.and_then(|v| self.variants.get(v)).unwrap_or(&self.message)
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

/// Asks a question only while another answer is not `is_not` (unknown counts as "not").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Condition {
    pub question: String,
    pub is_not: Value,
    /// Position of `question` in [`model::QUESTIONS`], resolved when the rule set loads.
    #[serde(skip)]
    pub(crate) field: usize,
}

impl Condition {
    /// Whether the condition lets its question be asked: the answer is not `is_not`.
    pub fn holds(&self, a: &model::Assessment) -> bool {
        !self.is_not.matches(&(model::QUESTIONS[self.field].get)(a))
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
    pub applies_when: Option<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
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
    pub source: String,
}

/// The site-configurable values of the rule set (ruleset-v1.md, *site-configurable*).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct PolicySpec {
    pub min_weeks_at_dose: Setting<u32>,
    pub failure_threshold_percent: Setting<u32>,
    pub bp_stop_systolic_mmhg: Setting<u32>,
    pub bp_stop_diastolic_mmhg: Setting<u32>,
    pub active_sud_level: Setting<Level>,
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
}

static EMBEDDED: OnceLock<Result<RuleSet, RuleSetError>> = OnceLock::new();

impl RuleSet {
    /// The rule set built into this program, loaded once. Its data is checked by the test suite;
    /// an error here is a build defect, reported with the rule at fault.
    pub fn embedded() -> Result<&'static RuleSet, RuleSetError> {
        EMBEDDED.get_or_init(|| RuleSet::from_sources(EMBEDDED_RULESET, EMBEDDED_DRUGS)).as_ref().map_err(Clone::clone)
    }

    /// Loads a rule set from the text of its two files.
    pub fn from_sources(ruleset_toml: &str, drugs_toml: &str) -> Result<RuleSet, RuleSetError> {
        let file: RuleFile = toml::from_str(ruleset_toml)
            .map_err(|e| RuleSetError { file: "ruleset.toml".into(), message: e.to_string() })?;
        let drugs = DrugCatalog::from_toml(drugs_toml)?;
        let mut hasher = Sha256::new();
        hasher.update(ruleset_toml.as_bytes());
        hasher.update(drugs_toml.as_bytes());
        let sha256 = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
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
        };
        set.check().map_err(|message| RuleSetError { file: "ruleset.toml".into(), message })?;
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

    /// The position of a rule in the file (the order of findings within a level).
    pub fn position(&self, id: &str) -> usize {
        self.rule_index.get(id).copied().unwrap_or(usize::MAX)
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// Resolves question paths, rule ids and class names to positions and bits once, so that the
    /// engine never looks anything up by name. Called after `check`, which guarantees they exist.
    fn resolve_fields(&mut self) {
        let position = |path: &str| model::QUESTIONS.iter().position(|f| f.path == path).unwrap_or(0);
        for q in &mut self.questions {
            q.field = position(&q.id);
            q.gap_position = q.gap_rule.as_deref().and_then(|id| self.rule_index.get(id).copied());
            if let Some(c) = &mut q.applies_when {
                c.field = position(&c.question);
            }
        }
        for r in &mut self.rules {
            r.superseded_positions = r.superseded_by.iter().filter_map(|id| self.rule_index.get(id).copied()).collect();
            match &r.trigger {
                Trigger::Answer { question, .. } => r.field = position(question),
                Trigger::MedicationClass { classes } | Trigger::DiazepamEquivalentAbove { classes, .. } => {
                    r.class_bits = self.drugs.class_bits(classes)
                }
                Trigger::FailedTrialCount { minimum } => self.required_failed_trials = *minimum,
                _ => {}
            }
        }
    }

    /// Checks that the data holds together; the message names the rule or question at fault.
    fn check(&self) -> Result<(), String> {
        if self.rule_index.len() != self.rules.len() {
            let mut seen = BTreeSet::new();
            let dup = self.rules.iter().find(|r| !seen.insert(&r.id)).map(|r| r.id.clone());
            return Err(format!("rule id {} is used twice", dup.unwrap_or_default()));
        }
        self.check_questions()?;
        self.check_steps()?;
        let counts = self.rules.iter().filter(|r| matches!(r.trigger, Trigger::FailedTrialCount { .. })).count();
        if counts != 1 {
            return Err(format!("exactly one rule must have the trigger failed_trial_count (found {counts})"));
        }
        for rule in &self.rules {
            self.check_rule(rule).map_err(|m| format!("rule {}: {m}", rule.id))?;
        }
        self.check_policy()
    }

    fn check_questions(&self) -> Result<(), String> {
        let data: Vec<&str> = self.questions.iter().map(|q| q.id.as_str()).collect();
        let model: Vec<&str> = model::QUESTIONS.iter().map(|f| f.path).collect();
        if data != model {
            return Err(format!("the questions must be exactly, in this order: {}", model.join(", ")));
        }
        for (q, field) in self.questions.iter().zip(model::QUESTIONS) {
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
            if let Some(cond) = &q.applies_when {
                self.check_value(&cond.question, &cond.is_not).map_err(|m| format!("question {}: {m}", q.id))?;
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

    fn check_rule(&self, rule: &Rule) -> Result<(), String> {
        match &rule.trigger {
            Trigger::Answer { question, any_of } => {
                if any_of.is_empty() {
                    return Err("any_of is empty".into());
                }
                for v in any_of {
                    self.check_value(question, v)?;
                }
            }
            Trigger::Unanswered | Trigger::TrialGap
                if !self.questions.iter().any(|q| q.gap_rule.as_deref() == Some(&*rule.id)) =>
            {
                return Err("no question names this rule as its gap_rule".into());
            }
            Trigger::MedicationClass { classes } | Trigger::DiazepamEquivalentAbove { classes, .. } => {
                for c in classes {
                    if !self.drugs.classes.contains_key(c) {
                        return Err(format!("class {c} is not in drugs.toml"));
                    }
                }
            }
            _ => {}
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
        for text in std::iter::once(&rule.message).chain(rule.variants.values()) {
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

    fn check_policy(&self) -> Result<(), String> {
        fn check<T: PartialEq + PartialOrd + std::fmt::Debug>(name: &str, s: &Setting<T>) -> Result<(), String> {
            let in_allowed = s.allowed.as_ref().is_none_or(|a| a.contains(&s.default));
            let in_range =
                s.min.as_ref().is_none_or(|m| &s.default >= m) && s.max.as_ref().is_none_or(|m| &s.default <= m);
            if in_allowed && in_range {
                Ok(())
            } else {
                Err(format!("policy {name}: default {:?} is outside what it allows", s.default))
            }
        }
        let p = &self.policy;
        check("min_weeks_at_dose", &p.min_weeks_at_dose)?;
        check("failure_threshold_percent", &p.failure_threshold_percent)?;
        check("bp_stop_systolic_mmhg", &p.bp_stop_systolic_mmhg)?;
        check("bp_stop_diastolic_mmhg", &p.bp_stop_diastolic_mmhg)?;
        check("active_sud_level", &p.active_sud_level)
    }
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
