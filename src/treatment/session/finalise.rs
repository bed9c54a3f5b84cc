//! What a session must have before it is finalised, and the clinician's notes on what the gate
//! and the checks found (bound to what they acknowledge, stale when it changes).

use std::collections::BTreeMap;

use crate::eligibility::model::Route;
use crate::error::InputError;
use crate::treatment::pre_dose::{Gate, GateDecision};

use super::*;

/// The finding a note on `rule` answers, as the gate reads it now (its messages, in order).
pub fn finding_text(gate: &Gate, rule: &str) -> String {
    gate.findings.iter().filter(|f| &*f.rule == rule).map(|f| f.message.as_str()).collect::<Vec<_>>().join(" ")
}

/// Everything a note of this session answers, as it reads now: each gate finding (by rule id)
/// and each alert after the dose or on the weight (by field).
fn acknowledgeable(ctx: &Context, gate: &Gate, s: &Session) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> =
        gate.findings.iter().map(|f| (f.rule.to_string(), finding_text(gate, &f.rule))).collect();
    out.extend(super::checks::alerts(ctx, s).into_iter().map(|a| (a.key, a.message)));
    out
}

/// Binds each note on a finding or an alert to it as it reads now when the note is new or its
/// words changed since `previous`; an unchanged note keeps what it was written for (from
/// `previous`, never from the client), so a changed reading leaves it unconfirmed.
pub fn bind_acknowledgements(ctx: &Context, previous: Option<&Session>, s: &mut Session) -> Result<(), InputError> {
    let gate = check(ctx, s)?;
    let now = acknowledgeable(ctx, &gate, s);
    let mut bound = BTreeMap::new();
    for (key, note) in &s.acknowledgements {
        let Some(text) = now.get(key).filter(|_| !note.trim().is_empty()) else {
            // Not on a finding today (a "no" answer's reason, or a finding that has gone): a
            // binding written before is kept as it was.
            if let Some(b) = previous.and_then(|p| p.acknowledged_for.get(key)) {
                bound.insert(key.clone(), b.clone());
            }
            continue;
        };
        let before = previous.and_then(|p| Some((p.acknowledgements.get(key)?, p.acknowledged_for.get(key))));
        match before {
            Some((old, Some(for_reading))) if old == note => {
                bound.insert(key.clone(), for_reading.clone());
            }
            Some((old, None)) if old == note => {}
            _ => {
                bound.insert(key.clone(), text.clone());
            }
        }
    }
    s.acknowledged_for = bound;
    Ok(())
}

/// The notes written for another reading than today's (key → what it was written for; "" when
/// unknown): each is needed again before finalising.
pub fn stale_acknowledgements(ctx: &Context, s: &Session) -> Result<BTreeMap<String, String>, InputError> {
    let gate = check(ctx, s)?;
    let now = acknowledgeable(ctx, &gate, s);
    Ok(now
        .iter()
        .filter(|(key, _)| s.acknowledgements.get(*key).is_some_and(|n| !n.trim().is_empty()))
        .filter_map(|(key, text)| match s.acknowledged_for.get(key) {
            Some(then) if then == text => None,
            Some(then) => Some((key.clone(), then.clone())),
            None => Some((key.clone(), String::new())),
        })
        .collect())
}

/// What the session still needs before it can be finalised, by field (empty: it can be). A
/// deferred session needs only its pre-dose readings; a treated one its dose and monitoring.
pub fn still_needed(ctx: &Context, session: &Session) -> Result<Vec<String>, InputError> {
    let gate = check(ctx, session)?;
    let mut needed: Vec<String> = gate.missing.iter().map(|m| format!("pre_dose.gate.{m}")).collect();
    if gate.decision == GateDecision::Incomplete && needed.is_empty() {
        // A reading the rule set needs that the gate's own list does not name.
        needed.extend(gate.findings.iter().filter_map(|f| f.question.as_ref().map(|q| format!("pre_dose.gate.{q}"))));
        if needed.is_empty() {
            needed.push("pre_dose.gate".into());
        }
    }
    if gate.decision == GateDecision::Defer || gate.decision == GateDecision::Reassess {
        return Ok(needed);
    }
    let stale = stale_acknowledgements(ctx, session)?;
    for rule in &gate.acknowledgements_needed {
        // A note written for another reading is asked for again.
        if session.acknowledgements.get(&**rule).is_none_or(|n| n.trim().is_empty()) || stale.contains_key(&**rule) {
            needed.push(format!("acknowledgements.{rule}"));
        }
    }
    let esketamine = ctx.course.route == Route::EsketamineNasal;
    pre_dose_needed(session, esketamine, &mut needed);
    dose_needed(ctx, session, esketamine, &mut needed)?;
    monitoring_needed(&session.monitoring, esketamine, &mut needed);
    // A reading after the dose above the precaution line, or a weight far from the assessment's:
    // the clinician's note, written for the reading as it is now.
    let noted = |key: &str| session.acknowledgements.get(key).is_some_and(|n| !n.trim().is_empty());
    for alert in super::checks::alerts(ctx, session) {
        if !noted(&alert.key) || stale.contains_key(&alert.key) {
            needed.push(format!("acknowledgements.{}", alert.key));
        }
    }
    Ok(needed)
}

/// Pushes `path` onto what is still needed unless `known`.
fn want(needed: &mut Vec<String>, path: &str, known: bool) {
    if !known {
        needed.push(path.to_string());
    }
}

/// Before the dose: the heart rate, consent (and REMS enrolment), and transport, driving and
/// fasting answered (a "no" with the clinician's note).
fn pre_dose_needed(session: &Session, esketamine: bool, needed: &mut Vec<String>) {
    let p = &session.pre_dose;
    want(needed, "pre_dose.heart_rate_bpm", p.heart_rate_bpm.is_some());
    // No dose without consent, nor esketamine without REMS enrolment: only "yes" will do.
    want(needed, "pre_dose.consent_on_file", p.consent_on_file == Some(true));
    if esketamine {
        want(needed, "pre_dose.rems_enrolled", p.rems_enrolled == Some(true));
    }
    // A "no" here is possible (a patient who came alone) but needs the clinician's note, kept
    // under the field's name.
    let noted = |key: &str| session.acknowledgements.get(key).is_some_and(|n| !n.trim().is_empty());
    let mut checks =
        vec![("pre_dose.transport_home", p.transport_home), ("pre_dose.no_driving_advised", p.no_driving_advised)];
    if esketamine {
        checks.push(("pre_dose.fasted_as_instructed", p.fasted_as_instructed));
    }
    for (path, answer) in checks {
        match answer {
            None => want(needed, path, false),
            Some(false) => want(needed, &format!("acknowledgements.{path}"), noted(path)),
            Some(true) => {}
        }
    }
}

/// The dose: amount, lot, start (and device times), and a reason for a dose the calculator did
/// not give.
fn dose_needed(ctx: &Context, session: &Session, esketamine: bool, needed: &mut Vec<String>) -> Result<(), InputError> {
    let d = &session.dose;
    want(needed, "dose.dose_mg", d.dose_mg.is_some());
    want(needed, "dose.lot_number", d.lot_number.as_deref().is_some_and(|l| !l.trim().is_empty()));
    want(needed, "dose.start_time", d.start_time.is_some());
    if esketamine {
        want(needed, "dose.device_times", d.device_times.as_ref().is_some_and(|t| !t.is_empty()));
    }
    if let (Some(mg), Some(calculated)) = (d.dose_mg, calculated_doses(ctx, session)?) {
        let half_step = ctx.dosing.iv_ketamine.dose_step_mg / 2.0;
        let matches = calculated.iter().any(|c| (c - mg).abs() < half_step);
        let reason = d.reason_outside_calculator.as_deref().is_some_and(|r| !r.trim().is_empty());
        want(needed, "dose.reason_outside_calculator", matches || reason);
    }
    Ok(())
}

/// After the dose: every reading, the effects, how long, and how the patient left.
fn monitoring_needed(m: &Monitoring, esketamine: bool, needed: &mut Vec<String>) {
    want(needed, "monitoring.bp_40_min", m.bp_40_min.systolic_mmhg.is_some() && m.bp_40_min.diastolic_mmhg.is_some());
    want(
        needed,
        "monitoring.bp_before_discharge",
        m.bp_before_discharge.systolic_mmhg.is_some() && m.bp_before_discharge.diastolic_mmhg.is_some(),
    );
    want(needed, "monitoring.spo2_lowest_percent", m.spo2_lowest_percent.is_some());
    want(needed, "monitoring.moaas_lowest", m.moaas_lowest.is_some());
    want(needed, "monitoring.dissociation", m.dissociation.is_some());
    want(needed, "monitoring.respiratory_depression", m.respiratory_depression.is_some());
    want(needed, "monitoring.other_adverse_events", m.other_adverse_events.is_some());
    want(needed, "monitoring.total_monitoring_minutes", m.total_monitoring_minutes.is_some());
    want(needed, "monitoring.effects_resolved", m.effects_resolved.is_some() || m.discharged == Some(false));
    let transferred = m.transferred.as_deref().is_some_and(|t| !t.trim().is_empty());
    match m.discharged {
        Some(true) => {}
        Some(false) => want(needed, "monitoring.transferred", transferred),
        None => want(needed, "monitoring.discharged", false),
    }
    if esketamine {
        want(needed, "monitoring.ready_to_leave_minutes", m.ready_to_leave_minutes.is_some());
    }
}
