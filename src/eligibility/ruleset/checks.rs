//! What a rule set must hold when it loads: every question, step, rule, value, class, setting
//! and policy key checked, a mistake named (never a wrong result).

use crate::eligibility::model::{self};
use crate::eligibility::question_table::AnswerKind;
use std::collections::{BTreeSet, HashMap};

use super::*;

impl RuleSet {
    /// Checks that the data holds together; the message names the rule or question at fault.
    pub(super) fn check(&self, mode: Mode) -> Result<(), String> {
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

    pub(super) fn check_questions(&self, mode: Mode) -> Result<(), String> {
        let data: Vec<&str> = self.questions.iter().map(|q| q.id.as_str()).collect();
        let model: Vec<&str> = crate::eligibility::question_table::QUESTIONS.iter().map(|f| f.path).collect();
        let fields: Vec<&crate::eligibility::question_table::Field<model::Assessment>> = match mode {
            Mode::InForce if data != model => {
                return Err(format!("the questions must be exactly, in this order: {}", model.join(", ")));
            }
            Mode::InForce => crate::eligibility::question_table::QUESTIONS.iter().collect(),
            // An archived rule set asked some of today's questions, in today's order.
            Mode::Archived => {
                let mut in_order =
                    crate::eligibility::question_table::QUESTIONS.iter().filter(|f| data.contains(&f.path));
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
    pub(super) fn check_steps(&self) -> Result<(), String> {
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
    pub(super) fn check_value(&self, question: &str, value: &Value) -> Result<(), String> {
        let field =
            crate::eligibility::question_table::question_field(question).ok_or(format!("no question {question}"))?;
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

    pub(super) fn check_answer(&self, question: &str, any_of: &[Value]) -> Result<(), String> {
        if any_of.is_empty() {
            return Err("any_of is empty".into());
        }
        for v in any_of {
            self.check_value(question, v)?;
        }
        Ok(())
    }

    pub(super) fn check_classes(&self, classes: &[String]) -> Result<(), String> {
        for c in classes {
            if !self.drugs.classes.contains_key(c) {
                return Err(format!("class {c} is not in drugs.toml"));
            }
        }
        Ok(())
    }

    /// A numeric question whose answer is compared with a numeric policy setting.
    pub(super) fn check_number_setting(&self, question: &str, setting: &str) -> Result<(), String> {
        match crate::eligibility::question_table::question_field(question) {
            Some(f) if matches!(f.kind, AnswerKind::Number { .. }) => {}
            _ => return Err(format!("{question} is not a numeric question")),
        }
        if self.policy.number_setting(setting).is_none() {
            return Err(format!("{setting} is not a numeric setting of the policy"));
        }
        Ok(())
    }

    pub(super) fn check_rule(&self, rule: &Rule) -> Result<(), String> {
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

    pub(super) fn check_policy(&self, mode: Mode) -> Result<(), String> {
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
