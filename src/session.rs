//! A treatment session of a course (issue 13), as exchanged in `trdcheck/session/v1`
//! (docs/session-v1.md): the checks before the dose and the pre-dose gate, the dose given, and the
//! monitoring after it. Every answer is an `Option`: `None` is unknown, never "no".
//!
//! [`check`] refuses what cannot be true (impossible vitals, a dose over the site maximum, a
//! session dated before its course, a dose on a deferred session), naming the field, whatever the
//! state of the draft; [`still_needed`] lists what a session must have before it is finalised.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::macros::format_description;
use time::Date;

use crate::dosing::{self, DosingRules, DosingSite, EsketamineRequest, IvRequest};
use crate::engine::Determination;
use crate::error::InputError;
use crate::model::{AnswerKind, Assessment, Route, QUESTIONS};
use crate::policy::SitePolicy;
use crate::pre_dose::{self, Gate, GateDecision, PreDoseReadings};
use crate::ruleset::RuleSet;

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

fn field(path: &str, message: impl Into<String>) -> InputError {
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

/// The range the assessment allows for one of its number questions (one place: model::QUESTIONS).
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

/// The dose calculator's answer for a session, as its screen shows it beside the dose field.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Calculator {
    IvKetamine {
        dose: dosing::IvDose,
    },
    Esketamine {
        dose: dosing::EsketamineDose,
    },
    /// Not worked out: what it needs, in words, and the field.
    Unavailable {
        field: String,
        reason: String,
    },
}

/// The IV request of a session: today's weight, else the assessment's, with its height and sex.
fn iv_request(ctx: &Context, session: &Session) -> Option<IvRequest> {
    let weight = session.dose.weight_kg.or(ctx.assessment.patient.weight_kg)?;
    Some(IvRequest {
        weight_kg: weight,
        height_cm: ctx.assessment.patient.height_cm,
        sex: ctx.assessment.patient.sex,
        ..IvRequest::default()
    })
}

/// The esketamine request of a session: the next dose of the course, at the assessment's age.
fn esketamine_request(ctx: &Context) -> Option<EsketamineRequest> {
    let age = ctx.assessment.patient.age_years?;
    Some(EsketamineRequest { session: ctx.treated_before + 1, age_years: age.floor() as u32 })
}

/// What the calculator gives for this session at the site's settings, with its arithmetic.
pub fn calculator(ctx: &Context, session: &Session) -> Calculator {
    let unavailable = |field: &str, reason: String| Calculator::Unavailable { field: field.into(), reason };
    match ctx.course.route {
        Route::IvKetamine => match iv_request(ctx, session) {
            None => unavailable("dose.weight_kg", "today's weight is needed (the assessment has none)".into()),
            Some(req) => match dosing::iv_ketamine(ctx.dosing, ctx.site, &req) {
                Ok(dose) => Calculator::IvKetamine { dose },
                Err(e) => unavailable(&format!("dose.{}", e.path().unwrap_or("weight_kg")), e.to_string()),
            },
        },
        Route::EsketamineNasal => match esketamine_request(ctx) {
            None => unavailable("patient.age_years", "the assessment does not give the patient's age".into()),
            Some(req) => match dosing::esketamine(ctx.dosing, ctx.site, &req) {
                Ok(dose) => Calculator::Esketamine { dose },
                Err(e) => unavailable(&format!("dose.{}", e.path().unwrap_or("session")), e.to_string()),
            },
        },
    }
}

/// What the calculator gives for this session (IV: the dose at the site's settings; esketamine:
/// the doses the label allows at this session), or `None` when it cannot be worked out yet.
pub fn calculated_doses(ctx: &Context, session: &Session) -> Result<Option<Vec<f64>>, InputError> {
    match ctx.course.route {
        Route::IvKetamine => {
            let Some(req) = iv_request(ctx, session) else { return Ok(None) };
            // A site basis the assessment cannot give (ideal or adjusted weight without a height
            // or sex) gives no calculated dose: whatever is given then needs its reason.
            match dosing::iv_ketamine(ctx.dosing, ctx.site, &req) {
                Ok(d) => Ok(Some(vec![d.dose_mg])),
                Err(InputError::Field { ref path, .. }) if path == "height_cm" || path == "sex" => Ok(Some(vec![])),
                Err(e) => Err(prefix("dose", e)),
            }
        }
        Route::EsketamineNasal => {
            let Some(req) = esketamine_request(ctx) else { return Ok(None) };
            let d = dosing::esketamine(ctx.dosing, ctx.site, &req).map_err(|e| prefix("dose", e))?;
            Ok(Some(d.allowed_doses_mg.iter().map(|&m| f64::from(m)).collect()))
        }
    }
}

fn prefix(path: &str, e: InputError) -> InputError {
    match e {
        InputError::Field { path: p, message } => InputError::Field { path: format!("{path}.{p}"), message },
        other => other,
    }
}

/// The pre-dose gate on the session's readings.
pub fn gate(ctx: &Context, session: &Session) -> Result<Gate, InputError> {
    pre_dose::pre_dose(ctx.assessment, ctx.rules, ctx.policy, &session.pre_dose.gate)
        .map_err(|e| prefix("pre_dose.gate", e))
}

/// Every text of a session within its documented maximum (docs/session-v1.md).
fn check_lengths(s: &Session) -> Result<(), InputError> {
    use crate::model::{check_length, check_line, NOTE_MAX_CHARS, SHORT_TEXT_MAX_CHARS};
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
    let gate = gate(ctx, session)?;
    number_in("pre_dose.heart_rate_bpm", session.pre_dose.heart_rate_bpm, HEART_RATE_BPM, "bpm")?;

    let d = &session.dose;
    let limits = &ctx.dosing.iv_ketamine.limits;
    number_in("dose.weight_kg", d.weight_kg, (limits.weight_kg[0], limits.weight_kg[1]), "kg")?;
    if let Some(t) = &d.start_time {
        parse_time("dose.start_time", t)?;
    }
    let dose_recorded =
        d.dose_mg.is_some() || d.start_time.is_some() || d.device_times.as_ref().is_some_and(|t| !t.is_empty());
    if dose_recorded && matches!(gate.decision, GateDecision::Defer | GateDecision::Reassess) {
        let why = gate.findings.iter().find(|f| f.level == crate::ruleset::Level::Defer).map_or_else(
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
        let gap = ctx.dosing.esketamine.minutes_between_devices;
        let mut last: Option<u32> = None;
        for (i, t) in times.iter().enumerate() {
            let path = format!("dose.device_times[{i}]");
            let at = parse_time(&path, t)?;
            // 23:58 then 00:03 is five minutes later, past midnight.
            let at = last.map_or(at, |prev| crate::session_checks::after_midnight(prev, at));
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
        if let (Some(mg), false) = (d.dose_mg, times.is_empty()) {
            let devices = (mg / f64::from(ctx.dosing.esketamine.device_mg)).round() as usize;
            if devices != times.len() {
                return Err(field(
                    "dose.device_times",
                    format!("{} device times for {mg} mg ({devices} devices)", times.len()),
                ));
            }
        }
    }

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
    crate::session_checks::check(ctx, session)?;
    Ok(gate)
}

/// The finding a note on `rule` answers, as the gate reads it now (its messages, in order).
pub fn finding_text(gate: &Gate, rule: &str) -> String {
    gate.findings.iter().filter(|f| &*f.rule == rule).map(|f| f.message.as_str()).collect::<Vec<_>>().join(" ")
}

/// Everything a note of this session answers, as it reads now: each gate finding (by rule id)
/// and each alert after the dose or on the weight (by field).
fn acknowledgeable(ctx: &Context, gate: &Gate, s: &Session) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> =
        gate.findings.iter().map(|f| (f.rule.to_string(), finding_text(gate, &f.rule))).collect();
    out.extend(crate::session_checks::alerts(ctx, s).into_iter().map(|a| (a.key, a.message)));
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
    let p = &session.pre_dose;
    let esketamine = ctx.course.route == Route::EsketamineNasal;
    let mut want = |path: &str, known: bool| {
        if !known {
            needed.push(path.to_string());
        }
    };
    want("pre_dose.heart_rate_bpm", p.heart_rate_bpm.is_some());
    // No dose without consent, nor esketamine without REMS enrolment: only "yes" will do.
    want("pre_dose.consent_on_file", p.consent_on_file == Some(true));
    if esketamine {
        want("pre_dose.rems_enrolled", p.rems_enrolled == Some(true));
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
            None => want(path, false),
            Some(false) => want(&format!("acknowledgements.{path}"), noted(path)),
            Some(true) => {}
        }
    }
    let d = &session.dose;
    want("dose.dose_mg", d.dose_mg.is_some());
    want("dose.lot_number", d.lot_number.as_deref().is_some_and(|l| !l.trim().is_empty()));
    want("dose.start_time", d.start_time.is_some());
    if esketamine {
        want("dose.device_times", d.device_times.as_ref().is_some_and(|t| !t.is_empty()));
    }
    if let (Some(mg), Some(calculated)) = (d.dose_mg, calculated_doses(ctx, session)?) {
        let half_step = ctx.dosing.iv_ketamine.dose_step_mg / 2.0;
        let matches = calculated.iter().any(|c| (c - mg).abs() < half_step);
        let reason = d.reason_outside_calculator.as_deref().is_some_and(|r| !r.trim().is_empty());
        want("dose.reason_outside_calculator", matches || reason);
    }
    let m = &session.monitoring;
    want("monitoring.bp_40_min", m.bp_40_min.systolic_mmhg.is_some() && m.bp_40_min.diastolic_mmhg.is_some());
    want(
        "monitoring.bp_before_discharge",
        m.bp_before_discharge.systolic_mmhg.is_some() && m.bp_before_discharge.diastolic_mmhg.is_some(),
    );
    want("monitoring.spo2_lowest_percent", m.spo2_lowest_percent.is_some());
    want("monitoring.moaas_lowest", m.moaas_lowest.is_some());
    want("monitoring.dissociation", m.dissociation.is_some());
    want("monitoring.respiratory_depression", m.respiratory_depression.is_some());
    want("monitoring.other_adverse_events", m.other_adverse_events.is_some());
    want("monitoring.total_monitoring_minutes", m.total_monitoring_minutes.is_some());
    want("monitoring.effects_resolved", m.effects_resolved.is_some() || m.discharged == Some(false));
    let transferred = m.transferred.as_deref().is_some_and(|t| !t.trim().is_empty());
    match m.discharged {
        Some(true) => {}
        Some(false) => want("monitoring.transferred", transferred),
        None => want("monitoring.discharged", false),
    }
    if esketamine {
        want("monitoring.ready_to_leave_minutes", m.ready_to_leave_minutes.is_some());
    }
    // A reading after the dose above the precaution line, or a weight far from the assessment's:
    // the clinician's note, written for the reading as it is now.
    for alert in crate::session_checks::alerts(ctx, session) {
        let written = noted(&alert.key) && !stale.contains_key(&alert.key);
        want(&format!("acknowledgements.{}", alert.key), written);
    }
    Ok(needed)
}

/// Reads a session file, naming the field at fault.
pub fn parse_session(text: &str) -> Result<Session, InputError> {
    crate::strict_json::from_str(text)
}
