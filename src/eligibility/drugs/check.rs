//! The checks of the catalog's data as it loads: each drug's entry, and the names of `[names]`.

use std::collections::{BTreeMap, HashMap};

use super::{normalize, Drug, Names};

/// One drug's entry holds together: its classes listed, its doses positive, a diazepam equivalent
/// only for a benzodiazepine, a source with its strength, and what it names in the catalog.
pub(super) fn check_drug(drug: &Drug, drugs: &[Drug], classes: &BTreeMap<String, String>) -> Result<(), String> {
    for class in drug.classes.iter() {
        if !classes.contains_key(class) {
            return Err(format!("drug {}: class {class} is not listed in [classes]", drug.name));
        }
    }
    for positive in [drug.min_dose_mg, drug.diazepam_10mg_equivalent].into_iter().flatten() {
        if !(positive.is_finite() && positive > 0.0) {
            return Err(format!("drug {}: doses must be positive", drug.name));
        }
    }
    if drug.diazepam_10mg_equivalent.is_some() && !drug.in_class("benzodiazepine") {
        return Err(format!("drug {}: only a benzodiazepine has a diazepam equivalent", drug.name));
    }
    if drug.source.is_some() != drug.strength.is_some() {
        return Err(format!("drug {}: a source needs its strength, and a strength its source", drug.name));
    }
    if let Some(of) = &drug.enantiomer_of {
        if !drugs.iter().any(|d| &*d.name == of) || drug.source.is_none() {
            return Err(format!(
                "drug {}: enantiomer_of {of} must be a drug of the catalog, with the entry's source",
                drug.name
            ));
        }
    }
    if let Some(same) = &drug.same_drug_as {
        if !drugs.iter().any(|d| &*d.name == same && d.same_drug_as.is_none()) {
            return Err(format!("drug {}: same_drug_as {same} is not a generic drug of the catalog", drug.name));
        }
    }
    Ok(())
}

/// The names of `[names]`: salt words and international names, each sourced, each naming a drug
/// of the catalog, added to the index of names.
pub(super) fn index_names(names: &Names, drugs: &[Drug], index: &mut HashMap<String, usize>) -> Result<(), String> {
    if !names.salt_words.is_empty() && (names.salt_source.is_none() || names.salt_strength.is_none()) {
        return Err("[names] salt_words need salt_source and salt_strength".into());
    }
    if !names.international.is_empty()
        && (names.international_source.is_none() || names.international_strength.is_none())
    {
        return Err("[names.international] needs international_source and international_strength".into());
    }
    for word in &names.salt_words {
        if normalize(word) != *word || word.contains(' ') {
            return Err(format!("salt word {word:?} must be one lower-case word"));
        }
    }
    for (name, generic) in &names.international {
        let Some(&i) = index.get(&normalize(generic)) else {
            return Err(format!("international name {name:?}: {generic} is not a drug of the catalog"));
        };
        if let Some(prev) = index.insert(normalize(name), i) {
            return Err(format!("the name {name:?} is given to {} and {}", drugs[prev].name, generic));
        }
    }
    Ok(())
}
