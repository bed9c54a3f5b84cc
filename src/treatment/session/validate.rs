//! What cannot be true of a session, refused whatever the state of the draft: impossible vitals,
//! a dose over the site maximum, a session dated before its course, a dose on a deferred
//! session, texts over their maximum; each refusal names the field.

use time::macros::format_description;
use time::Date;

use crate::eligibility::model::Route;
use crate::eligibility::question_table::{AnswerKind, QUESTIONS};
use crate::error::InputError;
use crate::treatment::pre_dose::{Gate, GateDecision};

use super::*;

pub(super) fn field(path: &str, message: impl Into<String>) -> InputError {
    InputError::Field { path: path.into(), message: message.into() }
}

pub(crate) fn parse_date(path: &str, text: &str) -> Result<Date, InputError> {
    Date::parse(text, format_description!("[year]-[month]-[day]"))
        .map_err(|_| field(path, format!("{text:?} is not a date (YYYY-MM-DD)")))
}

/// Minutes after midnight of an HH:MM time.
fn parse_time(path: &str, text: &str) -> Result<u32, InputError> {
    let bad = || field(path, format!("{text:?} is not a time (HH:MM)"));
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 23 || m > 59 || text.len() != 5 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

fn number_in(path: &str, value: Option<f64>, (min, max): (f64, f64), unit: &str) -> Result<(), InputError> {
    match value {
        Some(v) if !v.is_finite() || v < min || v > max => {
            Err(field(path, format!("{v} {unit} is outside {min}–{max} {unit}")))
        }
        _ => Ok(()),
    }
}

/// The range the assessment allows for one of its number questions (one place: crate::eligibility::question_table::QUESTIONS).
fn assessment_range(path: &str) -> (f64, f64) {
    QUESTIONS
        .iter()
        .find(|q| q.path == path)
        .and_then(|q| match q.kind {
            AnswerKind::Number { min, max, .. } => Some((min, max.unwrap_or(f64::INFINITY))),
            _ => None,
        })
        .expect("a number question of the assessment")
}

/// Monitoring readings are held to the ranges of the same readings in the assessment.
fn bp_in(path: &str, bp: &BloodPressure) -> Result<(), InputError> {
    let (s_range, d_range) =
        (assessment_range("cardiovascular.systolic_mmhg"), assessment_range("cardiovascular.diastolic_mmhg"));
    number_in(&format!("{path}.systolic_mmhg"), bp.systolic_mmhg, s_range, "mmHg")?;
    number_in(&format!("{path}.diastolic_mmhg"), bp.diastolic_mmhg, d_range, "mmHg")?;
    if let (Some(s), Some(d)) = (bp.systolic_mmhg, bp.diastolic_mmhg) {
        if d >= s {
            return Err(field(
                &format!("{path}.diastolic_mmhg"),
                format!("{d} must be below the systolic pressure ({s} mmHg)"),
            ));
        }
    }
    Ok(())
}

/// The largest dose the site allows today: for IV the top of the mg/kg range on the weight,
/// lowered to the site's cap (none without a weight: then no dose is accepted); for esketamine the
/// largest dose of the schedule.
fn site_maximum_mg(ctx: &Context, weight_kg: Option<f64>) -> Option<f64> {
    match ctx.course.route {
        Route::IvKetamine => weight_kg.map(|w| {
            let top = ctx.dosing.iv_ketamine.mg_per_kg.max * w;
            ctx.site.dose_cap_mg.map_or(top, |cap| cap.min(top))
        }),
        Route::EsketamineNasal => {
            let e = &ctx.dosing.esketamine;
            e.phases
                .iter()
                .flat_map(|p| p.doses_mg.iter())
                .chain(e.geriatric.doses_mg.iter())
                .max()
                .map(|&d| f64::from(d))
        }
    }
}

pub(super) fn prefix(path: &str, e: InputError) -> InputError {
    match e {
        InputError::Field { path: p, message } => InputError::Field { path: format!("{path}.{p}"), message },
        other => other,
    }
}

/// Every text of a session within its documented maximum (docs/session-v1.md).
fn check_lengths(s: &Session) -> Result<(), InputError> {
    use crate::eligibility::model::{check_length, check_line, NOTE_MAX_CHARS, SHORT_TEXT_MAX_CHARS};
    let short = [("dose.lot_number", &s.dose.lot_number)];
    let notes = [
        ("dose.reason_outside_calculator", &s.dose.reason_outside_calculator),
        ("monitoring.other_adverse_events", &s.monitoring.other_adverse_events),
        ("monitoring.transferred", &s.monitoring.transferred),
    ];
    for (path, text) in short {
        check_line(path, text.as_deref().unwrap_or_default(), SHORT_TEXT_MAX_CHARS)?;
    }
    for (path, text) in notes {
        check_length(path, text.as_deref().unwrap_or_default(), NOTE_MAX_CHARS)?;
    }
    for (rule, note) in &s.acknowledgements {
        check_length(&format!("acknowledgements.{rule}"), note, NOTE_MAX_CHARS)?;
    }
    Ok(())
}

/// Refuses what cannot be true, naming the field. A draft may leave anything unknown.
pub fn check(ctx: &Context, session: &Session) -> Result<Gate, InputError> {
    if session.schema != SESSION_SCHEMA {
        return Err(field("schema", format!("must be {SESSION_SCHEMA:?}")));
    }
    ctx.course.check().map_err(|e| prefix("course", e))?;
    check_lengths(session)?;
    if session.number == 0 {
        return Err(field("number", "sessions are numbered from 1"));
    }
    check_date(ctx, session)?;
    let gate = gate(ctx, session)?;
    number_in("pre_dose.heart_rate_bpm", session.pre_dose.heart_rate_bpm, HEART_RATE_BPM, "bpm")?;
    check_dose(ctx, session, &gate)?;
    check_monitoring(ctx, session)?;
    super::checks::check(ctx, session)?;
    Ok(gate)
}

/// The session's day: not before its course started, nor out of order with its neighbours.
fn check_date(ctx: &Context, session: &Session) -> Result<(), InputError> {
    let day = parse_date("date", &session.date)?;
    let start = parse_date("course.started_on", &ctx.course.started_on)?;
    if day < start {
        return Err(field(
            "date",
            format!("{} is before the course started ({})", session.date, ctx.course.started_on),
        ));
    }
    if let Some(before) = &ctx.previous_date {
        if parse_date("date", before).is_ok_and(|b| day < b) {
            return Err(field(
                "date",
                format!("{} is before session {} ({before})", session.date, session.number.saturating_sub(1)),
            ));
        }
    }
    if let Some(after) = &ctx.next_date {
        if parse_date("date", after).is_ok_and(|a| day > a) {
            return Err(field("date", format!("{} is after session {} ({after})", session.date, session.number + 1)));
        }
    }
    Ok(())
}

/// The dose: none in a session the gate stops, a real amount within the site maximum, whole
/// devices of esketamine, and the devices' times in order and apart.
fn check_dose(ctx: &Context, session: &Session, gate: &Gate) -> Result<(), InputError> {
    let d = &session.dose;
    let limits = &ctx.dosing.iv_ketamine.limits;
    number_in("dose.weight_kg", d.weight_kg, (limits.weight_kg[0], limits.weight_kg[1]), "kg")?;
    if let Some(t) = &d.start_time {
        parse_time("dose.start_time", t)?;
    }
    let dose_recorded =
        d.dose_mg.is_some() || d.start_time.is_some() || d.device_times.as_ref().is_some_and(|t| !t.is_empty());
    if dose_recorded && matches!(gate.decision, GateDecision::Defer | GateDecision::Reassess) {
        let why = gate.findings.iter().find(|f| f.level == crate::eligibility::ruleset::Level::Defer).map_or_else(
            || "something is new since the assessment: amend it first".to_string(),
            |f| format!("deferred by {}", f.rule),
        );
        return Err(field("dose.dose_mg", format!("no dose is given in a session the gate stops ({why})")));
    }
    if let Some(mg) = d.dose_mg {
        if !mg.is_finite() || mg <= 0.0 {
            return Err(field("dose.dose_mg", format!("{mg} mg is not a dose")));
        }
        let weight = d.weight_kg.or(ctx.assessment.patient.weight_kg);
        match site_maximum_mg(ctx, weight) {
            Some(max) if mg > max + 1e-9 => {
                return Err(field("dose.dose_mg", format!("{mg} mg is over the site maximum of {max} mg")));
            }
            Some(_) => {}
            None => {
                return Err(field(
                    "dose.weight_kg",
                    "today's weight is needed to check an IV dose (the assessment has none)",
                ))
            }
        }
        if ctx.course.route == Route::EsketamineNasal
            && !(mg / f64::from(ctx.dosing.esketamine.device_mg)).fract().eq(&0.0)
        {
            return Err(field(
                "dose.dose_mg",
                format!("{mg} mg is not whole devices of {} mg", ctx.dosing.esketamine.device_mg),
            ));
        }
    }
    if let Some(times) = &d.device_times {
        check_device_times(ctx, d.dose_mg, times)?;
    }
    Ok(())
}

/// Each device's time in order, the schedule's minutes apart (past midnight counted), one time a
/// device.
fn check_device_times(ctx: &Context, dose_mg: Option<f64>, times: &[String]) -> Result<(), InputError> {
    let gap = ctx.dosing.esketamine.minutes_between_devices;
    let mut last: Option<u32> = None;
    for (i, t) in times.iter().enumerate() {
        let path = format!("dose.device_times[{i}]");
        let at = parse_time(&path, t)?;
        // 23:58 then 00:03 is five minutes later, past midnight.
        let at = last.map_or(at, |prev| super::checks::after_midnight(prev, at));
        if let Some(prev) = last {
            if at < prev {
                return Err(field(&path, format!("{t} is before the device before it: give the times in order")));
            }
            if at < prev + gap {
                return Err(field(&path, format!("{t} is less than {gap} minutes after the device before")));
            }
        }
        last = Some(at);
    }
    if let (Some(mg), false) = (dose_mg, times.is_empty()) {
        let devices = (mg / f64::from(ctx.dosing.esketamine.device_mg)).round() as usize;
        if devices != times.len() {
            return Err(field(
                "dose.device_times",
                format!("{} device times for {mg} mg ({devices} devices)", times.len()),
            ));
        }
    }
    Ok(())
}

/// The readings after the dose within what a person can have, and no discharge while effects
/// last or the blood pressure is at the site's limit.
fn check_monitoring(ctx: &Context, session: &Session) -> Result<(), InputError> {
    let m = &session.monitoring;
    bp_in("monitoring.bp_40_min", &m.bp_40_min)?;
    bp_in("monitoring.bp_before_discharge", &m.bp_before_discharge)?;
    number_in(
        "monitoring.spo2_lowest_percent",
        m.spo2_lowest_percent,
        assessment_range("respiratory.spo2_percent"),
        "%",
    )?;
    if let Some(s) = m.moaas_lowest {
        if s > MOAAS_MAX {
            return Err(field("monitoring.moaas_lowest", format!("{s} is outside MOAA/S 0–{MOAAS_MAX}")));
        }
    }
    for (path, v) in [
        ("monitoring.ready_to_leave_minutes", m.ready_to_leave_minutes),
        ("monitoring.total_monitoring_minutes", m.total_monitoring_minutes),
    ] {
        if let Some(v) = v {
            if v > MINUTES_MAX {
                return Err(field(path, format!("{v} minutes is longer than a day")));
            }
        }
    }
    if m.discharged == Some(true) {
        if m.effects_resolved == Some(false) {
            return Err(field(
                "monitoring.discharged",
                "not while sedation, dissociation or respiratory depression has not resolved (REMS: monitor until they do)",
            ));
        }
        let (sl, dl) = (f64::from(ctx.policy.bp_stop_systolic_mmhg), f64::from(ctx.policy.bp_stop_diastolic_mmhg));
        let b = &m.bp_before_discharge;
        if b.systolic_mmhg.is_some_and(|v| v >= sl) || b.diastolic_mmhg.is_some_and(|v| v >= dl) {
            return Err(field(
                "monitoring.discharged",
                format!(
                    "not with a blood pressure at or above the site's limit of {sl}/{dl} mmHg before discharge: recheck, treat and keep monitoring"
                ),
            ));
        }
    }
    Ok(())
}
