//! The laid-out pages drawn as PDF bytes (krilla), with the fonts each page uses embedded.

use super::fonts::{draw_line, Embedded, Fonts};
use super::*;

/// The laid-out pages as PDF bytes, with the fonts embedded.
pub(crate) fn render(l: &Layout, title: String) -> Result<Vec<u8>, PdfError> {
    use krilla::color::rgb;
    use krilla::geom::PathBuilder;
    use krilla::metadata::Metadata;
    use krilla::page::PageSettings;
    use krilla::paint::{Fill, Stroke};
    use krilla::Document;

    let mut embedded = Embedded::new();
    let mut document = Document::new();
    document.set_metadata(Metadata::new().title(title).creator("trdcheck".to_string()));
    let settings = || PageSettings::from_wh(l.width, l.height).ok_or_else(|| PdfError("page size".into()));
    for ops in &l.pages {
        let mut page = document.start_page_with(settings()?);
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text { x, y, text, weight, size, color } => {
                    surface.set_fill(Some(Fill {
                        paint: rgb::Color::new(color.0, color.1, color.2).into(),
                        ..Default::default()
                    }));
                    draw_line(&mut surface, l.metrics, &mut embedded, *x, *y, text, *weight, *size)?;
                }
                Op::Chart { x, y, mark } => draw_mark(&mut surface, *x, *y, mark, l.metrics, &mut embedded)?,
                Op::Line { x1, y1, x2, y2, width, color } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(*x1, *y1);
                    pb.line_to(*x2, *y2);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(color.0, color.1, color.2).into(),
                            width: *width,
                            ..Default::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| PdfError(format!("{e:?}")))
}

/// One chart mark on the page, offset by (dx, dy).
fn draw_mark(
    surface: &mut krilla::surface::Surface,
    dx: f32,
    dy: f32,
    mark: &crate::documents::outcome_chart::Mark,
    fonts: &Fonts,
    embedded: &mut Embedded,
) -> Result<(), PdfError> {
    use crate::documents::outcome_chart::{Mark, Rgb};
    use krilla::color::rgb;
    use krilla::geom::{PathBuilder, Rect};
    use krilla::paint::{Fill, Stroke, StrokeDash};
    let paint = |c: &Rgb| -> krilla::paint::Paint { rgb::Color::new(c.0, c.1, c.2).into() };
    let stroke = |c: &Rgb, width: f32, dashed: bool| Stroke {
        paint: paint(c),
        width,
        dash: dashed.then(|| StrokeDash { array: vec![3.0, 2.0], offset: 0.0 }),
        ..Default::default()
    };
    let mut pb = PathBuilder::new();
    match mark {
        Mark::Rect { x, y, w, h, fill } => {
            if let Some(r) = Rect::from_xywh(dx + x, dy + y, *w, *h) {
                pb.push_rect(r);
            }
            if let Some(path) = pb.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(Fill { paint: paint(fill), ..Default::default() }));
                surface.draw_path(&path);
            }
        }
        Mark::Line { points, width, color, dashed } => {
            for (i, (x, y)) in points.iter().enumerate() {
                if i == 0 {
                    pb.move_to(dx + x, dy + y);
                } else {
                    pb.line_to(dx + x, dy + y);
                }
            }
            if let Some(path) = pb.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(stroke(color, *width, *dashed)));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        Mark::Dot { x, y, r, color, filled } => {
            // An octagon: a circle at this size.
            for k in 0..8 {
                let a = std::f32::consts::PI * (k as f32) / 4.0;
                let (px, py) = (dx + x + r * a.cos(), dy + y + r * a.sin());
                if k == 0 {
                    pb.move_to(px, py);
                } else {
                    pb.line_to(px, py);
                }
            }
            pb.close();
            if let Some(path) = pb.finish() {
                if *filled {
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill { paint: paint(color), ..Default::default() }));
                } else {
                    surface.set_fill(None);
                    surface.set_stroke(Some(stroke(color, 0.9, false)));
                }
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        Mark::Text { x, y, text, size, color, .. } => {
            surface.set_fill(Some(Fill { paint: paint(color), ..Default::default() }));
            draw_line(surface, fonts, embedded, dx + x, dy + y, text, Weight::Regular, *size)?;
        }
    }
    Ok(())
}
