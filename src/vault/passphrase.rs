//! What a clinician types: their name, a passphrase strong enough for an offline attack on a
//! lost laptop, and the recovery key's printed form.

use zeroize::Zeroizing;

use super::VaultError;

/// The shortest passphrase accepted, whatever its estimated strength.
pub const MIN_PASSPHRASE_CHARS: usize = 10;
/// zxcvbn's score (0–4) a new passphrase needs: 3, "safely unguessable" against an offline attack
/// on a slow hash such as Argon2id.
pub const MIN_PASSPHRASE_SCORE: u8 = 3;
pub const MAX_NAME_CHARS: usize = 80;

/// A clinician's name as shown and recorded: trimmed, 1–80 characters, no control characters.
/// Names starting with "trdcheck" are the app's own (audit entries it writes itself).
pub fn clinician_name(name: &str) -> Result<String, VaultError> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let invalid = |message: &str| Err(VaultError::InvalidField { field: "name".into(), message: message.into() });
    if name.is_empty() {
        return invalid("a clinician needs a name");
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return invalid("at most 80 characters");
    }
    if name.chars().any(char::is_control) {
        return invalid("no control characters");
    }
    // A direction override would print the signer as someone else on every signed record.
    if name.chars().any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')) {
        return invalid("no direction overrides or isolates (U+202A–U+202E, U+2066–U+2069)");
    }
    if name.to_lowercase().starts_with("trdcheck") {
        return invalid("names starting with \"trdcheck\" are the app's own");
    }
    Ok(name)
}

/// Checks a new passphrase: at least 10 characters and zxcvbn's score 3 or more, not counting
/// the clinician's own name (an attacker knows it). The message says why and how to do better.
pub fn check_strength(passphrase: &str, name: &str) -> Result<(), VaultError> {
    let weak = |message: String| Err(VaultError::WeakPassphrase { message });
    let mut rest = passphrase.to_lowercase();
    for word in name.split_whitespace().filter(|w| w.chars().count() >= 2) {
        rest = rest.replace(&word.to_lowercase(), "");
    }
    if rest.trim().chars().count() < MIN_PASSPHRASE_CHARS && rest.chars().count() < passphrase.chars().count() {
        return weak("it is mostly your name; choose words an attacker could not guess from it".into());
    }
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return weak(format!(
            "use at least {MIN_PASSPHRASE_CHARS} characters; a few unrelated words are easiest to remember"
        ));
    }
    let words: Vec<&str> = name.split_whitespace().chain(["trdcheck", "ketamine", "esketamine"]).collect();
    let estimate = zxcvbn::zxcvbn(passphrase, &words);
    if (estimate.score() as u8) < MIN_PASSPHRASE_SCORE {
        let mut why = String::from("too easy to guess");
        if let Some(feedback) = estimate.feedback() {
            if let Some(w) = feedback.warning() {
                why = format!("{why}: {w}");
            }
            for s in feedback.suggestions() {
                why.push_str(&format!(". {s}"));
            }
        }
        return weak(why);
    }
    Ok(())
}

/// The recovery key: 200 random bits, printed as 8 groups of 5 base32 letters and digits.
pub fn new_recovery_key() -> Result<Zeroizing<String>, VaultError> {
    let bytes = super::secret::random::<25>().map_err(VaultError::Random)?;
    let plain = Zeroizing::new(data_encoding::BASE32_NOPAD.encode(&bytes[..]));
    let mut grouped = Zeroizing::new(String::with_capacity(47));
    for (i, c) in plain.chars().enumerate() {
        if i > 0 && i % 5 == 0 {
            grouped.push('-');
        }
        grouped.push(c);
    }
    Ok(grouped)
}

/// The recovery key as typed, in the form it is derived from: spaces and dashes dropped, upper case,
/// and the digits its alphabet lacks read as the letters they look like (0 → O, 1 → I, 8 → B), so
/// that it may be typed as printed, in any case. `None` when it cannot be one.
pub fn normalise_recovery_key(typed: &str) -> Option<Zeroizing<String>> {
    let s: Zeroizing<String> = Zeroizing::new(
        typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| match c.to_ascii_uppercase() {
                '0' => 'O',
                '1' => 'I',
                '8' => 'B',
                other => other,
            })
            .collect::<String>(),
    );
    let ok = data_encoding::BASE32_NOPAD.decode(s.as_bytes()).is_ok_and(|b| b.len() == 25);
    ok.then_some(s)
}
