//! The fonts the PDFs are drawn with: DejaVu Sans (regular and bold) and, for a character it has no
//! glyph for, the first fallback font that has one (assets/fonts/fallback: Indic scripts, Thai,
//! Ethiopic, Khmer, Myanmar, Chinese and Japanese, Hangul, emoji). The layout's widths and the
//! drawing's runs both come from here, so a line is drawn as wide as it was measured (issue 24:
//! a name in any of these scripts prints as written, not as empty boxes).

use std::sync::OnceLock;

use krilla::text::{GlyphId, KrillaGlyph};
use rustybuzz::Face;

use crate::documents::pdf::{PdfError, Weight};

mod files;

#[cfg(test)]
use files::read_deflated;
pub(crate) use files::{FontFile, FALLBACKS};
use files::{BOLD, REGULAR};

/// The font a piece of text is drawn with: DejaVu Sans in the line's weight, or a fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FontId {
    Primary(Weight),
    Fallback(usize),
}

/// The parsed fonts: advance widths, which font has which character.
pub(crate) struct Fonts {
    regular: Face<'static>,
    bold: Face<'static>,
    /// Each fallback inflated and parsed the first time a character DejaVu Sans lacks is looked
    /// for in it (a PDF in Latin script never inflates one).
    fallbacks: [OnceLock<Option<Face<'static>>>; FALLBACKS.len()],
}

/// A character drawn with the one before it, whatever font has it: a combining mark, a joiner, a
/// variation selector, an emoji modifier or tag. The shaper then sees it with its base.
fn joins_previous(c: char) -> bool {
    unicode_normalization::char::is_combining_mark(c)
        || matches!(u32::from(c), 0x200C | 0x200D | 0xFE00..=0xFE0F | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F)
}

impl Fonts {
    /// The fonts, parsed once per process.
    pub(crate) fn shared() -> Result<&'static Fonts, PdfError> {
        static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();
        FONTS.get_or_init(|| Fonts::new().map_err(|e| e.to_string())).as_ref().map_err(|e| PdfError::new(e.clone()))
    }

    fn new() -> Result<Fonts, PdfError> {
        let parse = |f: &'static FontFile| {
            let bytes = f.bytes().map_err(|e| PdfError::new(e.to_string()))?;
            Face::from_slice(bytes, 0).ok_or_else(|| PdfError::new(format!("the font {} did not load", f.name)))
        };
        // A fallback is read only when a character needs it; a packaged build whose data folder
        // lost one would otherwise print that script as empty boxes without a word.
        for f in &FALLBACKS {
            f.present().map_err(PdfError::new)?;
        }
        Ok(Fonts {
            regular: parse(&REGULAR)?,
            bold: parse(&BOLD)?,
            fallbacks: std::array::from_fn(|_| OnceLock::new()),
        })
    }

    /// The bytes of a font, for embedding (empty if it did not load, which krilla then refuses).
    pub(crate) fn data(id: FontId) -> &'static [u8] {
        match id {
            FontId::Primary(Weight::Regular) => REGULAR.bytes(),
            FontId::Primary(Weight::Bold) => BOLD.bytes(),
            FontId::Fallback(i) => FALLBACKS[i].bytes(),
        }
        .unwrap_or_default()
    }

    /// Fallback `i`, parsed on first use; None if it did not load.
    fn fallback(&self, i: usize) -> Option<&Face<'static>> {
        self.fallbacks[i].get_or_init(|| FALLBACKS[i].face()).as_ref()
    }

    fn face(&self, id: FontId) -> &Face<'static> {
        match id {
            FontId::Primary(Weight::Regular) => &self.regular,
            FontId::Primary(Weight::Bold) => &self.bold,
            // A fallback is only ever chosen once it has loaded (`font_for`).
            FontId::Fallback(i) => self.fallback(i).unwrap_or(&self.regular),
        }
    }

    /// The font that has a glyph for `c`: DejaVu Sans when it does, else the first fallback that
    /// does; None when no font has one.
    pub(crate) fn font_for(&self, c: char, weight: Weight) -> Option<FontId> {
        let primary = FontId::Primary(weight);
        if self.face(primary).glyph_index(c).is_some() {
            return Some(primary);
        }
        (0..FALLBACKS.len())
            .find(|&i| self.fallback(i).is_some_and(|f| f.glyph_index(c).is_some()))
            .map(FontId::Fallback)
    }

    /// The text in pieces of one font each, in logical order. A character no font has stays in
    /// DejaVu Sans (which draws its "missing" box); a mark or joiner stays with its base.
    pub(crate) fn runs<'a>(&self, text: &'a str, weight: Weight) -> Vec<(&'a str, FontId)> {
        let mut runs: Vec<(&'a str, FontId)> = Vec::new();
        let mut start = 0;
        let mut current: Option<FontId> = None;
        for (i, c) in text.char_indices() {
            let id = match current {
                Some(id) if joins_previous(c) => id,
                _ => self.font_for(c, weight).unwrap_or(FontId::Primary(weight)),
            };
            match current {
                Some(prev) if prev != id => {
                    runs.push((&text[start..i], prev));
                    start = i;
                }
                _ => {}
            }
            current = Some(id);
        }
        if let Some(id) = current {
            runs.push((&text[start..], id));
        }
        runs
    }

    /// The width of text at `size` points: each character's advance in the font that draws it
    /// (direction controls, which are not drawn, take none).
    pub(crate) fn width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        let text = without_direction_controls(text);
        self.runs(&text, weight).into_iter().map(|(run, id)| self.run_width(run, id, size)).sum()
    }

    /// The width of a piece of text in one font, as drawn: shaped, unless it needs no shaping.
    fn run_width(&self, text: &str, id: FontId, size: f32) -> f32 {
        let face = self.face(id);
        if matches!(id, FontId::Primary(_)) && text.chars().all(needs_no_shaping) {
            let units = face.units_per_em() as f32;
            let total: u32 = text
                .chars()
                .map(|c| face.glyph_index(c).and_then(|g| face.glyph_hor_advance(g)).map_or(600, u32::from))
                .sum();
            return total as f32 * size / units;
        }
        self.shape(text, id, None).iter().map(|g| krilla::text::Glyph::x_advance(g, size)).sum()
    }

    /// A piece of text in one font shaped as a reader expects (letters joined, conjuncts formed,
    /// marks placed), in the given direction or the one its script has; glyphs in drawing order,
    /// each with the text it stands for (so the PDF's text can be copied).
    pub(crate) fn shape(&self, text: &str, id: FontId, rtl: Option<bool>) -> Vec<KrillaGlyph> {
        let face = self.face(id);
        let units = face.units_per_em() as f32;
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        match rtl {
            Some(true) => buffer.set_direction(rustybuzz::Direction::RightToLeft),
            Some(false) => buffer.set_direction(rustybuzz::Direction::LeftToRight),
            None => {}
        }
        let output = rustybuzz::shape(face, &[], buffer);
        let mut starts: Vec<usize> = output.glyph_infos().iter().map(|i| i.cluster as usize).collect();
        starts.sort_unstable();
        starts.dedup();
        output
            .glyph_infos()
            .iter()
            .zip(output.glyph_positions())
            .map(|(info, pos)| {
                let start = info.cluster as usize;
                let end = starts.iter().copied().find(|&s| s > start).unwrap_or(text.len());
                KrillaGlyph::new(
                    GlyphId::new(info.glyph_id),
                    pos.x_advance as f32 / units,
                    pos.x_offset as f32 / units,
                    pos.y_offset as f32 / units,
                    pos.y_advance as f32 / units,
                    start..end,
                    None,
                )
            })
            .collect()
    }

    /// The glyphs of text that needs no shaping (left-to-right scripts without combining marks, all
    /// in DejaVu Sans), one per character with its advance width: the widths `width` measured,
    /// without parsing the font again for every line as a shaper would (most of the time of a long
    /// PDF). Other text gives None and is shaped, piece by piece.
    pub(crate) fn glyphs(&self, text: &str, weight: Weight) -> Option<Vec<KrillaGlyph>> {
        let face = self.face(FontId::Primary(weight));
        let units = face.units_per_em() as f32;
        let mut glyphs = Vec::with_capacity(text.len());
        for (i, c) in text.char_indices() {
            if !needs_no_shaping(c) {
                return None;
            }
            let glyph = face.glyph_index(c)?;
            let advance = f32::from(face.glyph_hor_advance(glyph)?) / units;
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(u32::from(glyph.0)),
                advance,
                0.0,
                0.0,
                0.0,
                i..i + c.len_utf8(),
                None,
            ));
        }
        Some(glyphs)
    }

    /// Breaks text into lines no wider than `width` (words longer than a line, and text written
    /// without spaces such as Chinese, are split between characters).
    pub(crate) fn wrap(&self, text: &str, weight: Weight, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
                if self.width(&candidate, weight, size) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                if self.width(word, weight, size) <= width {
                    line = word.to_string();
                } else {
                    for c in word.chars() {
                        let mut next = line.clone();
                        next.push(c);
                        if self.width(&next, weight, size) > width && !line.is_empty() && !joins_previous(c) {
                            lines.push(std::mem::take(&mut line));
                            line.push(c);
                        } else {
                            line = next;
                        }
                    }
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// The krilla fonts of one PDF, each made when first drawn with (a PDF embeds only the fonts, and
/// of each only the glyphs, it uses).
pub(crate) struct Embedded {
    fonts: Vec<(FontId, krilla::text::Font)>,
}

impl Embedded {
    pub(crate) fn new() -> Embedded {
        Embedded { fonts: Vec::new() }
    }

    pub(crate) fn get(&mut self, id: FontId) -> Result<krilla::text::Font, PdfError> {
        if let Some((_, font)) = self.fonts.iter().find(|(have, _)| *have == id) {
            return Ok(font.clone());
        }
        let font = krilla::text::Font::new(Fonts::data(id).into(), 0)
            .ok_or_else(|| PdfError::new(format!("the font {id:?} did not load")))?;
        self.fonts.push((id, font.clone()));
        Ok(font)
    }
}

/// Draws one line of text at (x, y): unshaped glyphs where that is exact, else shaped, one run per
/// direction in visual order (a right-to-left name in a left-to-right line keeps its words in
/// reading order) and, within each, one piece per font, shaped with the faces parsed once.
#[allow(clippy::too_many_arguments)]
pub(crate) fn draw_line(
    surface: &mut krilla::surface::Surface,
    fonts: &Fonts,
    embedded: &mut Embedded,
    x: f32,
    y: f32,
    text: &str,
    weight: Weight,
    size: f32,
) -> Result<(), PdfError> {
    use krilla::geom::Point;
    if let Some(glyphs) = fonts.glyphs(text, weight) {
        let font = embedded.get(FontId::Primary(weight))?;
        surface.draw_glyphs(Point::from_xy(x, y), &glyphs, font, text, size, false);
        return Ok(());
    }
    let mut at = x;
    for (run, rtl) in crate::documents::pdf::visual_runs(text) {
        // The isolates and other direction controls have done their work: not drawn.
        let run = without_direction_controls(run);
        let mut pieces = fonts.runs(&run, weight);
        if rtl {
            // Drawn from the left: the pieces of a right-to-left run last first.
            pieces.reverse();
        }
        for (piece, id) in pieces {
            let glyphs = fonts.shape(piece, id, Some(rtl));
            surface.draw_glyphs(Point::from_xy(at, y), &glyphs, embedded.get(id)?, piece, size, false);
            at += glyphs.iter().map(|g| krilla::text::Glyph::x_advance(g, size)).sum::<f32>();
        }
    }
    Ok(())
}

fn without_direction_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(crate::documents::bidi::is_direction_control) {
        std::borrow::Cow::Owned(text.chars().filter(|c| !crate::documents::bidi::is_direction_control(*c)).collect())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Characters drawn as they are, one glyph each: Latin, Greek and Cyrillic letters, punctuation,
/// sub- and superscripts, arrows, maths and symbols. Combining marks, direction and joining
/// controls and right-to-left or complex scripts are not among them.
fn needs_no_shaping(c: char) -> bool {
    matches!(
        u32::from(c),
        0x0020..=0x02FF
            | 0x0370..=0x0482
            | 0x048A..=0x052F
            | 0x1D00..=0x1DBF
            | 0x1E00..=0x1FFF
            | 0x2000..=0x200A
            | 0x2010..=0x2027
            | 0x2030..=0x205E
            | 0x2070..=0x20CF
            | 0x2100..=0x2BFF
    )
}

#[cfg(test)]
mod tests;
