//! Evaluation speed: the shared example (assessment-v2) and a 10-trial, 10-medication assessment.
//! Run: cargo bench --bench evaluate. Figures go into BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use trdcheck::{evaluate, parse_assessment, RuleSet, SitePolicy};

const EXAMPLE: &str = include_str!("../examples/example-assessment-v2.json");

fn large() -> trdcheck::Assessment {
    let mut a = parse_assessment(EXAMPLE).expect("example parses");
    let drugs = [
        "sertraline",
        "Effexor XR",
        "duloxetine",
        "bupropion",
        "mirtazapine",
        "escitalopram",
        "nortriptyline",
        "Abilify",
        "phenelzine",
        "vortioxetine",
    ];
    let template = a.trials.as_ref().expect("example has trials")[0].clone();
    a.trials = Some(
        drugs
            .iter()
            .map(|d| trdcheck::eligibility::model::Trial { drug: Some((*d).into()), ..template.clone() })
            .collect(),
    );
    let meds = [
        "venlafaxine",
        "lorazepam",
        "clonazepam",
        "tramadol",
        "zolpidem",
        "lamotrigine",
        "modafinil",
        "Flonase",
        "levothyroxine",
        "clarithromycin",
    ];
    // levothyroxine is not in the catalog: reviewed by the clinician (no interacting class), as a
    // complete assessment has it.
    a.medications = Some(
        meds.iter()
            .map(|m| trdcheck::eligibility::model::Medication {
                name: Some((*m).into()),
                dose_mg_per_day: Some(1.0),
                classes: (*m == "levothyroxine").then(Vec::new),
                ..Default::default()
            })
            .collect(),
    );
    a
}

/// The same with one name the catalog does not know and nobody classified ("did you mean").
fn unrecognised() -> trdcheck::Assessment {
    let mut a = large();
    if let Some(m) = a.medications.as_mut().and_then(|m| m.get_mut(1)) {
        m.name = Some("lorazapam".into());
    }
    a
}

fn bench(c: &mut Criterion) {
    let rules = RuleSet::embedded().expect("rule set");
    let policy = SitePolicy::defaults(rules);
    let example = parse_assessment(EXAMPLE).expect("example parses");
    let large = large();
    c.bench_function("evaluate/example", |b| b.iter(|| evaluate(black_box(&example), rules, &policy)));
    c.bench_function("evaluate/10_trials_10_medications", |b| b.iter(|| evaluate(black_box(&large), rules, &policy)));
    let unrecognised = unrecognised();
    c.bench_function("evaluate/10_trials_10_medications_one_unrecognised", |b| {
        b.iter(|| evaluate(black_box(&unrecognised), rules, &policy))
    });
    c.bench_function("parse/example", |b| b.iter(|| parse_assessment(black_box(EXAMPLE))));
    let evaluation = evaluate(&example, rules, &policy);
    let summary = trdcheck::documents::summary::Summary::build(&example, &evaluation, rules, Default::default());
    c.bench_function("summary/pdf_example", |b| {
        b.iter(|| summary.to_pdf(trdcheck::records::clinic_details::Paper::A4).expect("pdf"))
    });
    c.bench_function("summary/html_example", |b| {
        b.iter(|| summary.to_html(trdcheck::records::clinic_details::Paper::A4))
    });
    c.bench_function("ruleset/load", |b| {
        b.iter(|| {
            RuleSet::from_sources(
                trdcheck::eligibility::ruleset::EMBEDDED_RULESET,
                trdcheck::eligibility::ruleset::EMBEDDED_DRUGS,
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
