//! The trials: each drug judged once (ruleset-v2.md §3), its trials grouped, adequate and failed
//! as the site policy reads them.

use crate::eligibility::drugs::Drug;
use crate::eligibility::input::FmtNum;
use crate::eligibility::model::Trial;
use crate::eligibility::policy::SitePolicy;
use crate::eligibility::ruleset::RuleSet;

use super::*;

mod entry;

use entry::judge_entry;

/// What a trial's drug is for the count (ruleset-v2.md §3).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    /// In the antidepressant dose table.
    Antidepressant,
    /// An augmentation agent, counted under the site policy.
    Augmentation,
    /// An augmentation agent the site policy does not count.
    AugmentationNotCounted,
    /// A catalog drug that is no antidepressant (lorazepam, linezolid): never counts.
    NeverCounts,
    /// Not in the catalog: counts only on the clinician's confirmation.
    OutsideCatalog,
    /// Close in spelling to a catalog drug, and the clinician has not said whether it is that
    /// drug or a different one: it cannot count until they do (one drug never counts twice).
    IdentityAsked,
    /// The drug is not recorded.
    Unknown,
}

/// One trial entry, before the entries of the same drug are judged together.
struct Entry<'a> {
    trial: &'a Trial,
    drug: Option<&'a Drug>,
    role: Role,
    /// The drug the entry is judged with: the catalog's generic, else the normalised name.
    key: Option<String>,
    /// Adherent, in the current episode and at or above the minimum dose (or confirmed).
    qualifies: Tri,
    /// The improvement meets the failure comparison (yes), or it responded (no).
    no_response: Tri,
    confirmed: bool,
    /// For a name outside the catalog, the catalog name it is closest to.
    suggestion: Option<String>,
    /// The catalog drug the name is close to, whose identity with it is asked.
    same_drug_question: Option<String>,
    reasons: Vec<String>,
    unknown: Vec<String>,
}

/// Judges the trials (TRD-ADEQ, TRD-FAIL): each entry's dose, adherence and episode, then every
/// drug once, over all its entries, in three-valued logic — an unknown part leaves a drug
/// undecided (it could still count), never silently not counted.
pub(super) fn judge_trials(trials: &[Trial], rules: &RuleSet, policy: &SitePolicy) -> Vec<TrialResult> {
    let comparison = rules.policy.failure_comparison(policy.failure_threshold_percent);
    let augmentation_counts =
        policy.augmentation_counts.or(rules.policy.augmentation_counts.as_ref().map(|s| s.default)).unwrap_or(false);
    let mut entries: Vec<Entry> = Vec::with_capacity(trials.len());
    for t in trials {
        let entry = judge_entry(t, rules, policy, comparison, augmentation_counts, &entries);
        entries.push(entry);
    }
    let min_weeks = f64::from(policy.min_weeks_at_dose);
    let mut results: Vec<Option<TrialResult>> = (0..trials.len()).map(|_| None).collect();
    for (first, entry) in entries.iter().enumerate() {
        if results[first].is_some() {
            continue;
        }
        let members: Vec<usize> = match &entry.key {
            Some(key) => (first..entries.len()).filter(|&i| entries[i].key.as_deref() == Some(key)).collect(),
            None => vec![first],
        };
        let group = judge_group(&members, &entries, min_weeks);
        for (n, &i) in members.iter().enumerate() {
            results[i] = Some(trial_result(i, &entries[i], &members, n, &group, policy));
        }
    }
    results.into_iter().flatten().collect()
}

/// How the entries of one drug were judged together.
struct Group {
    adequate: Tri,
    failed: Tri,
    /// Weeks at or above the minimum dose, adherent and in the current episode, known for sure.
    qualifying_weeks: f64,
    /// The entry (position in the group) whose response means the drug worked.
    responded: Option<usize>,
    /// Some entry's dose was accepted on the clinician's confirmation.
    confirmed: bool,
}

/// A drug is adequate when its qualifying entries add up to the site's minimum weeks; it failed
/// when it is adequate and no qualifying entry responded (ruleset-v2.md §3).
fn judge_group(members: &[usize], entries: &[Entry], min_weeks: f64) -> Group {
    let mut sure_weeks = 0.0;
    let mut possible_weeks = 0.0;
    let mut weeks_unknown = false;
    // The most weeks that could qualify without a response (the only way for the drug to fail).
    let mut failing_weeks = 0.0;
    let mut failing_unknown = false;
    let mut responded = None;
    let mut response_possible = false;
    let mut all_sure_fail = true;
    for (n, &i) in members.iter().enumerate() {
        let e = &entries[i];
        let weeks = e.trial.weeks_at_dose;
        match e.qualifies {
            Tri::No => continue,
            Tri::Yes => match weeks {
                Some(w) => sure_weeks += w,
                None => weeks_unknown = true,
            },
            Tri::Unknown => match weeks {
                Some(w) => possible_weeks += w,
                None => weeks_unknown = true,
            },
        }
        match (e.qualifies, e.no_response) {
            (Tri::Yes, Tri::No) => {
                responded.get_or_insert(n);
            }
            (Tri::Yes, Tri::Unknown) => {
                all_sure_fail = false;
                response_possible = true
            }
            (Tri::Unknown, Tri::No | Tri::Unknown) => response_possible = true,
            _ => {}
        }
        if e.no_response != Tri::No {
            match weeks {
                Some(w) => failing_weeks += w,
                None => failing_unknown = true,
            }
        }
    }
    let adequate = if sure_weeks >= min_weeks {
        Tri::Yes
    } else if !weeks_unknown && sure_weeks + possible_weeks < min_weeks {
        Tri::No
    } else {
        Tri::Unknown
    };
    let failed = if responded.is_some() || (!failing_unknown && failing_weeks < min_weeks) {
        Tri::No
    } else if sure_weeks >= min_weeks && all_sure_fail && !response_possible {
        Tri::Yes
    } else {
        Tri::Unknown
    };
    let confirmed = members.iter().any(|&i| entries[i].confirmed);
    Group { adequate, failed, qualifying_weeks: sure_weeks, responded, confirmed }
}

fn trial_result(
    index: usize,
    e: &Entry,
    members: &[usize],
    n: usize,
    group: &Group,
    policy: &SitePolicy,
) -> TrialResult {
    let first = members[0];
    let together = members.len() > 1;
    let mut reasons = e.reasons.clone();
    let never = matches!(e.role, Role::NeverCounts | Role::AugmentationNotCounted);
    if !never && group.adequate == Tri::No && group.responded.is_none() {
        let weeks = group.qualifying_weeks;
        let reason = if together {
            format!(
                "{} weeks in all at or above the minimum dose is below the {}-week minimum",
                FmtNum(weeks),
                policy.min_weeks_at_dose
            )
        } else {
            match e.trial.weeks_at_dose {
                Some(w) => {
                    format!("{} weeks at dose is below the {}-week minimum", FmtNum(w), policy.min_weeks_at_dose)
                }
                None => String::new(),
            }
        };
        if !reason.is_empty() && (e.qualifies != Tri::No || together) && !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }
    if let Some(r) = group.responded.filter(|&r| r != n) {
        reasons.push(format!("trial {} of the same drug responded", members[r] + 1));
    }
    let mut unknown = e.unknown.clone();
    if group.failed != Tri::Unknown || e.qualifies == Tri::No {
        unknown.clear();
    }
    let names = members.iter().map(|i| (i + 1).to_string()).collect::<Vec<_>>().join(", ");
    let prefix = if n > 0 { format!("Same drug as trial {}: judged together. ", first + 1) } else { String::new() };
    let explanation = match group.failed {
        Tri::Yes if n > 0 => format!("{prefix}Counted once, with trial {}.", first + 1),
        Tri::Yes => format!(
            "Counts as a failed adequate trial{}{}.",
            if together { format!(" (trials {names} of the same drug, judged together)") } else { String::new() },
            if e.confirmed { " (adequacy confirmed by the clinician)" } else { "" }
        ),
        Tri::No if e.trial.stopped_for_intolerance == Some(true) && group.adequate == Tri::No => {
            format!("{prefix}Does not count: stopped for intolerance before adequacy; {}.", reasons.join("; "))
        }
        Tri::No if reasons.is_empty() => format!("{prefix}Does not count: the drug is judged with its other trials."),
        Tri::No => format!("{prefix}Does not count: {}.", reasons.join("; ")),
        Tri::Unknown if unknown.is_empty() => format!("{prefix}Could still count once its other trials are complete."),
        Tri::Unknown => format!("{prefix}Could still count; not recorded: {}.", unknown.join(", ")),
    };
    let counted = group.failed == Tri::Yes && n == 0;
    // The count rests on the clinician's word when any trial of the drug was confirmed.
    let confirmed = counted && group.confirmed;
    TrialResult {
        index,
        drug: e.trial.drug.clone(),
        generic: e.drug.map(|d| d.name.clone()),
        min_dose_mg: e.drug.and_then(|d| d.min_dose_mg),
        adequate: group.adequate,
        failed: group.failed,
        counted,
        confirmed_by_clinician: confirmed,
        same_drug_as: (n > 0).then_some(first),
        needs_confirmation: e.drug.is_none() && e.trial.drug.is_some() && e.role == Role::OutsideCatalog
            || e.role == Role::Augmentation && e.drug.is_some_and(|d| d.min_dose_mg.is_none()),
        suggestion: e.suggestion.clone(),
        same_drug_question: e.same_drug_question.clone(),
        reasons,
        unknown,
        explanation,
    }
}
