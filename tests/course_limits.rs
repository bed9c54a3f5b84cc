//! Limits that hold per patient, not per course (issue 24, "two doses on one day"): at most one
//! active course per patient and route, no second treated session on a day whatever the course,
//! and no course that starts before the assessment it comes from was signed.

mod common;

use common::courses::{in_force, store_with_final, treated, LATER, SIGNED_AT};
use common::{baseline, default_policy, rules};
use trdcheck::eligibility::model::Route;
use trdcheck::records::{SessionOutcome, StorageError, Store};
use trdcheck::treatment::dosing::DosingSite;

fn field_of(e: &StorageError) -> Option<&str> {
    match e {
        StorageError::InvalidField { field, .. } => Some(field),
        StorageError::Input(i) => i.path(),
        _ => None,
    }
}

/// A treated session of `course` on `date`, finalised.
fn treat(s: &mut Store, course: i64, date: &str) -> trdcheck::records::SessionRecord {
    let (policy, site) = (default_policy(), DosingSite::default());
    let now = in_force(&policy, &site);
    let draft = s.new_session(course, date, "Dr A", &now).unwrap();
    let mut x = draft.session.clone();
    treated(&mut x);
    s.save_session(draft.id, &x, "Dr A", &now).unwrap();
    s.finalise_session(draft.id, "Dr A", &now).unwrap()
}

/// A second finalised eligible assessment of the same patient, by `route`.
fn second_assessment(s: &mut Store, patient: i64, route: Route) -> i64 {
    let mut a = baseline();
    a.route = Some(route);
    let d = s.create_draft(patient, Some(a), "Dr A").unwrap();
    // Signed the same morning as the first; the sessions of November are signed later.
    s.set_clock(SIGNED_AT).unwrap();
    let id = s.finalise(d.id, "Dr A", rules(), &default_policy()).unwrap().id;
    s.set_clock(LATER).unwrap();
    id
}

#[test]
fn one_active_course_per_patient_and_route_until_it_is_ended() {
    let (mut s, patient, final_id) = store_with_final();
    let first = s.start_course(final_id, "2026-11-02", "Dr A").unwrap();
    assert_eq!(first.ended, None);
    // The same assessment again, or another assessment by the same route: refused, naming the route.
    let e = s.start_course(final_id, "2026-11-02", "Dr A").unwrap_err();
    assert_eq!(field_of(&e), Some("route"), "{e}");
    assert!(e.to_string().contains(&format!("active iv_ketamine course (course {}", first.id)), "{e}");
    let again = second_assessment(&mut s, patient, Route::IvKetamine);
    let e = s.start_course(again, "2026-11-05", "Dr A").unwrap_err();
    assert_eq!(field_of(&e), Some("route"), "{e}");
    assert_eq!(s.courses_of(patient).unwrap().len(), 1, "nothing was saved");
    // Another route is another course.
    let esk = second_assessment(&mut s, patient, Route::EsketamineNasal);
    s.start_course(esk, "2026-11-05", "Dr A").unwrap();
    // Ended: it takes no new session, and a new IV course can start.
    treat(&mut s, first.id, "2026-11-03");
    let end = s.end_course(first.id, "2026-11-20", "Induction completed; remitted", "Dr A").unwrap();
    assert_eq!((end.ended_on.as_str(), end.reason.as_str()), ("2026-11-20", "Induction completed; remitted"));
    assert_eq!(s.course(first.id).unwrap().ended, Some(end));
    let (policy, site) = (default_policy(), DosingSite::default());
    let e = s.new_session(first.id, "2026-11-21", "Dr A", &in_force(&policy, &site)).unwrap_err();
    assert_eq!(field_of(&e), Some("course_id"), "{e}");
    assert!(e.to_string().contains("ended on 2026-11-20"), "{e}");
    let second = s.start_course(again, "2026-11-21", "Dr A").unwrap();
    assert_eq!(second.route, Route::IvKetamine);
    let trail = s.audit_of(final_id).unwrap();
    assert!(trail
        .iter()
        .any(|x| x.action == "course_end" && x.new_value.as_deref() == Some("Induction completed; remitted")));
    // The database keeps the end as it was written.
    let err = s.connection().execute("DELETE FROM course_end WHERE course_id = ?1", [first.id]).unwrap_err();
    assert!(err.to_string().contains("cannot be removed"), "{err}");
    let err =
        s.connection().execute("UPDATE course_end SET reason = 'x' WHERE course_id = ?1", [first.id]).unwrap_err();
    assert!(err.to_string().contains("cannot be changed"), "{err}");
    assert_eq!(s.verify().unwrap().first_broken, None);
}

#[test]
fn ending_a_course_needs_a_reason_a_date_after_its_sessions_and_no_draft() {
    let (mut s, _, final_id) = store_with_final();
    let course = s.start_course(final_id, "2026-11-02", "Dr A").unwrap();
    treat(&mut s, course.id, "2026-11-05");
    let long = "x".repeat(2001);
    for (on, reason, path) in [
        ("2026-11-01", "Completed", "ended_on"),
        ("2026-11-04", "Completed", "ended_on"),
        ("5 Nov", "Completed", "ended_on"),
        ("2026-11-05", "   ", "reason"),
        ("2026-11-05", long.as_str(), "reason"),
    ] {
        let e = s.end_course(course.id, on, reason, "Dr A").unwrap_err();
        assert_eq!(field_of(&e), Some(path), "{on} {reason:.10}: {e}");
    }
    // A draft session holds the end back.
    let (policy, site) = (default_policy(), DosingSite::default());
    s.new_session(course.id, "2026-11-06", "Dr A", &in_force(&policy, &site)).unwrap();
    let e = s.end_course(course.id, "2026-11-06", "Completed", "Dr A").unwrap_err();
    assert!(e.to_string().contains("session 2 is a draft"), "{e}");
    // Just inside: on the day of the last session, a reason of the longest length.
    let (mut s, _, final_id) = store_with_final();
    let course = s.start_course(final_id, "2026-11-02", "Dr A").unwrap();
    treat(&mut s, course.id, "2026-11-05");
    s.end_course(course.id, "2026-11-05", &"x".repeat(2000), "Dr A").unwrap();
    let e = s.end_course(course.id, "2026-11-06", "Again", "Dr A").unwrap_err();
    assert!(e.to_string().contains("already ended"), "{e}");
}

#[test]
fn no_second_treated_session_on_one_day_in_any_course() {
    let (mut s, patient, final_id) = store_with_final();
    let (policy, site) = (default_policy(), DosingSite::default());
    let now = in_force(&policy, &site);
    let iv = s.start_course(final_id, "2026-11-02", "Dr A").unwrap();
    // A deferred session and then a treated one on the same day: allowed (the gate said not yet).
    let draft = s.new_session(iv.id, "2026-11-03", "Dr A", &now).unwrap();
    let mut deferred = draft.session.clone();
    deferred.pre_dose.gate.systolic_mmhg = Some(184.0);
    deferred.pre_dose.gate.diastolic_mmhg = Some(100.0);
    deferred.pre_dose.gate.spo2_percent = Some(97.0);
    deferred.pre_dose.gate.new_since_assessment = Some(false);
    s.save_session(draft.id, &deferred, "Dr A", &now).unwrap();
    assert_eq!(s.finalise_session(draft.id, "Dr A", &now).unwrap().outcome, Some(SessionOutcome::Deferred));
    let treated_one = treat(&mut s, iv.id, "2026-11-03");
    assert_eq!(treated_one.outcome, Some(SessionOutcome::Treated));
    // A third session that day: refused when it is added, naming the date and the dose given.
    let e = s.new_session(iv.id, "2026-11-03", "Dr A", &now).unwrap_err();
    assert_eq!(field_of(&e), Some("date"), "{e}");
    assert!(e.to_string().contains(&format!("already treated on 2026-11-03 (course {}, session 2)", iv.id)), "{e}");
    // The next day: allowed.
    let next = s.new_session(iv.id, "2026-11-04", "Dr A", &now).unwrap();
    // Another route's course the same day: a session drafted before the dose, refused at signing.
    let esk_assessment = second_assessment(&mut s, patient, Route::EsketamineNasal);
    let esk = s.start_course(esk_assessment, "2026-11-02", "Dr A").unwrap();
    let esk_draft = s.new_session(esk.id, "2026-11-04", "Dr A", &now).unwrap();
    let mut x = next.session.clone();
    treated(&mut x);
    s.save_session(next.id, &x, "Dr A", &now).unwrap();
    s.finalise_session(next.id, "Dr A", &now).unwrap();
    let mut y = esk_draft.session.clone();
    treated(&mut y);
    y.pre_dose.fasted_as_instructed = Some(true);
    y.pre_dose.rems_enrolled = Some(true);
    y.dose.dose_mg = Some(56.0);
    y.dose.device_times = Some(vec!["10:00".into(), "10:05".into()]);
    y.monitoring.moaas_lowest = Some(4);
    y.monitoring.total_monitoring_minutes = Some(125);
    y.monitoring.ready_to_leave_minutes = Some(80);
    // The dose is refused as soon as it is entered, naming it (not only when it is signed).
    let e = s.save_session(esk_draft.id, &y, "Dr A", &now).unwrap_err();
    assert_eq!(field_of(&e), Some("dose.dose_mg"), "{e}");
    assert!(e.to_string().contains("no second dose on one day"), "{e}");
    // Saved without its dose, it still cannot be signed as treated that day.
    let mut without = y.clone();
    without.dose = Default::default();
    s.save_session(esk_draft.id, &without, "Dr A", &now).unwrap();
    assert_eq!(s.session(esk_draft.id).unwrap().status, trdcheck::records::RecordStatus::Draft, "not signed");
    // Moved to the next day, it is signed.
    y.date = "2026-11-05".into();
    s.save_session(esk_draft.id, &y, "Dr A", &now).unwrap();
    s.finalise_session(esk_draft.id, "Dr A", &now).unwrap();
    // Moving a draft onto a day with a dose is refused when it is saved.
    let d = s.new_session(iv.id, "2026-11-06", "Dr A", &now).unwrap();
    let mut z = d.session.clone();
    z.date = "2026-11-05".into();
    let e = s.save_session(d.id, &z, "Dr A", &now).unwrap_err();
    assert_eq!(field_of(&e), Some("date"), "{e}");
    // An amendment of a treated session keeps its day: it is not a second dose.
    let (mut s, _, final_id) = store_with_final();
    let course = s.start_course(final_id, "2026-11-02", "Dr A").unwrap();
    let first = treat(&mut s, course.id, "2026-11-03");
    let amendment = s.amend_session(first.id, "Dr A").unwrap();
    let mut x = amendment.session.clone();
    x.dose.lot_number = Some("L-78".into());
    s.save_session(amendment.id, &x, "Dr A", &now).unwrap();
    assert_eq!(s.finalise_session(amendment.id, "Dr A", &now).unwrap().outcome, Some(SessionOutcome::Treated));
}

#[test]
fn a_course_starts_on_or_after_the_day_its_assessment_was_signed() {
    let (mut s, _, final_id) = store_with_final();
    let signed = s.assessment(final_id).unwrap().finalised_at.unwrap();
    assert_eq!(signed, SIGNED_AT);
    // The day it was signed, anywhere: at UTC−12 (the earliest calendar day at that instant).
    let day = time::OffsetDateTime::parse(SIGNED_AT, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .to_offset(time::UtcOffset::from_hms(-12, 0, 0).unwrap())
        .date();
    assert_eq!(day, time::macros::date!(2026 - 10 - 31));
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let before = (day - time::Duration::days(1)).format(fmt).unwrap();
    let e = s.start_course(final_id, &before, "Dr A").unwrap_err();
    assert_eq!(field_of(&e), Some("started_on"), "{e}");
    assert!(e.to_string().contains("before the assessment was signed"), "{e}");
    // The day it was signed: allowed.
    s.start_course(final_id, &day.format(fmt).unwrap(), "Dr A").unwrap();
}

/// Review of issue 24: a dose entered in a draft counts before it is signed: a second session
/// that day cannot record one too, in another course.
#[test]
fn a_dose_entered_in_a_draft_holds_the_day_before_it_is_signed() {
    let (mut s, patient, final_id) = store_with_final();
    let (policy, site) = (default_policy(), DosingSite::default());
    let now = in_force(&policy, &site);
    let iv = s.start_course(final_id, "2026-11-02", "Dr A").unwrap();
    let draft = s.new_session(iv.id, "2026-11-04", "Dr A", &now).unwrap();
    let mut x = draft.session.clone();
    treated(&mut x);
    s.save_session(draft.id, &x, "Dr A", &now).unwrap();
    let esk_assessment = second_assessment(&mut s, patient, Route::EsketamineNasal);
    let esk = s.start_course(esk_assessment, "2026-11-02", "Dr A").unwrap();
    let other = s.new_session(esk.id, "2026-11-04", "Dr A", &now).unwrap();
    let mut y = other.session.clone();
    y.dose.dose_mg = Some(56.0);
    let e = s.save_session(other.id, &y, "Dr A", &now).unwrap_err();
    assert_eq!(field_of(&e), Some("dose.dose_mg"), "{e}");
    // Its own dose changed again: allowed (it is the one dose of the day).
    x.dose.dose_mg = Some(35.5);
    s.save_session(draft.id, &x, "Dr A", &now).unwrap();
}

/// Review of issue 24: an assessment amended while its course has a draft session leaves the
/// draft unsignable; the course can still end (the draft left unsigned), and a course starts from
/// the amended assessment once it is signed.
#[test]
fn a_course_whose_assessment_was_amended_ends_even_with_a_draft_left() {
    let (mut s, _, final_id) = store_with_final();
    let (policy, site) = (default_policy(), DosingSite::default());
    let now = in_force(&policy, &site);
    let course = s.start_course(final_id, "2026-11-02", "Dr A").unwrap();
    s.new_session(course.id, "2026-11-03", "Dr A", &now).unwrap();
    // Not amended: the draft holds the end back.
    assert!(s.end_course(course.id, "2026-11-03", "Stopped", "Dr A").is_err());
    let amendment = s.amend(final_id, "Dr A").unwrap();
    let end = s.end_course(course.id, "2026-11-03", "Reassessed: the assessment was amended", "Dr A").unwrap();
    assert_eq!(end.ended_on, "2026-11-03");
    let trail = s.audit_of(final_id).unwrap();
    assert!(trail
        .iter()
        .any(|e| e.action == "course_end"
            && e.detail.as_deref().is_some_and(|d| d.contains("\"unsigned_draft_session\":1"))));
    let signed = s.finalise(amendment.id, "Dr A", rules(), &default_policy()).unwrap();
    // Signed on the clock's day (30 November): the new course starts that day, not before.
    assert!(s.start_course(signed.id, "2026-11-29", "Dr A").is_err());
    s.start_course(signed.id, "2026-11-30", "Dr A").unwrap();
}

/// Review of issue 24: an amendment being written does not hide the signed version it amends
/// from what is exported as given.
#[test]
fn the_sessions_in_force_are_the_signed_versions() {
    let (mut s, _, final_id) = store_with_final();
    let course = s.start_course(final_id, "2026-11-02", "Dr A").unwrap();
    let first = treat(&mut s, course.id, "2026-11-03");
    let amendment = s.amend_session(first.id, "Dr A").unwrap();
    assert_eq!(s.sessions_of(course.id).unwrap()[0].id, amendment.id, "the screen shows the draft");
    let in_force = s.sessions_in_force(course.id).unwrap();
    assert_eq!(in_force.iter().map(|r| r.id).collect::<Vec<_>>(), vec![first.id]);
    let c = s.course(course.id).unwrap();
    let patient = s.patient(c.patient_id).unwrap();
    let bundle = trdcheck::documents::course_fhir::course_bundle(&c, &in_force, &[], &patient).to_string();
    assert!(bundle.contains("MedicationAdministration") && bundle.contains("\"completed\""));
}

/// Issue 24: a session imported from a file (`db session import`) is held to the same day limits
/// as one added in the app: not onto a day the patient was treated, nor with a dose on a day that
/// another session's dose holds; the next day it is taken.
#[test]
fn an_imported_session_is_held_to_one_dose_a_day() {
    let (mut s, patient, final_id) = store_with_final();
    let (policy, site) = (default_policy(), DosingSite::default());
    let now = in_force(&policy, &site);
    let iv = s.start_course(final_id, "2026-11-02", "Dr A").unwrap();
    treat(&mut s, iv.id, "2026-11-03");
    let mut file = trdcheck::treatment::session::Session::new(2, "2026-11-03");
    treated(&mut file);
    let e = s.import_session(iv.id, &file, "Dr A", &now).unwrap_err();
    assert_eq!(field_of(&e), Some("date"), "{e}");
    assert!(e.to_string().contains("already treated on 2026-11-03"), "{e}");
    // A draft of another course holds 2026-11-04 with its dose: an imported dose that day is refused.
    let esk_assessment = second_assessment(&mut s, patient, Route::EsketamineNasal);
    let esk = s.start_course(esk_assessment, "2026-11-02", "Dr A").unwrap();
    let held = s.new_session(esk.id, "2026-11-04", "Dr A", &now).unwrap();
    let mut y = held.session.clone();
    y.dose.dose_mg = Some(56.0);
    s.save_session(held.id, &y, "Dr A", &now).unwrap();
    file.date = "2026-11-04".into();
    let e = s.import_session(iv.id, &file, "Dr A", &now).unwrap_err();
    assert_eq!(field_of(&e), Some("dose.dose_mg"), "{e}");
    // The day after: imported as the course's next draft.
    file.date = "2026-11-05".into();
    let imported = s.import_session(iv.id, &file, "Dr A", &now).unwrap();
    assert_eq!((imported.session.number, imported.session.date.as_str()), (2, "2026-11-05"));
}

/// Issue 24 re-test: a session is signed on its day or later, never before: one dated next week
/// is refused when it is finalised, naming its date (a dose not yet given cannot be signed as
/// given); on its day it is signed.
#[test]
fn a_session_is_not_finalised_before_its_day() {
    let (mut s, _, final_id) = store_with_final();
    let (policy, site) = (default_policy(), DosingSite::default());
    let now = in_force(&policy, &site);
    let course = s.start_course(final_id, "2026-11-02", "Dr A").unwrap();
    let draft = s.new_session(course.id, "2026-12-07", "Dr A", &now).unwrap();
    let mut x = draft.session.clone();
    treated(&mut x);
    s.save_session(draft.id, &x, "Dr A", &now).unwrap();
    // The clock reads 30 November (LATER): the 7th of December is still to come in every zone.
    assert_eq!(s.session_still_needed(draft.id, &now).unwrap(), ["date"], "said before finalising too");
    let e = s.finalise_session(draft.id, "Dr A", &now).unwrap_err();
    assert_eq!(field_of(&e), Some("date"), "{e}");
    assert!(e.to_string().contains("2026-12-07 is after today"), "{e}");
    assert_eq!(s.session(draft.id).unwrap().status, trdcheck::records::RecordStatus::Draft);
    s.set_clock("2026-12-07T08:30:00Z").unwrap();
    assert_eq!(s.finalise_session(draft.id, "Dr A", &now).unwrap().outcome, Some(SessionOutcome::Treated));
}

/// Issue 24 re-test: one patient under an MRN written another way ("dual-1", a non-breaking
/// hyphen, full-width letters) is the same patient: no second patient is made, an import finds
/// the first, and so one dose a day holds.
#[test]
fn an_mrn_written_another_way_is_the_same_patient() {
    let mut s = trdcheck::records::Store::open_in_memory().unwrap();
    let new = |mrn: &str| trdcheck::records::NewPatient {
        mrn: mrn.into(),
        name: "Dual".into(),
        date_of_birth: None,
        sex: None,
    };
    let first = s.create_patient(&new("DUAL-1"), "Dr A").unwrap();
    for other in ["dual-1", "DUAL\u{2011}1", "Dual\u{2212}1", "ＤＵＡＬ－１", " DUAL-1 "] {
        let e = s.create_patient(&new(other), "Dr A").unwrap_err();
        assert_eq!(e.code(), "duplicate_mrn", "{other:?}: {e}");
        assert_eq!(s.patient_by_mrn(other).unwrap().map(|p| p.id), Some(first.id), "{other:?}");
    }
    // Just past: another MRN is another patient.
    assert!(s.create_patient(&new("DUAL-2"), "Dr A").is_ok());
    assert!(s.create_patient(&new("DUAL1"), "Dr A").is_ok(), "a dash is not nothing");
    // An assessment imported under "dual-1" is the first patient's.
    let mut a = baseline();
    a.patient.id = "dual-1".into();
    let json = serde_json::to_string(&a).unwrap();
    let record = s.import(&json, "Dr A").unwrap();
    assert_eq!(record.patient_id, first.id);
}
