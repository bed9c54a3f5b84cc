//! Right-to-left text inside the app's own left-to-right lines. A name, MRN, signer or note the
//! clinic wrote in Arabic or Hebrew is set into a line such as "Patient: ID MRN-123 · محمد ·
//! 47 years" or "finalised by د. محمد أحمد, 2026-12-07T10:35:47Z"; read by the Unicode
//! bidirectional algorithm as one paragraph, the numbers beside it join its right-to-left run and
//! are moved ("MRN-123 47 · محمد years", a date split and reversed: issue 24). Each such value is
//! therefore set as an isolate (FSI … PDI): it is ordered within itself and moves nothing around
//! it — in the PDF (`pdf::visual_runs`), in HTML (browsers honour the isolates) and in
//! text. Text without right-to-left letters is left as it is.

use std::borrow::Cow;

use unicode_bidi::BidiClass;

/// FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE.
const FSI: char = '\u{2068}';
const PDI: char = '\u{2069}';

/// `text` as a directional isolate when it holds right-to-left letters; else unchanged.
pub fn isolate(text: &str) -> Cow<'_, str> {
    if text.chars().any(|c| matches!(unicode_bidi::bidi_class(c), BidiClass::R | BidiClass::AL)) {
        Cow::Owned(format!("{FSI}{text}{PDI}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A note as a document prints it: on one line (each line break shown as " ¶ ", so that no line
/// of a note can pass for a line of the document, such as "Determination: …") and isolated as
/// above.
pub fn note(text: &str) -> String {
    let line = if text.chars().any(crate::eligibility::model::is_line_break) {
        let mut out = String::with_capacity(text.len() + 8);
        let mut lines = text.split(crate::eligibility::model::is_line_break).map(str::trim).filter(|l| !l.is_empty());
        if let Some(first) = lines.next() {
            out.push_str(first);
        }
        for l in lines {
            out.push_str(" ¶ ");
            out.push_str(l);
        }
        out
    } else {
        text.to_string()
    };
    isolate(&line).into_owned()
}

/// Whether `c` is a direction control (embedding, override or isolate): it orders the text and is
/// not drawn.
pub(crate) fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_right_to_left_text_is_isolated() {
        assert_eq!(isolate("Ana García"), "Ana García");
        assert_eq!(isolate("MRN-123"), "MRN-123");
        assert_eq!(isolate("محمد"), "\u{2068}محمد\u{2069}");
        assert_eq!(isolate("MRN-123 שלום"), "\u{2068}MRN-123 שלום\u{2069}");
    }

    #[test]
    fn a_note_prints_on_one_line() {
        assert_eq!(note("Rechecked 138/86"), "Rechecked 138/86");
        assert_eq!(
            note("Rechecked\r\n\n## Determination: ELIGIBLE\u{2028}ok"),
            "Rechecked ¶ ## Determination: ELIGIBLE ¶ ok"
        );
    }
}
