//! The append-only audit trail. Each entry carries a sha256 over its content and the previous
//! entry's hash, so that a changed, removed or inserted entry breaks the chain at that point.

use std::collections::BTreeMap;

use serde_json::Value;

use super::sql::{params, Row, Sql};

use crate::eligibility::model::Assessment;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, to what, by whom.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Event<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub patient_id: Option<i64>,
    pub assessment_id: Option<i64>,
    pub field: Option<&'a str>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub detail: Option<String>,
}

/// One stored entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub patient_id: Option<i64>,
    pub assessment_id: Option<i64>,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub detail: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// The hash this entry must carry: over every field but `hash`, in a fixed order.
    pub fn expected_hash(&self) -> String {
        let content = serde_json::json!([
            self.seq,
            self.at,
            self.actor,
            self.action,
            self.patient_id,
            self.assessment_id,
            self.field,
            self.old_value,
            self.new_value,
            self.detail,
            self.prev_hash,
        ]);
        let digest = Sha256::digest(content.to_string().as_bytes());
        data_encoding::HEXLOWER.encode(&digest)
    }

    fn from_row(r: &Row) -> super::Result<AuditEntry> {
        Ok(AuditEntry {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            patient_id: r.get(4)?,
            assessment_id: r.get(5)?,
            field: r.get(6)?,
            old_value: r.get(7)?,
            new_value: r.get(8)?,
            detail: r.get(9)?,
            prev_hash: r.get(10)?,
            hash: r.get(11)?,
        })
    }
}

const COLUMNS: &str =
    "seq, at, actor, action, patient_id, assessment_id, field, old_value, new_value, detail, prev_hash, hash";

/// Appends an entry; call inside the transaction that makes the change it records.
pub fn append(db: &(impl Sql + ?Sized), at: &str, e: &Event) -> super::Result<i64> {
    let last = db.row("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", &[])?;
    let (seq, prev_hash) = match last {
        Some(row) => (row.get::<i64>(0)? + 1, row.get::<String>(1)?),
        None => (1, GENESIS.to_string()),
    };
    let mut entry = AuditEntry {
        seq,
        at: at.to_string(),
        actor: e.actor.to_string(),
        action: e.action.to_string(),
        patient_id: e.patient_id,
        assessment_id: e.assessment_id,
        field: e.field.map(str::to_string),
        old_value: e.old_value.clone(),
        new_value: e.new_value.clone(),
        detail: e.detail.clone(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry.expected_hash();
    db.run(
        &format!("INSERT INTO audit ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"),
        params![
            entry.seq,
            entry.at,
            entry.actor,
            entry.action,
            entry.patient_id,
            entry.assessment_id,
            entry.field,
            entry.old_value,
            entry.new_value,
            entry.detail,
            entry.prev_hash,
            entry.hash
        ],
    )?;
    Ok(seq)
}

/// The entries about one assessment, oldest first.
pub fn for_assessment(db: &(impl Sql + ?Sized), assessment_id: i64) -> super::Result<Vec<AuditEntry>> {
    db.rows(&format!("SELECT {COLUMNS} FROM audit WHERE assessment_id = $1 ORDER BY seq"), params![assessment_id])?
        .iter()
        .map(AuditEntry::from_row)
        .collect()
}

/// The entries of one kind (`settings`: the history of the clinic's settings), oldest first.
pub fn for_action(db: &(impl Sql + ?Sized), action: &str) -> super::Result<Vec<AuditEntry>> {
    db.rows(&format!("SELECT {COLUMNS} FROM audit WHERE action = $1 ORDER BY seq"), params![action])?
        .iter()
        .map(AuditEntry::from_row)
        .collect()
}

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditReport {
    pub entries: u64,
    /// The first entry that does not hold, and why.
    pub first_broken: Option<(i64, String)>,
}

/// Walks the whole chain, oldest first, and reports the first entry that does not hold.
pub fn verify(db: &(impl Sql + ?Sized)) -> super::Result<AuditReport> {
    let mut prev_hash = GENESIS.to_string();
    let mut expected_seq = 1;
    let mut entries = 0;
    let mut first_broken = None;
    db.each_row(&format!("SELECT {COLUMNS} FROM audit ORDER BY seq"), &[], &mut |row| {
        if first_broken.is_some() {
            return Ok(());
        }
        let e = AuditEntry::from_row(&row)?;
        entries += 1;
        let broken = if e.seq != expected_seq {
            Some(format!("entry {expected_seq} is missing"))
        } else if e.prev_hash != prev_hash {
            Some("its link to the previous entry does not match".to_string())
        } else if e.hash != e.expected_hash() {
            Some("its content does not match its hash".to_string())
        } else {
            None
        };
        match broken {
            Some(reason) => first_broken = Some((e.seq, reason)),
            None => {
                prev_hash = e.hash;
                expected_seq += 1;
            }
        }
        Ok(())
    })?;
    Ok(AuditReport { entries, first_broken })
}

/// JSON leaves by path ("trials[0].dose_mg_per_day"), for the audit of a draft change. An empty
/// list or an empty entry (a trial added with nothing known yet) is a value of its own.
fn leaves(value: &Value, prefix: &str, out: &mut BTreeMap<String, Value>) {
    match value {
        // An empty list entry (`trials[1]`), not an empty section.
        Value::Object(map) if map.is_empty() && prefix.ends_with(']') => {
            out.insert(prefix.to_string(), value.clone());
        }
        Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                leaves(v, &path, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, v) in items.iter().enumerate() {
                leaves(v, &format!("{prefix}[{i}]"), out);
            }
        }
        Value::Null => {}
        other => {
            out.insert(prefix.to_string(), other.clone());
        }
    }
}

/// The answers that differ: (path, old, new), with `None` for unknown.
pub(crate) fn changed_answers(old: &Assessment, new: &Assessment) -> Vec<(String, Option<String>, Option<String>)> {
    changes(&leaves_of(old), &leaves_of(new))
}

/// Every leaf of a value by its path, as JSON text.
pub(crate) fn leaves_of<T: serde::Serialize>(value: &T) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    leaves(&serde_json::to_value(value).unwrap_or(Value::Null), "", &mut out);
    out.into_iter().map(|(k, v)| (k, v.to_string())).collect()
}

/// The paths whose values differ: (path, old, new), with `None` for absent.
pub(crate) fn changes(
    a: &BTreeMap<String, String>,
    b: &BTreeMap<String, String>,
) -> Vec<(String, Option<String>, Option<String>)> {
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| ((*k).clone(), a.get(k).cloned(), b.get(k).cloned()))
        .collect()
}

impl super::Store {
    pub fn audit_of(&self, assessment_id: i64) -> super::Result<Vec<AuditEntry>> {
        for_assessment(self.connection(), assessment_id)
    }

    /// Walks the audit chain and reports the first entry that does not hold.
    pub fn verify(&self) -> super::Result<AuditReport> {
        verify(self.connection())
    }
}

impl super::Store {
    /// Records who signed in, out, or changed an account (`action`: "sign_in", "lock",
    /// "clinician_added", …), with what it concerned in `detail` (a clinician's name, never a
    /// passphrase).
    pub fn record_access(&mut self, actor: &str, action: &str, detail: Option<&str>) -> super::Result<()> {
        self.write(|tx, at| {
            append(tx, at, &Event { actor, action, detail: detail.map(str::to_string), ..Default::default() })?;
            Ok(())
        })
    }
}
