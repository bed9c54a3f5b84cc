//! A course's outcomes from its finalised scale administrations: each follow-up against the
//! baseline in force, response and remission, urgent alerts, and when the benefit review falls.

use super::administrations::{AdministrationRecord, Baseline};
use super::courses::{field, load_course, treated_before};
use super::{RecordStatus, Result, Store};
use crate::outcomes::administration::ScalesSite;
use crate::outcomes::benefit::OutcomeRules;
use crate::outcomes::scales::{SafetyAlert, Scale, ScaleBand, ScaleRef, Scales};
use crate::outcomes::score::Score;
use serde::{Deserialize, Serialize};

/// One administration on the course's outcome view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct OutcomePoint {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub administration_id: i64,
    pub date: String,
    pub session_number: Option<u32>,
    pub baseline: bool,
    pub status: RecordStatus,
    pub version: u32,
    /// A finalised administration judged against the baseline in force now (a draft has none).
    pub score: Option<Score>,
    /// The safety alerts of its answers (a draft's too), with the clinician's note.
    pub alerts: Vec<SafetyAlert>,
    pub safety_note: Option<String>,
}

/// A scale over the course: its bands and rules (for the chart), the baseline and every point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct ScaleOutcome {
    pub scale: ScaleRef,
    pub title: String,
    pub max_total: u32,
    pub bands: Vec<ScaleBand>,
    pub baseline: Option<Baseline>,
    /// The totals at and below which a follow-up counts as a response (with the baseline) and as
    /// remission, for the chart's lines.
    pub response_at_most: Option<u32>,
    pub remission_at_most: u32,
    pub remission_rule: String,
    pub points: Vec<OutcomePoint>,
}

/// The label's benefit review point and what the scales say there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct BenefitReview {
    /// The review point has been reached (treatments or days).
    pub due: bool,
    pub treatments: u32,
    pub days: Option<u32>,
    /// Once due: whether the latest follow-up of any scale meets response; none without a
    /// follow-up against a baseline (unknown, never "no").
    pub responding: Option<bool>,
    /// What the clinician is told once due and not responding, or without a follow-up.
    pub message: Option<String>,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct CourseOutcomes {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub course_id: i64,
    pub scales: Vec<ScaleOutcome>,
    pub review: BenefitReview,
    /// Every safety alert of the course, newest first.
    pub alerts: Vec<CourseAlert>,
}

/// A safety alert of one of the course's administrations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CourseAlert {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub administration_id: i64,
    pub scale: String,
    pub date: String,
    pub alert: SafetyAlert,
    pub safety_note: Option<String>,
}

pub(crate) fn days_between(from: &str, to: &str) -> Option<u32> {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    let (a, b) = (time::Date::parse(from, f).ok()?, time::Date::parse(to, f).ok()?);
    u32::try_from((b - a).whole_days()).ok()
}

impl Store {
    /// The course's outcomes: each scale's baseline and administrations (every finalised one
    /// judged again against the baseline in force and the site's remission choice), the safety
    /// alerts, and the benefit review point as of `today` (YYYY-MM-DD).
    pub fn course_outcomes(&self, course_id: i64, site: &ScalesSite, today: &str) -> Result<CourseOutcomes> {
        let course = load_course(&self.conn, course_id)?;
        let records = self.administrations_of(course_id)?;
        let scales = Scales::embedded().map_err(|e| field("scale", e.to_string()))?;
        let rules = OutcomeRules::embedded().map_err(|e| field("outcomes", e.to_string()))?;
        let mut out = Vec::new();
        let mut alerts = Vec::new();
        let mut responding: Option<bool> = None;
        for scale in &scales.scales {
            let id = &scale.scale.id;
            let baseline = self.baseline_of(course_id, id)?;
            let threshold = site.remission_threshold(id).unwrap_or(scale.remission.default);
            let points = points_of(scale, &records, (baseline.as_ref(), threshold), &mut alerts);
            // The latest finalised follow-up with a response judged.
            if let Some(met) = points
                .iter()
                .rev()
                .filter(|p| !p.baseline)
                .find_map(|p| p.score.as_ref().and_then(|s| s.response.as_ref()).map(|r| r.met))
            {
                responding = Some(responding.unwrap_or(false) || met);
            }
            let response_at_most = baseline.as_ref().filter(|b| b.total > 0).map(|b| scale.response_at_most(b.total));
            let remission_at_most = scale.remission_at_most(threshold);
            out.push(ScaleOutcome {
                scale: scale.reference(),
                title: scale.scale.title.clone(),
                max_total: scale.max_total(),
                bands: scale.bands.clone(),
                baseline,
                response_at_most,
                remission_at_most,
                remission_rule: scale.remission_rule(threshold),
                points,
            });
        }
        alerts.reverse();
        let rule = &rules.benefit_review;
        let treatments = treated_before(&self.conn, course_id, u32::MAX)?;
        let days = days_between(&course.started_on, today);
        let due = treatments >= rule.after_treatments || days.is_some_and(|d| d >= rule.after_days);
        let message = match (due, responding) {
            (false, _) | (true, Some(true)) => None,
            (true, Some(false)) => Some(rule.no_response.clone()),
            (true, None) => Some(rule.no_follow_up.clone()),
        };
        Ok(CourseOutcomes {
            course_id,
            scales: out,
            review: BenefitReview {
                due,
                treatments,
                days,
                responding: if due { responding } else { None },
                message,
                source: rule.source.clone(),
            },
            alerts,
        })
    }
}

/// One scale's administrations as points of the outcome view, each judged against the baseline
/// in force; their safety alerts added to `alerts`.
fn points_of(
    scale: &Scale,
    records: &[AdministrationRecord],
    (baseline, threshold): (Option<&Baseline>, u32),
    alerts: &mut Vec<CourseAlert>,
) -> Vec<OutcomePoint> {
    let mut points = Vec::new();
    let id = &scale.scale.id;
    for r in records.iter().filter(|r| &r.administration.scale == id) {
        let a = &r.administration;
        let against = if a.baseline { None } else { baseline.as_ref().map(|b| b.total) };
        // A score that cannot be worked out (a stored record this version cannot judge)
        // is shown as unknown; its safety alerts are shown whatever the score.
        let score = match (r.status, a.answers()) {
            (RecordStatus::Final, Some(items)) => scale.score(&items, against, Some(threshold)).ok(),
            _ => None,
        };
        let point_alerts = a.alerts(scale);
        alerts.extend(point_alerts.iter().map(|x| CourseAlert {
            administration_id: r.id,
            scale: scale.scale.name.clone(),
            date: a.date.clone(),
            alert: x.clone(),
            safety_note: a.safety_note.clone(),
        }));
        points.push(OutcomePoint {
            administration_id: r.id,
            date: a.date.clone(),
            session_number: a.session_number,
            baseline: a.baseline,
            status: r.status,
            version: r.version,
            score,
            alerts: point_alerts,
            safety_note: a.safety_note.clone(),
        });
    }
    points
}
