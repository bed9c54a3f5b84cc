//! Patients: who an assessment is of, found by MRN or by any word of their name.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::audit::{self, Event};
use super::sql::{params, Row, Sql, Value};
use super::{search, to_json, Result, StorageError, Store};
use crate::eligibility::model::Sex;

/// A new patient as entered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct NewPatient {
    pub mrn: String,
    pub name: String,
    #[serde(default)]
    pub date_of_birth: Option<String>,
    #[serde(default)]
    pub sex: Option<Sex>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, rename = "PatientRecord", optional_fields = nullable))]
pub struct Patient {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub mrn: String,
    pub name: String,
    pub date_of_birth: Option<String>,
    pub sex: Option<Sex>,
    pub created_at: String,
}

fn check_date(field: &str, value: &Option<String>) -> Result<()> {
    if let Some(d) = value {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(d, &format).map_err(|_| StorageError::InvalidField {
            field: field.into(),
            message: format!("{d:?} is not a date; write it as YYYY-MM-DD"),
        })?;
    }
    Ok(())
}

/// An MRN as the one patient it names: compatibility forms folded (NFKC: full-width letters and
/// digits), every dash and hyphen written "-", case ignored, spaces collapsed. "DUAL-1", "dual-1",
/// "DUAL‑1" (a non-breaking hyphen) and "ＤＵＡＬ－１" are one MRN (issue 24).
pub fn mrn_key(mrn: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let folded: String = mrn
        .nfkc()
        .map(|c| {
            if matches!(c, '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}') {
                '-'
            } else {
                c
            }
        })
        .flat_map(char::to_lowercase)
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

const COLUMNS: &str = "id, mrn, name, date_of_birth, sex, created_at";

/// Adds a patient: the interface's one way in. A patient needs an MRN (unique, also when
/// written another way) and a name; a date of birth is YYYY-MM-DD. Call inside a transaction:
/// the patient, its search words and its audit entry go together.
pub fn create(db: &(impl Sql + ?Sized), at: &str, p: &NewPatient, actor: &str) -> Result<Patient> {
    check_new(p)?;
    insert(db, at, p, actor)
}

/// What a new patient needs before anything is written: a name, and texts within their length.
fn check_new(p: &NewPatient) -> Result<()> {
    if p.name.trim().is_empty() {
        return Err(StorageError::InvalidField { field: "name".into(), message: "a name is needed".into() });
    }
    crate::eligibility::model::check_line("name", &p.name, crate::eligibility::model::SHORT_TEXT_MAX_CHARS)?;
    crate::eligibility::model::check_line("mrn", &p.mrn, crate::eligibility::model::PATIENT_ID_MAX_CHARS)?;
    Ok(())
}

/// The patient row, its search words and its audit entry, inside the caller's transaction.
/// An imported document may carry no name: only [`create`] asks for one.
pub(super) fn insert(db: &(impl Sql + ?Sized), at: &str, p: &NewPatient, actor: &str) -> Result<Patient> {
    let mrn = p.mrn.trim().to_string();
    if mrn.is_empty() {
        return Err(StorageError::InvalidField { field: "mrn".into(), message: "must not be empty".into() });
    }
    check_date("date_of_birth", &p.date_of_birth)?;
    // The same MRN written another way ("dual-1" for "DUAL-1") is the same patient.
    let key = mrn_key(&mrn);
    if let Some(row) = db.row("SELECT mrn FROM patient WHERE mrn = $1 OR mrn_key = $2 LIMIT 1", params![&mrn, &key])? {
        let existing: String = row.get(0)?;
        return Err(StorageError::DuplicateMrn(if existing == mrn { mrn } else { format!("{mrn} (as {existing})") }));
    }
    let name = p.name.trim();
    let id: i64 = db
        .row(
            "INSERT INTO patient (mrn, name, date_of_birth, sex, created_at, sort_name, mrn_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            params![&mrn, name, p.date_of_birth.as_deref(), p.sex.map(Sex::as_str), at, search::fold(name), key],
        )?
        .ok_or_else(|| StorageError::Server("the new patient's id was not returned".into()))?
        .get(0)?;
    for w in search::words(&mrn, &p.name) {
        db.run("INSERT INTO patient_word (word, patient_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", params![w, id])?;
    }
    audit::append(
        db,
        at,
        &Event {
            actor,
            action: "create_patient",
            patient_id: Some(id),
            detail: Some(to_json(p)),
            ..Default::default()
        },
    )?;
    Ok(Patient {
        id,
        mrn,
        name: name.to_string(),
        date_of_birth: p.date_of_birth.clone(),
        sex: p.sex,
        created_at: at.to_string(),
    })
}

fn from_row(r: &Row) -> Result<Patient> {
    let sex: Option<String> = r.get(4)?;
    Ok(Patient {
        id: r.get(0)?,
        mrn: r.get(1)?,
        name: r.get(2)?,
        date_of_birth: r.get(3)?,
        sex: sex.and_then(|s| serde_json::from_value(Json::String(s)).ok()),
        created_at: r.get(5)?,
    })
}

/// The patient of this id.
pub fn by_id(db: &(impl Sql + ?Sized), id: i64) -> Result<Patient> {
    match db.row(&format!("SELECT {COLUMNS} FROM patient WHERE id = $1"), params![id])? {
        Some(row) => from_row(&row),
        None => Err(StorageError::NoPatient(id)),
    }
}

/// The patient of this MRN: written exactly so, else written another way (case, dashes).
pub fn by_mrn(db: &(impl Sql + ?Sized), mrn: &str) -> Result<Option<Patient>> {
    db.row(
        &format!("SELECT {COLUMNS} FROM patient WHERE mrn = $1 OR mrn_key = $2 ORDER BY mrn = $1 DESC, id LIMIT 1"),
        params![mrn.trim(), mrn_key(mrn)],
    )?
    .map(|row| from_row(&row))
    .transpose()
}

/// Patients whose MRN or any word of whose name starts with each word of `query`, ignoring
/// case and accents ("garc jos" finds "José García"), by name; an empty query lists the newest.
pub fn search(db: &(impl Sql + ?Sized), query: &str, limit: usize) -> Result<Vec<Patient>> {
    let folded = search::fold(query);
    let terms: Vec<&str> = folded.split_whitespace().collect();
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = if terms.is_empty() {
        db.rows(&format!("SELECT {COLUMNS} FROM patient ORDER BY id DESC LIMIT $1"), params![limit])?
    } else {
        // One prefix range per term; a patient must match every term.
        let mut sql = format!("SELECT {COLUMNS} FROM patient WHERE TRUE");
        let mut args: Vec<Value> = Vec::new();
        for t in &terms {
            let n = args.len();
            sql.push_str(&format!(
                " AND id IN (SELECT patient_id FROM patient_word WHERE word >= ${} AND word < ${})",
                n + 1,
                n + 2
            ));
            args.push(t.to_string().into());
            args.push(search::prefix_end(t).into());
        }
        sql.push_str(&format!(" ORDER BY sort_name, mrn LIMIT ${}", args.len() + 1));
        args.push(limit.into());
        db.rows(&sql, &args)?
    };
    rows.iter().map(from_row).collect()
}

/// The patients of the encrypted file: the interface above on its connection.
impl Store {
    /// (The input is checked before the write waits for the file's integrity check or lock, so a
    /// bad field is named as such whatever the file's state.)
    pub fn create_patient(&mut self, p: &NewPatient, actor: &str) -> Result<Patient> {
        check_new(p)?;
        self.write(|tx, at| insert(tx, at, p, actor))
    }

    pub fn patient(&self, id: i64) -> Result<Patient> {
        by_id(&self.conn, id)
    }

    pub fn patient_by_mrn(&self, mrn: &str) -> Result<Option<Patient>> {
        by_mrn(&self.conn, mrn)
    }

    pub fn search_patients(&self, query: &str, limit: usize) -> Result<Vec<Patient>> {
        search(&self.conn, query, limit)
    }
}
