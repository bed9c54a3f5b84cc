//! Courses in the states the app reaches: an IV ketamine course from a finalised eligible
//! assessment, sessions treated or deferred, an esketamine course with a treated session.

use super::{baseline, default_policy, rules};
use trdcheck::records::{InForce, NewPatient, Store};
use trdcheck::treatment::dosing::{DosingRules, DosingSite};

pub fn in_force<'a>(policy: &'a trdcheck::SitePolicy, site: &'a DosingSite) -> InForce<'a> {
    InForce { rules: rules(), policy, dosing: DosingRules::embedded().unwrap(), site }
}

/// A store with a patient and a finalised, eligible IV ketamine assessment (70 kg).
/// When the fixtures' assessments are signed (before their courses start).
pub const SIGNED_AT: &str = "2026-11-01T09:00:00Z";
/// The clock after the assessment is signed: the sessions of November are signed by then (a
/// session is never signed before its day).
pub const LATER: &str = "2026-11-30T17:00:00Z";

pub fn store_with_final() -> (Store, i64, i64) {
    let mut s = Store::open_in_memory().unwrap();
    // Signed on 1 November; the courses start on the 2nd.
    s.set_clock(SIGNED_AT).unwrap();
    let p = s
        .create_patient(
            &NewPatient { mrn: "C-1".into(), name: "Ana Pérez".into(), date_of_birth: None, sex: None },
            "x",
        )
        .unwrap();
    let d = s.create_draft(p.id, Some(baseline()), "Dr A").unwrap();
    let f = s.finalise(d.id, "Dr A", rules(), &default_policy()).unwrap();
    s.set_clock(LATER).unwrap();
    (s, p.id, f.id)
}

pub fn treated(s: &mut trdcheck::treatment::session::Session) {
    let p = &mut s.pre_dose;
    p.gate.systolic_mmhg = Some(128.0);
    p.gate.diastolic_mmhg = Some(82.0);
    p.gate.spo2_percent = Some(98.0);
    p.gate.new_since_assessment = Some(false);
    p.heart_rate_bpm = Some(70.0);
    p.transport_home = Some(true);
    p.no_driving_advised = Some(true);
    p.consent_on_file = Some(true);
    s.dose.dose_mg = Some(35.0);
    s.dose.lot_number = Some("L-77".into());
    s.dose.start_time = Some("10:00".into());
    let m = &mut s.monitoring;
    m.bp_40_min =
        trdcheck::treatment::session::BloodPressure { systolic_mmhg: Some(142.0), diastolic_mmhg: Some(88.0) };
    m.bp_before_discharge =
        trdcheck::treatment::session::BloodPressure { systolic_mmhg: Some(130.0), diastolic_mmhg: Some(80.0) };
    m.spo2_lowest_percent = Some(96.0);
    m.moaas_lowest = Some(5);
    m.dissociation = Some(false);
    m.respiratory_depression = Some(false);
    m.other_adverse_events = Some(String::new());
    m.total_monitoring_minutes = Some(90);
    m.effects_resolved = Some(true);
    m.discharged = Some(true);
    // 142/88 at 40 minutes is above the precaution line (CV-BP-HIGH): the clinician's note.
    s.acknowledgements.insert("monitoring.bp_40_min".into(), "Asymptomatic; rechecked at 60 minutes, 134/84".into());
}

/// An esketamine course with its first session treated and finalised.
pub fn esketamine_treated() -> (Store, i64, i64) {
    let mut s = Store::open_in_memory().unwrap();
    // Signed on 1 November; the courses start on the 2nd.
    s.set_clock(SIGNED_AT).unwrap();
    let p = s
        .create_patient(
            &NewPatient {
                mrn: "R-1".into(),
                name: "Maria del Carmen Núñez".into(),
                date_of_birth: Some("1979-03-14".into()),
                sex: Some(trdcheck::eligibility::model::Sex::Female),
            },
            "x",
        )
        .unwrap();
    let mut a = baseline();
    a.route = Some(trdcheck::eligibility::model::Route::EsketamineNasal);
    let d = s.create_draft(p.id, Some(a), "Dr A").unwrap();
    let f = s.finalise(d.id, "Dr Ana Ruiz", rules(), &default_policy()).unwrap();
    s.set_clock(LATER).unwrap();
    let (policy, site) = (default_policy(), DosingSite::default());
    let now = in_force(&policy, &site);
    let course = s.start_course(f.id, "2026-11-02", "Dr A").unwrap();
    let first = s.new_session(course.id, "2026-11-03", "Dr A", &now).unwrap();
    let mut x = first.session.clone();
    treated(&mut x);
    x.pre_dose.fasted_as_instructed = Some(true);
    x.pre_dose.rems_enrolled = Some(true);
    x.dose.dose_mg = Some(56.0);
    x.dose.device_times = Some(vec!["10:00".into(), "10:05".into()]);
    x.monitoring.moaas_lowest = Some(4);
    x.monitoring.total_monitoring_minutes = Some(125);
    x.monitoring.ready_to_leave_minutes = Some(80);
    s.save_session(first.id, &x, "Dr A", &now).unwrap();
    s.finalise_session(first.id, "Dr Ana Ruiz", &now).unwrap();
    (s, course.id, first.id)
}
