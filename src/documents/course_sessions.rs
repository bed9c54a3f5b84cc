//! One session of a course as the course and session summaries print it: its row of the course
//! table and its sections (pre-dose, dose, monitoring, discharge), unknown said as unknown.

use crate::documents::bidi::isolate;
use crate::eligibility::input::FmtNum;
use crate::records::{RecordStatus, SessionRecord};
use crate::treatment::session::{BloodPressure, DoseGiven, Monitoring, OtherEvents, PreDose, Session};

/// What the documents print for an answer not recorded.
pub(crate) const UNKNOWN: &str = "Unknown";

/// One session as the documents print it.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionPart {
    pub number: u32,
    pub date: String,
    pub draft: bool,
    pub status: String,
    pub outcome: String,
    pub schedule: String,
    pub gate: String,
    /// (rule, sentence, source) of each gate finding.
    pub findings: Vec<(String, String, String)>,
    /// (rule, the clinician's note).
    pub acknowledgements: Vec<(String, String)>,
    /// The row of the course table, in [`CourseSummary::COLUMNS`] order.
    pub row: Vec<String>,
    /// Section title and its (label, value) lines.
    pub details: Vec<(&'static str, Vec<(&'static str, String)>)>,
}

pub(crate) fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or(UNKNOWN.into(), |v| v.to_string())
}

pub(crate) fn num(v: Option<f64>, unit: &str) -> String {
    v.map_or(UNKNOWN.into(), |v| format!("{}{unit}", FmtNum(v)))
}

pub(crate) fn yes_no(v: Option<bool>) -> String {
    v.map_or(UNKNOWN, |b| if b { "Yes" } else { "No" }).into()
}

pub(crate) fn bp(b: &BloodPressure) -> String {
    match (b.systolic_mmhg, b.diastolic_mmhg) {
        (Some(s), Some(d)) => format!("{}/{}", FmtNum(s), FmtNum(d)),
        (None, None) => UNKNOWN.into(),
        (s, d) => format!(
            "{}/{}",
            s.map_or("?".into(), |v| FmtNum(v).to_string()),
            d.map_or("?".into(), |v| FmtNum(v).to_string())
        ),
    }
}

pub(crate) fn text(v: &Option<String>) -> String {
    match v.as_deref().map(str::trim) {
        None | Some("") => UNKNOWN.into(),
        Some(t) => t.into(),
    }
}

/// The adverse effects in one phrase: "dissociation; other: nausea", "none", or what is unknown.
pub(crate) fn adverse(s: &Session) -> String {
    let m = &s.monitoring;
    let mut seen = Vec::new();
    let mut unknown = Vec::new();
    for (name, v) in [("dissociation", m.dissociation), ("respiratory depression", m.respiratory_depression)] {
        match v {
            Some(true) => seen.push(name.to_string()),
            Some(false) => {}
            None => unknown.push(name),
        }
    }
    match m.other_events() {
        OtherEvents::Unknown => unknown.push("other events"),
        OtherEvents::None => {}
        OtherEvents::Some(t) => seen.push(format!("other: {}", crate::documents::bidi::note(t))),
    }
    if let Some(moaas) = m.moaas_lowest.filter(|&v| v < 5) {
        seen.insert(0, format!("sedation (MOAA/S {moaas})"));
    }
    let mut out = if seen.is_empty() && unknown.is_empty() { "none".to_string() } else { seen.join("; ") };
    if !unknown.is_empty() {
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(&format!("unknown: {}", unknown.join(", ")));
    }
    out
}

impl SessionPart {
    pub(crate) fn new(rec: &SessionRecord, schedule: &str) -> SessionPart {
        let s = &rec.session;
        let (p, d, m) = (&s.pre_dose, &s.dose, &s.monitoring);
        let draft = rec.status == RecordStatus::Draft;
        let (outcome, status) = status_of(rec, draft);
        let gate = rec.gate.as_ref();
        let treated = rec.outcome.is_none_or(|o| o == crate::records::SessionOutcome::Treated);
        let dose = if treated { num(d.dose_mg, " mg") } else { "—".into() };
        let pre_bp = bp(&BloodPressure { systolic_mmhg: p.gate.systolic_mmhg, diastolic_mmhg: p.gate.diastolic_mmhg });
        let row = vec![
            s.number.to_string(),
            s.date.clone(),
            schedule.to_string(),
            outcome.clone(),
            dose.clone(),
            pre_bp.clone(),
            if treated { bp(&m.bp_40_min) } else { "—".into() },
            if treated { bp(&m.bp_before_discharge) } else { "—".into() },
            num(p.heart_rate_bpm, ""),
            if treated { num(m.spo2_lowest_percent, " %") } else { num(p.gate.spo2_percent, " %") },
            if treated { opt(m.moaas_lowest) } else { "—".into() },
            if treated { adverse(s) } else { "—".into() },
        ];
        let dose_lines = dose_lines(d, dose);
        let mut details = vec![("Before the dose", before_dose_lines(p, pre_bp))];
        if p.rems_enrolled.is_some() {
            details[0].1.push(("Enrolled in the SPRAVATO REMS", yes_no(p.rems_enrolled)));
        }
        if treated {
            details.push(("Dose", dose_lines));
            details.push(("Monitoring", monitoring_lines(m)));
            if let Some(t) = m.transferred.as_deref().filter(|t| !t.trim().is_empty()) {
                if let Some(last) = details.last_mut() {
                    last.1.push(("Transferred", crate::documents::bidi::note(t)));
                }
            }
        }
        SessionPart {
            number: s.number,
            date: s.date.clone(),
            draft,
            status,
            outcome,
            schedule: schedule.to_string(),
            gate: gate.map_or("Not judged yet (judged when the session is finalised)".into(), |g| {
                g.decision.title().to_string()
            }),
            findings: gate
                .map(|g| {
                    g.findings.iter().map(|f| (f.rule.to_string(), f.message.clone(), f.source.to_string())).collect()
                })
                .unwrap_or_default(),
            acknowledgements: s
                .acknowledgements
                .iter()
                .map(|(k, v)| (k.clone(), crate::documents::bidi::note(v)))
                .collect(),
            row,
            details,
        }
    }
}

type Lines = Vec<(&'static str, String)>;

/// The session's outcome and its status line (who finalised it and when, which version).
fn status_of(rec: &SessionRecord, draft: bool) -> (String, String) {
    let outcome = match (draft, rec.outcome) {
        (true, _) => "Draft".to_string(),
        (false, Some(o)) => o.title().to_string(),
        (false, None) => "Final".to_string(),
    };
    let status = match (&rec.finalised_by, &rec.finalised_at) {
        (Some(by), Some(at)) if !draft => format!("Final (finalised by {}, {at})", isolate(by)),
        _ => "DRAFT (not finalised)".into(),
    };
    // An amendment says so: the version it amends is kept as it was signed.
    let status = if rec.version > 1 {
        format!("{status}; version {}, amending the version signed before it (kept unchanged)", rec.version)
    } else {
        status
    };
    (outcome, status)
}

/// The dose section: the dose, weight, lot, start and device times, a reason for a dose outside
/// the calculator.
fn dose_lines(d: &DoseGiven, dose: String) -> Lines {
    let devices =
        d.device_times.as_ref().map_or(UNKNOWN.into(), |t| if t.is_empty() { "none".into() } else { t.join(", ") });
    let mut dose_lines = vec![
        ("Dose given", dose),
        ("Weight on the day", num(d.weight_kg, " kg")),
        ("Lot number", text(&d.lot_number)),
        ("Start time", text(&d.start_time)),
    ];
    if d.device_times.is_some() {
        dose_lines.push(("Device times", devices));
    }
    if let Some(r) = d.reason_outside_calculator.as_deref().filter(|r| !r.trim().is_empty()) {
        dose_lines.push(("Reason for a dose outside the calculator", crate::documents::bidi::note(r)));
    }
    dose_lines
}

/// The section before the dose: readings, fasting, transport, driving and consent.
fn before_dose_lines(p: &PreDose, pre_bp: String) -> Lines {
    let repeat =
        BloodPressure { systolic_mmhg: p.gate.repeat_systolic_mmhg, diastolic_mmhg: p.gate.repeat_diastolic_mmhg };
    vec![
        ("Blood pressure (mmHg)", pre_bp),
        (
            "Repeat after rest (mmHg)",
            if repeat.systolic_mmhg.is_none() && repeat.diastolic_mmhg.is_none() {
                "not taken".into()
            } else {
                bp(&repeat)
            },
        ),
        ("Heart rate", num(p.heart_rate_bpm, " bpm")),
        ("SpO₂", num(p.gate.spo2_percent, " %")),
        ("Anything new since the assessment", yes_no(p.gate.new_since_assessment)),
        ("Fasted as instructed", yes_no(p.fasted_as_instructed)),
        ("Escort or transport home", yes_no(p.transport_home)),
        ("No driving until the next day after sleep", yes_no(p.no_driving_advised)),
        ("Consent on file", yes_no(p.consent_on_file)),
    ]
}

/// The monitoring section after the dose.
fn monitoring_lines(m: &Monitoring) -> Lines {
    vec![
        ("Blood pressure about 40 minutes after (mmHg)", bp(&m.bp_40_min)),
        ("Blood pressure before discharge (mmHg)", bp(&m.bp_before_discharge)),
        ("Lowest SpO₂", num(m.spo2_lowest_percent, " %")),
        ("Deepest sedation (MOAA/S, 5 = responds readily)", opt(m.moaas_lowest)),
        ("Dissociation", yes_no(m.dissociation)),
        ("Respiratory depression", yes_no(m.respiratory_depression)),
        (
            "Other adverse events",
            match m.other_events() {
                OtherEvents::Unknown => UNKNOWN.into(),
                OtherEvents::None => "None".into(),
                OtherEvents::Some(t) => crate::documents::bidi::note(t),
            },
        ),
        ("Would have been ready to leave after (min)", opt(m.ready_to_leave_minutes)),
        ("Total monitoring (min)", opt(m.total_monitoring_minutes)),
        ("Effects resolved", yes_no(m.effects_resolved)),
        ("Discharged home", yes_no(m.discharged)),
    ]
}
