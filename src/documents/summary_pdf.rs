//! The eligibility summary as a PDF, laid out with [`crate::documents::pdf`].

use crate::documents::pdf::{render, stamp_pages, Layout, PdfError, Weight, BLACK, BODY, GREY, RED, SMALL};
use crate::documents::summary::Summary;
use crate::eligibility::ruleset::Level;
use crate::records::clinic_details::Paper;

/// Lays the summary out on pages, with the running header and footer on each.
pub(crate) fn layout(s: &Summary, paper: Paper) -> Result<Layout, PdfError> {
    let mut l = Layout::new(paper)?;
    l.paragraph(&s.title, Weight::Bold, 14.0, BLACK, 0.0);
    l.gap(2.0);
    for (k, v) in s.header_lines() {
        l.paragraph(&format!("{k}: {v}"), Weight::Regular, BODY, BLACK, 0.0);
    }
    l.gap(6.0);
    let color = match s.determination {
        crate::Determination::NotEligible => RED,
        _ => BLACK,
    };
    // Urgent findings are announced above the determination (ruleset-v2.md §1).
    for f in &s.urgent {
        l.paragraph(&format!("URGENT ({}): {}", f.rule, f.message), Weight::Bold, BODY, RED, 0.0);
        l.gap(3.0);
    }
    l.paragraph(&format!("Determination: {}", s.determination.title().to_uppercase()), Weight::Bold, 13.0, color, 0.0);
    l.paragraph(&s.reason, Weight::Regular, BODY, BLACK, 0.0);

    findings(&mut l, s);

    l.heading(&s.trials_heading(), 11.5);
    if !s.trials_recorded {
        l.paragraph("Not recorded (unknown).", Weight::Bold, BODY, BLACK, 0.0);
    } else if s.trials.is_empty() {
        l.paragraph("No trials (none).", Weight::Regular, BODY, BLACK, 0.0);
    } else {
        l.table(&Summary::TRIAL_COLUMNS, &[0.3, 1.5, 0.9, 0.9, 0.65, 0.9, 0.9, 0.85, 0.7, 2.2], &s.trial_cells());
    }

    l.heading("Current medications", 11.5);
    if !s.medications_recorded {
        l.paragraph("Not recorded (unknown).", Weight::Bold, BODY, BLACK, 0.0);
    } else if s.medications.is_empty() {
        l.paragraph("None.", Weight::Regular, BODY, BLACK, 0.0);
    } else {
        l.table(&Summary::MEDICATION_COLUMNS, &[2.2, 2.2, 1.0], &s.medication_cells());
    }

    l.heading("Checklist", 11.5);
    for area in &s.checklist {
        let rows: Vec<Vec<String>> = area.rows.iter().map(|r| vec![r.question.clone(), r.answer.clone()]).collect();
        l.paragraph(area.title, Weight::Bold, 10.0, BLACK, 0.0);
        l.table(&["Question", "Answer"], &[3.0, 1.4], &rows);
    }
    if !s.is_draft() {
        l.gap(14.0);
        l.paragraph(
            "Signature: ______________________________     Date: ______________",
            Weight::Regular,
            BODY,
            BLACK,
            0.0,
        );
    }
    l.gap(10.0);
    for line in [&s.ruleset_line, &s.policy_line, &s.disclaimer] {
        l.paragraph(line, Weight::Regular, SMALL, GREY, 0.0);
    }

    let patient = s.context.mrn.clone().unwrap_or_default();
    stamp_pages(&mut l, &format!("{} · {}", patient, s.status_line()), s.is_draft());
    Ok(l)
}

impl Summary {
    /// The summary as PDF bytes.
    pub fn to_pdf(&self, paper: Paper) -> Result<Vec<u8>, PdfError> {
        let l = layout(self, paper)?;
        render(&l, format!("{} — {}", self.title, self.context.mrn.as_deref().unwrap_or("")))
    }
}

/// The findings, by level, each with its source (and the clinician's note on a precaution).
fn findings(l: &mut Layout, s: &Summary) {
    l.heading("Findings", 11.5);
    if s.findings.is_empty() {
        l.paragraph("None.", Weight::Regular, BODY, BLACK, 0.0);
    }
    for (level, list) in &s.findings {
        l.gap(2.0);
        l.paragraph(level.title(), Weight::Bold, 10.0, BLACK, 0.0);
        for f in list {
            l.ensure(BODY * 4.0);
            l.paragraph(&format!("{} [{}] {}", f.rule, f.area.as_str(), f.message), Weight::Regular, BODY, BLACK, 8.0);
            l.paragraph(&format!("Source: {} ({})", f.source, f.strength.label()), Weight::Regular, SMALL, GREY, 16.0);
            if *level == Level::Precaution {
                if let Some(note) = s.context.acknowledgements.get(&*f.rule) {
                    l.paragraph(
                        &format!("Acknowledged: {}", crate::documents::bidi::note(note)),
                        Weight::Regular,
                        SMALL,
                        BLACK,
                        16.0,
                    );
                }
            }
            l.gap(2.0);
        }
    }
}
