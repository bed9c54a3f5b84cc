//! The summary as one self-contained HTML file: inline CSS, no script, no remote resource,
//! with print styles (A4 or US Letter) and DRAFT marked on every printed page.

use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::documents::summary::Summary;
use crate::eligibility::engine::Determination;
use crate::eligibility::ruleset::Level;
use crate::records::clinic_details::Paper;

pub(crate) const STYLE: &str = r#"
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10.5pt; color: #111; margin: 0 auto; max-width: 190mm; line-height: 1.35; }
h1 { font-size: 15pt; margin: 0 0 4pt; }
h2 { font-size: 12pt; margin: 14pt 0 4pt; border-bottom: 1px solid #999; }
h3 { font-size: 10.5pt; margin: 8pt 0 2pt; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; }
th, td { border: 1px solid #bbb; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #eee; }
tr { break-inside: avoid; }
thead { display: table-header-group; }
dl.header { display: grid; grid-template-columns: max-content 1fr; gap: 1pt 10pt; margin: 0; }
dl.header dt { font-weight: bold; }
dl.header dd { margin: 0; }
.determination { border: 2px solid #111; padding: 6pt 8pt; margin: 10pt 0; }
.determination .value { font-size: 14pt; font-weight: bold; }
.not_eligible { border-color: #a00; } .incomplete { border-color: #b60; }
.urgent { border: 2px solid #a00; background: #fee; padding: 4pt 8pt; font-weight: bold; }
.finding { margin: 3pt 0 6pt; }
figure { margin: 6pt 0; break-inside: avoid; } figure svg.chart { width: 100%; max-width: 180mm; height: auto; } figcaption { font-weight: bold; font-size: 9.5pt; }
.finding .source, .footer { color: #444; font-size: 9pt; }
.ack { font-style: italic; }
.unknown { font-weight: bold; }
.draft-banner { font-weight: bold; letter-spacing: 2pt; color: #a00; }
.draft-mark { position: fixed; top: 40%; left: 0; right: 0; text-align: center; font-size: 90pt; color: rgba(170, 0, 0, 0.12); transform: rotate(-30deg); pointer-events: none; }
.footer { margin-top: 14pt; border-top: 1px solid #999; padding-top: 4pt; word-break: break-all; }
.signature { margin-top: 18pt; }
@media print { body { max-width: none; } h2 { break-after: avoid; } .finding { break-inside: avoid; } }
"#;

impl Summary {
    /// The summary as a standalone HTML document.
    pub fn to_html(&self, paper: Paper) -> String {
        let page = format!(
            "@page {{ size: {}; margin: 16mm 14mm 18mm; @bottom-right {{ content: \"Page \" counter(page) \" of \" counter(pages); font-size: 9pt; }} }}",
            paper.css()
        );
        let det_class = self.determination.as_str();
        let markup: Markup = html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (self.title) " — " (self.context.mrn.as_deref().unwrap_or("")) }
                    style { (PreEscaped(STYLE)) (PreEscaped(page)) }
                }
                body {
                    @if self.is_draft() {
                        div.draft-mark aria-hidden="true" { "DRAFT" }
                        p.draft-banner { "DRAFT — not finalised" }
                    }
                    h1 { (self.title) }
                    dl.header {
                        @for (k, v) in self.header_lines() {
                            dt { (k) } dd { (v) }
                        }
                    }
                    @for f in &self.urgent {
                        p.urgent role="alert" { "URGENT (" (f.rule) "): " (f.message) }
                    }
                    section.determination.(det_class) aria-label="Determination" {
                        div.value { "Determination: " (self.determination.title()) }
                        div { (self.reason) }
                    }
                    (self.findings_html())
                    (self.trials_html())
                    (self.medications_html())
                    (self.checklist_html())
                    @if !self.is_draft() && self.determination != Determination::Incomplete {
                        p.signature { "Signature: ______________________________   Date: ______________" }
                    }
                    div.footer {
                        p { (self.ruleset_line) }
                        p { (self.policy_line) }
                        p { (self.disclaimer) }
                    }
                }
            }
        };
        markup.into_string()
    }

    /// The findings by level, each with its source (and the note on a precaution).
    fn findings_html(&self) -> Markup {
        html! {
            h2 { "Findings" }
            @if self.findings.is_empty() { p { "None." } }
            @for (level, list) in &self.findings {
                h3 { (level.title()) }
                @for f in list {
                    div.finding {
                        strong { (f.rule) } " [" (f.area.as_str()) "] " (f.message)
                        div.source { "Source: " (f.source) " (" (f.strength.label()) ")" }
                        @if *level == Level::Precaution {
                            @if let Some(note) = self.context.acknowledgements.get(&*f.rule) {
                                div.ack { "Acknowledged: " (crate::documents::bidi::note(note)) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The trials table, or that none or none recorded.
    fn trials_html(&self) -> Markup {
        html! {
            h2 { (self.trials_heading()) }
            @if !self.trials_recorded {
                p.unknown { "Not recorded (unknown)." }
            } @else if self.trials.is_empty() {
                p { "No trials (none)." }
            } @else {
                table {
                    thead { tr { th { "#" } th { "Drug" } th { "Dose" } th { "Minimum" } th { "Weeks" } th { "Adherent" } th { "Improvement" } th { "Current episode" } th { "Counts" } th { "Why" } } }
                    tbody {
                        @for t in &self.trials {
                            tr {
                                td { (t.number) } td { (t.drug) } td { (t.dose) } td { (t.minimum) } td { (t.weeks) }
                                td { (t.adherent) } td { (t.improvement) } td { (t.current_episode) } td { (t.counted) } td { (t.why) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The current medications table, or that none or none recorded.
    fn medications_html(&self) -> Markup {
        html! {
            h2 { "Current medications" }
            @if !self.medications_recorded {
                p.unknown { "Not recorded (unknown)." }
            } @else if self.medications.is_empty() {
                p { "None." }
            } @else {
                table {
                    thead { tr { th { "Medication" } th { "Class" } th { "Diazepam equivalent" } } }
                    tbody {
                        @for m in &self.medications {
                            tr { td { (m.medication) } td { (m.classes) } td { (m.diazepam_equivalent) } }
                        }
                    }
                }
            }
        }
    }

    /// Every question shown, by area, an unknown answer marked.
    fn checklist_html(&self) -> Markup {
        html! {
            h2 { "Checklist" }
            @for area in &self.checklist {
                h3 { (area.title) }
                table {
                    tbody {
                        @for row in &area.rows {
                            tr {
                                td { (row.question) }
                                @if row.unknown { td.unknown { (row.answer) } } @else { td { (row.answer) } }
                            }
                        }
                    }
                }
            }
        }
    }
}
