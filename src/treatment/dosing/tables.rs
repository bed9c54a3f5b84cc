//! The dose tables and limits as `rules/dosing.toml` states them: IV ketamine by weight, its pump
//! and phases, the esketamine schedule, the monitoring alerts and the REMS form's rules.

use serde::{Deserialize, Serialize};

use super::*;

/// Readings during monitoring that need the clinician's note (issue 24 re-test): the lowest SpO₂
/// below the site's pre-dose deferral line, and sedation at or below a MOAA/S score.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitoringAlerts {
    pub deep_sedation_moaas_at_most: u8,
    pub deep_sedation_source: String,
    pub low_spo2_source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DosingMeta {
    pub id: String,
    pub version: String,
    pub title: String,
}

/// Identifies the dosing rules a dose was worked out with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct DosingRef {
    pub id: String,
    pub version: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct NumberSetting {
    pub label: String,
    pub default: f64,
    pub min: f64,
    pub max: f64,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct BasisSetting {
    pub label: String,
    pub default: WeightBasis,
    pub allowed: Vec<WeightBasis>,
    pub source: String,
}

/// A setting with no value unless the site sets one.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct OptionalSetting {
    pub label: String,
    pub min: f64,
    pub max: f64,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FlagSetting {
    pub label: String,
    pub default: bool,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdealWeight {
    pub label: String,
    pub male_kg: f64,
    pub female_kg: f64,
    /// The height the base weights are for (60 in = 5 ft).
    pub base_height_in: f64,
    pub kg_per_inch_over_60: f64,
    pub cm_per_inch: f64,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustedWeight {
    pub label: String,
    pub factor: f64,
    pub source: String,
    pub never_above_actual: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub weight_kg: [f64; 2],
    pub height_cm: [f64; 2],
    pub concentration_mg_per_ml: [f64; 2],
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IvKetamineRules {
    pub label: String,
    pub infusion_minutes: u32,
    pub infusion_source: String,
    pub dose_step_mg: f64,
    pub mg_per_kg: NumberSetting,
    pub weight_basis: BasisSetting,
    pub dose_cap_mg: OptionalSetting,
    pub ideal_weight: IdealWeight,
    pub adjusted_weight: AdjustedWeight,
    pub limits: Limits,
    /// An IV session is monitored at least this long (minutes).
    pub min_monitoring_minutes: u32,
    pub min_monitoring_source: String,
    /// A session weight this far (percent) from the assessment's needs a note.
    pub weight_change_note_percent: f64,
    pub weight_change_source: String,
    pub studied: Studied,
    pub pump: Pump,
    /// The schedule, by infusion (no label gives one).
    #[serde(rename = "phase")]
    pub phases: Vec<IvPhase>,
}

/// What the trials studied: a weight or dose outside it is said in a note (issue 24).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Studied {
    pub weight_kg: [f64; 2],
    pub weight_source: String,
    pub dose_max_mg: f64,
    pub dose_source: String,
}

/// What an infusion pump can be set to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pump {
    /// The rate is shown to this step (mL/h).
    pub rate_step_ml_per_h: f64,
    /// Below this rate a pump does not deliver reliably: dilute (mL/h).
    pub min_rate_ml_per_h: f64,
    pub source: String,
}

/// A stretch of the IV schedule (the dose is by weight, not by phase).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IvPhase {
    pub sessions: Vec<u32>,
    pub phase: SchedulePhase,
    pub weeks: String,
    pub frequency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<String>,
    pub source: String,
}

/// Where a dose falls in a course's schedule: the phase, its weeks and frequency, and the
/// benefit review when it falls at this dose.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct ScheduleStep {
    /// The dose's number in the course (doses given, from 1).
    pub dose_number: u32,
    pub phase: SchedulePhase,
    pub weeks: String,
    pub frequency: String,
    pub review: Option<String>,
    pub source: String,
}

/// The stretch `sessions` lists hold `n` (`[from, to]`, or `[from]` open-ended for the last).
pub(super) fn stretch_of<'a>(stretches: impl Iterator<Item = &'a [u32]>, n: u32) -> usize {
    let mut last = 0;
    for (i, s) in stretches.enumerate() {
        match s {
            [from, to] if (*from..=*to).contains(&n) => return i,
            [from] if n >= *from => return i,
            _ => last = i,
        }
    }
    last
}

/// The stretches run from 1 without gaps, the last open-ended.
pub(super) fn check_stretches<'a>(
    name: &str,
    stretches: impl ExactSizeIterator<Item = &'a [u32]>,
) -> Result<(), String> {
    let count = stretches.len();
    if count == 0 {
        return Err(format!("{name}: no phase"));
    }
    let mut next = 1;
    for (i, s) in stretches.enumerate() {
        let last = i + 1 == count;
        match s {
            [from] if last && *from == next => {}
            [from, to] if !last && *from == next && to >= from => next = to + 1,
            _ => {
                return Err(format!(
                    "{name}[{i}].sessions: the phases must run from session 1 without gaps, the last one open-ended ([from])"
                ))
            }
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Geriatric {
    pub age_years: u32,
    pub start_mg: u32,
    pub doses_mg: Vec<u32>,
    pub source: String,
    pub follows_label: FlagSetting,
}

/// A stretch of the esketamine schedule: sessions `sessions[0]` to `sessions[1]` (open-ended
/// when there is no second number).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    pub sessions: Vec<u32>,
    pub phase: SchedulePhase,
    pub weeks: String,
    pub frequency: String,
    pub doses_mg: Vec<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<String>,
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum SchedulePhase {
    Induction,
    Maintenance,
}

impl SchedulePhase {
    pub const ALL: [SchedulePhase; 2] = [SchedulePhase::Induction, SchedulePhase::Maintenance];

    pub fn as_str(self) -> &'static str {
        match self {
            SchedulePhase::Induction => "induction",
            SchedulePhase::Maintenance => "maintenance",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            SchedulePhase::Induction => "Induction",
            SchedulePhase::Maintenance => "Maintenance",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instruction {
    pub text: String,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EsketamineRules {
    pub label: String,
    pub device_mg: u32,
    pub minutes_between_devices: u32,
    pub device_source: String,
    pub min_age_years: u32,
    pub min_age_source: String,
    pub monitoring_minutes: u32,
    pub monitoring_source: String,
    pub geriatric: Geriatric,
    #[serde(rename = "phase")]
    pub phases: Vec<Phase>,
    pub pre_dose: Vec<Instruction>,
    pub rems_form: RemsFormRules,
}

/// What the REMS Patient Monitoring Form needs from the rules.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemsFormRules {
    pub submit_within_days: u32,
    pub source: String,
    pub concomitant: Vec<Concomitant>,
}

/// A concomitant-medication question of the form, as a class of the drug catalog.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Concomitant {
    pub label: String,
    pub class: String,
}
