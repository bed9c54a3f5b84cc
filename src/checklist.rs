//! The checklist as the app walks through it: which steps and questions are asked, which are
//! required and still unknown. Decided here once, from the rule set; the app only shows it.

use serde::{Deserialize, Serialize};

use crate::model::Assessment;
use crate::ruleset::RuleSet;

/// One question's state for this assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct QuestionState {
    pub id: String,
    /// Asked for this assessment (`applies_when`).
    pub applies: bool,
    /// An unknown answer gives a missing finding.
    pub required: bool,
    pub unknown: bool,
}

/// One step's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct StepState {
    pub id: String,
    pub title: String,
    /// False when none of its questions is asked: the step is skipped.
    pub applies: bool,
    /// Required questions of this step that are still unknown.
    pub missing: u32,
    pub questions: Vec<QuestionState>,
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
                    required: q.gap_rule.is_some(),
                    unknown: q.answer(a).is_unknown(),
                })
                .collect();
            StepState {
                id: step.id.clone(),
                title: step.title.clone(),
                applies: questions.iter().any(|q| q.applies),
                missing: questions.iter().filter(|q| q.applies && q.required && q.unknown).count() as u32,
                questions,
            }
        })
        .collect()
}
