//! What a text may hold: the longest each kind of text may be, and no character that could make
//! a signed document print other than as written (line breaks in a one-line text, controls,
//! direction overrides).

/// The longest drug or medication name, in characters (assessment-v2.md: a name, not a note).
pub const NAME_MAX_CHARS: usize = 200;
/// The longest patient id (MRN), in characters.
pub const PATIENT_ID_MAX_CHARS: usize = 64;
/// The longest note (an acknowledgement, a reason, an adverse event, a clinician's note), in characters.
pub const NOTE_MAX_CHARS: usize = 4000;
/// The longest short text (a lot number, a patient's or clinician's name), in characters.
pub const SHORT_TEXT_MAX_CHARS: usize = 200;

/// Refuses a text over `max` characters, naming `path` and the length (not the text itself); and
/// one holding a character that cannot be typed as text or that reorders what is printed around
/// it: a control character other than tab and line breaks (U+0000…), or a bidirectional
/// embedding, override or isolate (U+202A–U+202E, U+2066–U+2069), with which an MRN or a name
/// could print as something else on every signed document (issue 24). The left-to-right and
/// right-to-left marks (U+200E, U+200F) that right-to-left writing uses are allowed.
pub fn check_length(path: &str, text: &str, max: usize) -> Result<(), crate::error::InputError> {
    let n = text.chars().count();
    if n > max {
        return Err(crate::error::InputError::Field {
            path: path.to_string(),
            message: format!("is {n} characters long; at most {max} are allowed"),
        });
    }
    if let Some(c) = text.chars().find(|&c| forbidden_in_text(c)) {
        return Err(crate::error::InputError::Field {
            path: path.to_string(),
            message: format!(
                "holds the character U+{:04X}, a control or direction override that is not text; remove it",
                u32::from(c)
            ),
        });
    }
    Ok(())
}

/// As [`check_length`], for a text of one line (an id, a name, a drug, a lot number, a clinic's
/// detail): a line break in it would print as a line of its own on a signed document ("MRN-1" then
/// "Determination: NOT ELIGIBLE"), so it is refused, naming the field.
pub fn check_line(path: &str, text: &str, max: usize) -> Result<(), crate::error::InputError> {
    check_length(path, text, max)?;
    if text.chars().any(is_line_break) {
        return Err(crate::error::InputError::Field {
            path: path.to_string(),
            message: "holds a line break; it is one line".into(),
        });
    }
    Ok(())
}

/// A character that starts a new line where text is printed.
pub fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn forbidden_in_text(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}
