//! The dose calculator: IV racemic ketamine by weight and the esketamine label schedule, from the
//! figures in `rules/dosing.toml`. Every result carries its arithmetic as sentences and the
//! sources behind it, so the prescriber can check it; nothing here decides for them.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::eligibility::model::Sex;
use crate::error::{InputError, RuleSetError};

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
fn stretch_of<'a>(stretches: impl Iterator<Item = &'a [u32]>, n: u32) -> usize {
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
fn check_stretches<'a>(name: &str, stretches: impl ExactSizeIterator<Item = &'a [u32]>) -> Result<(), String> {
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

/// What the prescriber enters for an IV dose.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IvRequest {
    pub weight_kg: f64,
    #[serde(default)]
    pub height_cm: Option<f64>,
    #[serde(default)]
    pub sex: Option<Sex>,
    #[serde(default)]
    pub mg_per_kg: Option<f64>,
    #[serde(default)]
    pub basis: Option<WeightBasis>,
    #[serde(default)]
    pub concentration_mg_per_ml: Option<f64>,
}

/// The three weights side by side (kg, to 0.1); ideal and adjusted need height and sex.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Weights {
    pub actual: f64,
    pub ideal: Option<f64>,
    pub adjusted: Option<f64>,
}

/// The dose on each weight (mg, to 0.1), before any cap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct DoseByBasis {
    pub actual: f64,
    pub ideal: Option<f64>,
    pub adjusted: Option<f64>,
}

/// An IV ketamine dose with its arithmetic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct IvDose {
    pub dose_mg: f64,
    pub mg_per_kg: f64,
    pub weight_basis: WeightBasis,
    pub weight_used_kg: f64,
    pub weights: Weights,
    pub dose_by_basis: DoseByBasis,
    pub infusion_minutes: u32,
    pub dose_cap_mg: Option<f64>,
    /// The dose was lowered to the site's cap.
    pub capped: bool,
    pub concentration_mg_per_ml: Option<f64>,
    pub volume_ml: Option<f64>,
    pub rate_ml_per_h: Option<f64>,
    /// The rate is below what a pump delivers reliably at this concentration: dilute first.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dilute: bool,
    /// The arithmetic, one sentence per step, in order.
    pub steps: Vec<String>,
    /// What the prescriber should know about this result.
    pub notes: Vec<String>,
    pub sources: Vec<String>,
    pub dosing: DosingRef,
}

/// Works out an IV racemic ketamine dose. Every rejected input names its field.
pub fn iv_ketamine(rules: &DosingRules, site: &DosingSite, req: &IvRequest) -> Result<IvDose, InputError> {
    site.check(rules)?;
    let iv = &rules.iv_ketamine;
    let [wlo, whi] = iv.limits.weight_kg;
    let actual = one_decimal(within("weight_kg", req.weight_kg, wlo, whi, "kg")?);
    if let Some(h) = req.height_cm {
        let [lo, hi] = iv.limits.height_cm;
        within("height_cm", h, lo, hi, "cm")?;
    }
    if let Some(c) = req.concentration_mg_per_ml {
        let [lo, hi] = iv.limits.concentration_mg_per_ml;
        within("concentration_mg_per_ml", c, lo, hi, "mg/mL")?;
    }
    let mg_per_kg = match req.mg_per_kg {
        Some(v) => within("mg_per_kg", v, iv.mg_per_kg.min, iv.mg_per_kg.max, "mg/kg")?,
        None => site.mg_per_kg.unwrap_or(iv.mg_per_kg.default),
    };
    let basis = req.basis.or(site.weight_basis).unwrap_or(iv.weight_basis.default);
    if !iv.weight_basis.allowed.contains(&basis) {
        return Err(field("basis", format!("{} is not allowed", basis.as_str())));
    }

    let mut steps = Vec::new();
    let mut notes = Vec::new();
    let mut sources = vec![iv.infusion_source.clone(), iv.mg_per_kg.source.clone(), iv.weight_basis.source.clone()];

    let base = match req.sex {
        Some(Sex::Male) => Some((iv.ideal_weight.male_kg, "male")),
        Some(Sex::Female) => Some((iv.ideal_weight.female_kg, "female")),
        Some(Sex::Other) | None => None,
    };
    let (ideal, adjusted) = match (req.height_cm, base) {
        (Some(h), Some((base_kg, sex))) => {
            let inches = h / iv.ideal_weight.cm_per_inch;
            let base_in = iv.ideal_weight.base_height_in;
            let ideal = one_decimal(base_kg + iv.ideal_weight.kg_per_inch_over_60 * (inches - base_in));
            steps.push(format!(
                "Ideal body weight (Devine, {sex}): {base_kg} + {} × ({:.1} in − {base_in}) = {ideal} kg ({h} cm = {:.1} in)",
                iv.ideal_weight.kg_per_inch_over_60, inches, inches
            ));
            if inches < base_in {
                notes.push(format!(
                    "The Devine formula is made for heights of {base_in} in ({:.1} cm) and over; below that it is extrapolated.",
                    base_in * iv.ideal_weight.cm_per_inch
                ));
            }
            let f = iv.adjusted_weight.factor;
            let adjusted = one_decimal(ideal + f * (actual - ideal));
            steps.push(format!("Adjusted body weight: {ideal} + {f} × ({actual} − {ideal}) = {adjusted} kg"));
            sources.push(iv.ideal_weight.source.clone());
            sources.push(iv.adjusted_weight.source.clone());
            (Some(ideal), Some(adjusted))
        }
        _ => {
            notes.push("Ideal and adjusted body weights need the height and a sex of male or female (Devine).".into());
            (None, None)
        }
    };
    if ideal.is_none() && basis != WeightBasis::Actual {
        let missing = if req.height_cm.is_none() { "height_cm" } else { "sex" };
        return Err(field(
            missing,
            format!("the {} body weight needs the height and a sex of male or female", basis.as_str()),
        ));
    }

    let dose_on = |w: f64| round_to(mg_per_kg * w, iv.dose_step_mg);
    let dose_by_basis =
        DoseByBasis { actual: dose_on(actual), ideal: ideal.map(dose_on), adjusted: adjusted.map(dose_on) };
    let chosen = match basis {
        WeightBasis::Actual => actual,
        WeightBasis::Ideal => ideal.unwrap_or(actual),
        WeightBasis::Adjusted => adjusted.unwrap_or(actual),
    };
    let weight_used = if iv.adjusted_weight.never_above_actual && chosen > actual {
        notes.push(format!(
            "The {} body weight ({chosen} kg) is above the actual weight ({actual} kg): the dose is calculated on the actual weight, never more.",
            basis.as_str()
        ));
        actual
    } else {
        chosen
    };
    let mut dose = dose_on(weight_used);
    steps.push(format!(
        "Dose: {mg_per_kg} mg/kg × {weight_used} kg ({} body weight) = {dose} mg",
        if weight_used == chosen { basis.as_str() } else { "actual" }
    ));
    let cap = site.dose_cap_mg;
    let mut capped = false;
    if let Some(cap) = cap {
        sources.push(iv.dose_cap_mg.source.clone());
        // On the dose's 0.1 mg steps, never above the cap.
        let step = iv.dose_step_mg;
        let cap = round_to(((cap + 1e-9) / step).floor() * step, step);
        if dose > cap {
            steps.push(format!("Site cap: {dose} mg is above the site's largest dose, {cap} mg: the dose is {cap} mg"));
            dose = cap;
            capped = true;
        }
    }
    studied_notes(iv, actual, dose, &mut notes, &mut sources);
    let minutes = iv.infusion_minutes;
    let (volume_ml, rate_ml_per_h) = match req.concentration_mg_per_ml {
        Some(c) => {
            let (volume, rate) = pump_settings(iv, dose, c, &mut steps, &mut notes);
            sources.push(iv.pump.source.clone());
            (Some(volume), Some(rate))
        }
        None => (None, None),
    };
    let dilute =
        req.concentration_mg_per_ml.is_some_and(|c| dose / c * 60.0 / f64::from(minutes) < iv.pump.min_rate_ml_per_h);
    steps.push(format!("Infused over {minutes} minutes."));
    Ok(IvDose {
        dose_mg: dose,
        mg_per_kg,
        weight_basis: basis,
        weight_used_kg: weight_used,
        weights: Weights { actual, ideal, adjusted },
        dose_by_basis,
        infusion_minutes: minutes,
        dose_cap_mg: cap,
        capped,
        concentration_mg_per_ml: req.concentration_mg_per_ml,
        volume_ml,
        rate_ml_per_h,
        dilute,
        steps,
        notes,
        sources,
        dosing: rules.reference(),
    })
}

/// A weight or a dose outside what the trials studied, said (the dose still rests on the
/// prescriber's judgement, never refused for it).
fn studied_notes(iv: &IvKetamineRules, weight: f64, dose: f64, notes: &mut Vec<String>, sources: &mut Vec<String>) {
    let st = &iv.studied;
    let [lo, hi] = st.weight_kg;
    if weight < lo || weight > hi {
        notes.push(format!(
            "A weight of {weight} kg is outside what the trials studied ({lo}–{hi} kg): the dose of {dose} mg rests on your judgement (consider the ideal or adjusted weight, or a site cap)."
        ));
        sources.push(st.weight_source.clone());
    }
    if dose > st.dose_max_mg {
        notes.push(format!("{dose} mg is above {} mg, more than any trial gave in one infusion.", st.dose_max_mg));
        sources.push(st.dose_source.clone());
    }
}

/// The volume (to 0.01 mL) and the pump rate (to the pump's step) of `dose` mg at `c` mg/mL, with
/// arithmetic that is true as shown: the rate from the dose, the dose the rate shown delivers when
/// it differs, and a rate below what a pump delivers reliably said to need dilution.
fn pump_settings(
    iv: &IvKetamineRules,
    dose: f64,
    c: f64,
    steps: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> (f64, f64) {
    let minutes = f64::from(iv.infusion_minutes);
    let pump = &iv.pump;
    let exact = dose / c;
    let volume = round_to(exact, 0.01);
    let exact_rate = exact * 60.0 / minutes;
    let rate = round_to(exact_rate, pump.rate_step_ml_per_h);
    steps.push(format!(
        "Volume: {dose} mg ÷ {c} mg/mL = {volume} mL{}",
        if volume == exact { "" } else { " (to 0.01 mL)" }
    ));
    steps.push(format!(
        "Pump rate: {dose} mg ÷ {c} mg/mL × 60 ÷ {minutes} min = {} mL/h{}",
        round_to(exact_rate, 1e-4),
        if rate == round_to(exact_rate, 1e-4) { String::new() } else { format!(", set to {rate} mL/h") }
    ));
    let delivered = round_to(rate * minutes / 60.0 * c, iv.dose_step_mg);
    if (delivered - dose).abs() >= iv.dose_step_mg {
        notes.push(format!(
            "At {rate} mL/h for {minutes} min the pump delivers {delivered} mg, not {dose} mg: dilute so that the rate can be set closer."
        ));
    }
    if exact_rate < pump.min_rate_ml_per_h {
        notes.push(format!(
            "Dilute: {} mL/h is below what a pump delivers reliably ({} mL/h). At {} mg/mL the rate would be {} mL/h.",
            round_to(exact_rate, 1e-4),
            pump.min_rate_ml_per_h,
            1.0,
            round_to(dose * 60.0 / minutes, pump.rate_step_ml_per_h)
        ));
    }
    (volume, rate)
}

/// What the prescriber enters for an esketamine session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EsketamineRequest {
    /// The session's number in the course, from 1.
    pub session: u32,
    pub age_years: u32,
}

/// Devices for one allowed dose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Devices {
    pub dose_mg: u32,
    pub devices: u32,
    /// From the first device to the last (the rests between devices).
    pub minutes: u32,
}

/// The esketamine doses the label allows at one session of the course.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct EsketamineDose {
    pub session: u32,
    pub phase: SchedulePhase,
    pub weeks: String,
    pub frequency: String,
    pub allowed_doses_mg: Vec<u32>,
    pub devices: Vec<Devices>,
    pub device_mg: u32,
    pub minutes_between_devices: u32,
    /// The 28 mg start at 65 and over applied (the site follows that label).
    pub geriatric_start: bool,
    /// The label's benefit review falls at this session.
    pub review: Option<String>,
    pub pre_dose: Vec<String>,
    pub monitoring_minutes: u32,
    pub notes: Vec<String>,
    pub sources: Vec<String>,
    pub dosing: DosingRef,
}

/// The label's doses at one session of an esketamine course.
pub fn esketamine(
    rules: &DosingRules,
    site: &DosingSite,
    req: &EsketamineRequest,
) -> Result<EsketamineDose, InputError> {
    site.check(rules)?;
    let e = &rules.esketamine;
    if req.session == 0 {
        return Err(field("session", "sessions are numbered from 1"));
    }
    // The age range of the assessment's own question (one place: model::QUESTIONS).
    let max_age = crate::eligibility::model::QUESTIONS
        .iter()
        .find(|q| q.path == "patient.age_years")
        .and_then(|q| match q.kind {
            crate::eligibility::model::AnswerKind::Number { max, .. } => max,
            _ => None,
        })
        .unwrap_or(f64::INFINITY);
    if f64::from(req.age_years) > max_age {
        return Err(field("age_years", format!("{} years is over {max_age} years", req.age_years)));
    }
    if req.age_years < e.min_age_years {
        return Err(field(
            "age_years",
            format!("esketamine is not approved under {} years ({})", e.min_age_years, e.min_age_source),
        ));
    }
    let phase = rules.phase_of(req.session);
    let g = &e.geriatric;
    let mut notes = Vec::new();
    let mut sources = vec![phase.source.clone(), e.device_source.clone(), e.monitoring_source.clone()];
    let follows = site.geriatric_start.unwrap_or(g.follows_label.default);
    let older = req.age_years >= g.age_years;
    let geriatric_start = older && follows;
    let allowed_doses_mg = if geriatric_start {
        sources.push(g.source.clone());
        if req.session == 1 {
            vec![g.start_mg]
        } else {
            g.doses_mg.clone()
        }
    } else {
        if older {
            notes.push(format!(
                "At {} and over the EU / Hong Kong label starts at {} mg; this site follows the schedule without that start.",
                g.age_years, g.start_mg
            ));
            sources.push(g.source.clone());
        }
        phase.doses_mg.clone()
    };
    let devices = allowed_doses_mg
        .iter()
        .map(|&dose| {
            let n = dose / e.device_mg;
            Devices { dose_mg: dose, devices: n, minutes: (n - 1) * e.minutes_between_devices }
        })
        .collect();
    let last_of_phase = phase.sessions.get(1) == Some(&req.session);
    let review = if last_of_phase { phase.review.clone() } else { None };
    Ok(EsketamineDose {
        session: req.session,
        phase: phase.phase,
        weeks: phase.weeks.clone(),
        frequency: phase.frequency.clone(),
        allowed_doses_mg,
        devices,
        device_mg: e.device_mg,
        minutes_between_devices: e.minutes_between_devices,
        geriatric_start,
        review,
        pre_dose: e.pre_dose.iter().map(|i| i.text.clone()).collect(),
        monitoring_minutes: e.monitoring_minutes,
        notes,
        sources,
        dosing: rules.reference(),
    })
}

impl IvDose {
    /// The result as the prescriber reads it: dose first, then the arithmetic and the notes.
    pub fn to_text(&self) -> String {
        let mut out = format!("IV racemic ketamine: {} mg over {} min", self.dose_mg, self.infusion_minutes);
        match (self.volume_ml, self.rate_ml_per_h, self.dilute) {
            // Not a setting to use: the headline says so, not only the notes.
            (Some(_), Some(_), true) => {
                out.push_str(" (dilute first: too little volume for a pump at this concentration)")
            }
            (Some(v), Some(r), false) => out.push_str(&format!(" ({v} mL at {r} mL/h)")),
            _ => {}
        }
        out.push('\n');
        let w = &self.weights;
        let d = &self.dose_by_basis;
        let show = |x: Option<f64>, unit: &str| x.map_or("—".to_string(), |v| format!("{v} {unit}"));
        out.push_str("\nWeight       kg          dose at this mg/kg\n");
        out.push_str(&format!("actual       {:<11} {}\n", show(Some(w.actual), "kg"), show(Some(d.actual), "mg")));
        out.push_str(&format!("ideal        {:<11} {}\n", show(w.ideal, "kg"), show(d.ideal, "mg")));
        out.push_str(&format!("adjusted     {:<11} {}\n", show(w.adjusted, "kg"), show(d.adjusted, "mg")));
        out.push_str("\nArithmetic\n");
        for s in &self.steps {
            out.push_str(&format!("- {s}\n"));
        }
        notes_and_sources(&mut out, &self.notes, &self.sources, &self.dosing);
        out
    }
}

impl EsketamineDose {
    pub fn to_text(&self) -> String {
        let phase = match self.phase {
            SchedulePhase::Induction => "induction",
            SchedulePhase::Maintenance => "maintenance",
        };
        let doses: Vec<String> = self.allowed_doses_mg.iter().map(|d| format!("{d} mg")).collect();
        let mut out = format!(
            "Esketamine session {}: {} ({}, {}); dose {}\n",
            self.session,
            phase,
            self.weeks,
            self.frequency,
            doses.join(" or ")
        );
        for d in &self.devices {
            out.push_str(&format!(
                "- {} mg: {} device{} of {} mg, {} min apart ({} min from first to last)\n",
                d.dose_mg,
                d.devices,
                if d.devices == 1 { "" } else { "s" },
                self.device_mg,
                self.minutes_between_devices,
                d.minutes
            ));
        }
        if let Some(r) = &self.review {
            out.push_str(&format!("\n{r}\n"));
        }
        section(&mut out, "Before the dose", &self.pre_dose);
        out.push_str(&format!("\nMonitor at least {} minutes after the dose.\n", self.monitoring_minutes));
        notes_and_sources(&mut out, &self.notes, &self.sources, &self.dosing);
        out
    }
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
