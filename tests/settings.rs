//! The clinic's settings in the records database: every change audited with who, when, from → to;
//! a setting that cannot be read is an error naming it, never its default; the policy is checked
//! against the rule set before it is stored.

mod common;

use common::*;
use trdcheck::storage::{ClinicSettings, StorageError, Store};
use trdcheck::summary_html::Paper;
use trdcheck::PolicyOverrides;

fn eight_weeks() -> ClinicSettings {
    ClinicSettings {
        clinician: "Dr A".into(),
        clinic: "Riverside".into(),
        paper: Paper::Letter,
        policy: PolicyOverrides { min_weeks_at_dose: Some(8), ..Default::default() },
    }
}

/// Who changed which setting, from → to.
type Change = (String, Option<String>, Option<String>, Option<String>);

#[test]
fn settings_are_kept_in_the_database_with_their_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("records.sqlite3");
    let mut s = Store::open(&path).unwrap();
    assert_eq!(s.clinic_settings().unwrap(), ClinicSettings::default(), "never set: the rule set's defaults");
    assert!(!s.has_clinic_settings().unwrap());
    s.save_clinic_settings(&eight_weeks(), "Dr A", rules()).unwrap();
    // A second save changes one setting and unsets another: two entries, nothing else.
    let mut next = eight_weeks();
    next.clinic = "Riverside Clinic".into();
    next.policy.min_weeks_at_dose = None;
    s.save_clinic_settings(&next, "Dr B", rules()).unwrap();
    s.save_clinic_settings(&next, "Dr B", rules()).unwrap();
    drop(s);
    let s = Store::open(&path).unwrap();
    assert_eq!(s.clinic_settings().unwrap(), next);
    let history: Vec<Change> =
        s.settings_history().unwrap().into_iter().map(|e| (e.actor, e.field, e.old_value, e.new_value)).collect();
    let entry = |actor: &str, key: &str, from: Option<&str>, to: Option<&str>| {
        (actor.to_string(), Some(key.to_string()), from.map(str::to_string), to.map(str::to_string))
    };
    assert_eq!(
        history,
        [
            entry("Dr A", "clinic", None, Some("\"Riverside\"")),
            entry("Dr A", "clinician", None, Some("\"Dr A\"")),
            entry("Dr A", "paper", None, Some("\"letter\"")),
            entry("Dr A", "policy.min_weeks_at_dose", None, Some("8")),
            entry("Dr B", "clinic", Some("\"Riverside\""), Some("\"Riverside Clinic\"")),
            entry("Dr B", "policy.min_weeks_at_dose", Some("8"), None),
        ]
    );
    assert_eq!(s.verify().unwrap().first_broken, None);
}

#[test]
fn a_policy_the_rule_set_does_not_allow_is_refused_and_nothing_is_stored() {
    let mut s = Store::open_in_memory().unwrap();
    let mut bad = eight_weeks();
    bad.policy.min_weeks_at_dose = Some(7);
    let err = s.save_clinic_settings(&bad, "Dr A", rules()).unwrap_err();
    assert_eq!(err.code(), "invalid_policy_value");
    assert!(err.to_string().contains("min_weeks_at_dose") && err.to_string().contains('7'), "{err}");
    assert!(!s.has_clinic_settings().unwrap());
    assert!(s.settings_history().unwrap().is_empty());
}

#[test]
fn a_setting_that_cannot_be_read_is_an_error_naming_it_never_the_default() {
    for (key, value, named) in [
        ("policy.min_weeks_at_dose", "\"eight\"", "policy.min_weeks_at_dose"),
        ("policy.min_weeks_at_dose", "{not json", "policy.min_weeks_at_dose"),
        ("paper", "\"a3\"", "paper"),
        ("policy.weeks", "8", "policy"),
    ] {
        let mut s = Store::open_in_memory().unwrap();
        s.save_clinic_settings(&eight_weeks(), "Dr A", rules()).unwrap();
        s.connection()
            .execute(
                "INSERT INTO setting (key, value, updated_at, updated_by) VALUES (?1, ?2, 'now', 'x') \
                 ON CONFLICT (key) DO UPDATE SET value = ?2",
                [key, value],
            )
            .unwrap();
        match s.clinic_settings().unwrap_err() {
            StorageError::SettingsUnreadable { key: k, .. } => assert!(k.starts_with(named), "{key}={value}: {k}"),
            other => panic!("{key}={value}: {other}"),
        }
        // Saving the settings again replaces what could not be read.
        s.save_clinic_settings(&eight_weeks(), "Dr A", rules()).unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_eq!(s.clinic_settings().unwrap(), eight_weeks(), "{key}");
    }
}

#[test]
fn settings_of_an_older_version_are_adopted_once() {
    let mut s = Store::open_in_memory().unwrap();
    assert!(s.adopt_settings(&eight_weeks(), "Dr A", "settings.json").unwrap());
    assert_eq!(s.clinic_settings().unwrap(), eight_weeks());
    let history = s.settings_history().unwrap();
    assert!(history.iter().all(|e| e.detail.as_deref() == Some("moved from settings.json")));
    // Once the database has settings, an older file never overrides them.
    let mut other = eight_weeks();
    other.clinic = "Elsewhere".into();
    assert!(!s.adopt_settings(&other, "Dr A", "settings.json").unwrap());
    assert_eq!(s.clinic_settings().unwrap().clinic, "Riverside");
}
