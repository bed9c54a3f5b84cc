//! What rule set version 2 changes (docs/ruleset-v2.md): distinct drugs judged once, the
//! failure comparison per threshold, deferral, unrecognised medications, route-specific texts and
//! the strength of a finding.

mod common;

use common::*;
use trdcheck::eligibility::engine::Tri;
use trdcheck::eligibility::model::*;
use trdcheck::eligibility::source::Strength;
use trdcheck::{evaluate, Determination, Evaluation, Level, PolicyOverrides};

fn findings_of<'a>(e: &'a Evaluation, rule: &str) -> Vec<&'a trdcheck::Finding> {
    e.findings.iter().filter(|f| &*f.rule == rule).collect()
}

fn trial(drug: &str, dose: f64, weeks: f64, improvement: f64) -> Trial {
    Trial { weeks_at_dose: Some(weeks), improvement_percent: Some(improvement), ..failed_trial(drug, dose) }
}

fn with_trials(trials: Vec<Trial>) -> Evaluation {
    let mut a = baseline();
    a.trials = Some(trials);
    eval(&a)
}

// ----------------------------------------------------------------- §3 distinct drugs, judged once

#[test]
fn a_dose_increase_of_the_same_drug_is_one_treatment_counted_once() {
    let e = with_trials(vec![trial("sertraline", 50.0, 8.0, 10.0), trial("Zoloft", 150.0, 8.0, 5.0)]);
    assert_eq!(e.failed_adequate_trials, 1, "sertraline 50 then 150 mg is one drug");
    assert_eq!(e.determination, Determination::NotEligible);
    assert_eq!(e.trials[1].same_drug_as, Some(0));
    assert!(
        e.trials[1].explanation.starts_with("Same drug as trial 1: judged together."),
        "{}",
        e.trials[1].explanation
    );
    assert!(e.trials[0].counted && !e.trials[1].counted);
    let unmet = findings_of(&e, "TRD-COUNT");
    assert_eq!(unmet[0].level, Level::Unmet);
    assert!(unmet[0].message.contains("1 different drug"), "{}", unmet[0].message);
}

#[test]
fn the_weeks_of_qualifying_entries_of_one_drug_add_up() {
    // 4 weeks at 50 mg and 4 at 150 mg: 8 weeks at or above the 50 mg minimum.
    let e = with_trials(vec![
        trial("sertraline", 50.0, 4.0, 10.0),
        trial("sertraline", 150.0, 4.0, 10.0),
        trial("duloxetine", 60.0, 8.0, 0.0),
    ]);
    assert_eq!(e.failed_adequate_trials, 2);
    assert_eq!(e.trials[0].adequate, Tri::Yes);
    // Below the minimum dose a trial's weeks do not count: 25 mg for 4 weeks + 50 mg for 4 weeks = 4.
    let e = with_trials(vec![trial("sertraline", 25.0, 4.0, 10.0), trial("sertraline", 50.0, 4.0, 10.0)]);
    assert_eq!(e.trials[0].adequate, Tri::No);
    assert!(e.trials[0].reasons.iter().any(|r| r.contains("4 weeks in all")), "{:?}", e.trials[0].reasons);
}

#[test]
fn one_qualifying_entry_with_a_response_means_the_drug_worked_in_either_order() {
    for order in [[0, 1], [1, 0]] {
        let entries = [trial("escitalopram", 10.0, 8.0, 60.0), trial("escitalopram", 20.0, 8.0, 10.0)];
        let e = with_trials(order.iter().map(|&i| entries[i].clone()).collect());
        assert_eq!(e.trials[0].failed, Tri::No, "order {order:?}");
        assert_eq!(e.failed_adequate_trials, 0);
    }
    // A response at a dose below the minimum does not qualify, so it does not undo the failure.
    let e = with_trials(vec![trial("escitalopram", 5.0, 8.0, 60.0), trial("escitalopram", 10.0, 8.0, 10.0)]);
    assert_eq!(e.trials[0].failed, Tri::Yes);
}

#[test]
fn a_release_form_with_its_own_minimum_is_judged_with_its_generic() {
    let e = with_trials(vec![trial("Paxil", 20.0, 8.0, 10.0), trial("Paxil CR", 25.0, 8.0, 10.0)]);
    assert_eq!(e.failed_adequate_trials, 1);
    assert_eq!(e.trials[1].same_drug_as, Some(0));
    assert_eq!(e.trials[1].min_dose_mg, Some(25.0), "paroxetine CR keeps its own minimum");
    let e = with_trials(vec![trial("Paxil CR", 20.0, 8.0, 10.0)]);
    assert_eq!(e.trials[0].failed, Tri::No);
}

#[test]
fn a_drug_that_is_no_antidepressant_never_counts_even_when_confirmed() {
    let mut t = trial("lorazepam", 2.0, 10.0, 0.0);
    t.adequacy_confirmed_by_clinician = Some(true);
    let mut gap = trial("zolpidem", 10.0, 10.0, 0.0);
    gap.adherent = None;
    let e = with_trials(vec![failed_trial("sertraline", 100.0), t, gap]);
    assert_eq!(e.failed_adequate_trials, 1);
    assert_eq!(e.trials[1].failed, Tri::No);
    assert!(e.trials[1].reasons[0].contains("not an antidepressant"), "{:?}", e.trials[1].reasons);
    // An unknown of a drug that never counts is not missing: answering it could not add a drug.
    assert!(findings_of(&e, "TRD-GAP").is_empty(), "{:#?}", e.findings);
    assert_eq!(findings_of(&e, "TRD-COUNT")[0].level, Level::Unmet);
    // Linezolid is an MAOI for interactions, not an antidepressant trial.
    let e = with_trials(vec![trial("linezolid", 1200.0, 8.0, 0.0)]);
    assert_eq!(e.trials[0].failed, Tri::No);
}

#[test]
fn augmentation_counts_only_under_the_site_policy() {
    let trials = vec![failed_trial("sertraline", 100.0), trial("quetiapine", 150.0, 8.0, 10.0)];
    let e = with_trials(trials.clone());
    assert_eq!(e.failed_adequate_trials, 1, "by default only different antidepressants count");
    assert!(e.trials[1].reasons[0].contains("augmentation agent"), "{:?}", e.trials[1].reasons);
    let mut a = baseline();
    a.trials = Some(trials);
    let counts = policy(PolicyOverrides { augmentation_counts: Some(true), ..Default::default() });
    let e = evaluate(&a, rules(), &counts);
    assert_eq!(e.failed_adequate_trials, 2);
    assert_eq!(e.determination, Determination::Eligible);
    // Below quetiapine's 150 mg minimum it does not count either way.
    a.trials.as_mut().unwrap()[1].dose_mg_per_day = Some(100.0);
    assert_eq!(evaluate(&a, rules(), &counts).failed_adequate_trials, 1);
}

#[test]
fn a_drug_outside_the_catalog_is_confirmed_once_per_distinct_name() {
    let mut t = trial("zuranolone", 50.0, 8.0, 10.0);
    t.adequacy_confirmed_by_clinician = Some(true);
    let e = with_trials(vec![t.clone(), Trial { dose_mg_per_day: Some(40.0), ..t.clone() }]);
    assert_eq!(e.failed_adequate_trials, 1);
    assert_eq!(findings_of(&e, "TRD-CONFIRM").len(), 1);
}

// ----------------------------------------------------------------- §1 deferral and the order

#[test]
fn a_deferral_is_not_today_and_comes_after_missing_before_precautions() {
    let mut a = baseline();
    a.substance_use.intoxicated_or_withdrawing = Some(true);
    a.cardiovascular.stable_cardiovascular_disease = Some(true); // precaution
    let e = eval(&a);
    assert_eq!(e.determination, Determination::Deferred);
    assert_eq!(Determination::Deferred.title(), "Deferred — not today");
    let intox = findings_of(&e, "SUB-INTOX");
    assert!(intox[0].message.contains("Reassess when sober"), "{}", intox[0].message);
    // Findings in the order contraindication, unmet, missing, defer, precaution, info.
    assert!(
        e.findings.iter().position(|f| f.level == Level::Defer)
            < e.findings.iter().position(|f| f.level == Level::Precaution)
    );
    a.medical.hepatic_impairment = None;
    assert_eq!(eval(&a).determination, Determination::Incomplete, "missing beats defer");
    a.trials = Some(vec![]);
    assert_eq!(eval(&a).determination, Determination::NotEligible, "unmet beats missing");
    let mut a = baseline();
    a.substance_use.intoxicated_or_withdrawing = Some(true);
    a.pregnancy.pregnant = Some(true);
    assert_eq!(eval(&a).determination, Determination::NotEligible, "contraindication beats defer");
}

#[test]
fn one_high_reading_that_settles_after_rest_is_not_a_deferral() {
    let mut a = baseline();
    a.cardiovascular.systolic_mmhg = Some(182.0);
    a.cardiovascular.diastolic_mmhg = Some(100.0);
    assert_eq!(eval(&a).determination, Determination::Deferred);
    a.cardiovascular.repeat_systolic_mmhg = Some(150.0);
    a.cardiovascular.repeat_diastolic_mmhg = Some(88.0);
    let e = eval(&a);
    assert_eq!(e.determination, Determination::EligibleWithPrecautions);
    let high = findings_of(&e, "CV-BP-HIGH");
    assert!(high[0].message.contains("182/100") && high[0].message.contains("150/88"), "{}", high[0].message);
}

#[test]
fn the_spo2_limits_come_from_the_site_policy() {
    let mut a = baseline();
    a.respiratory.spo2_percent = Some(89.0);
    let e = eval(&a);
    assert_eq!(e.determination, Determination::Deferred);
    assert!(findings_of(&e, "RESP-SPO2-LOW").is_empty(), "superseded by RESP-SPO2-DEFER");
    let p = policy(PolicyOverrides { spo2_low_percent: Some(92), spo2_defer_percent: Some(85), ..Default::default() });
    a.respiratory.spo2_percent = Some(91.0);
    let e = evaluate(&a, rules(), &p);
    assert_eq!(findings_of(&e, "RESP-SPO2-LOW").len(), 1);
    a.respiratory.spo2_percent = Some(92.0);
    assert!(findings_of(&evaluate(&a, rules(), &p), "RESP-SPO2-LOW").is_empty());
    // The deferral limit must stay below the precaution limit.
    let err = trdcheck::SitePolicy::resolve(
        rules(),
        &PolicyOverrides { spo2_low_percent: Some(92), spo2_defer_percent: Some(93), ..Default::default() },
    )
    .unwrap_err();
    assert!(err.to_string().contains("spo2_defer_percent"), "{err}");
}

// ----------------------------------------------------------------- §2 unrecognised medications

#[test]
fn an_unrecognised_medication_is_missing_and_offers_the_catalog_name() {
    let mut a = baseline();
    a.medications = Some(vec![med("lorazapam", Some(2.0))]);
    let e = eval(&a);
    assert_eq!(e.determination, Determination::Incomplete, "never eligible with an unreviewed medication");
    let f = findings_of(&e, "RX-UNCLASSIFIED");
    assert!(f[0].message.contains("did you mean lorazepam?"), "{}", f[0].message);
    assert_eq!(f[0].question.as_deref(), Some("medications[0]"));
    assert_eq!(e.medications[0].suggestion.as_deref(), Some("lorazepam"));
    // Nothing close: no offer.
    a.medications = Some(vec![med("levothyroxine", Some(0.1))]);
    assert_eq!(eval(&a).medications[0].suggestion, None);
}

#[test]
fn a_benzodiazepine_classified_by_the_clinician_counts_toward_the_total_only_with_its_equivalent() {
    let mut a = baseline();
    let mut m = med("lorazapam", Some(2.0));
    m.classes = Some(vec!["benzodiazepine".into()]);
    a.medications = Some(vec![m.clone()]);
    let e = eval(&a);
    assert_eq!(e.determination, Determination::EligibleWithPrecautions);
    let bzd = findings_of(&e, "RX-BZD");
    assert!(bzd[0].message.contains("could not be checked"), "{}", bzd[0].message);
    assert!(findings_of(&e, "RX-CLINICIAN-CLASSES")[0].message.contains("Benzodiazepine"));
    m.diazepam_equivalent_mg_per_day = Some(20.0);
    a.medications = Some(vec![m]);
    let e = eval(&a);
    assert_eq!(findings_of(&e, "RX-BZD-HIGH").len(), 1);
    assert!(findings_of(&e, "RX-BZD").is_empty());
}

// ----------------------------------------------------------------- strength and routes

#[test]
fn a_finding_is_as_strong_as_the_weakest_entry_that_made_it_fire() {
    let mut a = baseline();
    a.medications = Some(vec![med("clarithromycin", Some(1000.0))]);
    assert_eq!(findings_of(&eval(&a), "RX-CYP")[0].strength, Strength::V);
    a.medications = Some(vec![med("clarithromycin", Some(1000.0)), med("ketoconazole", Some(200.0))]);
    assert_eq!(findings_of(&eval(&a), "RX-CYP")[0].strength, Strength::S);
    a.medications = Some(vec![med("hydroxyzine", Some(25.0))]);
    let cns = eval(&a);
    assert_eq!(findings_of(&cns, "RX-CNS")[0].strength, Strength::U);
    assert_eq!(Strength::U.label(), "unverified");
}

#[test]
fn messages_fit_the_planned_route() {
    let mut a = baseline();
    a.medications = Some(vec![med("sertraline", Some(100.0))]);
    let text = |a: &Assessment| {
        let e = eval(a);
        let f = findings_of(&e, "RX-AD-CONTINUE")[0].clone();
        (f.message, f.source)
    };
    a.route = Some(Route::IvKetamine);
    let (iv, iv_source) = text(&a);
    assert!(!iv.contains("esketamine is approved") && !iv_source.contains("SPRAVATO"), "{iv} / {iv_source}");
    a.route = Some(Route::EsketamineNasal);
    let (esk, esk_source) = text(&a);
    assert!(esk.contains("esketamine is approved") && esk_source.contains("SPRAVATO"), "{esk}");
    a.route = None;
    let (neutral, _) = text(&a);
    assert_ne!(neutral, esk);
    // A contraindication worded for the route.
    let mut a = baseline();
    a.cardiovascular.arteriovenous_malformation = Some(true);
    a.route = Some(Route::IvKetamine);
    let e = eval(&a);
    assert!(!findings_of(&e, "CV-AVM")[0].message.contains("contraindicates esketamine"));
    a.route = Some(Route::EsketamineNasal);
    assert!(findings_of(&eval(&a), "CV-AVM")[0].message.contains("contraindicates esketamine"));
}

#[test]
fn names_outside_the_catalog_are_one_drug_whatever_their_release_form() {
    let mut t = trial("zuranolone", 50.0, 8.0, 10.0);
    t.adequacy_confirmed_by_clinician = Some(true);
    let e = with_trials(vec![
        failed_trial("sertraline", 100.0),
        t.clone(),
        Trial { drug: Some("Zuranolone XR".into()), ..t },
    ]);
    assert_eq!(e.failed_adequate_trials, 2, "zuranolone and zuranolone XR are one drug");
    assert_eq!(e.trials[2].same_drug_as, Some(1));
}

#[test]
fn the_count_rests_on_a_confirmation_given_for_any_trial_of_the_drug() {
    let mut unconfirmed = trial("zuranolone", 50.0, 4.0, 10.0);
    unconfirmed.adequacy_confirmed_by_clinician = Some(false);
    let mut confirmed = trial("zuranolone", 50.0, 8.0, 10.0);
    confirmed.adequacy_confirmed_by_clinician = Some(true);
    let e = with_trials(vec![failed_trial("sertraline", 100.0), unconfirmed, confirmed]);
    assert_eq!(e.failed_adequate_trials, 2);
    assert_eq!(findings_of(&e, "TRD-CONFIRM").len(), 1, "{:#?}", e.findings);
}

#[test]
fn the_confirmation_is_asked_only_where_it_can_change_the_count() {
    let e = with_trials(vec![
        trial("lorazepam", 2.0, 8.0, 0.0),
        trial("zuranolone", 50.0, 8.0, 0.0),
        trial("sertraln", 100.0, 8.0, 0.0),
    ]);
    assert!(!e.trials[0].needs_confirmation, "a catalog drug that never counts");
    assert!(e.trials[1].needs_confirmation);
    assert_eq!(e.trials[2].suggestion.as_deref(), Some("sertraline"), "a likely misspelling is offered");
    // Since 2026.3 a likely misspelling is asked about as a drug first (issue 24).
    assert!(
        e.trials[2].unknown[0].contains("whether sertraln is sertraline or a different drug"),
        "{:?}",
        e.trials[2].unknown
    );
}

#[test]
fn a_benzodiazepine_total_is_as_strong_as_the_equivalents_it_adds_up() {
    let mut a = baseline();
    a.medications = Some(vec![med("lorazepam", Some(2.0))]);
    assert_eq!(findings_of(&eval(&a), "RX-BZD-HIGH")[0].strength, Strength::V);
    a.medications = Some(vec![med("triazolam", Some(0.5))]); // Ashton, secondary: 10 mg
    assert_eq!(findings_of(&eval(&a), "RX-BZD-HIGH")[0].strength, Strength::S);
}
