//! The drug catalog's tests: the ASCII fast path of a name, the "did you mean" suggestion against a
//! search of every name.

use super::*;

#[test]
fn the_stack_fast_path_normalises_as_normalize_does() {
    for name in ["Effexor XR", "  sertraline   ER ", "Paxil-CR", "olanzapine/fluoxetine", "ZOLOFT", "a", "", "x y  z."]
    {
        let mut buf = [0u8; 64];
        assert_eq!(normalize_ascii_into(name, &mut buf), Some(normalize(name).as_str()), "{name:?}");
    }
    let mut buf = [0u8; 64];
    assert_eq!(normalize_ascii_into("Zoë", &mut buf), None, "non-ASCII takes the general path");
    assert_eq!(normalize_ascii_into(&"x".repeat(65), &mut buf), None, "too long for the buffer");
    assert_eq!(normalize("Zoë"), "zoe", "accents are ignored (rule set 2026.3)");
}

/// "Did you mean" over the names of about the same length finds what a search over every
/// name finds (the earliest listed of the closest), for every catalog name misspelt by a
/// dropped, doubled or changed letter.
#[test]
fn the_suggestion_is_the_one_a_search_of_every_name_finds() {
    let catalog =
        DrugCatalog::from_toml(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/drugs.toml"))).unwrap();
    let mut by_place = catalog.normalized_names.clone();
    by_place.sort_by_key(|n| n.place);
    let every = |name: &str| {
        let key = normalize(name);
        let mut best: Option<(usize, &str)> = None;
        for n in &by_place {
            if let Some(d) = spelling_distance(&key, &n.key) {
                if best.is_none_or(|(b, _)| d < b) {
                    best = Some((d, &n.name));
                }
            }
        }
        best.map(|(_, n)| n.to_string())
    };
    let mut tried = 0;
    for n in &by_place {
        let chars: Vec<char> = n.key.chars().collect();
        for at in [0, chars.len() / 2, chars.len().saturating_sub(1)] {
            let mut dropped = chars.clone();
            dropped.remove(at.min(chars.len() - 1));
            let mut doubled = chars.clone();
            doubled.insert(at, chars[at.min(chars.len() - 1)]);
            let mut changed = chars.clone();
            changed[at.min(chars.len() - 1)] = 'q';
            for wrong in [dropped, doubled, changed] {
                let wrong: String = wrong.into_iter().collect();
                assert_eq!(catalog.suggest(&wrong).map(str::to_string), every(&wrong), "{wrong:?}");
                tried += 1;
            }
        }
    }
    assert!(tried > 300, "{tried} misspellings tried");
}
