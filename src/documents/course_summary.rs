//! The course summary (every session in order: schedule, outcome, dose, vital signs over time,
//! then each session in full) and the session summary (the same document for one session), as
//! self-contained HTML and as PDF. What is unknown is printed as "Unknown", never left blank.

use crate::documents::bidi::isolate;
use crate::documents::course_outcomes::{OutcomesPart, ScalePart};
use crate::documents::course_sessions::*;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::documents::pdf::{self, Layout, PdfError, Weight, BLACK, BODY, GREY, RED, SMALL};
use crate::eligibility::ruleset::RuleSet;
use crate::records::clinic_details::Paper;
use crate::records::{CourseOutcomes, CourseOverview, Patient, SessionRecord, StorageError, Store};
use crate::treatment::dosing::DosingRules;

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
