//! Property tests: no input can make the core panic, and the determination always agrees with
//! the findings.

mod common;

use common::*;
use proptest::prelude::*;
use serde_json::Value;
use std::collections::BTreeSet;
use trdcheck::eligibility::engine::Tri;
use trdcheck::eligibility::model::*;
use trdcheck::{parse_assessment, Determination, Level};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        "[a-z_]{0,12}".prop_map(Value::String),
        prop::sample::select(vec!["trdcheck/assessment/v1", "mdd", "active", "current", "severe", "iv_ketamine"])
            .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "schema",
                    "patient",
                    "id",
                    "age_years",
                    "trials",
                    "drug",
                    "dose_mg_per_day",
                    "cardiovascular",
                    "systolic_mmhg",
                    "diastolic_mmhg",
                    "medications",
                    "name",
                    "pregnancy",
                    "pregnant",
                    "route",
                    "x",
                ])
                .prop_map(String::from),
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn opt<T: std::fmt::Debug + Clone + 'static>(s: impl Strategy<Value = T> + 'static) -> BoxedStrategy<Option<T>> {
    prop::option::weighted(0.8, s).boxed()
}

fn arb_trial() -> impl Strategy<Value = Trial> {
    (
        opt(prop::sample::select(vec![
            "sertraline",
            "Zoloft",
            "duloxetine",
            "aripiprazole",
            "unknown-drug",
            "Effexor XR",
        ])),
        opt(0.0f64..400.0),
        opt(0.0f64..30.0),
        opt(any::<bool>()),
        opt(0.0f64..100.0),
        opt(any::<bool>()),
        opt(any::<bool>()),
        opt(any::<bool>()),
    )
        .prop_map(|(drug, dose, weeks, adherent, improvement, episode, intol, confirmed)| Trial {
            drug: drug.map(String::from),
            dose_mg_per_day: dose,
            weeks_at_dose: weeks,
            adherent,
            improvement_percent: improvement,
            current_episode: episode,
            stopped_for_intolerance: intol,
            adequacy_confirmed_by_clinician: confirmed,
            same_drug_as_suggestion: None,
        })
}

fn arb_medication() -> impl Strategy<Value = Medication> {
    (
        opt(prop::sample::select(vec![
            "lorazepam",
            "clonazepam",
            "Xanax",
            "tramadol",
            "Flonase",
            "phenelzine",
            "aspirin",
            "triazolam",
            "lorazapam",
            "gabapentin",
            "melatonin",
            "lithium",
        ])),
        opt(0.0f64..20.0),
        opt(prop::sample::subsequence(
            vec!["benzodiazepine", "opioid", "maoi", "mood_stabilizer", "cns_depressant"],
            0..3,
        )),
        opt(0.0f64..30.0),
    )
        .prop_map(|(name, dose, classes, equivalent)| Medication {
            name: name.map(String::from),
            dose_mg_per_day: dose,
            classes: classes.map(|c| c.into_iter().map(String::from).collect()),
            diazepam_equivalent_mg_per_day: equivalent,
        })
}

fn pick<T: Copy + std::fmt::Debug + 'static>(values: &'static [T]) -> BoxedStrategy<Option<T>> {
    opt(prop::sample::select(values))
}

/// Valid assessments: every answer in range or unknown.
fn arb_assessment() -> impl Strategy<Value = Assessment> {
    let head = (
        pick(&[Route::IvKetamine, Route::EsketamineNasal]),
        opt(0.0f64..120.0),
        pick(&[Diagnosis::Mdd, Diagnosis::BipolarI, Diagnosis::BipolarII, Diagnosis::Other]),
        opt(any::<bool>()),
        opt(prop::collection::vec(arb_trial(), 0..10)),
        opt(50.0f64..300.0),
        opt(20.0f64..200.0),
        prop::collection::vec(opt(any::<bool>()), 6),
    );
    let tail = (
        prop::collection::vec(opt(any::<bool>()), 8),
        pick(&[KetamineMisuse::Never, KetamineMisuse::Past, KetamineMisuse::Current]),
        pick(&[SubstanceUseDisorder::None, SubstanceUseDisorder::InRemission, SubstanceUseDisorder::Active]),
        pick(&[
            SuicidalIdeation::None,
            SuicidalIdeation::Passive,
            SuicidalIdeation::Active,
            SuicidalIdeation::ActiveWithPlan,
        ]),
        pick(&[
            HepaticImpairment::None,
            HepaticImpairment::Mild,
            HepaticImpairment::Moderate,
            HepaticImpairment::Severe,
        ]),
        opt(prop::collection::vec(arb_medication(), 0..10)),
    );
    let v2 = (
        prop::collection::vec(opt(any::<bool>()), 7),
        opt(50.0f64..100.0),
        opt(0u32..=27),
        opt(0u32..=60),
        opt((50.0f64..300.0, 20.0f64..200.0)),
        pick(&[Sex::Female, Sex::Male, Sex::Other]),
    );
    (head, tail, v2).prop_map(
        |(
            (route, age, dx, capacity, trials, sys, dia, cv),
            (b, ket, sud, si, hep, meds),
            (n, spo2, phq9, madrs, repeat, sex),
        )| {
            let dia = match (sys, dia) {
                (Some(s), Some(d)) if d >= s => Some((s - 1.0).max(20.0)).filter(|d| *d < s),
                _ => dia,
            };
            let repeat = repeat.filter(|(s, d)| d < s);
            Assessment {
                schema: SCHEMA.into(),
                route,
                patient: Patient { id: "P".into(), age_years: age, sex, ..Default::default() },
                episode: Episode {
                    diagnosis: dx,
                    capacity_to_consent: capacity,
                    phq9_total: phq9.map(f64::from),
                    madrs_total: madrs.map(f64::from),
                },
                trials,
                cardiovascular: Cardiovascular {
                    systolic_mmhg: sys,
                    diastolic_mmhg: dia,
                    repeat_systolic_mmhg: repeat.map(|r| r.0),
                    repeat_diastolic_mmhg: repeat.map(|r| r.1),
                    aneurysmal_vascular_disease: cv[0],
                    arteriovenous_malformation: cv[1],
                    intracerebral_hemorrhage_history: cv[2],
                    unstable_cardiovascular_disease: cv[3],
                    stable_cardiovascular_disease: cv[4],
                    hypertensive_encephalopathy_history: cv[5],
                },
                respiratory: Respiratory { respiratory_disease: n[0], spo2_percent: spo2 },
                pregnancy: Pregnancy { childbearing_potential: b[0], pregnant: b[1], breastfeeding: b[2] },
                substance_use: SubstanceUse {
                    ketamine_or_pcp_misuse: ket,
                    substance_use_disorder: sud,
                    intoxicated_or_withdrawing: b[3],
                    heavy_alcohol_use: n[1],
                },
                psychiatric: Psychiatric {
                    current_psychosis_or_mania: b[4],
                    psychotic_disorder_history: b[5],
                    suicidal_ideation: si,
                    suicidal_intent: n[2],
                    suicidal_behaviour_recent: n[3],
                },
                medical: Medical {
                    ketamine_hypersensitivity: b[6],
                    raised_intracranial_pressure: b[7],
                    hepatic_impairment: hep,
                    neurocognitive_disorder: n[4],
                    urinary_symptoms: n[5],
                },
                medications: meds,
            }
        },
    )
}

/// The determination the findings call for, written here from ruleset-v2.md ("how the determination
/// is reached") rather than taken from the engine: the most serious level present decides.
fn expected_determination(findings: &[trdcheck::Finding]) -> Determination {
    let has = |l: Level| findings.iter().any(|f| f.level == l);
    if has(Level::Contraindication) || has(Level::Unmet) {
        Determination::NotEligible
    } else if has(Level::Missing) {
        Determination::Incomplete
    } else if has(Level::Defer) {
        Determination::Deferred
    } else if has(Level::Precaution) {
        Determination::EligibleWithPrecautions
    } else {
        Determination::Eligible
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics(doc in arb_json()) {
        let _ = parse_assessment(&doc.to_string());
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        let _ = parse_assessment(&text);
    }

    #[test]
    fn example_with_any_value_at_any_key_never_panics(pointer in prop::sample::select(vec![
        "/route", "/patient/age_years", "/trials", "/trials/0", "/trials/1/drug", "/trials/2/weeks_at_dose",
        "/cardiovascular", "/cardiovascular/systolic_mmhg", "/pregnancy/pregnant", "/medications/1",
        "/medications/0/name", "/psychiatric/suicidal_ideation", "/medical/hepatic_impairment",
    ]), value in arb_json()) {
        let mut doc: Value = serde_json::from_str(&example_json()).unwrap();
        *doc.pointer_mut(pointer).unwrap() = value;
        if let Ok(a) = parse_assessment(&doc.to_string()) {
            let e = eval(&a);
            prop_assert_eq!(e.determination, expected_determination(&e.findings));
        }
    }

    #[test]
    fn evaluation_is_consistent_for_any_valid_assessment(a in arb_assessment()) {
        prop_assert!(trdcheck::eligibility::input::validate(&a).is_ok(), "generator made an invalid assessment");
        let e = eval(&a);
        // The determination agrees with the findings, level by level.
        prop_assert_eq!(e.determination, expected_determination(&e.findings));
        // Findings are ordered by level, and every one has its basis.
        prop_assert!(e.findings.windows(2).all(|w| w[0].level <= w[1].level));
        prop_assert!(e.findings.iter().all(|f| !f.rule.is_empty() && !f.message.is_empty() && !f.source.is_empty()));
        prop_assert!(e.findings.iter().all(|f| !f.message.contains('{')), "unfilled placeholder");
        // The count is the number of counted drugs, and a counted drug is adequate, counted once.
        prop_assert_eq!(e.failed_adequate_trials as usize, e.trials.iter().filter(|t| t.counted).count());
        prop_assert!(e.trials.iter().filter(|t| t.counted).all(|t| t.adequate == Tri::Yes && t.same_drug_as.is_none()));
        let counted: Vec<&str> = e.trials.iter().filter(|t| t.counted).filter_map(|t| t.generic.as_deref()).collect();
        let distinct: BTreeSet<&str> = counted.iter().copied().collect();
        prop_assert_eq!(counted.len(), distinct.len(), "a drug counted twice");
        // An unrecognised, unclassified medication never ends in eligible.
        if e.medications.iter().any(|m| m.unrecognised()) {
            prop_assert!(!matches!(e.determination, Determination::Eligible | Determination::EligibleWithPrecautions));
        }
        // Unknown is never "no": an eligible result has no unknown required answer.
        if matches!(e.determination, Determination::Eligible | Determination::EligibleWithPrecautions) {
            let severity = ["episode.phq9_total", "episode.madrs_total"];
            prop_assert!(severity.iter().any(|id| !a.answer(id).unwrap().is_unknown()), "eligible without a severity score");
            for q in rules().questions.iter().filter(|q| q.gap_rule.is_some() && !severity.contains(&q.id.as_str())) {
                if q.applies(&a) {
                    prop_assert!(!q.answer(&a).is_unknown(), "eligible with {} unknown", q.id);
                }
            }
            prop_assert!(e.failed_adequate_trials >= 2);
        }
        // Unmet only when no undecided trial could raise the count to 2.
        if e.findings.iter().any(|f| f.level == Level::Unmet) {
            let possible = e.trials.iter().filter(|t| t.failed == Tri::Unknown && t.same_drug_as.is_none()).count();
            prop_assert!(e.failed_adequate_trials as usize + possible < 2);
        }
        // Export and import are lossless.
        let back = parse_assessment(&serde_json::to_string(&a).unwrap()).unwrap();
        prop_assert_eq!(back, a);
    }
}
