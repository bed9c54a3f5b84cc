//! The desktop commands, called directly (the Tauri command functions only forward to these).

mod common;

use common::{open_as, PASSPHRASE};
use trdcheck::eligibility::model::Assessment;
use trdcheck::records::NewPatient;
use trdcheck_desktop::{AppState, ExportFormat};

const EXAMPLE: &str = include_str!("../../examples/example-assessment-v2.json");

/// The app over a new data folder, signed in as `clinician`.
fn state(clinician: &str) -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let state = open_as(dir.path(), clinician);
    (dir, state)
}

fn patient(mrn: &str) -> NewPatient {
    NewPatient { mrn: mrn.into(), name: "Ana Pérez".into(), date_of_birth: None, sex: None }
}

#[test]
fn a_rejected_answer_names_its_field_and_is_not_saved() {
    let (_dir, s) = state("Dr A");
    let p = s.create_patient(patient("A-1")).unwrap();
    let v = s.create_draft(p.id).unwrap();
    let mut a: Assessment = v.record.answers.clone();
    a.cardiovascular.systolic_mmhg = Some(400.0);
    let err = s.save_answers(v.record.id, a).unwrap_err();
    assert_eq!(err.code, "invalid_field");
    assert_eq!(err.field.as_deref(), Some("cardiovascular.systolic_mmhg"));
    assert!(err.message.contains("400") && err.message.contains("50–300"), "{}", err.message);
    assert_eq!(s.open_assessment(v.record.id).unwrap().record.answers.cardiovascular.systolic_mmhg, None);
}

#[test]
fn the_view_carries_the_evaluation_and_the_steps_the_core_decided() {
    let (_dir, s) = state("Dr A");
    let p = s.create_patient(patient("A-2")).unwrap();
    let v = s.create_draft(p.id).unwrap();
    assert_eq!(v.evaluation.determination, trdcheck::Determination::Incomplete);
    assert!(v.editable);
    let pregnancy =
        |v: &trdcheck_desktop::AssessmentView| v.steps.iter().find(|s| s.id == "pregnancy").unwrap().applies;
    assert!(pregnancy(&v), "asked while childbearing potential is unknown");
    let mut a = v.record.answers.clone();
    a.pregnancy.childbearing_potential = Some(false);
    let v = s.save_answers(v.record.id, a).unwrap();
    assert!(pregnancy(&v), "breastfeeding is still asked: the sex is unknown");
    let mut a = v.record.answers.clone();
    a.patient.sex = Some(trdcheck::eligibility::model::Sex::Male);
    let v = s.save_answers(v.record.id, a).unwrap();
    assert!(!pregnancy(&v), "skipped for a man without childbearing potential");
    // The words of each determination come from the core: every determination, its title.
    let info = s.app_info().unwrap();
    use trdcheck::Determination::*;
    let all = [Eligible, EligibleWithPrecautions, Deferred, NotEligible, Incomplete];
    assert_eq!(info.labels.determinations.len(), all.len());
    for d in all {
        let id = serde_json::to_value(d).unwrap();
        let label = info.labels.determinations.iter().find(|l| id == l.id).unwrap_or_else(|| panic!("{d:?}"));
        assert_eq!(label.title, d.title(), "{d:?}");
    }
}

#[test]
fn an_acknowledgement_must_name_a_precaution_of_the_assessment() {
    let (dir, s) = state("Dr D");
    let file = dir.path().join("in.json");
    std::fs::write(&file, EXAMPLE).unwrap();
    let v = s.import_assessment(&file).unwrap();
    let err = s.set_acknowledgement(v.record.id, "CV-ANEURYSM".into(), "seen".into()).unwrap_err();
    assert_eq!(err.code, "not_a_precaution");
    assert!(err.message.contains("CV-ANEURYSM") && err.message.contains("CV-BP-HIGH"), "{}", err.message);
    let ok = s.set_acknowledgement(v.record.id, "CV-BP-HIGH".into(), "Rechecked".into()).unwrap();
    assert_eq!(ok.record.acknowledgements.get("CV-BP-HIGH").map(String::as_str), Some("Rechecked"));
}

#[test]
fn finalising_and_amending_ask_for_the_passphrase_again_and_the_signer_is_who_signed_in() {
    let (_dir, s) = state("Dr B");
    let p = s.create_patient(patient("A-3")).unwrap();
    let v = s.create_draft(p.id).unwrap();
    let err = s.finalise(v.record.id, "not my passphrase".into()).unwrap_err();
    assert_eq!((err.code.as_str(), err.field.as_deref()), ("wrong_passphrase", Some("passphrase")));
    assert!(s.open_assessment(v.record.id).unwrap().editable, "nothing was signed");
    let f = s.finalise(v.record.id, PASSPHRASE.into()).unwrap();
    assert!(!f.editable);
    assert_eq!(f.record.finalised_by.as_deref(), Some("Dr B"));
    assert_eq!(f.record.signed_sha256.as_ref().map(String::len), Some(64));
    assert!(s.summary_html(v.record.id).unwrap().contains(f.record.signed_sha256.as_deref().unwrap()));
    let err = s.save_answers(v.record.id, f.record.answers.clone()).unwrap_err();
    assert_eq!(err.code, "finalised");
    assert_eq!(s.amend(v.record.id, "wrong".into()).unwrap_err().code, "wrong_passphrase");
    let amended = s.amend(v.record.id, PASSPHRASE.into()).unwrap();
    assert_eq!((amended.record.version, amended.editable), (2, true));
}

#[test]
fn import_export_and_the_summary() {
    let (dir, s) = state("Dr C");
    let file = dir.path().join("in.json");
    std::fs::write(&file, EXAMPLE).unwrap();
    let v = s.import_assessment(&file).unwrap();
    assert_eq!(v.patient.mrn, "RC-2041");
    assert_eq!(v.evaluation.determination, trdcheck::Determination::EligibleWithPrecautions);
    let html = s.summary_html(v.record.id).unwrap();
    assert!(html.contains("DRAFT") && html.contains("CV-BP-HIGH"));
    for format in [ExportFormat::Pdf, ExportFormat::Html, ExportFormat::Fhir, ExportFormat::Json] {
        let out = dir.path().join(format!("out.{}", format.as_str()));
        s.export_assessment(v.record.id, format, &out).unwrap();
        assert!(std::fs::metadata(&out).unwrap().len() > 100, "{format:?} export is empty");
    }
    let err = s.export_assessment(v.record.id, ExportFormat::Pdf, std::path::Path::new("relative.pdf")).unwrap_err();
    assert_eq!(err.code, "invalid_path");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, EXAMPLE.replace("\"age_years\": 47", "\"age_years\": 470")).unwrap();
    let err = s.import_assessment(&bad).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("patient.age_years"));
}

#[test]
fn a_database_that_cannot_be_opened_is_reported_by_the_commands_that_read_it_and_app_info() {
    let (dir, s) = state("Dr A");
    drop(s);
    let path = dir.path().join(trdcheck::records::DATABASE_FILE);
    std::fs::write(&path, "not a database".repeat(100)).unwrap();
    let s = open_as(dir.path(), "Dr A");
    // A file no database could be (its length) is said to be none (issue 24), not a wrong key.
    let err = s.search_patients(String::new()).unwrap_err();
    assert_eq!(err.code, "not_a_trdcheck_database");
    assert!(err.message.contains("not a trdcheck database"));
    assert_eq!(s.recent_assessments().unwrap_err().code, "not_a_trdcheck_database");
    assert_eq!(s.open_assessment(1).unwrap_err().code, "not_a_trdcheck_database");
    assert_eq!(s.app_info().unwrap().database_error.unwrap().code, "not_a_trdcheck_database");
}

#[test]
fn the_text_size_is_one_of_the_offered_sizes_and_a_wrong_one_names_its_field() {
    let (_dir, s) = state("Dr A");
    s.set_text_size(100).unwrap();
    assert_eq!(s.app_info().unwrap().text_size_percent, 100);
    s.set_text_size(200).unwrap();
    let info = s.app_info().unwrap();
    assert_eq!(info.text_size_percent, 200);
    assert!(info.text_sizes.contains(&200) && info.text_sizes.contains(&100));
    for wrong in [0, 90, 210, 133] {
        let err = s.set_text_size(wrong).unwrap_err();
        assert_eq!((err.code.as_str(), err.field.as_deref()), ("invalid_field", Some("text_size_percent")), "{wrong}");
        assert!(err.message.contains(&format!("{wrong} %")), "{}", err.message);
    }
    assert_eq!(s.app_info().unwrap().text_size_percent, 200, "a rejected size leaves the last good one");
}

/// A document renders without holding the database: while an export is rendering, another
/// command reads and saves. (If the lock were held, the second command would wait for the render,
/// which waits for it: the test would fail at its deadline instead of hanging.)
#[test]
fn a_long_export_does_not_block_another_command() {
    use std::sync::{mpsc, Arc, Mutex};
    use std::time::Duration;
    let deadline = Duration::from_secs(60);
    let (dir, s) = state("Dr E");
    let file = dir.path().join("in.json");
    std::fs::write(&file, EXAMPLE).unwrap();
    let s = Arc::new(s);
    let id = s.import_assessment(&file).unwrap().record.id;
    let (rendering, started) = mpsc::channel::<()>();
    let (release, released) = mpsc::channel::<()>();
    let released = Mutex::new(released);
    s.set_render_hook(move || {
        rendering.send(()).ok();
        released.lock().unwrap().recv_timeout(deadline).ok();
    });
    let out = dir.path().join("summary.pdf");
    let export = std::thread::spawn({
        let (s, out) = (Arc::clone(&s), out.clone());
        move || s.export_assessment(id, ExportFormat::Pdf, &out)
    });
    started.recv_timeout(deadline).expect("the export reached its rendering");
    // Meanwhile: open the record and save an answer, on another thread, with a deadline.
    let (done, finished) = mpsc::channel();
    std::thread::spawn({
        let s = Arc::clone(&s);
        move || {
            let v = s.open_assessment(id).unwrap();
            let mut a = v.record.answers.clone();
            a.patient.weight_kg = Some(72.0);
            done.send(s.save_answers(id, a).map(|v| v.record.answers.patient.weight_kg)).ok();
        }
    });
    let saved = finished.recv_timeout(deadline).expect("another command ran while the document rendered");
    assert_eq!(saved.unwrap(), Some(72.0));
    release.send(()).unwrap();
    export.join().unwrap().unwrap();
    assert!(std::fs::metadata(&out).unwrap().len() > 1000);
    // The export is recorded (after the file was written) in the record's audit trail.
    let path = dir.path().join(trdcheck::records::DATABASE_FILE);
    let key = trdcheck::vault::Vault::new(&path).unlock("Dr E", PASSPHRASE).unwrap().key;
    let audit = trdcheck::records::Store::open(&path, &key).unwrap().audit_of(id).unwrap();
    assert!(audit.iter().any(|e| e.action == "export" && e.detail.as_deref() == Some("pdf")), "{audit:?}");
}
