#![allow(dead_code)]
//! The app over a data folder, set up and signed in as a clinic would be.

use std::path::Path;

use trdcheck_desktop::AppState;

pub const PASSPHRASE: &str = "correct horse battery staple";
pub const FIRST: &str = "Dr A";

/// The app started over `dir`: set up with Dr A the first time, else signed in as Dr A.
pub fn open(dir: &Path) -> AppState {
    open_as(dir, FIRST)
}

/// The app started over `dir`, signed in as `name` (added by Dr A when new).
pub fn open_as(dir: &Path, name: &str) -> AppState {
    let s = AppState::new(dir.to_path_buf()).unwrap();
    if s.access_status().unwrap().clinicians.is_empty() {
        s.set_up(FIRST.into(), PASSPHRASE.into()).unwrap();
    } else {
        s.sign_in(FIRST.into(), PASSPHRASE.into()).unwrap();
    }
    if name != FIRST {
        if !s.access_status().unwrap().clinicians.iter().any(|c| c == name) {
            s.add_clinician(name.into(), PASSPHRASE.into(), PASSPHRASE.into()).unwrap();
        }
        s.sign_in(name.into(), PASSPHRASE.into()).unwrap();
    }
    s
}

/// A raw connection to the app's records (to change them behind its back).
pub fn records(dir: &Path) -> rusqlite::Connection {
    let path = dir.join(trdcheck::records::DATABASE_FILE);
    let key = trdcheck::vault::Vault::new(&path).unlock(FIRST, PASSPHRASE).unwrap().key;
    let c = rusqlite::Connection::open(&path).unwrap();
    c.pragma_update(None, "key", &*key.literal()).unwrap();
    c
}
