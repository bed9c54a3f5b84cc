//! `trd-check db session`: the sessions of a course, their documents and the REMS forms.

use super::*;

#[derive(Subcommand)]
pub(crate) enum SessionCommand {
    /// Import a session file (trdcheck/session/v1) as the next draft of a course.
    Import {
        file: PathBuf,
        #[arg(long)]
        course: i64,
    },
    /// What a session still needs before it can be finalised (nothing: it can be).
    Check { id: i64 },
    /// Finalise a session, signed by --user.
    Finalise { id: i64 },
    /// Amend a finalised session: a new draft version of it (its answers copied); the signed
    /// version is kept unchanged and stays in force until the amendment is finalised.
    Amend { id: i64 },
    /// The treated esketamine sessions whose REMS form is not marked submitted, with the last day
    /// to submit it (7 days).
    RemsPending,
    /// Mark a session's REMS form as submitted (once).
    RemsSubmitted { id: i64 },
    /// The SPRAVATO REMS Patient Monitoring Form of a finalised esketamine session, in the
    /// form's order; the fields the records cannot fill are named.
    Rems {
        id: i64,
        /// The clinic's REMS details (JSON, or TOML when the name ends in .toml): phone, email,
        /// setting_name, address, city, state, zip. Default: those of the clinic settings.
        #[arg(long)]
        setting: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = FormFormat::Text)]
        format: FormFormat,
        /// Paper size for html and pdf.
        #[arg(long, value_enum, default_value_t = PaperArg::Letter)]
        paper: PaperArg,
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
    },
    /// The summary of one session (HTML or PDF), as in the course summary.
    Summary {
        id: i64,
        #[arg(long, value_enum, default_value_t = DocFormat::Html)]
        format: DocFormat,
        /// Paper size.
        #[arg(long, value_enum, default_value_t = PaperArg::A4)]
        paper: PaperArg,
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
    },
}

/// Formats of the REMS form.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum FormFormat {
    Text,
    Json,
    Html,
    Pdf,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum DocFormat {
    Html,
    Pdf,
}

pub(crate) fn run_session(
    rules: &RuleSet,
    store: &mut Store,
    actor: &str,
    command: SessionCommand,
) -> Result<(), Failure> {
    let policy = db_policy(rules, store, None)?;
    let dosing = dosing::DosingRules::embedded().map_err(|e| Failure(e.to_string(), 1))?;
    // The clinic's settings hold the site's dosing choices and its REMS details.
    let settings = store.clinic_settings().map_err(storage_failure)?;
    let now = trdcheck::records::InForce { rules, policy: &policy, dosing, site: &settings.dosing };
    match command {
        SessionCommand::Import { file, course } => {
            let s = trdcheck::treatment::session::parse_session(&read_input(&file)?)
                .map_err(|e| Failure(e.to_string(), 2))?;
            let r = store.import_session(course, &s, actor, &now).map_err(storage_failure)?;
            out!("imported as session {} (number {} of course {course}, draft)", r.id, r.session.number);
        }
        SessionCommand::Check { id } => {
            let needed = store.session_still_needed(id, &now).map_err(storage_failure)?;
            if needed.is_empty() {
                out!("session {id} can be finalised");
            } else {
                out!("session {id} still needs: {}", needed.join(", "));
            }
        }
        SessionCommand::Finalise { id } => {
            let r = store.finalise_session(id, actor, &now).map_err(storage_failure)?;
            let outcome = r.outcome.map_or("", |o| match o {
                trdcheck::records::SessionOutcome::Treated => "treated",
                trdcheck::records::SessionOutcome::Deferred => "deferred",
                trdcheck::records::SessionOutcome::Reassess => "not treated: reassess",
            });
            out!("session {id} finalised by {actor}: {outcome}");
        }
        SessionCommand::Amend { id } => {
            let r = store.amend_session(id, actor).map_err(storage_failure)?;
            out!(
                "session {} is version {} of session {} (amends session {id}), a draft",
                r.id,
                r.version,
                r.session.number
            );
        }
        SessionCommand::RemsPending => rems_pending(store, dosing)?,
        SessionCommand::RemsSubmitted { id } => {
            store.mark_rems_submitted(id, actor).map_err(storage_failure)?;
            out!("the REMS form of session {id} is marked submitted by {actor}");
        }
        SessionCommand::Rems { id, setting, format, paper, output } => {
            let setting = match setting.as_ref() {
                Some(file) => load_settings_file(Some(file), "REMS setting file")?,
                None => settings.rems_setting(),
            };
            rems_form(store, actor, (id, dosing, &setting), format, paper, output.as_ref())?
        }
        SessionCommand::Summary { id, format, paper, output } => {
            session_summary(rules, store, actor, (id, dosing), format, paper, output.as_ref())?
        }
    }
    Ok(())
}

/// A settings file (JSON, or TOML when the name ends in `.toml`); none: the defaults.
pub(crate) fn load_settings_file<T: serde::de::DeserializeOwned + Default>(
    path: Option<&PathBuf>,
    what: &str,
) -> Result<T, Failure> {
    let Some(path) = path else { return Ok(T::default()) };
    let text = std::fs::read_to_string(path).map_err(|e| Failure(format!("{}: {e}", path.display()), 2))?;
    let parsed = if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml")) {
        toml::from_str(&text).map_err(|e| e.to_string())
    } else {
        trdcheck::strict_json::from_str(&text).map_err(|e| e.to_string())
    };
    parsed.map_err(|e| Failure(format!("{what} {}: {e}", path.display()), 2))
}

pub(crate) fn load_dosing_site(path: Option<&PathBuf>) -> Result<dosing::DosingSite, Failure> {
    load_settings_file(path, "site dosing file")
}

/// The treated esketamine sessions whose REMS form is not marked submitted, overdue ones marked.
fn rems_pending(store: &Store, dosing: &dosing::DosingRules) -> Result<(), Failure> {
    let pending = store.rems_pending(dosing).map_err(storage_failure)?;
    if pending.is_empty() {
        out!("every treated esketamine session's REMS form is marked submitted");
    }
    let today = trdcheck::documents::summary::today();
    for p in pending {
        out!(
            "session {:>5}  {:<12}  {:<24}  {}  submit by {}{}",
            p.session_id,
            p.mrn,
            p.patient_name,
            p.date,
            p.due,
            if p.overdue(&today) { "  OVERDUE" } else { "" }
        );
    }
    Ok(())
}

/// Writes a session's REMS form, then records it in the course's exports.
fn rems_form(
    store: &mut Store,
    actor: &str,
    (id, dosing, setting): (i64, &dosing::DosingRules, &trdcheck::records::clinic_details::RemsSetting),
    format: FormFormat,
    paper: PaperArg,
    output: Option<&PathBuf>,
) -> Result<(), Failure> {
    let form = trdcheck::documents::rems::rems_form(store, id, dosing, setting).map_err(storage_failure)?;
    let paper = Paper::from(paper);
    let bytes = match format {
        FormFormat::Json => (json(&form)? + "\n").into_bytes(),
        FormFormat::Text => form.to_text().into_bytes(),
        FormFormat::Html => form.to_html(paper).into_bytes(),
        FormFormat::Pdf => form.to_pdf(paper).map_err(|e| Failure(e.to_string(), 1))?,
    };
    write_output(bytes, output)?;
    let course = store.session(id).map_err(storage_failure)?.course_id;
    let name = format.to_possible_value().map_or_else(String::new, |v| v.get_name().to_string());
    store.record_course_export(course, Some(id), "rems_form", &name, actor).map_err(storage_failure)?;
    Ok(())
}

/// Writes the summary of one session, then records it in the course's exports.
fn session_summary(
    rules: &RuleSet,
    store: &mut Store,
    actor: &str,
    (id, dosing): (i64, &dosing::DosingRules),
    format: DocFormat,
    paper: PaperArg,
    output: Option<&PathBuf>,
) -> Result<(), Failure> {
    let record = store.session(id).map_err(storage_failure)?;
    let summary = trdcheck::documents::course_summary::course_summary(
        store,
        record.course_id,
        rules,
        dosing,
        Some(record.session.number),
    )
    .map_err(storage_failure)?;
    write_document(&summary, matches!(format, DocFormat::Pdf), paper.into(), output)?;
    let name = if matches!(format, DocFormat::Pdf) { "pdf" } else { "html" };
    store.record_course_export(record.course_id, Some(id), "session_summary", name, actor).map_err(storage_failure)?;
    Ok(())
}
