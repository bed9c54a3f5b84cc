//! The site policy: the site-configurable values of the rule set, with defaults from the rule set
//! data and checks against what the rule set allows. A policy file may set any subset of them.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::eligibility::policy_keys::{with_policy_keys, PolicyValue};
use crate::eligibility::ruleset::{Level, RuleSet, Setting};
use crate::error::PolicyError;

macro_rules! policy_values {
    (since_v1 { $($k1:ident: $t1:ty),* $(,)? } since_v2 { $($k2:ident: $t2:ty),* $(,)? }) => {
        /// The values in force for one evaluation. Recorded with every evaluation and summary.
        ///
        /// The keys added in rule set version 2 are `None` only in a record finalised under version 1
        /// (which had no such keys); [`SitePolicy::resolve`] always sets them.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
        pub struct SitePolicy {
            $(pub $k1: $t1,)*
            $(
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $k2: Option<$t2>,
            )*
        }

        /// A site's choices; what is left out keeps the rule set's default.
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
        pub struct PolicyOverrides {
            $(
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $k1: Option<$t1>,
            )*
            $(
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $k2: Option<$t2>,
            )*
        }

        impl SitePolicy {
            /// The rule set's defaults.
            pub fn defaults(rules: &RuleSet) -> SitePolicy {
                let p = &rules.policy;
                SitePolicy { $($k1: p.$k1.default,)* $($k2: p.$k2.as_ref().map(|s| s.default),)* }
            }

            /// A numeric value by its key (the rules that compare an answer with a setting name it).
            pub fn number(&self, key: &str) -> Option<u32> {
                match key {
                    $(stringify!($k1) => self.$k1.number(),)*
                    $(stringify!($k2) => self.$k2.and_then(PolicyValue::number),)*
                    _ => None,
                }
            }

            /// Every key's choice checked against what the rule set allows, the default where
            /// there is none.
            fn pick_each(rules: &RuleSet, overrides: &PolicyOverrides) -> Result<SitePolicy, PolicyError> {
                let p = &rules.policy;
                Ok(SitePolicy {
                    $($k1: pick(stringify!($k1), &p.$k1, overrides.$k1, p.$k1.default)?,)*
                    $($k2: pick_new(stringify!($k2), &p.$k2, overrides.$k2)?,)*
                })
            }
        }
    };
}
with_policy_keys!(policy_values);

impl PolicyOverrides {
    /// Reads a policy file: TOML when the name ends in `.toml`, JSON otherwise.
    pub fn from_file(path: &Path) -> Result<PolicyOverrides, PolicyError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| PolicyError::Read { path: shown.clone(), message: e.to_string() })?;
        let is_toml = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml"));
        Self::from_text(&text, is_toml).map_err(|message| PolicyError::Read { path: shown, message })
    }

    pub fn from_text(text: &str, is_toml: bool) -> Result<PolicyOverrides, String> {
        if is_toml {
            toml::from_str(text).map_err(|e| e.to_string())
        } else {
            crate::strict_json::from_str(text).map_err(|e| e.to_string())
        }
    }
}

impl SitePolicy {
    /// One line naming every value in force, for the summary and the CLI.
    pub fn describe(&self, rules: &RuleSet) -> String {
        let comparison = rules.policy.failure_comparison(self.failure_threshold_percent).symbol();
        let mut line = format!(
            "trial adequate at ≥ {} weeks at dose; failed when improvement {comparison} {} %; defer at ≥ {}/{} mmHg; active substance use disorder: {}",
            self.min_weeks_at_dose,
            self.failure_threshold_percent,
            self.bp_stop_systolic_mmhg,
            self.bp_stop_diastolic_mmhg,
            self.active_sud_level.as_str()
        );
        if let Some(counts) = self.augmentation_counts {
            line.push_str(if counts { "; augmentation trials count" } else { "; augmentation trials do not count" });
        }
        if let (Some(low), Some(defer)) = (self.spo2_low_percent, self.spo2_defer_percent) {
            line.push_str(&format!("; SpO₂ precaution below {low} %, defer below {defer} %"));
        }
        if let (Some(phq9), Some(madrs)) = (self.severity_phq9_min, self.severity_madrs_min) {
            line.push_str(&format!("; severity minimum PHQ-9 {phq9}, MADRS {madrs}"));
        }
        line
    }

    /// The defaults with a site's choices applied, each checked against what the rule set allows.
    pub fn resolve(rules: &RuleSet, overrides: &PolicyOverrides) -> Result<SitePolicy, PolicyError> {
        SitePolicy::pick_each(rules, overrides).and_then(|policy| {
            match (policy.spo2_defer_percent, policy.spo2_low_percent) {
                (Some(defer), Some(low)) if defer >= low => Err(PolicyError::NotAllowed {
                    key: "spo2_defer_percent".into(),
                    value: defer.to_string(),
                    allowed: format!("below spo2_low_percent ({low})"),
                }),
                _ => Ok(policy),
            }
        })
    }
}

/// A key added in rule set version 2: a choice of it needs the rule set to have it.
fn pick_new<T: PolicyValue>(
    key: &str,
    setting: &Option<Setting<T>>,
    chosen: Option<T>,
) -> Result<Option<T>, PolicyError> {
    match setting {
        Some(s) => pick(key, s, chosen, s.default).map(Some),
        None if chosen.is_some() => Err(PolicyError::NotAllowed {
            key: key.to_string(),
            value: chosen.map(|v| format!("{v:?}")).unwrap_or_default(),
            allowed: "nothing: this rule set has no such setting".into(),
        }),
        None => Ok(None),
    }
}

fn pick<T: PolicyValue>(key: &str, setting: &Setting<T>, chosen: Option<T>, default: T) -> Result<T, PolicyError> {
    let Some(value) = chosen else { return Ok(default) };
    let show = |v: &T| serde_json::to_string(v).unwrap_or_else(|_| format!("{v:?}"));
    let allowed_ok = setting.allowed.as_ref().is_none_or(|a| a.contains(&value));
    let min_ok = setting.min.is_none_or(|m| value >= m);
    let max_ok = setting.max.is_none_or(|m| value <= m);
    if allowed_ok && min_ok && max_ok {
        return Ok(value);
    }
    let allowed = match (&setting.allowed, setting.min, setting.max) {
        (Some(list), _, _) => list.iter().map(show).collect::<Vec<_>>().join(", "),
        (None, Some(min), Some(max)) => format!("{} to {}", show(&min), show(&max)),
        (None, Some(min), None) => format!("{} or more", show(&min)),
        (None, None, Some(max)) => format!("up to {}", show(&max)),
        (None, None, None) => String::from("any"),
    };
    Err(PolicyError::NotAllowed { key: key.to_string(), value: show(&value), allowed })
}
