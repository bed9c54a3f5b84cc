//! A note answers the finding as it read when it was written (issue 24, "a note outlives its
//! reading"): a changed finding asks for it again before finalising; an amendment asks again for
//! the notes on urgent findings; a session's gate notes likewise.

mod common;

use common::courses::{in_force, store_with_final, treated};
use common::{baseline, default_policy, rules};
use trdcheck::eligibility::model::SuicidalIdeation;
use trdcheck::records::{NewPatient, StorageError, Store};
use trdcheck::treatment::dosing::DosingSite;

fn draft_at(bp: (f64, f64)) -> (Store, i64) {
    let mut s = Store::open_in_memory().unwrap();
    let p = s
        .create_patient(&NewPatient { mrn: "N-1".into(), name: "N".into(), date_of_birth: None, sex: None }, "x")
        .unwrap();
    let mut a = baseline();
    a.cardiovascular.systolic_mmhg = Some(bp.0);
    a.cardiovascular.diastolic_mmhg = Some(bp.1);
    let d = s.create_draft(p.id, Some(a), "Dr A").unwrap();
    (s, d.id)
}

#[test]
fn a_note_written_at_one_reading_does_not_cover_another() {
    let (mut s, id) = draft_at((145.0, 92.0));
    let (r, p) = (rules(), default_policy());
    s.set_acknowledgement(id, "CV-BP-HIGH", "Rechecked 145/92; asymptomatic", "Dr A", r, &p).unwrap();
    assert!(s.assessment(id).unwrap().acknowledged_for["CV-BP-HIGH"].contains("145/92"));
    // The reading changes to 178/108: the note stays, written for 145/92, and finalising asks for it again.
    let mut a = s.assessment(id).unwrap().answers;
    a.cardiovascular.systolic_mmhg = Some(178.0);
    a.cardiovascular.diastolic_mmhg = Some(108.0);
    s.save_draft(id, &a, "Dr A").unwrap();
    let record = s.assessment(id).unwrap();
    let e = record.evaluation(r, &p);
    let stale = record.stale_acknowledgements(&e);
    assert!(stale["CV-BP-HIGH"].contains("145/92"), "{stale:?}");
    let err = s.finalise(id, "Dr A", r, &p).unwrap_err();
    assert!(matches!(err, StorageError::AcknowledgementStale { .. }), "{err}");
    assert_eq!(err.code().as_str(), "acknowledgement_needed");
    assert!(err.to_string().contains("145/92") && err.to_string().contains("178/108"), "{err}");
    // Confirmed for the reading now (the same words saved again, audited): it may be finalised.
    s.set_acknowledgement(id, "CV-BP-HIGH", "Rechecked 145/92; asymptomatic", "Dr A", r, &p).unwrap();
    let trail = s.audit_of(id).unwrap();
    assert!(trail.iter().any(|e| e.action == "acknowledge_confirm"
        && e.field.as_deref() == Some("CV-BP-HIGH")
        && e.new_value.as_deref().is_some_and(|v| v.contains("178/108"))));
    let record = s.assessment(id).unwrap();
    assert!(record.stale_acknowledgements(&record.evaluation(r, &p)).is_empty());
    s.finalise(id, "Dr A", r, &p).unwrap();
}

#[test]
fn a_note_on_an_unchanged_finding_needs_nothing_more() {
    let (mut s, id) = draft_at((145.0, 92.0));
    let (r, p) = (rules(), default_policy());
    s.set_acknowledgement(id, "CV-BP-HIGH", "Rechecked", "Dr A", r, &p).unwrap();
    // Another answer changes; the finding reads the same: no confirmation asked.
    let mut a = s.assessment(id).unwrap().answers;
    a.patient.weight_kg = Some(72.0);
    s.save_draft(id, &a, "Dr A").unwrap();
    s.finalise(id, "Dr A", r, &p).unwrap();
}

#[test]
fn an_amendment_asks_again_for_the_notes_on_urgent_findings() {
    let (mut s, id) = draft_at((145.0, 92.0));
    let (r, p) = (rules(), default_policy());
    let mut a = s.assessment(id).unwrap().answers;
    a.psychiatric.suicidal_ideation = Some(SuicidalIdeation::Active);
    a.psychiatric.suicidal_intent = Some(false);
    s.save_draft(id, &a, "Dr A").unwrap();
    let e = s.assessment(id).unwrap().evaluation(r, &p);
    let urgent: Vec<String> = e
        .findings
        .iter()
        .filter(|f| f.urgent && f.level == trdcheck::Level::Precaution)
        .map(|f| f.rule.to_string())
        .collect();
    assert!(!urgent.is_empty(), "an urgent precaution: {:#?}", e.findings);
    let mut notes: Vec<(&str, &str)> = vec![("CV-BP-HIGH", "Rechecked")];
    notes.extend(urgent.iter().map(|u| (u.as_str(), "Safety plan made today")));
    s.finalise_with_notes(id, "Dr A", &notes, r, &p).unwrap();
    let amendment = s.amend(id, "Dr A").unwrap();
    assert_eq!(amendment.acknowledgements.get("CV-BP-HIGH").map(String::as_str), Some("Rechecked"));
    for u in &urgent {
        assert!(!amendment.acknowledgements.contains_key(u), "{u} asked again");
    }
    let err = s.finalise(amendment.id, "Dr A", r, &p).unwrap_err();
    assert!(matches!(err, StorageError::AcknowledgementNeeded(ref rule) if urgent.contains(rule)), "{err}");
    // The non-urgent note stays bound to the finding it was signed with: nothing more for it.
    let record = s.assessment(amendment.id).unwrap();
    assert!(record.stale_acknowledgements(&record.evaluation(r, &p)).is_empty());
}

#[test]
fn a_session_note_written_for_one_reading_is_asked_for_again_when_it_changes() {
    let (mut s, _, final_id) = store_with_final();
    let (policy, site) = (default_policy(), DosingSite::default());
    let now = in_force(&policy, &site);
    let course = s.start_course(final_id, "2026-11-02", "Dr A").unwrap();
    let draft = s.new_session(course.id, "2026-11-03", "Dr A", &now).unwrap();
    let mut x = draft.session.clone();
    treated(&mut x);
    x.pre_dose.gate.systolic_mmhg = Some(150.0);
    x.pre_dose.gate.diastolic_mmhg = Some(92.0);
    x.acknowledgements.insert("CV-BP-HIGH".into(), "Rechecked 150/92".into());
    // A client cannot say what a note was written for: the records bind it.
    x.acknowledged_for.insert("CV-BP-HIGH".into(), "anything".into());
    let saved = s.save_session(draft.id, &x, "Dr A", &now).unwrap();
    assert!(saved.session.acknowledged_for["CV-BP-HIGH"].contains("150/92"));
    assert!(s.session_still_needed(draft.id, &now).unwrap().is_empty());
    // 178/108 before the dose (below the stop line): the note written at 150/92 no longer covers it.
    let mut y = saved.session.clone();
    y.pre_dose.gate.systolic_mmhg = Some(178.0);
    y.pre_dose.gate.diastolic_mmhg = Some(108.0);
    let saved = s.save_session(draft.id, &y, "Dr A", &now).unwrap();
    assert_eq!(s.session_still_needed(draft.id, &now).unwrap(), vec!["acknowledgements.CV-BP-HIGH".to_string()]);
    let state = s.session_state(draft.id, &now).unwrap();
    assert!(state.stale_acknowledgements["CV-BP-HIGH"].contains("150/92"));
    let err = s.finalise_session(draft.id, "Dr A", &now).unwrap_err();
    assert!(err.to_string().starts_with("acknowledgements.CV-BP-HIGH"), "{err}");
    // Rewritten for the reading now: it may be finalised.
    let mut z = saved.session.clone();
    z.acknowledgements.insert("CV-BP-HIGH".into(), "Rechecked 178/108 after rest; discussed".into());
    s.save_session(draft.id, &z, "Dr A", &now).unwrap();
    assert!(s.session_still_needed(draft.id, &now).unwrap().is_empty());
    s.finalise_session(draft.id, "Dr A", &now).unwrap();
}

/// Review of issue 24: a session amendment asks again for the note on an urgent reading.
#[test]
fn a_session_amendment_asks_again_for_the_note_on_an_urgent_reading() {
    let (mut s, _, final_id) = store_with_final();
    let (policy, site) = (default_policy(), DosingSite::default());
    let now = in_force(&policy, &site);
    let course = s.start_course(final_id, "2026-11-02", "Dr A").unwrap();
    let draft = s.new_session(course.id, "2026-11-03", "Dr A", &now).unwrap();
    let mut x = draft.session.clone();
    treated(&mut x);
    x.monitoring.bp_40_min =
        trdcheck::treatment::session::BloodPressure { systolic_mmhg: Some(196.0), diastolic_mmhg: Some(118.0) };
    x.acknowledgements.insert("monitoring.bp_40_min".into(), "Labetalol given; 150/90 at 70 minutes".into());
    s.save_session(draft.id, &x, "Dr A", &now).unwrap();
    let signed = s.finalise_session(draft.id, "Dr A", &now).unwrap();
    let amendment = s.amend_session(signed.id, "Dr A").unwrap();
    assert!(!amendment.session.acknowledgements.contains_key("monitoring.bp_40_min"), "asked again");
    assert!(s
        .session_still_needed(amendment.id, &now)
        .unwrap()
        .contains(&"acknowledgements.monitoring.bp_40_min".to_string()));
    // A note on a reading that was not urgent is kept.
    let (mut s, _, final_id) = store_with_final();
    let course = s.start_course(final_id, "2026-11-02", "Dr A").unwrap();
    let draft = s.new_session(course.id, "2026-11-03", "Dr A", &now).unwrap();
    let mut x = draft.session.clone();
    treated(&mut x);
    s.save_session(draft.id, &x, "Dr A", &now).unwrap();
    let signed = s.finalise_session(draft.id, "Dr A", &now).unwrap();
    let amendment = s.amend_session(signed.id, "Dr A").unwrap();
    assert!(amendment.session.acknowledgements.contains_key("monitoring.bp_40_min"));
    assert!(s.session_still_needed(amendment.id, &now).unwrap().is_empty());
}
