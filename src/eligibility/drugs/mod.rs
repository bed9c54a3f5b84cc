//! The drug catalog (`rules/drugs.toml`): minimum adequate doses, benzodiazepine equivalents and
//! medication classes, with brand names accepted as aliases of the generic name.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::eligibility::drug_names::{
    combination_key, normalize, normalize_ascii_into, JOINING_WORDS, RELEASE_SUFFIXES,
};
pub use crate::eligibility::drug_names::{drug_key, spelling_distance};
use crate::eligibility::source::Strength;
use crate::error::RuleSetError;
use check::{check_drug, index_names};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drug {
    pub name: std::sync::Arc<str>,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Shared with every evaluation that classifies this drug (no copy per medication).
    pub classes: std::sync::Arc<[String]>,
    /// Minimum adequate daily dose for an antidepressant trial; `None`: not in the dose table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_dose_mg: Option<f64>,
    /// The daily dose of this benzodiazepine equal to diazepam 10 mg.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diazepam_10mg_equivalent: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The generic drug this entry is a form of (paroxetine CR of paroxetine): trials of both are
    /// one treatment, judged together; the entry keeps its own minimum dose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_drug_as: Option<String>,
    /// The catalog drug this one is an enantiomer of (escitalopram of citalopram): both count as
    /// different drugs, and an info finding says so when both do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enantiomer_of: Option<String>,
    /// The source of this entry and its strength, where the rule that uses it does not cover it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strength: Option<Strength>,
    /// `classes` as bits of [`DrugCatalog::class_bits`], resolved when the catalog loads.
    #[serde(skip)]
    pub(crate) class_bits: u64,
}

impl Drug {
    pub fn in_class(&self, class: &str) -> bool {
        self.classes.iter().any(|c| c == class)
    }

    /// The diazepam-equivalent of a daily dose, when this drug has an equivalent.
    pub fn diazepam_equivalent(&self, dose_mg: f64) -> Option<f64> {
        self.diazepam_10mg_equivalent.map(|eq| dose_mg * 10.0 / eq)
    }

    /// The generic drug whose trials this entry's trials are judged with.
    pub fn generic(&self) -> &str {
        self.same_drug_as.as_deref().unwrap_or(&self.name)
    }

    /// The strength of this entry's own source (verified when the rule's source covers it).
    pub fn strength(&self) -> Strength {
        self.strength.unwrap_or(Strength::V)
    }

    pub fn class_bits(&self) -> u64 {
        self.class_bits
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DrugFile {
    /// Absent from an archived catalog (before 2026.3).
    #[serde(default)]
    names: Names,
    classes: BTreeMap<String, String>,
    #[serde(rename = "drug")]
    drugs: Vec<Drug>,
}

/// How else a listed drug is written (`[names]` of drugs.toml): salt and hydrate words dropped
/// from the end of a name, and the names of the same drugs in other languages.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Names {
    #[serde(default)]
    pub salt_words: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt_source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt_strength: Option<Strength>,
    /// Name in another language → the catalog's generic name.
    #[serde(default)]
    pub international: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub international_source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub international_strength: Option<Strength>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DrugCatalog {
    /// Salt words and names in other languages.
    pub names: Names,
    /// Class id → its name for the clinician.
    pub classes: BTreeMap<String, String>,
    pub drugs: Vec<Drug>,
    #[serde(skip)]
    index: HashMap<String, usize>,
    /// Every name normalised, with the name as written, for "did you mean": ordered by the
    /// normalised name's length in characters (only names of about the same length can be
    /// close), each with its place in the catalog (the earlier wins a tie, as listed).
    #[serde(skip)]
    normalized_names: Vec<CatalogName>,
    /// A combination product (a catalog name with "/") by its parts in alphabetical order, so
    /// that it is found however its parts are ordered and joined.
    #[serde(skip)]
    combinations: HashMap<String, usize>,
}

impl DrugCatalog {
    pub fn from_toml(text: &str) -> Result<DrugCatalog, RuleSetError> {
        let err = |message: String| RuleSetError { file: "drugs.toml".into(), message };
        let mut file: DrugFile = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        if file.classes.len() > 64 {
            return Err(err("at most 64 classes".into()));
        }
        let mut index = HashMap::new();
        for drug in &mut file.drugs {
            drug.class_bits = class_bits(&file.classes, &drug.classes);
        }
        for (i, drug) in file.drugs.iter().enumerate() {
            check_drug(drug, &file.drugs, &file.classes).map_err(err)?;
            for name in std::iter::once(&*drug.name).chain(drug.aliases.iter().map(String::as_str)) {
                if let Some(prev) = index.insert(normalize(name), i) {
                    return Err(err(format!(
                        "the name {name:?} is given to {} and {}",
                        file.drugs[prev].name, drug.name
                    )));
                }
            }
        }
        index_names(&file.names, &file.drugs, &mut index).map_err(err)?;
        let names = &file.names;
        let mut normalized_names: Vec<CatalogName> = file
            .drugs
            .iter()
            .flat_map(|d| std::iter::once(d.name.to_string()).chain(d.aliases.iter().cloned()))
            .chain(names.international.keys().cloned())
            .enumerate()
            .map(|(place, n)| {
                let key = normalize(&n);
                CatalogName { chars: key.chars().count(), letters: letter_counts(&key), key, name: n, place }
            })
            .collect();
        normalized_names.sort_by_key(|n| (n.chars, n.place));
        let combinations = file
            .drugs
            .iter()
            .enumerate()
            .filter(|(_, d)| d.name.contains('/'))
            .filter_map(|(i, d)| combination_key(&normalize(&d.name), |p| p).map(|k| (k, i)))
            .collect();
        Ok(DrugCatalog {
            names: file.names,
            classes: file.classes,
            drugs: file.drugs,
            index,
            normalized_names,
            combinations,
        })
    }

    /// Finds a drug by generic or brand name, case-insensitively; a release suffix (XR, ER, …)
    /// is ignored when the name with it is not listed.
    pub fn lookup(&self, name: &str) -> Option<&Drug> {
        // Nearly every name is short ASCII: normalise it on the stack (no allocation).
        let mut buf = [0u8; 64];
        if let Some(key) = normalize_ascii_into(name, &mut buf) {
            return self.lookup_normalized(key);
        }
        self.lookup_normalized(&normalize(name))
    }

    /// The name as listed; else with release suffixes (XR, ER, …) and salt or hydrate words
    /// dropped from its end, one at a time ("venlafaxine hydrochloride ER" is venlafaxine).
    fn lookup_normalized(&self, key: &str) -> Option<&Drug> {
        let mut key = key;
        loop {
            if let Some(&i) = self.index.get(key) {
                return Some(&self.drugs[i]);
            }
            // A combination product with its parts in another order or joined otherwise.
            if key.contains(['/', ' ']) {
                let generic = |part| self.index.get(part).map_or(part, |&i| &*self.drugs[i].name);
                if let Some(&i) = combination_key(key, generic).and_then(|k| self.combinations.get(&k)) {
                    return Some(&self.drugs[i]);
                }
            }
            let (stem, word) = key.rsplit_once(' ')?;
            if !(RELEASE_SUFFIXES.contains(&word) || self.names.salt_words.iter().any(|w| w == word)) {
                return None;
            }
            key = stem;
        }
    }

    /// The catalog name closest to an unrecognised one (a likely misspelling: "lorazapam" →
    /// "lorazepam"), when one is close enough; the name itself stays unrecognised.
    pub fn suggest(&self, name: &str) -> Option<&str> {
        let key = normalize(name);
        let len = key.chars().count();
        // Only names within two characters of this length can be close (spelling_distance).
        let names = &self.normalized_names;
        let from = names.partition_point(|n| n.chars + 2 < len);
        let to = names.partition_point(|n| n.chars <= len + 2);
        let letters = letter_counts(&key);
        let mut best: Option<(usize, usize, &str)> = None;
        for n in &names[from..to] {
            // Letters one has and the other lacks each need an edit: more than two, not close.
            if !letters_within(&letters, &n.letters, 2) {
                continue;
            }
            if let Some(d) = spelling_distance(&key, &n.key) {
                if best.is_none_or(|(b, place, _)| (d, n.place) < (b, place)) {
                    best = Some((d, n.place, &n.name));
                }
            }
        }
        best.map(|(_, _, n)| n)
    }

    /// A name without the salt, hydrate and release words at its end ("sertralin hydrochloride
    /// ER" → "sertralin"), normalised: the stem a close spelling is judged on, and the key that
    /// folds two ways of writing one drug outside the catalog into one.
    pub fn stem(&self, name: &str) -> String {
        let key = normalize(name);
        let mut stem = key.as_str();
        while let Some((rest, word)) = stem.rsplit_once(' ') {
            if RELEASE_SUFFIXES.contains(&word) || self.names.salt_words.iter().any(|w| w == word) {
                stem = rest;
            } else {
                break;
            }
        }
        stem.to_string()
    }

    /// The catalog drug a name that is not listed may be: close in spelling once its salt and
    /// release words are set aside ("sertaline hydrochloride"), or naming a listed drug among
    /// other words ("sertraline 50 mg", "sertraline (Zoloft)"). Asked, never assumed (issue 24).
    pub fn close_to(&self, name: &str) -> Option<&Drug> {
        let stem = self.stem(name);
        if let Some(d) = self.suggest(&stem).and_then(|s| self.lookup(s)) {
            return Some(d);
        }
        // A listed name among other words or parts ("sertraline 50 mg", "perphenazine/
        // amitriptyline", "dextromethorphan and bupropion"): the antidepressant among them first,
        // since it is what could count twice.
        let key = normalize(name);
        let words: Vec<&str> = key.split([' ', '/']).filter(|w| !w.is_empty() && !JOINING_WORDS.contains(w)).collect();
        let mut found: Option<&Drug> = None;
        for n in (1..=words.len().min(3)).rev() {
            for window in words.windows(n) {
                if let Some(&i) = self.index.get(&window.join(" ")) {
                    let d = &self.drugs[i];
                    if d.min_dose_mg.is_some() {
                        return Some(d);
                    }
                    found = found.or(Some(d));
                }
            }
        }
        found
    }

    /// Every name a clinician may type (generic and brand), for completion in the app.
    pub fn names(&self) -> impl Iterator<Item = (&str, &Drug)> {
        self.drugs
            .iter()
            .flat_map(|d| std::iter::once(&*d.name).chain(d.aliases.iter().map(String::as_str)).map(move |n| (n, d)))
    }

    /// The bits of these classes (unknown class ids have none; the rule set checks them).
    pub fn class_bits(&self, classes: &[String]) -> u64 {
        class_bits(&self.classes, classes)
    }

    pub fn class_name<'a>(&'a self, class: &'a str) -> &'a str {
        self.classes.get(class).map_or(class, String::as_str)
    }
}

fn class_bits(all: &BTreeMap<String, String>, classes: &[String]) -> u64 {
    classes.iter().filter_map(|c| all.keys().position(|k| k == c)).fold(0, |bits, i| bits | (1 << i))
}

/// How many of each letter and digit a name has (anything else counted together).
type Letters = [u8; 37];

fn letter_counts(text: &str) -> Letters {
    let mut out = [0u8; 37];
    for c in text.chars() {
        let i = match c {
            'a'..='z' => c as usize - 'a' as usize,
            '0'..='9' => 26 + c as usize - '0' as usize,
            _ => 36,
        };
        out[i] = out[i].saturating_add(1);
    }
    out
}

/// Whether two names could be within `edits` of each other: each letter one has more of than
/// the other needs an edit (insertion, deletion or substitution), so the larger of the two
/// surpluses is a lower bound of the edit distance (a transposition changes no count).
fn letters_within(a: &Letters, b: &Letters, edits: usize) -> bool {
    let (mut more, mut fewer) = (0usize, 0usize);
    for (x, y) in a.iter().zip(b) {
        if x > y {
            more += usize::from(x - y);
        } else {
            fewer += usize::from(y - x);
        }
    }
    more.max(fewer) <= edits
}

/// A name of the catalog for "did you mean": normalised, its length, as written, its place.
#[derive(Debug, Clone)]
struct CatalogName {
    key: String,
    chars: usize,
    letters: Letters,
    name: String,
    place: usize,
}

mod check;
#[cfg(test)]
mod tests;
