//! The checklist as the app walks through it: which steps and questions are asked, which are
//! required and still unknown. Decided here once, from the rule set; the app only shows it.

use serde::{Deserialize, Serialize};

use crate::eligibility::model::Assessment;
use crate::eligibility::ruleset::{RuleSet, Trigger};

/// One question's state for this assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct QuestionState {
    pub id: String,
    /// Asked for this assessment (`applies_when`).
    pub applies: bool,
    /// Shown: it applies, or it was answered although it does not (the answer is never hidden;
    /// the app shows it so that the clinician can correct it).
    pub shown: bool,
    /// An unknown answer gives a missing finding.
    pub required: bool,
    pub unknown: bool,
    /// For a question of which one in its group is enough (PHQ-9 or MADRS), the group's gap
    /// rule: required then means "this or another question of the group".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<String>,
}

/// One step's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct StepState {
    pub id: String,
    pub title: String,
    /// False when none of its questions is shown: the step is skipped.
    pub applies: bool,
    /// Required questions of this step that are still unknown.
    pub missing: u32,
    pub questions: Vec<QuestionState>,
}

/// The group of `q` when its gap rule needs only one answer of several.
fn one_of_group(q: &crate::eligibility::ruleset::Question, rules: &RuleSet) -> Option<String> {
    let id = q.gap_rule.as_deref()?;
    matches!(rules.rule(id)?.trigger, Trigger::AllUnanswered { .. }).then(|| id.to_string())
}

/// The steps of the checklist for this assessment, in order.
pub fn steps(a: &Assessment, rules: &RuleSet) -> Vec<StepState> {
    rules
        .steps
        .iter()
        .map(|step| {
            let questions: Vec<QuestionState> = step
                .questions
                .iter()
                .filter_map(|id| rules.question(id))
                .map(|q| QuestionState {
                    id: q.id.clone(),
                    applies: q.applies(a),
                    shown: rules.shown(q, a),
                    required: q.gap_rule.is_some(),
                    unknown: q.answer(a).is_unknown(),
                    one_of: one_of_group(q, rules),
                })
                .collect();
            // Of a group where one answer is enough (PHQ-9 or MADRS), the group counts once,
            // and only while every one of them is unknown.
            let missing = questions
                .iter()
                .enumerate()
                .filter(|(i, q)| {
                    let counted = match &q.one_of {
                        None => true,
                        Some(group) => {
                            let first = questions.iter().position(|o| o.one_of.as_ref() == Some(group));
                            first == Some(*i)
                                && questions.iter().filter(|o| o.one_of.as_ref() == Some(group)).all(|o| o.unknown)
                        }
                    };
                    q.applies && q.required && q.unknown && counted
                })
                .count() as u32;
            StepState {
                id: step.id.clone(),
                title: step.title.clone(),
                applies: questions.iter().any(|q| q.shown),
                missing,
                questions,
            }
        })
        .collect()
}
