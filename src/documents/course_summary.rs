//! The course summary (every session in order: schedule, outcome, dose, vital signs over time,
//! then each session in full) and the session summary (the same document for one session), as
//! self-contained HTML and as PDF. What is unknown is printed as "Unknown", never left blank.

use crate::documents::bidi::isolate;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::documents::outcome_chart::{blood_pressure_chart, scale_chart, Chart};
use crate::documents::pdf::{self, Layout, PdfError, Weight, BLACK, BODY, GREY, RED, SMALL};
use crate::eligibility::input::FmtNum;
use crate::eligibility::ruleset::RuleSet;
use crate::records::clinic_details::Paper;
use crate::records::{
    BaselineOrigin, CourseOutcomes, CourseOverview, OutcomePoint, Patient, RecordStatus, SessionRecord, StorageError,
    Store,
};
use crate::treatment::dosing::DosingRules;
use crate::treatment::session::{BloodPressure, OtherEvents, Session};

const UNKNOWN: &str = "Unknown";

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

#[derive(Debug, Clone, PartialEq)]
pub struct CourseSummary {
    pub title: String,
    pub mrn: String,
    pub header: Vec<(&'static str, String)>,
    pub next: Option<String>,
    pub sessions: Vec<SessionPart>,
    /// The outcome scales: urgent alerts, each scale's table and chart, the benefit review.
    pub outcomes: OutcomesPart,
    pub footer: Vec<String>,
}

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
const CHART_WIDTH: f32 = 495.0;

impl OutcomesPart {
    /// From the course's outcomes; for a session summary (`only`), the administrations taken at
    /// that session, and every urgent alert of the course (a safety answer is never left off a
    /// document of the patient's treatment).
    pub fn new(o: &CourseOutcomes, started_on: &str, sessions: &[SessionRecord], only: Option<u32>) -> OutcomesPart {
        let mut alerts = Vec::new();
        let mut scales = Vec::new();
        for scale in &o.scales {
            for p in &scale.points {
                for a in &p.alerts {
                    let note = p
                        .safety_note
                        .as_deref()
                        .map(str::trim)
                        .filter(|n| !n.is_empty())
                        .map(crate::documents::bidi::note);
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
            let points: Vec<&OutcomePoint> =
                scale.points.iter().filter(|p| only.is_none() || p.session_number == only).collect();
            if points.is_empty() {
                continue;
            }
            let rows = points
                .iter()
                .map(|p| {
                    let sc = p.score.as_ref();
                    vec![
                        p.date.clone(),
                        if p.baseline {
                            "baseline".into()
                        } else {
                            p.session_number.map_or("—".into(), |n| n.to_string())
                        },
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
                            p.alerts
                                .iter()
                                .map(|a| format!("URGENT item {} = {}", a.item, a.answer))
                                .collect::<Vec<_>>()
                                .join("; ")
                        },
                        match p.status {
                            RecordStatus::Draft => "DRAFT".to_string(),
                            RecordStatus::Final if p.version > 1 => format!("Final (version {})", p.version),
                            RecordStatus::Final => "Final".into(),
                        },
                    ]
                })
                .collect();
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

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or(UNKNOWN.into(), |v| v.to_string())
}

fn num(v: Option<f64>, unit: &str) -> String {
    v.map_or(UNKNOWN.into(), |v| format!("{}{unit}", FmtNum(v)))
}

fn yes_no(v: Option<bool>) -> String {
    v.map_or(UNKNOWN, |b| if b { "Yes" } else { "No" }).into()
}

fn bp(b: &BloodPressure) -> String {
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

fn text(v: &Option<String>) -> String {
    match v.as_deref().map(str::trim) {
        None | Some("") => UNKNOWN.into(),
        Some(t) => t.into(),
    }
}

/// The adverse effects in one phrase: "dissociation; other: nausea", "none", or what is unknown.
fn adverse(s: &Session) -> String {
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
    fn new(rec: &SessionRecord, schedule: &str) -> SessionPart {
        let s = &rec.session;
        let (p, d, m) = (&s.pre_dose, &s.dose, &s.monitoring);
        let draft = rec.status == RecordStatus::Draft;
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
        let gate = rec.gate.as_ref();
        let treated = rec.outcome.is_none_or(|o| o == crate::records::SessionOutcome::Treated);
        let dose = if treated { num(d.dose_mg, " mg") } else { "—".into() };
        let pre_bp = bp(&BloodPressure { systolic_mmhg: p.gate.systolic_mmhg, diastolic_mmhg: p.gate.diastolic_mmhg });
        let repeat =
            BloodPressure { systolic_mmhg: p.gate.repeat_systolic_mmhg, diastolic_mmhg: p.gate.repeat_diastolic_mmhg };
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
        let mut details = vec![(
            "Before the dose",
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
            ],
        )];
        if p.rems_enrolled.is_some() {
            details[0].1.push(("Enrolled in the SPRAVATO REMS", yes_no(p.rems_enrolled)));
        }
        if treated {
            details.push(("Dose", dose_lines));
            details.push((
                "Monitoring",
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
                ],
            ));
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

impl CourseSummary {
    /// The course table's columns.
    pub const COLUMNS: [&'static str; 12] = [
        "#",
        "Date",
        "Schedule",
        "Outcome",
        "Dose",
        "BP before",
        "BP 40 min",
        "BP discharge",
        "HR",
        "SpO₂ lowest",
        "MOAA/S",
        "Adverse effects",
    ];

    /// The course summary, or with `only` the summary of that one session of the course.
    pub fn new(
        overview: &CourseOverview,
        records: &[SessionRecord],
        patient: &Patient,
        rules: &RuleSet,
        dosing: &DosingRules,
        outcomes: &CourseOutcomes,
        only: Option<u32>,
    ) -> CourseSummary {
        let c = &overview.course;
        let route = rules
            .question("route")
            .map_or(c.route.as_str().to_string(), |q| q.option_label(c.route.as_str()).to_string());
        let mut sessions = Vec::new();
        for rec in records {
            let Some(listing) = overview.sessions.iter().find(|l| l.id == rec.id) else { continue };
            if only.is_some_and(|n| n != rec.session.number) {
                continue;
            }
            let step = &listing.schedule;
            let schedule = format!("{} (dose {})", step.phase.title(), step.dose_number);
            sessions.push(SessionPart::new(rec, &schedule));
        }
        let mut patient_line = vec![
            if patient.name.trim().is_empty() { "(no name)".to_string() } else { isolate(&patient.name).into_owned() },
            format!("MRN {}", isolate(&patient.mrn)),
        ];
        if let Some(dob) = &patient.date_of_birth {
            patient_line.push(format!("born {dob}"));
        }
        if let Some(sex) = patient.sex {
            patient_line.push(sex.as_str().into());
        }
        let header = vec![
            ("Patient", patient_line.join(" · ")),
            (
                "Course",
                format!(
                    "{route}, started {} by {}, from assessment {}",
                    c.started_on,
                    isolate(&c.started_by),
                    c.assessment_id
                ),
            ),
            ("Doses given", overview.treated.to_string()),
        ];
        let next = match (&overview.closed, only) {
            (_, Some(_)) => None,
            (Some(closed), None) => Some(format!("No next session: {closed}.")),
            (None, None) => {
                let n = &overview.next;
                Some(format!("Next: dose {} · {} · {} · {}", n.dose_number, n.phase.title(), n.weeks, n.frequency))
            }
        };
        let title = match only {
            Some(n) => format!("Treatment session {n} — summary"),
            None => "Treatment course — summary".into(),
        };
        let footer = vec![
            format!("Dosing rules {} version {} · sha256 {}", dosing.dosing.id, dosing.dosing.version, dosing.sha256),
            format!("Rule set {} version {} · sha256 {}", rules.meta.id, rules.meta.version, rules.sha256),
            "Each finalised session records the rule set, site policy and dosing rules it was judged with.".into(),
            rules.meta.disclaimer.clone(),
        ];
        let picked: Vec<SessionRecord> =
            records.iter().filter(|r| overview.sessions.iter().any(|l| l.id == r.id)).cloned().collect();
        let outcomes = OutcomesPart::new(outcomes, &c.started_on, &picked, only);
        CourseSummary { title, mrn: patient.mrn.clone(), header, next, sessions, outcomes, footer }
    }

    pub fn is_draft(&self) -> bool {
        self.sessions.iter().any(|s| s.draft)
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.sessions.iter().map(|s| s.row.clone()).collect()
    }

    /// The summary as a standalone HTML document (inline CSS, no script, nothing remote).
    pub fn to_html(&self, paper: Paper) -> String {
        let page = format!(
            "@page {{ size: {} landscape; margin: 14mm 12mm 16mm; }} .vitals td, .vitals th {{ font-size: 9pt; }}",
            paper.css()
        );
        let markup: Markup = html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (self.title) " — " (self.mrn) }
                    style { (PreEscaped(crate::documents::summary_html::STYLE)) (PreEscaped(page)) }
                }
                body {
                    @if self.is_draft() {
                        div.draft-mark aria-hidden="true" { "DRAFT" }
                        p.draft-banner { "DRAFT — a session is not finalised" }
                    }
                    h1 { (self.title) }
                    dl.header { @for (k, v) in &self.header { dt { (k) } dd { (v) } } }
                    @if let Some(n) = &self.next { p { (n) } }
                    @for a in &self.outcomes.alerts { p.urgent role="alert" { strong { (a) } } }
                    h2 { "Sessions and vital signs" }
                    @if self.sessions.is_empty() { p { "No sessions yet." } } @else {
                        table.vitals {
                            thead { tr { @for c in Self::COLUMNS { th scope="col" { (c) } } } }
                            tbody { @for r in self.rows() { tr { @for c in r { td { (c) } } } } }
                        }
                    }
                    @if let Some(c) = &self.outcomes.blood_pressure { figure { figcaption { (c.title) } (PreEscaped(c.to_svg())) } }
                    h2 { "Outcome scales" }
                    @if let Some(r) = &self.outcomes.review { p.urgent { strong { "Benefit review: " } (r) } }
                    @if self.outcomes.scales.is_empty() { p { "No scale administered." } }
                    @for sc in &self.outcomes.scales {
                        h3 { (sc.title) }
                        @for line in &sc.lines { p { (line) } }
                        @if let Some(c) = &sc.chart { figure { figcaption { (c.title) } (PreEscaped(c.to_svg())) } }
                        table.vitals {
                            thead { tr { @for c in ScalePart::COLUMNS { th scope="col" { (c) } } } }
                            tbody { @for r in &sc.rows { tr { @for c in r { td { (c) } } } } }
                        }
                    }
                    @for s in &self.sessions {
                        h2 { "Session " (s.number) " · " (s.date) " · " (s.outcome) }
                        p { (s.schedule) " · " (s.status) }
                        h3 { "Pre-dose gate: " (s.gate) }
                        @for (rule, message, source) in &s.findings {
                            div.finding { strong { (rule) } " " (message) div.source { "Source: " (source) } }
                        }
                        @for (rule, note) in &s.acknowledgements { p.ack { "Note on " (rule) ": " (note) } }
                        @for (title, lines) in &s.details {
                            h3 { (title) }
                            table { tbody { @for (k, v) in lines { tr { th scope="row" { (k) } td.(if v == UNKNOWN { "unknown" } else { "" }) { (v) } } } } }
                        }
                    }
                    div.footer { @for line in &self.footer { div { (line) } } }
                }
            }
        };
        markup.into_string()
    }

    /// The summary as PDF bytes.
    pub fn to_pdf(&self, paper: Paper) -> Result<Vec<u8>, PdfError> {
        let mut l = Layout::new(paper)?;
        l.paragraph(&self.title, Weight::Bold, 14.0, BLACK, 0.0);
        l.gap(2.0);
        for (k, v) in &self.header {
            l.paragraph(&format!("{k}: {v}"), Weight::Regular, BODY, BLACK, 0.0);
        }
        if let Some(n) = &self.next {
            l.paragraph(n, Weight::Regular, BODY, BLACK, 0.0);
        }
        for a in &self.outcomes.alerts {
            l.gap(2.0);
            l.paragraph(a, Weight::Bold, BODY, RED, 0.0);
        }
        l.heading("Sessions and vital signs", 11.5);
        if self.sessions.is_empty() {
            l.paragraph("No sessions yet.", Weight::Regular, BODY, BLACK, 0.0);
        } else {
            l.table(&Self::COLUMNS, &[0.3, 0.9, 1.0, 0.9, 0.6, 0.75, 0.75, 0.75, 0.4, 0.6, 0.5, 1.8], &self.rows());
        }
        if let Some(c) = &self.outcomes.blood_pressure {
            l.gap(4.0);
            l.chart(c);
        }
        l.heading("Outcome scales", 11.5);
        if let Some(r) = &self.outcomes.review {
            l.paragraph(&format!("Benefit review: {r}"), Weight::Bold, BODY, RED, 0.0);
        }
        if self.outcomes.scales.is_empty() {
            l.paragraph("No scale administered.", Weight::Regular, BODY, BLACK, 0.0);
        }
        for sc in &self.outcomes.scales {
            l.gap(3.0);
            l.paragraph(&sc.title, Weight::Bold, 10.0, BLACK, 0.0);
            for line in &sc.lines {
                l.paragraph(line, Weight::Regular, SMALL, BLACK, 0.0);
            }
            if let Some(c) = &sc.chart {
                l.gap(3.0);
                l.chart(c);
            }
            l.table(&ScalePart::COLUMNS, &[0.9, 0.6, 0.5, 1.0, 0.8, 0.6, 0.6, 1.2, 0.7], &sc.rows);
        }
        for s in &self.sessions {
            l.heading(&format!("Session {} · {} · {}", s.number, s.date, s.outcome), 11.5);
            l.paragraph(&format!("{} · {}", s.schedule, s.status), Weight::Regular, BODY, BLACK, 0.0);
            let color = if s.findings.is_empty() { BLACK } else { RED };
            l.paragraph(&format!("Pre-dose gate: {}", s.gate), Weight::Bold, BODY, color, 0.0);
            for (rule, message, source) in &s.findings {
                l.paragraph(&format!("{rule} {message}"), Weight::Regular, BODY, BLACK, 8.0);
                l.paragraph(&format!("Source: {source}"), Weight::Regular, SMALL, GREY, 16.0);
            }
            for (rule, note) in &s.acknowledgements {
                l.paragraph(&format!("Note on {rule}: {note}"), Weight::Regular, SMALL, BLACK, 8.0);
            }
            for (title, lines) in &s.details {
                l.gap(2.0);
                l.paragraph(title, Weight::Bold, 10.0, BLACK, 0.0);
                let rows: Vec<Vec<String>> = lines.iter().map(|(k, v)| vec![k.to_string(), v.clone()]).collect();
                l.table(&["Item", "Recorded"], &[2.4, 2.0], &rows);
            }
        }
        l.gap(8.0);
        for line in &self.footer {
            l.paragraph(line, Weight::Regular, SMALL, GREY, 0.0);
        }
        let status = if self.is_draft() { "DRAFT" } else { "Final" };
        pdf::stamp_pages(&mut l, &format!("{} · {} · {status}", self.mrn, self.title), self.is_draft());
        pdf::render(&l, format!("{} — {}", self.title, self.mrn))
    }
}

/// The course summary from the records, or with `only` the summary of that one session (by its
/// number).
pub fn course_summary(
    store: &Store,
    course_id: i64,
    rules: &RuleSet,
    dosing: &DosingRules,
    only: Option<u32>,
) -> crate::records::Result<CourseSummary> {
    let overview = store.course_overview(course_id, dosing)?;
    let records = store.sessions_of(course_id)?;
    if let Some(n) = only {
        if !records.iter().any(|r| r.session.number == n) {
            return Err(StorageError::InvalidField {
                field: "session".into(),
                message: format!("course {course_id} has no session {n}"),
            });
        }
    }
    let patient = store.patient(overview.course.patient_id)?;
    let site = store.clinic_settings()?.scales;
    let outcomes = store.course_outcomes(course_id, &site, &crate::documents::summary::today())?;
    Ok(CourseSummary::new(&overview, &records, &patient, rules, dosing, &outcomes, only))
}
