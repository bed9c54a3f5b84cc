//! The pre-dose gate: today's readings judged by the rule set's vital-sign rules, each on its
//! trigger and just past its boundary, with the site policy in force.

use trdcheck::treatment::pre_dose::{pre_dose, Gate, GateDecision, PreDoseReadings};
use trdcheck::{parse_assessment, Assessment, PolicyOverrides, RuleSet, SitePolicy};

const EXAMPLE: &str = include_str!("../examples/example-assessment-v2.json");

/// The shared example: signed eligible with precautions (its own blood pressure was 152/92).
fn assessment() -> Assessment {
    parse_assessment(EXAMPLE).unwrap()
}

fn rules() -> &'static RuleSet {
    RuleSet::embedded().unwrap()
}

fn today(systolic: f64, diastolic: f64, spo2: f64) -> PreDoseReadings {
    PreDoseReadings {
        systolic_mmhg: Some(systolic),
        diastolic_mmhg: Some(diastolic),
        spo2_percent: Some(spo2),
        new_since_assessment: Some(false),
        ..PreDoseReadings::default()
    }
}

fn gate_with(readings: &PreDoseReadings, policy: &SitePolicy) -> Gate {
    pre_dose(&assessment(), rules(), policy, readings).expect("readings accepted")
}

fn gate(readings: &PreDoseReadings) -> Gate {
    gate_with(readings, &SitePolicy::defaults(rules()))
}

fn rules_of(g: &Gate) -> Vec<&str> {
    g.findings.iter().map(|f| &*f.rule).collect()
}

#[test]
fn normal_readings_proceed_with_no_finding() {
    let g = gate(&today(140.0, 90.0, 95.0));
    assert_eq!(g.decision, GateDecision::Proceed);
    assert!(g.findings.is_empty(), "{:?}", rules_of(&g));
    assert!(g.missing.is_empty() && g.acknowledgements_needed.is_empty());
}

#[test]
fn above_140_90_needs_an_acknowledgement_and_the_finding_shows_its_basis() {
    for (s, d) in [(141.0, 90.0), (140.0, 91.0)] {
        let g = gate(&today(s, d, 97.0));
        assert_eq!(g.decision, GateDecision::AcknowledgeFirst, "{s}/{d}");
        assert_eq!(rules_of(&g), ["CV-BP-HIGH"], "{s}/{d}");
        assert_eq!(&*g.acknowledgements_needed[0], "CV-BP-HIGH");
        let f = &g.findings[0];
        assert!(f.message.contains(&format!("{s}/{d}")), "{}", f.message);
        assert!(!f.source.is_empty());
    }
}

#[test]
fn at_the_site_limit_the_session_is_deferred_and_just_below_it_is_not() {
    let g = gate(&today(180.0, 100.0, 97.0));
    assert_eq!(g.decision, GateDecision::Defer);
    assert_eq!(rules_of(&g), ["CV-BP-STOP"], "CV-BP-HIGH is superseded");
    assert!(g.findings[0].message.contains("180/100"), "{}", g.findings[0].message);
    assert_eq!(gate(&today(150.0, 110.0, 97.0)).decision, GateDecision::Defer);
    let below = gate(&today(179.0, 109.0, 97.0));
    assert_eq!(below.decision, GateDecision::AcknowledgeFirst);
    assert_eq!(rules_of(&below), ["CV-BP-HIGH"]);
}

#[test]
fn a_repeat_reading_after_rest_decides() {
    let rested = PreDoseReadings {
        repeat_systolic_mmhg: Some(150.0),
        repeat_diastolic_mmhg: Some(95.0),
        ..today(185.0, 112.0, 97.0)
    };
    let g = gate(&rested);
    assert_eq!(g.decision, GateDecision::AcknowledgeFirst);
    assert_eq!(rules_of(&g), ["CV-BP-HIGH"]);
    let still_high =
        PreDoseReadings { repeat_systolic_mmhg: Some(182.0), repeat_diastolic_mmhg: Some(100.0), ..rested };
    assert_eq!(gate(&still_high).decision, GateDecision::Defer);
}

#[test]
fn the_site_policy_in_force_sets_the_limit() {
    let policy = SitePolicy::resolve(
        rules(),
        &PolicyOverrides {
            bp_stop_systolic_mmhg: Some(160),
            bp_stop_diastolic_mmhg: Some(100),
            ..PolicyOverrides::default()
        },
    )
    .unwrap();
    assert_eq!(gate_with(&today(160.0, 95.0, 97.0), &policy).decision, GateDecision::Defer);
    assert_eq!(gate_with(&today(159.0, 99.0, 97.0), &policy).decision, GateDecision::AcknowledgeFirst);
}

#[test]
fn low_spo2_is_a_precaution_and_below_the_defer_limit_defers() {
    let low = gate(&today(130.0, 80.0, 94.0));
    assert_eq!((low.decision, rules_of(&low)), (GateDecision::AcknowledgeFirst, vec!["RESP-SPO2-LOW"]));
    let at_defer_limit = gate(&today(130.0, 80.0, 90.0));
    assert_eq!(at_defer_limit.decision, GateDecision::AcknowledgeFirst);
    let below = gate(&today(130.0, 80.0, 89.0));
    assert_eq!((below.decision, rules_of(&below)), (GateDecision::Defer, vec!["RESP-SPO2-DEFER"]));
}

#[test]
fn an_unknown_reading_or_answer_is_never_taken_as_normal() {
    let mut r = today(130.0, 80.0, 97.0);
    r.spo2_percent = None;
    let g = gate(&r);
    assert_eq!(g.decision, GateDecision::Incomplete);
    assert_eq!(g.missing, ["spo2_percent"]);
    let mut r = today(130.0, 80.0, 97.0);
    r.systolic_mmhg = None;
    r.diastolic_mmhg = None;
    let g = gate(&r);
    assert_eq!(g.decision, GateDecision::Incomplete);
    assert_eq!(g.missing, ["systolic_mmhg", "diastolic_mmhg"]);
    let mut r = today(130.0, 80.0, 97.0);
    r.new_since_assessment = None;
    assert_eq!(gate(&r).missing, ["new_since_assessment"]);
    // A defer is not hidden behind a missing answer.
    let mut r = today(190.0, 80.0, 97.0);
    r.new_since_assessment = None;
    assert_eq!(gate(&r).decision, GateDecision::Defer);
}

#[test]
fn something_new_since_the_assessment_sends_it_back_for_reassessment() {
    let r = PreDoseReadings { new_since_assessment: Some(true), ..today(130.0, 80.0, 97.0) };
    assert_eq!(gate(&r).decision, GateDecision::Reassess);
}

#[test]
fn an_impossible_reading_is_refused_naming_its_field() {
    let cases = [
        (today(301.0, 80.0, 97.0), "systolic_mmhg"),
        (today(130.0, 19.0, 97.0), "diastolic_mmhg"),
        (today(130.0, 130.0, 97.0), "diastolic_mmhg"),
        (today(130.0, 80.0, 101.0), "spo2_percent"),
        (PreDoseReadings { repeat_systolic_mmhg: Some(150.0), ..today(160.0, 95.0, 97.0) }, "repeat_diastolic_mmhg"),
    ];
    for (r, path) in cases {
        let e = pre_dose(&assessment(), rules(), &SitePolicy::defaults(rules()), &r).expect_err(path);
        assert_eq!(e.path(), Some(path), "{e}");
    }
}
