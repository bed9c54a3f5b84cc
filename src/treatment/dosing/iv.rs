//! The IV ketamine calculator: the dose by the chosen weight, within the site's limits, as a pump
//! would be set (or "dilute first" when it cannot be delivered as drawn up).

use crate::eligibility::model::Sex;
use crate::error::InputError;
use serde::{Deserialize, Serialize};

use super::*;

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
    let iv = &rules.iv_ketamine;
    let (actual, mg_per_kg, basis) = checked(rules, site, req)?;

    let mut steps = Vec::new();
    let mut notes = Vec::new();
    let mut sources = vec![iv.infusion_source.clone(), iv.mg_per_kg.source.clone(), iv.weight_basis.source.clone()];

    let (ideal, adjusted) = ideal_and_adjusted(iv, req, actual, (&mut steps, &mut notes, &mut sources));
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
    let dose = dose_on(weight_used);
    steps.push(format!(
        "Dose: {mg_per_kg} mg/kg × {weight_used} kg ({} body weight) = {dose} mg",
        if weight_used == chosen { basis.as_str() } else { "actual" }
    ));
    let cap = site.dose_cap_mg;
    let (dose, capped) = apply_cap(iv, cap, dose, &mut steps, &mut sources);
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

/// The request within the limits the dosing rules allow: the actual weight (to 0.1 kg), the
/// mg/kg and the weight basis (the site's choices where the request leaves them).
fn checked(rules: &DosingRules, site: &DosingSite, req: &IvRequest) -> Result<(f64, f64, WeightBasis), InputError> {
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
    Ok((actual, mg_per_kg, basis))
}

/// The ideal (Devine) and adjusted body weights, when the height and a sex of male or female
/// are given; each step said.
fn ideal_and_adjusted(
    iv: &IvKetamineRules,
    req: &IvRequest,
    actual: f64,
    (steps, notes, sources): (&mut Vec<String>, &mut Vec<String>, &mut Vec<String>),
) -> (Option<f64>, Option<f64>) {
    let base = match req.sex {
        Some(Sex::Male) => Some((iv.ideal_weight.male_kg, "male")),
        Some(Sex::Female) => Some((iv.ideal_weight.female_kg, "female")),
        Some(Sex::Other) | None => None,
    };
    match (req.height_cm, base) {
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
    }
}

/// The site's largest dose, on the dose's steps: the dose and whether it was capped.
fn apply_cap(
    iv: &IvKetamineRules,
    cap: Option<f64>,
    mut dose: f64,
    steps: &mut Vec<String>,
    sources: &mut Vec<String>,
) -> (f64, bool) {
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
    (dose, capped)
}

/// A weight or a dose outside what the trials studied, said (the dose still rests on the
/// prescriber's judgement, never refused for it).
pub(super) fn studied_notes(
    iv: &IvKetamineRules,
    weight: f64,
    dose: f64,
    notes: &mut Vec<String>,
    sources: &mut Vec<String>,
) {
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
pub(super) fn pump_settings(
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
