//! Every rule fires on its trigger and stays silent just past its boundary.

mod common;

use std::collections::BTreeSet;

use common::*;
use trdcheck::eligibility::engine::Tri;
use trdcheck::eligibility::model::*;
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
            level: Level::Defer,
            fires: |a| set_bp(a, 180.0, 100.0),
            silent: |a| set_bp(a, 179.0, 109.0),
        },
        Case {
            rule: "CV-BP-STOP",
            level: Level::Defer,
            fires: |a| set_bp(a, 170.0, 110.0),
            silent: |a| set_bp(a, 170.0, 109.0),
        },
        // The repeat reading after rest decides, when there is one.
        Case {
            rule: "CV-BP-STOP",
            level: Level::Defer,
            fires: |a| {
                set_bp(a, 150.0, 90.0);
                set_repeat(a, 180.0, 100.0);
            },
            silent: |a| {
                set_bp(a, 182.0, 100.0);
                set_repeat(a, 179.0, 109.0);
            },
        },
        // A first reading that settles still needs the acknowledgement (any reading above 140/90).
        Case {
            rule: "CV-BP-HIGH",
            level: Level::Precaution,
            fires: |a| {
                set_bp(a, 200.0, 120.0);
                set_repeat(a, 130.0, 80.0);
            },
            silent: |a| {
                set_bp(a, 140.0, 90.0);
                set_repeat(a, 130.0, 80.0);
            },
        },
        Case {
            rule: "CV-BP-HIGH",
            level: Level::Precaution,
            fires: |a| set_repeat(a, 141.0, 85.0),
            silent: |a| set_repeat(a, 140.0, 90.0),
        },
        // respiratory
        Case {
            rule: "RESP-DISEASE",
            level: Level::Precaution,
            fires: |a| a.respiratory.respiratory_disease = Some(true),
            silent: |a| a.respiratory.respiratory_disease = Some(false),
        },
        Case {
            rule: "RESP-SPO2-LOW",
            level: Level::Precaution,
            fires: |a| a.respiratory.spo2_percent = Some(94.0),
            silent: |a| a.respiratory.spo2_percent = Some(95.0),
        },
        Case {
            rule: "RESP-SPO2-DEFER",
            level: Level::Defer,
            fires: |a| a.respiratory.spo2_percent = Some(89.0),
            silent: |a| a.respiratory.spo2_percent = Some(90.0),
        },
        Case { rule: "RESP-GAP", level: Level::Missing, fires: |a| a.respiratory.spo2_percent = None, silent: |_| {} },
        Case {
            rule: "RESP-GAP",
            level: Level::Missing,
            fires: |a| a.respiratory.respiratory_disease = None,
            silent: |_| {},
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
                a.patient.sex = Some(Sex::Male);
            },
        },
        // A sterilised woman can be breastfeeding: asked unless male and not of childbearing potential.
        Case {
            rule: "PREG-GAP",
            level: Level::Missing,
            fires: |a| {
                a.pregnancy.breastfeeding = None;
                a.pregnancy.childbearing_potential = Some(false);
            },
            silent: |a| {
                a.pregnancy.breastfeeding = Some(false);
                a.pregnancy.childbearing_potential = Some(false);
            },
        },
        Case {
            rule: "PREG-LACT",
            level: Level::Precaution,
            fires: |a| {
                a.pregnancy.childbearing_potential = Some(false);
                a.pregnancy.breastfeeding = Some(true);
            },
            silent: |a| {
                // Kept and shown, but fires no rule: the question does not apply.
                a.patient.sex = Some(Sex::Male);
                a.pregnancy.childbearing_potential = Some(false);
                a.pregnancy.breastfeeding = Some(true);
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
            level: Level::Defer,
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
        Case {
            rule: "SUB-GAP",
            level: Level::Missing,
            fires: |a| a.substance_use.heavy_alcohol_use = None,
            silent: |_| {},
        },
        Case {
            rule: "SUB-ALCOHOL",
            level: Level::Precaution,
            fires: |a| a.substance_use.heavy_alcohol_use = Some(true),
            silent: |a| a.substance_use.heavy_alcohol_use = Some(false),
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
            fires: |a| {
                a.psychiatric.suicidal_ideation = Some(SuicidalIdeation::Active);
                a.psychiatric.suicidal_intent = Some(false);
            },
            // With a plan the risk is high: PSY-SI-HIGH replaces it.
            silent: |a| a.psychiatric.suicidal_ideation = Some(SuicidalIdeation::ActiveWithPlan),
        },
        Case {
            rule: "PSY-SI-HIGH",
            level: Level::Precaution,
            fires: |a| a.psychiatric.suicidal_ideation = Some(SuicidalIdeation::ActiveWithPlan),
            silent: |a| {
                a.psychiatric.suicidal_ideation = Some(SuicidalIdeation::Active);
                a.psychiatric.suicidal_intent = Some(false);
            },
        },
        Case {
            rule: "PSY-SI-HIGH",
            level: Level::Precaution,
            fires: |a| {
                a.psychiatric.suicidal_ideation = Some(SuicidalIdeation::Active);
                a.psychiatric.suicidal_intent = Some(true);
            },
            // Intent is asked only when the ideation is active: a stale answer fires nothing.
            silent: |a| {
                a.psychiatric.suicidal_ideation = Some(SuicidalIdeation::Passive);
                a.psychiatric.suicidal_intent = Some(true);
            },
        },
        Case {
            rule: "PSY-SI-HIGH",
            level: Level::Precaution,
            fires: |a| a.psychiatric.suicidal_behaviour_recent = Some(true),
            silent: |a| a.psychiatric.suicidal_behaviour_recent = Some(false),
        },
        Case {
            rule: "PSY-GAP",
            level: Level::Missing,
            fires: |a| {
                a.psychiatric.suicidal_ideation = Some(SuicidalIdeation::Active);
                a.psychiatric.suicidal_intent = None;
            },
            silent: |a| {
                a.psychiatric.suicidal_ideation = Some(SuicidalIdeation::ActiveWithPlan);
                a.psychiatric.suicidal_intent = None;
            },
        },
        Case {
            rule: "PSY-GAP",
            level: Level::Missing,
            fires: |a| a.psychiatric.suicidal_behaviour_recent = None,
            silent: |_| {},
        },
        Case {
            rule: "EP-SEVERITY-LOW",
            level: Level::Precaution,
            fires: |a| {
                a.episode.phq9_total = Some(9.0);
                a.episode.madrs_total = None;
            },
            silent: |a| {
                a.episode.phq9_total = Some(10.0);
                a.episode.madrs_total = None;
            },
        },
        Case {
            rule: "EP-SEVERITY-LOW",
            level: Level::Precaution,
            fires: |a| {
                a.episode.phq9_total = None;
                a.episode.madrs_total = Some(19.0);
            },
            silent: |a| {
                a.episode.phq9_total = None;
                a.episode.madrs_total = Some(20.0);
            },
        },
        // Every recorded score must be below its minimum.
        Case {
            rule: "EP-SEVERITY-LOW",
            level: Level::Precaution,
            fires: |a| {
                a.episode.phq9_total = Some(9.0);
                a.episode.madrs_total = Some(19.0);
            },
            silent: |a| {
                a.episode.phq9_total = Some(9.0);
                a.episode.madrs_total = Some(20.0);
            },
        },
        Case {
            rule: "EP-SEVERITY-GAP",
            level: Level::Missing,
            fires: |a| {
                a.episode.phq9_total = None;
                a.episode.madrs_total = None;
            },
            silent: |a| {
                a.episode.phq9_total = None;
                a.episode.madrs_total = Some(30.0);
            },
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
            fires: |a| {
                a.episode.diagnosis = Some(Diagnosis::BipolarII);
                a.medications = Some(vec![med("lithium", Some(900.0))]);
            },
            silent: |a| a.episode.diagnosis = Some(Diagnosis::BipolarII),
        },
        Case {
            rule: "PSY-BIPOLAR",
            level: Level::Info,
            fires: |a| {
                a.episode.diagnosis = Some(Diagnosis::BipolarI);
                a.medications = Some(vec![med("Depakote", Some(1000.0))]);
            },
            silent: |a| {
                a.episode.diagnosis = Some(Diagnosis::Mdd);
                a.medications = Some(vec![med("lithium", Some(900.0))]);
            },
        },
        Case {
            rule: "PSY-BIPOLAR-NO-MS",
            level: Level::Precaution,
            fires: |a| a.episode.diagnosis = Some(Diagnosis::BipolarI),
            silent: |a| {
                a.episode.diagnosis = Some(Diagnosis::BipolarI);
                a.medications = Some(vec![med("lithium", Some(900.0))]);
            },
        },
        // Lamotrigine is no mood stabiliser here (no antimanic effect).
        Case {
            rule: "PSY-BIPOLAR-NO-MS",
            level: Level::Precaution,
            fires: |a| {
                a.episode.diagnosis = Some(Diagnosis::BipolarII);
                a.medications = Some(vec![med("lamotrigine", Some(200.0))]);
            },
            silent: |a| a.episode.diagnosis = Some(Diagnosis::Mdd),
        },
        // The medication list unknown: whether a mood stabiliser is taken is missing.
        Case {
            rule: "PSY-BIPOLAR-NO-MS",
            level: Level::Missing,
            fires: |a| {
                a.episode.diagnosis = Some(Diagnosis::BipolarII);
                a.medications = None;
            },
            silent: |a| a.medications = None,
        },
        // A medication the clinician classified as a mood stabiliser counts as one.
        Case {
            rule: "PSY-BIPOLAR",
            level: Level::Info,
            fires: |a| {
                a.episode.diagnosis = Some(Diagnosis::BipolarI);
                a.medications = Some(vec![classified("lithium citrate syrup", &["mood_stabilizer"])]);
            },
            silent: |a| {
                a.episode.diagnosis = Some(Diagnosis::BipolarI);
                a.medications = Some(vec![classified("lithium citrate syrup", &[])]);
            },
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
        Case {
            rule: "MED-GAP",
            level: Level::Missing,
            fires: |a| a.medical.neurocognitive_disorder = None,
            silent: |_| {},
        },
        Case { rule: "MED-GAP", level: Level::Missing, fires: |a| a.medical.urinary_symptoms = None, silent: |_| {} },
        Case {
            rule: "MED-COGNITIVE",
            level: Level::Precaution,
            fires: |a| a.medical.neurocognitive_disorder = Some(true),
            silent: |a| a.medical.neurocognitive_disorder = Some(false),
        },
        Case {
            rule: "MED-CYSTITIS",
            level: Level::Info,
            fires: |a| a.medical.urinary_symptoms = Some(true),
            silent: |a| a.medical.urinary_symptoms = Some(false),
        },
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
            level: Level::Missing,
            fires: |a| a.medications = Some(vec![med("levothyroxine", Some(0.1))]),
            silent: |a| a.medications = Some(vec![med("sertraline", Some(50.0))]),
        },
        // A misspelling is still unrecognised until classified; the message offers the catalog name.
        Case {
            rule: "RX-UNCLASSIFIED",
            level: Level::Missing,
            fires: |a| a.medications = Some(vec![med("lorazapam", Some(1.0))]),
            silent: |a| a.medications = Some(vec![classified("lorazapam", &["benzodiazepine"])]),
        },
        Case {
            rule: "RX-CLINICIAN-CLASSES",
            level: Level::Info,
            fires: |a| a.medications = Some(vec![classified("melatonin gummies", &[])]),
            silent: |a| a.medications = Some(vec![med("melatonin gummies", Some(3.0))]),
        },
        // Classified by the clinician: evaluated exactly as a catalog drug of those classes.
        Case {
            rule: "RX-OPIOID",
            level: Level::Precaution,
            fires: |a| a.medications = Some(vec![classified("Percocet 10/325", &["opioid"])]),
            silent: |a| a.medications = Some(vec![classified("Percocet 10/325", &[])]),
        },
        Case {
            rule: "RX-CNS",
            level: Level::Precaution,
            fires: |a| a.medications = Some(vec![med("Neurontin", Some(900.0))]),
            silent: |a| a.medications = Some(vec![med("melatonin", Some(3.0)).with_classes(&[])]),
        },
        Case {
            rule: "RX-MAOI",
            level: Level::Precaution,
            fires: |a| a.medications = Some(vec![med("linezolid", Some(1200.0))]),
            silent: |_| {},
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
            fires: |a| {
                a.medications = Some(vec![Medication { name: None, dose_mg_per_day: Some(5.0), ..Default::default() }])
            },
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
                t.drug = Some("zuranolone".into());
                t.adequacy_confirmed_by_clinician = Some(true);
            },
            // A catalog drug that is no antidepressant never counts, even when confirmed.
            silent: |a| {
                let t = &mut a.trials.as_mut().unwrap()[1];
                t.drug = Some("lorazepam".into());
                t.adequacy_confirmed_by_clinician = Some(true);
            },
        },
        // answers that contradict each other (2026.3): never hidden, the result incomplete
        Case {
            rule: "ANS-PREG-CBP",
            level: Level::Missing,
            fires: |a| {
                a.pregnancy.childbearing_potential = Some(false);
                a.pregnancy.pregnant = Some(true);
            },
            // Just past: "not pregnant" agrees with no childbearing potential.
            silent: |a| {
                a.pregnancy.childbearing_potential = Some(false);
                a.pregnancy.pregnant = Some(false);
            },
        },
        Case {
            rule: "ANS-LACT-MALE",
            level: Level::Missing,
            fires: |a| {
                a.patient.sex = Some(Sex::Male);
                a.pregnancy.childbearing_potential = Some(false);
                a.pregnancy.breastfeeding = Some(true);
            },
            // A woman without childbearing potential can breastfeed: no contradiction.
            silent: |a| {
                a.pregnancy.childbearing_potential = Some(false);
                a.pregnancy.breastfeeding = Some(true);
            },
        },
        Case {
            rule: "ANS-SI-INTENT",
            level: Level::Missing,
            fires: |a| {
                a.psychiatric.suicidal_ideation = Some(SuicidalIdeation::Passive);
                a.psychiatric.suicidal_intent = Some(true);
            },
            // Active ideation: the intent question applies, no contradiction.
            silent: |a| {
                a.psychiatric.suicidal_ideation = Some(SuicidalIdeation::Active);
                a.psychiatric.suicidal_intent = Some(true);
            },
        },
        Case {
            rule: "TRD-ENANTIOMER",
            level: Level::Info,
            fires: |a| {
                let trials = a.trials.as_mut().unwrap();
                trials.push(failed_trial("citalopram", 20.0));
                trials.push(failed_trial("Lexapro", 10.0));
            },
            // Just past: escitalopram below its 10 mg minimum does not count, so nothing to say.
            silent: |a| {
                let trials = a.trials.as_mut().unwrap();
                trials.push(failed_trial("citalopram", 20.0));
                trials.push(failed_trial("escitalopram", 9.0));
            },
        },
    ]
}

fn set_bp(a: &mut Assessment, s: f64, d: f64) {
    a.cardiovascular.systolic_mmhg = Some(s);
    a.cardiovascular.diastolic_mmhg = Some(d);
}

fn set_repeat(a: &mut Assessment, s: f64, d: f64) {
    a.cardiovascular.repeat_systolic_mmhg = Some(s);
    a.cardiovascular.repeat_diastolic_mmhg = Some(d);
}

/// A medication the catalog does not know, classified by the clinician.
fn classified(name: &str, classes: &[&str]) -> Medication {
    med(name, Some(1.0)).with_classes(classes)
}

trait WithClasses {
    fn with_classes(self, classes: &[&str]) -> Self;
}

impl WithClasses for Medication {
    fn with_classes(mut self, classes: &[&str]) -> Self {
        self.classes = Some(classes.iter().map(|c| c.to_string()).collect());
        self
    }
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
    // Missing comes before a deferral.
    assert_eq!(e.determination, Determination::Incomplete);
    assert_eq!(findings_of(&e, "CV-BP-STOP").len(), 1);
    assert_eq!(findings_of(&e, "CV-BP-GAP").len(), 1);
    a.cardiovascular.diastolic_mmhg = Some(100.0);
    assert_eq!(eval(&a).determination, Determination::Deferred);
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
    assert_eq!(&*first_precaution.rule, "PSY-SI-HIGH");
    assert!(first_precaution.urgent);
    assert!(first_precaution.message.contains("Active, with a plan"), "{}", first_precaution.message);
    assert_eq!(e.urgent().count(), 1, "PSY-SI-ACTIVE is replaced by PSY-SI-HIGH");
    // Active without a plan or intent: PSY-SI-ACTIVE, still urgent and first.
    a.psychiatric.suicidal_ideation = Some(SuicidalIdeation::Active);
    a.psychiatric.suicidal_intent = Some(false);
    let e = eval(&a);
    let first_precaution = e.findings.iter().find(|f| f.level == Level::Precaution).unwrap();
    assert_eq!(&*first_precaution.rule, "PSY-SI-ACTIVE");
    assert!(first_precaution.urgent);
    // Recent behaviour and intent both named.
    a.psychiatric.suicidal_intent = Some(true);
    a.psychiatric.suicidal_behaviour_recent = Some(true);
    let high = eval(&a).findings.into_iter().find(|f| &*f.rule == "PSY-SI-HIGH").unwrap();
    assert!(high.message.contains("intent to act") && high.message.contains("last 3 months"), "{}", high.message);
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
    a.pregnancy = Pregnancy { childbearing_potential: Some(false), pregnant: None, breastfeeding: Some(false) };
    assert_eq!(eval(&a).determination, Determination::Eligible);
    a.patient.sex = Some(Sex::Male);
    a.pregnancy.breastfeeding = None;
    assert_eq!(eval(&a).determination, Determination::Eligible);
    // Suicidal intent is asked only when the ideation is active.
    let mut a = baseline();
    a.psychiatric.suicidal_ideation = Some(SuicidalIdeation::Passive);
    assert_eq!(eval(&a).determination, Determination::Eligible);
    let steps = trdcheck::eligibility::checklist::steps(&a, rules());
    let psy = steps.iter().find(|s| s.id == "psychiatric").unwrap();
    let intent = psy.questions.iter().find(|q| q.id == "psychiatric.suicidal_intent").unwrap();
    assert!(!intent.applies);
    a.psychiatric.suicidal_ideation = Some(SuicidalIdeation::Active);
    let steps = trdcheck::eligibility::checklist::steps(&a, rules());
    let psy = steps.iter().find(|s| s.id == "psychiatric").unwrap();
    assert!(psy.questions.iter().find(|q| q.id == "psychiatric.suicidal_intent").unwrap().applies);
    assert_eq!(psy.missing, 1);
}

#[test]
fn one_severity_score_is_enough_and_the_step_counts_the_pair_once() {
    let mut a = baseline();
    a.episode.phq9_total = None;
    assert_eq!(eval(&a).determination, Determination::Eligible);
    let psy = |a: &Assessment| {
        trdcheck::eligibility::checklist::steps(a, rules()).into_iter().find(|s| s.id == "psychiatric").unwrap()
    };
    assert_eq!(psy(&a).missing, 0);
    a.episode.madrs_total = None;
    let e = eval(&a);
    assert_eq!(e.determination, Determination::Incomplete);
    let gap = findings_of(&e, "EP-SEVERITY-GAP");
    assert_eq!(gap.len(), 1);
    assert!(gap[0].message.contains("PHQ-9") && gap[0].message.contains("MADRS"), "{}", gap[0].message);
    assert_eq!(psy(&a).missing, 1);
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

fn judge(t: Trial) -> trdcheck::eligibility::engine::TrialResult {
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
fn improvement_at_the_threshold_follows_each_readings_comparison() {
    let mut t = failed_trial("sertraline", 50.0);
    t.improvement_percent = Some(50.0);
    let r = judge(t.clone());
    assert_eq!(r.failed, Tri::No);
    assert_eq!(r.adequate, Tri::Yes);
    assert!(r.reasons[0].contains("not below the 50 % failure threshold"));
    t.improvement_percent = Some(49.9);
    assert_eq!(judge(t.clone()).failed, Tri::Yes);
    // Strict reading (the esketamine trials' MGH-ATRQ): failed at or below 25 %.
    let strict = policy(PolicyOverrides { failure_threshold_percent: Some(25), ..Default::default() });
    let mut a = baseline();
    t.improvement_percent = Some(25.0);
    a.trials = Some(vec![t.clone()]);
    assert_eq!(trdcheck::evaluate(&a, rules(), &strict).trials[0].failed, Tri::Yes, "exactly 25 % fails");
    t.improvement_percent = Some(26.0);
    a.trials = Some(vec![t]);
    let r = trdcheck::evaluate(&a, rules(), &strict).trials.remove(0);
    assert_eq!(r.failed, Tri::No);
    assert!(r.reasons[0].contains("above the 25 % failure threshold"), "{:?}", r.reasons);
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
    let mut t = failed_trial("zuranolone", 50.0);
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
    let a = trdcheck::parse_assessment(&example_v2_json()).unwrap();
    let e = eval(&a);
    assert_eq!(e.determination, Determination::EligibleWithPrecautions);
    assert_eq!(e.failed_adequate_trials, 2);
    let rules: Vec<&str> = e.findings.iter().map(|f| &*f.rule).collect();
    assert_eq!(
        rules,
        [
            "CV-BP-HIGH",
            "RX-BZD-HIGH",
            "TRD-COUNT",
            "TRD-INTOL",
            "PSY-SI-PASSIVE",
            "RX-AD-CONTINUE",
            "RX-CLINICIAN-CLASSES"
        ]
    );
    let bp = &e.findings[0].message;
    assert!(bp.contains("152/92") && bp.contains("146/88"), "both readings shown: {bp}");
    assert_eq!(e.trials.iter().map(|t| t.counted).collect::<Vec<_>>(), [true, true, false]);
    assert_eq!(e.ruleset.id, "trd-ketamine-2026.3");
    assert_eq!(e.ruleset.sha256.len(), 64);
}

#[test]
fn the_version_1_example_is_incomplete_until_the_new_questions_are_answered() {
    let a = trdcheck::parse_assessment(&example_json()).unwrap();
    let e = eval(&a);
    assert_eq!(e.determination, Determination::Incomplete);
    assert_eq!(e.failed_adequate_trials, 2);
}
