//! How a drug's name is read: normalised (case, accents, spaces, punctuation), its release suffix
//! set aside, a combination product split into its parts, and how close two spellings are.

/// Words that join the parts of a combination product as written ("olanzapine and fluoxetine",
/// "fluoxetina y olanzapina", "fluoxetine + olanzapine").
pub(crate) const JOINING_WORDS: &[&str] = &["and", "with", "plus", "y", "e", "et", "und", "con", "mit", "avec"];

/// The parts of a normalised name that may be a combination, each as `part` names it (its
/// generic), in alphabetical order, joined by "/": "fluoxetine and olanzapine",
/// "fluoxetina y olanzapina" and "olanzapine/fluoxetine" all give "fluoxetine/olanzapine". None
/// for a name of one part.
pub(crate) fn combination_key<'a>(key: &'a str, part: impl Fn(&'a str) -> &'a str) -> Option<String> {
    let mut parts: Vec<&str> =
        key.split(['/', ' ']).filter(|w| !w.is_empty() && !JOINING_WORDS.contains(w)).map(part).collect();
    if parts.len() < 2 {
        return None;
    }
    parts.sort_unstable();
    Some(parts.join("/"))
}

/// Release-form suffixes ignored when the name with the suffix is not itself listed.
pub(crate) const RELEASE_SUFFIXES: &[&str] = &["xr", "er", "sr", "xl", "la", "od", "cr", "ir"];

/// [`normalize`] of a short ASCII name into `buf`; `None` when it does not fit or is not ASCII.
pub(crate) fn normalize_ascii_into<'a>(name: &str, buf: &'a mut [u8; 64]) -> Option<&'a str> {
    if !name.is_ascii() || name.len() > buf.len() {
        return None;
    }
    let mut len = 0;
    let mut pending_space = false;
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b == b'/' {
            if pending_space && len > 0 {
                buf[len] = b' ';
                len += 1;
            }
            pending_space = false;
            buf[len] = b.to_ascii_lowercase();
            len += 1;
        } else {
            pending_space = true;
        }
    }
    std::str::from_utf8(&buf[..len]).ok()
}

/// A name outside the catalog as one drug: normalised, a release suffix (XR, ER, …) dropped, so
/// that "foo" and "foo XR" are judged as one treatment.
pub fn drug_key(name: &str) -> String {
    let key = normalize(name);
    match key.rsplit_once(' ') {
        Some((stem, suffix)) if RELEASE_SUFFIXES.contains(&suffix) => stem.to_string(),
        _ => key,
    }
}

/// Lower case, punctuation other than `/` as space, spaces collapsed (one pass, one allocation).
pub fn normalize(name: &str) -> String {
    if name.is_ascii() {
        // Fast path (nearly every name): bytes, no Unicode tables.
        let mut out = String::with_capacity(name.len());
        let mut pending_space = false;
        for b in name.bytes() {
            if b.is_ascii_alphanumeric() || b == b'/' {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(b.to_ascii_lowercase() as char);
            } else {
                pending_space = true;
            }
        }
        return out;
    }
    // Accents are ignored: "fluoxétine" is fluoxetine (decomposed, the combining marks dropped).
    use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
    let mut out = String::with_capacity(name.len());
    let mut pending_space = false;
    for c in name.nfd().filter(|c| !is_combining_mark(*c)) {
        if c.is_alphanumeric() || c == '/' {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// How far apart two normalised names are in spelling (letters changed, added, dropped or swapped)
/// when they are close enough to be one name misspelt: one letter in a name of 4 to 6 letters, two
/// from 7; never for 3 letters or fewer. None when further apart. The one measure of "close" for
/// names, against the catalog and between a patient's trials.
pub fn spelling_distance(name: &str, other: &str) -> Option<usize> {
    let len = name.chars().count();
    let limit = match len {
        0..=3 => return None,
        4..=6 => 1,
        _ => 2,
    };
    if other.chars().count().abs_diff(len) > limit {
        return None;
    }
    Some(strsim::osa_distance(name, other)).filter(|&d| d <= limit)
}
