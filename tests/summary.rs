//! The summary a clinician signs: text (snapshot), HTML (self-contained), PDF (real text,
//! pagination) and FHIR R4 (validated with the fhir.resources models).
//!
//! pdftotext and the Python FHIR models are installed by scripts/test, which sets
//! TRDCHECK_REQUIRE_TOOLS=1 so that a missing tool fails these tests instead of skipping them.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::*;
use trdcheck::documents::fhir;
use trdcheck::documents::summary::{Context, Status, Summary};
use trdcheck::documents::summary_text::TextStyle;
use trdcheck::records::clinic_details::Paper;

fn example_summary(context: Context) -> (trdcheck::Assessment, trdcheck::Evaluation, Summary) {
    let a = trdcheck::parse_assessment(&example_v2_json()).unwrap();
    let e = eval(&a);
    let s = Summary::build(&a, &e, rules(), context);
    (a, e, s)
}

fn final_context() -> Context {
    let mut acks = std::collections::BTreeMap::new();
    // As storage allows: a final summary has a note for every precaution.
    acks.insert("CV-BP-HIGH".to_string(), "Rechecked 138/86 after rest".to_string());
    acks.insert("RX-BZD-HIGH".to_string(), "Lorazepam held on treatment days".to_string());
    Context {
        clinic: Some("Riverbend Clinic".into()),
        clinician: Some("Dr Jane Roe".into()),
        generated_at: Some("2026-11-23 10:00".into()),
        patient_name: Some("Rosa Castillo".into()),
        date_of_birth: Some("1979-03-14".into()),
        mrn: Some("RC-2041".into()),
        version: Some(1),
        status: Some(Status::Final { by: "Dr Jane Roe".into(), at: "2026-11-23T10:00:00Z".into(), signature: None }),
        acknowledgements: acks,
    }
}

#[test]
fn text_summary_of_the_example_matches_its_snapshot() {
    let (_, _, s) = example_summary(Context::default());
    insta::assert_snapshot!("example_text", s.to_text(TextStyle::Plain));
    let (_, _, s) = example_summary(final_context());
    insta::assert_snapshot!("example_markdown_final", s.to_text(TextStyle::Markdown));
}

#[test]
fn the_pdf_has_real_text_with_every_finding_the_mrn_and_the_hash() {
    let dir = tempfile::tempdir().unwrap();
    let (_, e, s) = example_summary(final_context());
    let pdf = s.to_pdf(Paper::A4).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let Some((text, _)) = pdf_text(&pdf, dir.path()) else { return };
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Determination: ELIGIBLE WITH PRECAUTIONS"), "{flat}");
    for f in &e.findings {
        assert!(flat.contains(&*f.rule), "{} missing from the PDF", f.rule);
    }
    assert!(flat.contains("RC-2041"));
    assert!(flat.contains(&e.ruleset.sha256), "rule-set hash missing");
    assert!(flat.contains("Acknowledged: Rechecked 138/86 after rest"));
    assert!(flat.contains("Page 1 of"));
}

#[test]
fn names_in_scripts_that_need_shaping_come_out_of_the_pdf_as_typed() {
    // Latin text is drawn glyph by glyph; a line with combining marks goes to the shaper.
    // (Right-to-left names are not reordered within a left-to-right line: see summary_pdf.)
    let dir = tempfile::tempdir().unwrap();
    for name in ["Zoë Ñúñez-Ødegård", "Zoe\u{0308} Nu\u{0301}n\u{0303}ez"] {
        let (a, e, _) = example_summary(Context::default());
        let s = Summary::build(&a, &e, rules(), Context { patient_name: Some(name.into()), ..final_context() });
        let Some((text, _)) = pdf_text(&s.to_pdf(Paper::A4).unwrap(), dir.path()) else { return };
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let words: Vec<&str> = name.split(' ').collect();
        assert!(
            words.iter().all(|w| flat.contains(w))
                || flat.contains(&words.iter().rev().cloned().collect::<Vec<_>>().join(" ")),
            "{name} not in: {flat}"
        );
    }
}

#[test]
fn a_draft_is_marked_draft_on_every_page_and_letter_paper_works() {
    let dir = tempfile::tempdir().unwrap();
    let context = Context { status: Some(Status::Draft), version: Some(2), ..Context::default() };
    let (_, _, s) = example_summary(context);
    let pdf = s.to_pdf(Paper::Letter).unwrap();
    let Some((text, pages)) = pdf_text(&pdf, dir.path()) else { return };
    assert!(pages >= 2);
    for (i, page) in text.split('\u{c}').filter(|p| !p.trim().is_empty()).enumerate() {
        assert!(page.contains("DRAFT"), "page {} has no DRAFT mark", i + 1);
    }
    // Every page is US Letter (the A4 summary of the same record is A4 throughout).
    let sizes = pdf_page_sizes(&pdf, dir.path()).unwrap();
    assert_eq!(sizes.len(), pages, "{sizes:?}");
    assert!(sizes.iter().all(|s| s == "612 x 792 pts (letter)"), "{sizes:?}");
    let a4 = pdf_page_sizes(&s.to_pdf(Paper::A4).unwrap(), dir.path()).unwrap();
    assert!(!a4.is_empty() && a4.iter().all(|s| s == "595.28 x 841.89 pts (A4)"), "{a4:?}");
}

#[test]
fn thirty_trials_paginate_with_no_lost_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = trdcheck::parse_assessment(&example_v2_json()).unwrap();
    a.trials = Some((0..30).map(|i| failed_trial("sertraline", 101.0 + i as f64)).collect());
    let e = eval(&a);
    let s = Summary::build(&a, &e, rules(), Context::default());
    let pdf = s.to_pdf(Paper::A4).unwrap();
    let Some((text, pages)) = pdf_text(&pdf, dir.path()) else { return };
    assert!(pages > 1, "30 trials fit on {pages} page(s)?");
    // Each row's dose (101 … 130, unique to it) appears exactly once as a word; it may wrap
    // onto its own line inside the narrow dose cell.
    let words: Vec<&str> = text.split_whitespace().collect();
    for i in 0..30 {
        let dose = (101 + i).to_string();
        assert_eq!(words.iter().filter(|w| **w == dose).count(), 1, "row with {dose} mg/day lost or repeated");
    }
    // The table's header is repeated on every page its rows run onto.
    let with_rows: Vec<&str> = text
        .split('\u{c}')
        .filter(|page| (101..=130).any(|dose| page.split_whitespace().any(|w| w == dose.to_string())))
        .collect();
    assert!(with_rows.len() > 1, "the table runs onto more than one page");
    for (i, page) in with_rows.iter().enumerate() {
        let words: Vec<&str> = page.split_whitespace().collect();
        assert!(
            words.windows(3).any(|w| w == ["Drug", "Dose", "Minimum"]),
            "page {} of the table has no header:\n{page}",
            i + 1
        );
    }
}

#[test]
fn the_html_is_self_contained_without_script_or_remote_reference() {
    let (_, e, s) = example_summary(final_context());
    let html = s.to_html(Paper::Letter);
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"));
    assert!(!lower.contains("http://") && !lower.contains("https://"));
    assert!(!lower.contains("<link") && !lower.contains("<img"));
    assert!(html.contains("size: letter"));
    for f in &e.findings {
        assert!(html.contains(&*f.rule));
    }
    // Text from the record is escaped, never markup.
    let mut ctx = final_context();
    ctx.patient_name = Some("<b>Rosa</b> & co".into());
    let (_, _, s) = example_summary(ctx);
    let html = s.to_html(Paper::A4);
    assert!(html.contains("&lt;b&gt;Rosa&lt;/b&gt; &amp; co"));
    let (_, _, draft) = example_summary(Context { status: Some(Status::Draft), ..Context::default() });
    assert!(draft.to_html(Paper::A4).contains("DRAFT"));
}

#[test]
fn the_fhir_export_is_valid_r4_and_answers_map_to_questionnaire_items() {
    let (a, e, s) = example_summary(final_context());
    let questionnaire = fhir::questionnaire(rules());
    let bundle = fhir::bundle(&a, &e, rules(), &s.context);
    // One DetectedIssue per finding, at every level, and the determination as an Observation.
    let of = |kind: &str| -> Vec<serde_json::Value> {
        bundle["entry"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["resource"]["resourceType"] == kind)
            .map(|x| x["resource"].clone())
            .collect()
    };
    let issues = of("DetectedIssue");
    assert_eq!(issues.len(), e.findings.len());
    assert_eq!(issues[0]["code"]["text"], "CV-BP-HIGH");
    assert!(issues[0]["mitigation"][0]["action"]["text"].as_str().unwrap().contains("Rechecked"));
    let determination = of("Observation");
    assert_eq!(determination.len(), 1);
    assert_eq!(determination[0]["valueCodeableConcept"]["coding"][0]["code"], "eligible_with_precautions");
    assert!(of("Flag").is_empty(), "no urgent finding in the example");
    // Every question of the rule set is in the questionnaire.
    let q_text = questionnaire.to_string();
    for q in &rules().questions {
        assert!(q_text.contains(&format!("\"linkId\":\"{}\"", q.id)), "{} missing", q.id);
    }
    let python = std::env::var("TRDCHECK_PYTHON").ok().map(PathBuf::from).or_else(|| tool("python3"));
    let Some(python) = python else { return };
    let dir = tempfile::tempdir().unwrap();
    let (qp, bp) = (dir.path().join("q.json"), dir.path().join("b.json"));
    std::fs::write(&qp, questionnaire.to_string()).unwrap();
    std::fs::write(&bp, bundle.to_string()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fhir/validate.py");
    let out = Command::new(&python).arg(script).arg(&qp).arg(&bp).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("No module named 'fhir") && std::env::var("TRDCHECK_REQUIRE_TOOLS").is_err() {
        eprintln!("skipped: fhir.resources is not installed (scripts/test installs it)");
        return;
    }
    assert!(out.status.success(), "FHIR validation failed:\n{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("valid:"));
}

/// A deferred, incomplete and urgent assessment: every finding is in the FHIR export, the
/// determination is an Observation and the urgent finding a Flag; fhir.resources validates it.
#[test]
fn the_fhir_export_carries_the_determination_every_level_and_the_urgent_flag() {
    let mut a = trdcheck::parse_assessment(&example_v2_json()).unwrap();
    a.substance_use.intoxicated_or_withdrawing = Some(true); // defer
    a.psychiatric.suicidal_behaviour_recent = Some(true); // urgent precaution
    let e = eval(&a);
    assert_eq!(e.determination, trdcheck::Determination::Deferred);
    let bundle = fhir::bundle(&a, &e, rules(), &Context::default());
    let text = bundle.to_string();
    assert!(text.contains("\"code\":\"deferred\""), "{text}");
    for f in &e.findings {
        assert!(text.contains(&format!("\"code\":\"{}\"", f.rule)), "{} missing", f.rule);
    }
    let levels: Vec<&str> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["resource"]["resourceType"] == "DetectedIssue")
        .map(|x| x["resource"]["extension"][0]["valueCode"].as_str().unwrap())
        .collect();
    assert!(levels.contains(&"defer") && levels.contains(&"precaution") && levels.contains(&"info"), "{levels:?}");
    let flags: Vec<_> =
        bundle["entry"].as_array().unwrap().iter().filter(|x| x["resource"]["resourceType"] == "Flag").collect();
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0]["resource"]["code"]["coding"][0]["code"], "PSY-SI-HIGH");
    // Unmet and missing findings too.
    let mut b = a.clone();
    b.trials = Some(vec![]);
    b.respiratory.spo2_percent = None;
    let e = eval(&b);
    let text = fhir::bundle(&b, &e, rules(), &Context::default()).to_string();
    assert!(
        text.contains("\"valueCode\":\"unmet\"")
            && text.contains("\"valueCode\":\"missing\"")
            && text.contains("\"code\":\"not_eligible\"")
    );
    let python = std::env::var("TRDCHECK_PYTHON").ok().map(PathBuf::from).or_else(|| tool("python3"));
    let Some(python) = python else { return };
    let dir = tempfile::tempdir().unwrap();
    let (qp, bp) = (dir.path().join("q.json"), dir.path().join("b.json"));
    std::fs::write(&qp, fhir::questionnaire(rules()).to_string()).unwrap();
    std::fs::write(&bp, bundle.to_string()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fhir/validate.py");
    let out = Command::new(&python).arg(script).arg(&qp).arg(&bp).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("No module named 'fhir") && std::env::var("TRDCHECK_REQUIRE_TOOLS").is_err() {
        return;
    }
    assert!(out.status.success(), "FHIR validation failed:\n{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("'Flag': 1") && stdout.contains("'Observation': 1"), "{stdout}");
}

/// The deferred determination in every renderer: text, HTML and PDF.
#[test]
fn a_deferral_reads_not_today_in_every_document() {
    let mut a = trdcheck::parse_assessment(&example_v2_json()).unwrap();
    a.cardiovascular.repeat_systolic_mmhg = Some(184.0);
    a.cardiovascular.repeat_diastolic_mmhg = Some(104.0);
    let e = eval(&a);
    assert_eq!(e.determination, trdcheck::Determination::Deferred);
    let s = Summary::build(&a, &e, rules(), Context::default());
    let text = s.to_text(TextStyle::Plain);
    assert!(text.contains("DEFERRED — NOT TODAY"), "{text}");
    assert!(text.contains("Not today: recheck") && text.contains("184/104"), "{text}");
    let html = s.to_html(Paper::A4);
    assert!(html.contains("Deferred — not today") && html.contains("CV-BP-STOP"));
    let dir = tempfile::tempdir().unwrap();
    let Some((pdf, _)) = pdf_text(&s.to_pdf(Paper::A4).unwrap(), dir.path()) else { return };
    let flat = pdf.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("DEFERRED — NOT TODAY"), "{flat}");
}

/// Urgent findings are announced above the determination on every document.
#[test]
fn urgent_findings_come_before_the_determination() {
    let mut a = trdcheck::parse_assessment(&example_v2_json()).unwrap();
    a.psychiatric.suicidal_behaviour_recent = Some(true);
    let e = eval(&a);
    let s = Summary::build(&a, &e, rules(), Context::default());
    let text = s.to_text(TextStyle::Plain);
    assert!(text.find("URGENT (PSY-SI-HIGH)").unwrap() < text.find("Determination:").unwrap(), "{text}");
    let html = s.to_html(Paper::A4);
    assert!(html.find("URGENT (PSY-SI-HIGH)").unwrap() < html.find("Determination: ").unwrap());
}

/// Issue 24: a multi-word Arabic name in a line of Latin text keeps its words in reading order: the
/// line is drawn as runs of one direction each, in visual order.
#[test]
fn right_to_left_text_is_drawn_in_runs_of_its_own_direction() {
    use trdcheck::documents::pdf::visual_runs;
    let runs = visual_runs("Patient: د. أحمد علي");
    assert_eq!(runs.first(), Some(&("Patient: ", false)), "{runs:?}");
    let rtl: String = runs.iter().filter(|(_, rtl)| *rtl).map(|(t, _)| *t).collect();
    assert_eq!(rtl.trim(), "د. أحمد علي", "the Arabic words stay one run, in their logical order: {runs:?}");
    assert_eq!(visual_runs("أحمد علي"), vec![("أحمد علي", true)]);
    assert_eq!(visual_runs("Ana García"), vec![("Ana García", false)]);
}

/// Issue 24: a patient's name and MRN, the signer and a required note in Chinese, Korean, Hindi or
/// with an emoji print as written: the text is in the PDF (pdftotext) and the fonts that draw it
/// are embedded (pdffonts); that each character renders as a glyph, not a box, is checked from
/// rendered images in the crate's own tests (documents::pdf::fonts).
#[test]
fn names_and_notes_in_other_scripts_are_in_the_pdf_with_the_fonts_that_draw_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut context = final_context();
    context.patient_name = Some("王小明 (김민준)".into());
    context.mrn = Some("病历-2041".into());
    context.clinician = Some("डॉ. राम शर्मा".into());
    context.status =
        Some(Status::Final {
            by: "डॉ. राम शर्मा".into(), at: "2026-11-23T10:00:00Z".into(), signature: None
        });
    context.acknowledgements.insert("CV-BP-HIGH".into(), "再测血压 138/86 👍".into());
    let (_, _, s) = example_summary(context);
    let pdf = s.to_pdf(Paper::A4).unwrap();
    let Some((text, _)) = pdf_text(&pdf, dir.path()) else { return };
    for expected in ["王小明", "김민준", "病历-2041", "राम", "再测血压 138/86 👍"] {
        assert!(text.contains(expected), "{expected:?} is not in the PDF's text:\n{text}");
    }
    let Some(pdffonts) = tool("pdffonts") else { return };
    let out = Command::new(pdffonts).arg(dir.path().join("summary.pdf")).output().unwrap();
    let fonts = String::from_utf8(out.stdout).unwrap();
    for font in ["DejaVuSans", "DroidSansFallback", "NotoSansCJKkr", "NotoSansDevanagari", "NotoEmoji"] {
        assert!(fonts.contains(font), "{font} is not embedded:\n{fonts}");
    }
    assert!(!fonts.contains("NotoSansThai"), "only the fonts a PDF uses are embedded:\n{fonts}");
}

/// Issue 24: a right-to-left MRN, name or signer moves nothing around it: the patient's age stays
/// after the name, and the signing time stays whole after the signer, in the order the PDF draws.
#[test]
fn right_to_left_values_are_isolated_and_the_numbers_beside_them_stay_in_place() {
    use trdcheck::documents::pdf::visual_runs;
    let mut context = final_context();
    context.mrn = Some("MRN-123 محمد".into());
    context.patient_name = Some("محمد أحمد علي".into());
    context.status =
        Some(Status::Final { by: "د. محمد أحمد".into(), at: "2026-12-07T10:35:47Z".into(), signature: None });
    let (_, _, s) = example_summary(context);
    let drawn = |line: &str| -> Vec<(String, bool)> {
        visual_runs(line)
            .into_iter()
            .map(|(t, rtl)| (t.chars().filter(|c| !('\u{2066}'..='\u{2069}').contains(c)).collect(), rtl))
            .filter(|(t, _): &(String, bool)| !t.is_empty())
            .collect()
    };
    let status = drawn(&s.status_line());
    let last = status.last().unwrap();
    assert!(!last.1 && last.0.ends_with(", 2026-12-07T10:35:47Z)"), "{status:?}");
    assert_eq!(status.iter().filter(|(_, rtl)| *rtl).map(|(t, _)| t.trim()).collect::<Vec<_>>(), ["د. محمد أحمد"]);
    let patient = s.header_lines().into_iter().find(|(k, _)| k == "Patient").unwrap().1;
    let runs = drawn(&patient);
    let age = runs.iter().position(|(t, _)| t.contains("47 years")).expect("the age is drawn");
    assert!(!runs[age].1, "{runs:?}");
    let name = runs.iter().position(|(t, rtl)| *rtl && t.contains("محمد أحمد علي")).expect("the name is drawn");
    assert!(name < age, "the age after the name: {runs:?}");
    let before: String = runs.iter().take_while(|(_, rtl)| !rtl).map(|(t, _)| t.as_str()).collect();
    assert_eq!(before, "ID MRN-123 ", "{runs:?}");
}
