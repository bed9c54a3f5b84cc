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
        let mut w = Text { md: style == TextStyle::Markdown, out: String::new() };
        w.heading(1, &self.title);
        if self.is_draft() {
            let draft = w.bold("DRAFT — not finalised");
            w.line(&draft);
        }
        w.line("");
        for (k, v) in self.header_lines() {
            w.line(&if w.md { format!("- **{k}:** {v}") } else { format!("{k:<10} {v}") });
        }
        // Urgent findings are announced above the determination (ruleset-v2.md §1).
        for f in &self.urgent {
            w.line("");
            w.line(&if w.md {
                format!("> **URGENT** ({}): {}", f.rule, f.message)
            } else {
                format!("!! URGENT ({}): {}", f.rule, f.message)
            });
        }
        w.line("");
        w.heading(2, &format!("Determination: {}", self.determination.title().to_uppercase()));
        w.gap();
        w.line(&self.reason);
        self.findings_text(&mut w);
        self.trials_text(&mut w);
        self.medications_text(&mut w);
        self.checklist_text(&mut w);
        w.line("");
        w.line(if w.md { "---" } else { "----" });
        w.line("");
        for (i, l) in [&self.ruleset_line, &self.policy_line, &self.disclaimer].into_iter().enumerate() {
            if i > 0 {
                w.gap();
            }
            w.line(l);
        }
        w.out
    }

    fn findings_text(&self, w: &mut Text) {
        w.line("");
        w.heading(2, "Findings");
        if self.findings.is_empty() {
            w.line("None.");
        }
        for (level, list) in &self.findings {
            w.gap();
            w.heading(3, level.title());
            w.gap();
            for f in list {
                let rule = w.bold(&f.rule);
                w.line(&format!("- {rule} [{}] {}", f.area.as_str(), f.message));
                w.line(&format!("  Source: {} ({})", f.source, f.strength.label()));
                if *level == Level::Precaution {
                    if let Some(note) = self.context.acknowledgements.get(&*f.rule) {
                        w.line(&format!("  Acknowledged: {}", crate::documents::bidi::note(note)));
                    }
                }
            }
        }
    }

    fn trials_text(&self, w: &mut Text) {
        w.line("");
        w.heading(2, &self.trials_heading());
        w.gap();
        if !self.trials_recorded {
            w.line("Not recorded.");
        } else if self.trials.is_empty() {
            w.line("No trials recorded (none).");
        } else {
            // The plain table leaves out "Why"; each trial's sentence follows the table.
            let rows: Vec<Vec<String>> = self.trial_cells().into_iter().map(|r| r[..9].to_vec()).collect();
            w.table(&Self::TRIAL_COLUMNS[..9], &rows);
            w.line("");
            for t in &self.trials {
                w.line(&format!("{}. {}", t.number, t.why));
            }
        }
    }

    fn medications_text(&self, w: &mut Text) {
        w.line("");
        w.heading(2, "Current medications");
        w.gap();
        if !self.medications_recorded {
            w.line("Not recorded.");
        } else if self.medications.is_empty() {
            w.line("None.");
        } else {
            w.table(&Self::MEDICATION_COLUMNS, &self.medication_cells());
        }
    }

    fn checklist_text(&self, w: &mut Text) {
        w.line("");
        w.heading(2, "Checklist");
        for area in &self.checklist {
            w.gap();
            w.heading(3, area.title);
            w.gap();
            for row in &area.rows {
                let answer = if row.unknown && w.md { format!("**{}**", row.answer) } else { row.answer.clone() };
                w.line(&format!("- {}: {answer}", row.question));
            }
        }
    }
}

/// The text as it is written: plain or Markdown.
struct Text {
    md: bool,
    out: String,
}

impl Text {
    fn line(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push('\n');
    }

    /// The blank line Markdown needs between blocks (plain text runs on).
    fn gap(&mut self) {
        if self.md {
            self.line("");
        }
    }

    fn heading(&mut self, level: usize, s: &str) {
        let text = if self.md {
            format!("{} {s}", "#".repeat(level))
        } else if level == 1 {
            format!("{s}\n{}", "=".repeat(s.chars().count()))
        } else if level == 2 {
            format!("\n{s}\n{}", "-".repeat(s.chars().count()))
        } else {
            format!("\n{s}:")
        };
        self.line(&text);
    }

    fn bold(&self, s: &str) -> String {
        if self.md {
            format!("**{s}**")
        } else {
            s.to_string()
        }
    }

    fn table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        let md = self.md;
        out_table(&mut |l: &str| self.line(l), md, header, rows);
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
