//! How each kind of trigger fires: the rule's text for the route, its finding, and the triggers on
//! answers, vital signs and trials (the count, its gaps and each trial's own rules).

use crate::eligibility::input::{fmt_num, FmtNum};
use crate::eligibility::model::Answer;
use crate::eligibility::question_table::QUESTIONS;
use crate::eligibility::ruleset::{fill, Level, Rule, Trigger};

use super::*;

impl Context<'_> {
    /// The rule's text for the planned route (its own where the rule has one for that route).
    pub(super) fn text<'r>(&self, rule: &'r Rule, variant: Option<&str>) -> &'r str {
        match (variant, rule.route_text(self.a.route)) {
            (None, Some(t)) => &t.message,
            _ => rule.text(variant),
        }
    }

    pub(super) fn finding(&self, rule: &Rule, message: String, question: Option<String>) -> Finding {
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

    pub(super) fn route_applies(&self, rule: &Rule) -> bool {
        rule.routes.is_empty() || self.a.route.is_none_or(|r| rule.routes.contains(&r))
    }

    /// The answer at a position of [`QUESTIONS`], when the question is asked (an answer to a
    /// question that does not apply is kept and shown, and fires no rule).
    pub(super) fn asked(&self, field: usize) -> Answer<'_> {
        match self.rules.questions.get(field) {
            Some(q) if !q.applies(self.a) => Answer::Unknown,
            _ => (QUESTIONS[field].get)(self.a),
        }
    }

    /// A policy number a rule compares with; the rule set's default when the policy predates it.
    pub(super) fn setting(&self, key: &str) -> Option<f64> {
        let value = self.policy.number(key).or_else(|| self.rules.policy.number_setting(key).map(|s| s.default));
        value.map(f64::from)
    }

    /// The current medications in any of `class_bits`; `None` when the list is not recorded.
    pub(super) fn in_classes(&self, class_bits: u64) -> Option<impl Iterator<Item = &MedicationResult>> {
        self.a.medications.as_ref()?;
        Some(self.medications.iter().filter(move |m| m.class_bits & class_bits != 0))
    }

    /// The findings of one rule (none, one, or one per trial or medication), each passed to `emit`.
    pub(super) fn fire(&self, rule: &Rule, emit: &mut dyn FnMut(Finding)) {
        if !self.route_applies(rule) {
            return;
        }
        match &rule.trigger {
            Trigger::Answer { .. } | Trigger::AnyAnswer { .. } | Trigger::AllAnswers { .. } => {
                self.fire_answers(rule, emit)
            }
            Trigger::AllUnanswered { .. }
            | Trigger::BelowSetting { .. }
            | Trigger::ScoresBelow { .. }
            | Trigger::AgeBelow { .. }
            | Trigger::AgeAtOrAbove { .. } => self.fire_unanswered_and_numbers(rule, emit),
            Trigger::BpStop | Trigger::BpAbove { .. } => self.fire_vitals(rule, emit),
            Trigger::Unanswered => self.unnamed_medications(rule, emit),
            Trigger::FailedTrialCount { minimum, .. } => self.fire_count(rule, *minimum, emit),
            Trigger::TrialGap => self.fire_trial_gaps(rule, emit),
            Trigger::TrialIntolerance | Trigger::TrialConfirmed | Trigger::TrialEnantiomers => {
                self.fire_trials(rule, emit)
            }
            Trigger::AnswerWithoutClass { .. } | Trigger::AnswerWithClass { .. } => self.fire_medications(rule, emit),
            Trigger::MedicationClass { .. }
            | Trigger::DiazepamEquivalentAbove { .. }
            | Trigger::MedicationUnclassified
            | Trigger::MedicationClinicianClasses => self.fire_medication_list(rule, emit),
        }
    }

    /// Triggers on the answers: a choice, several, none, a number below a setting, scores, age.
    pub(super) fn fire_answers(&self, rule: &Rule, emit: &mut dyn FnMut(Finding)) {
        let mut one = |variant: Option<&str>, values: &[(&str, &str)], question: Option<&str>| {
            emit(self.finding(rule, fill(self.text(rule, variant), values), question.map(str::to_string)))
        };
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
            _ => {}
        }
    }

    /// Triggers on questions left unanswered, numbers below a setting, scores and age.
    pub(super) fn fire_unanswered_and_numbers(&self, rule: &Rule, emit: &mut dyn FnMut(Finding)) {
        let mut one = |variant: Option<&str>, values: &[(&str, &str)], question: Option<&str>| {
            emit(self.finding(rule, fill(self.text(rule, variant), values), question.map(str::to_string)))
        };
        let a = self.a;
        match &rule.trigger {
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
            _ => {}
        }
    }

    /// Triggers on the blood pressure at assessment.
    pub(super) fn fire_vitals(&self, rule: &Rule, emit: &mut dyn FnMut(Finding)) {
        let mut one = |variant: Option<&str>, values: &[(&str, &str)], question: Option<&str>| {
            emit(self.finding(rule, fill(self.text(rule, variant), values), question.map(str::to_string)))
        };
        let a = self.a;
        let cv = &a.cardiovascular;
        match &rule.trigger {
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
            _ => {}
        }
    }

    /// Triggers on each trial: intolerance, the clinician's confirmation, enantiomers.
    pub(super) fn fire_trials(&self, rule: &Rule, emit: &mut dyn FnMut(Finding)) {
        let a = self.a;
        match &rule.trigger {
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
            _ => {}
        }
    }

    /// Counts the drugs with a failed adequate trial, decided only when no unknown could change
    /// the outcome.
    pub(super) fn outcome(&self, minimum: u32) -> Option<(bool, usize, usize)> {
        self.a.trials.as_ref()?;
        let failed = self.trials.iter().filter(|t| t.counted).count();
        let possible = self.trials.iter().filter(|t| t.same_drug_as.is_none() && t.failed == Tri::Unknown).count();
        let min = minimum as usize;
        let decided = failed >= min || failed + possible < min;
        Some((decided, failed, possible))
    }

    pub(super) fn fire_count(&self, rule: &Rule, minimum: u32, emit: &mut dyn FnMut(Finding)) {
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

    pub(super) fn fire_trial_gaps(&self, rule: &Rule, emit: &mut dyn FnMut(Finding)) {
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
pub(super) fn answer_label(q: &crate::eligibility::ruleset::Question, ans: &Answer) -> String {
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

pub(super) fn trial_label(t: &TrialResult) -> String {
    let drug = t.drug.as_deref().unwrap_or("drug not recorded");
    format!("Trial {} ({drug})", t.index + 1)
}

pub(super) fn trial_path(t: &TrialResult) -> String {
    format!("trials[{}]", t.index)
}
