//! The patients and their eligibility assessments: search, drafts saved as typed, notes,
//! finalising and amending (after the passphrase), the summary, export and import.

use crate::access::locked;
use crate::views::{view, AssessmentView, ExportFormat};
use crate::IpcError;
use std::path::Path;
use trdcheck::eligibility::model::Assessment;
use trdcheck::records::{AssessmentListing, NewPatient, Patient};
use trdcheck::ErrorCode;

use super::*;

impl AppState {
    pub fn search_patients(&self, query: String) -> Result<Vec<Patient>> {
        self.with_store(|s| Ok(s.search_patients(&query, 100)?))
    }

    pub fn patient(&self, id: i64) -> Result<Patient> {
        self.with_store(|s| Ok(s.patient(id)?))
    }

    pub fn create_patient(&self, patient: NewPatient) -> Result<Patient> {
        self.with_store(|s| {
            let actor = self.in_force(s)?.actor();
            Ok(s.create_patient(&patient, &actor)?)
        })
    }

    pub fn patient_assessments(&self, patient_id: i64) -> Result<Vec<AssessmentListing>> {
        self.with_store(|s| Ok(s.assessments_of(patient_id)?))
    }

    pub fn recent_assessments(&self) -> Result<Vec<AssessmentListing>> {
        self.with_store(|s| Ok(s.recent_assessments(50)?))
    }

    pub fn create_draft(&self, patient_id: i64) -> Result<AssessmentView> {
        self.with_store(|s| {
            let f = self.in_force(s)?;
            let record = s.create_draft(patient_id, None, &f.actor())?;
            view(s, self.rules, &f.policy, record.id)
        })
    }

    /// An assessment as its screen shows it. A finalised one shows what was signed (its own
    /// evaluation and policy), so it opens even while the clinic's settings cannot be read.
    pub fn open_assessment(&self, id: i64) -> Result<AssessmentView> {
        self.with_store(|s| {
            if let Some(signed) = s.assessment(id)?.snapshot {
                return view(s, self.rules, &signed.policy, id);
            }
            let f = self.in_force(s)?;
            view(s, self.rules, &f.policy, id)
        })
    }

    pub fn save_answers(&self, id: i64, answers: Assessment) -> Result<AssessmentView> {
        self.with_store(|s| {
            let f = self.in_force(s)?;
            s.save_draft(id, &answers, &f.actor())?;
            view(s, self.rules, &f.policy, id)
        })
    }

    pub fn set_acknowledgement(&self, id: i64, rule: String, note: String) -> Result<AssessmentView> {
        self.with_store(|s| {
            let f = self.in_force(s)?;
            s.set_acknowledgement(id, &rule, &note, &f.actor(), self.rules, &f.policy)?;
            view(s, self.rules, &f.policy, id)
        })
    }

    /// Finalises a draft, signed by the signed-in clinician, who gives their passphrase again.
    pub fn finalise(&self, id: i64, passphrase: String) -> Result<AssessmentView> {
        let signer = self.confirm_passphrase(&passphrase)?;
        self.with_store(|s| {
            let f = self.in_force(s)?;
            // Signed by the clinician still signed in (not one who took over meanwhile).
            if f.clinician != signer {
                return Err(locked());
            }
            s.finalise(id, &signer, self.rules, &f.policy)?;
            view(s, self.rules, &f.policy, id)
        })
    }

    /// A new draft version of a finalised assessment; the clinician gives their passphrase again.
    pub fn amend(&self, id: i64, passphrase: String) -> Result<AssessmentView> {
        self.confirm_passphrase(&passphrase)?;
        self.with_store(|s| {
            let f = self.in_force(s)?;
            let record = s.amend(id, &f.actor())?;
            view(s, self.rules, &f.policy, record.id)
        })
    }

    pub fn discard_draft(&self, id: i64) -> Result<()> {
        self.with_store(|s| {
            let actor = self.in_force(s)?.actor();
            Ok(s.discard_draft(id, &actor)?)
        })
    }

    /// What a document of a record is made from, read under the database lock (released before
    /// anything renders).
    pub(super) fn document_of(&self, id: i64) -> Result<Document> {
        self.with_store(|s| {
            let f = self.in_force(s)?;
            let record = s.assessment(id)?;
            let patient = s.patient(record.patient_id)?;
            let evaluation = record.evaluation(self.rules, &f.policy);
            let mut context = trdcheck::documents::summary::Context::of_record(&record, &patient);
            context.clinic = Some(f.settings.clinic.clone()).filter(|c| !c.trim().is_empty());
            context.clinician = record.finalised_by.clone().or(Some(f.clinician.clone()));
            context.generated_at = Some(trdcheck::documents::summary::now_for_display());
            Ok(Document { actor: f.actor(), paper: f.settings.paper, record, evaluation, context })
        })
    }

    pub fn summary_html(&self, id: i64) -> Result<String> {
        let doc = self.document_of(id)?;
        self.before_render();
        Ok(doc.summary(self.rules).to_html(doc.paper))
    }

    /// Writes an assessment to `path` and then records the export.
    pub fn export_assessment(&self, id: i64, format: ExportFormat, path: &Path) -> Result<String> {
        if !path.is_absolute() {
            return Err(IpcError::new(ErrorCode::InvalidPath, "choose where to save the file"));
        }
        let doc = self.document_of(id)?;
        self.before_render();
        let internal = |e: serde_json::Error| IpcError::new(ErrorCode::Internal, e.to_string());
        let bytes = match format {
            ExportFormat::Json => serde_json::to_vec_pretty(&doc.record.answers).map_err(internal)?,
            ExportFormat::Html => doc.summary(self.rules).to_html(doc.paper).into_bytes(),
            ExportFormat::Pdf => {
                doc.summary(self.rules).to_pdf(doc.paper).map_err(|e| IpcError::new(ErrorCode::Pdf, e.to_string()))?
            }
            ExportFormat::Fhir => {
                let rules = doc.record.rules_for_display(self.rules);
                let bundle =
                    trdcheck::documents::fhir::bundle(&doc.record.answers, &doc.evaluation, rules, &doc.context);
                serde_json::to_vec_pretty(&bundle).map_err(internal)?
            }
        };
        std::fs::write(path, bytes).map_err(|e| IpcError::new(ErrorCode::Io, format!("{}: {e}", path.display())))?;
        self.with_store(|s| Ok(s.export(id, format.as_str(), &doc.actor)?))?;
        Ok(path.display().to_string())
    }

    /// The file name the save dialog offers: "trdcheck-MRN-v2.pdf".
    pub fn export_file_name(&self, id: i64, ext: &str) -> Result<String> {
        self.with_store(|s| {
            let record = s.assessment(id)?;
            let patient = s.patient(record.patient_id)?;
            Ok(format!("trdcheck-{}-v{}.{ext}", safe_file_part(&patient.mrn), record.version))
        })
    }

    /// Imports the assessment file at `path` as a new draft (of the patient with its MRN).
    pub fn import_assessment(&self, path: &Path) -> Result<AssessmentView> {
        let io = |e: std::io::Error| IpcError::new(ErrorCode::Io, format!("{}: {e}", path.display()));
        if std::fs::metadata(path).map_err(io)?.len() > 5_000_000 {
            return Err(IpcError::new(ErrorCode::InvalidJson, "this file is too large to be an assessment"));
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        self.with_store(|s| {
            let f = self.in_force(s)?;
            let record = s.import(&text, &f.actor())?;
            view(s, self.rules, &f.policy, record.id)
        })
    }
}
