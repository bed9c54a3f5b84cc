//! Sign-in, the lock and the accounts, as the app's commands do them.

mod common;

use std::time::Duration;

use common::{open, PASSPHRASE};
use trdcheck_desktop::{AccessState, AppState, LockReason, Settings};

#[test]
fn the_app_starts_locked_and_the_first_start_sets_up_the_first_clinician() {
    let dir = tempfile::tempdir().unwrap();
    let s = AppState::new(dir.path().to_path_buf()).unwrap();
    let access = s.access_status().unwrap();
    assert_eq!((access.state, access.unencrypted_records), (AccessState::SetUp, false));
    // Nothing of the records before anyone signs in.
    assert_eq!(s.search_patients(String::new()).unwrap_err().code, "locked");
    let info = s.app_info().unwrap();
    assert!(info.settings.is_none() && info.database_error.is_none() && info.signed_in.is_none());
    let err = s.set_up("Dr A".into(), "password".into()).unwrap_err();
    assert_eq!((err.code.as_str(), err.field.as_deref()), ("weak_passphrase", Some("passphrase")));
    let set_up = s.set_up("Dr A".into(), PASSPHRASE.into()).unwrap();
    assert_eq!(set_up.recovery_key.len(), 47, "{}", set_up.recovery_key);
    assert_eq!(set_up.access.state, AccessState::SignedIn);
    assert_eq!(set_up.access.lock_after_minutes, Some(5), "the default lock");
    assert_eq!(s.app_info().unwrap().signed_in.as_deref(), Some("Dr A"));
    assert!(s.search_patients(String::new()).unwrap().is_empty());
}

#[test]
fn locking_closes_the_records_and_signing_in_again_opens_them() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    let p = s
        .create_patient(trdcheck::records::NewPatient { mrn: "L-1".into(), name: "Lena".into(), ..Default::default() })
        .unwrap();
    let access = s.lock(LockReason::SignOut).unwrap();
    assert_eq!(access.state, AccessState::SignIn);
    assert_eq!(access.clinicians, ["Dr A"]);
    assert_eq!(s.patient(p.id).unwrap_err().code, "locked");
    let err = s.sign_in("Dr A".into(), "wrong passphrase here".into()).unwrap_err();
    assert_eq!((err.code.as_str(), err.field.as_deref()), ("wrong_passphrase", Some("passphrase")));
    assert_eq!(s.patient(p.id).unwrap_err().code, "locked");
    s.sign_in("dr a".into(), PASSPHRASE.into()).unwrap();
    assert_eq!(s.patient(p.id).unwrap().name, "Lena");
}

#[test]
fn an_idle_session_locks_itself_at_the_clinics_time() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    s.save_settings(Settings { lock_after_minutes: 2, ..Default::default() }, None).unwrap();
    assert_eq!(s.access_status().unwrap().lock_after_minutes, Some(2));
    // Within the time (and its grace for the page's report of input), a command is activity.
    s.pretend_idle_for(Duration::from_secs(150));
    assert!(s.search_patients(String::new()).is_ok());
    s.pretend_idle_for(Duration::from_secs(2 * 60 + 46));
    assert_eq!(s.search_patients(String::new()).unwrap_err().code, "locked");
    assert_eq!(s.access_status().unwrap().state, AccessState::SignIn);
    s.sign_in("Dr A".into(), PASSPHRASE.into()).unwrap();
    let audit: Vec<(String, Option<String>)> = {
        let c = common::records(dir.path());
        let mut stmt =
            c.prepare("SELECT action, detail FROM audit WHERE action IN ('lock', 'sign_in') ORDER BY seq").unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    assert!(audit.contains(&("lock".into(), Some("idle".into()))), "{audit:?}");
}

#[test]
fn clinicians_are_added_and_removed_by_one_signed_in_and_the_recovery_key_replaces_a_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let s = AppState::new(dir.path().to_path_buf()).unwrap();
    let recovery = s.set_up("Dr A".into(), PASSPHRASE.into()).unwrap().recovery_key;
    let access = s.add_clinician("Dr B".into(), "orange kettle summit violin".into(), PASSPHRASE.into()).unwrap();
    assert_eq!(access.clinicians, ["Dr A", "Dr B"]);
    assert_eq!(
        s.add_clinician("dr b".into(), PASSPHRASE.into(), PASSPHRASE.into()).unwrap_err().code,
        "clinician_exists"
    );
    assert_eq!(s.remove_clinician("Dr A".into(), PASSPHRASE.into()).unwrap_err().code, "clinician_needed");
    s.sign_in("Dr B".into(), "orange kettle summit violin".into()).unwrap();
    assert_eq!(s.remove_clinician("Dr A".into(), "not hers".into()).unwrap_err().code, "wrong_passphrase");
    s.remove_clinician("Dr A".into(), "orange kettle summit violin".into()).unwrap();
    assert_eq!(s.sign_in("Dr A".into(), PASSPHRASE.into()).unwrap_err().code, "unknown_clinician");
    // Dr B forgets her passphrase: the recovery key gives her a new one, and Dr A comes back.
    s.lock(LockReason::SignOut).unwrap();
    let err = s.recover("AAAAA".into(), "Dr B".into(), "saffron meadow piano glacier".into()).unwrap_err();
    assert_eq!((err.code.as_str(), err.field.as_deref()), ("wrong_recovery_key", Some("recovery_key")));
    let access = s.recover(recovery.clone(), "Dr B".into(), "saffron meadow piano glacier".into()).unwrap();
    assert_eq!((access.state, access.clinician.as_deref()), (AccessState::SignedIn, Some("Dr B")));
    s.recover(recovery, "Dr A".into(), PASSPHRASE.into()).unwrap();
    let access = s.change_passphrase(PASSPHRASE.into(), "walnut comet ribbon harbor".into()).unwrap();
    assert_eq!(access.clinician.as_deref(), Some("Dr A"));
    assert_eq!(s.sign_in("Dr A".into(), PASSPHRASE.into()).unwrap_err().code, "wrong_passphrase");
}
