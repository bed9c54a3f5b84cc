//! The PDF documents' layout and drawing, made in Rust (krilla) with embedded, openly licensed
//! fonts (DejaVu Sans and fallbacks for other scripts and emoji, [`fonts`]): real, selectable text;
//! A4 or US Letter; tables break between rows and repeat their header; DRAFT on every page of a
//! draft; page numbers "Page n of N". The summary, the course summary and the REMS form are laid
//! out with it.

mod fonts;
mod render;

use crate::records::clinic_details::Paper;
use fonts::Fonts;
pub(crate) use render::render;

const MARGIN_X: f32 = 48.0;
const MARGIN_TOP: f32 = 56.0;
const MARGIN_BOTTOM: f32 = 54.0;
pub(crate) const BODY: f32 = 9.5;
pub(crate) const SMALL: f32 = 8.0;

#[derive(Debug, thiserror::Error)]
#[error("could not make the PDF: {0}")]
pub struct PdfError(String);

impl PdfError {
    pub(crate) fn new(message: String) -> PdfError {
        PdfError(message)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Color(pub u8, pub u8, pub u8);

pub(crate) const BLACK: Color = Color(17, 17, 17);
pub(crate) const GREY: Color = Color(80, 80, 80);
pub(crate) const RED: Color = Color(170, 0, 0);

/// What is drawn on a page, in points from the top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    Text {
        x: f32,
        y: f32,
        text: String,
        weight: Weight,
        size: f32,
        color: Color,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        color: Color,
    },
    /// A chart's mark, placed at (x, y) on the page.
    Chart {
        x: f32,
        y: f32,
        mark: crate::documents::outcome_chart::Mark,
    },
}

/// Flows the summary onto pages.
pub(crate) struct Layout {
    metrics: &'static Fonts,
    pub width: f32,
    pub height: f32,
    pub pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout {
    pub(crate) fn new(paper: Paper) -> Result<Layout, PdfError> {
        let (width, height) = match paper {
            Paper::A4 => (595.28, 841.89),
            Paper::Letter => (612.0, 792.0),
        };
        Ok(Layout { metrics: Fonts::shared()?, width, height, pages: vec![Vec::new()], y: MARGIN_TOP })
    }

    fn content_width(&self) -> f32 {
        self.width - 2.0 * MARGIN_X
    }

    fn bottom(&self) -> f32 {
        self.height - MARGIN_BOTTOM
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN_TOP;
    }

    /// Starts a new page unless `needed` points still fit.
    pub(crate) fn ensure(&mut self, needed: f32) {
        if self.y + needed > self.bottom() && self.y > MARGIN_TOP {
            self.new_page();
        }
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    fn text(&mut self, x: f32, text: &str, weight: Weight, size: f32, color: Color) {
        let baseline = self.y + size;
        self.push(Op::Text { x, y: baseline, text: text.to_string(), weight, size, color });
    }

    pub(crate) fn paragraph(&mut self, text: &str, weight: Weight, size: f32, color: Color, indent: f32) {
        let lead = size * 1.3;
        for line in self.metrics.wrap(text, weight, size, self.content_width() - indent) {
            self.ensure(lead);
            self.text(MARGIN_X + indent, &line, weight, size, color);
            self.y += lead;
        }
    }

    pub(crate) fn heading(&mut self, text: &str, size: f32) {
        // Keep a heading with at least three lines of what follows.
        self.ensure(size * 1.6 + BODY * 4.0);
        self.y += size * 0.6;
        self.text(MARGIN_X, text, Weight::Bold, size, BLACK);
        self.y += size * 1.35;
        let y = self.y - size * 0.2;
        let (x2, w) = (self.width - MARGIN_X, 0.5);
        self.push(Op::Line { x1: MARGIN_X, y1: y, x2, y2: y, width: w, color: GREY });
        self.y += 2.0;
    }

    /// A chart (vector graphics) at its own size, with its title above it; never split.
    pub(crate) fn chart(&mut self, chart: &crate::documents::outcome_chart::Chart) {
        use crate::documents::outcome_chart::{Anchor, Mark};
        self.ensure(chart.height + BODY * 2.0);
        self.paragraph(&chart.title, Weight::Bold, BODY, BLACK, 0.0);
        let (x0, y0) = (MARGIN_X, self.y);
        for mark in &chart.marks {
            let mark = match mark {
                Mark::Text { x, y, text, size, color, anchor } => {
                    let w = self.metrics.width(text, Weight::Regular, *size);
                    let shift = match anchor {
                        Anchor::Start => 0.0,
                        Anchor::Middle => w / 2.0,
                        Anchor::End => w,
                    };
                    Mark::Text {
                        x: x - shift,
                        y: *y,
                        text: text.clone(),
                        size: *size,
                        color: *color,
                        anchor: Anchor::Start,
                    }
                }
                other => other.clone(),
            };
            self.push(Op::Chart { x: x0, y: y0, mark });
        }
        self.y += chart.height;
    }

    pub(crate) fn gap(&mut self, points: f32) {
        self.y += points;
    }

    /// A table whose rows never split across pages; the header repeats on each new page.
    pub(crate) fn table(&mut self, header: &[&str], fractions: &[f32], rows: &[Vec<String>]) {
        let pad = 2.5;
        let size = SMALL;
        // Each column at least as wide as its widest word (header or cell, up to a fifth of the
        // page), so that words do not break; the rest is shared by `fractions`.
        let total: f32 = fractions.iter().sum();
        let content = self.content_width();
        let widest = |text: &str, weight: Weight| {
            text.split_whitespace().map(|w| self.metrics.width(w, weight, size)).fold(0.0, f32::max)
        };
        let minimum: Vec<f32> = header
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let cells =
                    rows.iter().filter_map(|r| r.get(i)).map(|c| widest(c, Weight::Regular)).fold(0.0, f32::max);
                widest(h, Weight::Bold).max(cells).min(content / 5.0) + 2.0 * pad + 1.0
            })
            .collect();
        let mut widths: Vec<f32> = fractions.iter().zip(&minimum).map(|(f, m)| (f / total * content).max(*m)).collect();
        let excess = widths.iter().sum::<f32>() - content;
        let slack: f32 = widths.iter().zip(&minimum).map(|(w, m)| w - m).sum();
        if excess > 0.0 && slack > 0.0 {
            for (w, m) in widths.iter_mut().zip(&minimum) {
                *w -= (*w - m) / slack * excess;
            }
        }
        let lead = size * 1.25;
        let wrap_row = |m: &Fonts, cells: &[String], weight: Weight| -> Vec<Vec<String>> {
            cells.iter().zip(&widths).map(|(c, w)| m.wrap(c, weight, size, w - 2.0 * pad)).collect()
        };
        let header_cells: Vec<String> = header.iter().map(|s| s.to_string()).collect();
        let header_lines = wrap_row(self.metrics, &header_cells, Weight::Bold);
        let height_of = |lines: &[Vec<String>]| lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * lead + 2.0 * pad;
        let header_height = height_of(&header_lines);
        let draw_row = |l: &mut Layout, lines: &[Vec<String>], weight: Weight, h: f32| {
            let top = l.y;
            let mut x = MARGIN_X;
            for (cell, w) in lines.iter().zip(&widths) {
                for (i, line) in cell.iter().enumerate() {
                    let y = top + pad + i as f32 * lead + size;
                    l.push(Op::Text { x: x + pad, y, text: line.clone(), weight, size, color: BLACK });
                }
                l.push(Op::Line { x1: x, y1: top, x2: x, y2: top + h, width: 0.4, color: GREY });
                x += w;
            }
            let right = MARGIN_X + l.content_width();
            l.push(Op::Line { x1: right, y1: top, x2: right, y2: top + h, width: 0.4, color: GREY });
            l.push(Op::Line { x1: MARGIN_X, y1: top, x2: right, y2: top, width: 0.4, color: GREY });
            l.push(Op::Line { x1: MARGIN_X, y1: top + h, x2: right, y2: top + h, width: 0.4, color: GREY });
            l.y += h;
        };
        let first_row = rows.first().map_or(0.0, |r| height_of(&wrap_row(self.metrics, r, Weight::Regular)));
        self.ensure(header_height + first_row);
        draw_row(self, &header_lines, Weight::Bold, header_height);
        for row in rows {
            let lines = wrap_row(self.metrics, row, Weight::Regular);
            let h = height_of(&lines);
            if self.y + h > self.bottom() {
                self.new_page();
                draw_row(self, &header_lines, Weight::Bold, header_height);
            }
            draw_row(self, &lines, Weight::Regular, h);
        }
        self.gap(4.0);
    }
}

/// Writes "left · Page n of N" at the foot of every page, and DRAFT at the top of each when the
/// document is a draft.
pub(crate) fn stamp_pages(l: &mut Layout, left: &str, draft: bool) {
    let total = l.pages.len();
    let (width, height) = (l.width, l.height);
    for (i, page) in l.pages.iter_mut().enumerate() {
        page.push(Op::Text {
            x: MARGIN_X,
            y: height - 28.0,
            text: format!("{left} · Page {} of {total}", i + 1),
            weight: Weight::Regular,
            size: SMALL,
            color: GREY,
        });
        if draft {
            page.push(Op::Text {
                x: width - MARGIN_X - 120.0,
                y: 30.0,
                text: "DRAFT — NOT FINALISED".into(),
                weight: Weight::Bold,
                size: 9.0,
                color: RED,
            });
        }
    }
}

/// A line of text split by the Unicode bidirectional algorithm into runs of one direction, in
/// the order they are drawn from left to right (each with whether it reads right to left).
pub fn visual_runs(text: &str) -> Vec<(&str, bool)> {
    let info = unicode_bidi::BidiInfo::new(text, None);
    let mut out = Vec::new();
    for para in &info.paragraphs {
        let (levels, runs) = info.visual_runs(para, para.range.clone());
        for run in runs {
            let rtl = levels.get(run.start).is_some_and(|l| l.is_rtl());
            out.push((&text[run], rtl));
        }
    }
    out
}
