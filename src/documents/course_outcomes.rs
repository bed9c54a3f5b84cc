//! The outcome scales of a course as its summaries print them: urgent alerts, each scale's table
//! and chart against its baseline, and the benefit review.

use crate::documents::course_sessions::*;
use crate::documents::outcome_chart::{blood_pressure_chart, scale_chart, Chart};
use crate::eligibility::input::FmtNum;
use crate::records::{BaselineOrigin, CourseOutcomes, OutcomePoint, RecordStatus, SessionRecord};

/// A scale over the course as the documents print it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScalePart {
    pub title: String,
    /// Where the baseline comes from, and the rules the follow-ups are judged with.
    pub lines: Vec<String>,
    /// In [`ScalePart::COLUMNS`] order.
    pub rows: Vec<Vec<String>>,
    pub chart: Option<Chart>,
}

impl ScalePart {
    pub const COLUMNS: [&'static str; 9] =
        ["Date", "Session", "Total", "Band", "Change", "Response", "Remission", "Safety item", "Status"];
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct OutcomesPart {
    /// Every urgent safety alert of the course, with the item's answer and the clinician's note.
    pub alerts: Vec<String>,
    pub scales: Vec<ScalePart>,
    /// The benefit review's message once it is due and no response is shown.
    pub review: Option<String>,
    pub blood_pressure: Option<Chart>,
}

/// The width of the documents' charts, in points (within an A4 page's margins).
pub(crate) const CHART_WIDTH: f32 = 495.0;

impl OutcomesPart {
    /// From the course's outcomes; for a session summary (`only`), the administrations taken at
    /// that session, and every urgent alert of the course (a safety answer is never left off a
    /// document of the patient's treatment).
    pub fn new(o: &CourseOutcomes, started_on: &str, sessions: &[SessionRecord], only: Option<u32>) -> OutcomesPart {
        let mut alerts = Vec::new();
        let mut scales = Vec::new();
        for scale in &o.scales {
            alerts.extend(alert_lines(scale));
            let points: Vec<&OutcomePoint> =
                scale.points.iter().filter(|p| only.is_none() || p.session_number == only).collect();
            if points.is_empty() {
                continue;
            }
            let rows = points.iter().map(|p| point_row(p)).collect();
            let mut lines = vec![match &scale.baseline {
                Some(b) => format!(
                    "Baseline {} ({}{})",
                    b.total,
                    match b.origin {
                        BaselineOrigin::Administration => "this course's baseline administration",
                        BaselineOrigin::Assessment => "the total recorded in the assessment",
                    },
                    b.date.as_deref().map_or(String::new(), |d| format!(", {d}"))
                ),
                None => "No baseline: change and response cannot be judged".into(),
            }];
            if let Some(sc) = points.iter().rev().find_map(|p| p.score.as_ref()) {
                if let Some(r) = &sc.response {
                    lines.push(format!("Response: {}. Source: {}", r.rule, r.source));
                }
                lines.push(format!("Remission: {}. Source: {}", sc.remission.rule, sc.remission.source));
            }
            scales.push(ScalePart {
                title: format!("{} — {}", scale.scale.name, scale.title),
                lines,
                rows,
                chart: if only.is_none() { scale_chart(scale, started_on, sessions, CHART_WIDTH) } else { None },
            });
        }
        OutcomesPart {
            alerts,
            scales,
            review: if only.is_none() { o.review.message.clone() } else { None },
            blood_pressure: if only.is_none() { blood_pressure_chart(started_on, sessions, CHART_WIDTH) } else { None },
        }
    }
}

/// The urgent alerts of a scale's administrations, each with the clinician's note (or that it is
/// still needed).
fn alert_lines(scale: &crate::records::ScaleOutcome) -> Vec<String> {
    let mut alerts = Vec::new();
    for p in &scale.points {
        for a in &p.alerts {
            let note =
                p.safety_note.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(crate::documents::bidi::note);
            alerts.push(format!(
                "URGENT — {} {} item {} ({}): answered {} ({}). {} Clinician's note: {}",
                scale.scale.name,
                p.date,
                a.item,
                a.label,
                a.answer,
                a.answer_label,
                a.message,
                note.unwrap_or_else(|| "none yet (needed before it is finalised)".into())
            ));
        }
    }
    alerts
}

/// One administration's row of the scale's table.
fn point_row(p: &OutcomePoint) -> Vec<String> {
    let sc = p.score.as_ref();
    vec![
        p.date.clone(),
        if p.baseline { "baseline".into() } else { p.session_number.map_or("—".into(), |n| n.to_string()) },
        sc.map_or(UNKNOWN.into(), |s| format!("{}/{}", s.total, s.max_total)),
        sc.map_or(UNKNOWN.into(), |s| s.band.clone()),
        match sc.and_then(|s| Some((s.change_points?, s.change_percent))) {
            Some((d, Some(pc))) => format!("{d:+} ({}%)", FmtNum(pc)),
            Some((d, None)) => format!("{d:+}"),
            // The baseline itself; a follow-up without a baseline: not known.
            None if p.baseline => "—".into(),
            None => UNKNOWN.into(),
        },
        sc.and_then(|s| s.response.as_ref()).map_or("—".into(), |j| yes_no(Some(j.met))),
        sc.map_or(UNKNOWN.into(), |s| yes_no(Some(s.remission.met))),
        if p.alerts.is_empty() {
            "—".into()
        } else {
            p.alerts.iter().map(|a| format!("URGENT item {} = {}", a.item, a.answer)).collect::<Vec<_>>().join("; ")
        },
        match p.status {
            RecordStatus::Draft => "DRAFT".to_string(),
            RecordStatus::Final if p.version > 1 => format!("Final (version {})", p.version),
            RecordStatus::Final => "Final".into(),
        },
    ]
}
