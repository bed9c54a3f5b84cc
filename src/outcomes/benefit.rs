//! The outcome rules of a course (`rules/outcomes.toml`): when the benefit review falls.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::error::RuleSetError;

/// The outcome rules built into this program (`rules/outcomes.toml`).
pub const EMBEDDED_OUTCOMES: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/outcomes.toml"));

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct OutcomesMeta {
    pub id: String,
    pub version: String,
}

/// When a course's benefit is judged: after so many treatments or days, whichever is first.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct BenefitReviewRule {
    pub after_treatments: u32,
    pub after_days: u32,
    pub no_response: String,
    pub no_follow_up: String,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct OutcomeRules {
    pub outcomes: OutcomesMeta,
    pub benefit_review: BenefitReviewRule,
    #[serde(default)]
    pub sha256: String,
}

static EMBEDDED_OUTCOME_RULES: OnceLock<Result<OutcomeRules, RuleSetError>> = OnceLock::new();

impl OutcomeRules {
    pub fn embedded() -> Result<&'static OutcomeRules, RuleSetError> {
        EMBEDDED_OUTCOME_RULES
            .get_or_init(|| {
                let problem = |message: String| RuleSetError { file: "outcomes.toml".into(), message };
                let mut rules: OutcomeRules = toml::from_str(EMBEDDED_OUTCOMES).map_err(|e| problem(e.to_string()))?;
                rules.sha256 = crate::digest::sha256_hex(EMBEDDED_OUTCOMES.as_bytes());
                let r = &rules.benefit_review;
                if r.after_treatments == 0 || r.after_days == 0 {
                    return Err(problem("benefit_review: after_treatments and after_days must be at least 1".into()));
                }
                Ok(rules)
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}
