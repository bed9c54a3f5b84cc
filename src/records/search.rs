//! Folding names for search: lower case, accents removed ("María" → "maria").

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Lower case without accents, for comparison.
pub fn fold(text: &str) -> String {
    text.nfkd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// The searchable words of a patient: the whole MRN and each word of the name, folded.
pub fn words(mrn: &str, name: &str) -> Vec<String> {
    let mut out: Vec<String> = std::iter::once(fold(mrn.trim()))
        .chain(fold(name).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string))
        .filter(|w| !w.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The exclusive upper bound of a prefix range: every string that starts with `prefix` is below it.
pub fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_accents() {
        assert_eq!(fold("María José GARCÍA-Núñez"), "maria jose garcia-nunez");
        assert_eq!(words("RC-2041", "Zoë  O'Brien"), ["brien", "o", "rc-2041", "zoe"]);
    }
}
