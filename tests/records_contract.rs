//! The records' contract: what every storage engine must do with an aggregate, run on each engine
//! through the one interface (`records::patients`, `assessments`, `signing`, `settings`, `audit` over `records::sql::Sql`).
//!
//! - `sqlite`: the workstation's database, as its migrations leave it (always run);
//! - `postgres`: a clinic's PostgreSQL server (`cargo test --features postgres --test
//!   records_contract` under `pg_virtualenv`, as scripts/test runs it; with the feature on and no
//!   server, these tests fail rather than skip).
//!
//! The contract covers the patients, their eligibility assessments (drafts, signed versions,
//! amendments), the clinic's settings, the audit trail and the treatment records (courses and
//! their ends, sessions, scale administrations); every check here takes an empty database of its
//! engine.

mod common;

use common::courses::{in_force, treated};
use common::{baseline, default_policy, rules};
use trdcheck::eligibility::model::{Route, Sex};
use trdcheck::outcomes::administration::{Administration, ScalesSite};
use trdcheck::outcomes::scales::Scales;
use trdcheck::records::courses::{self, sessions};
use trdcheck::records::sql::Sql;
use trdcheck::records::{
    administrations, assessments, audit, patients, settings, signing, BaselineOrigin, ClinicSettings, NewPatient,
    RecordStatus, SessionOutcome, StorageError,
};
use trdcheck::treatment::dosing::DosingSite;
use trdcheck::{Determination, PolicyOverrides};

const AT: &str = "2026-12-07T09:00:00Z";

fn new_patient(mrn: &str, name: &str) -> NewPatient {
    NewPatient { mrn: mrn.into(), name: name.into(), date_of_birth: Some("1979-03-14".into()), sex: None }
}

fn names(db: &dyn Sql, query: &str, limit: usize) -> Vec<String> {
    patients::search(db, query, limit).unwrap().into_iter().map(|p| p.name).collect()
}

fn field_of(e: StorageError) -> String {
    match e {
        StorageError::InvalidField { field, .. } => field,
        StorageError::Input(e) => e.to_string(),
        other => panic!("not a field error: {other}"),
    }
}

fn eight_weeks() -> ClinicSettings {
    ClinicSettings {
        clinic: "Riverside".into(),
        lock_after_minutes: 10,
        policy: PolicyOverrides { min_weeks_at_dose: Some(8), ..Default::default() },
        ..Default::default()
    }
}

fn unreadable_key(db: &dyn Sql) -> String {
    match settings::current(db).unwrap_err() {
        StorageError::SettingsUnreadable { key, .. } => key,
        other => panic!("{other}"),
    }
}

/// A patient with a draft of the baseline answers (eligible, no precaution): (patient, draft).
fn draft(db: &dyn Sql) -> (i64, i64) {
    let p = patients::create(db, AT, &new_patient("MRN-1", "Ana Pérez"), "dr a").unwrap();
    let mut answers = baseline();
    answers.patient.id = p.mrn.clone();
    (p.id, assessments::create_draft(db, AT, p.id, Some(answers), "dr a").unwrap())
}

fn saved_answers(db: &dyn Sql, id: i64) -> trdcheck::eligibility::model::Assessment {
    assessments::load(db, id).unwrap().answers
}

/// The actions of an assessment's audit entries, in order.
fn actions(db: &dyn Sql, id: i64) -> Vec<String> {
    audit::for_assessment(db, id).unwrap().into_iter().map(|e| e.action).collect()
}

/// A patient with a finalised eligible assessment and an IV ketamine course started from it on
/// the day it was signed: (patient, course).
fn course(db: &dyn Sql) -> (i64, i64) {
    let (patient, id) = draft(db);
    signing::finalise(db, AT, id, "Dr A", rules(), &default_policy()).unwrap();
    (patient, courses::start(db, AT, id, "2026-12-07", "Dr A").unwrap())
}

/// A PHQ-9 (or other scale) dated `date` with these answers.
fn answered(scale: &str, date: &str, items: &[u32]) -> Administration {
    let mut a = Administration::new(Scales::embedded().unwrap().get(scale).unwrap(), date);
    a.items = items.iter().map(|i| Some(*i)).collect();
    a
}

/// The checks, each on an empty database of the engine.
mod contract {
    use super::*;

    pub fn a_patient_is_created_and_found_by_id_and_mrn(db: &dyn Sql) {
        let p = NewPatient { sex: Some(Sex::Female), ..new_patient(" A-100 ", " José García ") };
        let created = patients::create(db, AT, &p, "dr a").unwrap();
        assert_eq!((created.mrn.as_str(), created.name.as_str()), ("A-100", "José García"), "trimmed");
        assert_eq!(created.created_at, AT);
        assert_eq!(patients::by_id(db, created.id).unwrap(), created);
        assert_eq!(patients::by_mrn(db, "A-100").unwrap(), Some(created.clone()));
        assert_eq!(patients::by_mrn(db, "A-1000").unwrap(), None);
        let missing = created.id + 1;
        assert!(matches!(patients::by_id(db, missing), Err(StorageError::NoPatient(id)) if id == missing));
    }

    pub fn an_mrn_written_another_way_is_the_same_patient(db: &dyn Sql) {
        let first = patients::create(db, AT, &new_patient("DUAL-1", "Ana"), "dr a").unwrap();
        for other in ["dual-1", "DUAL\u{2011}1", "Dual\u{2212}1", "ＤＵＡＬ－１", " DUAL-1 "] {
            match patients::create(db, AT, &new_patient(other, "Ana"), "dr a") {
                Err(StorageError::DuplicateMrn(shown)) => {
                    assert!(shown.starts_with(other.trim()), "{other:?}: {shown}");
                    assert_eq!(shown.ends_with("(as DUAL-1)"), other.trim() != "DUAL-1", "{other:?}: {shown}");
                }
                other_result => panic!("{other:?}: {other_result:?}"),
            }
            assert_eq!(patients::by_mrn(db, other).unwrap().map(|p| p.id), Some(first.id), "{other:?}");
        }
        // Just past: another MRN is another patient, and a dash is not nothing.
        assert!(patients::create(db, AT, &new_patient("DUAL-2", "Bo"), "dr a").is_ok());
        assert!(patients::create(db, AT, &new_patient("DUAL1", "Cy"), "dr a").is_ok());
        assert_eq!(patients::search(db, "", 10).unwrap().len(), 3);
    }

    pub fn bad_input_names_its_field_and_writes_nothing(db: &dyn Sql) {
        let bad_date = NewPatient { date_of_birth: Some("14/03/1979".into()), ..new_patient("D-1", "d") };
        for (patient, field) in
            [(new_patient("M-1", "  "), "name"), (new_patient(" ", "Ana"), "mrn"), (bad_date, "date_of_birth")]
        {
            let err = patients::create(db, AT, &patient, "dr a").unwrap_err();
            assert!(err.to_string().starts_with(&format!("{field}:")), "{field}: {err}");
            assert_eq!(field_of(err), field);
        }
        let long = new_patient("M-2", &"a".repeat(10_000));
        assert!(field_of(patients::create(db, AT, &long, "dr a").unwrap_err()).contains("name"));
        assert!(patients::search(db, "", 10).unwrap().is_empty());
        assert_eq!(audit::verify(db).unwrap().entries, 0);
    }

    pub fn search_ignores_case_and_accents_and_matches_prefixes(db: &dyn Sql) {
        for (mrn, name) in
            [("A-100", "José García"), ("A-200", "Joseph Garcia-Lopez"), ("B-300", "María Núñez"), ("C-1", "Ole Åberg")]
        {
            patients::create(db, AT, &new_patient(mrn, name), "x").unwrap();
        }
        let names = |q: &str| names(db, q, 50);
        assert_eq!(names("garc"), ["José García", "Joseph Garcia-Lopez"]);
        assert_eq!(names("GARCÍA jos"), ["José García", "Joseph Garcia-Lopez"]);
        assert_eq!(names("josé"), ["José García", "Joseph Garcia-Lopez"]);
        assert_eq!(names("nunez"), ["María Núñez"]);
        assert_eq!(names("aberg"), ["Ole Åberg"]);
        assert_eq!(names("lopez"), ["Joseph Garcia-Lopez"]);
        assert_eq!(names("b-3"), ["María Núñez"]);
        assert_eq!(names("maria x"), Vec::<String>::new());
        // Just past a prefix: "garcias" is not a prefix of "garcia".
        assert_eq!(names("garcias"), Vec::<String>::new());
        assert_eq!(names("").len(), 4);
    }

    pub fn a_search_is_limited_and_an_empty_one_lists_the_newest(db: &dyn Sql) {
        for (mrn, name) in [("N-1", "Ana Zapata"), ("N-2", "Bea Zapata"), ("N-3", "Cy Zapata")] {
            patients::create(db, AT, &new_patient(mrn, name), "x").unwrap();
        }
        assert_eq!(super::names(db, "", 2), ["Cy Zapata", "Bea Zapata"]);
        assert_eq!(super::names(db, "zap", 2), ["Ana Zapata", "Bea Zapata"]);
        assert_eq!(super::names(db, "zap", 0), Vec::<String>::new());
    }

    pub fn each_patient_is_audited_in_one_chain(db: &dyn Sql) {
        let a = patients::create(db, AT, &new_patient("A-1", "Ana"), "dr a").unwrap();
        let b = patients::create(db, "2026-12-07T09:05:00Z", &new_patient("B-1", "Bo"), "dr b").unwrap();
        let entries = audit::for_action(db, "create_patient").unwrap();
        let who: Vec<_> = entries.iter().map(|e| (e.seq, e.actor.as_str(), e.patient_id)).collect();
        assert_eq!(who, [(1, "dr a", Some(a.id)), (2, "dr b", Some(b.id))]);
        assert_eq!(entries[1].prev_hash, entries[0].hash);
        assert!(entries[0].detail.as_deref().unwrap().contains("\"mrn\":\"A-1\""));
        let report = audit::verify(db).unwrap();
        assert_eq!((report.entries, report.first_broken), (2, None));
    }

    pub fn settings_start_at_the_defaults_and_each_change_is_audited(db: &dyn Sql) {
        assert_eq!(settings::current(db).unwrap(), ClinicSettings::default(), "never set: the defaults");
        assert!(!settings::ever_saved(db).unwrap());
        settings::save(db, AT, &eight_weeks(), None, "Dr A", rules()).unwrap();
        let mut next = eight_weeks();
        next.clinic = "Riverside Clinic".into();
        next.policy.min_weeks_at_dose = None;
        settings::save(db, AT, &next, Some(&eight_weeks()), "Dr B", rules()).unwrap();
        settings::save(db, AT, &next, Some(&next), "Dr B", rules()).unwrap();
        assert_eq!(settings::current(db).unwrap(), next);
        assert!(settings::ever_saved(db).unwrap());
        let history: Vec<_> = settings::history(db)
            .unwrap()
            .into_iter()
            .map(|e| (e.actor, e.field.unwrap(), e.old_value, e.new_value))
            .collect();
        let entry = |actor: &str, key: &str, from: Option<&str>, to: Option<&str>| {
            (actor.to_string(), key.to_string(), from.map(str::to_string), to.map(str::to_string))
        };
        assert_eq!(
            history,
            [
                entry("Dr A", "clinic", None, Some(r#""Riverside""#)),
                entry("Dr A", "lock_after_minutes", None, Some("10")),
                entry("Dr A", "policy.min_weeks_at_dose", None, Some("8")),
                entry("Dr B", "clinic", Some(r#""Riverside""#), Some(r#""Riverside Clinic""#)),
                entry("Dr B", "policy.min_weeks_at_dose", Some("8"), None),
            ]
        );
        assert_eq!(audit::verify(db).unwrap().first_broken, None);
    }

    pub fn confirming_the_default_settings_is_recorded(db: &dyn Sql) {
        settings::save(db, AT, &ClinicSettings::default(), None, "Dr A", rules()).unwrap();
        assert!(settings::ever_saved(db).unwrap(), "saved once, even with nothing changed");
        let history = settings::history(db).unwrap();
        assert_eq!(history.iter().map(|e| e.field.as_deref()).collect::<Vec<_>>(), [Some(settings::ALL_SETTINGS)]);
    }

    pub fn a_policy_the_rule_set_does_not_allow_is_not_stored(db: &dyn Sql) {
        let mut bad = eight_weeks();
        bad.policy.min_weeks_at_dose = Some(7);
        let err = settings::save(db, AT, &bad, None, "Dr A", rules()).unwrap_err();
        assert_eq!(err.code(), "invalid_policy_value");
        assert!(err.to_string().contains("min_weeks_at_dose"), "{err}");
        assert!(!settings::ever_saved(db).unwrap());
        assert_eq!(audit::verify(db).unwrap().entries, 0);
    }

    pub fn a_setting_row_changed_outside_an_audited_save_is_unreadable(db: &dyn Sql) {
        settings::save(db, AT, &eight_weeks(), None, "Dr A", rules()).unwrap();
        // A hand-made edit: a valid value, but not the audited one.
        db.run("UPDATE setting SET value = '6' WHERE key = 'policy.min_weeks_at_dose'", &[]).unwrap();
        assert_eq!(unreadable_key(db), "policy.min_weeks_at_dose");
        // Removed by hand: the default would apply silently; it is an error instead.
        db.run("DELETE FROM setting WHERE key = 'policy.min_weeks_at_dose'", &[]).unwrap();
        assert_eq!(unreadable_key(db), "policy.min_weeks_at_dose");
        // An empty (null) value is not "not set".
        settings::save(db, AT, &eight_weeks(), None, "Dr A", rules()).unwrap();
        db.run("UPDATE setting SET value = 'null' WHERE key = 'clinic'", &[]).unwrap();
        assert_eq!(unreadable_key(db), "clinic");
    }

    pub fn settings_changed_elsewhere_since_the_form_opened_are_not_overwritten(db: &dyn Sql) {
        settings::save(db, AT, &eight_weeks(), None, "Dr A", rules()).unwrap();
        let opened = settings::current(db).unwrap();
        // Meanwhile, another workstation sets 10 weeks.
        let mut elsewhere = opened.clone();
        elsewhere.policy.min_weeks_at_dose = Some(10);
        settings::save(db, AT, &elsewhere, Some(&opened), "Dr B", rules()).unwrap();
        // The first form, opened before, changes only the clinic name: refused, nothing saved.
        let mut mine = opened.clone();
        mine.clinic = "Riverside Clinic".into();
        let err = settings::save(db, AT, &mine, Some(&opened), "Dr A", rules()).unwrap_err();
        assert!(matches!(err, StorageError::SettingsChanged), "{err}");
        assert_eq!(settings::current(db).unwrap(), elsewhere);
        assert_eq!(settings::history(db).unwrap().len(), 4, "3 changes by Dr A, 1 by Dr B");
    }

    pub fn a_draft_is_saved_with_an_audit_entry_per_changed_answer(db: &dyn Sql) {
        let p = patients::create(db, AT, &new_patient("MRN-1", "Ana"), "dr a").unwrap();
        let id = assessments::create_draft(db, AT, p.id, None, "dr a").unwrap();
        let empty = assessments::load(db, id).unwrap();
        assert_eq!((empty.status, empty.version, empty.answers.patient.id.as_str()), (RecordStatus::Draft, 1, "MRN-1"));
        let mut answers = empty.answers.clone();
        answers.patient.age_years = Some(40.0);
        answers.patient.weight_kg = Some(70.0);
        assessments::save_draft(db, "2026-12-07T09:01:00Z", id, &answers, "dr a").unwrap();
        assessments::save_draft(db, "2026-12-07T09:02:00Z", id, &answers, "dr a").unwrap();
        let changed: Vec<_> =
            audit::for_assessment(db, id).unwrap().into_iter().map(|e| (e.action, e.field, e.new_value)).collect();
        assert_eq!(
            changed,
            [
                ("create_draft".to_string(), None, None),
                ("answer".into(), Some("patient.age_years".into()), Some("40".into())),
                ("answer".into(), Some("patient.weight_kg".into()), Some("70".into())),
            ],
            "one entry per changed answer; saving the same answers again writes nothing"
        );
        let saved = assessments::load(db, id).unwrap();
        assert_eq!((saved.answers, saved.updated_at.as_str()), (answers, "2026-12-07T09:01:00Z"));
        let listed = assessments::listings(db, Some(p.id), 10).unwrap();
        assert_eq!(
            listed.iter().map(|l| (l.id, l.status, l.determination)).collect::<Vec<_>>(),
            [(id, RecordStatus::Draft, None)]
        );
        let mut bad = saved_answers(db, id);
        bad.patient.age_years = Some(-1.0);
        let err = assessments::save_draft(db, AT, id, &bad, "dr a").unwrap_err();
        assert!(err.to_string().contains("patient.age_years"), "{err}");
    }

    pub fn a_finalised_assessment_is_signed_and_the_database_refuses_to_change_it(db: &dyn Sql) {
        let (patient, id) = draft(db);
        let err = signing::finalise(db, AT, id, "  ", rules(), &default_policy()).unwrap_err();
        assert_eq!(field_of(err), "clinician");
        signing::finalise(db, "2026-12-07T10:00:00Z", id, " Dr A ", rules(), &default_policy()).unwrap();
        let f = assessments::load(db, id).unwrap();
        assert_eq!(
            (f.status, f.finalised_by.as_deref(), f.finalised_at.as_deref()),
            (RecordStatus::Final, Some("Dr A"), Some("2026-12-07T10:00:00Z"))
        );
        let snapshot = f.snapshot.as_ref().unwrap();
        assert_eq!(snapshot.evaluation.determination, Determination::Eligible);
        assert_eq!(snapshot.ruleset, rules().reference());
        assert_eq!(signing::broken_signatures(db).unwrap(), (1, vec![]));
        let listed = &assessments::listings(db, None, 10).unwrap()[0];
        assert_eq!((listed.determination, listed.starts_course), (Some(Determination::Eligible), true));
        // Refused by the code, and by the database itself.
        assert!(
            matches!(assessments::save_draft(db, AT, id, &baseline(), "x"), Err(StorageError::Finalised(i)) if i == id)
        );
        assert!(matches!(assessments::discard_draft(db, AT, id, "x"), Err(StorageError::Finalised(_))));
        let update = db.run("UPDATE assessment SET answers = '{}' WHERE id = $1", &[id.into()]).unwrap_err();
        assert!(update.to_string().contains("cannot be changed"), "{update}");
        let delete = db.run("DELETE FROM assessment WHERE id = $1", &[id.into()]).unwrap_err();
        assert!(delete.to_string().contains("cannot be deleted"), "{delete}");
        assert_eq!(assessments::load(db, id).unwrap(), f);
        assert_eq!(actions(db, id).last().map(String::as_str), Some("finalise"));
        assert_eq!(assessments::listings(db, Some(patient), 10).unwrap().len(), 1);
    }

    pub fn an_amendment_is_a_new_version_of_the_newest_final_one(db: &dyn Sql) {
        let (_, id) = draft(db);
        assert!(matches!(assessments::amend(db, AT, id, "dr a"), Err(StorageError::NotFinal { .. })));
        signing::finalise(db, AT, id, "Dr A", rules(), &default_policy()).unwrap();
        let v2 = assessments::amend(db, "2026-12-08T09:00:00Z", id, "dr b").unwrap();
        let amended = assessments::load(db, v2).unwrap();
        assert_eq!((amended.version, amended.amends, amended.status), (2, Some(id), RecordStatus::Draft));
        assert_eq!(amended.answers, assessments::load(db, id).unwrap().answers);
        assert_eq!(assessments::load(db, id).unwrap().amended_by, Some(v2));
        match assessments::amend(db, AT, id, "dr c") {
            Err(StorageError::AlreadyAmended { id: i, by }) => assert_eq!((i, by), (id, v2)),
            other => panic!("{other:?}"),
        }
        let listed = assessments::listings(db, None, 10).unwrap();
        assert_eq!(listed.iter().map(|l| (l.id, l.starts_course)).collect::<Vec<_>>(), [(v2, false), (id, false)]);
        assert_eq!(actions(db, v2), ["amend"]);
        assert_eq!(signing::broken_signatures(db).unwrap(), (1, vec![]));
    }

    pub fn a_discarded_draft_is_gone_and_its_answers_are_in_the_audit_trail(db: &dyn Sql) {
        let (patient, id) = draft(db);
        assessments::discard_draft(db, AT, id, "dr a").unwrap();
        assert!(matches!(assessments::load(db, id), Err(StorageError::NoAssessment(i)) if i == id));
        assert!(assessments::listings(db, Some(patient), 10).unwrap().is_empty());
        let entries = audit::for_assessment(db, id).unwrap();
        assert_eq!(entries.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["create_draft", "discard_draft"]);
        assert!(entries[1].detail.as_deref().unwrap().contains("\"MRN-1\""));
        assert_eq!(audit::verify(db).unwrap().first_broken, None);
    }

    pub fn a_course_is_kept_as_started_and_ended_once_with_its_reason(db: &dyn Sql) {
        let (patient, id) = draft(db);
        assert!(matches!(courses::start(db, AT, id, "2026-12-07", "Dr A"), Err(StorageError::NotFinal { .. })));
        signing::finalise(db, AT, id, "Dr A", rules(), &default_policy()).unwrap();
        let course_id = courses::start(db, AT, id, "2026-12-07", "Dr A").unwrap();
        let course = courses::load_course(db, course_id).unwrap();
        assert_eq!(
            (course.patient_id, course.assessment_id, course.route, course.started_on.as_str(), &course.ended),
            (patient, id, Route::IvKetamine, "2026-12-07", &None)
        );
        assert_eq!(courses::courses_of(db, patient).unwrap(), vec![course]);
        // One active course per route.
        assert_eq!(field_of(courses::start(db, AT, id, "2026-12-07", "Dr A").unwrap_err()), "route");
        let update =
            db.run("UPDATE course SET started_on = '2026-01-01' WHERE id = $1", &[course_id.into()]).unwrap_err();
        assert!(update.to_string().contains("cannot be changed"), "{update}");
        let end = courses::end(db, AT, course_id, "2026-12-08", " completed ", "Dr A").unwrap();
        assert_eq!((end.ended_on.as_str(), end.reason.as_str()), ("2026-12-08", "completed"));
        assert_eq!(courses::load_course(db, course_id).unwrap().ended, Some(end));
        assert_eq!(field_of(courses::end(db, AT, course_id, "2026-12-09", "again", "Dr A").unwrap_err()), "course_id");
        let removed = db.run("DELETE FROM course_end WHERE course_id = $1", &[course_id.into()]).unwrap_err();
        assert!(removed.to_string().contains("cannot be removed"), "{removed}");
        let trail = actions(db, id);
        assert_eq!(
            trail.iter().filter(|a| a.starts_with("course_")).collect::<Vec<_>>(),
            ["course_start", "course_end"]
        );
    }

    pub fn a_session_is_signed_amended_and_refused_by_the_database_once_final(db: &dyn Sql) {
        let (_, course) = course(db);
        let (policy, site) = (default_policy(), DosingSite::default());
        let now = in_force(&policy, &site);
        let id = sessions::open(db, AT, course, "2026-12-07", "Dr A", &now).unwrap();
        let draft = courses::load_session(db, id).unwrap();
        assert_eq!((draft.session.number, draft.status), (1, RecordStatus::Draft));
        // Sessions are judged in order: no second while the first is a draft.
        assert_eq!(field_of(sessions::open(db, AT, course, "2026-12-07", "Dr A", &now).unwrap_err()), "course_id");
        let mut answers = draft.session.clone();
        treated(&mut answers);
        sessions::save(db, AT, id, &answers, "Dr A", &now).unwrap();
        sessions::finalise(db, "2026-12-07T11:00:00Z", id, "Dr A", &now).unwrap();
        let signed = courses::load_session(db, id).unwrap();
        assert_eq!(
            (signed.status, signed.outcome, signed.finalised_by.as_deref(), signed.session.dose.dose_mg),
            (RecordStatus::Final, Some(SessionOutcome::Treated), Some("Dr A"), Some(35.0))
        );
        assert_eq!(courses::broken_session_signatures(db).unwrap(), (1, vec![]));
        // No second treated session on one day (the date is read inside the stored session).
        assert_eq!(field_of(sessions::open(db, AT, course, "2026-12-07", "Dr A", &now).unwrap_err()), "date");
        let update = db.run("UPDATE session SET data = '{}' WHERE id = $1", &[id.into()]).unwrap_err();
        assert!(update.to_string().contains("cannot be changed"), "{update}");
        let delete = db.run("DELETE FROM session WHERE id = $1", &[id.into()]).unwrap_err();
        assert!(delete.to_string().contains("cannot be deleted"), "{delete}");
        // An amendment: version 2 of the same session, listed in its place; the signed one kept.
        let amended = sessions::amend(db, AT, id, "Dr A").unwrap();
        let listed: Vec<_> =
            courses::sessions_of(db, course).unwrap().iter().map(|s| (s.id, s.version, s.amends)).collect();
        assert_eq!(listed, [(amended, 2, Some(id))]);
        let mut kept = courses::load_session(db, id).unwrap();
        assert_eq!(kept.amended_by.take(), Some(amended));
        assert_eq!(kept, signed);
    }

    pub fn an_administration_is_scored_against_the_course_baseline_and_listed_by_date(db: &dyn Sql) {
        let (_, course) = course(db);
        let site = ScalesSite::default();
        // The assessment's PHQ-9 (18) is the baseline until the course has its own.
        let b = administrations::baseline_of(db, course, "phq9").unwrap().unwrap();
        assert_eq!((b.total, b.origin), (18, BaselineOrigin::Assessment));
        let mut own = answered("phq9", "2026-12-07", &[3, 3, 2, 2, 2, 2, 2, 2, 0]);
        own.baseline = true;
        let base = administrations::open(db, AT, course, &own, "Dr A").unwrap();
        administrations::finalise(db, AT, base, "Dr A", &site).unwrap();
        let b = administrations::baseline_of(db, course, "phq9").unwrap().unwrap();
        assert_eq!((b.total, b.origin, b.administration_id), (18, BaselineOrigin::Administration, Some(base)));
        let later = answered("phq9", "2026-12-21", &[1, 1, 1, 1, 1, 1, 1, 1, 0]);
        let later = administrations::open(db, AT, course, &later, "Dr A").unwrap();
        let earlier = answered("phq9", "2026-12-14", &[2, 2, 2, 2, 1, 1, 1, 1, 0]);
        let earlier = administrations::open(db, AT, course, &earlier, "Dr A").unwrap();
        administrations::finalise(db, "2026-12-21T10:00:00Z", later, "Dr A", &site).unwrap();
        let score = administrations::load(db, later).unwrap().score.unwrap();
        assert_eq!((score.total, score.baseline, score.response.map(|r| r.met)), (8, Some(18), Some(true)));
        // Listed by date (read inside each stored administration), whatever the order given.
        let listed: Vec<i64> = administrations::of_course(db, course).unwrap().iter().map(|a| a.id).collect();
        assert_eq!(listed, [base, earlier, later]);
        assert_eq!(administrations::broken_signatures(db).unwrap(), (2, vec![]));
        let update = db.run("UPDATE administration SET data = '{}' WHERE id = $1", &[later.into()]).unwrap_err();
        assert!(update.to_string().contains("cannot be changed"), "{update}");
        let amended = administrations::amend(db, AT, later, "Dr A").unwrap();
        assert_eq!(administrations::load(db, amended).unwrap().amends, Some(later));
    }

    pub fn the_audit_trail_is_append_only(db: &dyn Sql) {
        patients::create(db, AT, &new_patient("A-1", "Ana"), "dr a").unwrap();
        let update = db.run("UPDATE audit SET actor = 'someone else'", &[]).unwrap_err();
        assert!(update.to_string().contains("append-only"), "{update}");
        let delete = db.run("DELETE FROM audit", &[]).unwrap_err();
        assert!(delete.to_string().contains("append-only"), "{delete}");
        assert_eq!(audit::for_action(db, "create_patient").unwrap()[0].actor, "dr a");
        assert_eq!(audit::verify(db).unwrap().first_broken, None);
    }
}

/// One `#[test]` per contract check, on the engine that `$fresh` opens empty.
macro_rules! engine {
    ($engine:ident, $fresh:path) => {
        mod $engine {
            use super::contract;
            engine!(@tests $fresh;
                a_patient_is_created_and_found_by_id_and_mrn,
                an_mrn_written_another_way_is_the_same_patient,
                bad_input_names_its_field_and_writes_nothing,
                search_ignores_case_and_accents_and_matches_prefixes,
                a_search_is_limited_and_an_empty_one_lists_the_newest,
                each_patient_is_audited_in_one_chain,
                the_audit_trail_is_append_only,
                settings_start_at_the_defaults_and_each_change_is_audited,
                confirming_the_default_settings_is_recorded,
                a_policy_the_rule_set_does_not_allow_is_not_stored,
                a_setting_row_changed_outside_an_audited_save_is_unreadable,
                settings_changed_elsewhere_since_the_form_opened_are_not_overwritten,
                a_draft_is_saved_with_an_audit_entry_per_changed_answer,
                a_finalised_assessment_is_signed_and_the_database_refuses_to_change_it,
                an_amendment_is_a_new_version_of_the_newest_final_one,
                a_discarded_draft_is_gone_and_its_answers_are_in_the_audit_trail,
                a_course_is_kept_as_started_and_ended_once_with_its_reason,
                a_session_is_signed_amended_and_refused_by_the_database_once_final,
                an_administration_is_scored_against_the_course_baseline_and_listed_by_date,
            );
        }
    };
    (@tests $fresh:path; $($check:ident),* $(,)?) => {
        $(
            #[test]
            fn $check() {
                $fresh(contract::$check)
            }
        )*
    };
}

/// An empty workstation database (in memory, every migration applied).
fn sqlite(check: fn(&dyn Sql)) {
    let store = trdcheck::records::Store::open_in_memory().unwrap();
    check(store.connection());
}

engine!(sqlite_engine, super::sqlite);

/// An empty schema of its own on the server that `pg_virtualenv` (or `PGHOST`, `PGPORT`, `PGUSER`,
/// `PGPASSWORD`, `PGDATABASE`) names, dropped afterwards. Only a local server is used.
#[cfg(feature = "postgres")]
fn postgres(check: fn(&dyn Sql)) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use trdcheck::records::sql::postgres::{create_schema, Postgres};
    static NEXT: AtomicUsize = AtomicUsize::new(0);

    let var = |name: &str| std::env::var(name).ok();
    let host = var("PGHOST").expect(
        "the postgres contract needs a local PostgreSQL server: run it under pg_virtualenv (scripts/test does)",
    );
    assert!(
        ["localhost", "127.0.0.1", "::1"].contains(&host.as_str()) || host.starts_with('/'),
        "PGHOST={host}: the tests only ever talk to a server on this machine"
    );
    let mut config = postgres::Config::new();
    config.host(&host).user(&var("PGUSER").unwrap_or_else(|| "postgres".into()));
    config.dbname(&var("PGDATABASE").unwrap_or_else(|| "postgres".into()));
    if let Some(port) = var("PGPORT") {
        config.port(port.parse().expect("PGPORT is a port number"));
    }
    if let Some(password) = var("PGPASSWORD") {
        config.password(password);
    }
    let mut client = config.connect(postgres::NoTls).expect("connect to the local PostgreSQL server");
    let schema = format!("contract_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    client.batch_execute(&format!("CREATE SCHEMA {schema}; SET search_path TO {schema}")).unwrap();
    create_schema(&mut client).unwrap();
    let db = Postgres::new(client);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&db)));
    db.into_inner().batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).unwrap();
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

#[cfg(feature = "postgres")]
engine!(postgres_engine, super::postgres);

/// What only PostgreSQL has: `TRUNCATE`, which fires no row trigger, is refused for the audit
/// trail, the assessments and the treatment records as a whole.
#[cfg(feature = "postgres")]
#[test]
fn postgres_refuses_to_truncate_the_audit_trail_or_the_assessments() {
    postgres(|db| {
        let (_, course) = course(db);
        let audit = db.run("TRUNCATE audit", &[]).unwrap_err();
        assert!(audit.to_string().contains("append-only"), "{audit}");
        let assessments = db.run("TRUNCATE assessment CASCADE", &[]).unwrap_err();
        assert!(assessments.to_string().contains("cannot be deleted"), "{assessments}");
        for table in ["course", "course_end", "session", "rems_submission", "administration"] {
            let refused = db.run(&format!("TRUNCATE {table} CASCADE"), &[]).unwrap_err();
            assert!(refused.to_string().contains("cannot be"), "{table}: {refused}");
        }
        assert_eq!(courses::load_course(db, course).unwrap().id, course);
        assert_eq!(signing::broken_signatures(db).unwrap(), (1, vec![]));
        assert_eq!(audit::verify(db).unwrap().first_broken, None);
    });
}
