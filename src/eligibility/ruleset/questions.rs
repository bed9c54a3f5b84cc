//! A question as the rule set states it: its choices, when it is asked, and its answer.

use crate::eligibility::model::{self};
use serde::{Deserialize, Serialize};

use super::*;

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
    /// Position of `question` in [`crate::eligibility::question_table::QUESTIONS`], resolved when the rule set loads.
    #[serde(skip)]
    pub(crate) field: usize,
}

impl Condition {
    /// Whether the condition lets its question be asked.
    pub fn holds(&self, a: &model::Assessment) -> bool {
        let answer = (crate::eligibility::question_table::QUESTIONS[self.field].get)(a);
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
    pub(super) fn conditions_mut(&mut self) -> &mut [Condition] {
        match self {
            AppliesWhen::One(c) => std::slice::from_mut(c),
            AppliesWhen::Any { any } => any,
        }
    }
    pub(super) fn conditions(&self) -> &[Condition] {
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
    /// Position in [`crate::eligibility::question_table::QUESTIONS`] (the same as in the file; checked when it loads).
    #[serde(skip)]
    pub(crate) field: usize,
    /// `gap_rule` as a position in [`RuleSet::rules`].
    #[serde(skip)]
    pub(crate) gap_position: Option<usize>,
}

impl Question {
    /// This question's answer in an assessment.
    pub fn answer<'a>(&self, a: &'a model::Assessment) -> model::Answer<'a> {
        (crate::eligibility::question_table::QUESTIONS[self.field].get)(a)
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
