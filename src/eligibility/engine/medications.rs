//! The current medications: each classified by the drug catalog (or by the clinician), and the
//! triggers on them (a class, a load, an unrecognised name, an answer with or without a class).

use crate::eligibility::drugs::Drug;
use crate::eligibility::input::{fmt_num, FmtNum};
use crate::eligibility::model::Medication;
use crate::eligibility::ruleset::{fill, Level, Rule, RuleSet, Trigger};

use super::*;

impl Context<'_> {
    /// A medication without a name cannot be checked: a gap of the medication list's gap rule.
    pub(super) fn unnamed_medications(&self, rule: &Rule, emit: &mut dyn FnMut(Finding)) {
        let is_list_gap = self.rules.question("medications").and_then(|q| q.gap_rule.as_deref()) == Some(&*rule.id);
        if !is_list_gap || !rule.variants.contains_key("unnamed") {
            return;
        }
        for m in self.medications.iter().filter(|m| m.name.is_none()) {
            let label = format!("Medication {}", m.index + 1);
            emit(self.finding(
                rule,
                fill(rule.text(Some("unnamed")), &[("medication", &label)]),
                Some(medication_path(m)),
            ))
        }
    }

    /// Triggers on the current medications and on answers that depend on them.
    pub(super) fn fire_medications(&self, rule: &Rule, emit: &mut dyn FnMut(Finding)) {
        let mut one = |variant: Option<&str>, values: &[(&str, &str)], question: Option<&str>| {
            emit(self.finding(rule, fill(self.text(rule, variant), values), question.map(str::to_string)))
        };
        match &rule.trigger {
            Trigger::AnswerWithoutClass { question, any_of, .. } => {
                if !any_of.iter().any(|v| v.matches(&self.asked(rule.field))) {
                    return;
                }
                match self.in_classes(rule.class_bits).map(|mut on| on.next().is_none()) {
                    None => {
                        let text = fill(rule.text(Some("list_unknown")), &[]);
                        let mut f = self.finding(rule, text, Some("medications".into()));
                        f.level = Level::Missing;
                        emit(f)
                    }
                    Some(true) => one(None, &[], Some(question)),
                    Some(false) => {}
                }
            }
            Trigger::AnswerWithClass { question, any_of, .. } => {
                if !any_of.iter().any(|v| v.matches(&self.asked(rule.field))) {
                    return;
                }
                if let Some(on) = self.in_classes(rule.class_bits) {
                    let on: Vec<&MedicationResult> = on.collect();
                    if !on.is_empty() {
                        let list = join_labels(on.iter().copied());
                        let mut f = self.finding(
                            rule,
                            fill(self.text(rule, None), &[("medications", &list)]),
                            Some(question.clone()),
                        );
                        f.strength = weakest(f.strength, &on);
                        emit(f)
                    }
                }
            }
            _ => {}
        }
    }

    /// Triggers on the current medications themselves: a class, a diazepam-equivalent load, an
    /// unrecognised name, the classes a clinician chose.
    pub(super) fn fire_medication_list(&self, rule: &Rule, emit: &mut dyn FnMut(Finding)) {
        match &rule.trigger {
            Trigger::MedicationClass { .. } => {
                let matching: Vec<&MedicationResult> =
                    self.medications.iter().filter(|m| m.class_bits & rule.class_bits != 0).collect();
                if matching.is_empty() {
                    return;
                }
                let list = join_labels(matching.iter().copied());
                // When the rule that supersedes this one is a dose limit that cannot be decided
                // (a dose or an equivalent unknown), the finding says so.
                let undecided_limit =
                    rule.superseded_positions.iter().map(|&p| &self.rules.rules[p]).find_map(|r| match r.trigger {
                        Trigger::DiazepamEquivalentAbove { mg, .. } => {
                            let load = DiazepamLoad::of(self.medications, r.class_bits);
                            (load.incomplete && load.total_mg <= mg).then_some(mg)
                        }
                        _ => None,
                    });
                let mut f = match undecided_limit {
                    Some(limit) => self.finding(
                        rule,
                        fill(
                            self.text(rule, Some("dose_unknown")),
                            &[("medications", &list), ("limit", &fmt_num(limit))],
                        ),
                        Some("medications".into()),
                    ),
                    None => self.finding(
                        rule,
                        fill(self.text(rule, None), &[("medications", &list)]),
                        Some("medications".into()),
                    ),
                };
                f.strength = weakest(f.strength, &matching);
                emit(f)
            }
            Trigger::DiazepamEquivalentAbove { mg, .. } => {
                let load = DiazepamLoad::of(self.medications, rule.class_bits);
                if load.total_mg > *mg {
                    let total = fmt_num((load.total_mg * 10.0).round() / 10.0);
                    let in_total: Vec<&MedicationResult> =
                        self.medications.iter().filter(|m| m.class_bits & rule.class_bits != 0).collect();
                    let names = join_labels(in_total.iter().copied());
                    let values =
                        [("medications", names.as_str()), ("diazepam_mg", total.as_str()), ("limit", &fmt_num(*mg))];
                    let mut f = self.finding(rule, fill(self.text(rule, None), &values), Some("medications".into()));
                    // As strong as the equivalents it adds up (Ashton values are secondary).
                    f.strength = weakest(f.strength, &in_total);
                    emit(f)
                }
            }
            Trigger::MedicationUnclassified => {
                for m in self.medications.iter().filter(|m| m.unrecognised()) {
                    let (variant, suggestion) = match &m.suggestion {
                        Some(s) => (Some("suggest"), s.as_str()),
                        None => (None, ""),
                    };
                    let values = [("medication", m.label.as_str()), ("suggestion", suggestion)];
                    emit(self.finding(rule, fill(self.text(rule, variant), &values), Some(medication_path(m))))
                }
            }
            Trigger::MedicationClinicianClasses => {
                for m in self.medications.iter().filter(|m| m.classified_by_clinician) {
                    let names: Vec<&str> = m.classes.iter().map(|c| self.rules.drugs.class_name(c)).collect();
                    let variant = names.is_empty().then_some("none");
                    let values = [("medication", m.label.as_str()), ("classes", &names.join(", "))];
                    emit(self.finding(rule, fill(self.text(rule, variant), &values), Some(medication_path(m))))
                }
            }
            _ => {}
        }
    }
}

/// Classifies a current medication: by the catalog, and for a name the catalog does not know,
/// by the classes the clinician chose (evaluated exactly as a catalog drug of those classes).
pub(super) fn classify_medication(index: usize, m: &Medication, rules: &RuleSet) -> MedicationResult {
    let drug = m.name.as_deref().and_then(|n| rules.drugs.lookup(n));
    let chosen = m.classes.as_deref().filter(|_| drug.is_none());
    let classes: std::sync::Arc<[String]> = match (drug, chosen) {
        (Some(d), _) => d.classes.clone(),
        (None, Some(c)) => c.into(),
        (None, None) => std::sync::Arc::from(Vec::new()),
    };
    let class_bits = match (drug, chosen) {
        (Some(d), _) => d.class_bits(),
        (None, Some(c)) => rules.drugs.class_bits(c),
        (None, None) => 0,
    };
    let catalog_equivalent = drug.zip(m.dose_mg_per_day).and_then(|(d, dose)| d.diazepam_equivalent(dose));
    let no_catalog_equivalent = drug.is_none_or(|d| d.diazepam_10mg_equivalent.is_none());
    let suggestion = match (drug, chosen, m.name.as_deref()) {
        (None, None, Some(name)) => rules.drugs.suggest(name).map(str::to_string),
        _ => None,
    };
    MedicationResult {
        index,
        name: m.name.clone(),
        generic: drug.map(|d| d.name.clone()),
        classes,
        dose_mg_per_day: m.dose_mg_per_day,
        diazepam_equivalent_mg: catalog_equivalent
            .or(m.diazepam_equivalent_mg_per_day.filter(|_| no_catalog_equivalent)),
        label: medication_label(m.name.as_deref(), drug.map(|d| &*d.name), m.dose_mg_per_day),
        classified_by_clinician: chosen.is_some() && m.name.is_some(),
        suggestion,
        class_bits,
        strength: drug.map(Drug::strength),
    }
}

fn medication_path(m: &MedicationResult) -> String {
    format!("medications[{}]", m.index)
}

/// "Effexor XR (venlafaxine) 225 mg/day", "lorazepam 1 mg/day", "quetiapine, dose not recorded".
fn medication_label(name: Option<&str>, generic: Option<&str>, dose: Option<f64>) -> String {
    use std::fmt::Write;
    let name = name.unwrap_or("unnamed medication");
    let mut label = String::with_capacity(64);
    label.push_str(name);
    if let Some(g) = generic.filter(|g| !g.eq_ignore_ascii_case(name)) {
        let _ = write!(label, " ({g})");
    }
    match dose {
        Some(d) => {
            let _ = write!(label, " {} mg/day", FmtNum(d));
        }
        None => label.push_str(", dose not recorded"),
    }
    label
}
