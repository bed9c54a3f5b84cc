//! Every rejected input names its field; unknown (null or absent) is accepted as unknown.

mod common;

use common::*;
use serde_json::{json, Value};
use trdcheck::{parse_assessment, InputError};

fn example() -> Value {
    serde_json::from_str(&example_v2_json()).unwrap()
}

fn rejected(doc: &Value) -> InputError {
    match parse_assessment(&doc.to_string()) {
        Ok(_) => panic!("accepted: {doc}"),
        Err(e) => e,
    }
}

/// Each (pointer, bad, good, path, allowed): the bad value is rejected naming the path, the value
/// and what is allowed; the good value just inside the boundary is accepted.
fn rejected_past_the_boundary(cases: &[(&str, Value, Value, &str, &str)]) {
    for (pointer, bad, good, path, allowed) in cases {
        let mut doc = example();
        set(&mut doc, pointer, bad.clone());
        let e = rejected(&doc);
        assert_eq!(e.path(), Some(*path), "{e}");
        let msg = e.to_string();
        assert!(msg.contains(&bad.to_string()) && msg.contains(allowed), "{msg}");
        set(&mut doc, pointer, good.clone());
        parse_assessment(&doc.to_string()).unwrap_or_else(|e| panic!("{path} boundary rejected: {e}"));
    }
}

fn set(doc: &mut Value, pointer: &str, value: Value) {
    *doc.pointer_mut(pointer).unwrap_or_else(|| panic!("no {pointer}")) = value;
}

#[test]
fn the_example_parses() {
    parse_assessment(&example_v2_json()).unwrap();
}

#[test]
fn a_version_1_document_is_upgraded_with_every_new_answer_unknown() {
    let a = parse_assessment(&example_json()).unwrap();
    assert_eq!(a.schema, trdcheck::eligibility::model::SCHEMA);
    assert_eq!(a.respiratory, Default::default());
    assert_eq!((a.episode.phq9_total, a.episode.madrs_total), (None, None));
    assert_eq!(a.cardiovascular.repeat_systolic_mmhg, None);
    assert_eq!(a.psychiatric.suicidal_behaviour_recent, None);
    assert!(a.medications.iter().flatten().all(|m| m.classes.is_none()));
    let written: Value = serde_json::to_value(&a).unwrap();
    assert_eq!(written["schema"], "trdcheck/assessment/v2", "written back as version 2");
    // A version 1 document with an answer of version 2 is refused, naming it.
    let mut v1: Value = serde_json::from_str(&example_json()).unwrap();
    v1.as_object_mut().unwrap().insert("respiratory".into(), json!({ "spo2_percent": 97 }));
    let e = rejected(&v1);
    assert_eq!(e.path(), Some("respiratory.spo2_percent"), "{e}");
    assert!(e.to_string().contains("not part of trdcheck/assessment/v1"), "{e}");
    let mut v1: Value = serde_json::from_str(&example_json()).unwrap();
    v1.pointer_mut("/medications/0").unwrap().as_object_mut().unwrap().insert("classes".into(), json!([]));
    assert_eq!(rejected(&v1).path(), Some("medications[0].classes"));
    // The answers version 1 had are kept as they were.
    let v1: Value = serde_json::from_str(&example_json()).unwrap();
    for section in ["cardiovascular", "pregnancy", "trials", "medications", "medical"] {
        assert_eq!(written[section], v1[section], "{section}");
    }
}

#[test]
fn the_new_inputs_of_version_2_are_checked_and_name_their_path() {
    // Out of range or not whole, with what is allowed; the boundary is accepted.
    rejected_past_the_boundary(&[
        ("/respiratory/spo2_percent", json!(49), json!(50), "respiratory.spo2_percent", "50–100"),
        ("/respiratory/spo2_percent", json!(100.5), json!(100), "respiratory.spo2_percent", "50–100"),
        ("/episode/phq9_total", json!(28), json!(27), "episode.phq9_total", "0–27"),
        ("/episode/madrs_total", json!(61), json!(60), "episode.madrs_total", "0–60"),
        ("/episode/madrs_total", json!(-1), json!(0), "episode.madrs_total", "0–60"),
        ("/episode/phq9_total", json!(9.5), json!(9), "episode.phq9_total", "whole number"),
        (
            "/cardiovascular/repeat_systolic_mmhg",
            json!(301),
            json!(300),
            "cardiovascular.repeat_systolic_mmhg",
            "50–300",
        ),
    ]);
    // Half a repeat reading names the missing half.
    let mut doc = example();
    set(&mut doc, "/cardiovascular/repeat_diastolic_mmhg", Value::Null);
    let e = rejected(&doc);
    assert_eq!(e.path(), Some("cardiovascular.repeat_diastolic_mmhg"), "{e}");
    assert!(e.to_string().contains("needs both values") && e.to_string().contains("is 146"), "{e}");
    let mut doc = example();
    doc.pointer_mut("/cardiovascular").unwrap().as_object_mut().unwrap().remove("repeat_systolic_mmhg");
    assert_eq!(rejected(&doc).path(), Some("cardiovascular.repeat_systolic_mmhg"));
    let mut doc = example();
    set(&mut doc, "/cardiovascular/repeat_diastolic_mmhg", json!(146));
    assert!(rejected(&doc).to_string().contains("below the repeat systolic pressure (146 mmHg)"));
    // A class id outside the catalog is rejected, naming it and listing the allowed ones.
    let mut doc = example();
    set(&mut doc, "/medications/2/classes", json!(["opioid", "sedative"]));
    let e = rejected(&doc);
    assert_eq!(e.path(), Some("medications[2].classes[1]"), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("\"sedative\"") && msg.contains("benzodiazepine") && msg.contains("cns_depressant"), "{msg}");
    set(&mut doc, "/medications/2/classes", json!(["opioid", "cns_depressant"]));
    parse_assessment(&doc.to_string()).unwrap();
    set(&mut doc, "/medications/2/classes", json!("opioid"));
    assert_eq!(rejected(&doc).path(), Some("medications[2].classes"));
    let mut doc = example();
    doc.pointer_mut("/medications/1")
        .unwrap()
        .as_object_mut()
        .unwrap()
        .insert("diazepam_equivalent_mg_per_day".into(), json!(-1));
    assert_eq!(rejected(&doc).path(), Some("medications[1].diazepam_equivalent_mg_per_day"));
}

#[test]
fn unknown_keys_are_rejected_with_their_path() {
    for (pointer, key, path) in [
        ("", "scheme", "scheme"),
        ("/patient", "agee_years", "patient.agee_years"),
        ("/cardiovascular", "systolic", "cardiovascular.systolic"),
        ("/trials/1", "dose_mg", "trials[1].dose_mg"),
        ("/medications/0", "dosage", "medications[0].dosage"),
    ] {
        let mut doc = example();
        doc.pointer_mut(pointer).unwrap().as_object_mut().unwrap().insert(key.into(), json!(1));
        let e = rejected(&doc);
        let msg = e.to_string();
        assert!(msg.contains(path) || e.path() == Some(path), "{path}: {msg}");
        assert!(msg.contains(key), "{msg}");
    }
}

#[test]
fn wrong_types_and_values_name_the_field() {
    for (pointer, value, path) in [
        ("/patient/age_years", json!("47"), "patient.age_years"),
        ("/route", json!("oral"), "route"),
        ("/pregnancy/pregnant", json!("no"), "pregnancy.pregnant"),
        ("/trials/0/adherent", json!(1), "trials[0].adherent"),
        ("/psychiatric/suicidal_ideation", json!("some"), "psychiatric.suicidal_ideation"),
        ("/medical/hepatic_impairment", json!(true), "medical.hepatic_impairment"),
        ("/trials", json!({}), "trials"),
    ] {
        let mut doc = example();
        set(&mut doc, pointer, value);
        let e = rejected(&doc);
        assert_eq!(e.path(), Some(path), "{e}");
    }
}

#[test]
fn out_of_range_values_name_the_field_the_value_and_the_range() {
    rejected_past_the_boundary(&[
        ("/patient/age_years", json!(120.5), json!(120), "patient.age_years", "0–120"),
        ("/patient/age_years", json!(-1), json!(0), "patient.age_years", "0–120"),
        ("/patient/weight_kg", json!(1.9), json!(2), "patient.weight_kg", "2–400"),
        ("/patient/weight_kg", json!(401), json!(400), "patient.weight_kg", "2–400"),
        ("/patient/height_cm", json!(39), json!(40), "patient.height_cm", "40–260"),
        ("/patient/height_cm", json!(261), json!(260), "patient.height_cm", "40–260"),
        ("/cardiovascular/systolic_mmhg", json!(301), json!(300), "cardiovascular.systolic_mmhg", "50–300"),
        ("/cardiovascular/systolic_mmhg", json!(49), json!(99), "cardiovascular.systolic_mmhg", "50–300"),
        ("/cardiovascular/diastolic_mmhg", json!(19), json!(20), "cardiovascular.diastolic_mmhg", "20–200"),
        ("/trials/0/dose_mg_per_day", json!(-0.5), json!(0), "trials[0].dose_mg_per_day", "0 mg/day or more"),
        ("/trials/2/weeks_at_dose", json!(521), json!(520), "trials[2].weeks_at_dose", "0–520"),
        ("/trials/1/improvement_percent", json!(100.1), json!(100), "trials[1].improvement_percent", "0–100"),
        ("/medications/1/dose_mg_per_day", json!(-3), json!(0), "medications[1].dose_mg_per_day", "0 mg/day or more"),
    ]);
}

#[test]
fn diastolic_must_be_below_systolic() {
    let mut doc = example();
    set(&mut doc, "/cardiovascular/systolic_mmhg", json!(120));
    set(&mut doc, "/cardiovascular/diastolic_mmhg", json!(120));
    let e = rejected(&doc);
    assert_eq!(e.path(), Some("cardiovascular.diastolic_mmhg"));
    assert!(e.to_string().contains("below the systolic pressure (120 mmHg)"));
}

#[test]
fn schema_and_patient_id_are_required() {
    let mut doc = example();
    set(&mut doc, "/schema", json!("trdcheck/assessment/v3"));
    assert_eq!(rejected(&doc).path(), Some("schema"));
    let mut doc = example();
    doc.as_object_mut().unwrap().remove("schema");
    assert!(rejected(&doc).to_string().contains("schema"));
    let mut doc = example();
    set(&mut doc, "/patient/id", json!("  "));
    assert_eq!(rejected(&doc).path(), Some("patient.id"));
    let mut doc = example();
    doc.as_object_mut().unwrap().remove("patient");
    assert!(rejected(&doc).to_string().contains("patient"));
}

#[test]
fn empty_names_are_rejected_not_taken_as_unknown() {
    let mut doc = example();
    set(&mut doc, "/trials/0/drug", json!(""));
    assert_eq!(rejected(&doc).path(), Some("trials[0].drug"));
    let mut doc = example();
    set(&mut doc, "/medications/0/name", json!(" "));
    assert_eq!(rejected(&doc).path(), Some("medications[0].name"));
}

#[test]
fn null_and_absent_both_mean_unknown() {
    let mut with_null = example();
    set(&mut with_null, "/cardiovascular/systolic_mmhg", Value::Null);
    set(&mut with_null, "/trials", Value::Null);
    let mut absent = example();
    absent.pointer_mut("/cardiovascular").unwrap().as_object_mut().unwrap().remove("systolic_mmhg");
    absent.as_object_mut().unwrap().remove("trials");
    let a = parse_assessment(&with_null.to_string()).unwrap();
    let b = parse_assessment(&absent.to_string()).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.cardiovascular.systolic_mmhg, None);
    assert_eq!(a.trials, None);
    // A whole section given as null is a section of unknowns.
    let mut doc = example();
    set(&mut doc, "/medical", Value::Null);
    let a = parse_assessment(&doc.to_string()).unwrap();
    assert_eq!(a.medical, Default::default());
}

#[test]
fn the_minimal_document_is_all_unknown_and_incomplete() {
    let a = parse_assessment(r#"{"schema":"trdcheck/assessment/v1","patient":{"id":"X"}}"#).unwrap();
    let e = eval(&a);
    assert_eq!(e.determination, trdcheck::Determination::Incomplete);
    assert!(e.findings.iter().all(|f| f.level == trdcheck::Level::Missing), "{:#?}", e.findings);
}

#[test]
fn syntax_errors_give_line_and_column() {
    let e = parse_assessment("{\"schema\": \"trdcheck/assessment/v1\",\n \"patient\": {\"id\": \"X\"},,}").unwrap_err();
    assert_eq!(e.code(), "invalid_json");
    assert!(e.to_string().contains("line 2"), "{e}");
    let e = parse_assessment(&format!("{} trailing", example_v2_json())).unwrap_err();
    assert_eq!(e.code(), "invalid_json");
    assert!(parse_assessment("").is_err());
}

#[test]
fn export_then_import_is_lossless() {
    let a = parse_assessment(&example_v2_json()).unwrap();
    let text = serde_json::to_string(&a).unwrap();
    assert_eq!(parse_assessment(&text).unwrap(), a);
}

/// Issue 24: a key given twice would let the last value win (190 then 128 mmHg read as 128).
#[test]
fn a_key_given_twice_is_refused_naming_it() {
    let text = example_v2_json().replacen("\"cardiovascular\": {", "\"cardiovascular\": {\"systolic_mmhg\": 190, ", 1);
    assert!(text.contains("\"systolic_mmhg\": 190"), "the fixture changed");
    let e = parse_assessment(&text).unwrap_err();
    assert_eq!(e.path(), Some("cardiovascular.systolic_mmhg"), "{e}");
    assert!(e.to_string().contains("given twice"), "{e}");
    // Each key once: accepted.
    parse_assessment(&example_v2_json()).unwrap();
}

#[test]
fn a_utf8_byte_order_mark_is_accepted() {
    let with_bom = format!("\u{feff}{}", example_v2_json());
    assert_eq!(parse_assessment(&with_bom).unwrap(), parse_assessment(&example_v2_json()).unwrap());
}

/// Every text field has a documented maximum (docs/assessment-v2.md) and an error naming it.
#[test]
fn names_over_their_maximum_are_refused_naming_the_field() {
    use trdcheck::eligibility::model::{NAME_MAX_CHARS, PATIENT_ID_MAX_CHARS};
    for (pointer, max, path) in [
        ("/medications/0/name", NAME_MAX_CHARS, "medications[0].name"),
        ("/trials/0/drug", NAME_MAX_CHARS, "trials[0].drug"),
        ("/patient/id", PATIENT_ID_MAX_CHARS, "patient.id"),
    ] {
        let mut doc = example();
        set(&mut doc, pointer, json!("é".repeat(max + 1)));
        let e = rejected(&doc);
        assert_eq!(e.path(), Some(path), "{e}");
        assert!(e.to_string().contains(&format!("{} characters long; at most {max}", max + 1)), "{e}");
        // Just inside: the maximum, counted in characters (not bytes).
        set(&mut doc, pointer, json!("é".repeat(max)));
        parse_assessment(&doc.to_string()).unwrap_or_else(|e| panic!("{path} at its maximum rejected: {e}"));
    }
    // Far over (65,536 characters): refused, not a panic.
    let mut doc = example();
    set(&mut doc, "/medications/0/name", json!("x".repeat(65_536)));
    assert_eq!(rejected(&doc).path(), Some("medications[0].name"));
}

/// Issue 24 re-test: a control character or a direction override in an MRN or a name (with which
/// "RC-2041" could print as another patient's id on every signed document) is refused naming the
/// field and the character; the marks right-to-left writing uses are text.
#[test]
fn control_characters_and_direction_overrides_are_refused_naming_the_field() {
    for (pointer, path) in [
        ("/patient/id", "patient.id"),
        ("/trials/0/drug", "trials[0].drug"),
        ("/medications/0/name", "medications[0].name"),
    ] {
        for bad in ["RC-20\u{0}41", "RC-\u{202E}1402", "RC\u{2066}-2041\u{2069}", "RC-2041\u{7}"] {
            let mut doc = example();
            set(&mut doc, pointer, json!(bad));
            let e = rejected(&doc);
            assert_eq!(e.path(), Some(path), "{bad:?}: {e}");
            assert!(e.to_string().contains("holds the character U+"), "{e}");
        }
        let mut doc = example();
        set(&mut doc, pointer, json!("\u{200F}محمد-2041"));
        parse_assessment(&doc.to_string()).unwrap_or_else(|e| panic!("{path}: a right-to-left mark is text: {e}"));
    }
    // The records' own texts too: a patient's name, a clinician's name.
    let mut s = trdcheck::records::Store::open_in_memory().unwrap();
    let p = trdcheck::records::NewPatient {
        mrn: "X-1".into(),
        name: "Ana \u{202E}zeréP".into(),
        date_of_birth: None,
        sex: None,
    };
    assert!(s.create_patient(&p, "Dr A").unwrap_err().to_string().starts_with("name: holds the character U+202E"));
    assert!(trdcheck::vault::passphrase::clinician_name("Dr \u{202E}A").is_err());
}
