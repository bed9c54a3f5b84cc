//! Upgrading a database written by rule set version 1 (tests/fixtures/v1-records.sqlite3, made by
//! that version): drafts become assessment-v2, a finalised record is never rewritten and still
//! shows exactly what was signed.

mod common;

use std::path::Path;

use common::*;
use trdcheck::eligibility::model::{SCHEMA, SCHEMA_V1};
use trdcheck::records::{migrations, RecordStatus, Store};
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
    trdcheck::records::encrypt::encrypt_plain(&path, &test_key()).unwrap();
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

/// The raw columns of every session row, in order.
fn session_rows(c: &rusqlite::Connection) -> Vec<Vec<Option<String>>> {
    let mut stmt = c
        .prepare(
            "SELECT id, course_id, number, status, data, created_at, updated_at, finalised_at, finalised_by, gate, \
             outcome, ruleset_sha256, policy, dosing_sha256, dosing_site, signed_sha256 FROM session ORDER BY id",
        )
        .unwrap();
    stmt.query_map([], |r| {
        (0..16).map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| Some(format!("{v:?}")))).collect()
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

#[test]
fn a_version_6_database_gains_session_versions_and_keeps_its_sessions_and_rems_submissions_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("records.sqlite3");
    {
        // A database as version 6 left it: a course with a finalised session whose REMS form was
        // submitted, and the next session as a draft.
        let mut c = keyed(&path);
        c.pragma_update(None, "application_id", migrations::APPLICATION_ID).unwrap();
        migrations::migrations().to_version(&mut c, 6).unwrap();
        let data = serde_json::to_string(&trdcheck::treatment::session::Session::new(1, "2026-11-03")).unwrap();
        let draft = serde_json::to_string(&trdcheck::treatment::session::Session::new(2, "2026-11-06")).unwrap();
        c.execute_batch(&format!(
            "INSERT INTO patient (id, mrn, name, created_at) VALUES (1, 'U-1', 'Upgrade Test', '2026-11-01T09:00:00Z');
             INSERT INTO assessment (id, patient_id, version, status, answers, created_at, updated_at)
                 VALUES (1, 1, 1, 'draft', '{{}}', '2026-11-01T09:00:00Z', '2026-11-01T09:00:00Z');
             INSERT INTO course (id, patient_id, assessment_id, route, started_on, started_at, started_by)
                 VALUES (1, 1, 1, 'esketamine_nasal', '2026-11-02', '2026-11-02T09:00:00Z', 'Dr A');
             INSERT INTO session (id, course_id, number, status, data, created_at, updated_at, finalised_at,
                                  finalised_by, gate, outcome, signed_sha256)
                 VALUES (1, 1, 1, 'final', '{data}', '2026-11-03T09:00:00Z', '2026-11-03T11:00:00Z',
                         '2026-11-03T11:00:00Z', 'Dr A', '{{\"decision\":\"proceed\"}}', 'treated', 'abc');
             INSERT INTO session (id, course_id, number, status, data, created_at, updated_at)
                 VALUES (2, 1, 2, 'draft', '{draft}', '2026-11-06T09:00:00Z', '2026-11-06T09:00:00Z');
             INSERT INTO rems_submission (session_id, submitted_at, submitted_by) VALUES (1, '2026-11-04T09:00:00Z', 'Dr A');"
        ))
        .unwrap();
    }
    let before = session_rows(&keyed(&path));
    let s = Store::open(&path, &common::test_key()).unwrap();
    assert_eq!(s.schema_version().unwrap(), migrations::LATEST_VERSION);
    let c = s.connection();
    assert_eq!(session_rows(c), before, "every session row as it was, byte for byte");
    let versions: Vec<(i64, Option<i64>)> = c
        .prepare("SELECT version, amends_id FROM session ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(versions, [(1, None), (1, None)], "each is version 1");
    let submitted: i64 =
        c.query_row("SELECT COUNT(*) FROM rems_submission WHERE session_id = 1", [], |r| r.get(0)).unwrap();
    assert_eq!(submitted, 1, "the REMS submission still refers to its session");
    // The rebuilt table keeps the database's protections.
    let err = c.execute("UPDATE session SET data = '{}' WHERE id = 1", []).unwrap_err();
    assert!(err.to_string().contains("cannot be changed"), "{err}");
    let err = c.execute("DELETE FROM session WHERE id = 1", []).unwrap_err();
    assert!(err.to_string().contains("cannot be deleted"), "{err}");
    let err = c.execute("DELETE FROM rems_submission", []).unwrap_err();
    assert!(err.to_string().contains("cannot be removed"), "{err}");
    let err = c
        .execute(
            "INSERT INTO session (course_id, number, status, data, created_at, updated_at) VALUES (1, 2, 'draft', '{}', 'x', 'x')",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("UNIQUE"), "a second version 1 of a session is refused: {err}");
    let err = c
        .execute(
            "INSERT INTO session (course_id, number, version, status, data, created_at, updated_at) VALUES (9, 3, 1, 'draft', '{}', 'x', 'x')",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("FOREIGN KEY"), "the foreign keys are on after the upgrade: {err}");
    assert_eq!(s.session(2).unwrap().version, 1);
}
