//! Every rule fires on its trigger and stays silent just past its boundary.

mod common;

use std::collections::BTreeSet;

use common::*;
use trdcheck::engine::Tri;
use trdcheck::model::*;
use trdcheck::{Determination, Evaluation, Level, PolicyOverrides};

fn findings_of<'a>(e: &'a Evaluation, rule: &str) -> Vec<&'a trdcheck::Finding> {
    e.findings.iter().filter(|f| &*f.rule == rule).collect()
}

struct Case {
    rule: &'static str,
    level: Level,
    /// Sets the trigger.
    fires: fn(&mut Assessment),
    /// Just past the boundary (or the answer that should not trigger).
    silent: fn(&mut Assessment),
}

fn cases() -> Vec<Case> {
    vec![
        // cardiovascular
        Case {
            rule: "CV-ANEURYSM",
            level: Level::Contraindication,
            fires: |a| a.cardiovascular.aneurysmal_vascular_disease = Some(true),
            silent: |_| {},
        },
        Case {
            rule: "CV-AVM",
            level: Level::Contraindication,
            fires: |a| a.cardiovascular.arteriovenous_malformation = Some(true),
            silent: |_| {},
        },
        Case {
            rule: "CV-ICH",
            level: Level::Contraindication,
            fires: |a| a.cardiovascular.intracerebral_hemorrhage_history = Some(true),
            silent: |_| {},
        },
        Case {
            rule: "CV-UNSTABLE",
            level: Level::Contraindication,
            fires: |a| a.cardiovascular.unstable_cardiovascular_disease = Some(true),
            silent: |_| {},
        },
        Case {
            rule: "CV-BP-STOP",
            level: Level::Contraindication,
            fires: |a| set_bp(a, 180.0, 100.0),
            silent: |a| set_bp(a, 179.0, 109.0),
        },
        Case {
            rule: "CV-BP-STOP",
            level: Level::Contraindication,
            fires: |a| set_bp(a, 170.0, 110.0),
            silent: |a| set_bp(a, 170.0, 109.0),
        },
        Case {
            rule: "CV-BP-HIGH",
            level: Level::Precaution,
            fires: |a| set_bp(a, 141.0, 90.0),
            silent: |a| set_bp(a, 140.0, 90.0),
        },
        Case {
            rule: "CV-BP-HIGH",
            level: Level::Precaution,
            fires: |a| set_bp(a, 140.0, 91.0),
            silent: |a| set_bp(a, 140.0, 90.0),
        },
        // Above the stop limit the stop rule speaks, not the weaker one.
        Case {
            rule: "CV-BP-HIGH",
            level: Level::Precaution,
            fires: |a| set_bp(a, 179.0, 95.0),
            silent: |a| set_bp(a, 180.0, 95.0),
        },
        Case {
            rule: "CV-STABLE",
            level: Level::Precaution,
            fires: |a| a.cardiovascular.stable_cardiovascular_disease = Some(true),
            silent: |_| {},
        },
        Case {
            rule: "CV-HTN-ENC",
            level: Level::Precaution,
            fires: |a| a.cardiovascular.hypertensive_encephalopathy_history = Some(true),
            silent: |_| {},
        },
        Case {
            rule: "CV-BP-GAP",
            level: Level::Missing,
            fires: |a| a.cardiovascular.systolic_mmhg = None,
            silent: |_| {},
        },
        Case {
            rule: "CV-BP-GAP",
            level: Level::Missing,
            fires: |a| a.cardiovascular.diastolic_mmhg = None,
            silent: |_| {},
        },
        Case {
            rule: "CV-GAP",
            level: Level::Missing,
            fires: |a| a.cardiovascular.arteriovenous_malformation = None,
            silent: |_| {},
        },
        // pregnancy
        Case {
            rule: "PREG-YES",
            level: Level::Contraindication,
            fires: |a| a.pregnancy.pregnant = Some(true),
            silent: |_| {},
        },
        Case {
            rule: "PREG-UNKNOWN",
            level: Level::Missing,
            fires: |a| a.pregnancy.pregnant = None,
            silent: |a| {
                a.pregnancy.pregnant = None;
                a.pregnancy.childbearing_potential = Some(false);
            },
        },
        Case {
            rule: "PREG-UNKNOWN",
            level: Level::Missing,
            fires: |a| {
                a.pregnancy.pregnant = None;
                a.pregnancy.childbearing_potential = None;
            },
            silent: |a| {
                // A negative pregnancy status settles it even when childbearing potential is unknown.
                a.pregnancy.childbearing_potential = None;
            },
        },
        Case {
            rule: "PREG-LACT",
            level: Level::Precaution,
            fires: |a| a.pregnancy.breastfeeding = Some(true),
            silent: |_| {},
        },
        Case {
            rule: "PREG-GAP",
            level: Level::Missing,
            fires: |a| a.pregnancy.breastfeeding = None,
            silent: |a| {
                a.pregnancy.breastfeeding = None;
                a.pregnancy.childbearing_potential = Some(false);
            },
        },
        // substance use
        Case {
            rule: "SUB-KET-CURRENT",
            level: Level::Contraindication,
            fires: |a| a.substance_use.ketamine_or_pcp_misuse = Some(KetamineMisuse::Current),
            silent: |a| a.substance_use.ketamine_or_pcp_misuse = Some(KetamineMisuse::Past),
        },
        Case {
            rule: "SUB-KET-PAST",
            level: Level::Precaution,
            fires: |a| a.substance_use.ketamine_or_pcp_misuse = Some(KetamineMisuse::Past),
            silent: |a| a.substance_use.ketamine_or_pcp_misuse = Some(KetamineMisuse::Never),
        },
        Case {
            rule: "SUB-INTOX",
            level: Level::Contraindication,
            fires: |a| a.substance_use.intoxicated_or_withdrawing = Some(true),
            silent: |_| {},
        },
        Case {
            rule: "SUB-ACTIVE",
            level: Level::Contraindication,
            fires: |a| a.substance_use.substance_use_disorder = Some(SubstanceUseDisorder::Active),
            silent: |a| a.substance_use.substance_use_disorder = Some(SubstanceUseDisorder::InRemission),
        },
        Case {
            rule: "SUB-REMISSION",
            level: Level::Precaution,
            fires: |a| a.substance_use.substance_use_disorder = Some(SubstanceUseDisorder::InRemission),
            silent: |a| a.substance_use.substance_use_disorder = Some(SubstanceUseDisorder::None),
        },
        Case {
            rule: "SUB-GAP",
            level: Level::Missing,
            fires: |a| a.substance_use.intoxicated_or_withdrawing = None,
            silent: |_| {},
        },
        // psychiatric
        Case {
            rule: "PSY-ACUTE",
            level: Level::Contraindication,
            fires: |a| a.psychiatric.current_psychosis_or_mania = Some(true),
            silent: |_| {},
        },
        Case {
            rule: "PSY-HISTORY",
            level: Level::Precaution,
            fires: |a| a.psychiatric.psychotic_disorder_history = Some(true),
            silent: |_| {},
        },
        Case {
            rule: "PSY-SI-ACTIVE",
            level: Level::Precaution,
            fires: |a| a.psychiatric.suicidal_ideation = Some(SuicidalIdeation::Active),
            silent: |a| a.psychiatric.suicidal_ideation = Some(SuicidalIdeation::Passive),
        },
        Case {
            rule: "PSY-SI-ACTIVE",
            level: Level::Precaution,
            fires: |a| a.psychiatric.suicidal_ideation = Some(SuicidalIdeation::ActiveWithPlan),
            silent: |_| {},
        },
        Case {
            rule: "PSY-SI-PASSIVE",
            level: Level::Info,
            fires: |a| a.psychiatric.suicidal_ideation = Some(SuicidalIdeation::Passive),
            silent: |_| {},
        },
        Case {
            rule: "PSY-BIPOLAR",
            level: Level::Info,
            fires: |a| a.episode.diagnosis = Some(Diagnosis::BipolarII),
            silent: |_| {},
        },
        Case {
            rule: "PSY-BIPOLAR",
            level: Level::Info,
            fires: |a| a.episode.diagnosis = Some(Diagnosis::BipolarI),
            silent: |_| {},
        },
        Case {
            rule: "PSY-CAPACITY",
            level: Level::Contraindication,
            fires: |a| a.episode.capacity_to_consent = Some(false),
            silent: |_| {},
        },
        Case {
            rule: "PSY-DX-OTHER",
            level: Level::Precaution,
            fires: |a| a.episode.diagnosis = Some(Diagnosis::Other),
            silent: |_| {},
        },
        Case {
            rule: "PSY-GAP",
            level: Level::Missing,
            fires: |a| a.episode.capacity_to_consent = None,
            silent: |_| {},
        },
        Case {
            rule: "PSY-GAP",
            level: Level::Missing,
            fires: |a| a.psychiatric.suicidal_ideation = None,
            silent: |_| {},
        },
        // medical
        Case {
            rule: "MED-HYPERSENS",
            level: Level::Contraindication,
            fires: |a| a.medical.ketamine_hypersensitivity = Some(true),
            silent: |_| {},
        },
        Case {
            rule: "MED-ICP",
            level: Level::Contraindication,
            fires: |a| a.medical.raised_intracranial_pressure = Some(true),
            silent: |_| {},
        },
        Case {
            rule: "MED-HEP-SEVERE",
            level: Level::Contraindication,
            fires: |a| a.medical.hepatic_impairment = Some(HepaticImpairment::Severe),
            silent: |a| a.medical.hepatic_impairment = Some(HepaticImpairment::Moderate),
        },
        Case {
            rule: "MED-HEP-MOD",
            level: Level::Precaution,
            fires: |a| a.medical.hepatic_impairment = Some(HepaticImpairment::Moderate),
            silent: |a| a.medical.hepatic_impairment = Some(HepaticImpairment::Mild),
        },
        Case {
            rule: "MED-AGE-MINOR",
            level: Level::Contraindication,
            fires: |a| a.patient.age_years = Some(17.9),
            silent: |a| a.patient.age_years = Some(18.0),
        },
        Case {
            rule: "MED-AGE-OLDER",
            level: Level::Precaution,
            fires: |a| a.patient.age_years = Some(65.0),
            silent: |a| a.patient.age_years = Some(64.9),
        },
        Case { rule: "MED-GAP", level: Level::Missing, fires: |a| a.patient.age_years = None, silent: |_| {} },
        Case { rule: "MED-GAP", level: Level::Missing, fires: |a| a.medical.hepatic_impairment = None, silent: |_| {} },
        // medications
        Case {
            rule: "RX-BZD",
            level: Level::Precaution,
            fires: |a| a.medications = Some(vec![med("lorazepam", Some(0.5))]),
            silent: |a| a.medications = Some(vec![med("zolpidem", Some(10.0))]),
        },
        // 0.8 mg lorazepam = 8 mg diazepam: not above 8. 0.9 mg = 9 mg: above.
        Case {
            rule: "RX-BZD-HIGH",
            level: Level::Precaution,
            fires: |a| a.medications = Some(vec![med("Ativan", Some(0.9))]),
            silent: |a| a.medications = Some(vec![med("lorazepam", Some(0.8))]),
        },
        Case {
            rule: "RX-BZD-HIGH",
            level: Level::Precaution,
            fires: |a| a.medications = Some(vec![med("diazepam", Some(5.0)), med("clonazepam", Some(0.25))]), /* 5 + 5 */
            silent: |a| a.medications = Some(vec![med("diazepam", Some(4.0)), med("clonazepam", Some(0.2))]), /* 4 + 4 */
        },
        Case {
            rule: "RX-OPIOID",
            level: Level::Precaution,
            fires: |a| a.medications = Some(vec![med("tramadol", Some(100.0))]),
            silent: |_| {},
        },
        Case {
            rule: "RX-ZDRUG",
            level: Level::Precaution,
            fires: |a| a.medications = Some(vec![med("Ambien", Some(5.0))]),
            silent: |_| {},
        },
        Case {
            rule: "RX-MAOI",
            level: Level::Precaution,
            fires: |a| a.medications = Some(vec![med("Nardil", Some(45.0))]),
            silent: |_| {},
        },
        Case {
            rule: "RX-STIM",
            level: Level::Precaution,
            fires: |a| a.medications = Some(vec![med("modafinil", Some(200.0))]),
            silent: |_| {},
        },
        Case {
            rule: "RX-LAMOTRIGINE",
            level: Level::Info,
            fires: |a| a.medications = Some(vec![med("Lamictal", Some(200.0))]),
            silent: |_| {},
        },
        Case {
            rule: "RX-CYP",
            level: Level::Info,
            fires: |a| a.medications = Some(vec![med("clarithromycin", Some(1000.0))]),
            silent: |_| {},
        },
        Case {
            rule: "RX-AD-CONTINUE",
            level: Level::Info,
            fires: |a| a.medications = Some(vec![med("Lexapro", Some(10.0))]),
            silent: |a| a.medications = Some(vec![med("bupropion", Some(300.0))]),
        },
        Case {
            rule: "RX-NASAL",
            level: Level::Info,
            fires: |a| {
                a.route = Some(Route::EsketamineNasal);
                a.medications = Some(vec![med("Flonase", None)]);
            },
            silent: |a| {
                a.route = Some(Route::IvKetamine);
                a.medications = Some(vec![med("Flonase", None)]);
            },
        },
        Case {
            rule: "RX-NASAL",
            level: Level::Info,
            fires: |a| {
                a.route = None;
                a.medications = Some(vec![med("Flonase", None)]);
            },
            silent: |_| {},
        },
        Case {
            rule: "RX-UNCLASSIFIED",
            level: Level::Info,
            fires: |a| a.medications = Some(vec![med("levothyroxine", Some(0.1))]),
            silent: |a| a.medications = Some(vec![med("sertraline", Some(50.0))]),
        },
        Case {
            rule: "RX-GAP",
            level: Level::Missing,
            fires: |a| a.medications = None,
            silent: |a| a.medications = Some(vec![]),
        },
        Case {
            rule: "RX-GAP",
            level: Level::Missing,
            fires: |a| a.medications = Some(vec![Medication { name: None, dose_mg_per_day: Some(5.0) }]),
            silent: |_| {},
        },
        // treatment history
        Case {
            rule: "TRD-COUNT",
            level: Level::Unmet,
            fires: |a| a.trials = Some(vec![failed_trial("sertraline", 100.0)]),
            silent: |_| {},
        },
        Case { rule: "TRD-COUNT", level: Level::Unmet, fires: |a| a.trials = Some(vec![]), silent: |_| {} },
        Case {
            rule: "TRD-GAP",
            level: Level::Missing,
            fires: |a| {
                a.trials.as_mut().unwrap()[1].improvement_percent = None;
            },
            silent: |_| {},
        },
        Case { rule: "TRD-GAP", level: Level::Missing, fires: |a| a.trials = None, silent: |_| {} },
        Case {
            rule: "TRD-INTOL",
            level: Level::Info,
            fires: |a| {
                let mut t = failed_trial("mirtazapine", 15.0);
                t.weeks_at_dose = Some(2.0);
                t.stopped_for_intolerance = Some(true);
                a.trials.as_mut().unwrap().push(t);
            },
            silent: |a| {
                // Stopped for intolerance after it was adequate: it counts, nothing to explain.
                a.trials.as_mut().unwrap()[0].stopped_for_intolerance = Some(true);
            },
        },
        Case {
            rule: "TRD-CONFIRM",
            level: Level::Info,
            fires: |a| {
                let t = &mut a.trials.as_mut().unwrap()[1];
                t.drug = Some("lithium".into());
                t.adequacy_confirmed_by_clinician = Some(true);
            },
            silent: |_| {},
        },
    ]
}

fn set_bp(a: &mut Assessment, s: f64, d: f64) {
    a.cardiovascular.systolic_mmhg = Some(s);
    a.cardiovascular.diastolic_mmhg = Some(d);
}

#[test]
fn baseline_is_eligible_with_no_findings_but_the_count() {
    let e = eval(&baseline());
    assert_eq!(e.determination, Determination::Eligible, "{:#?}", e.findings);
    assert_eq!(e.failed_adequate_trials, 2);
    let rules: Vec<&str> = e.findings.iter().map(|f| &*f.rule).collect();
    assert_eq!(rules, ["TRD-COUNT"]);
    assert_eq!(e.findings[0].level, Level::Info);
}

#[test]
fn every_rule_fires_on_its_trigger_and_is_silent_past_its_boundary() {
    for case in cases() {
        let mut a = baseline();
        (case.fires)(&mut a);
        let e = eval(&a);
        let hits = findings_of(&e, case.rule);
        assert!(!hits.is_empty(), "{} did not fire; findings: {:#?}", case.rule, e.findings);
        assert!(hits.iter().all(|f| f.level == case.level), "{} fired at {:?}", case.rule, hits);
        assert!(!hits[0].source.is_empty() && !hits[0].message.is_empty());

        let mut b = baseline();
        (case.silent)(&mut b);
        let e = eval(&b);
        let silent_hits = findings_of(&e, case.rule);
        // TRD-COUNT reports the count as information when met; it must not be `unmet` then.
        let wrongly = silent_hits.iter().filter(|f| f.level == case.level).count();
        assert_eq!(wrongly, 0, "{} fired past its boundary: {:#?}", case.rule, e.findings);
    }
}

#[test]
fn every_rule_of_the_rule_set_is_exercised_and_ruleset_v1_is_complete() {
    let tested: BTreeSet<&str> = cases().iter().map(|c| c.rule).collect();
    let data: BTreeSet<&str> = rules().rules.iter().map(|r| &*r.id).collect();
    let untested: Vec<_> = data.difference(&tested).collect();
    assert!(untested.is_empty(), "rules without a test case: {untested:?}");
    // Every id of ruleset-v1.md (the default rule set) is in the data.
    for id in [
        "TRD-COUNT",
        "TRD-GAP",
        "TRD-INTOL",
        "TRD-CONFIRM",
        "CV-ANEURYSM",
        "CV-AVM",
        "CV-ICH",
        "CV-UNSTABLE",
        "CV-BP-STOP",
        "CV-BP-HIGH",
        "CV-STABLE",
        "CV-HTN-ENC",
        "CV-BP-GAP",
        "PREG-YES",
        "PREG-UNKNOWN",
        "PREG-LACT",
        "SUB-KET-CURRENT",
        "SUB-INTOX",
        "SUB-ACTIVE",
        "SUB-KET-PAST",
        "SUB-REMISSION",
        "PSY-ACUTE",
        "PSY-HISTORY",
        "PSY-SI-ACTIVE",
        "PSY-SI-PASSIVE",
        "PSY-BIPOLAR",
        "PSY-CAPACITY",
        "MED-HYPERSENS",
        "MED-ICP",
        "MED-HEP-SEVERE",
        "MED-HEP-MOD",
        "MED-AGE-MINOR",
        "MED-AGE-OLDER",
        "RX-BZD",
        "RX-BZD-HIGH",
        "RX-OPIOID",
        "RX-ZDRUG",
        "RX-MAOI",
        "RX-STIM",
        "RX-LAMOTRIGINE",
        "RX-CYP",
        "RX-AD-CONTINUE",
        "RX-NASAL",
    ] {
        assert!(data.contains(id), "{id} of ruleset-v1.md is missing from rules/ruleset.toml");
    }
    let defs: Vec<&str> = rules().definitions.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(defs, ["TRD-ADEQ", "TRD-FAIL"]);
}

#[test]
fn bp_stop_supersedes_bp_high_and_uses_the_site_policy() {
    let mut a = baseline();
    set_bp(&mut a, 185.0, 100.0);
    let e = eval(&a);
    assert_eq!(findings_of(&e, "CV-BP-STOP").len(), 1);
    assert!(findings_of(&e, "CV-BP-HIGH").is_empty());
    assert!(e.findings[0].message.contains("185/100"), "{}", e.findings[0].message);

    set_bp(&mut a, 165.0, 95.0);
    assert!(findings_of(&eval(&a), "CV-BP-STOP").is_empty());
    let strict = policy(PolicyOverrides {
        bp_stop_systolic_mmhg: Some(160),
        bp_stop_diastolic_mmhg: Some(100),
        ..Default::default()
    });
    let e = trdcheck::evaluate(&a, rules(), &strict);
    let stop = findings_of(&e, "CV-BP-STOP");
    assert_eq!(stop.len(), 1);
    assert!(stop[0].message.contains("160/100"), "{}", stop[0].message);
    assert_eq!(e.policy.bp_stop_systolic_mmhg, 160);
}

#[test]
fn bp_stop_fires_on_one_known_value_and_still_reports_the_other_missing() {
    let mut a = baseline();
    a.cardiovascular.systolic_mmhg = Some(200.0);
    a.cardiovascular.diastolic_mmhg = None;
    let e = eval(&a);
    assert_eq!(e.determination, Determination::NotEligible);
    assert_eq!(findings_of(&e, "CV-BP-STOP").len(), 1);
    assert_eq!(findings_of(&e, "CV-BP-GAP").len(), 1);
}

#[test]
fn active_sud_level_follows_the_site_policy() {
    let mut a = baseline();
    a.substance_use.substance_use_disorder = Some(SubstanceUseDisorder::Active);
    let lenient = policy(PolicyOverrides { active_sud_level: Some(Level::Precaution), ..Default::default() });
    let e = trdcheck::evaluate(&a, rules(), &lenient);
    assert_eq!(findings_of(&e, "SUB-ACTIVE")[0].level, Level::Precaution);
    assert_eq!(e.determination, Determination::EligibleWithPrecautions);
    assert_eq!(eval(&a).determination, Determination::NotEligible);
}

#[test]
fn active_suicidal_ideation_is_urgent_and_first_among_precautions() {
    let mut a = baseline();
    a.cardiovascular.stable_cardiovascular_disease = Some(true);
    a.psychiatric.suicidal_ideation = Some(SuicidalIdeation::ActiveWithPlan);
    let e = eval(&a);
    let first_precaution = e.findings.iter().find(|f| f.level == Level::Precaution).unwrap();
    assert_eq!(&*first_precaution.rule, "PSY-SI-ACTIVE");
    assert!(first_precaution.urgent);
    assert_eq!(e.urgent().count(), 1);
}

#[test]
fn benzodiazepine_with_unknown_dose_says_the_equivalent_could_not_be_checked() {
    let mut a = baseline();
    a.medications = Some(vec![med("clonazepam", None)]);
    let e = eval(&a);
    let bzd = findings_of(&e, "RX-BZD");
    assert_eq!(bzd.len(), 1);
    assert!(bzd[0].message.contains("could not be checked against 8 mg/day"), "{}", bzd[0].message);
    assert_eq!(e.determination, Determination::EligibleWithPrecautions);
    // A known part already above the limit decides it.
    a.medications = Some(vec![med("clonazepam", None), med("diazepam", Some(10.0))]);
    let e = eval(&a);
    assert_eq!(findings_of(&e, "RX-BZD-HIGH").len(), 1);
    assert!(findings_of(&e, "RX-BZD").is_empty());
}

#[test]
fn one_finding_per_unknown_question_naming_it() {
    let mut a = baseline();
    a.cardiovascular.arteriovenous_malformation = None;
    a.cardiovascular.stable_cardiovascular_disease = None;
    let e = eval(&a);
    let gaps = findings_of(&e, "CV-GAP");
    assert_eq!(gaps.len(), 2);
    assert_eq!(gaps[0].question.as_deref(), Some("cardiovascular.arteriovenous_malformation"));
    assert!(gaps[0].message.contains("Arteriovenous malformation"));
    assert_eq!(e.determination, Determination::Incomplete);
}

#[test]
fn questions_that_do_not_apply_are_not_missing() {
    let mut a = baseline();
    a.pregnancy = Pregnancy { childbearing_potential: Some(false), pregnant: None, breastfeeding: None };
    assert_eq!(eval(&a).determination, Determination::Eligible);
}

#[test]
fn recording_only_questions_are_not_required() {
    let mut a = baseline();
    a.route = None;
    a.patient.sex = None;
    a.patient.weight_kg = None;
    a.patient.height_cm = None;
    assert_eq!(eval(&a).determination, Determination::Eligible);
}

// ----------------------------------------------------------------- trials (TRD-ADEQ, TRD-FAIL)

fn judge(t: Trial) -> trdcheck::engine::TrialResult {
    let mut a = baseline();
    a.trials = Some(vec![t]);
    eval(&a).trials.remove(0)
}

#[test]
fn dose_exactly_the_minimum_is_adequate_and_just_below_is_not() {
    assert_eq!(judge(failed_trial("duloxetine", 60.0)).failed, Tri::Yes);
    let r = judge(failed_trial("duloxetine", 59.9));
    assert_eq!(r.failed, Tri::No);
    assert_eq!(r.reasons, ["dose 59.9 mg/day is below the 60 mg/day minimum for duloxetine"]);
    let r = judge(failed_trial("Cymbalta", 30.0));
    assert!(
        r.explanation.contains("dose 30 mg/day is below the 60 mg/day minimum for duloxetine"),
        "{}",
        r.explanation
    );
}

#[test]
fn exactly_six_weeks_is_adequate_and_just_below_is_not() {
    let mut t = failed_trial("sertraline", 50.0);
    t.weeks_at_dose = Some(6.0);
    assert_eq!(judge(t.clone()).failed, Tri::Yes);
    t.weeks_at_dose = Some(5.9);
    let r = judge(t.clone());
    assert_eq!(r.failed, Tri::No);
    assert!(r.reasons[0].contains("below the 6-week minimum"));
    // The site may require 8 weeks.
    t.weeks_at_dose = Some(6.0);
    let mut a = baseline();
    a.trials = Some(vec![t]);
    let e =
        trdcheck::evaluate(&a, rules(), &policy(PolicyOverrides { min_weeks_at_dose: Some(8), ..Default::default() }));
    assert_eq!(e.trials[0].failed, Tri::No);
    assert!(e.trials[0].reasons[0].contains("8-week"));
}

#[test]
fn improvement_exactly_the_threshold_is_a_response_not_a_failure() {
    let mut t = failed_trial("sertraline", 50.0);
    t.improvement_percent = Some(50.0);
    let r = judge(t.clone());
    assert_eq!(r.failed, Tri::No);
    assert_eq!(r.adequate, Tri::Yes);
    assert!(r.reasons[0].contains("not below the 50 % failure threshold"));
    t.improvement_percent = Some(49.9);
    assert_eq!(judge(t.clone()).failed, Tri::Yes);
    // Strict reading: failed only below 25 %.
    let strict = policy(PolicyOverrides { failure_threshold_percent: Some(25), ..Default::default() });
    let mut a = baseline();
    t.improvement_percent = Some(25.0);
    a.trials = Some(vec![t.clone()]);
    assert_eq!(trdcheck::evaluate(&a, rules(), &strict).trials[0].failed, Tri::No);
    t.improvement_percent = Some(24.9);
    a.trials = Some(vec![t]);
    assert_eq!(trdcheck::evaluate(&a, rules(), &strict).trials[0].failed, Tri::Yes);
}

#[test]
fn adherence_and_episode_decide_adequacy() {
    let mut t = failed_trial("sertraline", 50.0);
    t.adherent = Some(false);
    assert_eq!(judge(t.clone()).adequate, Tri::No);
    t.adherent = Some(true);
    t.current_episode = Some(false);
    let r = judge(t);
    assert_eq!(r.adequate, Tri::No);
    assert_eq!(r.reasons, ["it was not in the current episode"]);
}

#[test]
fn brand_names_and_release_suffixes_resolve_to_the_generic() {
    for (name, generic) in [
        ("Zoloft", "sertraline"),
        ("EFFEXOR XR", "venlafaxine"),
        ("sertraline ER", "sertraline"),
        ("Paxil CR", "paroxetine CR"),
        ("Wellbutrin XL", "bupropion"),
    ] {
        let r = judge(failed_trial(name, 400.0));
        assert_eq!(r.generic.as_deref(), Some(generic), "{name}");
    }
    // Paroxetine CR has its own minimum (25), plain paroxetine 20.
    assert_eq!(judge(failed_trial("Paxil CR", 20.0)).failed, Tri::No);
    assert_eq!(judge(failed_trial("Paxil", 20.0)).failed, Tri::Yes);
}

#[test]
fn a_drug_outside_the_table_needs_the_clinicians_confirmation() {
    let mut t = failed_trial("aripiprazole", 5.0);
    let r = judge(t.clone());
    assert_eq!(r.failed, Tri::Unknown);
    assert!(r.unknown[0].contains("not in the dose table"));
    t.adequacy_confirmed_by_clinician = Some(false);
    assert_eq!(judge(t.clone()).failed, Tri::No);
    t.adequacy_confirmed_by_clinician = Some(true);
    let r = judge(t);
    assert_eq!(r.failed, Tri::Yes);
    assert!(r.confirmed_by_clinician);
}

#[test]
fn unmet_only_when_no_unknown_could_raise_the_count() {
    // One failed, one undecided: could reach 2, so the gap is missing and the count pending.
    let mut a = baseline();
    a.trials.as_mut().unwrap()[1].weeks_at_dose = None;
    let e = eval(&a);
    assert_eq!(e.determination, Determination::Incomplete);
    assert_eq!(findings_of(&e, "TRD-COUNT")[0].level, Level::Info);
    let gap = findings_of(&e, "TRD-GAP");
    assert_eq!(gap[0].level, Level::Missing);
    assert!(gap[0].message.contains("Trial 2 (duloxetine)") && gap[0].message.contains("weeks at dose"));

    // No failed trial and one undecided: cannot reach 2, so unmet; the gap no longer matters.
    let mut t = failed_trial("sertraline", 100.0);
    t.improvement_percent = None;
    a.trials = Some(vec![t]);
    let e = eval(&a);
    assert_eq!(e.determination, Determination::NotEligible);
    assert_eq!(findings_of(&e, "TRD-COUNT")[0].level, Level::Unmet);
    assert_eq!(findings_of(&e, "TRD-GAP")[0].level, Level::Info);

    // Two failed and a third undecided: the count is met, the gap is information.
    let mut a = baseline();
    let mut t = failed_trial("citalopram", 20.0);
    t.adherent = None;
    a.trials.as_mut().unwrap().push(t);
    let e = eval(&a);
    assert_eq!(e.determination, Determination::Eligible);
    assert_eq!(findings_of(&e, "TRD-GAP")[0].level, Level::Info);
}

#[test]
fn a_trial_with_no_drug_recorded_is_a_gap() {
    let mut a = baseline();
    a.trials.as_mut().unwrap()[1].drug = None;
    let e = eval(&a);
    assert_eq!(e.determination, Determination::Incomplete);
    assert!(findings_of(&e, "TRD-GAP")[0].message.contains("the drug"));
}

// ----------------------------------------------------------------- the determination order

#[test]
fn contraindication_beats_missing_and_missing_beats_precaution() {
    let mut a = baseline();
    a.medical.hepatic_impairment = None; // missing
    a.cardiovascular.stable_cardiovascular_disease = Some(true); // precaution
    assert_eq!(eval(&a).determination, Determination::Incomplete);
    a.pregnancy.pregnant = Some(true); // contraindication
    assert_eq!(eval(&a).determination, Determination::NotEligible);
}

#[test]
fn unmet_beats_missing_elsewhere() {
    let mut a = baseline();
    a.trials = Some(vec![]);
    a.patient.age_years = None;
    let e = eval(&a);
    assert_eq!(e.determination, Determination::NotEligible);
    assert!(e.findings.iter().any(|f| f.level == Level::Missing));
}

#[test]
fn findings_are_ordered_by_level() {
    let mut a = baseline();
    a.pregnancy.pregnant = Some(true);
    a.patient.age_years = None;
    a.medications = Some(vec![med("Lexapro", Some(10.0)), med("lorazepam", Some(1.0))]);
    let e = eval(&a);
    let levels: Vec<Level> = e.findings.iter().map(|f| f.level).collect();
    let mut sorted = levels.clone();
    sorted.sort();
    assert_eq!(levels, sorted);
    assert!(levels.contains(&Level::Contraindication) && levels.contains(&Level::Info));
}

#[test]
fn the_shared_example_is_eligible_with_precautions_with_two_failed_trials() {
    let a = trdcheck::parse_assessment(&example_json()).unwrap();
    let e = eval(&a);
    assert_eq!(e.determination, Determination::EligibleWithPrecautions);
    assert_eq!(e.failed_adequate_trials, 2);
    let rules: Vec<&str> = e.findings.iter().map(|f| &*f.rule).collect();
    assert_eq!(rules, ["CV-BP-HIGH", "RX-BZD-HIGH", "TRD-COUNT", "TRD-INTOL", "PSY-SI-PASSIVE", "RX-AD-CONTINUE"]);
    assert_eq!(e.trials.iter().map(|t| t.counted).collect::<Vec<_>>(), [true, true, false]);
    assert_eq!(e.ruleset.id, "trd-ketamine-2026.1");
    assert_eq!(e.ruleset.sha256.len(), 64);
}
