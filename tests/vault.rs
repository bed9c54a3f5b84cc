//! Clinicians' key slots, the recovery key, and the encryption of an earlier version's records.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};
use trdcheck::records::key::is_plain;
use trdcheck::records::{NewPatient, Store};
use trdcheck::vault::{Status, Vault, VaultError};

const ADA: &str = "Dr Ada Lovelace";
const ADA_PASS: &str = "violet tractor anchors midnight";
const BEN: &str = "Dr Ben Okafor";
const BEN_PASS: &str = "quiet lemon harbour seventeen";

fn hash(path: &Path) -> String {
    Sha256::digest(std::fs::read(path).unwrap()).iter().map(|b| format!("{b:02x}")).collect()
}

fn folder() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trdcheck.sqlite3");
    (dir, path)
}

fn patient(mrn: &str, name: &str) -> NewPatient {
    NewPatient { mrn: mrn.into(), name: name.into(), date_of_birth: None, sex: None }
}

/// Set up with Ada, one patient written.
fn set_up() -> (tempfile::TempDir, Vault, String) {
    let (dir, path) = folder();
    let vault = Vault::new(&path);
    assert_eq!(vault.status().unwrap(), Status::New);
    let (ada, recovery) = vault.set_up(ADA, ADA_PASS).unwrap();
    let mut s = Store::open(&path, &ada.key).unwrap();
    s.create_patient(&patient("V-1", "Vera Quist"), &ada.clinician).unwrap();
    (dir, vault, recovery.to_string())
}

#[test]
fn set_up_encrypts_and_a_wrong_passphrase_changes_nothing() {
    let (dir, vault, recovery) = set_up();
    assert_eq!(vault.key_file(), dir.path().join("trdcheck.keys"));
    assert_eq!(vault.status().unwrap(), Status::Ready { clinicians: vec![ADA.into()], recovery_key: true });
    assert_eq!(recovery.split('-').count(), 8, "{recovery}");
    assert!(!is_plain(vault.database()).unwrap(), "the file header is not SQLite's");
    // Without the key, SQLite cannot read it.
    let plain = Connection::open_with_flags(vault.database(), OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    assert!(plain.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).is_err());
    drop(plain);
    assert_nowhere_in_clear(dir.path(), "Vera Quist");
    assert_nowhere_in_clear(dir.path(), ADA_PASS);

    let before = (hash(vault.database()), hash(&vault.key_file()));
    let err = vault.unlock(ADA, "violet tractor anchors midday").err().unwrap();
    assert!(matches!(err, VaultError::WrongPassphrase { .. }), "{err}");
    assert_eq!(err.code(), "wrong_passphrase");
    assert!(err.to_string().contains("nothing was changed"));
    let err = vault.unlock("Dr Nobody", ADA_PASS).err().unwrap();
    assert_eq!(err.code(), "unknown_clinician");
    assert_eq!((hash(vault.database()), hash(&vault.key_file())), before);
    // Names are matched in any case; the right passphrase opens the records.
    let ada = vault.unlock("dr ada lovelace", ADA_PASS).unwrap();
    assert_eq!(ada.clinician, ADA);
    let s = Store::open(vault.database(), &ada.key).unwrap();
    assert!(s.patient_by_mrn("V-1").unwrap().is_some());
    // Set up once only.
    assert_eq!(vault.set_up(BEN, BEN_PASS).err().unwrap().code(), "already_set_up");
}

#[test]
fn weak_passphrases_and_bad_names_are_refused_naming_the_field() {
    let (_dir, path) = folder();
    let vault = Vault::new(&path);
    for weak in ["short", "password123", "aaaaaaaaaaaaaaaa", "Dr Ada Lovelace1"] {
        let err = vault.set_up(ADA, weak).err().unwrap_or_else(|| panic!("{weak} was accepted"));
        assert_eq!(err.code(), "weak_passphrase", "{weak}: {err}");
        assert!(err.to_string().starts_with("passphrase: "), "{err}");
    }
    for (name, why) in [("  ", "a clinician needs a name"), ("trdcheck (upgrade)", "the app's own")] {
        let err = vault.set_up(name, ADA_PASS).err().unwrap();
        assert!(matches!(&err, VaultError::InvalidField { field, .. } if field == "name"), "{err}");
        assert!(err.to_string().contains(why), "{err}");
    }
    assert!(!vault.key_file().exists() && !path.exists(), "nothing was written");
}

#[test]
fn clinicians_are_added_removed_and_change_passphrase_without_re_encrypting() {
    let (_dir, vault, _) = set_up();
    let ada = vault.unlock(ADA, ADA_PASS).unwrap();
    let records = hash(vault.database());
    vault.add_clinician(&ada, BEN, BEN_PASS).unwrap();
    assert_eq!(vault.add_clinician(&ada, "dr ben okafor", BEN_PASS).err().unwrap().code(), "clinician_exists");
    let ben = vault.unlock(BEN, BEN_PASS).unwrap();
    assert_eq!(ben.key.bytes(), ada.key.bytes(), "one database key, two slots");
    assert_eq!(hash(vault.database()), records, "adding a clinician never touches the records");

    // Ben changes his passphrase: the old one no longer opens.
    let new = "pebble orchard wander lantern";
    assert_eq!(vault.change_passphrase(BEN, "not his", new).err().unwrap().code(), "wrong_passphrase");
    vault.change_passphrase(BEN, BEN_PASS, new).unwrap();
    assert_eq!(vault.unlock(BEN, BEN_PASS).err().unwrap().code(), "wrong_passphrase");
    vault.unlock(BEN, new).unwrap();

    // Ada removes Ben; nobody removes themself or the last clinician.
    assert_eq!(vault.remove_clinician(&ada, ADA).err().unwrap().code(), "clinician_needed");
    vault.remove_clinician(&ada, BEN).unwrap();
    assert_eq!(vault.unlock(BEN, new).err().unwrap().code(), "unknown_clinician");
    // The last clinician cannot be removed (here by an unlock that is not hers).
    let other = trdcheck::vault::Unlocked { clinician: "Dr Someone Else".into(), key: ada.key.clone() };
    let err = vault.remove_clinician(&other, ADA).err().unwrap();
    assert!(matches!(err, VaultError::LastClinician { .. }), "{err}");
    assert_eq!(hash(vault.database()), records);
}

#[test]
fn the_recovery_key_gives_a_new_passphrase_when_every_one_is_forgotten() {
    let (_dir, vault, recovery) = set_up();
    let before = hash(&vault.key_file());
    let wrong = "AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA";
    assert_eq!(vault.recover(wrong, ADA, "river copper meadow falcon").err().unwrap().code(), "wrong_recovery_key");
    assert_eq!(
        vault.recover("not a key", ADA, "river copper meadow falcon").err().unwrap().code(),
        "wrong_recovery_key"
    );
    assert_eq!(hash(&vault.key_file()), before, "nothing changed");
    // Typed in lower case without dashes, with a zero for the letter O, as people do.
    let typed = recovery.replace('-', " ").to_lowercase().replace('o', "0");
    let ada = vault.recover(&typed, "dr ada lovelace", "river copper meadow falcon").unwrap();
    assert_eq!(ada.clinician, ADA, "the forgotten passphrase is replaced, the name kept");
    assert_eq!(vault.unlock(ADA, ADA_PASS).err().unwrap().code(), "wrong_passphrase");
    let s = Store::open(vault.database(), &vault.unlock(ADA, "river copper meadow falcon").unwrap().key).unwrap();
    assert!(s.patient_by_mrn("V-1").unwrap().is_some(), "no record lost");
    // And it adds a new clinician.
    vault.recover(&recovery, BEN, BEN_PASS).unwrap();
    assert_eq!(vault.status().unwrap(), Status::Ready { clinicians: vec![ADA.into(), BEN.into()], recovery_key: true });
}

#[test]
fn a_slot_renamed_by_hand_no_longer_opens_and_a_missing_key_file_is_named() {
    let (_dir, vault, _) = set_up();
    let text = std::fs::read_to_string(vault.key_file()).unwrap();
    std::fs::write(vault.key_file(), text.replace(ADA, "Dr Mallory")).unwrap();
    assert_eq!(vault.unlock("Dr Mallory", ADA_PASS).err().unwrap().code(), "wrong_passphrase");
    std::fs::write(vault.key_file(), "{ not json").unwrap();
    let err = vault.unlock(ADA, ADA_PASS).err().unwrap();
    assert_eq!(err.code(), "key_file_unreadable");
    assert_eq!(std::fs::read_to_string(vault.key_file()).unwrap(), "{ not json", "left as it is");
    std::fs::remove_file(vault.key_file()).unwrap();
    let err = vault.status().err().unwrap();
    assert!(matches!(err, VaultError::KeysMissing { .. }), "{err}");
    assert!(err.to_string().contains("cannot be opened by anyone"), "{err}");
}

#[test]
fn an_encrypted_backup_restores_and_opens_only_with_the_key() {
    let (dir, vault, _) = set_up();
    let ada = vault.unlock(ADA, ADA_PASS).unwrap();
    let backup = dir.path().join("backup.trdcheck");
    let mut s = Store::open(vault.database(), &ada.key).unwrap();
    s.backup(&backup, ADA).unwrap();
    assert!(!is_plain(&backup).unwrap());
    assert_nowhere_in_clear(dir.path(), "Vera Quist");
    s.create_patient(&patient("V-2", "Walt Ng"), ADA).unwrap();
    s.restore(&backup, ADA).unwrap();
    assert!(s.patient_by_mrn("V-2").unwrap().is_none() && s.patient_by_mrn("V-1").unwrap().is_some());
    // Another installation's records do not restore here.
    let (_other_dir, other_path) = folder();
    let other = Vault::new(&other_path);
    let (ben, _) = other.set_up(BEN, BEN_PASS).unwrap();
    let mut theirs = Store::open(&other_path, &ben.key).unwrap();
    assert_eq!(theirs.restore(&backup, BEN).unwrap_err().code(), "wrong_database_key");
}

// ------------------------------------------------- encrypting an earlier version's records

const PATIENTS: usize = 30_000;

/// An earlier version's unencrypted records, large enough that their encryption takes a while.
fn plain_records(path: &Path) {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/v1-records.sqlite3");
    std::fs::copy(fixture, path).unwrap();
    let mut c = Connection::open(path).unwrap();
    let tx = c.transaction().unwrap();
    for i in 0..PATIENTS {
        tx.execute(
            "INSERT INTO patient (mrn, name, created_at) VALUES (?1, ?2, '2025-01-01T00:00:00Z')",
            (format!("P-{i}"), format!("Plainname Person {i} {}", "x".repeat(200))),
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

fn plain_named(s: &Store) -> usize {
    let n: i64 = s
        .connection()
        .query_row("SELECT count(*) FROM patient WHERE name LIKE 'Plainname Person %'", [], |r| r.get(0))
        .unwrap();
    n as usize
}

/// The plain file's patients, opened as SQLite opens it after a crash (a WAL left by the kill is
/// recovered: a read-only connection could not).
fn plain_patients(path: &Path) -> usize {
    let c = Connection::open(path).unwrap();
    assert_eq!(c.query_row("PRAGMA quick_check", [], |r| r.get::<_, String>(0)).unwrap(), "ok");
    c.query_row("SELECT count(*) FROM patient", [], |r| r.get::<_, i64>(0)).unwrap() as usize
}

#[test]
fn an_earlier_versions_records_are_encrypted_at_set_up() {
    let (dir, path) = folder();
    plain_records(&path);
    let before = plain_patients(&path);
    let vault = Vault::new(&path);
    assert_eq!(vault.status().unwrap(), Status::Unencrypted);
    let (ada, _) = vault.set_up(ADA, ADA_PASS).unwrap();
    assert!(is_plain(&path).unwrap(), "not yet: the recovery key is shown first");
    vault.finish_encryption(&ada.key).unwrap();
    assert!(!is_plain(&path).unwrap());
    let s = Store::open(&path, &ada.key).unwrap();
    assert_eq!(plain_named(&s), PATIENTS);
    assert!(s.patient_by_mrn("P-0").unwrap().is_some());
    assert_eq!(before, PATIENTS + 1, "the fixture's patient and the added ones");
    drop(s);
    assert_nowhere_in_clear(dir.path(), "Plainname Person");
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(!names.iter().any(|n| n.ends_with(".encrypting")), "{names:?}");
}

/// The child of the kill test: sets up over the plain records (encrypting them) and says when done.
#[test]
#[ignore = "the child process of the kill test, which starts it"]
fn encrypt_child() {
    let path = std::env::var("TRDCHECK_ENCRYPT_CHILD_DB").expect("started by the kill test");
    let vault = Vault::new(Path::new(&path));
    let (ada, _) = vault.set_up(ADA, ADA_PASS).unwrap();
    vault.finish_encryption(&ada.key).unwrap();
    println!("DONE");
}

/// Killed at any moment of the encryption, the folder holds one complete database: the plain one
/// (nothing set up, or set up and then finished at the next sign-in) or the encrypted one.
#[test]
fn a_kill_during_the_encryption_leaves_one_complete_database() {
    let kills: u64 = std::env::var("TRDCHECK_ENCRYPT_KILLS").ok().and_then(|k| k.parse().ok()).unwrap_or(16);
    let (dir, path) = folder();
    let original = dir.path().join("original.sqlite3");
    plain_records(&original);
    let expected = plain_patients(&original);
    // How long a whole encryption takes here, to spread the kills over it.
    std::fs::copy(&original, &path).unwrap();
    let started = std::time::Instant::now();
    let vault = Vault::new(&path);
    vault.finish_encryption(&vault.set_up(ADA, ADA_PASS).unwrap().0.key).unwrap();
    let whole = started.elapsed().as_millis() as u64 + 1;
    let exe = std::env::current_exe().unwrap();
    let (mut plain_after, mut encrypted_after) = (0, 0);
    for k in 0..kills {
        for f in std::fs::read_dir(dir.path()).unwrap() {
            let f = f.unwrap().path();
            if f != original {
                std::fs::remove_file(f).unwrap();
            }
        }
        std::fs::copy(&original, &path).unwrap();
        let mut child = Command::new(&exe)
            .args(["encrypt_child", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
            .env("TRDCHECK_ENCRYPT_CHILD_DB", &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader =
            std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).any(|l| l == "DONE"));
        // From the start of the process to a little past a whole encryption.
        std::thread::sleep(Duration::from_millis(k * (whole * 13 / 10) / kills.max(1)));
        child.kill().unwrap();
        child.wait().unwrap();
        let done = reader.join().unwrap();
        let vault = Vault::new(&path);
        if !vault.key_file().exists() {
            assert!(!done);
            assert!(is_plain(&path).unwrap(), "kill {k}: no key file, so the plain records are still there");
            assert_eq!(plain_patients(&path), expected, "kill {k}");
            assert_eq!(vault.status().unwrap(), Status::Unencrypted);
            plain_after += 1;
        } else {
            // Set up: the next sign-in finishes an interrupted encryption.
            let ada = vault.unlock(ADA, ADA_PASS).unwrap_or_else(|e| panic!("kill {k}: {e}"));
            assert!(!is_plain(&path).unwrap());
            let s = Store::open(&path, &ada.key).unwrap_or_else(|e| {
                let files: Vec<String> = std::fs::read_dir(dir.path())
                    .unwrap()
                    .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
                    .collect();
                panic!("kill {k}: {e}; the folder holds {files:?}")
            });
            assert_eq!(plain_named(&s), PATIENTS, "kill {k}");
            assert_eq!(s.verify().unwrap().first_broken, None);
            encrypted_after += 1;
        }
    }
    assert!(
        plain_after > 0 && encrypted_after > 0,
        "kills before and after the swap: {plain_after}, {encrypted_after}"
    );
}
