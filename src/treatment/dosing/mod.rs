//! The dose calculator: IV racemic ketamine by weight and the esketamine label schedule, from the
//! figures in `rules/dosing.toml`. Every result carries its arithmetic as sentences and the
//! sources behind it, so the prescriber can check it; nothing here decides for them.

use crate::error::{InputError, RuleSetError};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

mod esketamine;
mod iv;
mod tables;

pub use esketamine::*;
pub use iv::*;
pub use tables::*;

pub const EMBEDDED_DOSING: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/dosing.toml"));

/// The weight an IV dose is calculated on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum WeightBasis {
    Actual,
    Ideal,
    Adjusted,
}

impl WeightBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            WeightBasis::Actual => "actual",
            WeightBasis::Ideal => "ideal",
            WeightBasis::Adjusted => "adjusted",
        }
    }
}

/// The dosing rules as loaded from `rules/dosing.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DosingRules {
    pub dosing: DosingMeta,
    pub iv_ketamine: IvKetamineRules,
    pub esketamine: EsketamineRules,
    /// Readings during monitoring that need the clinician's note, on either route.
    #[serde(default)]
    pub monitoring_alerts: Option<MonitoringAlerts>,
    /// sha256 of the file, recorded with every dose worked out from it.
    #[serde(skip_deserializing)]
    pub sha256: String,
}

static EMBEDDED: OnceLock<Result<DosingRules, RuleSetError>> = OnceLock::new();

fn problem(message: impl Into<String>) -> RuleSetError {
    RuleSetError { file: "dosing.toml".into(), message: message.into() }
}

impl DosingRules {
    /// The dosing rules built into this program, loaded and checked once.
    pub fn embedded() -> Result<&'static DosingRules, RuleSetError> {
        EMBEDDED.get_or_init(|| DosingRules::from_toml(EMBEDDED_DOSING)).as_ref().map_err(Clone::clone)
    }

    pub fn from_toml(text: &str) -> Result<DosingRules, RuleSetError> {
        let mut rules: DosingRules = toml::from_str(text).map_err(|e| problem(e.to_string()))?;
        rules.sha256 = crate::digest::sha256_hex(text.as_bytes());
        rules.check().map_err(problem)?;
        Ok(rules)
    }

    pub fn reference(&self) -> DosingRef {
        DosingRef { id: self.dosing.id.clone(), version: self.dosing.version.clone(), sha256: self.sha256.clone() }
    }

    /// The figures hold together: ranges hold their defaults, the schedule starts at session 1,
    /// runs without gaps and ends open, and every dose is whole devices.
    fn check(&self) -> Result<(), String> {
        let iv = &self.iv_ketamine;
        let m = &iv.mg_per_kg;
        if !(m.min > 0.0 && m.min <= m.default && m.default <= m.max) {
            return Err("iv_ketamine.mg_per_kg: the default must lie within min..max, min above 0".into());
        }
        if !iv.weight_basis.allowed.contains(&iv.weight_basis.default) {
            return Err("iv_ketamine.weight_basis: the default must be allowed".into());
        }
        let cap = &iv.dose_cap_mg;
        if !(cap.min > 0.0 && cap.min <= cap.max) {
            return Err("iv_ketamine.dose_cap_mg: min must be above 0 and at most max".into());
        }
        let (st, pump) = (&iv.studied, &iv.pump);
        if !(st.weight_kg[0] > 0.0 && st.weight_kg[0] < st.weight_kg[1] && st.dose_max_mg > 0.0) {
            return Err("iv_ketamine.studied: weight_kg [low, high] with 0 < low < high, dose_max_mg above 0".into());
        }
        if !(pump.rate_step_ml_per_h > 0.0 && pump.min_rate_ml_per_h >= pump.rate_step_ml_per_h) {
            return Err("iv_ketamine.pump: rate_step_ml_per_h above 0 and at most min_rate_ml_per_h".into());
        }
        if iv.infusion_minutes == 0 || iv.dose_step_mg <= 0.0 {
            return Err("iv_ketamine: infusion_minutes and dose_step_mg must be above 0".into());
        }
        for (name, [lo, hi]) in [
            ("weight_kg", iv.limits.weight_kg),
            ("height_cm", iv.limits.height_cm),
            ("concentration_mg_per_ml", iv.limits.concentration_mg_per_ml),
        ] {
            if !(lo > 0.0 && lo < hi) {
                return Err(format!("iv_ketamine.limits.{name}: [low, high] with 0 < low < high"));
            }
        }
        let e = &self.esketamine;
        if e.device_mg == 0 {
            return Err("esketamine.device_mg must be above 0".into());
        }
        let whole = |d: &u32| *d > 0 && d.is_multiple_of(e.device_mg);
        check_stretches("esketamine.phase", e.phases.iter().map(|p| p.sessions.as_slice()))?;
        check_stretches("iv_ketamine.phase", iv.phases.iter().map(|p| p.sessions.as_slice()))?;
        for (i, p) in e.phases.iter().enumerate() {
            if p.doses_mg.is_empty() || !p.doses_mg.iter().all(whole) {
                return Err(format!("esketamine.phase[{i}].doses_mg: whole devices of {} mg", e.device_mg));
            }
        }
        let g = &e.geriatric;
        if !g.doses_mg.iter().all(whole) || !g.doses_mg.contains(&g.start_mg) {
            return Err("esketamine.geriatric: the start dose must be one of its doses, whole devices".into());
        }
        Ok(())
    }

    fn phase_of(&self, session: u32) -> &Phase {
        let phases = &self.esketamine.phases;
        &phases[stretch_of(phases.iter().map(|p| p.sessions.as_slice()), session)]
    }

    /// Where dose `dose_number` of a course by `route` falls in its schedule.
    pub fn schedule_step(&self, route: crate::eligibility::model::Route, dose_number: u32) -> ScheduleStep {
        let n = dose_number.max(1);
        let step = |sessions: &[u32], phase, weeks: &str, frequency: &str, review: &Option<String>, source: &str| {
            ScheduleStep {
                dose_number: n,
                phase,
                weeks: weeks.into(),
                frequency: frequency.into(),
                // The review falls at the phase's last session.
                review: review.clone().filter(|_| sessions.last() == Some(&n)),
                source: source.into(),
            }
        };
        match route {
            crate::eligibility::model::Route::EsketamineNasal => {
                let p = self.phase_of(n);
                step(&p.sessions, p.phase, &p.weeks, &p.frequency, &p.review, &p.source)
            }
            crate::eligibility::model::Route::IvKetamine => {
                let phases = &self.iv_ketamine.phases;
                let p = &phases[stretch_of(phases.iter().map(|p| p.sessions.as_slice()), n)];
                step(&p.sessions, p.phase, &p.weeks, &p.frequency, &p.review, &p.source)
            }
        }
    }
}

/// What a site may choose about dosing, with each choice's default, range and source (the
/// settings screen shows them from here; the keys are those of [`DosingSite`]).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DosingSiteSpec {
    pub mg_per_kg: NumberSetting,
    pub weight_basis: BasisSetting,
    pub dose_cap_mg: OptionalSetting,
    pub geriatric_start: FlagSetting,
}

impl DosingRules {
    /// The site's choices as these rules allow them.
    pub fn site_spec(&self) -> DosingSiteSpec {
        DosingSiteSpec {
            mg_per_kg: self.iv_ketamine.mg_per_kg.clone(),
            weight_basis: self.iv_ketamine.weight_basis.clone(),
            dose_cap_mg: self.iv_ketamine.dose_cap_mg.clone(),
            geriatric_start: self.esketamine.geriatric.follows_label.clone(),
        }
    }
}

/// A site's dosing choices; what is left out keeps the default of `rules/dosing.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct DosingSite {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mg_per_kg: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_basis: Option<WeightBasis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dose_cap_mg: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geriatric_start: Option<bool>,
}

impl DosingSite {
    /// Each choice within what the dosing rules allow; the error names the key.
    pub fn check(&self, rules: &DosingRules) -> Result<(), InputError> {
        let iv = &rules.iv_ketamine;
        if let Some(v) = self.mg_per_kg {
            within("mg_per_kg", v, iv.mg_per_kg.min, iv.mg_per_kg.max, "mg/kg")?;
        }
        if let Some(b) = self.weight_basis {
            if !iv.weight_basis.allowed.contains(&b) {
                return Err(field("weight_basis", format!("{} is not allowed at this site", b.as_str())));
            }
        }
        if let Some(v) = self.dose_cap_mg {
            within("dose_cap_mg", v, iv.dose_cap_mg.min, iv.dose_cap_mg.max, "mg")?;
        }
        Ok(())
    }
}

fn field(path: &str, message: impl Into<String>) -> InputError {
    InputError::Field { path: path.into(), message: message.into() }
}

fn within(path: &str, value: f64, min: f64, max: f64, unit: &str) -> Result<f64, InputError> {
    if value.is_finite() && (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(field(path, format!("{value} {unit} is outside {min}–{max} {unit}")))
    }
}

/// Rounds to a step of 1/k (0.1 mg, 0.1 kg: k = 10), half away from zero. Multiplying by the
/// whole k keeps 5.25 at 52.5 tenths; dividing by 0.1 would make it 52.4999….
fn round_to(value: f64, step: f64) -> f64 {
    let k = (1.0 / step).round();
    (value * k).round() / k
}

fn one_decimal(value: f64) -> f64 {
    round_to(value, 0.1)
}

/// The end of every result: its notes, its sources and the dosing rules it came from.
fn notes_and_sources(out: &mut String, notes: &[String], sources: &[String], dosing: &DosingRef) {
    section(out, "Notes", notes);
    section(out, "Sources", sources);
    out.push_str(&format!("\nDosing rules {} {} (sha256 {})\n", dosing.id, dosing.version, dosing.sha256));
}

fn section(out: &mut String, title: &str, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    out.push_str(&format!("\n{title}\n"));
    for l in lines {
        out.push_str(&format!("- {l}\n"));
    }
}
