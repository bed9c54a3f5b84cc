//! Import and export of assessment documents, each audited.

use super::audit::{self, Event};
use super::{AssessmentRecord, NewPatient, Result, Store};
use crate::eligibility::input::parse_assessment;

impl Store {
    /// Imports an assessment document (version 2, or version 1 upgraded) as a new draft of the patient with that MRN
    /// (`patient.id`), creating the patient when there is none.
    pub fn import(&mut self, text: &str, actor: &str) -> Result<AssessmentRecord> {
        let answers = parse_assessment(text)?;
        let mrn = answers.patient.id.trim().to_string();
        // The patient (when new), the draft and the import entry: one transaction, all or nothing.
        let id = self.write(|tx, at| {
            let patient = match super::patients::by_mrn(tx, &mrn)? {
                Some(p) => p,
                None => super::patients::insert(
                    tx,
                    at,
                    &NewPatient {
                        mrn: mrn.clone(),
                        name: String::new(),
                        date_of_birth: None,
                        sex: answers.patient.sex,
                    },
                    actor,
                )?,
            };
            let id = crate::records::assessments::insert_draft(tx, at, patient.id, &answers, actor)?;
            audit::append(
                tx,
                at,
                &Event {
                    actor,
                    action: "import",
                    patient_id: Some(patient.id),
                    assessment_id: Some(id),
                    detail: Some(text.to_string()),
                    ..Default::default()
                },
            )?;
            Ok(id)
        })?;
        self.assessment(id)
    }

    /// Records the export of an assessment (call it once the file is written; the JSON is the
    /// record's answers: assessment-v2, or a version 1 record finalised as it was).
    pub fn export(&mut self, id: i64, format: &str, actor: &str) -> Result<AssessmentRecord> {
        let record = self.assessment(id)?;
        self.record_read(|tx, at| {
            audit::append(
                tx,
                at,
                &Event {
                    actor,
                    action: "export",
                    patient_id: Some(record.patient_id),
                    assessment_id: Some(id),
                    detail: Some(format.to_string()),
                    ..Default::default()
                },
            )?;
            Ok(())
        })?;
        Ok(record)
    }
}
