//! A treatment session of a course (issue 13), as exchanged in `trdcheck/session/v1`
//! (docs/session-v1.md): the checks before the dose and the pre-dose gate, the dose given, and the
//! monitoring after it. Every answer is an `Option`: `None` is unknown, never "no".
//!
//! [`check`] refuses what cannot be true (impossible vitals, a dose over the site maximum, a
//! session dated before its course, a dose on a deferred session), naming the field, whatever the
//! state of the draft; [`still_needed`] lists what a session must have before it is finalised.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::eligibility::engine::Determination;
use crate::eligibility::model::{Assessment, Route};
use crate::eligibility::policy::SitePolicy;
use crate::eligibility::ruleset::RuleSet;
use crate::error::InputError;
use crate::treatment::dosing::{DosingRules, DosingSite};
use crate::treatment::pre_dose::PreDoseReadings;

mod calculator;
pub mod checks;
mod finalise;
mod validate;

pub use calculator::{calculated_doses, calculator, gate, Calculator};
pub use finalise::{bind_acknowledgements, finding_text, stale_acknowledgements, still_needed};
pub use validate::check;
pub(crate) use validate::parse_date;
use validate::{field, prefix};

pub const SESSION_SCHEMA: &str = "trdcheck/session/v1";

/// Heart rate a monitor can show (bpm); outside it the reading is a typing error.
pub const HEART_RATE_BPM: (f64, f64) = (20.0, 250.0);
/// MOAA/S: 5 responds readily to name … 0 no response to a painful stimulus (reference.md §5.6).
pub const MOAAS_MAX: u8 = 5;
/// Minutes in a day: no monitoring time is longer.
pub const MINUTES_MAX: u32 = 24 * 60;

/// A course of treatment, started from a finalised assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Course {
    pub route: Route,
    /// YYYY-MM-DD.
    pub started_on: String,
    /// The determination of the finalised assessment the course started from.
    pub determination: Determination,
}

impl Course {
    /// A course starts only from an assessment found eligible (with or without precautions).
    pub fn check(&self) -> Result<(), InputError> {
        parse_date("started_on", &self.started_on)?;
        match self.determination {
            d if d.starts_course() => Ok(()),
            other => Err(field(
                "determination",
                format!(
                    "a course starts only from an eligible assessment; this one is {}",
                    serde_json::to_value(other).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
                ),
            )),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct BloodPressure {
    #[serde(default)]
    pub systolic_mmhg: Option<f64>,
    #[serde(default)]
    pub diastolic_mmhg: Option<f64>,
}

/// Before the dose.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct PreDose {
    /// Blood pressure, SpO₂ and "anything new since the assessment": the gate's inputs.
    #[serde(default)]
    pub gate: PreDoseReadings,
    #[serde(default)]
    pub heart_rate_bpm: Option<f64>,
    /// No food for 2 h and no liquid for 30 min (esketamine).
    #[serde(default)]
    pub fasted_as_instructed: Option<bool>,
    /// An escort or transport home is arranged.
    #[serde(default)]
    pub transport_home: Option<bool>,
    /// Told not to drive until the next day after a restful sleep.
    #[serde(default)]
    pub no_driving_advised: Option<bool>,
    #[serde(default)]
    pub consent_on_file: Option<bool>,
    /// Enrolled in the SPRAVATO REMS (esketamine, outpatients).
    #[serde(default)]
    pub rems_enrolled: Option<bool>,
}

/// The dose given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct DoseGiven {
    #[serde(default)]
    pub dose_mg: Option<f64>,
    /// IV: today's weight, for the check against the calculator.
    #[serde(default)]
    pub weight_kg: Option<f64>,
    /// Why the dose differs from the calculator's (required then).
    #[serde(default)]
    pub reason_outside_calculator: Option<String>,
    #[serde(default)]
    pub lot_number: Option<String>,
    /// HH:MM, the start of the infusion or the first device.
    #[serde(default)]
    pub start_time: Option<String>,
    /// Esketamine: the time of each device, HH:MM.
    #[serde(default)]
    pub device_times: Option<Vec<String>>,
}

/// After the dose.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Monitoring {
    /// About 40 minutes after the dose (the rise peaks then).
    #[serde(default)]
    pub bp_40_min: BloodPressure,
    #[serde(default)]
    pub bp_before_discharge: BloodPressure,
    #[serde(default)]
    pub spo2_lowest_percent: Option<f64>,
    /// The deepest sedation seen, MOAA/S 0–5.
    #[serde(default)]
    pub moaas_lowest: Option<u8>,
    #[serde(default)]
    pub dissociation: Option<bool>,
    #[serde(default)]
    pub respiratory_depression: Option<bool>,
    /// Other adverse events, in words ("" when none).
    #[serde(default)]
    pub other_adverse_events: Option<String>,
    /// Minutes from the start of the dose at which the patient would have been ready to leave
    /// (the REMS evaluation question).
    #[serde(default)]
    pub ready_to_leave_minutes: Option<u32>,
    /// Minutes from the first device (or the start of the infusion) to the end of monitoring.
    #[serde(default)]
    pub total_monitoring_minutes: Option<u32>,
    /// Sedation, dissociation and respiratory depression have resolved (REMS: monitor until they
    /// do).
    #[serde(default)]
    pub effects_resolved: Option<bool>,
    /// The clinician judged the patient fit to leave.
    #[serde(default)]
    pub discharged: Option<bool>,
    /// Not discharged home: where the patient went instead (e.g. the emergency department), and why.
    #[serde(default)]
    pub transferred: Option<String>,
}

/// One session of a course.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Session {
    pub schema: String,
    /// Its place in the course, from 1.
    pub number: u32,
    /// YYYY-MM-DD.
    pub date: String,
    #[serde(default)]
    pub pre_dose: PreDose,
    #[serde(default)]
    pub dose: DoseGiven,
    #[serde(default)]
    pub monitoring: Monitoring,
    /// The clinician's note for each precaution of the gate, by rule id.
    #[serde(default)]
    pub acknowledgements: BTreeMap<String, String>,
    /// For each note on a gate precaution, the finding as it read when the note was written: a
    /// note answers that reading only, and a changed finding asks for it again (issue 24). Set by
    /// the records when a note is written ([`bind_acknowledgements`]), never taken from a client.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub acknowledged_for: BTreeMap<String, String>,
}

/// Other adverse events as recorded, read once for every document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtherEvents<'a> {
    /// Not answered.
    Unknown,
    /// None ("" or "none", as the form writes it).
    None,
    /// The events, in the clinician's words.
    Some(&'a str),
}

impl Monitoring {
    pub fn other_events(&self) -> OtherEvents<'_> {
        match self.other_adverse_events.as_deref().map(str::trim) {
            None => OtherEvents::Unknown,
            Some(t) if t.is_empty() || t.eq_ignore_ascii_case("none") => OtherEvents::None,
            Some(t) => OtherEvents::Some(t),
        }
    }
}

impl Session {
    /// Blood pressure before the dose (the gate's first reading), about 40 minutes after and
    /// before discharge.
    pub fn blood_pressures(&self) -> [BloodPressure; 3] {
        let g = &self.pre_dose.gate;
        [
            BloodPressure { systolic_mmhg: g.systolic_mmhg, diastolic_mmhg: g.diastolic_mmhg },
            self.monitoring.bp_40_min.clone(),
            self.monitoring.bp_before_discharge.clone(),
        ]
    }

    pub fn new(number: u32, date: &str) -> Session {
        Session {
            schema: SESSION_SCHEMA.into(),
            number,
            date: date.into(),
            pre_dose: PreDose::default(),
            dose: DoseGiven::default(),
            monitoring: Monitoring::default(),
            acknowledgements: BTreeMap::new(),
            acknowledged_for: BTreeMap::new(),
        }
    }
}

/// Everything a session is judged with: its course, the signed assessment, the rule set and
/// site policy in force today (the gate is a check made today), the dosing rules and the site's
/// dosing choices.
pub struct Context<'a> {
    pub course: &'a Course,
    pub assessment: &'a Assessment,
    pub rules: &'a RuleSet,
    pub policy: &'a SitePolicy,
    pub dosing: &'a DosingRules,
    pub site: &'a DosingSite,
    /// Sessions of the course treated (a dose given) before this one: the place in the
    /// esketamine schedule is the next dose, not the next record (a deferred session gives none).
    pub treated_before: u32,
    /// The dates of the sessions before and after this one (the versions in force), if any:
    /// sessions keep their order in time.
    pub previous_date: Option<String>,
    pub next_date: Option<String>,
}

/// Reads a session file, naming the field at fault.
pub fn parse_session(text: &str) -> Result<Session, InputError> {
    crate::strict_json::from_str(text)
}
