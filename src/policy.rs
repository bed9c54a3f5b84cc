//! The site policy: the site-configurable values of the rule set, with defaults from the rule set
//! data and checks against what the rule set allows. A policy file may set any subset of them.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::PolicyError;
use crate::ruleset::{Level, RuleSet, Setting};

/// The values in force for one evaluation. Recorded with every evaluation and summary.
///
/// The keys added in rule set version 2 are `None` only in a record finalised under version 1
/// (which had no such keys); [`SitePolicy::resolve`] always sets them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct SitePolicy {
    pub min_weeks_at_dose: u32,
    pub failure_threshold_percent: u32,
    pub bp_stop_systolic_mmhg: u32,
    pub bp_stop_diastolic_mmhg: u32,
    pub active_sud_level: Level,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub augmentation_counts: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spo2_low_percent: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spo2_defer_percent: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_phq9_min: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_madrs_min: Option<u32>,
}

/// A site's choices; what is left out keeps the rule set's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct PolicyOverrides {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_weeks_at_dose: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_threshold_percent: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bp_stop_systolic_mmhg: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bp_stop_diastolic_mmhg: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_sud_level: Option<Level>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub augmentation_counts: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spo2_low_percent: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spo2_defer_percent: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_phq9_min: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_madrs_min: Option<u32>,
}

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
    /// The rule set's defaults.
    pub fn defaults(rules: &RuleSet) -> SitePolicy {
        let p = &rules.policy;
        SitePolicy {
            min_weeks_at_dose: p.min_weeks_at_dose.default,
            failure_threshold_percent: p.failure_threshold_percent.default,
            bp_stop_systolic_mmhg: p.bp_stop_systolic_mmhg.default,
            bp_stop_diastolic_mmhg: p.bp_stop_diastolic_mmhg.default,
            active_sud_level: p.active_sud_level.default,
            augmentation_counts: p.augmentation_counts.as_ref().map(|s| s.default),
            spo2_low_percent: p.spo2_low_percent.as_ref().map(|s| s.default),
            spo2_defer_percent: p.spo2_defer_percent.as_ref().map(|s| s.default),
            severity_phq9_min: p.severity_phq9_min.as_ref().map(|s| s.default),
            severity_madrs_min: p.severity_madrs_min.as_ref().map(|s| s.default),
        }
    }

    /// A numeric value by its key (the rules that compare an answer with a setting name it).
    pub fn number(&self, key: &str) -> Option<u32> {
        match key {
            "min_weeks_at_dose" => Some(self.min_weeks_at_dose),
            "failure_threshold_percent" => Some(self.failure_threshold_percent),
            "bp_stop_systolic_mmhg" => Some(self.bp_stop_systolic_mmhg),
            "bp_stop_diastolic_mmhg" => Some(self.bp_stop_diastolic_mmhg),
            "spo2_low_percent" => self.spo2_low_percent,
            "spo2_defer_percent" => self.spo2_defer_percent,
            "severity_phq9_min" => self.severity_phq9_min,
            "severity_madrs_min" => self.severity_madrs_min,
            _ => None,
        }
    }

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
        let p = &rules.policy;
        let d = SitePolicy::defaults(rules);
        Ok(SitePolicy {
            min_weeks_at_dose: pick(
                "min_weeks_at_dose",
                &p.min_weeks_at_dose,
                overrides.min_weeks_at_dose,
                d.min_weeks_at_dose,
            )?,
            failure_threshold_percent: pick(
                "failure_threshold_percent",
                &p.failure_threshold_percent,
                overrides.failure_threshold_percent,
                d.failure_threshold_percent,
            )?,
            bp_stop_systolic_mmhg: pick(
                "bp_stop_systolic_mmhg",
                &p.bp_stop_systolic_mmhg,
                overrides.bp_stop_systolic_mmhg,
                d.bp_stop_systolic_mmhg,
            )?,
            bp_stop_diastolic_mmhg: pick(
                "bp_stop_diastolic_mmhg",
                &p.bp_stop_diastolic_mmhg,
                overrides.bp_stop_diastolic_mmhg,
                d.bp_stop_diastolic_mmhg,
            )?,
            active_sud_level: pick(
                "active_sud_level",
                &p.active_sud_level,
                overrides.active_sud_level,
                d.active_sud_level,
            )?,
            augmentation_counts: pick_new(
                "augmentation_counts",
                &p.augmentation_counts,
                overrides.augmentation_counts,
            )?,
            spo2_low_percent: pick_new("spo2_low_percent", &p.spo2_low_percent, overrides.spo2_low_percent)?,
            spo2_defer_percent: pick_new("spo2_defer_percent", &p.spo2_defer_percent, overrides.spo2_defer_percent)?,
            severity_phq9_min: pick_new("severity_phq9_min", &p.severity_phq9_min, overrides.severity_phq9_min)?,
            severity_madrs_min: pick_new("severity_madrs_min", &p.severity_madrs_min, overrides.severity_madrs_min)?,
        })
        .and_then(|policy| match (policy.spo2_defer_percent, policy.spo2_low_percent) {
            (Some(defer), Some(low)) if defer >= low => Err(PolicyError::NotAllowed {
                key: "spo2_defer_percent".into(),
                value: defer.to_string(),
                allowed: format!("below spo2_low_percent ({low})"),
            }),
            _ => Ok(policy),
        })
    }
}

/// A key added in rule set version 2: a choice of it needs the rule set to have it.
fn pick_new<T>(key: &str, setting: &Option<Setting<T>>, chosen: Option<T>) -> Result<Option<T>, PolicyError>
where
    T: PartialOrd + Copy + std::fmt::Debug + Serialize,
{
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

fn pick<T>(key: &str, setting: &Setting<T>, chosen: Option<T>, default: T) -> Result<T, PolicyError>
where
    T: PartialOrd + Copy + std::fmt::Debug + Serialize,
{
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
