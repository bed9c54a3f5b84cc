//! One trial entry judged on its own: what its drug is (the catalog's, the clinician's word on a
//! close name, or outside the catalog), its dose, adherence, episode and response.

use crate::eligibility::input::FmtNum;
use crate::eligibility::model::Trial;
use crate::eligibility::policy::SitePolicy;
use crate::eligibility::ruleset::{Comparison, RuleSet};

use super::*;

pub(super) fn judge_entry<'a>(
    t: &'a Trial,
    rules: &'a RuleSet,
    policy: &SitePolicy,
    comparison: Comparison,
    augmentation_counts: bool,
    earlier: &[Entry<'a>],
) -> Entry<'a> {
    let mut e = identify(t, rules, augmentation_counts, earlier);
    // The name in reasons: the generic where the catalog knows it.
    let shown: &str = e.drug.map(|d| &*d.name).or(t.drug.as_deref()).unwrap_or("this drug");
    match e.role {
        Role::NeverCounts => {
            e.reasons.push(format!("{shown} is not an antidepressant (not in the antidepressant dose table), so it never counts as a trial"));
            return e;
        }
        Role::AugmentationNotCounted => {
            e.reasons.push(format!(
                "{shown} is an augmentation agent and the site policy counts only different antidepressants"
            ));
            return e;
        }
        _ => {}
    }
    let dose_ok = dose_ok(&mut e, shown);
    judge_answers(&mut e, dose_ok, policy, comparison);
    e
}

/// What the trial's drug is, and the entry before its dose and answers are judged.
fn identify<'a>(t: &'a Trial, rules: &'a RuleSet, augmentation_counts: bool, earlier: &[Entry<'a>]) -> Entry<'a> {
    let listed = t.drug.as_deref().and_then(|n| rules.drugs.lookup(n));
    // A name close to a catalog drug is that drug only on the clinician's word.
    let close = match (listed, t.drug.as_deref()) {
        (None, Some(name)) => rules.drugs.close_to(name),
        _ => None,
    };
    // Outside the catalog and close to no catalog drug, but close in spelling to an earlier
    // trial's name that is outside it too ("agomelatin", "agomelatine"): one drug only on the
    // clinician's word as well.
    let close_trial = match (listed, close, t.drug.as_deref()) {
        (None, None, Some(name)) => {
            let stem = rules.drugs.stem(name);
            earlier.iter().enumerate().find(|(_, o)| {
                o.drug.is_none()
                    && o.role == Role::OutsideCatalog
                    && o.trial.drug.as_deref().is_some_and(|n| {
                        let other = rules.drugs.stem(n);
                        other != stem && crate::eligibility::drugs::spelling_distance(&stem, &other).is_some()
                    })
            })
        }
        _ => None,
    };
    let drug = match (close, t.same_drug_as_suggestion) {
        (Some(d), Some(true)) => Some(d),
        _ => listed,
    };
    let asked = (close.is_some() || close_trial.is_some()) && t.same_drug_as_suggestion.is_none();
    let role = match (t.drug.as_deref(), drug) {
        (None, _) => Role::Unknown,
        (Some(_), None) if asked => Role::IdentityAsked,
        (Some(_), None) => Role::OutsideCatalog,
        (Some(_), Some(d)) if d.class_bits() & rules.augmentation_class_bits() != 0 => {
            if augmentation_counts {
                Role::Augmentation
            } else {
                Role::AugmentationNotCounted
            }
        }
        (Some(_), Some(d)) if d.min_dose_mg.is_some() => Role::Antidepressant,
        (Some(_), Some(_)) => Role::NeverCounts,
    };
    let key = match (drug, t.drug.as_deref()) {
        (Some(d), _) => Some(d.generic().to_string()),
        // "The same drug as trial n": judged with it, counted once.
        (None, Some(_)) if t.same_drug_as_suggestion == Some(true) && close_trial.is_some() => {
            close_trial.and_then(|(_, o)| o.key.clone())
        }
        // Outside the catalog: one drug however its salt or release form is written.
        (None, Some(name)) => Some(rules.drugs.stem(name)),
        (None, None) => None,
    };
    Entry {
        trial: t,
        drug,
        role,
        key,
        qualifies: Tri::No,
        no_response: Tri::No,
        confirmed: false,
        same_drug_question: close.map(|d| d.name.to_string()).or_else(|| {
            close_trial.map(|(j, o)| format!("{} (trial {})", o.trial.drug.as_deref().unwrap_or_default(), j + 1))
        }),
        suggestion: close.filter(|_| drug.is_none()).map(|d| d.name.to_string()),
        reasons: Vec::new(),
        unknown: Vec::new(),
    }
}

/// Whether the dose was adequate: at or above the catalog's minimum, or on the clinician's
/// confirmation for a drug without one.
fn dose_ok(e: &mut Entry, shown: &str) -> Tri {
    let (t, drug, role) = (e.trial, e.drug, e.role);
    let min_dose = drug.and_then(|d| d.min_dose_mg);
    match (role, min_dose, t.dose_mg_per_day) {
        (Role::Unknown, _, _) => {
            e.unknown.push("the drug".to_string());
            Tri::Unknown
        }
        (Role::IdentityAsked, _, _) => {
            let close = e.same_drug_question.as_deref().unwrap_or_default();
            e.unknown.push(format!("whether {shown} is {close} or a different drug"));
            Tri::Unknown
        }
        (_, Some(_), None) => {
            e.unknown.push("the dose".to_string());
            Tri::Unknown
        }
        (_, Some(min), Some(dose)) if dose >= min => Tri::Yes,
        (_, Some(min), Some(dose)) => {
            e.reasons.push(format!(
                "dose {} mg/day is below the {} mg/day minimum for {shown}",
                FmtNum(dose),
                FmtNum(min)
            ));
            Tri::No
        }
        (_, None, _) => match t.adequacy_confirmed_by_clinician {
            Some(true) => {
                e.confirmed = true;
                Tri::Yes
            }
            Some(false) if role == Role::Augmentation => {
                e.reasons.push(format!("the clinician did not confirm an adequate augmentation dose of {shown}"));
                Tri::No
            }
            Some(false) => {
                e.reasons.push(format!(
                    "{shown} is not in the dose table and the clinician did not confirm it as an antidepressant at an adequate dose"
                ));
                Tri::No
            }
            // An augmentation agent the site counts, with no cited minimum: asked about its dose,
            // not whether it is an antidepressant (it is not one).
            None if role == Role::Augmentation => {
                e.unknown.push(format!(
                    "the clinician's confirmation that {shown} was given at an adequate augmentation dose (no minimum is cited for it)"
                ));
                Tri::Unknown
            }
            None => {
                let offer = e.suggestion.as_deref().map(|s| format!("; did you mean {s}?")).unwrap_or_default();
                e.unknown.push(format!(
                    "the clinician's confirmation that {shown} is an antidepressant given at an adequate dose (it is not in the dose table{offer})"
                ));
                Tri::Unknown
            }
        },
    }
}

/// Adherence, the episode, the weeks and the response; whether the entry qualifies.
fn judge_answers(e: &mut Entry, dose_ok: Tri, policy: &SitePolicy, comparison: Comparison) {
    let t = e.trial;
    let adherent = match t.adherent {
        None => {
            e.unknown.push("adherence".to_string());
            Tri::Unknown
        }
        Some(true) => Tri::Yes,
        Some(false) => {
            e.reasons.push("it was not taken as prescribed".to_string());
            Tri::No
        }
    };
    let current = match t.current_episode {
        None => {
            e.unknown.push("whether it was in the current episode".to_string());
            Tri::Unknown
        }
        Some(true) => Tri::Yes,
        Some(false) => {
            e.reasons.push("it was not in the current episode".to_string());
            Tri::No
        }
    };
    e.qualifies = Tri::all([dose_ok, adherent, current]);
    if t.weeks_at_dose.is_none() {
        e.unknown.push("the weeks at dose".to_string());
    }
    let threshold = f64::from(policy.failure_threshold_percent);
    e.no_response = match t.improvement_percent {
        None => {
            e.unknown.push("the improvement".to_string());
            Tri::Unknown
        }
        Some(p) if comparison.holds(p, threshold) => Tri::Yes,
        Some(p) => {
            let limit = match comparison {
                Comparison::Below => "is not below",
                Comparison::AtOrBelow => "is above",
            };
            e.reasons.push(format!(
                "improvement of {} % {limit} the {} % failure threshold (it responded)",
                FmtNum(p),
                policy.failure_threshold_percent
            ));
            Tri::No
        }
    };
}
