//! The eligibility engine: a pure function from (assessment, rule set, site policy) to an
//! evaluation. It implements each trigger kind of the rule set once; every number, message and
//! source comes from the rule set data or the site policy.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::drugs::Drug;
use crate::input::{fmt_num, FmtNum};
use crate::model::{Assessment, Medication, Trial};
use crate::policy::SitePolicy;
use crate::ruleset::{fill, Area, Level, Rule, RuleSet, RuleSetRef, Strength, Trigger};

/// The outcome, decided from the findings only (ruleset-v1.md, "Levels and the determination").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Determination {
    Eligible,
    EligibleWithPrecautions,
    NotEligible,
    Incomplete,
}

impl Determination {
    pub fn as_str(self) -> &'static str {
        match self {
            Determination::Eligible => "eligible",
            Determination::EligibleWithPrecautions => "eligible_with_precautions",
            Determination::NotEligible => "not_eligible",
            Determination::Incomplete => "incomplete",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Determination::Eligible => "Eligible",
            Determination::EligibleWithPrecautions => "Eligible with precautions",
            Determination::NotEligible => "Not eligible",
            Determination::Incomplete => "Incomplete",
        }
    }

    /// Any contraindication or unmet criterion → not eligible; else any missing answer →
    /// incomplete; else any precaution → eligible with precautions; else eligible.
    pub fn from_findings(findings: &[Finding]) -> Determination {
        let has = |level: Level| findings.iter().any(|f| f.level == level);
        if has(Level::Contraindication) || has(Level::Unmet) {
            Determination::NotEligible
        } else if has(Level::Missing) {
            Determination::Incomplete
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
    #[serde(skip)]
    class_bits: u64,
}

/// Everything the engine concluded. The first five fields are the assessment-v1 output.
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
    let trials: Vec<TrialResult> =
        a.trials.iter().flatten().enumerate().map(|(i, t)| judge_trial(i, t, rules, policy)).collect();
    let medications: Vec<MedicationResult> =
        a.medications.iter().flatten().enumerate().map(|(i, m)| classify_medication(i, m, rules)).collect();
    let ctx = Context { a, rules, policy, trials: &trials, medications: &medications };

    let mut fired: Vec<(usize, Finding)> = Vec::with_capacity(32);
    for (position, rule) in rules.rules.iter().enumerate() {
        ctx.fire(rule, &mut |f| fired.push((position, f)));
    }
    for question in &rules.questions {
        let Some(position) = question.gap_position else { continue };
        if question.answer(a).is_unknown() && question.applies(a) {
            let rule = &rules.rules[position];
            let message = fill(rule.text(Some("unanswered")), &[("question", &question.text)]);
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

impl Context<'_> {
    fn finding(&self, rule: &Rule, message: String, question: Option<String>) -> Finding {
        let level = match rule.level_setting.as_deref() {
            Some("active_sud_level") => self.policy.active_sud_level,
            _ => rule.level,
        };
        Finding {
            rule: rule.id.clone(),
            area: rule.area,
            level,
            message,
            source: rule.source.clone(),
            strength: rule.strength,
            urgent: rule.urgent,
            question,
        }
    }

    fn route_applies(&self, rule: &Rule) -> bool {
        rule.routes.is_empty() || self.a.route.is_none_or(|r| rule.routes.contains(&r))
    }

    /// The findings of one rule (none, one, or one per trial), each passed to `emit`.
    fn fire(&self, rule: &Rule, emit: &mut dyn FnMut(Finding)) {
        if !self.route_applies(rule) {
            return;
        }
        let mut one = |variant: Option<&str>, values: &[(&str, &str)], question: Option<&str>| {
            emit(self.finding(rule, fill(rule.text(variant), values), question.map(str::to_string)))
        };
        let a = self.a;
        match &rule.trigger {
            Trigger::Answer { question, any_of } => {
                let ans = (crate::model::QUESTIONS[rule.field].get)(a);
                if any_of.iter().any(|v| v.matches(&ans)) {
                    one(None, &[], Some(question))
                }
            }
            // Unknown answers are reported per question, in `evaluate`; a medication without a
            // name is a gap of the medication list.
            Trigger::Unanswered => self.unnamed_medications(rule, emit),
            Trigger::BpStop => {
                let (s, d) = (a.cardiovascular.systolic_mmhg, a.cardiovascular.diastolic_mmhg);
                let high = s.is_some_and(|s| s >= f64::from(self.policy.bp_stop_systolic_mmhg))
                    || d.is_some_and(|d| d >= f64::from(self.policy.bp_stop_diastolic_mmhg));
                if high {
                    let (sl, dl) =
                        (self.policy.bp_stop_systolic_mmhg.to_string(), self.policy.bp_stop_diastolic_mmhg.to_string());
                    one(
                        None,
                        &[("bp", &fmt_bp(s, d)), ("systolic_limit", &sl), ("diastolic_limit", &dl)],
                        Some("cardiovascular.systolic_mmhg"),
                    )
                }
            }
            Trigger::BpAbove { systolic, diastolic } => {
                let (s, d) = (a.cardiovascular.systolic_mmhg, a.cardiovascular.diastolic_mmhg);
                if s.is_some_and(|s| s > *systolic) || d.is_some_and(|d| d > *diastolic) {
                    one(None, &[("bp", &fmt_bp(s, d))], Some("cardiovascular.systolic_mmhg"))
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
            Trigger::FailedTrialCount { minimum } => self.fire_count(rule, *minimum, emit),
            Trigger::TrialGap => self.fire_trial_gaps(rule, emit),
            Trigger::TrialIntolerance => {
                let stopped = self
                    .trials
                    .iter()
                    .zip(a.trials.iter().flatten())
                    .filter(|(r, t)| t.stopped_for_intolerance == Some(true) && r.adequate == Tri::No);
                for (r, _) in stopped {
                    emit(self.finding(rule, fill(rule.text(None), &[("trial", &trial_label(r))]), Some(trial_path(r))))
                }
            }
            Trigger::TrialConfirmed => {
                for r in self.trials.iter().filter(|r| r.confirmed_by_clinician && r.counted) {
                    emit(self.finding(rule, fill(rule.text(None), &[("trial", &trial_label(r))]), Some(trial_path(r))))
                }
            }
            Trigger::MedicationClass { .. } => {
                let mut matching = self.medications.iter().filter(|m| m.class_bits & rule.class_bits != 0).peekable();
                if matching.peek().is_none() {
                    return;
                }
                let list = join_labels(matching);
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
                match undecided_limit {
                    Some(limit) => one(
                        Some("dose_unknown"),
                        &[("medications", &list), ("limit", &fmt_num(limit))],
                        Some("medications"),
                    ),
                    None => one(None, &[("medications", &list)], Some("medications")),
                }
            }
            Trigger::DiazepamEquivalentAbove { mg, .. } => {
                let load = DiazepamLoad::of(self.medications, rule.class_bits);
                if load.total_mg > *mg {
                    let total = fmt_num((load.total_mg * 10.0).round() / 10.0);
                    let names = join_labels(self.medications.iter().filter(|m| m.class_bits & rule.class_bits != 0));
                    one(
                        None,
                        &[("medications", &names), ("diazepam_mg", &total), ("limit", &fmt_num(*mg))],
                        Some("medications"),
                    )
                }
            }
            Trigger::MedicationUnclassified => {
                let mut unclassified =
                    self.medications.iter().filter(|m| m.name.is_some() && m.generic.is_none()).peekable();
                if unclassified.peek().is_some() {
                    let names = join_labels(unclassified);
                    one(None, &[("medications", &names)], Some("medications"))
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
                Some(format!("medications[{}]", m.index)),
            ))
        }
    }

    /// Counts failed adequate trials, decided only when no unknown could change the outcome.
    fn outcome(&self, minimum: u32) -> Option<(bool, usize, usize)> {
        self.a.trials.as_ref()?;
        let failed = self.trials.iter().filter(|t| t.counted).count();
        let possible = self.trials.iter().filter(|t| t.failed == Tri::Unknown).count();
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
        let mut f = self.finding(rule, fill(rule.text(variant), &values), Some("trials".into()));
        f.level = level;
        emit(f)
    }

    fn fire_trial_gaps(&self, rule: &Rule, emit: &mut dyn FnMut(Finding)) {
        let Some((decided, _, _)) = self.outcome(self.rules.required_failed_trials()) else { return };
        for t in self.trials.iter().filter(|t| t.failed == Tri::Unknown) {
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

fn fmt_bp(s: Option<f64>, d: Option<f64>) -> String {
    let show = |v: Option<f64>| v.map_or_else(|| "?".to_string(), fmt_num);
    format!("{}/{}", show(s), show(d))
}

fn trial_label(t: &TrialResult) -> String {
    let drug = t.drug.as_deref().unwrap_or("drug not recorded");
    format!("Trial {} ({drug})", t.index + 1)
}

fn trial_path(t: &TrialResult) -> String {
    format!("trials[{}]", t.index)
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

fn classify_medication(index: usize, m: &Medication, rules: &RuleSet) -> MedicationResult {
    let drug = m.name.as_deref().and_then(|n| rules.drugs.lookup(n));
    MedicationResult {
        index,
        name: m.name.clone(),
        generic: drug.map(|d| d.name.clone()),
        classes: drug.map_or_else(|| std::sync::Arc::from(Vec::new()), |d| d.classes.clone()),
        dose_mg_per_day: m.dose_mg_per_day,
        diazepam_equivalent_mg: drug.zip(m.dose_mg_per_day).and_then(|(d, dose)| d.diazepam_equivalent(dose)),
        label: medication_label(m.name.as_deref(), drug.map(|d| &*d.name), m.dose_mg_per_day),
        class_bits: drug.map_or(0, |d| d.class_bits),
    }
}

/// Judges one trial by TRD-ADEQ and TRD-FAIL, in three-valued logic: an unknown part leaves the
/// trial undecided (it could still count), never silently not counted.
fn judge_trial(index: usize, t: &Trial, rules: &RuleSet, policy: &SitePolicy) -> TrialResult {
    let drug: Option<&Drug> = t.drug.as_deref().and_then(|n| rules.drugs.lookup(n));
    let min_dose = drug.and_then(|d| d.min_dose_mg);
    let generic = drug.map(|d| d.name.clone());
    // The name in reasons; only formatted when a reason is given.
    let shown = generic.as_deref().or(t.drug.as_deref()).unwrap_or("this drug");
    let mut reasons = Vec::new();
    let mut unknown = Vec::new();
    let mut confirmed = false;

    let dose_ok = match (&t.drug, min_dose, t.dose_mg_per_day) {
        (None, _, _) => {
            unknown.push("the drug".to_string());
            Tri::Unknown
        }
        (Some(_), Some(_), None) => {
            unknown.push("the dose".to_string());
            Tri::Unknown
        }
        (Some(_), Some(min), Some(dose)) if dose >= min => Tri::Yes,
        (Some(_), Some(min), Some(dose)) => {
            reasons.push(format!(
                "dose {} mg/day is below the {} mg/day minimum for {shown}",
                FmtNum(dose),
                FmtNum(min)
            ));
            Tri::No
        }
        (Some(_), None, _) => match t.adequacy_confirmed_by_clinician {
            Some(true) => {
                confirmed = true;
                Tri::Yes
            }
            Some(false) => {
                reasons.push(format!(
                    "{shown} is not in the dose table and the clinician did not confirm an adequate dose"
                ));
                Tri::No
            }
            None => {
                unknown.push(format!(
                    "the clinician's confirmation of an adequate dose ({shown} is not in the dose table)"
                ));
                Tri::Unknown
            }
        },
    };
    let min_weeks = f64::from(policy.min_weeks_at_dose);
    let weeks_ok = match t.weeks_at_dose {
        None => {
            unknown.push("the weeks at dose".to_string());
            Tri::Unknown
        }
        Some(w) if w >= min_weeks => Tri::Yes,
        Some(w) => {
            reasons.push(format!("{} weeks at dose is below the {}-week minimum", FmtNum(w), policy.min_weeks_at_dose));
            Tri::No
        }
    };
    let adherent = match t.adherent {
        None => {
            unknown.push("adherence".to_string());
            Tri::Unknown
        }
        Some(true) => Tri::Yes,
        Some(false) => {
            reasons.push("it was not taken as prescribed".to_string());
            Tri::No
        }
    };
    let current = match t.current_episode {
        None => {
            unknown.push("whether it was in the current episode".to_string());
            Tri::Unknown
        }
        Some(true) => Tri::Yes,
        Some(false) => {
            reasons.push("it was not in the current episode".to_string());
            Tri::No
        }
    };
    let adequate = Tri::all([dose_ok, weeks_ok, adherent, current]);
    let threshold = f64::from(policy.failure_threshold_percent);
    let no_response = match t.improvement_percent {
        None => {
            unknown.push("the improvement".to_string());
            Tri::Unknown
        }
        Some(p) if p < threshold => Tri::Yes,
        Some(p) => {
            reasons.push(format!(
                "improvement of {} % is not below the {} % failure threshold (it responded)",
                FmtNum(p),
                policy.failure_threshold_percent
            ));
            Tri::No
        }
    };
    let failed = Tri::all([adequate, no_response]);
    if failed != Tri::Unknown {
        unknown.clear();
    }
    let explanation = match failed {
        Tri::Yes => format!(
            "Counts as a failed adequate trial{}.",
            if confirmed { " (adequacy confirmed by the clinician)" } else { "" }
        ),
        Tri::No if t.stopped_for_intolerance == Some(true) && adequate == Tri::No => {
            format!("Does not count: stopped for intolerance before adequacy; {}.", reasons.join("; "))
        }
        Tri::No => format!("Does not count: {}.", reasons.join("; ")),
        Tri::Unknown => format!("Could still count; not recorded: {}.", unknown.join(", ")),
    };
    TrialResult {
        index,
        drug: t.drug.clone(),
        generic,
        min_dose_mg: min_dose,
        adequate,
        failed,
        counted: failed == Tri::Yes,
        confirmed_by_clinician: confirmed,
        reasons,
        unknown,
        explanation,
    }
}
