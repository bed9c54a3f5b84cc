//! The esketamine calculator: the dose and devices of a session by the schedule's phase.

use crate::error::InputError;
use serde::{Deserialize, Serialize};

use super::*;

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
    // The age range of the assessment's own question (one place: crate::eligibility::question_table::QUESTIONS).
    let max_age = crate::eligibility::question_table::QUESTIONS
        .iter()
        .find(|q| q.path == "patient.age_years")
        .and_then(|q| match q.kind {
            crate::eligibility::question_table::AnswerKind::Number { max, .. } => max,
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
