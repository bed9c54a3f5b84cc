//! The site-configurable values as the rule set states them: each key's label, default, range
//! and source (the keys themselves are listed once, in `policy_keys`).

use crate::eligibility::policy_keys::{with_policy_keys, PolicyValue};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::*;

/// A site-configurable value: its default and what a site may choose.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "T: Deserialize<'de>"))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Setting<T> {
    pub label: String,
    pub default: T,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<T>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<T>,
    /// For the failure threshold: how an improvement is compared with each allowed value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub comparison: BTreeMap<String, Comparison>,
    pub source: String,
}

macro_rules! policy_spec {
    (since_v1 { $($k1:ident: $t1:ty),* $(,)? } since_v2 { $($k2:ident: $t2:ty),* $(,)? }) => {
        /// The site-configurable values of the rule set (ruleset-v1.md, ruleset-v2.md §10). The keys
        /// added in version 2 are absent from an archived version 1 rule set; the rule set in force must
        /// have every one (checked when it loads).
        #[derive(Debug, Clone, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
        pub struct PolicySpec {
            $(pub $k1: Setting<$t1>,)*
            $(
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $k2: Option<Setting<$t2>>,
            )*
        }

        impl PolicySpec {
            /// Every setting this rule set has, by key, in the rule set's order.
            pub fn entries(&self) -> Vec<PolicyEntry> {
                let mut out = vec![$(PolicyEntry::of(stringify!($k1), &self.$k1),)*];
                $(out.extend(self.$k2.as_ref().map(|s| PolicyEntry::of(stringify!($k2), s)));)*
                out
            }

            /// A numeric setting a rule may compare an answer with, by key.
            pub fn number_setting(&self, key: &str) -> Option<&Setting<u32>> {
                use std::any::Any;
                match key {
                    $(stringify!($k1) => (&self.$k1 as &dyn Any).downcast_ref::<Setting<u32>>(),)*
                    $(stringify!($k2) => self.$k2.as_ref().and_then(|s| (s as &dyn Any).downcast_ref::<Setting<u32>>()),)*
                    _ => None,
                }
            }

            /// Each default within what its setting allows; in the rule set in force, every key
            /// present.
            pub(super) fn check_keys(&self, mode: Mode) -> Result<(), String> {
                $(self.$k1.check(stringify!($k1))?;)*
                if mode == Mode::InForce {
                    $(
                        match &self.$k2 {
                            Some(s) => s.check(stringify!($k2))?,
                            None => return Err(format!("policy {} is missing", stringify!($k2))),
                        }
                    )*
                }
                Ok(())
            }
        }
    };
}

with_policy_keys!(policy_spec);

/// One setting of the rule set as the rules document shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyEntry {
    pub key: &'static str,
    pub label: String,
    pub default: String,
    /// What a site may choose: the allowed values (with their comparison, for the failure
    /// threshold) or the range.
    pub allowed: String,
    pub source: String,
}

impl PolicyEntry {
    pub(super) fn of<T: PolicyValue>(key: &'static str, s: &Setting<T>) -> PolicyEntry {
        let allowed = match (&s.allowed, s.min, s.max) {
            (Some(list), ..) => list
                .iter()
                .map(|v| match s.comparison.get(&v.shown()) {
                    Some(c) => format!("{} (failed when improvement {} {} %)", v.shown(), c.symbol(), v.shown()),
                    None => v.shown(),
                })
                .collect::<Vec<_>>()
                .join(", "),
            (None, min, max) => match (min.map(|m| m.shown()), max.map(|m| m.shown())) {
                (None, None) => "true, false".to_string(),
                (min, max) => format!("{}–{}", min.unwrap_or_else(|| "0".into()), max.unwrap_or_default()),
            },
        };
        PolicyEntry { key, label: s.label.clone(), default: s.default.shown(), allowed, source: s.source.clone() }
    }
}

impl<T: PolicyValue> Setting<T> {
    /// The default within what the setting allows.
    pub(super) fn check(&self, name: &str) -> Result<(), String> {
        let in_allowed = self.allowed.as_ref().is_none_or(|a| a.contains(&self.default));
        let in_range = self.min.is_none_or(|m| self.default >= m) && self.max.is_none_or(|m| self.default <= m);
        if in_allowed && in_range {
            Ok(())
        } else {
            Err(format!("policy {name}: default {:?} is outside what it allows", self.default))
        }
    }
}

impl PolicyValue for Level {
    fn shown(&self) -> String {
        self.as_str().to_string()
    }
}

impl PolicySpec {
    /// The failure comparison for a threshold value (every allowed value has one: checked at load).
    pub fn failure_comparison(&self, threshold: u32) -> Comparison {
        self.failure_threshold_percent.comparison.get(&threshold.to_string()).copied().unwrap_or(Comparison::Below)
    }
}
