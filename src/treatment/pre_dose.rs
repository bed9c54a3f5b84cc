//! The pre-dose safety gate of a treatment session (reference.md §8.2): today's blood pressure and
//! SpO₂ are judged by the rule set's own vital-sign rules (CV-BP-HIGH, CV-BP-STOP, RESP-SPO2-LOW,
//! RESP-SPO2-DEFER, with the site policy in force), by re-evaluating the signed assessment with
//! today's readings in place of the ones it was signed with. No threshold lives here.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::eligibility::engine::{evaluate, Finding};
use crate::eligibility::input::validate_all;
use crate::eligibility::model::Assessment;
use crate::eligibility::policy::SitePolicy;
use crate::eligibility::ruleset::{Level, RuleSet, Trigger};
use crate::error::InputError;

/// The questions of the assessment a session measures again before each dose.
pub const VITALS: [&str; 5] = [
    "cardiovascular.systolic_mmhg",
    "cardiovascular.diastolic_mmhg",
    "cardiovascular.repeat_systolic_mmhg",
    "cardiovascular.repeat_diastolic_mmhg",
    "respiratory.spo2_percent",
];

/// What is measured and asked before a dose. Unknown is `None`, never "no".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct PreDoseReadings {
    #[serde(default)]
    pub systolic_mmhg: Option<f64>,
    #[serde(default)]
    pub diastolic_mmhg: Option<f64>,
    /// A repeat reading after rest (both or neither); when recorded it decides, as at assessment.
    #[serde(default)]
    pub repeat_systolic_mmhg: Option<f64>,
    #[serde(default)]
    pub repeat_diastolic_mmhg: Option<f64>,
    #[serde(default)]
    pub spo2_percent: Option<f64>,
    /// Anything new since the assessment that could contraindicate treatment (a new diagnosis,
    /// medication, pregnancy, cardiovascular event)?
    #[serde(default)]
    pub new_since_assessment: Option<bool>,
}

/// What the gate allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum GateDecision {
    /// Nothing in the way.
    Proceed,
    /// A precaution today (blood pressure above 140/90, low SpO₂): the clinician's note first.
    AcknowledgeFirst,
    /// Not today: the session is deferred, with the reading recorded.
    Defer,
    /// Something changed since the assessment: amend it (a new version, evaluated and signed)
    /// before treating.
    Reassess,
    /// A reading or answer the gate needs is unknown.
    Incomplete,
}

impl GateDecision {
    pub const ALL: [GateDecision; 5] = [
        GateDecision::Proceed,
        GateDecision::AcknowledgeFirst,
        GateDecision::Defer,
        GateDecision::Reassess,
        GateDecision::Incomplete,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GateDecision::Proceed => "proceed",
            GateDecision::AcknowledgeFirst => "acknowledge_first",
            GateDecision::Defer => "defer",
            GateDecision::Reassess => "reassess",
            GateDecision::Incomplete => "incomplete",
        }
    }

    /// The words for the clinician.
    pub fn title(self) -> &'static str {
        match self {
            GateDecision::Proceed => "Proceed: nothing in the way today",
            GateDecision::AcknowledgeFirst => "Proceed after your note on each precaution",
            GateDecision::Defer => "Defer: no dose today (the readings are kept)",
            GateDecision::Reassess => "Reassess: amend the assessment before any dose",
            GateDecision::Incomplete => "Incomplete: a reading or answer the gate needs is unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Gate {
    pub decision: GateDecision,
    /// The rule set's findings on today's readings, each with its rule, sentence and source.
    pub findings: Vec<Finding>,
    /// The precautions that need the clinician's note before the dose.
    pub acknowledgements_needed: Vec<Arc<str>>,
    /// The gate's own questions still unknown, by field.
    pub missing: Vec<String>,
}

fn field(path: &str, message: impl Into<String>) -> InputError {
    InputError::Field { path: path.into(), message: message.into() }
}

/// Today's readings pass the checks the assessment applies to the same questions (ranges, a
/// repeat reading as a pair, diastolic below systolic): the first error, by the session's field.
fn check_readings(now: &Assessment) -> Result<(), InputError> {
    for e in validate_all(now) {
        if let InputError::Field { path, message } = e {
            if VITALS.contains(&path.as_str()) {
                return Err(field(leaf(&path), message));
            }
        }
    }
    Ok(())
}

/// `cardiovascular.systolic_mmhg` → `systolic_mmhg`: the session's own field name.
fn leaf(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// Whether a rule judges one of the vitals: its trigger reads blood pressure, or SpO₂, or it is
/// the gap rule of one of them.
fn judges_vitals(rules: &RuleSet, finding: &Finding) -> bool {
    let Some(rule) = rules.rule(&finding.rule) else { return false };
    let on_vitals = |q: &str| VITALS.contains(&q);
    match &rule.trigger {
        Trigger::BpStop | Trigger::BpAbove { .. } => true,
        Trigger::BelowSetting { question, .. } => on_vitals(question),
        Trigger::Unanswered => finding.question.as_deref().is_some_and(on_vitals),
        Trigger::AllUnanswered { questions } => questions.iter().all(|q| on_vitals(q)),
        _ => false,
    }
}

/// Judges today's readings before a dose, for the patient of `assessment` (the signed one the
/// course started from).
pub fn pre_dose(
    assessment: &Assessment,
    rules: &RuleSet,
    policy: &SitePolicy,
    today: &PreDoseReadings,
) -> Result<Gate, InputError> {
    let mut now = assessment.clone();
    let cv = &mut now.cardiovascular;
    cv.systolic_mmhg = today.systolic_mmhg;
    cv.diastolic_mmhg = today.diastolic_mmhg;
    cv.repeat_systolic_mmhg = today.repeat_systolic_mmhg;
    cv.repeat_diastolic_mmhg = today.repeat_diastolic_mmhg;
    now.respiratory.spo2_percent = today.spo2_percent;
    check_readings(&now)?;
    let evaluation = evaluate(&now, rules, policy);
    let findings: Vec<Finding> = evaluation.findings.into_iter().filter(|f| judges_vitals(rules, f)).collect();

    let mut missing: Vec<String> = Vec::new();
    for (path, value) in [
        ("systolic_mmhg", today.systolic_mmhg),
        ("diastolic_mmhg", today.diastolic_mmhg),
        ("spo2_percent", today.spo2_percent),
    ] {
        if value.is_none() {
            missing.push(path.into());
        }
    }
    if today.new_since_assessment.is_none() {
        missing.push("new_since_assessment".into());
    }
    let has = |level: Level| findings.iter().any(|f| f.level == level);
    let acknowledgements_needed: Vec<Arc<str>> =
        findings.iter().filter(|f| f.level == Level::Precaution).map(|f| f.rule.clone()).collect();
    let decision = if today.new_since_assessment == Some(true) {
        GateDecision::Reassess
    } else if has(Level::Defer) || has(Level::Contraindication) {
        GateDecision::Defer
    } else if !missing.is_empty() || has(Level::Missing) {
        GateDecision::Incomplete
    } else if !acknowledgements_needed.is_empty() {
        GateDecision::AcknowledgeFirst
    } else {
        GateDecision::Proceed
    };
    Ok(Gate { decision, findings, acknowledgements_needed, missing })
}
