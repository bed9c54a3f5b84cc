//! Outcome scales given during a course: administrations saved, finalised and amended, and the
//! course's outcomes.

use crate::access::locked;
use crate::views::AdministrationView;
use trdcheck::outcomes::administration::Administration;
use trdcheck::outcomes::scales::Scales;
use trdcheck::records::CourseOutcomes;
use trdcheck::records::{ClinicSettings, Store};

use super::*;

impl AppState {
    pub(super) fn administration_view(s: &Store, settings: &ClinicSettings, id: i64) -> Result<AdministrationView> {
        let record = s.administration(id)?;
        let course = s.course(record.course_id)?;
        let patient = s.patient(course.patient_id)?;
        let a = &record.administration;
        let scale = Scales::scale(&a.scale)?;
        let baseline = if a.baseline { None } else { s.baseline_of(course.id, &a.scale)? };
        let editable = record.status == trdcheck::records::RecordStatus::Draft;
        let score = match (&record.score, a.answers()) {
            (Some(signed), _) => Some(signed.clone()),
            (None, Some(items)) if editable => {
                let threshold = settings.scales.remission_threshold(&a.scale);
                Some(scale.score(&items, baseline.as_ref().map(|b| b.total), threshold)?)
            }
            _ => None,
        };
        Ok(AdministrationView {
            still_needed: a.still_needed(scale),
            alerts: a.alerts(scale),
            baseline,
            score,
            editable,
            record,
            course,
            patient,
        })
    }

    /// Adds a scale administration to a course as a draft, every item unanswered.
    pub fn new_administration(
        &self,
        course_id: i64,
        scale: String,
        date: String,
        baseline: bool,
        session_number: Option<u32>,
    ) -> Result<AdministrationView> {
        let mut a = Administration::new(Scales::scale(&scale)?, &date);
        a.baseline = baseline;
        a.session_number = session_number;
        self.with_store(|s| {
            let f = self.in_force(s)?;
            let record = s.new_administration(course_id, &a, &f.actor())?;
            Self::administration_view(s, &f.settings, record.id)
        })
    }

    pub fn open_administration(&self, id: i64) -> Result<AdministrationView> {
        self.with_store(|s| {
            let f = self.in_force(s)?;
            Self::administration_view(s, &f.settings, id)
        })
    }

    pub fn save_administration(&self, id: i64, administration: Administration) -> Result<AdministrationView> {
        self.with_store(|s| {
            let f = self.in_force(s)?;
            s.save_administration(id, &administration, &f.actor())?;
            Self::administration_view(s, &f.settings, id)
        })
    }

    /// Finalises an administration, signed by the signed-in clinician, who gives their passphrase
    /// again; its score is kept with the site's remission choice in force.
    pub fn finalise_administration(&self, id: i64, passphrase: String) -> Result<AdministrationView> {
        let signer = self.confirm_passphrase(&passphrase)?;
        self.with_store(|s| {
            let f = self.in_force(s)?;
            if f.clinician != signer {
                return Err(locked());
            }
            s.finalise_administration(id, &signer, &f.settings.scales)?;
            Self::administration_view(s, &f.settings, id)
        })
    }

    /// A new draft version of a finalised administration; the clinician gives their passphrase again.
    pub fn amend_administration(&self, id: i64, passphrase: String) -> Result<AdministrationView> {
        self.confirm_passphrase(&passphrase)?;
        self.with_store(|s| {
            let f = self.in_force(s)?;
            let record = s.amend_administration(id, &f.actor())?;
            Self::administration_view(s, &f.settings, record.id)
        })
    }

    /// The course's outcome scales as of today: baselines, every administration judged against
    /// the baseline in force, the safety alerts and the benefit review.
    pub fn course_outcomes(&self, course_id: i64) -> Result<CourseOutcomes> {
        self.with_store(|s| {
            let f = self.in_force(s)?;
            Ok(s.course_outcomes(course_id, &f.settings.scales, &trdcheck::documents::summary::today())?)
        })
    }
}
