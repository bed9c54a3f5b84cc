//! Local records: lifecycle, protection in the database itself, tamper evidence, crash safety,
//! refusal of foreign, corrupt and newer files, backup and restore.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use trdcheck::eligibility::model::Assessment;
use trdcheck::records::{migrations, NewPatient, RecordStatus, StorageError, Store};
use trdcheck::Determination;

fn new_patient(mrn: &str, name: &str) -> NewPatient {
    NewPatient { mrn: mrn.into(), name: name.into(), date_of_birth: Some("1979-03-14".into()), sex: None }
}

fn temp_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("records.sqlite3");
    (dir, path)
}

fn file_hash(path: &Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

/// A store with one patient and one finalised, eligible assessment.
fn store_with_final() -> (Store, i64, i64) {
    let mut s = Store::open_in_memory().unwrap();
    let p = s.create_patient(&new_patient("MRN-1", "Ana Pérez"), "dr a").unwrap();
    let d = s.create_draft(p.id, Some(baseline()), "dr a").unwrap();
    let f = s.finalise(d.id, "Dr A", rules(), &default_policy()).unwrap();
    (s, p.id, f.id)
}

#[test]
fn durability_settings_are_in_force() {
    let (_dir, path) = temp_db();
    let s = Store::open(&path, &common::test_key()).unwrap();
    let c = s.connection();
    let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    let sync: i64 = c.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
    let fk: i64 = c.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    assert_eq!((mode.as_str(), sync, fk), ("wal", 2, 1));
    assert_eq!(s.schema_version().unwrap(), migrations::LATEST_VERSION);
}

#[test]
fn migrations_validate_and_apply_on_empty_and_old_databases() {
    migrations::migrations().validate().unwrap();
    // Old version: schema 1 with a patient, written before the search index existed.
    let (_dir, path) = temp_db();
    {
        let mut c = common::keyed(&path);
        c.pragma_update(None, "application_id", migrations::APPLICATION_ID).unwrap();
        migrations::migrations().to_version(&mut c, 1).unwrap();
        c.execute(
            "INSERT INTO patient (mrn, name, created_at) VALUES ('OLD-7', 'Zoë Álvarez', '2025-01-01T00:00:00Z')",
            [],
        )
        .unwrap();
    }
    let s = Store::open(&path, &common::test_key()).unwrap();
    assert_eq!(s.schema_version().unwrap(), migrations::LATEST_VERSION);
    let found = s.search_patients("alva", 10).unwrap();
    assert_eq!(found.len(), 1, "the migration indexed the existing patient");
    assert_eq!(found[0].mrn, "OLD-7");
}

#[test]
fn a_draft_is_saved_with_an_audit_entry_per_changed_answer() {
    let mut s = Store::open_in_memory().unwrap();
    let p = s.create_patient(&new_patient("MRN-2", "B"), "dr b").unwrap();
    let d = s.create_draft(p.id, None, "dr b").unwrap();
    assert_eq!(d.answers.patient.id, "MRN-2");
    assert_eq!(d.status, RecordStatus::Draft);
    let mut a = d.answers.clone();
    a.cardiovascular.systolic_mmhg = Some(150.0);
    a.pregnancy.pregnant = Some(false);
    s.save_draft(d.id, &a, "dr b").unwrap();
    a.cardiovascular.systolic_mmhg = Some(138.0);
    let saved = s.save_draft(d.id, &a, "dr b").unwrap();
    assert_eq!(saved.answers, a);
    let answers: Vec<_> = s.audit_of(d.id).unwrap().into_iter().filter(|e| e.action == "answer").collect();
    let fields: Vec<_> =
        answers.iter().map(|e| (e.field.clone().unwrap(), e.old_value.clone(), e.new_value.clone())).collect();
    assert_eq!(
        fields,
        [
            ("cardiovascular.systolic_mmhg".to_string(), None, Some("150".to_string())),
            ("pregnancy.pregnant".to_string(), None, Some("false".to_string())),
            ("cardiovascular.systolic_mmhg".to_string(), Some("150".to_string()), Some("138".to_string())),
        ]
    );
    assert!(answers.iter().all(|e| e.actor == "dr b"));
    // An invalid answer is refused and nothing is written.
    a.cardiovascular.systolic_mmhg = Some(400.0);
    let err = s.save_draft(d.id, &a, "dr b").unwrap_err();
    assert_eq!(err.code(), "invalid_field");
    assert!(err.to_string().contains("cardiovascular.systolic_mmhg"));
    assert_eq!(s.assessment(d.id).unwrap().answers.cardiovascular.systolic_mmhg, Some(138.0));
}

#[test]
fn adding_an_empty_trial_or_medication_is_saved() {
    let mut s = Store::open_in_memory().unwrap();
    let p = s.create_patient(&new_patient("MRN-E", "E"), "x").unwrap();
    let d = s.create_draft(p.id, None, "x").unwrap();
    let mut a = d.answers.clone();
    a.trials = Some(vec![Default::default()]);
    assert_eq!(s.save_draft(d.id, &a, "x").unwrap().answers.trials, Some(vec![Default::default()]));
    a.trials = Some(vec![Default::default(), Default::default()]);
    a.medications = Some(vec![Default::default()]);
    let saved = s.save_draft(d.id, &a, "x").unwrap();
    assert_eq!(saved.answers, a);
    let fields: Vec<String> = s.audit_of(d.id).unwrap().into_iter().filter_map(|e| e.field).collect();
    assert_eq!(fields, ["trials[0]", "medications[0]", "trials[1]"]);
}

#[test]
fn finalise_snapshots_the_evaluation_rule_set_and_policy_and_needs_acknowledgements() {
    let mut s = Store::open_in_memory().unwrap();
    let p = s.create_patient(&new_patient("MRN-3", "C"), "x").unwrap();
    let a = trdcheck::parse_assessment(&example_v2_json()).unwrap();
    let d = s.create_draft(p.id, Some(a), "x").unwrap();
    let err = s.finalise(d.id, "Dr C", rules(), &default_policy()).unwrap_err();
    assert!(matches!(err, StorageError::AcknowledgementNeeded(ref r) if r == "CV-BP-HIGH"), "{err}");
    s.set_acknowledgement(
        d.id,
        "CV-BP-HIGH",
        "Rechecked 138/86 after rest; will monitor at 40 min.",
        "Dr C",
        rules(),
        &default_policy(),
    )
    .unwrap();
    let err = s.finalise(d.id, "Dr C", rules(), &default_policy()).unwrap_err();
    assert!(matches!(err, StorageError::AcknowledgementNeeded(ref r) if r == "RX-BZD-HIGH"), "{err}");
    s.set_acknowledgement(d.id, "RX-BZD-HIGH", "Lorazepam held on treatment days.", "Dr C", rules(), &default_policy())
        .unwrap();
    assert_eq!(s.finalise(d.id, "  ", rules(), &default_policy()).unwrap_err().code(), "invalid_field");
    let f = s.finalise(d.id, "Dr C", rules(), &default_policy()).unwrap();
    assert_eq!(f.status, RecordStatus::Final);
    assert_eq!(f.finalised_by.as_deref(), Some("Dr C"));
    let snap = f.snapshot.unwrap();
    assert_eq!(snap.evaluation.determination, Determination::EligibleWithPrecautions);
    assert_eq!(snap.ruleset, rules().reference());
    assert_eq!(snap.policy, default_policy());
    let listing = s.assessments_of(p.id).unwrap();
    assert_eq!(listing[0].determination, Some(Determination::EligibleWithPrecautions));
}

#[test]
fn a_finalised_assessment_never_changes_and_amending_makes_a_linked_version() {
    let (mut s, patient, id) = store_with_final();
    let before = s.assessment(id).unwrap();
    let mut changed = before.answers.clone();
    changed.patient.age_years = Some(41.0);
    assert!(matches!(s.save_draft(id, &changed, "x"), Err(StorageError::Finalised(_))));
    assert!(matches!(
        s.set_acknowledgement(id, "CV-STABLE", "n", "x", rules(), &default_policy()),
        Err(StorageError::Finalised(_))
    ));
    assert!(matches!(s.finalise(id, "x", rules(), &default_policy()), Err(StorageError::Finalised(_))));
    assert!(matches!(s.discard_draft(id, "x"), Err(StorageError::Finalised(_))));
    let v2 = s.amend(id, "dr a").unwrap();
    assert_eq!((v2.version, v2.amends, v2.status), (2, Some(id), RecordStatus::Draft));
    assert_eq!(v2.answers, before.answers);
    let amended = s.save_draft(v2.id, &changed, "dr a").unwrap();
    assert_eq!(amended.answers.patient.age_years, Some(41.0));
    // Both stay readable; the first is unchanged and knows its amendment.
    let v1 = s.assessment(id).unwrap();
    assert_eq!(v1.answers, before.answers);
    assert_eq!(v1.snapshot, before.snapshot);
    assert_eq!(v1.amended_by, Some(v2.id));
    assert!(matches!(s.amend(id, "x"), Err(StorageError::AlreadyAmended { .. })));
    assert!(matches!(s.amend(v2.id, "x"), Err(StorageError::NotFinal { .. })));
    assert_eq!(s.assessments_of(patient).unwrap().len(), 2);
    // A draft can be discarded.
    s.discard_draft(v2.id, "dr a").unwrap();
    assert!(matches!(s.assessment(v2.id), Err(StorageError::NoAssessment(_))));
    assert_eq!(s.assessment(id).unwrap().amended_by, None);
}

#[test]
fn the_database_itself_refuses_to_change_finalised_rows_and_audit_entries() {
    let (s, _, id) = store_with_final();
    let c = s.connection();
    let err = c.execute("UPDATE assessment SET answers = '{}' WHERE id = ?1", [id]).unwrap_err();
    assert!(err.to_string().contains("cannot be changed"), "{err}");
    let err = c.execute("UPDATE assessment SET status = 'draft' WHERE id = ?1", [id]).unwrap_err();
    assert!(err.to_string().contains("cannot be changed"), "{err}");
    let err = c.execute("DELETE FROM assessment WHERE id = ?1", [id]).unwrap_err();
    assert!(err.to_string().contains("cannot be deleted"), "{err}");
    let err = c.execute("UPDATE audit SET actor = 'someone else' WHERE seq = 1", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = c.execute("DELETE FROM audit", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}

#[test]
fn verify_names_the_first_tampered_audit_entry() {
    let (mut s, patient, _) = store_with_final();
    let d = s.create_draft(patient, None, "x").unwrap();
    let mut a = d.answers.clone();
    for age in [30.0, 31.0, 32.0] {
        a.patient.age_years = Some(age);
        s.save_draft(d.id, &a, "x").unwrap();
    }
    let report = s.verify().unwrap();
    assert_eq!(report.first_broken, None);
    assert!(report.entries >= 7);
    let c = s.connection();
    c.execute_batch("DROP TRIGGER audit_is_append_only; DROP TRIGGER audit_is_kept;").unwrap();
    // Change one byte of one entry, behind the API.
    c.execute("UPDATE audit SET new_value = replace(new_value, '31', '21') WHERE seq = 6", []).unwrap();
    let report = s.verify().unwrap();
    let (seq, reason) = report.first_broken.unwrap();
    assert_eq!(seq, 6);
    assert!(reason.contains("content"), "{reason}");
    // A removed entry is found too.
    c.execute("UPDATE audit SET new_value = replace(new_value, '21', '31') WHERE seq = 6", []).unwrap();
    assert_eq!(s.verify().unwrap().first_broken, None);
    c.execute("DELETE FROM audit WHERE seq = 4", []).unwrap();
    assert_eq!(s.verify().unwrap().first_broken.unwrap().0, 5);
}

#[test]
fn import_and_export_are_lossless_and_audited() {
    let mut s = Store::open_in_memory().unwrap();
    let r = s.import(&example_json(), "dr i").unwrap();
    let p = s.patient(r.patient_id).unwrap();
    assert_eq!(p.mrn, "RC-2041");
    let exported = s.export(r.id, "json", "dr i").unwrap();
    assert_eq!(exported.answers, trdcheck::parse_assessment(&example_json()).unwrap());
    let actions: Vec<String> = s.audit_of(r.id).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["create_draft", "import", "export"]);
    // A second import of the same MRN joins the same patient.
    let again = s.import(&example_json(), "dr i").unwrap();
    assert_eq!(again.patient_id, r.patient_id);
    // A rejected file names its field and imports nothing.
    let err = s.import(&example_json().replace("\"age_years\": 47", "\"age_years\": 470"), "dr i").unwrap_err();
    assert!(err.to_string().contains("patient.age_years"), "{err}");
    assert_eq!(s.assessments_of(p.id).unwrap().len(), 2);
}

/// The rows of each table and the audit chain's length: what a failed change must leave as it was.
fn counts(s: &Store) -> (i64, i64, i64) {
    let c = s.connection();
    let n = |t: &str| c.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get::<_, i64>(0)).unwrap();
    (n("patient"), n("assessment"), n("audit"))
}

#[test]
fn an_import_that_fails_part_way_leaves_nothing_behind() {
    // A failure injected at each step after the first (the database itself raises it, from a
    // temporary trigger): the new patient, the draft and the audit entries go together or not at all.
    for (step, trigger) in [
        ("the draft", "BEFORE INSERT ON assessment"),
        ("the draft's audit entry", "BEFORE INSERT ON audit WHEN NEW.action = 'create_draft'"),
        ("the import's audit entry", "BEFORE INSERT ON audit WHEN NEW.action = 'import'"),
    ] {
        let mut s = Store::open_in_memory().unwrap();
        s.create_patient(&new_patient("OTHER-1", "Other Patient"), "dr a").unwrap();
        let before = counts(&s);
        s.connection()
            .execute_batch(&format!("CREATE TEMP TRIGGER fail {trigger} BEGIN SELECT RAISE(ABORT, 'injected'); END;"))
            .unwrap();
        let err = s.import(&example_json(), "dr i").unwrap_err();
        assert!(err.to_string().contains("injected"), "{step}: {err}");
        assert_eq!(counts(&s), before, "a failure at {step} left part of the import");
        assert!(s.patient_by_mrn("RC-2041").unwrap().is_none(), "{step}");
        assert_eq!(s.verify().unwrap().first_broken, None, "{step}");
        // Without the fault the same import goes through whole.
        s.connection().execute_batch("DROP TRIGGER fail;").unwrap();
        let r = s.import(&example_json(), "dr i").unwrap();
        let (p, a, e) = before;
        assert_eq!(counts(&s), (p + 1, a + 1, e + 3), "{step}");
        assert_eq!(s.patient(r.patient_id).unwrap().mrn, "RC-2041");
    }
}

#[test]
fn foreign_corrupt_and_newer_files_are_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    // A newer schema.
    let newer = dir.path().join("newer.sqlite3");
    drop(Store::open(&newer, &common::test_key()).unwrap());
    common::keyed(&newer).pragma_update(None, "user_version", 99).unwrap();
    let before = file_hash(&newer);
    let err = Store::open(&newer, &common::test_key()).err().unwrap();
    assert_eq!(err.code(), "newer_database", "{err}");
    assert!(err.to_string().contains("schema version 99"));
    assert_eq!(file_hash(&newer), before);

    // Another program's database.
    let other = dir.path().join("other.sqlite3");
    Connection::open(&other).unwrap().execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
    let before = file_hash(&other);
    assert_eq!(Store::open(&other, &common::test_key()).err().unwrap().code(), "not_a_trdcheck_database");
    assert_eq!(file_hash(&other), before);

    // Not a database at all (no database has its length): said so (issue 24), not "wrong key".
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "patient notes, not a database".repeat(200)).unwrap();
    let before = file_hash(&text);
    assert_eq!(Store::open(&text, &common::test_key()).err().unwrap().code(), "not_a_trdcheck_database");
    assert_eq!(file_hash(&text), before);

    // The records of another installation (another key), and this one's without a key.
    let ours = dir.path().join("ours.sqlite3");
    drop(Store::open(&ours, &common::test_key()).unwrap());
    let before = file_hash(&ours);
    let other_key = trdcheck::records::DbKey::random().unwrap();
    let err = Store::open(&ours, &other_key).err().unwrap();
    assert_eq!(err.code(), "wrong_database_key", "{err}");
    assert!(err.to_string().contains("was not opened or changed"), "{err}");
    let plain = Connection::open(&ours).unwrap();
    assert!(plain.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).is_err());
    drop(plain);
    assert_eq!(file_hash(&ours), before);

    // A trdcheck database with damaged pages.
    let corrupt = dir.path().join("corrupt.sqlite3");
    {
        let mut s = Store::open(&corrupt, &common::test_key()).unwrap();
        let p = s.create_patient(&new_patient("Z-1", "Z"), "x").unwrap();
        for _ in 0..40 {
            s.create_draft(p.id, Some(baseline()), "x").unwrap();
        }
        s.connection().execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    }
    let mut bytes = std::fs::read(&corrupt).unwrap();
    assert!(bytes.len() > 4 * 4096);
    // Damage the b-tree headers of two pages (the free space inside a page is not checked).
    for page in [2, 3] {
        for b in &mut bytes[page * 4096..page * 4096 + 12] {
            *b = 0xA5;
        }
    }
    std::fs::write(&corrupt, &bytes).unwrap();
    let before = file_hash(&corrupt);
    let err = Store::open(&corrupt, &common::test_key()).err().unwrap();
    assert_eq!(err.code(), "corrupt_database", "{err}");
    assert_eq!(file_hash(&corrupt), before);
}

#[test]
fn the_apps_quick_open_checks_integrity_in_the_background_and_never_writes_a_corrupt_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("records.sqlite3");
    {
        let mut s = Store::open(&path, &common::test_key()).unwrap();
        let p = s.create_patient(&new_patient("Q-1", "Q"), "x").unwrap();
        for _ in 0..40 {
            s.create_draft(p.id, Some(baseline()), "x").unwrap();
        }
        s.connection().execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    }
    // Intact: opens, reads and writes.
    let mut s = Store::open_with_background_check(&path, &common::test_key()).unwrap();
    assert_eq!(s.search_patients("q-1", 5).unwrap().len(), 1);
    s.create_patient(&new_patient("Q-2", "R"), "x").unwrap();
    s.ensure_intact().unwrap();
    s.connection().execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    drop(s);
    // Damaged: the first write waits for the check and is refused; the file is unchanged.
    let mut bytes = std::fs::read(&path).unwrap();
    for page in [2, 3] {
        for b in &mut bytes[page * 4096..page * 4096 + 12] {
            *b = 0xA5;
        }
    }
    std::fs::write(&path, &bytes).unwrap();
    let before = file_hash(&path);
    match Store::open_with_background_check(&path, &common::test_key()) {
        Ok(mut s) => {
            let err = s.create_patient(&new_patient("Q-3", "S"), "x").unwrap_err();
            assert_eq!(err.code(), "corrupt_database", "{err}");
            assert_eq!(s.ensure_intact().unwrap_err().code(), "corrupt_database");
        }
        Err(e) => assert_eq!(e.code(), "corrupt_database", "{e}"),
    }
    assert_eq!(file_hash(&path), before);
    // Foreign and newer files are refused at once, as by the full open.
    let other = dir.path().join("other.sqlite3");
    Connection::open(&other).unwrap().execute_batch("CREATE TABLE t (x);").unwrap();
    assert_eq!(
        Store::open_with_background_check(&other, &common::test_key()).err().unwrap().code(),
        "not_a_trdcheck_database"
    );
}

/// Issue 25: the command line's read-only commands open without the full check (seconds at a
/// clinic's size); a read of a damaged page is still an error, and a write after such an open
/// checks the whole file first and is refused, leaving it unchanged.
#[test]
fn opened_to_read_a_damaged_file_is_never_written_and_its_damaged_pages_never_read_as_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("records.sqlite3");
    {
        let mut s = Store::open(&path, &common::test_key()).unwrap();
        let p = s.create_patient(&new_patient("R-1", "Reading"), "x").unwrap();
        for _ in 0..40 {
            s.create_draft(p.id, Some(baseline()), "x").unwrap();
        }
        s.connection().execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    }
    // Intact: reads, and a write (after the check it runs first) is taken.
    let mut s = Store::open_to_read(&path, &common::test_key()).unwrap();
    assert_eq!(s.search_patients("r-1", 5).unwrap().len(), 1);
    s.create_patient(&new_patient("R-2", "Writing"), "x").unwrap();
    s.connection().execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    drop(s);
    let mut bytes = std::fs::read(&path).unwrap();
    for page in [2, 3] {
        for b in &mut bytes[page * 4096..page * 4096 + 12] {
            *b = 0xA5;
        }
    }
    std::fs::write(&path, &bytes).unwrap();
    let before = file_hash(&path);
    // The full open refuses the file; the open to read takes it (only the header is read) ...
    assert_eq!(Store::open(&path, &common::test_key()).err().unwrap().code(), "corrupt_database");
    let mut s = Store::open_to_read(&path, &common::test_key()).unwrap();
    // ... but reading every record meets the damaged pages as an error, not as data,
    let all: Result<Vec<_>, _> = (1..=41).map(|id| s.assessment(id)).collect();
    assert!(all.is_err(), "the damaged pages were read as records");
    // and the first write checks the whole file and is refused; the file is unchanged.
    let err = s.create_patient(&new_patient("R-3", "Refused"), "x").unwrap_err();
    assert_eq!(err.code(), "corrupt_database", "{err}");
    drop(s);
    assert_eq!(file_hash(&path), before);
}

#[test]
fn backup_and_restore() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.sqlite3");
    let backup = dir.path().join("backup.sqlite3");
    let mut s = Store::open(&path, &common::test_key()).unwrap();
    let p = s.create_patient(&new_patient("K-1", "Kim"), "x").unwrap();
    let d = s.create_draft(p.id, Some(baseline()), "x").unwrap();
    s.backup(&backup, "x").unwrap();
    assert!(s.backup(&backup, "x").is_err(), "a backup never overwrites a file");
    s.discard_draft(d.id, "x").unwrap();
    s.create_patient(&new_patient("K-2", "Lee"), "x").unwrap();
    s.restore(&backup, "x").unwrap();
    assert_eq!(s.assessment(d.id).unwrap().answers, baseline());
    assert!(s.patient_by_mrn("K-2").unwrap().is_none());
    assert_eq!(s.verify().unwrap().first_broken, None);
    // Refused: not a trdcheck database, and a missing file.
    let other = dir.path().join("other.sqlite3");
    Connection::open(&other).unwrap().execute_batch("CREATE TABLE t (x);").unwrap();
    assert_eq!(s.restore(&other, "x").unwrap_err().code(), "not_a_trdcheck_database");
    assert_eq!(s.restore(&dir.path().join("none"), "x").unwrap_err().code(), "io");
    assert!(s.patient_by_mrn("K-1").unwrap().is_some());
}

// ----------------------------------------------------------------- crash safety

/// The child of the crash test: writes drafts and prints each id once the write has returned.
/// Ignored in a normal run: it is not a test of its own.
#[test]
#[ignore = "the child process of the crash test, which starts it"]
fn crash_child_writer() {
    let path = std::env::var("TRDCHECK_CRASH_CHILD_DB").expect("started by the crash test");
    let mut store = Store::open(Path::new(&path), &common::test_key()).unwrap();
    let patient = store.patient_by_mrn("CRASH").unwrap().unwrap();
    let mut out = std::io::stdout().lock();
    // Until the parent kills it.
    let course = store.courses_of(patient.id).unwrap()[0].id;
    let (policy, site) = (default_policy(), trdcheck::treatment::dosing::DosingSite::default());
    let now = trdcheck::records::InForce {
        rules: rules(),
        policy: &policy,
        dosing: trdcheck::treatment::dosing::DosingRules::embedded().unwrap(),
        site: &site,
    };
    // The test harness has printed "test crash_child_writer ... " without a newline: end that
    // line, so the first acknowledgement is read too.
    writeln!(out).unwrap();
    let mut n = 0u64;
    loop {
        let mut a = Assessment::new("CRASH");
        a.patient.age_years = Some((n % 120) as f64);
        let record = store.create_draft(patient.id, Some(a.clone()), "child").unwrap();
        a.cardiovascular.systolic_mmhg = Some(100.0 + (n % 100) as f64);
        store.save_draft(record.id, &a, "child").unwrap();
        writeln!(out, "ACK {} {} {} END", record.id, n % 120, 100 + n % 100).unwrap();
        // A session of the course: the open draft (one a kill left) or a new one, a reading
        // saved, then completed and finalised, so that the next is a new session.
        let sessions = store.sessions_of(course).unwrap();
        let open = sessions.iter().find(|r| r.status == RecordStatus::Draft).cloned();
        let session = match open {
            Some(draft) => draft,
            None => {
                // One treated session a day: each new session on the day after the one before.
                let day = time::macros::date!(2026 - 11 - 03) + time::Duration::days(sessions.len() as i64);
                let date = day.format(time::macros::format_description!("[year]-[month]-[day]")).unwrap();
                store.new_session(course, &date, "child", &now).unwrap()
            }
        };
        let mut answers = session.session.clone();
        common::courses::treated(&mut answers);
        answers.pre_dose.heart_rate_bpm = Some(40.0 + (n % 100) as f64);
        store.save_session(session.id, &answers, "child", &now).unwrap();
        writeln!(out, "SESSION {} {} END", session.id, 40 + n % 100).unwrap();
        store.finalise_session(session.id, "child", &now).unwrap();
        writeln!(out, "FINAL {} END", session.id).unwrap();
        // A PHQ-9 of the course: created with its answers, then finalised.
        let scale = trdcheck::outcomes::scales::Scales::embedded().unwrap().get("phq9").unwrap();
        let mut phq = trdcheck::outcomes::administration::Administration::new(scale, "2026-11-03");
        phq.items = (0..9).map(|i| Some(((n + i) % 3) as u32)).collect();
        phq.items[8] = Some(0);
        let total: u64 = phq.items.iter().map(|a| u64::from(a.unwrap())).sum();
        let adm = store.new_administration(course, &phq, "child").unwrap();
        store
            .finalise_administration(adm.id, "child", &trdcheck::outcomes::administration::ScalesSite::default())
            .unwrap();
        writeln!(out, "SCORE {} {total} END", adm.id).unwrap();
        out.flush().unwrap();
        n += 1;
    }
}

fn check_sessions(s: &Store, acked: &[(i64, f64)], finals: &[i64], scores: &[(i64, u32)]) {
    // A draft a kill left open is saved again by the next writer: its last acknowledged value holds.
    let last: std::collections::BTreeMap<i64, f64> = acked.iter().copied().collect();
    for (id, hr) in &last {
        let r = s.session(*id).unwrap_or_else(|e| panic!("acknowledged session {id} lost: {e}"));
        assert_eq!(r.session.pre_dose.heart_rate_bpm, Some(*hr), "acknowledged save of session {id} lost");
    }
    for id in finals {
        assert_eq!(s.session(*id).unwrap().status, RecordStatus::Final, "acknowledged finalisation of {id} lost");
    }
    for (id, total) in scores {
        let r = s.administration(*id).unwrap_or_else(|e| panic!("acknowledged administration {id} lost: {e}"));
        assert_eq!(r.score.map(|x| x.total), Some(*total), "acknowledged score {id} lost");
    }
    assert_eq!(s.broken_session_signatures().unwrap().1, Vec::<i64>::new());
    assert_eq!(s.broken_administration_signatures().unwrap().1, Vec::<i64>::new());
}

fn check_acknowledged(s: &Store, acked: &[(i64, f64, f64)]) {
    for (id, age, sys) in acked {
        let r = s.assessment(*id).unwrap_or_else(|e| panic!("acknowledged draft {id} lost: {e}"));
        assert_eq!(r.answers.patient.age_years, Some(*age));
        assert_eq!(r.answers.cardiovascular.systolic_mmhg, Some(*sys), "acknowledged save of {id} lost");
    }
}

#[test]
fn every_acknowledged_write_survives_sigkill() {
    let kills: usize = std::env::var("TRDCHECK_CRASH_KILLS").ok().and_then(|k| k.parse().ok()).unwrap_or(20);
    let (_dir, path) = temp_db();
    {
        let mut s = Store::open(&path, &common::test_key()).unwrap();
        s.set_clock(common::courses::SIGNED_AT).unwrap();
        let p = s.create_patient(&new_patient("CRASH", "Crash Test"), "parent").unwrap();
        let d = s.create_draft(p.id, Some(baseline()), "parent").unwrap();
        let f = s.finalise(d.id, "Dr A", rules(), &default_policy()).unwrap();
        s.start_course(f.id, "2026-11-02", "parent").unwrap();
    }
    let exe = std::env::current_exe().unwrap();
    let mut acked: Vec<(i64, f64, f64)> = Vec::new();
    let mut sessions: Vec<(i64, f64)> = Vec::new();
    let (mut finals, mut scores): (Vec<i64>, Vec<(i64, u32)>) = (Vec::new(), Vec::new());
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..kills {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = Command::new(&exe)
            .args(["crash_child_writer", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
            .env("TRDCHECK_CRASH_CHILD_DB", &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader =
            std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<_>>());
        std::thread::sleep(Duration::from_millis(5 + seed % 75));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        // Killed, not ended by itself: a child that fails a write would stop writing unseen.
        assert_eq!(status.code(), None, "the writer stopped before it was killed: {status}");
        let (checked, sessions_checked) = (acked.len(), sessions.len());
        let (finals_checked, scores_checked) = (finals.len(), scores.len());
        for line in reader.join().unwrap() {
            let parts: Vec<&str> = line.split_whitespace().collect();
            match parts[..] {
                ["ACK", id, age, sys, "END"] => {
                    acked.push((id.parse().unwrap(), age.parse().unwrap(), sys.parse().unwrap()))
                }
                ["SESSION", id, hr, "END"] => sessions.push((id.parse().unwrap(), hr.parse().unwrap())),
                ["FINAL", id, "END"] => finals.push(id.parse().unwrap()),
                ["SCORE", id, total, "END"] => scores.push((id.parse().unwrap(), total.parse().unwrap())),
                _ => {}
            }
        }
        let s = Store::open(&path, &common::test_key())
            .expect("the database opens and passes its integrity check after a kill");
        check_acknowledged(&s, &acked[checked..]);
        check_sessions(&s, &sessions[sessions_checked..], &finals[finals_checked..], &scores[scores_checked..]);
        assert_eq!(s.verify().unwrap().first_broken, None);
    }
    // Every write was encrypted: the database and its WAL hold the patient's name nowhere in the clear.
    assert!(!trdcheck::records::key::is_plain(&path).unwrap());
    common::assert_nowhere_in_clear(path.parent().unwrap(), "Crash Test");
    assert!(!acked.is_empty(), "the child never acknowledged a write");
    // Nothing acknowledged earlier was lost by a later kill.
    assert!(!sessions.is_empty(), "the child never acknowledged a session write");
    let s = Store::open(&path, &common::test_key()).unwrap();
    check_acknowledged(&s, &acked);
    check_sessions(&s, &sessions, &finals, &scores);
    eprintln!(
        "{kills} kills, {} acknowledged drafts, {} session saves, {} finalised sessions and {} scores checked",
        acked.len(),
        sessions.len(),
        finals.len(),
        scores.len()
    );
}

/// Issue 25: an export answers at once at a clinic's size: opened to read, it appends its entry
/// to the audit trail (who exported what) without the full check first, SQLCipher authenticating
/// the pages it touches. Shown on a file with a damaged page the export never reads (the index of
/// the patients' names): the full open refuses the file, the export is taken and audited (so no
/// full check ran), and any other write is still refused.
#[test]
fn an_export_opened_to_read_is_audited_without_waiting_for_the_full_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("records.sqlite3");
    let (id, words_page) = {
        let mut s = Store::open(&path, &common::test_key()).unwrap();
        let p = s.create_patient(&new_patient("E-1", "Exported"), "x").unwrap();
        let d = s.create_draft(p.id, Some(baseline()), "x").unwrap();
        let page: i64 = s
            .connection()
            .query_row("SELECT rootpage FROM sqlite_master WHERE name = 'patient_word'", [], |r| r.get(0))
            .unwrap();
        s.connection().execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
        (d.id, usize::try_from(page).unwrap())
    };
    let mut bytes = std::fs::read(&path).unwrap();
    let at = (words_page - 1) * 4096;
    for b in &mut bytes[at..at + 12] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(Store::open(&path, &common::test_key()).err().unwrap().code(), "corrupt_database");
    let mut s = Store::open_to_read(&path, &common::test_key()).unwrap();
    s.export(id, "json", "x").unwrap();
    assert!(s.audit_of(id).unwrap().iter().any(|e| e.action == "export"));
    let err = s.create_patient(&new_patient("E-2", "Refused"), "x").unwrap_err();
    assert_eq!(err.code(), "corrupt_database", "{err}");
}
