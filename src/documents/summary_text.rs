//! The summary as plain text or Markdown (the CLI's output, the clipboard).

use crate::documents::summary::Summary;
use crate::eligibility::ruleset::Level;

/// Plain text or Markdown: the same summary, for the terminal and for a chart note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextStyle {
    Plain,
    Markdown,
}

impl Summary {
    pub fn to_text(&self, style: TextStyle) -> String {
        let md = style == TextStyle::Markdown;
        let mut out = String::new();
        let mut line = |s: &str| {
            out.push_str(s);
            out.push('\n');
        };
        let heading = |level: usize, s: &str| -> String {
            if md {
                format!("{} {s}", "#".repeat(level))
            } else if level == 1 {
                format!("{s}\n{}", "=".repeat(s.chars().count()))
            } else if level == 2 {
                format!("\n{s}\n{}", "-".repeat(s.chars().count()))
            } else {
                format!("\n{s}:")
            }
        };
        let bold = |s: &str| if md { format!("**{s}**") } else { s.to_string() };

        line(&heading(1, &self.title));
        if self.is_draft() {
            line(&bold("DRAFT — not finalised"));
        }
        line("");
        for (k, v) in self.header_lines() {
            line(&if md { format!("- **{k}:** {v}") } else { format!("{k:<10} {v}") });
        }
        // Urgent findings are announced above the determination (ruleset-v2.md §1).
        for f in &self.urgent {
            line("");
            line(&if md {
                format!("> **URGENT** ({}): {}", f.rule, f.message)
            } else {
                format!("!! URGENT ({}): {}", f.rule, f.message)
            });
        }
        line("");
        line(&heading(2, &format!("Determination: {}", self.determination.title().to_uppercase())));
        if md {
            line("");
        }
        line(&self.reason);
        line("");
        line(&heading(2, "Findings"));
        if self.findings.is_empty() {
            line("None.");
        }
        for (level, list) in &self.findings {
            if md {
                line("");
            }
            line(&heading(3, level.title()));
            if md {
                line("");
            }
            for f in list {
                line(&format!("- {} [{}] {}", bold(&f.rule), f.area.as_str(), f.message));
                line(&format!("  Source: {} ({})", f.source, f.strength.label()));
                if *level == Level::Precaution {
                    if let Some(note) = self.context.acknowledgements.get(&*f.rule) {
                        line(&format!("  Acknowledged: {}", crate::documents::bidi::note(note)));
                    }
                }
            }
        }
        line("");
        line(&heading(2, &self.trials_heading()));
        if md {
            line("");
        }
        if !self.trials_recorded {
            line("Not recorded.");
        } else if self.trials.is_empty() {
            line("No trials recorded (none).");
        } else {
            // The plain table leaves out "Why"; each trial's sentence follows the table.
            let rows: Vec<Vec<String>> = self.trial_cells().into_iter().map(|r| r[..9].to_vec()).collect();
            out_table(&mut line, md, &Self::TRIAL_COLUMNS[..9], &rows);
            line("");
            for t in &self.trials {
                line(&format!("{}. {}", t.number, t.why));
            }
        }
        line("");
        line(&heading(2, "Current medications"));
        if md {
            line("");
        }
        if !self.medications_recorded {
            line("Not recorded.");
        } else if self.medications.is_empty() {
            line("None.");
        } else {
            out_table(&mut line, md, &Self::MEDICATION_COLUMNS, &self.medication_cells());
        }
        line("");
        line(&heading(2, "Checklist"));
        for area in &self.checklist {
            if md {
                line("");
            }
            line(&heading(3, area.title));
            if md {
                line("");
            }
            for row in &area.rows {
                let answer = if row.unknown && md { format!("**{}**", row.answer) } else { row.answer.clone() };
                line(&format!("- {}: {answer}", row.question));
            }
        }
        line("");
        line(if md { "---" } else { "----" });
        line("");
        line(&self.ruleset_line);
        if md {
            line("");
        }
        line(&self.policy_line);
        if md {
            line("");
        }
        line(&self.disclaimer);
        out
    }
}

/// A Markdown table, or columns aligned with spaces for plain text.
pub(crate) fn out_table(line: &mut impl FnMut(&str), md: bool, header: &[&str], rows: &[Vec<String>]) {
    if md {
        let esc = |s: &str| s.replace('|', "\\|");
        line(&format!("| {} |", header.join(" | ")));
        line(&format!("|{}", "---|".repeat(header.len())));
        for r in rows {
            line(&format!("| {} |", r.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")));
        }
        return;
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).chain([header[i].chars().count()]).max().unwrap_or(0))
        .collect();
    let fmt_row = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(&widths)
            // Padded by hand: a format width over 65,535 panics (a long name stored earlier).
            .map(|(c, w)| format!("{c}{}", " ".repeat(w.saturating_sub(c.chars().count()))))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    line(&fmt_row(header.to_vec()));
    line(&fmt_row(widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().iter().map(String::as_str).collect()));
    for r in rows {
        line(&fmt_row(r.iter().map(String::as_str).collect()));
    }
}
