//! `trd-check db course`: treatment courses (start, list, show, end, export).

use super::*;

#[derive(Subcommand)]
pub(crate) enum CourseCommand {
    /// Start a course from a finalised assessment found eligible (the route is the assessment's).
    Start {
        assessment: i64,
        /// The first day of the course, YYYY-MM-DD.
        #[arg(long)]
        on: String,
    },
    /// End a course (it then takes no new session, and a new course by its route can start).
    End {
        id: i64,
        /// The last day of the course, YYYY-MM-DD.
        #[arg(long)]
        on: String,
        /// Why the course ends (completed, no response, adverse effect, patient's choice, …).
        #[arg(long)]
        reason: String,
    },
    /// Export a course with its sessions: trdcheck/course/v1 JSON, the course summary (HTML or
    /// PDF: sessions, doses and vital signs over time, then each session in full) or FHIR R4.
    Export {
        id: i64,
        #[arg(long, value_enum, default_value_t = CourseFormat::Json)]
        format: CourseFormat,
        /// Paper size for html and pdf.
        #[arg(long, value_enum, default_value_t = PaperArg::A4)]
        paper: PaperArg,
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum CourseFormat {
    Json,
    Html,
    Pdf,
    /// FHIR R4 Bundle (Patient, MedicationAdministration, Observation, AdverseEvent)
    Fhir,
}

/// The courses' commands. The gate is judged with the rule set and the clinic's policy in force;
/// the dosing site settings are the defaults (no clinic setting for them yet).
pub(crate) fn run_course(
    rules: &RuleSet,
    store: &mut Store,
    actor: &str,
    command: CourseCommand,
) -> Result<(), Failure> {
    match command {
        CourseCommand::Start { assessment, on } => {
            let c = store.start_course(assessment, &on, actor).map_err(storage_failure)?;
            out!("course {} started on {} ({}), from assessment {assessment}", c.id, c.started_on, c.route.as_str());
        }
        CourseCommand::End { id, on, reason } => {
            let end = store.end_course(id, &on, &reason, actor).map_err(storage_failure)?;
            out!("course {id} ended on {}", end.ended_on);
        }
        CourseCommand::Export { id, format, paper, output } => {
            let course = store.course(id).map_err(storage_failure)?;
            let bytes = match format {
                CourseFormat::Json => json(&store.course_document(id).map_err(storage_failure)?)? + "\n",
                CourseFormat::Fhir => {
                    let patient = store.patient(course.patient_id).map_err(storage_failure)?;
                    let scores = store.administrations_of(id).map_err(storage_failure)?;
                    // The sessions as signed and in force (a draft amendment does not hide its
                    // signed version).
                    let signed = store.sessions_in_force(id).map_err(storage_failure)?;
                    json(&trdcheck::documents::course_fhir::course_bundle(&course, &signed, &scores, &patient))? + "\n"
                }
                CourseFormat::Html | CourseFormat::Pdf => {
                    let dosing = dosing::DosingRules::embedded().map_err(|e| Failure(e.to_string(), 1))?;
                    let summary = trdcheck::documents::course_summary::course_summary(store, id, rules, dosing, None)
                        .map_err(storage_failure)?;
                    write_document(&summary, matches!(format, CourseFormat::Pdf), paper.into(), output.as_ref())?;
                    let name = if matches!(format, CourseFormat::Pdf) { "pdf" } else { "html" };
                    store.record_course_export(id, None, "course", name, actor).map_err(storage_failure)?;
                    return Ok(());
                }
            };
            write_output(bytes.into_bytes(), output.as_ref())?;
            let name = if matches!(format, CourseFormat::Json) { "json" } else { "fhir" };
            store.record_course_export(id, None, "course", name, actor).map_err(storage_failure)?;
        }
    }
    Ok(())
}
