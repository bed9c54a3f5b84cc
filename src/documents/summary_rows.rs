//! The rows of the summary's tables: each trial as judged, each current medication with its
//! classes, and every question shown with its answer as the clinician gave it.

use crate::eligibility::engine::{Evaluation, Tri};
use crate::eligibility::input::fmt_num;
use crate::eligibility::model::{Answer, Assessment};
use crate::eligibility::ruleset::{Area, RuleSet};
use serde::Serialize;

/// A question and its answer as printed.
#[derive(Debug, Clone, Serialize)]
pub struct ChecklistRow {
    pub question: String,
    pub id: String,
    pub answer: String,
    pub unknown: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChecklistArea {
    pub area: Area,
    pub title: &'static str,
    pub rows: Vec<ChecklistRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrialRow {
    pub number: usize,
    pub drug: String,
    pub dose: String,
    pub minimum: String,
    pub weeks: String,
    pub adherent: String,
    pub improvement: String,
    pub current_episode: String,
    pub counted: String,
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MedicationRow {
    pub medication: String,
    pub classes: String,
    pub diazepam_equivalent: String,
}

pub(crate) fn yes_no(v: Option<bool>) -> String {
    match v {
        Some(true) => "Yes".into(),
        Some(false) => "No".into(),
        None => "Unknown".into(),
    }
}

pub(crate) fn num(v: Option<f64>, unit: &str) -> String {
    v.map_or_else(|| "Unknown".into(), |n| if unit.is_empty() { fmt_num(n) } else { format!("{} {unit}", fmt_num(n)) })
}

/// One row a trial, as judged.
pub(crate) fn trial_rows(a: &Assessment, e: &Evaluation) -> Vec<TrialRow> {
    a.trials
        .iter()
        .flatten()
        .zip(&e.trials)
        .map(|(t, r)| TrialRow {
            number: r.index + 1,
            drug: match (&r.drug, &r.generic) {
                // A name close to a catalog drug: which drug it is rests on the clinician's word.
                (Some(d), _) if r.same_drug_question.is_some() => {
                    match (t.same_drug_as_suggestion, &r.same_drug_question) {
                        (Some(true), Some(q)) => format!("{d} ({q}, the clinician's answer)"),
                        (Some(false), Some(q)) => format!("{d} (not {q}, the clinician's answer)"),
                        (_, Some(q)) => format!("{d} ({q} or another drug? not answered)"),
                        (_, None) => d.clone(),
                    }
                }
                (Some(d), Some(g)) if !d.eq_ignore_ascii_case(g) => format!("{d} ({g})"),
                (Some(d), _) => d.clone(),
                (None, _) => "Unknown".into(),
            },
            dose: num(t.dose_mg_per_day, "mg/day"),
            minimum: r.min_dose_mg.map_or_else(
                || if r.confirmed_by_clinician { "confirmed".into() } else { "not in table".into() },
                |m| format!("{} mg/day", fmt_num(m)),
            ),
            weeks: num(t.weeks_at_dose, ""),
            adherent: yes_no(t.adherent),
            improvement: num(t.improvement_percent, "%"),
            current_episode: yes_no(t.current_episode),
            counted: match r.failed {
                Tri::Yes => "Yes".into(),
                Tri::No => "No".into(),
                Tri::Unknown => "Unknown".into(),
            },
            why: r.explanation.clone(),
        })
        .collect()
}

/// One row a current medication, with its classes and diazepam equivalent.
pub(crate) fn medication_rows(e: &Evaluation, rules: &RuleSet) -> Vec<MedicationRow> {
    e.medications
        .iter()
        .map(|m| MedicationRow {
            medication: m.label.clone(),
            classes: match (m.classes.is_empty(), m.classified_by_clinician) {
                (true, true) => "none of the interacting classes (reviewed by the clinician)".into(),
                // Version 1 had no classification by the clinician: its own wording.
                (true, false) if m.unrecognised() && rules.rule("RX-CLINICIAN-CLASSES").is_none() => {
                    "not classified; review".into()
                }
                (true, false) if m.unrecognised() => match &m.suggestion {
                    Some(s) => format!("not recognised (did you mean {s}?): classify"),
                    None => "not recognised: classify".into(),
                },
                (true, false) if m.name.is_none() => "name not recorded".into(),
                (true, false) => "none of the interacting classes".into(),
                (false, by_clinician) => {
                    let names = m.classes.iter().map(|c| rules.drugs.class_name(c)).collect::<Vec<_>>().join(", ");
                    if by_clinician {
                        format!("{names} (chosen by the clinician)")
                    } else {
                        names
                    }
                }
            },
            diazepam_equivalent: m
                .diazepam_equivalent_mg
                .map(|d| format!("{} mg/day", fmt_num((d * 10.0).round() / 10.0)))
                .unwrap_or_else(|| {
                    if m.classes.iter().any(|c| c == "benzodiazepine") {
                        "not computable".into()
                    } else {
                        String::new()
                    }
                }),
        })
        .collect()
}

/// Every question shown, by area, with its answer as the clinician gave it.
pub(crate) fn checklist(a: &Assessment, rules: &RuleSet) -> Vec<ChecklistArea> {
    Area::ALL
        .iter()
        .map(|&area| ChecklistArea {
            area,
            title: area.title(),
            rows: rules
                .questions
                .iter()
                .filter(|q| q.area == area && rules.shown(q, a))
                .map(|q| {
                    let ans = q.answer(a);
                    // An answer to a question that does not apply is shown, and said to be so.
                    let not_asked = if q.applies(a) { "" } else { " (answered, although the question does not apply)" };
                    let answer = match ans {
                        Answer::Unknown => "Unknown".to_string(),
                        Answer::Bool(b) => yes_no(Some(b)),
                        Answer::Number(n) => num(Some(n), q.unit.as_deref().unwrap_or("")),
                        Answer::Choice(c) => q.option_label(c).to_string(),
                        Answer::List(0) => "None".into(),
                        Answer::List(n) => format!("{n} listed below"),
                        Answer::Text(t) => t.to_string(),
                    } + not_asked;
                    ChecklistRow { question: q.text.clone(), id: q.id.clone(), answer, unknown: ans.is_unknown() }
                })
                .collect(),
        })
        .filter(|c| !c.rows.is_empty())
        .collect()
}
