//! The app's settings: the clinic's in the records database (audited, never defaulted when they
//! cannot be read); this workstation's display preferences in settings.json; the clinic's
//! settings an older version kept in settings.json moved into the database once.

use std::path::Path;

mod common;

use common::{open, open_as, records};
use trdcheck::PolicyOverrides;
use trdcheck_desktop::{AppState, Settings};

const EXAMPLE: &str = include_str!("../../examples/example-assessment-v2.json");

fn eight_weeks() -> Settings {
    Settings {
        clinic: "Riverside".into(),
        policy: PolicyOverrides { min_weeks_at_dose: Some(8), ..Default::default() },
        ..Default::default()
    }
}

/// An assessment whose trials were taken for 6 weeks at dose: adequate under the default 6-week
/// rule, not under a clinic's 8 weeks.
fn six_week_draft(s: &AppState, dir: &Path) -> i64 {
    let file = dir.join("in.json");
    std::fs::write(&file, EXAMPLE).unwrap();
    let v = s.import_assessment(&file).unwrap();
    let mut a = v.record.answers.clone();
    for t in a.trials.iter_mut().flatten() {
        t.weeks_at_dose = Some(6.0);
    }
    s.save_answers(v.record.id, a).unwrap().record.id
}

fn trial_counts(s: &AppState, id: i64) -> bool {
    s.open_assessment(id).unwrap().evaluation.trials.iter().any(|t| t.counted)
}

#[test]
fn the_clinics_settings_live_in_the_database_and_every_change_is_in_their_history() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    let id = six_week_draft(&s, dir.path());
    assert!(trial_counts(&s, id), "6 weeks count under the rule set's default");
    let info = s.save_settings(eight_weeks(), None).unwrap();
    assert_eq!(info.policy.unwrap().min_weeks_at_dose, 8);
    assert!(!trial_counts(&s, id), "6 weeks do not count under the clinic's 8-week rule");
    drop(s);
    // Not in the preferences file: a new start reads them from the database.
    let prefs = std::fs::read_to_string(dir.path().join("settings.json")).unwrap_or_default();
    assert!(!prefs.contains("min_weeks_at_dose"), "{prefs}");
    let s = open(dir.path());
    s.load_preferences();
    assert_eq!(s.app_info().unwrap().settings.unwrap(), eight_weeks());
    assert!(!trial_counts(&s, id));
    let history = s.settings_history().unwrap();
    let weeks = history.iter().find(|c| c.key.as_deref() == Some("policy.min_weeks_at_dose")).unwrap();
    assert_eq!((weeks.actor.as_str(), weeks.from.as_deref(), weeks.to.as_deref()), ("Dr A", None, Some("8")));
}

#[test]
fn an_unreadable_setting_is_shown_as_an_error_and_never_replaced_by_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    s.save_settings(eight_weeks(), None).unwrap();
    let id = six_week_draft(&s, dir.path());
    drop(s);
    records(dir.path())
        .execute("UPDATE setting SET value = '\"eight\"' WHERE key = 'policy.min_weeks_at_dose'", [])
        .unwrap();
    let s = open(dir.path());
    let info = s.app_info().unwrap();
    let err = info.settings_error.expect("the error is shown");
    assert_eq!(err.code, "settings_unreadable");
    assert_eq!(err.field.as_deref(), Some("policy.min_weeks_at_dose"));
    assert!(info.settings.is_none() && info.policy.is_none(), "no default is put in their place");
    // Nothing is evaluated with a policy that is not the clinic's.
    assert_eq!(s.open_assessment(id).unwrap_err().code, "settings_unreadable");
    assert_eq!(s.summary_html(id).unwrap_err().code, "settings_unreadable");
    // Saving the settings again sets them, and the history shows it.
    s.save_settings(eight_weeks(), None).unwrap();
    assert!(!trial_counts(&s, id));
    let last = s.settings_history().unwrap().into_iter().next().unwrap();
    assert_eq!((last.from.as_deref(), last.to.as_deref()), (Some("\"eight\""), Some("8")));
}

#[test]
fn settings_an_older_version_kept_in_the_preferences_file_move_into_the_database_once() {
    let dir = tempfile::tempdir().unwrap();
    let legacy = serde_json::json!({
        "settings": { "clinician": "Dr L", "clinic": "Old Clinic", "paper": "letter", "policy": { "min_weeks_at_dose": 8 } },
        "text_size_percent": 150
    });
    std::fs::write(dir.path().join("settings.json"), legacy.to_string()).unwrap();
    // The text size is read at start, the clinic's settings moved when the records are open.
    assert_eq!(AppState::new(dir.path().to_path_buf()).unwrap().load_preferences(), 150);
    let s = open(dir.path());
    let info = s.app_info().unwrap();
    assert_eq!(info.settings.as_ref().unwrap().clinic, "Old Clinic");
    assert_eq!(info.policy.unwrap().min_weeks_at_dose, 8);
    assert!(info.preferences_error.is_none() && info.settings_error.is_none());
    let moved = s.settings_history().unwrap();
    assert_eq!(moved.len(), 3, "clinic, paper and the policy (the clinician's name is no longer a setting)");
    assert!(moved.iter().all(|c| c.actor == "trdcheck (settings upgrade)"
        && c.detail.as_deref().is_some_and(|d| d.contains("settings.json"))));
    // The file keeps only this workstation's preferences.
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("settings.json")).unwrap()).unwrap();
    assert_eq!(file, serde_json::json!({ "text_size_percent": 150 }));
    drop(s);
    let s = open(dir.path());
    assert_eq!(s.load_preferences(), 150);
    assert_eq!(s.settings_history().unwrap().len(), moved.len(), "moved once");
}

#[test]
fn an_unreadable_preferences_file_is_reported_and_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "{\"settings\": {\"policy\": {\"min_weeks_at_dose\": 8}}, \"text_size_perc";
    std::fs::write(dir.path().join("settings.json"), broken).unwrap();
    let s = open(dir.path());
    assert_eq!(s.load_preferences(), 100);
    let info = s.app_info().unwrap();
    assert_eq!(info.preferences_error.as_ref().unwrap().code, "preferences");
    // It may hold the clinic's policy, and the database has none: the policy is unknown, not 6 weeks.
    assert!(info.policy.is_none());
    assert_eq!(info.settings_error.unwrap().code, "preferences");
    let p = s.search_patients(String::new()).unwrap();
    assert!(p.is_empty());
    let file = dir.path().join("in.json");
    std::fs::write(&file, EXAMPLE).unwrap();
    assert_eq!(s.import_assessment(&file).unwrap_err().code, "preferences");
    assert_eq!(std::fs::read_to_string(dir.path().join("settings.json")).unwrap(), broken, "left as it is");
    // The clinician sets the settings explicitly: from then on the database has them.
    s.save_settings(eight_weeks(), None).unwrap();
    assert_eq!(s.app_info().unwrap().policy.unwrap().min_weeks_at_dose, 8);
}

#[test]
fn a_finalised_record_opens_while_the_settings_cannot_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    s.save_settings(eight_weeks(), None).unwrap();
    let p = s
        .create_patient(trdcheck::records::NewPatient { mrn: "F-1".into(), name: "Ana".into(), ..Default::default() })
        .unwrap();
    let id = s.create_draft(p.id).unwrap().record.id;
    let signed = s.finalise(id, common::PASSPHRASE.into()).unwrap();
    drop(s);
    records(dir.path()).execute("UPDATE setting SET value = '10' WHERE key = 'policy.min_weeks_at_dose'", []).unwrap();
    let s = open(dir.path());
    let v = s.open_assessment(id).unwrap();
    assert_eq!(v.evaluation, signed.evaluation, "shown as signed");
    assert_eq!(v.evaluation.policy.min_weeks_at_dose, 8);
    assert_eq!(s.create_draft(p.id).unwrap_err().code, "settings_unreadable", "nothing new is evaluated");
}

#[test]
fn a_settings_change_is_recorded_as_made_by_the_clinician_who_saved_it() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    s.save_settings(eight_weeks(), None).unwrap();
    // Dr B signs in at the workstation and changes the policy.
    let opened = s.app_info().unwrap().settings;
    drop(s);
    let s = open_as(dir.path(), "Dr B");
    let mut next = eight_weeks();
    next.policy.min_weeks_at_dose = Some(10);
    s.save_settings(next.clone(), opened.clone()).unwrap();
    let history = s.settings_history().unwrap();
    let weeks = history.iter().find(|c| c.key.as_deref() == Some("policy.min_weeks_at_dose")).unwrap();
    assert_eq!((weeks.actor.as_str(), weeks.to.as_deref()), ("Dr B", Some("10")));
    // A form opened before that change cannot undo it.
    let mut stale = opened.clone().unwrap();
    stale.clinic = "Elsewhere".into();
    assert_eq!(s.save_settings(stale, opened).unwrap_err().code, "settings_changed");
    assert_eq!(s.app_info().unwrap().settings.unwrap(), next);
}

#[test]
fn an_older_versions_settings_do_not_replace_those_already_in_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    s.save_settings(eight_weeks(), None).unwrap();
    drop(s);
    let legacy = serde_json::json!({ "settings": { "clinic": "Old Clinic", "policy": { "min_weeks_at_dose": 10 } } });
    std::fs::write(dir.path().join("settings.json"), legacy.to_string()).unwrap();
    let s = open(dir.path());
    s.load_preferences();
    let info = s.app_info().unwrap();
    assert_eq!(info.settings.unwrap(), eight_weeks());
    assert!(info.settings_error.is_none());
    // The file is left as it is (nothing in it is lost without a word).
    assert_eq!(std::fs::read_to_string(dir.path().join("settings.json")).unwrap(), legacy.to_string());
}
