//! An assessment as stored: its status, what was in force when it was signed, one line of a list,
//! and what a record shows (its rule set and evaluation, the notes to confirm again).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::eligibility::engine::{evaluate, Determination, Evaluation};
use crate::eligibility::model::Assessment;
use crate::eligibility::policy::SitePolicy;
use crate::eligibility::ruleset::{RuleSet, RuleSetRef};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum RecordStatus {
    Draft,
    Final,
}

impl RecordStatus {
    /// From the `status` column (its CHECK allows only 'draft' and 'final').
    pub(super) fn from_column(text: &str) -> RecordStatus {
        if text == "final" {
            RecordStatus::Final
        } else {
            RecordStatus::Draft
        }
    }
}

/// What was in force when an assessment was finalised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Snapshot {
    pub evaluation: Evaluation,
    pub ruleset: RuleSetRef,
    pub policy: SitePolicy,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct AssessmentRecord {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub patient_id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub version: i64,
    /// The finalised version this one amends.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub amends: Option<i64>,
    /// The version that amends this one, if any.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub amended_by: Option<i64>,
    pub status: RecordStatus,
    pub answers: Assessment,
    /// Acknowledgement note per precaution rule id.
    pub acknowledgements: BTreeMap<String, String>,
    /// Per note, the finding as it read when the note was written (a changed finding asks for
    /// the note again before finalising).
    pub acknowledged_for: BTreeMap<String, String>,
    pub created_at: String,
    pub updated_at: String,
    pub finalised_at: Option<String>,
    pub finalised_by: Option<String>,
    /// The SHA-256 of what was signed ([`Store::finalise`]); none for a record finalised by a
    /// version before signed finalisation.
    pub signed_sha256: Option<String>,
    /// Set once finalised: the evaluation, rule set and policy at that moment.
    pub snapshot: Option<Snapshot>,
}

/// One line of a patient's list of assessments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct AssessmentListing {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub patient_id: i64,
    pub mrn: String,
    pub patient_name: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub version: i64,
    pub status: RecordStatus,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub amended_by: Option<i64>,
    pub updated_at: String,
    pub finalised_by: Option<String>,
    /// The determination at finalisation (drafts are evaluated when shown).
    pub determination: Option<Determination>,
    /// A treatment course can start from it: finalised, the newest version, found eligible.
    pub starts_course: bool,
}

impl AssessmentRecord {
    /// The notes of a draft written when their finding read otherwise than in `e` (rule id → the
    /// finding as it read then; "" for a note written before notes were tied to their finding):
    /// each must be confirmed again before finalising.
    pub fn stale_acknowledgements(&self, e: &crate::Evaluation) -> BTreeMap<String, String> {
        if self.status != RecordStatus::Draft {
            return BTreeMap::new();
        }
        e.findings
            .iter()
            .filter(|f| f.level == crate::Level::Precaution && self.acknowledgements.contains_key(&*f.rule))
            .filter_map(|f| {
                let then = stale(&self.acknowledged_for, e.findings.iter(), &f.rule)?;
                Some((f.rule.to_string(), then.to_string()))
            })
            .collect()
    }

    /// The rule set to show this record with: for a finalised record, the one that evaluated it
    /// (an archived version, found by its sha256), so that it reads exactly as it was signed.
    pub fn rules_for_display<'a>(&self, in_force: &'a RuleSet) -> &'a RuleSet {
        self.snapshot.as_ref().and_then(|s| RuleSet::for_reference(&s.ruleset)).unwrap_or(in_force)
    }

    /// The evaluation to show: the snapshot taken at finalisation (never re-evaluated), or for a
    /// draft a fresh evaluation with the rule set and policy in force.
    pub fn evaluation(&self, rules: &RuleSet, policy: &SitePolicy) -> Evaluation {
        match &self.snapshot {
            Some(s) => s.evaluation.clone(),
            None => evaluate(&self.answers, rules, policy),
        }
    }
}

/// The finding a note on `rule` answers: the messages of `rule`'s findings, in order.
pub(crate) fn finding_text<'a>(findings: impl Iterator<Item = &'a crate::Finding>, rule: &str) -> String {
    findings.filter(|f| &*f.rule == rule).map(|f| f.message.as_str()).collect::<Vec<_>>().join(" ")
}

/// The reading a note on `rule` was written for, when the finding now reads otherwise ("" when
/// it was never bound, as a note of an earlier version).
pub(crate) fn stale<'a, 'b>(
    bound: &'a BTreeMap<String, String>,
    findings: impl Iterator<Item = &'b crate::Finding>,
    rule: &str,
) -> Option<&'a str> {
    let now = finding_text(findings, rule);
    match bound.get(rule) {
        Some(then) if *then == now => None,
        Some(then) => Some(then),
        None => Some(""),
    }
}
