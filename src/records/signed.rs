//! One signed, versioned record, written once for the three kinds the records keep: eligibility
//! assessments, treatment sessions and outcome-scale administrations.
//!
//! Each is a draft saved on every change, one audit entry per changed answer ([`audit_changes`]);
//! finalised with a signature ([`sign`]): the SHA-256 of what the finalisation covers, read back
//! from the stored row by the same query that `db verify` runs over every finalised row
//! ([`broken`]), so what is signed and what is checked cannot drift apart; then refused by the
//! database once final (each table's triggers) and amended only as a new version ([`new_version`]).

use serde_json::Value as Json;

use super::audit::{self, Event};
use super::sql::{params, Row, Sql, Value};
use super::Result;

/// A kind of signed record: its table and what its signature covers.
pub(crate) struct SignedKind {
    pub table: &'static str,
    /// The signature's first element: what is signed, and the signature's version.
    pub tag: &'static str,
    /// `SELECT` of the record's id, then the other values the signature covers in order, then the
    /// stored signature, over the table (and what it joins); `{which}` is the row condition.
    pub select: &'static str,
    /// The condition of the finalised rows `db verify` checks.
    pub finalised: &'static str,
    /// The condition of one row by its id (`$1`).
    pub by_id: &'static str,
    /// The columns (first and last, by index in `select`) that the signature holds as one list.
    pub nested: Option<(usize, usize)>,
}

/// An eligibility assessment: answers, notes, the evaluation, the rule set and the policy.
/// Records finalised before signatures existed have none and are not counted.
pub(crate) const ASSESSMENT: SignedKind = SignedKind {
    table: "assessment",
    tag: "trdcheck/signature/v1",
    select: "SELECT id, patient_id, version, answers, acknowledgements, evaluation, ruleset_id, ruleset_version, \
             ruleset_sha256, policy, finalised_by, finalised_at, signed_sha256 FROM assessment WHERE {which} ORDER BY id",
    finalised: "status = 'final' AND signed_sha256 IS NOT NULL",
    by_id: "id = $1",
    nested: Some((6, 8)),
};

/// A treatment session: the session as stored, the gate, what it was judged with, whose patient,
/// course and assessment.
pub(crate) const SESSION: SignedKind = SignedKind {
    table: "session",
    tag: "trdcheck/session-signature/v1",
    select: "SELECT s.id, c.patient_id, s.course_id, c.assessment_id, s.data, s.gate, s.ruleset_sha256, s.policy, \
             s.dosing_sha256, s.dosing_site, s.finalised_by, s.finalised_at, s.signed_sha256 \
             FROM session s JOIN course c ON c.id = s.course_id WHERE {which} ORDER BY s.id",
    finalised: "s.status = 'final'",
    by_id: "s.id = $1",
    nested: None,
};

/// An outcome-scale administration: the answers as stored, the score and what it was judged with.
pub(crate) const ADMINISTRATION: SignedKind = SignedKind {
    table: "administration",
    tag: "trdcheck/administration-signature/v1",
    select: "SELECT a.id, c.patient_id, a.course_id, a.data, a.score, a.scale_sha256, a.scales_site, \
             a.finalised_by, a.finalised_at, a.signed_sha256 \
             FROM administration a JOIN course c ON c.id = a.course_id WHERE {which} ORDER BY a.id",
    finalised: "a.status = 'final'",
    by_id: "a.id = $1",
    nested: None,
};

impl SignedKind {
    fn query(&self, which: &str) -> String {
        self.select.replace("{which}", which)
    }

    /// The row's id, its signature as computed from what is stored, and the signature stored.
    fn read(&self, r: &Row) -> Result<(i64, String, String)> {
        let count = r.0.len();
        let mut values: Vec<Json> = r.0[..count.saturating_sub(1)]
            .iter()
            .map(|v| match v {
                Value::Integer(n) => Json::from(*n),
                Value::Real(x) => Json::from(*x),
                Value::Text(t) => Json::from(t.as_str()),
                Value::Blob(t) => Json::from(String::from_utf8_lossy(t).into_owned()),
                Value::Null => Json::from(""),
            })
            .collect();
        if let Some((from, to)) = self.nested {
            let group: Vec<Json> = values.drain(from..=to).collect();
            values.insert(from, Json::Array(group));
        }
        let mut content = vec![Json::from(self.tag)];
        content.extend(values);
        let computed = crate::digest::sha256_hex(Json::Array(content).to_string().as_bytes());
        let stored: Option<String> = r.get(count.saturating_sub(1))?;
        Ok((r.get(0)?, computed, stored.unwrap_or_default()))
    }
}

/// Finalises a draft whose signed values (finalised by and at, and what it was judged with) are
/// already written: its signature is computed from the stored row and kept with it as it becomes
/// final. Returns the signature.
pub(crate) fn sign(db: &(impl Sql + ?Sized), kind: &SignedKind, id: i64) -> Result<String> {
    let row = db.row(&kind.query(kind.by_id), params![id])?;
    let (_, hash, _) =
        kind.read(&row.ok_or_else(|| super::StorageError::Server(format!("{} {id} is gone", kind.table)))?)?;
    db.run(
        &format!("UPDATE {} SET status = 'final', signed_sha256 = $1 WHERE id = $2", kind.table),
        params![&hash, id],
    )?;
    Ok(hash)
}

/// The amendment of finalised record `id` of a kind, once the caller has checked that it may be
/// amended (final, not amended yet): a new draft version of it, linked to it, with version + 1,
/// the columns `owner` (whose record it is: `patient_id`, or `course_id, number`) copied from it,
/// and `content` (column, value) as the new version starts. Returns its id. The version amended
/// is left as signed.
pub(crate) fn new_version(
    db: &(impl Sql + ?Sized),
    kind: &SignedKind,
    id: i64,
    owner: &str,
    content: &[(&str, Value)],
    at: &str,
) -> Result<i64> {
    let columns: Vec<&str> = content.iter().map(|(c, _)| *c).collect();
    let slots: Vec<String> = (0..content.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "INSERT INTO {table} ({owner}, version, amends_id, status, {columns}, created_at, updated_at) \
         SELECT {owner}, version + 1, id, 'draft', {slots}, $2, $2 FROM {table} WHERE id = $1 RETURNING id",
        table = kind.table,
        columns = columns.join(", "),
        slots = slots.join(", "),
    );
    let mut values: Vec<Value> = vec![id.into(), at.into()];
    values.extend(content.iter().map(|(_, v)| v.clone()));
    super::sql::returned_id(db.row(&sql, &values)?)
}

/// The finalised records of a kind whose stored content no longer matches the signature, by id,
/// and how many were checked.
pub(crate) fn broken(db: &(impl Sql + ?Sized), kind: &SignedKind) -> Result<(u64, Vec<i64>)> {
    let (mut checked, mut broken) = (0, Vec::new());
    db.each_row(&kind.query(kind.finalised), &[], &mut |r| {
        let (id, computed, stored) = kind.read(&r)?;
        checked += 1;
        if computed != stored {
            broken.push(id);
        }
        Ok(())
    })?;
    Ok((checked, broken))
}

/// One audit entry per changed answer of a draft (`changes`: the field's path, old and new
/// values), each like `base` with its field and values.
pub(crate) fn audit_changes(
    db: &(impl Sql + ?Sized),
    at: &str,
    base: &Event,
    changes: impl IntoIterator<Item = (String, Option<String>, Option<String>)>,
) -> Result<()> {
    for (path, old_value, new_value) in changes {
        audit::append(db, at, &Event { field: Some(&path), old_value, new_value, ..base.clone() })?;
    }
    Ok(())
}
