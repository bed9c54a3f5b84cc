//! The eligibility engine: a pure function from (assessment, rule set, site policy) to an
//! evaluation. It implements each trigger kind of the rule set once; every number, message and
//! source comes from the rule set data or the site policy.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::eligibility::drugs::Drug;
use crate::eligibility::input::{fmt_num, FmtNum};
use crate::eligibility::model::{Answer, Assessment, Medication, Trial, QUESTIONS};
use crate::eligibility::policy::SitePolicy;
use crate::eligibility::ruleset::{fill, Area, Comparison, Level, Rule, RuleSet, RuleSetRef, Trigger};
use crate::eligibility::source::Strength;

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

impl Context<'_> {
    /// The rule's text for the planned route (its own where the rule has one for that route).
    fn text<'r>(&self, rule: &'r Rule, variant: Option<&str>) -> &'r str {
        match (variant, rule.route_text(self.a.route)) {
            (None, Some(t)) => &t.message,
            _ => rule.text(variant),
        }
    }

    fn finding(&self, rule: &Rule, message: String, question: Option<String>) -> Finding {
        let level = match rule.level_setting.as_deref() {
            Some("active_sud_level") => self.policy.active_sud_level,
            _ => rule.level,
        };
        let (source, strength) = match rule.route_text(self.a.route) {
            Some(t) => (t.source.clone(), t.strength),
            None => (rule.source.clone(), rule.strength),
        };
        Finding {
            rule: rule.id.clone(),
            area: rule.area,
            level,
            message,
            source,
            strength,
            urgent: rule.urgent,
            question,
        }
    }

    fn route_applies(&self, rule: &Rule) -> bool {
        rule.routes.is_empty() || self.a.route.is_none_or(|r| rule.routes.contains(&r))
    }

    /// The answer at a position of [`QUESTIONS`], when the question is asked (an answer to a
    /// question that does not apply is kept and shown, and fires no rule).
    fn asked(&self, field: usize) -> Answer<'_> {
        match self.rules.questions.get(field) {
            Some(q) if !q.applies(self.a) => Answer::Unknown,
            _ => (QUESTIONS[field].get)(self.a),
        }
    }

    /// A policy number a rule compares with; the rule set's default when the policy predates it.
    fn setting(&self, key: &str) -> Option<f64> {
        let value = self.policy.number(key).or_else(|| self.rules.policy.number_setting(key).map(|s| s.default));
        value.map(f64::from)
    }

    /// The current medications in any of `class_bits`; `None` when the list is not recorded.
    fn in_classes(&self, class_bits: u64) -> Option<impl Iterator<Item = &MedicationResult>> {
        self.a.medications.as_ref()?;
        Some(self.medications.iter().filter(move |m| m.class_bits & class_bits != 0))
    }

    /// The findings of one rule (none, one, or one per trial or medication), each passed to `emit`.
    fn fire(&self, rule: &Rule, emit: &mut dyn FnMut(Finding)) {
        if !self.route_applies(rule) {
            return;
        }
        let mut one = |variant: Option<&str>, values: &[(&str, &str)], question: Option<&str>| {
            emit(self.finding(rule, fill(self.text(rule, variant), values), question.map(str::to_string)))
        };
        let a = self.a;
        let cv = &a.cardiovascular;
        match &rule.trigger {
            Trigger::Answer { question, any_of } => {
                let ans = self.asked(rule.field);
                if any_of.iter().any(|v| v.matches(&ans)) {
                    one(None, &[], Some(question))
                }
            }
            Trigger::AnyAnswer { answers } => {
                let mut held = String::new();
                let mut first = None;
                for cond in answers {
                    let ans = self.asked(cond.field);
                    if cond.any_of.iter().any(|v| v.matches(&ans)) {
                        let q = &self.rules.questions[cond.field];
                        if !held.is_empty() {
                            held.push_str("; ");
                        }
                        held.push_str(&q.text);
                        held.push_str(": ");
                        held.push_str(&answer_label(q, &ans));
                        first.get_or_insert(cond.question.as_str());
                    }
                }
                if first.is_some() {
                    one(None, &[("answers", &held)], first)
                }
            }
            Trigger::AllAnswers { answers } => {
                // Read as given: an answer to a question that does not apply still counts here.
                let given = |field: usize| (QUESTIONS[field].get)(self.a);
                if answers.iter().all(|c| c.any_of.iter().any(|v| v.matches(&given(c.field)))) {
                    let held = answers
                        .iter()
                        .map(|c| {
                            let q = &self.rules.questions[c.field];
                            format!("{}: {}", q.text, answer_label(q, &given(c.field)))
                        })
                        .collect::<Vec<_>>()
                        .join("; ");
                    one(None, &[("answers", &held)], answers.first().map(|c| c.question.as_str()))
                }
            }
            // Unknown answers are reported per question, in `evaluate`; a medication without a
            // name is a gap of the medication list.
            Trigger::Unanswered => self.unnamed_medications(rule, emit),
            Trigger::AllUnanswered { questions } => {
                let all_unknown = rule.fields.iter().all(|&f| (QUESTIONS[f].get)(a).is_unknown());
                let asked = rule.fields.iter().any(|&f| self.rules.questions[f].applies(a));
                if all_unknown && asked {
                    let names: Vec<&str> = rule.fields.iter().map(|&f| self.rules.questions[f].text.as_str()).collect();
                    one(None, &[("questions", &names.join(" or "))], questions.first().map(String::as_str))
                }
            }
            Trigger::BelowSetting { question, setting } => {
                let (Answer::Number(value), Some(limit)) = (self.asked(rule.field), self.setting(setting)) else {
                    return;
                };
                if value < limit {
                    one(None, &[("value", &fmt_num(value)), ("limit", &fmt_num(limit))], Some(question))
                }
            }
            Trigger::ScoresBelow { scores } => {
                let mut shown = String::new();
                let mut all_below = true;
                for score in scores {
                    let (Answer::Number(value), Some(min)) = (self.asked(score.field), self.setting(&score.setting))
                    else {
                        continue;
                    };
                    all_below &= value < min;
                    if !shown.is_empty() {
                        shown.push_str(", ");
                    }
                    shown.push_str(&format!("{} {} (minimum {})", score.label, FmtNum(value), FmtNum(min)));
                }
                if all_below && !shown.is_empty() {
                    one(None, &[("scores", &shown)], scores.first().map(|s| s.question.as_str()))
                }
            }
            Trigger::AnswerWithoutClass { question, any_of, .. } => {
                if !any_of.iter().any(|v| v.matches(&self.asked(rule.field))) {
                    return;
                }
                match self.in_classes(rule.class_bits).map(|mut on| on.next().is_none()) {
                    None => {
                        let text = fill(rule.text(Some("list_unknown")), &[]);
                        let mut f = self.finding(rule, text, Some("medications".into()));
                        f.level = Level::Missing;
                        emit(f)
                    }
                    Some(true) => one(None, &[], Some(question)),
                    Some(false) => {}
                }
            }
            Trigger::AnswerWithClass { question, any_of, .. } => {
                if !any_of.iter().any(|v| v.matches(&self.asked(rule.field))) {
                    return;
                }
                if let Some(on) = self.in_classes(rule.class_bits) {
                    let on: Vec<&MedicationResult> = on.collect();
                    if !on.is_empty() {
                        let list = join_labels(on.iter().copied());
                        let mut f = self.finding(
                            rule,
                            fill(self.text(rule, None), &[("medications", &list)]),
                            Some(question.clone()),
                        );
                        f.strength = weakest(f.strength, &on);
                        emit(f)
                    }
                }
            }
            Trigger::BpStop => {
                let repeat = cv.repeat_systolic_mmhg.is_some() && cv.repeat_diastolic_mmhg.is_some();
                let (s, d, path) = if repeat {
                    (cv.repeat_systolic_mmhg, cv.repeat_diastolic_mmhg, "cardiovascular.repeat_systolic_mmhg")
                } else {
                    (cv.systolic_mmhg, cv.diastolic_mmhg, "cardiovascular.systolic_mmhg")
                };
                let (sl, dl) = (self.policy.bp_stop_systolic_mmhg, self.policy.bp_stop_diastolic_mmhg);
                if s.is_some_and(|s| s >= f64::from(sl)) || d.is_some_and(|d| d >= f64::from(dl)) {
                    let reading = if repeat { "repeat reading after rest" } else { "first reading" };
                    one(
                        None,
                        &[
                            ("bp", &fmt_bp(s, d)),
                            ("reading", reading),
                            ("systolic_limit", &sl.to_string()),
                            ("diastolic_limit", &dl.to_string()),
                        ],
                        Some(path),
                    )
                }
            }
            Trigger::BpAbove { systolic, diastolic } => {
                let above = |s: Option<f64>, d: Option<f64>| {
                    s.is_some_and(|s| s > *systolic) || d.is_some_and(|d| d > *diastolic)
                };
                let (rs, rd) = (cv.repeat_systolic_mmhg, cv.repeat_diastolic_mmhg);
                let repeat_recorded = rs.is_some() || rd.is_some();
                if above(cv.systolic_mmhg, cv.diastolic_mmhg) || above(rs, rd) {
                    let mut bp = format!("{} mmHg", fmt_bp(cv.systolic_mmhg, cv.diastolic_mmhg));
                    if repeat_recorded {
                        bp.push_str(&format!(" (repeat after rest {} mmHg)", fmt_bp(rs, rd)));
                    }
                    one(None, &[("bp", &bp)], Some("cardiovascular.systolic_mmhg"))
                }
            }
            Trigger::AgeBelow { years } => {
                if let Some(age) = a.patient.age_years.filter(|age| age < years) {
                    one(None, &[("age", &fmt_num(age))], Some("patient.age_years"))
                }
            }
            Trigger::AgeAtOrAbove { years } => {
                if let Some(age) = a.patient.age_years.filter(|age| age >= years) {
                    one(None, &[("age", &fmt_num(age))], Some("patient.age_years"))
                }
            }
            Trigger::FailedTrialCount { minimum, .. } => self.fire_count(rule, *minimum, emit),
            Trigger::TrialGap => self.fire_trial_gaps(rule, emit),
            Trigger::TrialIntolerance => {
                let stopped = self
                    .trials
                    .iter()
                    .zip(a.trials.iter().flatten())
                    .filter(|(r, t)| t.stopped_for_intolerance == Some(true) && r.adequate == Tri::No);
                for (r, _) in stopped {
                    emit(self.finding(
                        rule,
                        fill(self.text(rule, None), &[("trial", &trial_label(r))]),
                        Some(trial_path(r)),
                    ))
                }
            }
            Trigger::TrialConfirmed => {
                for r in self.trials.iter().filter(|r| r.confirmed_by_clinician && r.counted) {
                    emit(self.finding(
                        rule,
                        fill(self.text(rule, None), &[("trial", &trial_label(r))]),
                        Some(trial_path(r)),
                    ))
                }
            }
            Trigger::TrialEnantiomers => {
                let counted = || self.trials.iter().filter(|r| r.counted);
                for r in counted() {
                    let Some(of) = r
                        .generic
                        .as_deref()
                        .and_then(|g| self.rules.drugs.lookup(g))
                        .and_then(|d| d.enantiomer_of.as_deref())
                    else {
                        continue;
                    };
                    if let Some(other) = counted().find(|o| o.generic.as_deref() == Some(of)) {
                        let drug = r.generic.as_deref().unwrap_or_default();
                        let values = [
                            ("trial", trial_label(r)),
                            ("other", trial_label(other)),
                            ("drug", drug.to_string()),
                            ("of", of.to_string()),
                        ];
                        let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
                        emit(self.finding(rule, fill(self.text(rule, None), &values), Some(trial_path(r))))
                    }
                }
            }
            Trigger::MedicationClass { .. } => {
                let matching: Vec<&MedicationResult> =
                    self.medications.iter().filter(|m| m.class_bits & rule.class_bits != 0).collect();
                if matching.is_empty() {
                    return;
                }
                let list = join_labels(matching.iter().copied());
                // When the rule that supersedes this one is a dose limit that cannot be decided
                // (a dose or an equivalent unknown), the finding says so.
                let undecided_limit =
                    rule.superseded_positions.iter().map(|&p| &self.rules.rules[p]).find_map(|r| match r.trigger {
                        Trigger::DiazepamEquivalentAbove { mg, .. } => {
                            let load = DiazepamLoad::of(self.medications, r.class_bits);
                            (load.incomplete && load.total_mg <= mg).then_some(mg)
                        }
                        _ => None,
                    });
                let mut f = match undecided_limit {
                    Some(limit) => self.finding(
                        rule,
                        fill(
                            self.text(rule, Some("dose_unknown")),
                            &[("medications", &list), ("limit", &fmt_num(limit))],
                        ),
                        Some("medications".into()),
                    ),
                    None => self.finding(
                        rule,
                        fill(self.text(rule, None), &[("medications", &list)]),
                        Some("medications".into()),
                    ),
                };
                f.strength = weakest(f.strength, &matching);
                emit(f)
            }
            Trigger::DiazepamEquivalentAbove { mg, .. } => {
                let load = DiazepamLoad::of(self.medications, rule.class_bits);
                if load.total_mg > *mg {
                    let total = fmt_num((load.total_mg * 10.0).round() / 10.0);
                    let in_total: Vec<&MedicationResult> =
                        self.medications.iter().filter(|m| m.class_bits & rule.class_bits != 0).collect();
                    let names = join_labels(in_total.iter().copied());
                    let values =
                        [("medications", names.as_str()), ("diazepam_mg", total.as_str()), ("limit", &fmt_num(*mg))];
                    let mut f = self.finding(rule, fill(self.text(rule, None), &values), Some("medications".into()));
                    // As strong as the equivalents it adds up (Ashton values are secondary).
                    f.strength = weakest(f.strength, &in_total);
                    emit(f)
                }
            }
            Trigger::MedicationUnclassified => {
                for m in self.medications.iter().filter(|m| m.unrecognised()) {
                    let (variant, suggestion) = match &m.suggestion {
                        Some(s) => (Some("suggest"), s.as_str()),
                        None => (None, ""),
                    };
                    let values = [("medication", m.label.as_str()), ("suggestion", suggestion)];
                    emit(self.finding(rule, fill(self.text(rule, variant), &values), Some(medication_path(m))))
                }
            }
            Trigger::MedicationClinicianClasses => {
                for m in self.medications.iter().filter(|m| m.classified_by_clinician) {
                    let names: Vec<&str> = m.classes.iter().map(|c| self.rules.drugs.class_name(c)).collect();
                    let variant = names.is_empty().then_some("none");
                    let values = [("medication", m.label.as_str()), ("classes", &names.join(", "))];
                    emit(self.finding(rule, fill(self.text(rule, variant), &values), Some(medication_path(m))))
                }
            }
        }
    }

    /// A medication without a name cannot be checked: a gap of the medication list's gap rule.
    fn unnamed_medications(&self, rule: &Rule, emit: &mut dyn FnMut(Finding)) {
        let is_list_gap = self.rules.question("medications").and_then(|q| q.gap_rule.as_deref()) == Some(&*rule.id);
        if !is_list_gap || !rule.variants.contains_key("unnamed") {
            return;
        }
        for m in self.medications.iter().filter(|m| m.name.is_none()) {
            let label = format!("Medication {}", m.index + 1);
            emit(self.finding(
                rule,
                fill(rule.text(Some("unnamed")), &[("medication", &label)]),
                Some(medication_path(m)),
            ))
        }
    }

    /// Counts the drugs with a failed adequate trial, decided only when no unknown could change
    /// the outcome.
    fn outcome(&self, minimum: u32) -> Option<(bool, usize, usize)> {
        self.a.trials.as_ref()?;
        let failed = self.trials.iter().filter(|t| t.counted).count();
        let possible = self.trials.iter().filter(|t| t.same_drug_as.is_none() && t.failed == Tri::Unknown).count();
        let min = minimum as usize;
        let decided = failed >= min || failed + possible < min;
        Some((decided, failed, possible))
    }

    fn fire_count(&self, rule: &Rule, minimum: u32, emit: &mut dyn FnMut(Finding)) {
        let Some((decided, failed, possible)) = self.outcome(minimum) else { return };
        let (count, min, poss) = (failed.to_string(), minimum.to_string(), possible.to_string());
        let values = [("count", count.as_str()), ("minimum", min.as_str()), ("possible", poss.as_str())];
        let (variant, level) = if failed >= minimum as usize {
            (Some("met"), Level::Info)
        } else if decided {
            (None, rule.level)
        } else {
            (Some("pending"), Level::Info)
        };
        let mut f = self.finding(rule, fill(self.text(rule, variant), &values), Some("trials".into()));
        f.level = level;
        emit(f)
    }

    fn fire_trial_gaps(&self, rule: &Rule, emit: &mut dyn FnMut(Finding)) {
        let Some((decided, _, _)) = self.outcome(self.rules.required_failed_trials()) else { return };
        for t in self.trials.iter().filter(|t| t.failed == Tri::Unknown && !t.unknown.is_empty()) {
            let (label, gaps) = (trial_label(t), format!("not recorded: {}", t.unknown.join(", ")));
            let values = [("trial", label.as_str()), ("gaps", gaps.as_str())];
            let mut f = self.finding(rule, fill(rule.text(decided.then_some("settled")), &values), Some(trial_path(t)));
            if decided {
                f.level = Level::Info;
            }
            emit(f)
        }
    }
}

/// An answer as the clinician chose it: "Yes", "Active, with a plan", "146 mmHg".
fn answer_label(q: &crate::eligibility::ruleset::Question, ans: &Answer) -> String {
    match ans {
        Answer::Bool(true) => "Yes".into(),
        Answer::Bool(false) => "No".into(),
        Answer::Choice(c) => q.option_label(c).to_string(),
        Answer::Number(n) => match &q.unit {
            Some(u) => format!("{} {u}", FmtNum(*n)),
            None => fmt_num(*n),
        },
        Answer::Text(t) => t.to_string(),
        Answer::List(n) => n.to_string(),
        Answer::Unknown => "Unknown".into(),
    }
}

fn trial_label(t: &TrialResult) -> String {
    let drug = t.drug.as_deref().unwrap_or("drug not recorded");
    format!("Trial {} ({drug})", t.index + 1)
}

fn trial_path(t: &TrialResult) -> String {
    format!("trials[{}]", t.index)
}

fn medication_path(m: &MedicationResult) -> String {
    format!("medications[{}]", m.index)
}

/// "Effexor XR (venlafaxine) 225 mg/day", "lorazepam 1 mg/day", "quetiapine, dose not recorded".
fn medication_label(name: Option<&str>, generic: Option<&str>, dose: Option<f64>) -> String {
    use std::fmt::Write;
    let name = name.unwrap_or("unnamed medication");
    let mut label = String::with_capacity(64);
    label.push_str(name);
    if let Some(g) = generic.filter(|g| !g.eq_ignore_ascii_case(name)) {
        let _ = write!(label, " ({g})");
    }
    match dose {
        Some(d) => {
            let _ = write!(label, " {} mg/day", FmtNum(d));
        }
        None => label.push_str(", dose not recorded"),
    }
    label
}

/// Classifies a current medication: by the catalog, and for a name the catalog does not know,
/// by the classes the clinician chose (evaluated exactly as a catalog drug of those classes).
fn classify_medication(index: usize, m: &Medication, rules: &RuleSet) -> MedicationResult {
    let drug = m.name.as_deref().and_then(|n| rules.drugs.lookup(n));
    let chosen = m.classes.as_deref().filter(|_| drug.is_none());
    let classes: std::sync::Arc<[String]> = match (drug, chosen) {
        (Some(d), _) => d.classes.clone(),
        (None, Some(c)) => c.into(),
        (None, None) => std::sync::Arc::from(Vec::new()),
    };
    let class_bits = match (drug, chosen) {
        (Some(d), _) => d.class_bits(),
        (None, Some(c)) => rules.drugs.class_bits(c),
        (None, None) => 0,
    };
    let catalog_equivalent = drug.zip(m.dose_mg_per_day).and_then(|(d, dose)| d.diazepam_equivalent(dose));
    let no_catalog_equivalent = drug.is_none_or(|d| d.diazepam_10mg_equivalent.is_none());
    let suggestion = match (drug, chosen, m.name.as_deref()) {
        (None, None, Some(name)) => rules.drugs.suggest(name).map(str::to_string),
        _ => None,
    };
    MedicationResult {
        index,
        name: m.name.clone(),
        generic: drug.map(|d| d.name.clone()),
        classes,
        dose_mg_per_day: m.dose_mg_per_day,
        diazepam_equivalent_mg: catalog_equivalent
            .or(m.diazepam_equivalent_mg_per_day.filter(|_| no_catalog_equivalent)),
        label: medication_label(m.name.as_deref(), drug.map(|d| &*d.name), m.dose_mg_per_day),
        classified_by_clinician: chosen.is_some() && m.name.is_some(),
        suggestion,
        class_bits,
        strength: drug.map(Drug::strength),
    }
}

/// What a trial's drug is for the count (ruleset-v2.md §3).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    /// In the antidepressant dose table.
    Antidepressant,
    /// An augmentation agent, counted under the site policy.
    Augmentation,
    /// An augmentation agent the site policy does not count.
    AugmentationNotCounted,
    /// A catalog drug that is no antidepressant (lorazepam, linezolid): never counts.
    NeverCounts,
    /// Not in the catalog: counts only on the clinician's confirmation.
    OutsideCatalog,
    /// Close in spelling to a catalog drug, and the clinician has not said whether it is that
    /// drug or a different one: it cannot count until they do (one drug never counts twice).
    IdentityAsked,
    /// The drug is not recorded.
    Unknown,
}

/// One trial entry, before the entries of the same drug are judged together.
struct Entry<'a> {
    trial: &'a Trial,
    drug: Option<&'a Drug>,
    role: Role,
    /// The drug the entry is judged with: the catalog's generic, else the normalised name.
    key: Option<String>,
    /// Adherent, in the current episode and at or above the minimum dose (or confirmed).
    qualifies: Tri,
    /// The improvement meets the failure comparison (yes), or it responded (no).
    no_response: Tri,
    confirmed: bool,
    /// For a name outside the catalog, the catalog name it is closest to.
    suggestion: Option<String>,
    /// The catalog drug the name is close to, whose identity with it is asked.
    same_drug_question: Option<String>,
    reasons: Vec<String>,
    unknown: Vec<String>,
}

/// Judges the trials (TRD-ADEQ, TRD-FAIL): each entry's dose, adherence and episode, then every
/// drug once, over all its entries, in three-valued logic — an unknown part leaves a drug
/// undecided (it could still count), never silently not counted.
fn judge_trials(trials: &[Trial], rules: &RuleSet, policy: &SitePolicy) -> Vec<TrialResult> {
    let comparison = rules.policy.failure_comparison(policy.failure_threshold_percent);
    let augmentation_counts =
        policy.augmentation_counts.or(rules.policy.augmentation_counts.as_ref().map(|s| s.default)).unwrap_or(false);
    let mut entries: Vec<Entry> = Vec::with_capacity(trials.len());
    for t in trials {
        let entry = judge_entry(t, rules, policy, comparison, augmentation_counts, &entries);
        entries.push(entry);
    }
    let min_weeks = f64::from(policy.min_weeks_at_dose);
    let mut results: Vec<Option<TrialResult>> = (0..trials.len()).map(|_| None).collect();
    for (first, entry) in entries.iter().enumerate() {
        if results[first].is_some() {
            continue;
        }
        let members: Vec<usize> = match &entry.key {
            Some(key) => (first..entries.len()).filter(|&i| entries[i].key.as_deref() == Some(key)).collect(),
            None => vec![first],
        };
        let group = judge_group(&members, &entries, min_weeks);
        for (n, &i) in members.iter().enumerate() {
            results[i] = Some(trial_result(i, &entries[i], &members, n, &group, policy));
        }
    }
    results.into_iter().flatten().collect()
}

fn judge_entry<'a>(
    t: &'a Trial,
    rules: &'a RuleSet,
    policy: &SitePolicy,
    comparison: Comparison,
    augmentation_counts: bool,
    earlier: &[Entry<'a>],
) -> Entry<'a> {
    let listed = t.drug.as_deref().and_then(|n| rules.drugs.lookup(n));
    // A name close to a catalog drug is that drug only on the clinician's word.
    let close = match (listed, t.drug.as_deref()) {
        (None, Some(name)) => rules.drugs.close_to(name),
        _ => None,
    };
    // Outside the catalog and close to no catalog drug, but close in spelling to an earlier
    // trial's name that is outside it too ("agomelatin", "agomelatine"): one drug only on the
    // clinician's word as well.
    let close_trial = match (listed, close, t.drug.as_deref()) {
        (None, None, Some(name)) => {
            let stem = rules.drugs.stem(name);
            earlier.iter().enumerate().find(|(_, o)| {
                o.drug.is_none()
                    && o.role == Role::OutsideCatalog
                    && o.trial.drug.as_deref().is_some_and(|n| {
                        let other = rules.drugs.stem(n);
                        other != stem && crate::eligibility::drugs::spelling_distance(&stem, &other).is_some()
                    })
            })
        }
        _ => None,
    };
    let drug = match (close, t.same_drug_as_suggestion) {
        (Some(d), Some(true)) => Some(d),
        _ => listed,
    };
    let asked = (close.is_some() || close_trial.is_some()) && t.same_drug_as_suggestion.is_none();
    let role = match (t.drug.as_deref(), drug) {
        (None, _) => Role::Unknown,
        (Some(_), None) if asked => Role::IdentityAsked,
        (Some(_), None) => Role::OutsideCatalog,
        (Some(_), Some(d)) if d.class_bits() & rules.augmentation_class_bits() != 0 => {
            if augmentation_counts {
                Role::Augmentation
            } else {
                Role::AugmentationNotCounted
            }
        }
        (Some(_), Some(d)) if d.min_dose_mg.is_some() => Role::Antidepressant,
        (Some(_), Some(_)) => Role::NeverCounts,
    };
    let key = match (drug, t.drug.as_deref()) {
        (Some(d), _) => Some(d.generic().to_string()),
        // "The same drug as trial n": judged with it, counted once.
        (None, Some(_)) if t.same_drug_as_suggestion == Some(true) && close_trial.is_some() => {
            close_trial.and_then(|(_, o)| o.key.clone())
        }
        // Outside the catalog: one drug however its salt or release form is written.
        (None, Some(name)) => Some(rules.drugs.stem(name)),
        (None, None) => None,
    };
    // The name in reasons: the generic where the catalog knows it.
    let shown = drug.map(|d| &*d.name).or(t.drug.as_deref()).unwrap_or("this drug");
    let mut e = Entry {
        trial: t,
        drug,
        role,
        key,
        qualifies: Tri::No,
        no_response: Tri::No,
        confirmed: false,
        same_drug_question: close.map(|d| d.name.to_string()).or_else(|| {
            close_trial.map(|(j, o)| format!("{} (trial {})", o.trial.drug.as_deref().unwrap_or_default(), j + 1))
        }),
        suggestion: close.filter(|_| drug.is_none()).map(|d| d.name.to_string()),
        reasons: Vec::new(),
        unknown: Vec::new(),
    };
    match role {
        Role::NeverCounts => {
            e.reasons.push(format!("{shown} is not an antidepressant (not in the antidepressant dose table), so it never counts as a trial"));
            return e;
        }
        Role::AugmentationNotCounted => {
            e.reasons.push(format!(
                "{shown} is an augmentation agent and the site policy counts only different antidepressants"
            ));
            return e;
        }
        _ => {}
    }
    let min_dose = drug.and_then(|d| d.min_dose_mg);
    let dose_ok = match (role, min_dose, t.dose_mg_per_day) {
        (Role::Unknown, _, _) => {
            e.unknown.push("the drug".to_string());
            Tri::Unknown
        }
        (Role::IdentityAsked, _, _) => {
            let close = e.same_drug_question.as_deref().unwrap_or_default();
            e.unknown.push(format!("whether {shown} is {close} or a different drug"));
            Tri::Unknown
        }
        (_, Some(_), None) => {
            e.unknown.push("the dose".to_string());
            Tri::Unknown
        }
        (_, Some(min), Some(dose)) if dose >= min => Tri::Yes,
        (_, Some(min), Some(dose)) => {
            e.reasons.push(format!(
                "dose {} mg/day is below the {} mg/day minimum for {shown}",
                FmtNum(dose),
                FmtNum(min)
            ));
            Tri::No
        }
        (_, None, _) => match t.adequacy_confirmed_by_clinician {
            Some(true) => {
                e.confirmed = true;
                Tri::Yes
            }
            Some(false) if role == Role::Augmentation => {
                e.reasons.push(format!("the clinician did not confirm an adequate augmentation dose of {shown}"));
                Tri::No
            }
            Some(false) => {
                e.reasons.push(format!(
                    "{shown} is not in the dose table and the clinician did not confirm it as an antidepressant at an adequate dose"
                ));
                Tri::No
            }
            // An augmentation agent the site counts, with no cited minimum: asked about its dose,
            // not whether it is an antidepressant (it is not one).
            None if role == Role::Augmentation => {
                e.unknown.push(format!(
                    "the clinician's confirmation that {shown} was given at an adequate augmentation dose (no minimum is cited for it)"
                ));
                Tri::Unknown
            }
            None => {
                let offer = e.suggestion.as_deref().map(|s| format!("; did you mean {s}?")).unwrap_or_default();
                e.unknown.push(format!(
                    "the clinician's confirmation that {shown} is an antidepressant given at an adequate dose (it is not in the dose table{offer})"
                ));
                Tri::Unknown
            }
        },
    };
    let adherent = match t.adherent {
        None => {
            e.unknown.push("adherence".to_string());
            Tri::Unknown
        }
        Some(true) => Tri::Yes,
        Some(false) => {
            e.reasons.push("it was not taken as prescribed".to_string());
            Tri::No
        }
    };
    let current = match t.current_episode {
        None => {
            e.unknown.push("whether it was in the current episode".to_string());
            Tri::Unknown
        }
        Some(true) => Tri::Yes,
        Some(false) => {
            e.reasons.push("it was not in the current episode".to_string());
            Tri::No
        }
    };
    e.qualifies = Tri::all([dose_ok, adherent, current]);
    if t.weeks_at_dose.is_none() {
        e.unknown.push("the weeks at dose".to_string());
    }
    let threshold = f64::from(policy.failure_threshold_percent);
    e.no_response = match t.improvement_percent {
        None => {
            e.unknown.push("the improvement".to_string());
            Tri::Unknown
        }
        Some(p) if comparison.holds(p, threshold) => Tri::Yes,
        Some(p) => {
            let limit = match comparison {
                Comparison::Below => "is not below",
                Comparison::AtOrBelow => "is above",
            };
            e.reasons.push(format!(
                "improvement of {} % {limit} the {} % failure threshold (it responded)",
                FmtNum(p),
                policy.failure_threshold_percent
            ));
            Tri::No
        }
    };
    e
}

/// How the entries of one drug were judged together.
struct Group {
    adequate: Tri,
    failed: Tri,
    /// Weeks at or above the minimum dose, adherent and in the current episode, known for sure.
    qualifying_weeks: f64,
    /// The entry (position in the group) whose response means the drug worked.
    responded: Option<usize>,
    /// Some entry's dose was accepted on the clinician's confirmation.
    confirmed: bool,
}

/// A drug is adequate when its qualifying entries add up to the site's minimum weeks; it failed
/// when it is adequate and no qualifying entry responded (ruleset-v2.md §3).
fn judge_group(members: &[usize], entries: &[Entry], min_weeks: f64) -> Group {
    let mut sure_weeks = 0.0;
    let mut possible_weeks = 0.0;
    let mut weeks_unknown = false;
    // The most weeks that could qualify without a response (the only way for the drug to fail).
    let mut failing_weeks = 0.0;
    let mut failing_unknown = false;
    let mut responded = None;
    let mut response_possible = false;
    let mut all_sure_fail = true;
    for (n, &i) in members.iter().enumerate() {
        let e = &entries[i];
        let weeks = e.trial.weeks_at_dose;
        match e.qualifies {
            Tri::No => continue,
            Tri::Yes => match weeks {
                Some(w) => sure_weeks += w,
                None => weeks_unknown = true,
            },
            Tri::Unknown => match weeks {
                Some(w) => possible_weeks += w,
                None => weeks_unknown = true,
            },
        }
        match (e.qualifies, e.no_response) {
            (Tri::Yes, Tri::No) => {
                responded.get_or_insert(n);
            }
            (Tri::Yes, Tri::Unknown) => {
                all_sure_fail = false;
                response_possible = true
            }
            (Tri::Unknown, Tri::No | Tri::Unknown) => response_possible = true,
            _ => {}
        }
        if e.no_response != Tri::No {
            match weeks {
                Some(w) => failing_weeks += w,
                None => failing_unknown = true,
            }
        }
    }
    let adequate = if sure_weeks >= min_weeks {
        Tri::Yes
    } else if !weeks_unknown && sure_weeks + possible_weeks < min_weeks {
        Tri::No
    } else {
        Tri::Unknown
    };
    let failed = if responded.is_some() || (!failing_unknown && failing_weeks < min_weeks) {
        Tri::No
    } else if sure_weeks >= min_weeks && all_sure_fail && !response_possible {
        Tri::Yes
    } else {
        Tri::Unknown
    };
    let confirmed = members.iter().any(|&i| entries[i].confirmed);
    Group { adequate, failed, qualifying_weeks: sure_weeks, responded, confirmed }
}

fn trial_result(
    index: usize,
    e: &Entry,
    members: &[usize],
    n: usize,
    group: &Group,
    policy: &SitePolicy,
) -> TrialResult {
    let first = members[0];
    let together = members.len() > 1;
    let mut reasons = e.reasons.clone();
    let never = matches!(e.role, Role::NeverCounts | Role::AugmentationNotCounted);
    if !never && group.adequate == Tri::No && group.responded.is_none() {
        let weeks = group.qualifying_weeks;
        let reason = if together {
            format!(
                "{} weeks in all at or above the minimum dose is below the {}-week minimum",
                FmtNum(weeks),
                policy.min_weeks_at_dose
            )
        } else {
            match e.trial.weeks_at_dose {
                Some(w) => {
                    format!("{} weeks at dose is below the {}-week minimum", FmtNum(w), policy.min_weeks_at_dose)
                }
                None => String::new(),
            }
        };
        if !reason.is_empty() && (e.qualifies != Tri::No || together) && !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }
    if let Some(r) = group.responded.filter(|&r| r != n) {
        reasons.push(format!("trial {} of the same drug responded", members[r] + 1));
    }
    let mut unknown = e.unknown.clone();
    if group.failed != Tri::Unknown || e.qualifies == Tri::No {
        unknown.clear();
    }
    let names = members.iter().map(|i| (i + 1).to_string()).collect::<Vec<_>>().join(", ");
    let prefix = if n > 0 { format!("Same drug as trial {}: judged together. ", first + 1) } else { String::new() };
    let explanation = match group.failed {
        Tri::Yes if n > 0 => format!("{prefix}Counted once, with trial {}.", first + 1),
        Tri::Yes => format!(
            "Counts as a failed adequate trial{}{}.",
            if together { format!(" (trials {names} of the same drug, judged together)") } else { String::new() },
            if e.confirmed { " (adequacy confirmed by the clinician)" } else { "" }
        ),
        Tri::No if e.trial.stopped_for_intolerance == Some(true) && group.adequate == Tri::No => {
            format!("{prefix}Does not count: stopped for intolerance before adequacy; {}.", reasons.join("; "))
        }
        Tri::No if reasons.is_empty() => format!("{prefix}Does not count: the drug is judged with its other trials."),
        Tri::No => format!("{prefix}Does not count: {}.", reasons.join("; ")),
        Tri::Unknown if unknown.is_empty() => format!("{prefix}Could still count once its other trials are complete."),
        Tri::Unknown => format!("{prefix}Could still count; not recorded: {}.", unknown.join(", ")),
    };
    let counted = group.failed == Tri::Yes && n == 0;
    // The count rests on the clinician's word when any trial of the drug was confirmed.
    let confirmed = counted && group.confirmed;
    TrialResult {
        index,
        drug: e.trial.drug.clone(),
        generic: e.drug.map(|d| d.name.clone()),
        min_dose_mg: e.drug.and_then(|d| d.min_dose_mg),
        adequate: group.adequate,
        failed: group.failed,
        counted,
        confirmed_by_clinician: confirmed,
        same_drug_as: (n > 0).then_some(first),
        needs_confirmation: e.drug.is_none() && e.trial.drug.is_some() && e.role == Role::OutsideCatalog
            || e.role == Role::Augmentation && e.drug.is_some_and(|d| d.min_dose_mg.is_none()),
        suggestion: e.suggestion.clone(),
        same_drug_question: e.same_drug_question.clone(),
        reasons,
        unknown,
        explanation,
    }
}
