//! `trd-check db …` as a user runs it.

mod common;

use std::process::{Command, Output, Stdio};

use common::{Clinic, BIN};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/example-assessment-v2.json");

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn import_finalise_show_export_verify() {
    let clinic = Clinic::new();
    let dir = &clinic.dir;
    let o = clinic.db(&["init"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).0.contains("records.sqlite3"), "set up already: init checks the passphrase, prints the path");
    let o = clinic.db(&["import", EXAMPLE]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o).1);
    assert!(text(&o).0.contains("imported as assessment 1"));

    let (out, _) = text(&clinic.db(&["list"]));
    assert!(out.contains("RC-2041") && out.contains("draft"), "{out}");

    // Finalising needs a note for each precaution; the error names the rule.
    let o = clinic.db(&["finalise", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("CV-BP-HIGH"), "{}", text(&o).1);
    // A note for a rule that is not a precaution of this assessment is an error naming it, and
    // none of the notes given with it is saved.
    let o = clinic.db(&["finalise", "1", "--ack", "CV-BP-HIGH=Rechecked", "--ack", "CV-ANEURYSM=Not present"]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o).1;
    assert!(err.contains("CV-ANEURYSM is not a precaution of this assessment"), "{err}");
    let (shown, _) = text(&clinic.db(&["show", "1"]));
    assert!(!shown.contains("Acknowledged: Rechecked"), "nothing saved: {shown}");
    // Nor when finalising is refused for want of another note.
    let o = clinic.db(&["finalise", "1", "--ack", "CV-BP-HIGH=Rechecked"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("RX-BZD-HIGH"), "{}", text(&o).1);
    assert!(!text(&clinic.db(&["show", "1"])).0.contains("Acknowledged: Rechecked"));
    // An empty note for a rule that is not a precaution is an error too.
    let o = clinic.db(&["finalise", "1", "--ack", "CV-AVM="]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("CV-AVM is not a precaution"), "{}", text(&o).1);
    let o = clinic.db(&[
        "finalise",
        "1",
        "--ack",
        "CV-BP-HIGH=Rechecked 138/86",
        "--ack",
        "RX-BZD-HIGH=Held on treatment days",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o).1);
    assert!(text(&o).0.contains("eligible_with_precautions"));
    let o = clinic.db(&["finalise", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("finalised"));
    // The advice names a command that exists (issue 24; tested below).
    assert!(text(&o).1.contains("(trd-check db amend 1)"), "{}", text(&o).1);

    let (out, _) = text(&clinic.db(&["show", "1"]));
    assert!(out.contains("Final (version 1, finalised by Dr Test"), "{out}");
    assert!(out.contains("Acknowledged: Rechecked 138/86"), "{out}");
    // Signed: by the clinician whose passphrase unlocked the records, with the hash of the record.
    let hash = clinic.store().assessment(1).unwrap().signed_sha256.expect("a signed record has its hash");
    assert_eq!(hash.len(), 64);
    assert!(
        out.contains(&format!(
            "signed by Dr Test, who re-entered their passphrase; SHA-256 of the signed record {hash}"
        )),
        "{out}"
    );

    let exported = dir.path().join("out.json");
    let o = clinic.db(&["export", "1", "-o", exported.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let a: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&exported).unwrap()).unwrap();
    let b: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(EXAMPLE).unwrap()).unwrap();
    assert_eq!(a, b, "export is the imported document");

    let o = clinic.db(&["verify"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).0.contains("audit trail intact"));
    assert!(
        text(&o)
            .0
            .contains("1 signed records, 0 signed sessions and 0 signed scale administrations match their signatures"),
        "{}",
        text(&o).0
    );

    // A signed assessment changed behind the app's back (the database's own guard dropped first)
    // is caught by `db verify`, which names it and fails; put back as signed, it verifies again.
    let store = clinic.store();
    store.connection().execute_batch("DROP TRIGGER assessment_final_is_immutable").unwrap();
    let signed: String =
        store.connection().query_row("SELECT answers FROM assessment WHERE id = 1", [], |r| r.get(0)).unwrap();
    let mut edited: serde_json::Value = serde_json::from_str(&signed).unwrap();
    edited["cardiovascular"]["systolic_mmhg"] = serde_json::json!(128);
    store.connection().execute("UPDATE assessment SET answers = ?1 WHERE id = 1", [edited.to_string()]).unwrap();
    let o = clinic.db(&["verify"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o).0);
    assert!(text(&o).1.contains("assessment 1 no longer matches the hash that was signed (1 of 1)"), "{}", text(&o).1);
    store.connection().execute("UPDATE assessment SET answers = ?1 WHERE id = 1", [&signed]).unwrap();
    drop(store);
    assert_eq!(clinic.db(&["verify"]).status.code(), Some(0));

    let backup = dir.path().join("backup.sqlite3");
    assert_eq!(clinic.db(&["backup", backup.to_str().unwrap()]).status.code(), Some(0));
    assert_eq!(clinic.db(&["restore", backup.to_str().unwrap()]).status.code(), Some(0));
    assert!(text(&clinic.db(&["list", "rc-2041"])).0.contains("final"));
}

/// Today's date in UTC, YYYY-MM-DD: on or after the day an assessment signed now was signed.
fn today() -> String {
    time::OffsetDateTime::now_utc().date().format(time::macros::format_description!("[year]-[month]-[day]")).unwrap()
}

const EXAMPLE_SESSION: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/example-session-v1.json");

#[test]
fn a_course_and_its_session_from_the_command_line() {
    let clinic = Clinic::new();
    assert_eq!(clinic.db(&["import", EXAMPLE]).status.code(), Some(0));
    // A course needs a finalised assessment.
    // The course starts today (not before its assessment is signed), its session is today's.
    let today = today();
    let o = clinic.db(&["course", "start", "1", "--on", &today]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o).1);
    let acks = ["--ack", "CV-BP-HIGH=Rechecked 138/86", "--ack", "RX-BZD-HIGH=Held on treatment days"];
    assert_eq!(clinic.db(&[&["finalise", "1"][..], &acks].concat()).status.code(), Some(0));
    let o = clinic.db(&["course", "start", "1", "--on", &today]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o).1);
    assert!(text(&o).0.contains(&format!("course 1 started on {today} (iv_ketamine)")), "{}", text(&o).0);
    let session_file = clinic.dir.path().join("session.json");
    let example = std::fs::read_to_string(EXAMPLE_SESSION).unwrap();
    std::fs::write(&session_file, example.replace("\"date\": \"2026-11-03\"", &format!("\"date\": \"{today}\"")))
        .unwrap();
    let session_path = session_file.to_str().unwrap();
    let o = clinic.db(&["session", "import", session_path, "--course", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o).1);
    let (out, _) = text(&clinic.db(&["session", "check", "1"]));
    assert!(out.contains("can be finalised"), "{out}");
    let o = clinic.db(&["session", "finalise", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o).1);
    assert!(text(&o).0.contains("finalised by Dr Test: treated"), "{}", text(&o).0);
    // The same file again is not the next session: refused, naming the field.
    let o = clinic.db(&["session", "import", session_path, "--course", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("number: 1 is not the course's next session (2)"), "{}", text(&o).1);
    // An impossible reading is refused naming it, and nothing is saved.
    let bad = clinic.dir.path().join("bad-session.json");
    let json = std::fs::read_to_string(&session_file)
        .unwrap()
        .replace("\"number\": 1", "\"number\": 2")
        .replace("\"heart_rate_bpm\": 72", "\"heart_rate_bpm\": 720");
    std::fs::write(&bad, json).unwrap();
    let o = clinic.db(&["session", "import", bad.to_str().unwrap(), "--course", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("pre_dose.heart_rate_bpm"), "{}", text(&o).1);
    let (export, _) = text(&clinic.db(&["course", "export", "1"]));
    let v: serde_json::Value = serde_json::from_str(&export).unwrap();
    assert_eq!(v["schema"], "trdcheck/course/v1");
    assert_eq!(v["sessions"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["sessions"][0]["outcome"], "treated");
    // The course summary, the session summary and the FHIR export.
    for (args, start) in [
        (&["course", "export", "1", "--format", "html"][..], "<!DOCTYPE html>"),
        (&["course", "export", "1", "--format", "pdf"][..], "%PDF-"),
        (&["session", "summary", "1", "--format", "pdf", "--paper", "letter"][..], "%PDF-"),
        (&["session", "summary", "1"][..], "<!DOCTYPE html>"),
    ] {
        let o = clinic.db(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o).1);
        assert!(o.stdout.starts_with(start.as_bytes()), "{args:?}");
    }
    let (fhir, _) = text(&clinic.db(&["course", "export", "1", "--format", "fhir"]));
    let v: serde_json::Value = serde_json::from_str(&fhir).unwrap();
    assert_eq!(v["resourceType"], "Bundle");
    assert!(
        fhir.contains("\"resourceType\":\"MedicationAdministration\"") || fhir.contains("\"MedicationAdministration\"")
    );
    // Each document written out is in the audit trail: what, of which session, in which format.
    let exports: Vec<String> = clinic
        .store()
        .audit_of(1)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "course_export")
        .filter_map(|e| e.detail)
        .collect();
    assert_eq!(exports.len(), 6, "{exports:?}");
    assert!(
        exports.iter().any(|d| d.contains("\"document\":\"session_summary\"") && d.contains("\"format\":\"pdf\"")),
        "{exports:?}"
    );
    // A finalised session is amended as a new version; the signed one is kept.
    let o = clinic.db(&["session", "amend", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o).1);
    assert!(text(&o).0.contains("session 2 is version 2 of session 1 (amends session 1), a draft"), "{}", text(&o).0);
    let o = clinic.db(&["session", "amend", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("already amended"), "{}", text(&o).1);
    // The REMS form is for esketamine: an IV session is refused, naming the field.
    let o = clinic.db(&["session", "rems", "1", "--format", "pdf"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("session_id"), "{}", text(&o).1);
    assert_eq!(clinic.db(&["verify"]).status.code(), Some(0));
}

#[test]
fn a_finalised_assessment_is_amended_from_the_command_line() {
    let clinic = Clinic::new();
    assert_eq!(clinic.db(&["import", EXAMPLE]).status.code(), Some(0));
    let o = clinic.db(&["amend", "1"]);
    assert_eq!(o.status.code(), Some(2), "a draft is changed, not amended");
    let acks = ["--ack", "CV-BP-HIGH=Rechecked 138/86", "--ack", "RX-BZD-HIGH=Held on treatment days"];
    assert_eq!(clinic.db(&[&["finalise", "1"][..], &acks].concat()).status.code(), Some(0));
    let o = clinic.db(&["amend", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o).1);
    assert!(text(&o).0.contains("assessment 2 is version 2 of assessment 1, a draft"), "{}", text(&o).0);
    let (out, _) = text(&clinic.db(&["list"]));
    assert!(out.contains("amended") && out.contains("draft"), "{out}");
}

#[test]
fn a_file_that_is_not_a_trdcheck_database_is_refused() {
    let clinic = Clinic::new();
    std::fs::write(
        &clinic.path,
        "not a database at all, just some text that is long enough to look like a file".repeat(20),
    )
    .unwrap();
    let o = clinic.db(&["list"]);
    assert_eq!(o.status.code(), Some(2), "the path given is at fault");
    assert!(text(&o).1.contains("not a trdcheck database"), "{}", text(&o).1);
    // Given without a key file beside it: a picture, a PDF or a folder is not a database either
    // (not "the key file is missing"); a file that could be an encrypted database still is asked
    // for its key file.
    let dir = tempfile::tempdir().unwrap();
    let picture = dir.path().join("scan.png");
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend((0..5000u32).map(|i| (i * 7 % 251) as u8));
    std::fs::write(&picture, &png).unwrap();
    let pdf = dir.path().join("letter.pdf");
    std::fs::write(&pdf, b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".repeat(300)).unwrap();
    let folder = dir.path().join("records");
    std::fs::create_dir(&folder).unwrap();
    let db_at = |path: &std::path::Path| {
        Command::new(BIN)
            .args(["db", "--path", path.to_str().unwrap(), "--user", "Dr Test", "list"])
            .env("TRDCHECK_PASSPHRASE_FILE", &clinic.passphrase_file)
            .output()
            .unwrap()
    };
    // Whatever their length, even a whole number of pages (the app's own PDF, a padded picture).
    let paged_pdf = dir.path().join("summary.pdf");
    std::fs::write(&paged_pdf, b"%PDF-1.7\n".iter().chain(&[0u8; 36_343]).copied().collect::<Vec<u8>>()).unwrap();
    let paged_png = dir.path().join("padded.png");
    std::fs::write(&paged_png, png.iter().copied().chain(std::iter::repeat(0)).take(44_032).collect::<Vec<u8>>())
        .unwrap();
    // Another program's SQLite file is not "no clinician set up yet".
    let other = dir.path().join("other.sqlite3");
    rusqlite::Connection::open(&other).unwrap().execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
    for path in [&picture, &pdf, &folder, &paged_pdf, &paged_png, &other] {
        let o = db_at(path);
        assert_eq!(o.status.code(), Some(2), "{}: {}", path.display(), text(&o).1);
        assert!(text(&o).1.contains("not a trdcheck database"), "{}: {}", path.display(), text(&o).1);
    }
    let pages = dir.path().join("lost-keys.sqlite3");
    std::fs::write(&pages, (0..8192u32).map(|i| (i * 7 % 251) as u8 ^ 0x5A).collect::<Vec<u8>>()).unwrap();
    let o = db_at(&pages);
    assert!(text(&o).1.contains("key file is missing"), "{}", text(&o).1);
}

#[test]
fn a_closed_pipe_is_not_a_crash() {
    let mut child = Command::new(BIN).args(["rules"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
    assert_eq!(o.status.code(), Some(0));
}

/// The CLI evaluates stored records with the clinic's policy saved in the database (as the app
/// does), unless a policy file is given; `db settings` shows it and its history.
#[test]
fn stored_records_are_evaluated_with_the_clinics_policy_from_the_database() {
    use trdcheck::records::ClinicSettings;
    let clinic = Clinic::new();
    let dir = &clinic.dir;
    let six_weeks = std::fs::read_to_string(EXAMPLE).unwrap().replace("\"weeks_at_dose\": 8", "\"weeks_at_dose\": 6");
    let file = dir.path().join("six.json");
    std::fs::write(&file, &six_weeks).unwrap();
    assert_eq!(clinic.db(&["import", file.to_str().unwrap()]).status.code(), Some(0));
    let counted = |o: &Output| -> u64 {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["failed_adequate_trials"].as_u64().unwrap()
    };
    let before = counted(&clinic.db(&["show", "1", "--format", "json"]));
    let mut s = clinic.store();
    let settings = ClinicSettings {
        policy: trdcheck::PolicyOverrides { min_weeks_at_dose: Some(8), ..Default::default() },
        ..Default::default()
    };
    s.save_clinic_settings(&settings, None, "Dr Settings", trdcheck::RuleSet::embedded().unwrap()).unwrap();
    drop(s);
    let after = counted(&clinic.db(&["show", "1", "--format", "json"]));
    assert_eq!(after + 1, before, "the 6-week trial counts under 6 weeks, not under the clinic's 8");
    // A policy file given on the command line is used instead.
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, r#"{"min_weeks_at_dose": 6}"#).unwrap();
    let o = clinic.db(&["show", "1", "--format", "json", "--policy", policy.to_str().unwrap()]);
    assert_eq!(counted(&o), before);
    let (out, _) = text(&clinic.db(&["settings"]));
    assert!(out.contains("\"min_weeks_at_dose\": 8"), "{out}");
    assert!(out.contains("Dr Settings  policy.min_weeks_at_dose: (not set) -> 8"), "{out}");
}

/// Until the desktop app has moved an older version's settings.json into the records, the
/// clinic's policy is not known to the CLI: it says so instead of evaluating with defaults.
#[test]
fn the_cli_does_not_evaluate_with_defaults_while_the_settings_are_in_an_older_file() {
    let clinic = Clinic::new();
    let dir = &clinic.dir;
    assert_eq!(clinic.db(&["import", EXAMPLE]).status.code(), Some(0));
    std::fs::write(dir.path().join("settings.json"), r#"{"settings": {"policy": {"min_weeks_at_dose": 8}}}"#).unwrap();
    let o = clinic.db(&["show", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("still in") && text(&o).1.contains("settings.json"), "{}", text(&o).1);
    let o = clinic.db(&["finalise", "1"]);
    assert_eq!(o.status.code(), Some(2));
    // With a policy file given, the clinician has said which policy applies.
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, r#"{"min_weeks_at_dose": 8}"#).unwrap();
    assert_eq!(clinic.db(&["show", "1", "--policy", policy.to_str().unwrap()]).status.code(), Some(0));
}

/// Clinicians managed from the command line; a wrong passphrase exits 2 and changes nothing.
#[test]
fn clinicians_are_managed_with_the_cli_and_a_wrong_passphrase_changes_nothing() {
    let clinic = Clinic::new();
    assert_eq!(clinic.recovery_key.split('-').count(), 8);
    assert_eq!(clinic.db(&["import", EXAMPLE]).status.code(), Some(0));
    let files = |c: &Clinic| -> Vec<Vec<u8>> {
        let keys = c.path.with_extension("keys");
        vec![std::fs::read(&c.path).unwrap(), std::fs::read(keys).unwrap()]
    };
    let before = files(&clinic);
    let wrong = clinic.dir.path().join("wrong");
    std::fs::write(&wrong, "not the passphrase").unwrap();
    for args in [&["list"][..], &["user", "add", "Dr New"][..], &["finalise", "1"][..]] {
        let o = clinic.command(args).env("TRDCHECK_PASSPHRASE_FILE", &wrong).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(text(&o).1.contains("does not unlock the records for Dr Test; nothing was changed"), "{}", text(&o).1);
    }
    assert_eq!(files(&clinic), before, "nothing changed");
    // Without a passphrase file and not on a terminal: refused, never read from an argument.
    let o = clinic.command(&["list"]).env_remove("TRDCHECK_PASSPHRASE_FILE").stdin(Stdio::null()).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("TRDCHECK_PASSPHRASE_FILE"), "{}", text(&o).1);

    // Add a clinician; she lists, signs, and is removed.
    let new = clinic.dir.path().join("new");
    std::fs::write(&new, "maple glacier trumpet orbit\n").unwrap();
    let o = clinic.command(&["user", "add", "Dr Nia Obi"]).env("TRDCHECK_NEW_PASSPHRASE_FILE", &new).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o).1);
    let (out, _) = text(&clinic.db(&["user", "list"]));
    assert_eq!(out, "Dr Test\nDr Nia Obi\n");
    let as_nia = |args: &[&str]| {
        Command::new(BIN)
            .args(["db", "--path", clinic.path.to_str().unwrap(), "--user", "Dr Nia Obi"])
            .args(args)
            .env("TRDCHECK_PASSPHRASE_FILE", &new)
            .output()
            .unwrap()
    };
    assert_eq!(as_nia(&["list"]).status.code(), Some(0));
    let o = clinic.db(&["user", "remove", "Dr Nia Obi"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o).1);
    let o = as_nia(&["list"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("no clinician named Dr Nia Obi"), "{}", text(&o).1);

    // Dr Test changes her passphrase; then forgets it, and the recovery key gives a new one.
    let o = clinic.command(&["user", "passwd"]).env("TRDCHECK_NEW_PASSPHRASE_FILE", &new).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o).1);
    assert_eq!(clinic.db(&["list"]).status.code(), Some(2), "the old passphrase no longer opens");
    let recovery = clinic.dir.path().join("recovery");
    std::fs::write(&recovery, "AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA").unwrap();
    let recover = |key_file: &std::path::Path| {
        clinic
            .command(&["user", "recover", "Dr Test"])
            .env("TRDCHECK_RECOVERY_KEY_FILE", key_file)
            .env("TRDCHECK_NEW_PASSPHRASE_FILE", &clinic.passphrase_file)
            .output()
            .unwrap()
    };
    let o = recover(&recovery);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("recovery key does not unlock"), "{}", text(&o).1);
    std::fs::write(&recovery, &clinic.recovery_key).unwrap();
    assert_eq!(recover(&recovery).status.code(), Some(0));
    let (out, _) = text(&clinic.db(&["list"]));
    assert!(out.contains("RC-2041"), "no record lost: {out}");
    // Each change is in the audit trail, by the clinician who made it.
    let actions: Vec<(String, String)> = {
        let s = clinic.store();
        let c = s.connection();
        let mut stmt = c.prepare("SELECT actor, action FROM audit WHERE patient_id IS NULL ORDER BY seq").unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    for expected in [
        ("Dr Test", "set_up"),
        ("Dr Test", "clinician_added"),
        ("Dr Test", "clinician_removed"),
        ("Dr Test", "passphrase_changed"),
        ("Dr Test", "recovered"),
    ] {
        assert!(actions.iter().any(|(a, b)| (a.as_str(), b.as_str()) == expected), "{expected:?} in {actions:?}");
    }
    for bytes in files(&clinic) {
        assert!(!bytes.windows(13).any(|w| w == b"maple glacier"), "no passphrase is stored");
    }
}

/// Issue 24 re-test: `db init` given another program's SQLite file refuses it before anything is
/// written: no key file is left behind (it was, with a recovery key printed for nothing).
#[test]
fn init_refuses_another_programs_sqlite_file_and_leaves_no_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.sqlite3");
    rusqlite::Connection::open(&other).unwrap().execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
    let passphrase = dir.path().join("pp");
    std::fs::write(&passphrase, "tangerine lighthouse oboe fourteen\n").unwrap();
    let o = Command::new(BIN)
        .args(["db", "--path", other.to_str().unwrap(), "--user", "Dr X", "init"])
        .env("TRDCHECK_PASSPHRASE_FILE", &passphrase)
        .env("TRDCHECK_NEW_PASSPHRASE_FILE", &passphrase)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o).1);
    assert!(text(&o).1.contains("not a trdcheck database"), "{}", text(&o).1);
    assert!(!text(&o).0.contains("recovery"), "no recovery key for a refused set-up: {}", text(&o).0);
    assert!(!dir.path().join("other.keys").exists(), "a key file was left behind");
}
