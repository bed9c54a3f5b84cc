//! One drug never counts twice (issue 24, rule set trd-ketamine-2026.3): a name the catalog reads
//! as a listed drug (a salt or hydrate word, another language, accents) is that drug; a name only
//! close in spelling to one stays missing until the clinician says whether it is that drug.

mod common;

use common::*;
use trdcheck::eligibility::engine::Tri;
use trdcheck::eligibility::model::*;
use trdcheck::{evaluate, Determination, Evaluation};

fn trial(drug: &str, dose: f64) -> Trial {
    Trial { weeks_at_dose: Some(8.0), improvement_percent: Some(10.0), ..failed_trial(drug, dose) }
}

fn with_trials(trials: Vec<Trial>) -> Evaluation {
    let mut a = baseline();
    a.trials = Some(trials);
    evaluate(&a, rules(), &default_policy())
}

#[test]
fn salt_hydrate_and_international_names_are_the_listed_drug() {
    let drugs = &rules().drugs;
    for (name, generic) in [
        ("sertraline hydrochloride", "sertraline"),
        ("Sertraline HCl", "sertraline"),
        ("paroxetine hydrochloride hemihydrate", "paroxetine"),
        ("venlafaxine hydrochloride ER", "venlafaxine"),
        ("escitalopram oxalate", "escitalopram"),
        ("sertralina", "sertraline"),
        ("Fluoxétine", "fluoxetine"),
        ("bupropión", "bupropion"),
        ("lithium carbonate", "lithium"),
    ] {
        assert_eq!(drugs.lookup(name).map(|d| &*d.name), Some(generic), "{name}");
    }
    // Just past: a salt word alone, or a word that is no salt, is not a drug.
    assert!(drugs.lookup("hydrochloride").is_none());
    assert!(drugs.lookup("sertraline tablets daily").is_none());
}

#[test]
fn a_salt_or_foreign_name_of_a_listed_drug_is_judged_with_it_and_counted_once() {
    for other in ["sertraline hydrochloride", "sertralina", "SERTRALINE HCL"] {
        let mut second = trial(other, 100.0);
        second.adequacy_confirmed_by_clinician = Some(true);
        let e = with_trials(vec![trial("sertraline", 100.0), second]);
        assert_eq!(e.failed_adequate_trials, 1, "{other}: one drug, counted once");
        assert_eq!(e.trials[1].same_drug_as, Some(0), "{other}");
        assert_eq!(e.determination, Determination::NotEligible, "{other}: one failed drug is not TRD");
    }
}

#[test]
fn a_name_close_to_a_listed_drug_is_missing_until_the_clinician_says_which_drug() {
    // "sertraln" is not listed; it is one letter from "sertralin". A confirmed adequate dose says
    // nothing about which drug it was.
    let mut close = trial("sertraline", 100.0);
    close.drug = Some("sertraln".into());
    close.adequacy_confirmed_by_clinician = Some(true);
    let e = with_trials(vec![trial("sertraline", 100.0), close.clone()]);
    assert_eq!(e.trials[1].same_drug_question.as_deref(), Some("sertraline"));
    assert_eq!(e.trials[1].failed, Tri::Unknown);
    assert!(e.trials[1].unknown.iter().any(|u| u.contains("whether sertraln is sertraline or a different drug")));
    assert!(!e.trials[1].needs_confirmation, "which drug is asked first");
    assert_eq!(e.failed_adequate_trials, 1);
    assert_eq!(e.determination, Determination::Incomplete, "never eligible on a drug counted twice");
    // "The same drug": judged with sertraline, counted once.
    close.same_drug_as_suggestion = Some(true);
    let e = with_trials(vec![trial("sertraline", 100.0), close.clone()]);
    assert_eq!((e.failed_adequate_trials, e.trials[1].same_drug_as), (1, Some(0)));
    assert_eq!(e.determination, Determination::NotEligible);
    // "A different drug": outside the catalog, counted on the confirmation of an adequate dose.
    close.same_drug_as_suggestion = Some(false);
    let e = with_trials(vec![trial("sertraline", 100.0), close.clone()]);
    assert_eq!(e.failed_adequate_trials, 2);
    close.adequacy_confirmed_by_clinician = None;
    let e = with_trials(vec![trial("sertraline", 100.0), close]);
    assert!(e.trials[1].needs_confirmation);
    assert_eq!(e.failed_adequate_trials, 1);
}

#[test]
fn a_name_far_from_every_listed_drug_is_not_asked_about() {
    // Just past the spelling distance: no identity question, the adequacy confirmation only.
    let mut far = trial("zuranolone", 50.0);
    far.adequacy_confirmed_by_clinician = Some(true);
    let e = with_trials(vec![trial("sertraline", 100.0), far]);
    assert_eq!(e.trials[1].same_drug_question, None);
    assert_eq!(e.failed_adequate_trials, 2);
}

/// Two names outside the catalog, close in spelling to each other and to no catalog drug: the later
/// one is asked "the same drug as trial n?" before it can count, as against the catalog.
#[test]
fn two_close_names_outside_the_catalog_are_one_drug_only_on_the_clinicians_word() {
    let outside = |name: &str| Trial {
        drug: Some(name.into()),
        adequacy_confirmed_by_clinician: Some(true),
        ..trial("sertraline", 100.0)
    };
    assert!(rules().drugs.lookup("zuranolone").is_none() && rules().drugs.close_to("zuranolon").is_none());
    let mut second = outside("zuranolon");
    let e = with_trials(vec![outside("zuranolone"), second.clone()]);
    assert_eq!(e.trials[1].same_drug_question.as_deref(), Some("zuranolone (trial 1)"));
    assert_eq!(e.trials[1].failed, Tri::Unknown);
    assert!(e.trials[1]
        .unknown
        .iter()
        .any(|u| u.contains("whether zuranolon is zuranolone (trial 1) or a different drug")));
    assert_eq!(e.failed_adequate_trials, 1);
    assert_eq!(e.determination, Determination::Incomplete, "never eligible on a drug counted twice");
    // "The same drug": judged with trial 1, counted once.
    second.same_drug_as_suggestion = Some(true);
    let e = with_trials(vec![outside("zuranolone"), second.clone()]);
    assert_eq!((e.failed_adequate_trials, e.trials[1].same_drug_as), (1, Some(0)));
    assert_eq!(e.determination, Determination::NotEligible);
    // "A different drug": two drugs.
    second.same_drug_as_suggestion = Some(false);
    let e = with_trials(vec![outside("zuranolone"), second]);
    assert_eq!(e.failed_adequate_trials, 2);
    // At the distance (one letter in a name of 6) it is asked; just past it (two letters) it is
    // not, nor is a name written the same way apart from its salt word (the same drug).
    let e = with_trials(vec![outside("zurano"), outside("zurana")]);
    assert_eq!(e.trials[1].same_drug_question.as_deref(), Some("zurano (trial 1)"));
    let e = with_trials(vec![outside("zurano"), outside("zurxna")]);
    assert_eq!(e.trials[1].same_drug_question, None);
    assert_eq!(e.failed_adequate_trials, 2);
    let e = with_trials(vec![outside("zuranolone"), outside("zuranolone hydrochloride")]);
    assert_eq!((e.trials[1].same_drug_question.as_deref(), e.trials[1].same_drug_as), (None, Some(0)));
}

#[test]
fn the_summary_says_which_drug_rests_on_the_clinicians_word() {
    let mut a = baseline();
    let mut close = trial("sertraline", 100.0);
    close.drug = Some("sertraln".into());
    a.trials = Some(vec![trial("sertraline", 100.0), close]);
    let text = |a: &Assessment| {
        let e = evaluate(a, rules(), &default_policy());
        trdcheck::documents::summary::Summary::build(a, &e, rules(), Default::default())
            .to_text(trdcheck::documents::summary_text::TextStyle::Plain)
    };
    assert!(text(&a).contains("sertraln (sertraline or another drug? not answered)"), "{}", text(&a));
    a.trials.as_mut().unwrap()[1].same_drug_as_suggestion = Some(true);
    assert!(text(&a).contains("sertraln (sertraline, the clinician's answer)"), "{}", text(&a));
    a.trials.as_mut().unwrap()[1].same_drug_as_suggestion = Some(false);
    assert!(text(&a).contains("sertraln (not sertraline, the clinician's answer)"), "{}", text(&a));
}

/// Issue 24: olanzapine/fluoxetine (approved for TRD) is a fluoxetine trial, not "not an
/// antidepressant"; with a fluoxetine trial it is the same drug, counted once.
#[test]
fn olanzapine_fluoxetine_is_judged_as_a_fluoxetine_trial() {
    let e = with_trials(vec![trial("sertraline", 100.0), trial("Symbyax", 25.0)]);
    assert_eq!(e.failed_adequate_trials, 2, "{:#?}", e.trials[1]);
    assert_eq!(e.trials[1].min_dose_mg, Some(20.0));
    // Just past: below the 20 mg fluoxetine component it does not count.
    let e = with_trials(vec![trial("sertraline", 100.0), trial("olanzapine/fluoxetine", 19.0)]);
    assert_eq!(e.failed_adequate_trials, 1);
    let e = with_trials(vec![trial("fluoxetine", 40.0), trial("Symbyax", 25.0), trial("sertraline", 100.0)]);
    assert_eq!(e.failed_adequate_trials, 2, "fluoxetine alone and with olanzapine is one drug");
    assert_eq!(e.trials[1].same_drug_as, Some(0));
    // However its parts are ordered or joined, it is the same product (issue 24 re-test: these
    // counted fluoxetine twice).
    for name in
        ["fluoxetine/olanzapine", "olanzapine and fluoxetine", "Fluoxetine + Olanzapine", "fluoxetina y olanzapina"]
    {
        assert_eq!(rules().drugs.lookup(name).map(|d| &*d.name), Some("olanzapine/fluoxetine"), "{name}");
        let mut combined = trial(name, 50.0);
        combined.adequacy_confirmed_by_clinician = Some(true);
        let e = with_trials(vec![trial("fluoxetine", 40.0), combined]);
        assert_eq!((e.failed_adequate_trials, e.trials[1].same_drug_as), (1, Some(0)), "{name}");
    }
    // Just past: two drugs that make no listed product are not taken for one.
    assert!(rules().drugs.lookup("sertraline and bupropion").is_none());
}

/// Issue 24: an augmentation agent the site counts is asked about its dose, not whether it is
/// an antidepressant.
#[test]
fn an_augmentation_agent_is_asked_about_its_dose_not_whether_it_is_an_antidepressant() {
    let mut a = baseline();
    a.trials = Some(vec![trial("sertraline", 100.0), trial("aripiprazole", 5.0)]);
    let counts = trdcheck::SitePolicy::resolve(
        rules(),
        &trdcheck::PolicyOverrides { augmentation_counts: Some(true), ..Default::default() },
    )
    .unwrap();
    let e = evaluate(&a, rules(), &counts);
    assert!(e.trials[1].needs_confirmation);
    let asked = e.trials[1].unknown.join(" ");
    assert!(asked.contains("adequate augmentation dose") && !asked.contains("is an antidepressant"), "{asked}");
}

/// Review of issue 24: a listed name among other words, or a misspelling with a salt word, is
/// asked about too; it never counts as a second drug on the adequacy confirmation alone.
#[test]
fn a_listed_name_among_other_words_or_a_misspelt_salt_name_is_asked_about() {
    for other in ["sertraline 50 mg", "sertraline (Zoloft)", "sertaline hydrochloride", "Zoloft tablets"] {
        let mut second = trial(other, 100.0);
        second.adequacy_confirmed_by_clinician = Some(true);
        let e = with_trials(vec![trial("sertraline", 100.0), second]);
        assert_eq!(e.trials[1].same_drug_question.as_deref(), Some("sertraline"), "{other}");
        assert_eq!(e.failed_adequate_trials, 1, "{other}: never a second drug unasked");
        assert_eq!(e.determination, Determination::Incomplete, "{other}");
    }
}

#[test]
fn two_ways_of_writing_one_drug_outside_the_catalog_are_one_drug() {
    let mut a = trial("zuranolone XR", 50.0);
    a.adequacy_confirmed_by_clinician = Some(true);
    let mut b = trial("Zuranolone hydrochloride", 50.0);
    b.adequacy_confirmed_by_clinician = Some(true);
    let e = with_trials(vec![a, b]);
    assert_eq!(e.trials[1].same_drug_as, Some(0));
    assert_eq!(e.failed_adequate_trials, 1);
}

/// Issue 24 second re-test: a product the catalog does not list, made of a listed antidepressant
/// and something else ("perphenazine/amitriptyline", "dextromethorphan/bupropion", two drugs
/// written as one), is asked about that antidepressant before it can count, so it never counts as
/// a second drug unseen.
#[test]
fn a_product_holding_a_listed_antidepressant_is_asked_about_it() {
    for (product, single, dose) in [
        ("perphenazine/amitriptyline", "amitriptyline", 150.0),
        ("dextromethorphan/bupropion", "bupropion", 300.0),
        ("sertraline/olanzapine", "sertraline", 100.0),
        ("dextromethorphan and bupropion", "bupropion", 300.0),
    ] {
        let mut combined = trial(product, dose);
        combined.adequacy_confirmed_by_clinician = Some(true);
        let e = with_trials(vec![trial(single, dose), combined]);
        assert_eq!(e.trials[1].same_drug_question.as_deref(), Some(single), "{product}");
        assert_eq!(e.determination, Determination::Incomplete, "{product}");
    }
}
