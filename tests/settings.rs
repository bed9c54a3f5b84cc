//! The clinic's settings in the records database: every change audited with who, when, from → to;
//! a setting that cannot be read is an error naming it, never its default; the policy is checked
//! against the rule set before it is stored.

mod common;

use common::*;
use trdcheck::outcomes::administration::ScalesSite;
use trdcheck::records::clinic_details::Paper;
use trdcheck::records::clinic_details::RemsSetting;
use trdcheck::records::{ClinicSettings, StorageError, Store};
use trdcheck::treatment::dosing::{DosingSite, WeightBasis};
use trdcheck::PolicyOverrides;

fn eight_weeks() -> ClinicSettings {
    ClinicSettings {
        clinic: "Riverside".into(),
        paper: Paper::Letter,
        lock_after_minutes: 10,
        policy: PolicyOverrides { min_weeks_at_dose: Some(8), ..Default::default() },
        ..Default::default()
    }
}

/// Who changed which setting, from → to.
type Change = (String, Option<String>, Option<String>, Option<String>);

#[test]
fn settings_are_kept_in_the_database_with_their_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("records.sqlite3");
    let mut s = Store::open(&path, &common::test_key()).unwrap();
    assert_eq!(s.clinic_settings().unwrap(), ClinicSettings::default(), "never set: the rule set's defaults");
    assert!(!s.has_clinic_settings().unwrap());
    s.save_clinic_settings(&eight_weeks(), None, "Dr A", rules()).unwrap();
    // A second save changes one setting and unsets another: two entries, nothing else.
    let mut next = eight_weeks();
    next.clinic = "Riverside Clinic".into();
    next.policy.min_weeks_at_dose = None;
    s.save_clinic_settings(&next, None, "Dr B", rules()).unwrap();
    s.save_clinic_settings(&next, None, "Dr B", rules()).unwrap();
    drop(s);
    let s = Store::open(&path, &common::test_key()).unwrap();
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
            entry("Dr A", "lock_after_minutes", None, Some("10")),
            entry("Dr A", "paper", None, Some("\"letter\"")),
            entry("Dr A", "policy.min_weeks_at_dose", None, Some("8")),
            entry("Dr B", "clinic", Some("\"Riverside\""), Some("\"Riverside Clinic\"")),
            entry("Dr B", "policy.min_weeks_at_dose", Some("8"), None),
        ]
    );
    // And when: each entry carries its time (RFC 3339, UTC), in the order the changes were made.
    let times: Vec<String> = s.settings_history().unwrap().into_iter().map(|e| e.at).collect();
    for at in &times {
        time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).unwrap();
        assert!(at.ends_with('Z'), "{at}");
    }
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    assert_eq!(s.verify().unwrap().first_broken, None);
}

#[test]
fn a_policy_the_rule_set_does_not_allow_is_refused_and_nothing_is_stored() {
    let mut s = Store::open_in_memory().unwrap();
    let mut bad = eight_weeks();
    bad.policy.min_weeks_at_dose = Some(7);
    let err = s.save_clinic_settings(&bad, None, "Dr A", rules()).unwrap_err();
    assert_eq!(err.code(), "invalid_policy_value");
    assert!(err.to_string().contains("min_weeks_at_dose") && err.to_string().contains('7'), "{err}");
    assert!(!s.has_clinic_settings().unwrap());
    assert!(s.settings_history().unwrap().is_empty());
}

#[test]
fn the_sites_dosing_choices_and_rems_details_are_settings_checked_against_the_dosing_rules() {
    let mut s = Store::open_in_memory().unwrap();
    let mut chosen = eight_weeks();
    chosen.dosing = DosingSite {
        mg_per_kg: Some(0.4),
        weight_basis: Some(WeightBasis::Adjusted),
        dose_cap_mg: Some(60.0),
        geriatric_start: Some(true),
    };
    chosen.rems = RemsSetting {
        phone: Some(" 555-0100 ".into()),
        city: Some("".into()),
        state: Some("VT".into()),
        ..Default::default()
    };
    let saved = s.save_clinic_settings(&chosen, None, "Dr A", rules()).unwrap();
    assert_eq!(saved.dosing, chosen.dosing);
    // A blank detail is "not set"; spaces are trimmed.
    assert_eq!(
        saved.rems,
        RemsSetting { phone: Some("555-0100".into()), state: Some("VT".into()), ..Default::default() }
    );
    let keys: Vec<Option<String>> = s.settings_history().unwrap().into_iter().map(|e| e.field).collect();
    for key in [
        "dosing.mg_per_kg",
        "dosing.weight_basis",
        "dosing.dose_cap_mg",
        "dosing.geriatric_start",
        "rems.phone",
        "rems.state",
    ] {
        assert!(keys.contains(&Some(key.to_string())), "{key} audited: {keys:?}");
    }
    assert!(!keys.contains(&Some("rems.city".to_string())), "a blank detail is not stored");
    // The clinic's name stands in for the setting's name on the REMS form until one is set.
    assert_eq!(saved.rems_setting().setting_name.as_deref(), Some("Riverside"));

    // Each choice only within rules/dosing.toml, the error naming it; nothing stored.
    for (site, named) in [
        (DosingSite { mg_per_kg: Some(1.01), ..Default::default() }, "dosing.mg_per_kg"),
        (DosingSite { mg_per_kg: Some(0.09), ..Default::default() }, "dosing.mg_per_kg"),
        (DosingSite { dose_cap_mg: Some(150.5), ..Default::default() }, "dosing.dose_cap_mg"),
        (DosingSite { dose_cap_mg: Some(4.9), ..Default::default() }, "dosing.dose_cap_mg"),
    ] {
        let before = s.settings_history().unwrap().len();
        let err = s
            .save_clinic_settings(&ClinicSettings { dosing: site, ..saved.clone() }, None, "Dr A", rules())
            .unwrap_err();
        assert!(err.to_string().contains(named), "{err}");
        assert!(matches!(err, StorageError::InvalidField { ref field, .. } if field == named), "{err:?}");
        assert_eq!(s.settings_history().unwrap().len(), before, "nothing saved");
    }
    // Just inside the limits is accepted.
    let edge = DosingSite { mg_per_kg: Some(1.0), dose_cap_mg: Some(150.0), ..Default::default() };
    assert_eq!(
        s.save_clinic_settings(&ClinicSettings { dosing: edge.clone(), ..saved }, None, "Dr A", rules())
            .unwrap()
            .dosing,
        edge
    );
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
        s.save_clinic_settings(&eight_weeks(), None, "Dr A", rules()).unwrap();
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
        s.save_clinic_settings(&eight_weeks(), None, "Dr A", rules()).unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_eq!(s.clinic_settings().unwrap(), eight_weeks(), "{key}");
    }
}

#[test]
fn settings_of_an_older_version_are_adopted_once() {
    let mut s = Store::open_in_memory().unwrap();
    assert!(s.adopt_settings(&eight_weeks(), "settings.json", rules()).unwrap());
    assert_eq!(s.clinic_settings().unwrap(), eight_weeks());
    let history = s.settings_history().unwrap();
    assert_eq!(history.len(), 4, "one entry per setting moved");
    assert!(history
        .iter()
        .all(|e| e.actor == "trdcheck (settings upgrade)" && e.detail.as_deref() == Some("moved from settings.json")));
    // Once the database has settings, an older file never overrides them.
    let mut other = eight_weeks();
    other.clinic = "Elsewhere".into();
    assert!(!s.adopt_settings(&other, "settings.json", rules()).unwrap());
    assert_eq!(s.clinic_settings().unwrap().clinic, "Riverside");
    // A policy the rule set does not allow is not adopted (the app then shows the error).
    let mut fresh = Store::open_in_memory().unwrap();
    let mut bad = eight_weeks();
    bad.policy.min_weeks_at_dose = Some(7);
    assert_eq!(fresh.adopt_settings(&bad, "settings.json", rules()).unwrap_err().code(), "invalid_policy_value");
    assert!(!fresh.has_clinic_settings().unwrap());
}

#[test]
fn confirming_the_defaults_is_recorded() {
    let mut s = Store::open_in_memory().unwrap();
    s.save_clinic_settings(&ClinicSettings::default(), None, "Dr A", rules()).unwrap();
    assert!(s.has_clinic_settings().unwrap(), "saved once, even with nothing changed");
    let history = s.settings_history().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].field.as_deref(), Some("*"));
    // An older version's settings are then never adopted over the clinician's choice.
    assert!(!s.adopt_settings(&eight_weeks(), "settings.json", rules()).unwrap());
}

#[test]
fn a_restore_keeps_the_settings_in_force_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("records.sqlite3"), &common::test_key()).unwrap();
    // A backup taken before the clinic chose its 8-week rule.
    let backup = dir.path().join("backup.sqlite3");
    s.backup(&backup, "Dr A").unwrap();
    s.save_clinic_settings(&eight_weeks(), None, "Dr A", rules()).unwrap();
    s.restore(&backup, "Dr A").unwrap();
    assert_eq!(s.clinic_settings().unwrap(), eight_weeks(), "the policy in force did not change");
    let kept: Vec<_> = s.settings_history().unwrap().into_iter().filter(|e| e.detail.is_some()).collect();
    assert_eq!(kept.len(), 4, "{kept:?}");
    assert!(kept.iter().all(|e| e.detail.as_deref().unwrap().starts_with("kept across the restore of")));
    assert_eq!(s.verify().unwrap().first_broken, None);
}

#[test]
fn the_screen_lock_is_kept_within_its_range_and_names_its_field() {
    let mut s = Store::open_in_memory().unwrap();
    for minutes in [0, 61] {
        let settings = ClinicSettings { lock_after_minutes: minutes, ..Default::default() };
        let err = s.save_clinic_settings(&settings, None, "Dr A", rules()).unwrap_err();
        assert!(matches!(&err, StorageError::InvalidField { field, .. } if field == "lock_after_minutes"), "{err}");
    }
    for minutes in [1, 60] {
        let settings = ClinicSettings { lock_after_minutes: minutes, ..Default::default() };
        assert_eq!(s.save_clinic_settings(&settings, None, "Dr A", rules()).unwrap().lock_after_minutes, minutes);
    }
    assert_eq!(ClinicSettings::default().lock_after_minutes, 5);
}

/// The clinician's name an earlier version kept as a setting is retired by the upgrade, with its
/// audit entry: the settings still read, and the history still holds.
#[test]
fn the_clinicians_name_setting_of_an_earlier_version_is_retired_with_its_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("records.sqlite3");
    {
        let mut c = common::keyed(&path);
        c.pragma_update(None, "application_id", trdcheck::records::migrations::APPLICATION_ID).unwrap();
        trdcheck::records::migrations::migrations().to_version(&mut c, 4).unwrap();
    }
    // Version 4 kept the name as a setting, saved with its audit entry.
    let mut entry = trdcheck::records::AuditEntry {
        seq: 1,
        at: "2026-11-30T09:00:00Z".into(),
        actor: "Dr A".into(),
        action: "settings".into(),
        patient_id: None,
        assessment_id: None,
        field: Some("clinician".into()),
        old_value: None,
        new_value: Some("\"Dr A\"".into()),
        detail: None,
        prev_hash: trdcheck::records::audit::GENESIS.into(),
        hash: String::new(),
    };
    entry.hash = entry.expected_hash();
    {
        let c = common::keyed(&path);
        c.execute(
            "INSERT INTO setting (key, value, updated_at, updated_by) VALUES ('clinician', '\"Dr A\"', ?1, 'Dr A')",
            [&entry.at],
        )
        .unwrap();
        c.execute(
            "INSERT INTO audit (seq, at, actor, action, field, new_value, prev_hash, hash) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![entry.at, entry.actor, entry.action, entry.field, entry.new_value, entry.prev_hash, entry.hash],
        )
        .unwrap();
    }
    let s = Store::open(&path, &common::test_key()).unwrap();
    assert_eq!(s.clinic_settings().unwrap(), ClinicSettings::default());
    let history = s.settings_history().unwrap();
    let retired = history.last().unwrap();
    assert_eq!(
        (retired.actor.as_str(), retired.field.as_deref(), retired.old_value.as_deref(), retired.new_value.as_deref()),
        ("trdcheck (upgrade)", Some("clinician"), Some("\"Dr A\""), None)
    );
    // The history still holds Dr A's entry as it was written; the setting itself is gone.
    assert_eq!(history.first().unwrap().hash, entry.hash, "{history:?}");
    assert_eq!(history.first().unwrap().new_value.as_deref(), Some("\"Dr A\""));
    let kept: i64 =
        s.connection().query_row("SELECT count(*) FROM setting WHERE key = 'clinician'", [], |r| r.get(0)).unwrap();
    assert_eq!(kept, 0, "the retired setting is removed");
    assert_eq!(s.verify().unwrap().first_broken, None);
}

#[test]
fn the_madrs_remission_threshold_is_a_clinic_setting_within_the_scale_file_choices() {
    let mut s = Store::open_in_memory().unwrap();
    let mut chosen = eight_weeks();
    assert_eq!(chosen.scales, ScalesSite::default(), "no choice: each scale's default");
    chosen.scales.remission_thresholds.insert("madrs".into(), 12);
    let saved = s.save_clinic_settings(&chosen, None, "Dr A", rules()).unwrap();
    assert_eq!(saved.scales.remission_threshold("madrs"), Some(12));
    let keys: Vec<Option<String>> = s.settings_history().unwrap().into_iter().map(|e| e.field).collect();
    assert!(keys.contains(&Some("scales.remission_thresholds.madrs".into())), "audited: {keys:?}");
    // Back to the scale's own default (10) is a choice like any other, kept and audited.
    let mut back = saved.clone();
    back.scales.remission_thresholds.insert("madrs".into(), 10);
    assert_eq!(
        s.save_clinic_settings(&back, None, "Dr A", rules()).unwrap().scales.remission_threshold("madrs"),
        Some(10)
    );
    let last = s.settings_history().unwrap().pop().unwrap();
    assert_eq!(
        (last.field.as_deref(), last.old_value.as_deref(), last.new_value.as_deref()),
        (Some("scales.remission_thresholds.madrs"), Some("12"), Some("10"))
    );

    // Only a threshold the scale leaves to the site, and only a scale that exists.
    for (scale, threshold) in [("madrs", 11), ("madrs", 13), ("phq9", 4), ("hamd", 7)] {
        let before = s.settings_history().unwrap().len();
        let mut bad = saved.clone();
        bad.scales.remission_thresholds = [(scale.to_string(), threshold)].into();
        let err = s.save_clinic_settings(&bad, None, "Dr A", rules()).unwrap_err();
        let named = format!("scales.remission_thresholds.{scale}");
        assert!(matches!(err, StorageError::InvalidField { ref field, .. } if *field == named), "{err:?}");
        assert_eq!(s.settings_history().unwrap().len(), before, "nothing saved");
    }
    // PHQ-9 leaves nothing to the site: its own default is the one choice.
    let mut phq = saved;
    phq.scales.remission_thresholds = [("phq9".to_string(), 5)].into();
    assert!(s.save_clinic_settings(&phq, None, "Dr A", rules()).is_ok());
}

/// Issue 24: every text has a documented maximum and an error naming it.
#[test]
fn the_clinics_texts_have_a_maximum_named_by_their_key() {
    let mut s = Store::open_in_memory().unwrap();
    let long = "é".repeat(201);
    // The clinic's name and every one of its REMS details.
    let mut cases = vec![(ClinicSettings { clinic: long.clone(), ..eight_weeks() }, "clinic".to_string())];
    for f in &RemsSetting::FIELDS {
        let rems: RemsSetting = serde_json::from_value(serde_json::json!({ f.key: long })).unwrap();
        cases.push((ClinicSettings { rems, ..eight_weeks() }, format!("rems.{}", f.key)));
    }
    assert_eq!(cases.len(), 8);
    for (bad, key) in cases {
        let err = s.save_clinic_settings(&bad, None, "Dr A", rules()).unwrap_err();
        assert!(err.to_string().starts_with(&format!("{key}: is 201 characters long; at most 200")), "{err}");
    }
    // At the maximum: saved.
    let ok = ClinicSettings { clinic: "é".repeat(200), ..eight_weeks() };
    s.save_clinic_settings(&ok, None, "Dr A", rules()).unwrap();
}
