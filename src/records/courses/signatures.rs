//! What a finalised session's signature covers, and the check of every signed session.

use crate::records::{Result, Store};

/// What a session's finalisation signs: the session as stored, the gate, what it was judged with,
/// whose patient, course and assessment, who signed and when.
pub(super) struct SessionSigned<'a> {
    pub(super) id: i64,
    pub(super) patient_id: i64,
    pub(super) course_id: i64,
    pub(super) assessment_id: i64,
    pub(super) data: &'a str,
    pub(super) gate: &'a str,
    pub(super) ruleset_sha256: &'a str,
    pub(super) policy: &'a str,
    pub(super) dosing_sha256: &'a str,
    pub(super) dosing_site: &'a str,
    pub(super) by: &'a str,
    pub(super) at: &'a str,
}

impl SessionSigned<'_> {
    pub(super) fn sha256(&self) -> String {
        let content = serde_json::json!([
            "trdcheck/session-signature/v1",
            self.id,
            self.patient_id,
            self.course_id,
            self.assessment_id,
            self.data,
            self.gate,
            self.ruleset_sha256,
            self.policy,
            self.dosing_sha256,
            self.dosing_site,
            self.by,
            self.at,
        ]);
        crate::digest::sha256_hex(content.to_string().as_bytes())
    }
}

impl Store {
    /// The finalised sessions whose stored content no longer matches the hash that was signed,
    /// by id, and how many were checked.
    pub fn broken_session_signatures(&self) -> Result<(u64, Vec<i64>)> {
        let mut stmt = self.conn.prepare(
            "SELECT s.id, c.patient_id, s.course_id, c.assessment_id, s.data, s.gate, s.ruleset_sha256, s.policy, \
             s.dosing_sha256, s.dosing_site, s.finalised_by, s.finalised_at, s.signed_sha256 \
             FROM session s JOIN course c ON c.id = s.course_id WHERE s.status = 'final' ORDER BY s.id",
        )?;
        let mut rows = stmt.query([])?;
        let (mut checked, mut broken) = (0, Vec::new());
        while let Some(r) = rows.next()? {
            let text =
                |i: usize| -> rusqlite::Result<String> { Ok(r.get::<_, Option<String>>(i)?.unwrap_or_default()) };
            let id: i64 = r.get(0)?;
            let expected = SessionSigned {
                id,
                patient_id: r.get(1)?,
                course_id: r.get(2)?,
                assessment_id: r.get(3)?,
                data: &text(4)?,
                gate: &text(5)?,
                ruleset_sha256: &text(6)?,
                policy: &text(7)?,
                dosing_sha256: &text(8)?,
                dosing_site: &text(9)?,
                by: &text(10)?,
                at: &text(11)?,
            }
            .sha256();
            checked += 1;
            if text(12)? != expected {
                broken.push(id);
            }
        }
        Ok((checked, broken))
    }
}
