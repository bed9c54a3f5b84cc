//! What a session's readings after the dose, its times and its weight must hold (issue 24): the
//! rule set's blood-pressure lines applied to the 40-minute and discharge readings, the monitoring
//! minimum, and the plausibility of times and weight. Every threshold comes from the rule set, the
//! site policy or the dosing rules, with its source.

use serde::Serialize;

use crate::eligibility::model::Route;
use crate::eligibility::ruleset::Trigger;
use crate::error::InputError;
use crate::treatment::session::{BloodPressure, Context, Session};

/// Something after the dose (or in the session's own record) that needs the clinician's note,
/// kept in the session's acknowledgements under `key` (the field's path).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SessionAlert {
    pub key: String,
    pub message: String,
    /// At or above the site's stop line: shown as urgent.
    pub urgent: bool,
    pub source: String,
}

/// The readings after the dose, by field, with the words for when they were taken.
fn post_dose(s: &Session) -> [(&'static str, &'static str, &BloodPressure); 2] {
    [
        ("monitoring.bp_40_min", "about 40 minutes after the dose", &s.monitoring.bp_40_min),
        ("monitoring.bp_before_discharge", "before discharge", &s.monitoring.bp_before_discharge),
    ]
}

/// The precaution line of the rule set's CV-BP-HIGH (above it), and its source.
fn precaution_line(ctx: &Context) -> Option<(f64, f64, String)> {
    let rule = ctx.rules.rule("CV-BP-HIGH")?;
    match rule.trigger {
        Trigger::BpAbove { systolic, diastolic } => Some((systolic, diastolic, rule.source.to_string())),
        _ => None,
    }
}

fn stop_line(ctx: &Context) -> (f64, f64, String) {
    let source = ctx.rules.rule("CV-BP-STOP").map_or_else(String::new, |r| r.source.to_string());
    (f64::from(ctx.policy.bp_stop_systolic_mmhg), f64::from(ctx.policy.bp_stop_diastolic_mmhg), source)
}

fn fmt(v: f64) -> crate::eligibility::input::FmtNum {
    crate::eligibility::input::FmtNum(v)
}

/// What needs the clinician's note in this session beyond the gate: each reading after the dose
/// above the precaution line (urgent at or above the stop line), and a weight far from the
/// assessment's.
pub fn alerts(ctx: &Context, s: &Session) -> Vec<SessionAlert> {
    let mut out = Vec::new();
    blood_pressure_alerts(ctx, s, &mut out);
    monitoring_alerts(ctx, s, &mut out);
    weight_alert(ctx, s, &mut out);
    out
}

/// Each reading after the dose above the precaution line; urgent at or above the stop line.
fn blood_pressure_alerts(ctx: &Context, s: &Session, out: &mut Vec<SessionAlert>) {
    let (ss, sd, stop_source) = stop_line(ctx);
    for (key, when, bp) in post_dose(s) {
        let (Some(sys), Some(dia)) = (bp.systolic_mmhg, bp.diastolic_mmhg) else { continue };
        let reading = format!("{}/{}", fmt(sys), fmt(dia));
        if sys >= ss || dia >= sd {
            out.push(SessionAlert {
                key: key.into(),
                message: format!(
                    "URGENT: blood pressure {reading} mmHg {when} is at or above the site's stop line of {}/{}: treat, recheck and keep monitoring; note what was done.",
                    fmt(ss),
                    fmt(sd)
                ),
                urgent: true,
                source: stop_source.clone(),
            });
        } else if let Some((ps, pd, source)) = precaution_line(ctx).filter(|(ps, pd, _)| sys > *ps || dia > *pd) {
            out.push(SessionAlert {
                key: key.into(),
                message: format!(
                    "Blood pressure {reading} mmHg {when} is above {}/{}: note how it was followed (recheck, observation).",
                    fmt(ps),
                    fmt(pd)
                ),
                urgent: false,
                source,
            });
        }
    }
}

/// Deep sedation and a low SpO₂ during monitoring (dosing.toml [monitoring_alerts]): urgent.
fn monitoring_alerts(ctx: &Context, s: &Session, out: &mut Vec<SessionAlert>) {
    if let Some(rules) = &ctx.dosing.monitoring_alerts {
        let m = &s.monitoring;
        if let Some(moaas) = m.moaas_lowest.filter(|&v| v <= rules.deep_sedation_moaas_at_most) {
            out.push(SessionAlert {
                key: "monitoring.moaas_lowest".into(),
                message: format!(
                    "URGENT: lowest MOAA/S {moaas} is deep sedation (at or below {}): note the airway, breathing and oxygen saturation observed, what was done and how long it lasted.",
                    rules.deep_sedation_moaas_at_most
                ),
                urgent: true,
                source: rules.deep_sedation_source.clone(),
            });
        }
        let line = ctx.policy.spo2_defer_percent.map(f64::from);
        if let (Some(line), Some(low)) = (line, m.spo2_lowest_percent.filter(|&v| line.is_some_and(|l| v < l))) {
            let recorded = match m.respiratory_depression {
                Some(false) => " Respiratory depression is recorded as none: check that answer.",
                _ => "",
            };
            out.push(SessionAlert {
                key: "monitoring.spo2_lowest_percent".into(),
                message: format!(
                    "URGENT: lowest SpO₂ {} % during monitoring is below {} %: note what was done (stimulation, airway, oxygen) and how long it lasted.{recorded}",
                    fmt(low),
                    fmt(line)
                ),
                urgent: true,
                source: rules.low_spo2_source.clone(),
            });
        }
    }
}

/// Today's weight far from the assessment's.
fn weight_alert(ctx: &Context, s: &Session, out: &mut Vec<SessionAlert>) {
    let iv = &ctx.dosing.iv_ketamine;
    if let (Some(today), Some(assessed)) = (s.dose.weight_kg, ctx.assessment.patient.weight_kg) {
        let change = (today - assessed) / assessed * 100.0;
        // Judged as shown, to 0.1 % (10.000…02 % is 10 %).
        let shown = (change.abs() * 10.0).round() / 10.0;
        if shown > iv.weight_change_note_percent {
            out.push(SessionAlert {
                key: "dose.weight_kg".into(),
                message: format!(
                    "Today's weight of {} kg is {} % {} the assessment's {} kg: confirm it (a typing error, or a real change to note).",
                    fmt(today),
                    fmt(shown),
                    if change > 0.0 { "above" } else { "below" },
                    fmt(assessed)
                ),
                urgent: false,
                source: iv.weight_change_source.clone(),
            });
        }
    }
}

fn field(path: &str, message: impl Into<String>) -> InputError {
    InputError::Field { path: path.into(), message: message.into() }
}

/// Minutes after midnight of an HH:MM time already checked.
fn minutes(t: &str) -> Option<u32> {
    let (h, m) = t.split_once(':')?;
    Some(h.parse::<u32>().ok()? * 60 + m.parse::<u32>().ok()?)
}

/// `at` after `prev` on a clock that may pass midnight (a time more than 12 hours before the one
/// before it is the next day's).
pub fn after_midnight(prev: u32, at: u32) -> u32 {
    if at + 12 * 60 < prev {
        at + 24 * 60
    } else {
        at
    }
}

/// Minutes from the first esketamine device to the last (0 with fewer than two times).
fn device_spread(s: &Session) -> u32 {
    let times: Vec<u32> = s.dose.device_times.iter().flatten().filter_map(|t| minutes(t)).collect();
    let mut last = match times.first() {
        Some(&first) => first,
        None => return 0,
    };
    let first = last;
    for &t in &times[1..] {
        last = after_midnight(last, t);
    }
    last.saturating_sub(first)
}

/// What cannot be true of the session's times and monitoring (refused, naming the field).
pub fn check(ctx: &Context, s: &Session) -> Result<(), InputError> {
    let m = &s.monitoring;
    if let (Some(ready), Some(total)) = (m.ready_to_leave_minutes, m.total_monitoring_minutes) {
        if ready > total {
            return Err(field(
                "monitoring.ready_to_leave_minutes",
                format!("{ready} minutes is after the end of monitoring ({total} minutes)"),
            ));
        }
    }
    if ctx.course.route == Route::EsketamineNasal {
        check_device_timing(ctx, s)?;
    }
    if m.discharged == Some(true) {
        check_discharge(ctx, s)?;
    }
    Ok(())
}

/// Esketamine: ready to leave not before the last device, and the dose's start the first device.
fn check_device_timing(ctx: &Context, s: &Session) -> Result<(), InputError> {
    let m = &s.monitoring;
    // Ready to leave is counted from the first device: not before the last one.
    let spread = device_spread(s);
    if let Some(ready) = m.ready_to_leave_minutes.filter(|&r| r < spread) {
        return Err(field(
            "monitoring.ready_to_leave_minutes",
            format!("{ready} minutes is before the last device ({spread} minutes after the first)"),
        ));
    }
    let gap = ctx.dosing.esketamine.minutes_between_devices;
    let first = s.dose.device_times.as_ref().and_then(|t| t.first()).and_then(|t| minutes(t));
    if let (Some(start), Some(first)) = (s.dose.start_time.as_deref().and_then(minutes), first) {
        let first = after_midnight(start, first);
        if start > first || first - start > gap {
            return Err(field(
                "dose.start_time",
                format!(
                    "{} is not the time of the first device ({}): the dose starts with it",
                    s.dose.start_time.as_deref().unwrap_or_default(),
                    s.dose.device_times.as_ref().and_then(|t| t.first()).map_or("", String::as_str)
                ),
            ));
        }
    }
    Ok(())
}

/// Discharged: not on a reading at or above the stop line without a recheck, nor before the
/// minimum monitoring time.
fn check_discharge(ctx: &Context, s: &Session) -> Result<(), InputError> {
    let m = &s.monitoring;
    // Not discharged on a reading at or above the stop line without a recheck below it.
    let (ss, sd, _) = stop_line(ctx);
    let high =
        |b: &BloodPressure| b.systolic_mmhg.is_some_and(|v| v >= ss) || b.diastolic_mmhg.is_some_and(|v| v >= sd);
    let recheck = &m.bp_before_discharge;
    if high(&m.bp_40_min) && (recheck.systolic_mmhg.is_none() || recheck.diastolic_mmhg.is_none()) {
        return Err(field(
            "monitoring.bp_before_discharge",
            format!(
                "the reading at about 40 minutes was at or above {}/{}: recheck before discharge",
                fmt(ss),
                fmt(sd)
            ),
        ));
    }
    let (need, source) = match ctx.course.route {
        Route::EsketamineNasal => (ctx.dosing.esketamine.monitoring_minutes, &ctx.dosing.esketamine.monitoring_source),
        Route::IvKetamine => {
            (ctx.dosing.iv_ketamine.min_monitoring_minutes, &ctx.dosing.iv_ketamine.min_monitoring_source)
        }
    };
    // Esketamine: the monitoring time counts from the first device (as the REMS form asks
    // it), and the minimum runs after the last device, when the dose is given in full.
    let spread = match ctx.course.route {
        Route::EsketamineNasal => device_spread(s),
        Route::IvKetamine => 0,
    };
    match m.total_monitoring_minutes {
        Some(t) if t < need + spread => {
            let after = if spread > 0 {
                format!(" after the last device ({} from the first, {spread} minutes before it)", need + spread)
            } else {
                String::new()
            };
            return Err(field(
                "monitoring.discharged",
                format!("not before {need} minutes of monitoring{after} ({t} so far): {source}"),
            ));
        }
        None => {
            return Err(field(
                "monitoring.discharged",
                format!("record the total monitoring time first (at least {need} minutes)"),
            ))
        }
        _ => {}
    }
    Ok(())
}
