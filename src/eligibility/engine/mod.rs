//! The eligibility engine: a pure function from (assessment, rule set, site policy) to an
//! evaluation. It implements each trigger kind of the rule set once; every number, message and
//! source comes from the rule set data or the site policy.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::eligibility::input::fmt_num;
use crate::eligibility::model::Assessment;
use crate::eligibility::policy::SitePolicy;
use crate::eligibility::ruleset::{fill, Area, Level, RuleSet, RuleSetRef, Trigger};
use crate::eligibility::source::Strength;

mod medications;
mod rules;
mod trials;

use medications::classify_medication;
use trials::judge_trials;

/// The outcome, decided from the findings only (ruleset-v2.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Determination {
    Eligible,
    EligibleWithPrecautions,
    NotEligible,
    Incomplete,
    /// Treatment must not go ahead today: recheck (not a lasting exclusion).
    Deferred,
}

impl Determination {
    /// A treatment course starts only from an assessment found eligible, with or without
    /// precautions.
    pub fn starts_course(self) -> bool {
        matches!(self, Determination::Eligible | Determination::EligibleWithPrecautions)
    }

    pub const ALL: [Determination; 5] = [
        Determination::Eligible,
        Determination::EligibleWithPrecautions,
        Determination::Deferred,
        Determination::Incomplete,
        Determination::NotEligible,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Determination::Eligible => "eligible",
            Determination::EligibleWithPrecautions => "eligible_with_precautions",
            Determination::NotEligible => "not_eligible",
            Determination::Incomplete => "incomplete",
            Determination::Deferred => "deferred",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Determination::Eligible => "Eligible",
            Determination::EligibleWithPrecautions => "Eligible with precautions",
            Determination::NotEligible => "Not eligible",
            Determination::Incomplete => "Incomplete",
            Determination::Deferred => "Deferred — not today",
        }
    }

    /// Any contraindication or unmet criterion → not eligible; else any missing answer →
    /// incomplete; else any deferral → deferred; else any precaution → eligible with
    /// precautions; else eligible.
    pub fn from_findings(findings: &[Finding]) -> Determination {
        let has = |level: Level| findings.iter().any(|f| f.level == level);
        if has(Level::Contraindication) || has(Level::Unmet) {
            Determination::NotEligible
        } else if has(Level::Missing) {
            Determination::Incomplete
        } else if has(Level::Defer) {
            Determination::Deferred
        } else if has(Level::Precaution) {
            Determination::EligibleWithPrecautions
        } else {
            Determination::Eligible
        }
    }
}

/// Yes / no / unknown, for the parts of a trial's adequacy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Tri {
    Yes,
    No,
    Unknown,
}

impl Tri {
    /// Three-valued AND: any no → no; else any unknown → unknown; else yes.
    pub fn all(parts: impl IntoIterator<Item = Tri>) -> Tri {
        let mut result = Tri::Yes;
        for p in parts {
            match p {
                Tri::No => return Tri::No,
                Tri::Unknown => result = Tri::Unknown,
                Tri::Yes => {}
            }
        }
        result
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Tri::Yes => "yes",
            Tri::No => "no",
            Tri::Unknown => "unknown",
        }
    }
}

/// One finding: its basis (rule, source) and the sentence for the clinician.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Finding {
    pub rule: Arc<str>,
    pub area: Area,
    pub level: Level,
    pub message: String,
    pub source: Arc<str>,
    pub strength: Strength,
    /// Shown first and marked urgent (active suicidal ideation).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub urgent: bool,
    /// The question or list entry the finding is about, e.g. `cardiovascular.systolic_mmhg`, `trials[2]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
}

/// How one antidepressant trial was judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct TrialResult {
    pub index: usize,
    /// As entered.
    pub drug: Option<String>,
    /// The generic name from the drug catalog, when the name is known to it.
    pub generic: Option<Arc<str>>,
    pub min_dose_mg: Option<f64>,
    pub adequate: Tri,
    pub failed: Tri,
    /// Counted as a failed adequate trial.
    pub counted: bool,
    /// Adequacy rests on the clinician's confirmation (drug outside the dose table).
    pub confirmed_by_clinician: bool,
    /// The first trial of the same drug: this one is judged together with it (counted once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_drug_as: Option<usize>,
    /// The drug is outside the catalog: it counts only on the clinician's confirmation that it
    /// is an antidepressant given at an adequate dose (the question the app asks).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub needs_confirmation: bool,
    /// For a drug name the catalog does not know, the catalog name it is closest to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// The name is close in spelling to this catalog drug, or (outside the catalog) to an earlier
    /// trial's name outside it, written "name (trial n)": whether it is that drug or a different
    /// one is asked (`same_drug_as_suggestion`); unanswered, the trial cannot count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_drug_question: Option<String>,
    /// Why it does not count (each sentence names the value and the limit).
    pub reasons: Vec<String>,
    /// What is not recorded and could still make it count.
    pub unknown: Vec<String>,
    /// One sentence for the clinician.
    pub explanation: String,
}

/// How one current medication was classified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct MedicationResult {
    pub index: usize,
    pub name: Option<String>,
    pub generic: Option<Arc<str>>,
    #[cfg_attr(feature = "ts", ts(type = "Array<string>"))]
    pub classes: std::sync::Arc<[String]>,
    pub dose_mg_per_day: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diazepam_equivalent_mg: Option<f64>,
    /// As printed: "Effexor XR (venlafaxine) 225 mg/day".
    pub label: String,
    /// The name is not in the catalog and the clinician chose its classes (`[]`: none).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub classified_by_clinician: bool,
    /// For a name the catalog does not know, the catalog name it is closest to ("did you mean").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    #[serde(skip)]
    class_bits: u64,
    /// The strength of the catalog entry's own source.
    #[serde(skip)]
    strength: Option<Strength>,
}

impl MedicationResult {
    /// Named, not in the catalog, and not classified by the clinician: cannot be checked yet.
    pub fn unrecognised(&self) -> bool {
        self.name.is_some() && self.generic.is_none() && !self.classified_by_clinician
    }
}

/// Everything the engine concluded. The first five fields are the assessment-v2 output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Evaluation {
    pub determination: Determination,
    pub failed_adequate_trials: u32,
    /// How many the rule set requires (TRD-COUNT's minimum).
    pub required_failed_trials: u32,
    pub findings: Vec<Finding>,
    pub ruleset: RuleSetRef,
    pub policy: SitePolicy,
    pub trials: Vec<TrialResult>,
    pub medications: Vec<MedicationResult>,
}

impl Evaluation {
    pub fn urgent(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.urgent)
    }
}

/// Evaluates an assessment. Pure: the same inputs always give the same evaluation.
pub fn evaluate(a: &Assessment, rules: &RuleSet, policy: &SitePolicy) -> Evaluation {
    let trials = judge_trials(a.trials.as_deref().unwrap_or_default(), rules, policy);
    let medications: Vec<MedicationResult> =
        a.medications.iter().flatten().enumerate().map(|(i, m)| classify_medication(i, m, rules)).collect();
    let ctx = Context { a, rules, policy, trials: &trials, medications: &medications };

    let mut fired: Vec<(usize, Finding)> = Vec::with_capacity(32);
    for (position, rule) in rules.rules.iter().enumerate() {
        ctx.fire(rule, &mut |f| fired.push((position, f)));
    }
    for question in &rules.questions {
        let Some(position) = question.gap_position else { continue };
        let rule = &rules.rules[position];
        // A group of questions of which one is enough reports its gap once, as its rule fires.
        if matches!(rule.trigger, Trigger::AllUnanswered { .. }) {
            continue;
        }
        if question.answer(a).is_unknown() && question.applies(a) {
            let message = fill(ctx.text(rule, Some("unanswered")), &[("question", &question.text)]);
            fired.push((position, ctx.finding(rule, message, Some(question.id.clone()))));
        }
    }

    // A rule is not shown when a rule that supersedes it fired (e.g. CV-BP-HIGH under CV-BP-STOP).
    let mut has_fired = vec![false; rules.rules.len()];
    for (position, _) in &fired {
        has_fired[*position] = true;
    }
    fired.retain(|(position, _)| !rules.rules[*position].superseded_positions.iter().any(|&s| has_fired[s]));
    fired.sort_by_key(|(position, f)| (f.level, !f.urgent, *position));
    let findings: Vec<Finding> = fired.into_iter().map(|(_, f)| f).collect();

    Evaluation {
        determination: Determination::from_findings(&findings),
        failed_adequate_trials: trials.iter().filter(|t| t.counted).count() as u32,
        required_failed_trials: rules.required_failed_trials(),
        findings,
        ruleset: rules.reference(),
        policy: policy.clone(),
        trials,
        medications,
    }
}

struct Context<'a> {
    a: &'a Assessment,
    rules: &'a RuleSet,
    policy: &'a SitePolicy,
    trials: &'a [TrialResult],
    medications: &'a [MedicationResult],
}

/// The load of a rule's classes in diazepam equivalents: the known total, and whether any part is
/// unknown (a dose not recorded, or a drug without an equivalent in the table).
struct DiazepamLoad {
    total_mg: f64,
    incomplete: bool,
}

impl DiazepamLoad {
    fn of(medications: &[MedicationResult], class_bits: u64) -> DiazepamLoad {
        let mut load = DiazepamLoad { total_mg: 0.0, incomplete: false };
        for m in medications.iter().filter(|m| m.class_bits & class_bits != 0) {
            match m.diazepam_equivalent_mg {
                Some(eq) => load.total_mg += eq,
                None => load.incomplete = true,
            }
        }
        load
    }
}

/// A finding's strength with the catalog entries that made it fire: the weakest of them.
fn weakest(rule: Strength, medications: &[&MedicationResult]) -> Strength {
    medications.iter().filter_map(|m| m.strength).fold(rule, Strength::weakest)
}

/// "lorazepam 1 mg/day, clonazepam 0.5 mg/day".
fn join_labels<'a>(medications: impl Iterator<Item = &'a MedicationResult>) -> String {
    let mut list = String::with_capacity(96);
    for m in medications {
        if !list.is_empty() {
            list.push_str(", ");
        }
        list.push_str(&m.label);
    }
    list
}

/// A blood-pressure reading as printed: "182/100", "?/90".
fn fmt_bp(s: Option<f64>, d: Option<f64>) -> String {
    let show = |v: Option<f64>| v.map_or_else(|| "?".to_string(), fmt_num);
    format!("{}/{}", show(s), show(d))
}
