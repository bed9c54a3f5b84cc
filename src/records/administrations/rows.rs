//! The administrations' rows: the columns read, a row as a record, one by id, a course's list,
//! and the check of their signatures.

use super::AdministrationRecord;
use crate::records::signed;
use crate::records::sql::{params, Row, Sql};
use crate::records::{RecordStatus, Result, StorageError};

/// Whether a finalised version amends the administration `a` (it is no longer in force).
pub(super) const SUPERSEDED: &str =
    "EXISTS (SELECT 1 FROM administration b WHERE b.amends_id = a.id AND b.status = 'final')";
/// Whether any version, draft or final, amends `a` (the course lists the newest).
const FOLLOWED: &str = "EXISTS (SELECT 1 FROM administration b WHERE b.amends_id = a.id)";

const COLUMNS: &str = "a.id, a.course_id, a.status, a.data, a.created_at, a.updated_at, a.finalised_at, \
    a.finalised_by, a.score, a.scales_site, a.signed_sha256, a.version, a.amends_id, \
    (SELECT b.id FROM administration b WHERE b.amends_id = a.id)";

fn from_row(r: &Row) -> Result<AdministrationRecord> {
    let status: String = r.get(2)?;
    Ok(AdministrationRecord {
        id: r.get(0)?,
        course_id: r.get(1)?,
        status: if status == "final" { RecordStatus::Final } else { RecordStatus::Draft },
        administration: crate::records::courses::stored(r, 3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
        finalised_at: r.get(6)?,
        finalised_by: r.get(7)?,
        score: r.json(8)?,
        scales_site: r.json(9)?,
        signed_sha256: r.get(10)?,
        version: r.get(11)?,
        amends: r.get(12)?,
        amended_by: r.get(13)?,
    })
}

/// An administration (one version) by id.
pub fn load(db: &(impl Sql + ?Sized), id: i64) -> Result<AdministrationRecord> {
    match db.row(&format!("SELECT {COLUMNS} FROM administration a WHERE a.id = $1"), params![id])? {
        Some(r) => from_row(&r),
        None => Err(StorageError::NoAdministration(id)),
    }
}

/// A course's administrations, the newest version of each, by date then id.
pub fn of_course(db: &(impl Sql + ?Sized), course_id: i64) -> Result<Vec<AdministrationRecord>> {
    let date = db.json_text("a.data", "date");
    let rows = db.rows(
        &format!(
            "SELECT {COLUMNS} FROM administration a WHERE a.course_id = $1 AND NOT {FOLLOWED} \
             ORDER BY {date}, a.id"
        ),
        params![course_id],
    )?;
    rows.iter().map(from_row).collect()
}

/// The finalised administrations whose stored content no longer matches the hash that was
/// signed, by id, and how many were checked.
pub fn broken_signatures(db: &(impl Sql + ?Sized)) -> Result<(u64, Vec<i64>)> {
    signed::broken(db, &signed::ADMINISTRATION)
}
