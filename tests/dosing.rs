//! The dose calculator against hand-worked arithmetic (rules/dosing.toml), and `trd-check dose`.

use std::process::{Command, Output};

use trdcheck::eligibility::model::Sex;
use trdcheck::treatment::dosing::{
    self, DosingRules, DosingSite, EsketamineRequest, IvRequest, SchedulePhase, WeightBasis, EMBEDDED_DOSING,
};

const BIN: &str = env!("CARGO_BIN_EXE_trd-check");

fn rules() -> &'static DosingRules {
    DosingRules::embedded().expect("the embedded dosing rules load")
}

fn iv(weight: f64, height: Option<f64>, sex: Option<Sex>) -> IvRequest {
    IvRequest { weight_kg: weight, height_cm: height, sex, ..IvRequest::default() }
}

struct IvCase {
    name: &'static str,
    req: IvRequest,
    site: DosingSite,
    dose_mg: f64,
    basis: WeightBasis,
    weight_used: f64,
    ideal: Option<f64>,
    adjusted: Option<f64>,
}

#[test]
fn iv_ketamine_doses_match_the_worked_arithmetic() {
    let female_obese = iv(120.0, Some(160.0), Some(Sex::Female));
    let male = iv(80.0, Some(180.0), Some(Sex::Male));
    let cases = [
        IvCase {
            name: "70 kg at the default 0.5 mg/kg on actual weight",
            req: iv(70.0, None, None),
            site: DosingSite::default(),
            dose_mg: 35.0,
            basis: WeightBasis::Actual,
            weight_used: 70.0,
            ideal: None,
            adjusted: None,
        },
        IvCase {
            // 160 cm = 62.99 in; ideal 45.5 + 2.3 × 2.99 = 52.4; adjusted 52.4 + 0.4 × 67.6 = 79.4.
            name: "obesity, actual weight (the trials' basis)",
            req: female_obese.clone(),
            site: DosingSite::default(),
            dose_mg: 60.0,
            basis: WeightBasis::Actual,
            weight_used: 120.0,
            ideal: Some(52.4),
            adjusted: Some(79.4),
        },
        IvCase {
            name: "obesity, ideal weight chosen",
            req: IvRequest { basis: Some(WeightBasis::Ideal), ..female_obese.clone() },
            site: DosingSite::default(),
            dose_mg: 26.2,
            basis: WeightBasis::Ideal,
            weight_used: 52.4,
            ideal: Some(52.4),
            adjusted: Some(79.4),
        },
        IvCase {
            name: "obesity, adjusted weight as the site's default",
            req: female_obese.clone(),
            site: DosingSite { weight_basis: Some(WeightBasis::Adjusted), ..DosingSite::default() },
            dose_mg: 39.7,
            basis: WeightBasis::Adjusted,
            weight_used: 79.4,
            ideal: Some(52.4),
            adjusted: Some(79.4),
        },
        IvCase {
            // 180 cm = 70.87 in; ideal 50 + 2.3 × 10.87 = 75.0; adjusted 75 + 0.4 × 5 = 77.0.
            name: "male, adjusted weight, 0.75 mg/kg",
            req: IvRequest { basis: Some(WeightBasis::Adjusted), mg_per_kg: Some(0.75), ..male.clone() },
            site: DosingSite::default(),
            dose_mg: 57.8, // 0.75 × 77.0 = 57.75, rounded half up
            basis: WeightBasis::Adjusted,
            weight_used: 77.0,
            ideal: Some(75.0),
            adjusted: Some(77.0),
        },
        IvCase {
            name: "lighter than ideal: the ideal weight never raises the dose",
            req: IvRequest { basis: Some(WeightBasis::Ideal), ..iv(60.0, Some(180.0), Some(Sex::Male)) },
            site: DosingSite::default(),
            dose_mg: 30.0,
            basis: WeightBasis::Ideal,
            weight_used: 60.0,
            ideal: Some(75.0),
            adjusted: Some(69.0),
        },
        IvCase {
            name: "the site's mg/kg",
            req: iv(70.0, None, None),
            site: DosingSite { mg_per_kg: Some(0.4), ..DosingSite::default() },
            dose_mg: 28.0,
            basis: WeightBasis::Actual,
            weight_used: 70.0,
            ideal: None,
            adjusted: None,
        },
    ];
    for c in cases {
        let d = dosing::iv_ketamine(rules(), &c.site, &c.req).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        assert_eq!(d.dose_mg, c.dose_mg, "{}", c.name);
        assert_eq!(d.weight_basis, c.basis, "{}", c.name);
        assert_eq!(d.weight_used_kg, c.weight_used, "{}", c.name);
        assert_eq!((d.weights.ideal, d.weights.adjusted), (c.ideal, c.adjusted), "{}", c.name);
        assert_eq!(d.infusion_minutes, 40, "{}", c.name);
        assert!(!d.capped, "{}", c.name);
        let shown = d.steps.join("\n");
        assert!(shown.contains(&format!("= {} mg", c.dose_mg)), "{}: the arithmetic shows the dose\n{shown}", c.name);
    }
}

#[test]
fn the_doses_on_each_weight_are_shown_side_by_side() {
    let d = dosing::iv_ketamine(rules(), &DosingSite::default(), &iv(120.0, Some(160.0), Some(Sex::Female))).unwrap();
    assert_eq!(
        (d.dose_by_basis.actual, d.dose_by_basis.ideal, d.dose_by_basis.adjusted),
        (60.0, Some(26.2), Some(39.7))
    );
    let text = d.to_text();
    for figure in ["120 kg", "52.4 kg", "79.4 kg", "60 mg", "26.2 mg", "39.7 mg", "Devine"] {
        assert!(text.contains(figure), "{figure} in\n{text}");
    }
}

#[test]
fn below_60_inches_the_devine_weight_is_extrapolated_and_said_so() {
    // 150 cm = 59.06 in: 45.5 + 2.3 × (59.06 − 60) = 43.3 kg.
    let d = dosing::iv_ketamine(rules(), &DosingSite::default(), &iv(50.0, Some(150.0), Some(Sex::Female))).unwrap();
    assert_eq!(d.weights.ideal, Some(43.3));
    assert!(d.notes.iter().any(|n| n.contains("extrapolated")), "{:?}", d.notes);
    let at = dosing::iv_ketamine(rules(), &DosingSite::default(), &iv(50.0, Some(152.4), Some(Sex::Female))).unwrap();
    assert_eq!(at.weights.ideal, Some(45.5));
    assert!(!at.notes.iter().any(|n| n.contains("extrapolated")));
}

#[test]
fn the_site_cap_lowers_a_dose_above_it_and_leaves_one_at_it() {
    let site = DosingSite { dose_cap_mg: Some(50.0), ..DosingSite::default() };
    let over = dosing::iv_ketamine(rules(), &site, &iv(120.0, None, None)).unwrap();
    assert_eq!((over.dose_mg, over.capped), (50.0, true));
    assert!(over.steps.iter().any(|s| s.contains("Site cap")));
    let at = dosing::iv_ketamine(rules(), &site, &iv(100.0, None, None)).unwrap();
    assert_eq!((at.dose_mg, at.capped), (50.0, false));
    // A cap between the 0.1 mg steps gives the step below it, never more than the cap.
    let odd = DosingSite { dose_cap_mg: Some(47.55), ..DosingSite::default() };
    let d = dosing::iv_ketamine(rules(), &odd, &iv(120.0, None, None)).unwrap();
    assert_eq!((d.dose_mg, d.capped), (47.5, true));
}

#[test]
fn a_concentration_gives_the_volume_and_the_pump_rate() {
    let req = IvRequest { concentration_mg_per_ml: Some(10.0), ..iv(70.0, None, None) };
    let d = dosing::iv_ketamine(rules(), &DosingSite::default(), &req).unwrap();
    // 35 mg ÷ 10 mg/mL = 3.5 mL; 3.5 mL over 40 min = 5.25 mL/h, to the pump's 0.01 mL/h step
    // (2026.2: a 0.1 mL/h step would deliver 35.3 mg, not 35; issue 24).
    assert_eq!((d.volume_ml, d.rate_ml_per_h), (Some(3.5), Some(5.25)));
    // At 100 mg/mL the volume is given to 0.01 mL: 35.8 mg is 0.36 mL (0.1 mL would be 10 mg).
    let strong = IvRequest { concentration_mg_per_ml: Some(100.0), ..iv(71.5, None, None) };
    let d = dosing::iv_ketamine(rules(), &DosingSite::default(), &strong).unwrap();
    assert_eq!((d.dose_mg, d.volume_ml), (35.8, Some(0.36)));
    let without = dosing::iv_ketamine(rules(), &DosingSite::default(), &iv(70.0, None, None)).unwrap();
    assert_eq!((without.volume_ml, without.rate_ml_per_h), (None, None));
}

#[test]
fn every_rejected_iv_input_names_its_field() {
    let site = DosingSite::default();
    let cases: [(IvRequest, DosingSite, &str); 10] = [
        (iv(29.9, None, None), site.clone(), "weight_kg"),
        (iv(300.1, None, None), site.clone(), "weight_kg"),
        (iv(f64::NAN, None, None), site.clone(), "weight_kg"),
        (iv(70.0, Some(119.0), Some(Sex::Male)), site.clone(), "height_cm"),
        (IvRequest { mg_per_kg: Some(1.01), ..iv(70.0, None, None) }, site.clone(), "mg_per_kg"),
        (IvRequest { mg_per_kg: Some(0.09), ..iv(70.0, None, None) }, site.clone(), "mg_per_kg"),
        (IvRequest { basis: Some(WeightBasis::Ideal), ..iv(70.0, None, Some(Sex::Male)) }, site.clone(), "height_cm"),
        (
            IvRequest { basis: Some(WeightBasis::Adjusted), ..iv(70.0, Some(170.0), Some(Sex::Other)) },
            site.clone(),
            "sex",
        ),
        (
            IvRequest { concentration_mg_per_ml: Some(0.0), ..iv(70.0, None, None) },
            site.clone(),
            "concentration_mg_per_ml",
        ),
        (iv(70.0, None, None), DosingSite { dose_cap_mg: Some(151.0), ..site.clone() }, "dose_cap_mg"),
    ];
    for (req, site, path) in cases {
        let e = dosing::iv_ketamine(rules(), &site, &req).expect_err(path);
        assert_eq!(e.path(), Some(path), "{e}");
    }
    // Just inside each limit is accepted.
    for req in [
        iv(30.0, None, None),
        iv(300.0, None, None),
        IvRequest { mg_per_kg: Some(1.0), ..iv(70.0, None, None) },
        IvRequest { mg_per_kg: Some(0.1), ..iv(70.0, None, None) },
        iv(70.0, Some(120.0), Some(Sex::Male)),
    ] {
        dosing::iv_ketamine(rules(), &site, &req).unwrap_or_else(|e| panic!("{req:?}: {e}"));
    }
}

fn esk(session: u32, age: u32, site: &DosingSite) -> dosing::EsketamineDose {
    dosing::esketamine(rules(), site, &EsketamineRequest { session, age_years: age })
        .unwrap_or_else(|e| panic!("session {session}, age {age}: {e}"))
}

#[test]
fn the_esketamine_schedule_follows_the_label_session_by_session() {
    let site = DosingSite::default();
    // (session, phase, frequency starts with, allowed doses)
    let table: [(u32, SchedulePhase, &str, &[u32]); 7] = [
        (1, SchedulePhase::Induction, "twice weekly", &[56]),
        (2, SchedulePhase::Induction, "twice weekly", &[56, 84]),
        (8, SchedulePhase::Induction, "twice weekly", &[56, 84]),
        (9, SchedulePhase::Maintenance, "once weekly", &[56, 84]),
        (12, SchedulePhase::Maintenance, "once weekly", &[56, 84]),
        (13, SchedulePhase::Maintenance, "every 2 weeks", &[56, 84]),
        (60, SchedulePhase::Maintenance, "every 2 weeks", &[56, 84]),
    ];
    for (session, phase, frequency, doses) in table {
        let d = esk(session, 40, &site);
        assert_eq!(d.phase, phase, "session {session}");
        assert!(d.frequency.starts_with(frequency), "session {session}: {}", d.frequency);
        assert_eq!(d.allowed_doses_mg, doses, "session {session}");
        assert_eq!(d.monitoring_minutes, 120);
    }
    // The benefit review falls at the end of induction, and only there.
    assert!(esk(8, 40, &site).review.is_some_and(|r| r.contains("week 4")));
    assert!(esk(7, 40, &site).review.is_none() && esk(9, 40, &site).review.is_none());
}

#[test]
fn devices_are_28_mg_each_five_minutes_apart() {
    let d = esk(2, 40, &DosingSite::default());
    let devices: Vec<(u32, u32, u32)> = d.devices.iter().map(|x| (x.dose_mg, x.devices, x.minutes)).collect();
    assert_eq!(devices, [(56, 2, 5), (84, 3, 10)]);
    let text = d.to_text();
    assert!(text.contains("No food for 2 hours"), "{text}");
    assert!(text.contains("30 minutes"), "{text}");
    assert!(text.contains("at least 1 hour before"), "{text}");
}

#[test]
fn the_28_mg_start_applies_at_65_only_where_the_site_follows_that_label() {
    let follows = DosingSite { geriatric_start: Some(true), ..DosingSite::default() };
    assert_eq!(esk(1, 65, &follows).allowed_doses_mg, [28]);
    assert!(esk(1, 65, &follows).geriatric_start);
    assert_eq!(esk(1, 65, &follows).devices[0].devices, 1);
    assert_eq!(esk(2, 65, &follows).allowed_doses_mg, [28, 56, 84]);
    // Just under the age: the usual start.
    assert_eq!(esk(1, 64, &follows).allowed_doses_mg, [56]);
    // By default the site does not follow it: the usual start, with the label named in a note.
    let d = esk(1, 70, &DosingSite::default());
    assert_eq!(d.allowed_doses_mg, [56]);
    assert!(!d.geriatric_start);
    assert!(d.notes.iter().any(|n| n.contains("28 mg")), "{:?}", d.notes);
    assert!(esk(1, 64, &DosingSite::default()).notes.is_empty());
}

#[test]
fn rejected_esketamine_inputs_name_their_field() {
    let site = DosingSite::default();
    for (session, age, path) in [(0, 40, "session"), (1, 17, "age_years"), (1, 121, "age_years")] {
        let e = dosing::esketamine(rules(), &site, &EsketamineRequest { session, age_years: age }).expect_err(path);
        assert_eq!(e.path(), Some(path), "{e}");
    }
    esk(1, 18, &site);
}

#[test]
fn dosing_data_that_does_not_hold_together_is_refused_with_the_key() {
    let gap = EMBEDDED_DOSING.replacen("sessions = [9, 12]", "sessions = [10, 12]", 1);
    let e = DosingRules::from_toml(&gap).unwrap_err();
    assert!(e.message.contains("esketamine.phase[2].sessions"), "{e}");
    let not_devices = EMBEDDED_DOSING.replacen("doses_mg = [56, 84]", "doses_mg = [56, 80]", 1);
    assert!(DosingRules::from_toml(&not_devices).unwrap_err().message.contains("doses_mg"));
    let default_out = EMBEDDED_DOSING.replacen("default = 0.5", "default = 1.5", 1);
    assert!(DosingRules::from_toml(&default_out).unwrap_err().message.contains("mg_per_kg"));
    assert_eq!(rules().reference().id, "trdcheck-dosing");
    assert_eq!(rules().sha256.len(), 64);
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("trd-check runs")
}

#[test]
fn cli_iv_ketamine_prints_the_json_fields() {
    let o = run(&[
        "dose",
        "iv-ketamine",
        "--weight-kg",
        "120",
        "--height-cm",
        "160",
        "--sex",
        "female",
        "--basis",
        "adjusted",
        "--concentration-mg-per-ml",
        "10",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["dose_mg"], 39.7);
    assert_eq!(v["mg_per_kg"], 0.5);
    assert_eq!(v["weight_basis"], "adjusted");
    assert_eq!(v["weight_used_kg"], 79.4);
    assert_eq!(v["weights"]["actual"], 120.0);
    assert_eq!(v["weights"]["ideal"], 52.4);
    assert_eq!(v["weights"]["adjusted"], 79.4);
    assert_eq!(v["infusion_minutes"], 40);
    // 39.7 mg ÷ 10 mg/mL = 3.97 mL; 3.97 × 60 ÷ 40 = 5.955, to the pump's 0.01 step: 5.96 mL/h.
    assert_eq!(v["volume_ml"], 3.97);
    assert_eq!(v["rate_ml_per_h"], 5.96);
    assert_eq!(v["dosing"]["id"], "trdcheck-dosing");
}

#[test]
fn cli_esketamine_prints_the_json_fields_and_text() {
    let o = run(&["dose", "esketamine", "--session", "3", "--age", "50", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["allowed_doses_mg"], serde_json::json!([56, 84]));
    assert_eq!(v["devices"][1]["devices"], 3);
    assert_eq!(v["phase"], "induction");
    assert_eq!(v["frequency"], "twice weekly");
    let text = run(&["dose", "esketamine", "--session", "1", "--age", "50"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("56 mg: 2 devices of 28 mg, 5 min apart"));
}

#[test]
fn cli_rejected_dose_input_exits_2_naming_the_field() {
    for (args, field) in [
        (vec!["dose", "iv-ketamine", "--weight-kg", "12"], "weight_kg"),
        (vec!["dose", "iv-ketamine", "--weight-kg", "70", "--mg-per-kg", "2"], "mg_per_kg"),
        (vec!["dose", "iv-ketamine", "--weight-kg", "70", "--basis", "ideal"], "height_cm"),
        (vec!["dose", "esketamine", "--session", "1", "--age", "16"], "age_years"),
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(field), "{args:?}: {err}");
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn cli_site_file_sets_the_cap_and_refuses_a_value_outside_its_range() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site.toml");
    std::fs::write(&site, "dose_cap_mg = 50.0\n").unwrap();
    let s = site.to_str().unwrap();
    let o = run(&["dose", "iv-ketamine", "--weight-kg", "120", "--site", s, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["dose_mg"].as_f64(), v["capped"].as_bool()), (Some(50.0), Some(true)));
    std::fs::write(&site, "mg_per_kg = 3.0\n").unwrap();
    let o = run(&["dose", "iv-ketamine", "--weight-kg", "70", "--site", s]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("mg_per_kg"));
}

#[test]
fn the_rems_forms_medication_classes_are_classes_of_the_drug_catalog() {
    let catalog = &trdcheck::RuleSet::embedded().unwrap().drugs;
    let form = &rules().esketamine.rems_form;
    assert_eq!(form.submit_within_days, 7);
    assert_eq!(form.concomitant.len(), 5);
    for q in &form.concomitant {
        assert!(catalog.classes.contains_key(&q.class), "{} is not a class of rules/drugs.toml", q.class);
    }
}

/// Issue 24: the arithmetic shown is true, a rate a pump cannot deliver says to dilute, and a
/// weight or dose outside what the trials studied is said.
#[test]
fn the_pump_rate_is_true_as_shown_and_a_rate_too_slow_says_dilute() {
    let site = DosingSite::default();
    // 30 kg at 0.1 mg/kg and 100 mg/mL: 3 mg, 0.045 mL/h (was printed "0 mL/h").
    let req = IvRequest { mg_per_kg: Some(0.1), concentration_mg_per_ml: Some(100.0), ..iv(30.0, None, None) };
    let d = dosing::iv_ketamine(rules(), &site, &req).unwrap();
    assert_eq!(d.rate_ml_per_h, Some(0.05));
    assert!(d.steps.iter().any(|s| s.contains("= 0.045 mL/h, set to 0.05 mL/h")), "{:?}", d.steps);
    assert!(d.notes.iter().any(|n| n.starts_with("Dilute: 0.045 mL/h is below")), "{:?}", d.notes);
    assert!(d.notes.iter().any(|n| n.contains("delivers 3.3 mg, not 3 mg")), "{:?}", d.notes);
    // The headline gives no rate to set, but says to dilute first (issue 24 re-test).
    assert!(d.dilute);
    let headline = d.to_text().lines().next().unwrap().to_string();
    assert!(headline.contains("dilute first") && !headline.contains("mL/h"), "{headline}");
    // 84 kg at 100 mg/mL: 42 mg at 0.63 mL/h delivers 42 mg (0.6 mL/h would give 40 mg).
    let req = IvRequest { concentration_mg_per_ml: Some(100.0), ..iv(84.0, None, None) };
    let d = dosing::iv_ketamine(rules(), &site, &req).unwrap();
    assert_eq!((d.dose_mg, d.rate_ml_per_h, d.dilute), (42.0, Some(0.63), false));
    assert!(d.to_text().lines().next().unwrap().ends_with("(0.42 mL at 0.63 mL/h)"), "{}", d.to_text());
    assert!(!d.notes.iter().any(|n| n.contains("delivers") || n.contains("Dilute")), "{:?}", d.notes);
}

#[test]
fn a_weight_or_dose_outside_what_was_studied_is_said() {
    let site = DosingSite::default();
    let noted = |w: f64, mg: Option<f64>| {
        let req = IvRequest { mg_per_kg: mg, ..iv(w, None, None) };
        dosing::iv_ketamine(rules(), &site, &req).unwrap().notes.join(" | ")
    };
    // Inside 45–115 kg: silent at both ends; just past them, said.
    for w in [45.0, 115.0] {
        assert!(!noted(w, None).contains("outside what the trials studied"), "{w}");
    }
    for w in [44.9, 115.1, 250.0] {
        assert!(noted(w, None).contains(&format!("A weight of {w} kg is outside what the trials studied")), "{w}");
    }
    // 115 mg (1.0 mg/kg at 115 kg, the heaviest studied) is silent; 115.1 mg is more than any trial gave.
    assert!(!noted(115.0, Some(1.0)).contains("more than any trial gave"));
    assert!(noted(115.1, Some(1.0)).contains("115.1 mg is above 115 mg, more than any trial gave"));
}

#[test]
fn cli_a_negative_weight_names_the_field() {
    let o = run(&["dose", "iv-ketamine", "--weight-kg", "-80"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("weight_kg: -80 kg is outside 30–300 kg"), "{err}");
}

/// Issue 24 re-test: a negative number given to any of the calculators is refused naming its
/// option (not "unexpected argument").
#[test]
fn cli_a_negative_number_anywhere_names_its_option() {
    for (args, option) in [
        (&["dose", "esketamine", "--session", "-1", "--age", "40"][..], "--session"),
        (&["dose", "esketamine", "--session", "1", "--age", "-5"][..], "--age"),
        (&["score", "phq9", "--items", "1,1,1,1,1,1,1,1,0", "--baseline", "-5"][..], "--baseline"),
        (
            &["score", "madrs", "--items", "1,1,1,1,1,1,1,1,1,0", "--remission-threshold", "-10"][..],
            "--remission-threshold",
        ),
        (&["dose", "iv-ketamine", "--weight-kg", "70", "--mg-per-kg", "-0.5"][..], "mg_per_kg"),
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(option) && !err.contains("unexpected argument"), "{args:?}: {err}");
    }
}
