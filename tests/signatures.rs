//! What each signature covers, read from the stored row independently of the code that signs:
//! the SHA-256 of a JSON list, its tag first, then the record's values in the order written
//! here. Signatures made before the signed record was written once (records/signed.rs) still
//! verify, and a change to what is signed fails here rather than in a clinic's `db verify`.

mod common;

use common::courses::{esketamine_treated, store_with_final};
use rusqlite::types::Value as Sql;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use trdcheck::outcomes::administration::{Administration, ScalesSite};
use trdcheck::outcomes::scales::Scales;

fn sha256(content: Value) -> String {
    Sha256::digest(content.to_string().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The columns of one row as JSON (text as text, integers as numbers), and the stored signature.
fn row(store: &trdcheck::records::Store, sql: &str, id: i64) -> (Vec<Value>, String) {
    let c = store.connection();
    let mut stmt = c.prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_row([id], |r| {
        let mut values = Vec::new();
        for i in 0..n - 1 {
            values.push(match r.get::<_, Sql>(i)? {
                Sql::Integer(x) => json!(x),
                Sql::Text(t) => json!(t),
                other => panic!("column {i} is {other:?}"),
            });
        }
        Ok((values, r.get::<_, String>(n - 1)?))
    })
    .unwrap()
}

#[test]
fn an_assessment_signs_its_answers_notes_evaluation_rule_set_policy_signer_and_time() {
    let (s, _, id) = store_with_final();
    let (v, stored) = row(
        &s,
        "SELECT id, patient_id, version, answers, acknowledgements, evaluation, ruleset_id, ruleset_version, \
         ruleset_sha256, policy, finalised_by, finalised_at, signed_sha256 FROM assessment WHERE id = ?1",
        id,
    );
    let expected = sha256(json!([
        "trdcheck/signature/v1",
        v[0],
        v[1],
        v[2],
        v[3],
        v[4],
        v[5],
        [v[6], v[7], v[8]],
        v[9],
        v[10],
        v[11]
    ]));
    assert_eq!(stored, expected);
    assert_eq!(s.broken_signatures().unwrap(), (1, vec![]));
}

#[test]
fn a_session_signs_its_data_gate_what_judged_it_whose_it_is_signer_and_time() {
    let (s, _, id) = esketamine_treated();
    let (v, stored) = row(
        &s,
        "SELECT s.id, c.patient_id, s.course_id, c.assessment_id, s.data, s.gate, s.ruleset_sha256, s.policy, \
         s.dosing_sha256, s.dosing_site, s.finalised_by, s.finalised_at, s.signed_sha256 \
         FROM session s JOIN course c ON c.id = s.course_id WHERE s.id = ?1",
        id,
    );
    let mut content = vec![json!("trdcheck/session-signature/v1")];
    content.extend(v);
    assert_eq!(stored, sha256(Value::Array(content)));
    assert_eq!(s.broken_session_signatures().unwrap(), (1, vec![]));
}

#[test]
fn an_administration_signs_its_answers_score_scale_site_signer_and_time() {
    let (mut s, _, final_id) = store_with_final();
    let course = s.start_course(final_id, "2026-11-02", "Dr A").unwrap();
    let scale = Scales::embedded().unwrap().get("phq9").unwrap();
    let mut a = Administration::new(scale, "2026-11-09");
    a.items = [1, 1, 1, 1, 1, 1, 1, 1, 0].iter().map(|i| Some(*i)).collect();
    let d = s.new_administration(course.id, &a, "Dr A").unwrap();
    let f = s.finalise_administration(d.id, "Dr A", &ScalesSite::default()).unwrap();
    let (v, stored) = row(
        &s,
        "SELECT a.id, c.patient_id, a.course_id, a.data, a.score, a.scale_sha256, a.scales_site, \
         a.finalised_by, a.finalised_at, a.signed_sha256 \
         FROM administration a JOIN course c ON c.id = a.course_id WHERE a.id = ?1",
        f.id,
    );
    let mut content = vec![json!("trdcheck/administration-signature/v1")];
    content.extend(v);
    assert_eq!(stored, sha256(Value::Array(content)));
    assert_eq!(s.broken_administration_signatures().unwrap(), (1, vec![]));
}
