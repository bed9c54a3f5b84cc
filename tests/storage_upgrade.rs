//! Upgrading a database written by rule set version 1 (tests/fixtures/v1-records.sqlite3, made by
//! that version): drafts become assessment-v2, a finalised record is never rewritten and still
//! shows exactly what was signed.

mod common;

use std::path::Path;

use common::*;
use trdcheck::model::{SCHEMA, SCHEMA_V1};
use trdcheck::storage::{migrations, RecordStatus, Store};
use trdcheck::Determination;

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The raw stored columns of a finalised row, as written by version 1.
fn final_row(path: &Path) -> (String, String, String, String) {
    let c = keyed(path);
    c.query_row("SELECT answers, evaluation, policy, ruleset_sha256 FROM assessment WHERE id = 1", [], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })
    .unwrap()
}

fn upgraded_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("records.sqlite3");
    std::fs::copy(fixture("v1-records.sqlite3"), &path).unwrap();
    // An earlier version's records are unencrypted: encrypted first, then migrated.
    trdcheck::storage::encrypt::encrypt_plain(&path, &test_key()).unwrap();
    (dir, path)
}

#[test]
fn a_version_1_database_is_upgraded_and_its_final_record_is_never_rewritten() {
    let (_dir, path) = upgraded_copy();
    let before = final_row(&path);
    assert!(before.0.contains(SCHEMA_V1));
    let mut s = Store::open(&path, &common::test_key()).unwrap();
    assert_eq!(s.schema_version().unwrap(), migrations::LATEST_VERSION);
    assert_eq!(final_row(&path), before, "the finalised row is byte for byte what was signed");

    // The draft is now version 2; its new answers are unknown, so it is incomplete.
    let draft = s.assessment(2).unwrap();
    assert_eq!(draft.status, RecordStatus::Draft);
    assert_eq!(draft.answers.schema, SCHEMA);
    assert_eq!(draft.answers.respiratory, Default::default());
    assert_eq!(draft.evaluation(rules(), &default_policy()).determination, Determination::Incomplete);

    // The final record: its snapshot, shown with the rule set that made it.
    let signed = s.assessment(1).unwrap();
    assert_eq!(signed.answers.schema, SCHEMA_V1);
    let snapshot = signed.snapshot.as_ref().unwrap();
    assert_eq!(snapshot.ruleset.id, "trd-ketamine-2026.1");
    assert_eq!(snapshot.policy.spo2_low_percent, None, "version 1 had no such policy key");
    assert_eq!(snapshot.evaluation.determination, Determination::EligibleWithPrecautions);
    assert_eq!(signed.rules_for_display(rules()).meta.id, "trd-ketamine-2026.1");
    assert_eq!(s.verify().unwrap().first_broken, None, "the audit chain survives the migration");
    // The upgrade of the draft is in its audit trail; the final record has no such entry.
    let upgrade: Vec<_> = s.audit_of(2).unwrap().into_iter().filter(|e| e.action == "upgrade").collect();
    assert_eq!(upgrade.len(), 1);
    assert_eq!(upgrade[0].new_value.as_deref(), Some(SCHEMA));
    assert!(s.audit_of(1).unwrap().iter().all(|e| e.action != "upgrade"));

    // Amending it makes a version 2 draft with the notes carried over.
    let amended = s.amend(1, "dr v2").unwrap();
    assert_eq!(amended.answers.schema, SCHEMA);
    assert_eq!(amended.acknowledgements, signed.acknowledgements);
    assert_eq!(final_row(&path), before);
}

#[test]
fn a_version_1_final_record_prints_exactly_as_it_was_signed() {
    // Set up with the trd-check of this version: it encrypts the records, then migrates them.
    let clinic = Clinic::with_records(Some(Path::new(&fixture("v1-records.sqlite3"))));
    for (format, expected) in [("text", "v1-final-show.txt"), ("markdown", "v1-final-show.md")] {
        let out = clinic.db(&["show", "1", "--format", format]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let shown = String::from_utf8(out.stdout).unwrap();
        let signed = std::fs::read_to_string(fixture(expected)).unwrap();
        assert_eq!(shown, signed, "{format}: the signed summary changed");
    }
    // And its export is the version 1 document that was signed.
    let out = clinic.db(&["export", "1", "--format", "json"]);
    let exported: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(exported["schema"], SCHEMA_V1);
    assert!(exported.get("respiratory").is_none() || exported["respiratory"] == serde_json::json!({}));
}
