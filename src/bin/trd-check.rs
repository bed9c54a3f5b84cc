//! `trd-check`: evaluate an assessment file, print the rule set.
//! Exit status: 0 when evaluated (whatever the determination), 2 when the input is rejected.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use trdcheck::dosing;
use trdcheck::storage::{default_path, StorageError, Store};
use trdcheck::summary::{Context, Summary, TextStyle};
use trdcheck::summary_html::Paper;
use trdcheck::vault::{Status, Unlocked, Vault, VaultError};
use trdcheck::{evaluate, parse_assessment, PolicyOverrides, RuleSet, SitePolicy};
use zeroize::Zeroizing;

#[derive(Parser)]
#[command(
    name = "trd-check",
    version,
    about = "Eligibility checklist for ketamine or esketamine in treatment-resistant depression",
    long_about = "Eligibility checklist for ketamine or esketamine in treatment-resistant depression.\n\n\
        Reads an assessment in the trdcheck/assessment/v2 JSON format (v1 is upgraded on reading) and reports the determination \
        (eligible, eligible_with_precautions, deferred: not today, not_eligible, incomplete) with every finding and its source.\n\
        It supports and does not replace clinical judgement.\n\n\
        Exit status: 0 when the file was evaluated, 2 when it was rejected (the message names the field)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate an assessment file (or - for standard input).
    Evaluate {
        /// The assessment (trdcheck/assessment/v2 JSON; v1 is read too), or - for standard input.
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = EvalFormat::Json)]
        format: EvalFormat,
        /// Site policy file (JSON, or TOML when the name ends in .toml); defaults apply otherwise.
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Write the summary to sign and file: text, Markdown, HTML, PDF or a FHIR R4 Bundle.
    Summary {
        /// The assessment (trdcheck/assessment/v2 JSON; v1 is read too), or - for standard input.
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
        format: SummaryFormat,
        /// Write to this file [default: standard output; required for pdf]
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Paper size for html and pdf.
        #[arg(long, value_enum, default_value_t = PaperArg::A4)]
        paper: PaperArg,
    },
    /// Print the checklist as a FHIR R4 Questionnaire (generated from the rule set).
    Questionnaire,
    /// Print the rule set for review.
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Markdown)]
        format: RulesFormat,
    },
    /// Work out a dose: IV racemic ketamine by weight, or the esketamine label schedule at a
    /// session. The arithmetic and its sources are shown; the prescriber decides.
    Dose {
        #[command(subcommand)]
        drug: DoseCommand,
    },
    /// Score an outcome scale: the total, its band, the safety items (urgent whatever the total)
    /// and, with a baseline, the change, response and remission, each with its rule and source.
    Score {
        #[arg(value_enum)]
        scale: ScaleArg,
        /// Every item's answer in order, comma-separated (PHQ-9: 9 items 0–3; MADRS: 10 items 0–6).
        #[arg(long, value_delimiter = ',', num_args = 1, allow_hyphen_values = true)]
        items: Vec<String>,
        /// The baseline total, to judge change, response and remission against.
        #[arg(long, allow_negative_numbers = true)]
        baseline: Option<u32>,
        /// The site's remission threshold where the scale leaves it to the site (MADRS: 10 or 12)
        /// [default: the scale's].
        #[arg(long, allow_negative_numbers = true)]
        remission_threshold: Option<u32>,
        #[arg(long, value_enum, default_value_t = DoseFormat::Text)]
        format: DoseFormat,
    },
    /// Work with the stored records (the same database as the desktop app).
    Db {
        /// Database file [default: the desktop app's, under the user's data folder]
        #[arg(long, global = true)]
        path: Option<PathBuf>,
        /// The clinician acting (recorded in the audit trail). Their passphrase is read from the
        /// file named by TRDCHECK_PASSPHRASE_FILE, or asked for on the terminal; never an argument.
        #[arg(long, global = true, value_name = "NAME")]
        user: Option<String>,
        #[command(subcommand)]
        command: DbCommand,
    },
}

#[derive(Subcommand)]
enum DoseCommand {
    /// mg/kg on actual, ideal (Devine) and adjusted body weight, over 40 minutes; with a
    /// concentration, the volume and the pump rate.
    IvKetamine {
        #[arg(long, allow_negative_numbers = true)]
        weight_kg: f64,
        /// Needed (with --sex) for the ideal and adjusted weights.
        #[arg(long, allow_negative_numbers = true)]
        height_cm: Option<f64>,
        #[arg(long, value_enum)]
        sex: Option<SexArg>,
        /// [default: the site's, else 0.5]
        #[arg(long, allow_negative_numbers = true)]
        mg_per_kg: Option<f64>,
        /// [default: the site's, else actual]
        #[arg(long, value_enum)]
        basis: Option<BasisArg>,
        #[arg(long, allow_negative_numbers = true)]
        concentration_mg_per_ml: Option<f64>,
        /// The site's dosing choices (JSON, or TOML when the name ends in .toml): mg_per_kg,
        /// weight_basis, dose_cap_mg, geriatric_start.
        #[arg(long)]
        site: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = DoseFormat::Text)]
        format: DoseFormat,
    },
    /// The doses the label allows at session N of a course, the devices, and what to do before.
    Esketamine {
        /// The session's number in the course, from 1.
        #[arg(long, allow_negative_numbers = true)]
        session: u32,
        /// The patient's age in years (the 65-and-over start, when the site follows it).
        #[arg(long, allow_negative_numbers = true)]
        age: u32,
        #[arg(long)]
        site: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = DoseFormat::Text)]
        format: DoseFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum DoseFormat {
    Json,
    Text,
}

#[derive(Clone, Copy, ValueEnum)]
enum ScaleArg {
    Phq9,
    Madrs,
}

#[derive(Clone, Copy, ValueEnum)]
enum SexArg {
    Female,
    Male,
    Other,
}

#[derive(Clone, Copy, ValueEnum)]
enum BasisArg {
    Actual,
    Ideal,
    Adjusted,
}

#[derive(Subcommand)]
enum DbCommand {
    /// Set up the encrypted records with their first clinician (--user) and print the recovery
    /// key, once; an earlier version's unencrypted records are encrypted. Set up already: checks
    /// that --user can unlock them and prints the database's path.
    Init,
    /// The clinicians who can unlock the records.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Import an assessment file (v2, or v1 upgraded) as a new draft (creates the patient from its MRN if needed).
    Import { file: PathBuf },
    /// List assessments, newest first; with QUERY, those of matching patients (MRN or name).
    List { query: Option<String> },
    /// Show a stored assessment's summary.
    Show {
        id: i64,
        #[arg(long, value_enum, default_value_t = EvalFormat::Text)]
        format: EvalFormat,
        /// Site policy file [default: the clinic's policy saved in the database, as the app uses]
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Export a stored assessment: assessment JSON, or its summary in another format.
    Export {
        id: i64,
        #[arg(long, value_enum, default_value_t = SummaryFormat::Json)]
        format: SummaryFormat,
        #[arg(long, value_enum, default_value_t = PaperArg::A4)]
        paper: PaperArg,
        /// Site policy file [default: the clinic's policy saved in the database, as the app uses]
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Write to this file instead of standard output.
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
    },
    /// Finalise a draft, signed by --user: it can no longer change (amend it to make a new version).
    Finalise {
        id: i64,
        /// An acknowledgement note for a precaution, as RULE=NOTE (repeat for each).
        #[arg(long = "ack", value_name = "RULE=NOTE")]
        acks: Vec<String>,
        /// Site policy file [default: the clinic's policy saved in the database, as the app uses]
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Amend a finalised assessment: a new draft version of it (its answers and notes copied);
    /// the signed version is kept unchanged.
    Amend { id: i64 },
    /// Copy the whole database to a new file.
    Backup { file: PathBuf },
    /// Replace the database with a backup (checked first).
    Restore { file: PathBuf },
    /// Print the clinic's settings (saved in the database from the app) and their history.
    Settings,
    /// Check the audit trail's hash chain and report the first broken entry.
    Verify,
    /// Treatment courses, each started from a finalised eligible assessment.
    Course {
        #[command(subcommand)]
        command: CourseCommand,
    },
    /// The sessions of a course (docs/session-v1.md).
    Session {
        #[command(subcommand)]
        command: SessionCommand,
    },
}

#[derive(Subcommand)]
enum CourseCommand {
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
enum CourseFormat {
    Json,
    Html,
    Pdf,
    /// FHIR R4 Bundle (Patient, MedicationAdministration, Observation, AdverseEvent)
    Fhir,
}

/// Formats of the REMS form.
#[derive(Clone, Copy, ValueEnum)]
enum FormFormat {
    Text,
    Json,
    Html,
    Pdf,
}

#[derive(Subcommand)]
enum SessionCommand {
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

#[derive(Clone, Copy, ValueEnum)]
enum DocFormat {
    Html,
    Pdf,
}

#[derive(Subcommand)]
enum UserCommand {
    /// List the clinicians (no passphrase needed).
    List,
    /// Add a clinician (by --user). Their passphrase: the file named by
    /// TRDCHECK_NEW_PASSPHRASE_FILE, or asked for twice on the terminal.
    Add { name: String },
    /// Remove a clinician (by --user; not the last one, nor yourself).
    Remove { name: String },
    /// Change --user's passphrase (the new one as for `add`).
    Passwd,
    /// With the recovery key (the file named by TRDCHECK_RECOVERY_KEY_FILE, or asked for), give
    /// NAME a new passphrase: a new clinician, or one who forgot theirs.
    Recover { name: String },
}

#[derive(Clone, Copy, ValueEnum)]
enum EvalFormat {
    Json,
    Text,
    Markdown,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum SummaryFormat {
    /// assessment JSON (db export only)
    Json,
    Text,
    Markdown,
    Html,
    Pdf,
    /// FHIR R4 Bundle (Patient, QuestionnaireResponse, DetectedIssue)
    Fhir,
}

#[derive(Clone, Copy, ValueEnum)]
enum PaperArg {
    A4,
    Letter,
}

impl From<PaperArg> for Paper {
    fn from(p: PaperArg) -> Paper {
        match p {
            PaperArg::A4 => Paper::A4,
            PaperArg::Letter => Paper::Letter,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum RulesFormat {
    Markdown,
    Json,
}

/// A failure to report: the message for stderr and the exit status.
struct Failure(String, u8);

/// Prints a line to standard output; a closed pipe (`trd-check … | head`) ends quietly.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        if let Err(e) = writeln!(stdout, $($arg)*).and_then(|_| stdout.flush()) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            return Err(Failure(format!("standard output: {e}"), 1));
        }
    }};
}

fn main() -> ExitCode {
    // While there is one thread: the time zone the day a record was signed is read in.
    trdcheck::storage::remember_local_offset();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message, status)) => {
            eprintln!("trd-check: error: {message}");
            ExitCode::from(status)
        }
    }
}

fn read_input(file: &PathBuf) -> Result<String, Failure> {
    let mut text = String::new();
    if file.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut text).map_err(|e| Failure(format!("standard input: {e}"), 2))?;
    } else {
        text = std::fs::read_to_string(file).map_err(|e| Failure(format!("{}: {e}", file.display()), 2))?;
    }
    Ok(text)
}

fn load_policy(rules: &RuleSet, path: Option<&PathBuf>) -> Result<SitePolicy, Failure> {
    let overrides = match path {
        Some(p) => PolicyOverrides::from_file(p).map_err(|e| Failure(e.to_string(), 2))?,
        None => PolicyOverrides::default(),
    };
    SitePolicy::resolve(rules, &overrides).map_err(|e| Failure(e.to_string(), 2))
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    serde_json::to_string_pretty(value).map_err(|e| Failure(format!("could not write JSON: {e}"), 1))
}

fn run(cli: Cli) -> Result<(), Failure> {
    let rules = RuleSet::embedded().map_err(|e| Failure(e.to_string(), 1))?;
    match cli.command {
        Command::Evaluate { file, format, policy } => {
            let policy = load_policy(rules, policy.as_ref())?;
            let text = read_input(&file)?;
            let assessment = parse_assessment(&text).map_err(|e| Failure(e.to_string(), 2))?;
            let evaluation = evaluate(&assessment, rules, &policy);
            let out = match format {
                EvalFormat::Json => json(&evaluation)?,
                EvalFormat::Text | EvalFormat::Markdown => {
                    let style = if matches!(format, EvalFormat::Text) { TextStyle::Plain } else { TextStyle::Markdown };
                    Summary::build(&assessment, &evaluation, rules, Context::default()).to_text(style)
                }
            };
            out!("{}", out.trim_end());
        }
        Command::Summary { file, format, output, policy, paper } => {
            let policy = load_policy(rules, policy.as_ref())?;
            let assessment = parse_assessment(&read_input(&file)?).map_err(|e| Failure(e.to_string(), 2))?;
            let evaluation = evaluate(&assessment, rules, &policy);
            let context = Context { generated_at: Some(trdcheck::summary::now_for_display()), ..Context::default() };
            let summary = Summary::build(&assessment, &evaluation, rules, context);
            let bytes = render(&summary, &assessment, &evaluation, rules, format, paper.into())?;
            write_output(bytes, output.as_ref())?;
        }
        Command::Questionnaire => out!("{}", json(&trdcheck::fhir::questionnaire(rules))?),
        Command::Rules { format } => {
            let out = match format {
                RulesFormat::Markdown => trdcheck::rules_doc::rules_markdown(rules),
                RulesFormat::Json => json(rules)?,
            };
            out!("{}", out.trim_end());
        }
        Command::Dose { drug } => run_dose(drug)?,
        Command::Score { scale, items, baseline, remission_threshold, format } => {
            run_score(scale, &items, baseline, remission_threshold, format)?
        }
        Command::Db { path, user, command } => run_db(rules, path, user, command)?,
    }
    Ok(())
}

/// The courses' commands. The gate is judged with the rule set and the clinic's policy in force;
/// the dosing site settings are the defaults (no clinic setting for them yet).
fn run_course(rules: &RuleSet, store: &mut Store, actor: &str, command: CourseCommand) -> Result<(), Failure> {
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
                    json(&trdcheck::course_fhir::course_bundle(&course, &signed, &scores, &patient))? + "\n"
                }
                CourseFormat::Html | CourseFormat::Pdf => {
                    let dosing = dosing::DosingRules::embedded().map_err(|e| Failure(e.to_string(), 1))?;
                    let summary = store.course_summary(id, rules, dosing, None).map_err(storage_failure)?;
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

fn run_session(rules: &RuleSet, store: &mut Store, actor: &str, command: SessionCommand) -> Result<(), Failure> {
    let policy = db_policy(rules, store, None)?;
    let dosing = dosing::DosingRules::embedded().map_err(|e| Failure(e.to_string(), 1))?;
    // The clinic's settings hold the site's dosing choices and its REMS details.
    let settings = store.clinic_settings().map_err(storage_failure)?;
    let now = trdcheck::storage::InForce { rules, policy: &policy, dosing, site: &settings.dosing };
    match command {
        SessionCommand::Import { file, course } => {
            let s = trdcheck::session::parse_session(&read_input(&file)?).map_err(|e| Failure(e.to_string(), 2))?;
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
                trdcheck::storage::SessionOutcome::Treated => "treated",
                trdcheck::storage::SessionOutcome::Deferred => "deferred",
                trdcheck::storage::SessionOutcome::Reassess => "not treated: reassess",
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
        SessionCommand::RemsPending => {
            let pending = store.rems_pending(dosing).map_err(storage_failure)?;
            if pending.is_empty() {
                out!("every treated esketamine session's REMS form is marked submitted");
            }
            let today = trdcheck::summary::today();
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
        }
        SessionCommand::RemsSubmitted { id } => {
            store.mark_rems_submitted(id, actor).map_err(storage_failure)?;
            out!("the REMS form of session {id} is marked submitted by {actor}");
        }
        SessionCommand::Rems { id, setting, format, paper, output } => {
            let setting: trdcheck::rems::RemsSetting = match setting.as_ref() {
                Some(file) => load_settings_file(Some(file), "REMS setting file")?,
                None => settings.rems_setting(),
            };
            let form = store.rems_form(id, dosing, &setting).map_err(storage_failure)?;
            let paper = Paper::from(paper);
            let bytes = match format {
                FormFormat::Json => (json(&form)? + "\n").into_bytes(),
                FormFormat::Text => form.to_text().into_bytes(),
                FormFormat::Html => form.to_html(paper).into_bytes(),
                FormFormat::Pdf => form.to_pdf(paper).map_err(|e| Failure(e.to_string(), 1))?,
            };
            write_output(bytes, output.as_ref())?;
            let course = store.session(id).map_err(storage_failure)?.course_id;
            let name = format.to_possible_value().map_or_else(String::new, |v| v.get_name().to_string());
            store.record_course_export(course, Some(id), "rems_form", &name, actor).map_err(storage_failure)?;
        }
        SessionCommand::Summary { id, format, paper, output } => {
            let record = store.session(id).map_err(storage_failure)?;
            let summary = store
                .course_summary(record.course_id, rules, dosing, Some(record.session.number))
                .map_err(storage_failure)?;
            write_document(&summary, matches!(format, DocFormat::Pdf), paper.into(), output.as_ref())?;
            let name = if matches!(format, DocFormat::Pdf) { "pdf" } else { "html" };
            store
                .record_course_export(record.course_id, Some(id), "session_summary", name, actor)
                .map_err(storage_failure)?;
        }
    }
    Ok(())
}

/// A settings file (JSON, or TOML when the name ends in `.toml`); none: the defaults.
fn load_settings_file<T: serde::de::DeserializeOwned + Default>(
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

fn load_dosing_site(path: Option<&PathBuf>) -> Result<dosing::DosingSite, Failure> {
    load_settings_file(path, "site dosing file")
}

fn run_score(
    scale: ScaleArg,
    items: &[String],
    baseline: Option<u32>,
    remission_threshold: Option<u32>,
    format: DoseFormat,
) -> Result<(), Failure> {
    let scales = trdcheck::scales::Scales::embedded().map_err(|e| Failure(e.to_string(), 1))?;
    let id = match scale {
        ScaleArg::Phq9 => "phq9",
        ScaleArg::Madrs => "madrs",
    };
    let scale = scales.get(id).ok_or_else(|| Failure(format!("the scale {id} is not built in"), 1))?;
    let answers = items
        .iter()
        .enumerate()
        .map(|(i, text)| {
            text.trim()
                .parse::<u32>()
                .map_err(|_| Failure(format!("items[{i}]: item {} is {text:?}, not a whole number from 0", i + 1), 2))
        })
        .collect::<Result<Vec<u32>, Failure>>()?;
    let score = scale.score(&answers, baseline, remission_threshold).map_err(|e| Failure(e.to_string(), 2))?;
    match format {
        DoseFormat::Json => out!("{}", json(&score)?),
        DoseFormat::Text => out!("{}", score.to_text().trim_end()),
    }
    Ok(())
}

fn run_dose(drug: DoseCommand) -> Result<(), Failure> {
    let rules = dosing::DosingRules::embedded().map_err(|e| Failure(e.to_string(), 1))?;
    let rejected = |e: trdcheck::InputError| Failure(e.to_string(), 2);
    match drug {
        DoseCommand::IvKetamine {
            weight_kg,
            height_cm,
            sex,
            mg_per_kg,
            basis,
            concentration_mg_per_ml,
            site,
            format,
        } => {
            let site = load_dosing_site(site.as_ref())?;
            let req = dosing::IvRequest {
                weight_kg,
                height_cm,
                sex: sex.map(|s| match s {
                    SexArg::Female => trdcheck::model::Sex::Female,
                    SexArg::Male => trdcheck::model::Sex::Male,
                    SexArg::Other => trdcheck::model::Sex::Other,
                }),
                mg_per_kg,
                basis: basis.map(|b| match b {
                    BasisArg::Actual => dosing::WeightBasis::Actual,
                    BasisArg::Ideal => dosing::WeightBasis::Ideal,
                    BasisArg::Adjusted => dosing::WeightBasis::Adjusted,
                }),
                concentration_mg_per_ml,
            };
            let dose = dosing::iv_ketamine(rules, &site, &req).map_err(rejected)?;
            match format {
                DoseFormat::Json => out!("{}", json(&dose)?),
                DoseFormat::Text => out!("{}", dose.to_text().trim_end()),
            }
        }
        DoseCommand::Esketamine { session, age, site, format } => {
            let site = load_dosing_site(site.as_ref())?;
            let req = dosing::EsketamineRequest { session, age_years: age };
            let dose = dosing::esketamine(rules, &site, &req).map_err(rejected)?;
            match format {
                DoseFormat::Json => out!("{}", json(&dose)?),
                DoseFormat::Text => out!("{}", dose.to_text().trim_end()),
            }
        }
    }
    Ok(())
}

fn render(
    summary: &Summary,
    assessment: &trdcheck::Assessment,
    evaluation: &trdcheck::Evaluation,
    rules: &RuleSet,
    format: SummaryFormat,
    paper: Paper,
) -> Result<Vec<u8>, Failure> {
    Ok(match format {
        SummaryFormat::Json => json(evaluation)?.into_bytes(),
        SummaryFormat::Text => summary.to_text(TextStyle::Plain).into_bytes(),
        SummaryFormat::Markdown => summary.to_text(TextStyle::Markdown).into_bytes(),
        SummaryFormat::Html => summary.to_html(paper).into_bytes(),
        SummaryFormat::Pdf => summary.to_pdf(paper).map_err(|e| Failure(e.to_string(), 1))?,
        SummaryFormat::Fhir => {
            json(&trdcheck::fhir::bundle(assessment, evaluation, rules, &summary.context))?.into_bytes()
        }
    })
}

/// A course or session summary as HTML or PDF, to the file or standard output.
fn write_document(
    summary: &trdcheck::course_summary::CourseSummary,
    pdf: bool,
    paper: Paper,
    output: Option<&PathBuf>,
) -> Result<(), Failure> {
    let bytes = if pdf {
        summary.to_pdf(paper).map_err(|e| Failure(e.to_string(), 1))?
    } else {
        summary.to_html(paper).into_bytes()
    };
    write_output(bytes, output)
}

fn write_output(bytes: Vec<u8>, output: Option<&PathBuf>) -> Result<(), Failure> {
    match output {
        Some(path) => std::fs::write(path, &bytes).map_err(|e| Failure(format!("{}: {e}", path.display()), 1)),
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(&bytes).and_then(|_| stdout.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(Failure(format!("standard output: {e}"), 1))
                }
                _ => Ok(()),
            }
        }
    }
}

fn storage_failure(e: StorageError) -> Failure {
    let status = if e.code().is_request_error() { 2 } else { 1 };
    // The command that does what the message advises.
    let hint = match &e {
        StorageError::Finalised(id) => format!(" (trd-check db amend {id})"),
        _ => String::new(),
    };
    Failure(format!("{e}{hint}"), status)
}

fn text_style(format: EvalFormat) -> TextStyle {
    if matches!(format, EvalFormat::Markdown) {
        TextStyle::Markdown
    } else {
        TextStyle::Plain
    }
}

/// The policy of a stored record's evaluation: the file given, else the clinic's policy saved in
/// the database (the app's Settings). Settings that cannot be read are an error, not defaults.
fn db_policy(rules: &RuleSet, store: &Store, file: Option<&PathBuf>) -> Result<SitePolicy, Failure> {
    if file.is_some() {
        return load_policy(rules, file);
    }
    // An older desktop app kept the clinic's settings in settings.json beside the database; the
    // app moves them in at its next start. Until then they are not known here: no default.
    if !store.has_clinic_settings().map_err(storage_failure)? {
        if let Some(legacy) =
            store.path().and_then(|p| p.parent()).map(|d| d.join(trdcheck::storage::settings::LEGACY_FILE))
        {
            // A file that cannot be read may hold them too.
            let holds_settings = std::fs::read(&legacy).ok().is_some_and(|b| {
                serde_json::from_slice::<serde_json::Value>(&b)
                    .map_or(true, |v| v.get(trdcheck::storage::settings::LEGACY_KEY).is_some())
            });
            if holds_settings {
                return Err(Failure(
                    format!(
                        "the clinic's settings are still in {} (kept there by an earlier version): start the desktop app once to move them into the records, or give --policy",
                        legacy.display()
                    ),
                    2,
                ));
            }
        }
    }
    let settings = store.clinic_settings().map_err(storage_failure)?;
    SitePolicy::resolve(rules, &settings.policy).map_err(|e| Failure(e.to_string(), 2))
}

/// A secret: the file named by `env` (one trailing line break dropped), else asked for on the
/// terminal (twice when `confirm`). Never an argument, never echoed.
fn secret(env: &str, prompt: &str, confirm: bool) -> Result<Zeroizing<String>, Failure> {
    if let Some(file) = std::env::var_os(env) {
        let text = Zeroizing::new(
            std::fs::read_to_string(&file)
                .map_err(|e| Failure(format!("{env}: {}: {e}", PathBuf::from(&file).display()), 2))?,
        );
        let line = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text);
        return Ok(Zeroizing::new(line.to_string()));
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure(format!("{prompt}: not in a terminal; name a file holding it in {env}"), 2));
    }
    let read = |p: &str| {
        rpassword::prompt_password(format!("{p}: ")).map(Zeroizing::new).map_err(|e| Failure(format!("{p}: {e}"), 2))
    };
    let first = read(prompt)?;
    if confirm && *read(&format!("{prompt} (again)"))? != *first {
        return Err(Failure("the two passphrases differ; nothing was changed".into(), 2));
    }
    Ok(first)
}

const PASSPHRASE_FILE: &str = "TRDCHECK_PASSPHRASE_FILE";
const NEW_PASSPHRASE_FILE: &str = "TRDCHECK_NEW_PASSPHRASE_FILE";
const RECOVERY_KEY_FILE: &str = "TRDCHECK_RECOVERY_KEY_FILE";

fn vault_failure(e: VaultError) -> Failure {
    let status = if e.code().is_request_error() { 2 } else { 1 };
    Failure(e.to_string(), status)
}

fn user_needed(user: Option<String>) -> Result<String, Failure> {
    user.ok_or_else(|| Failure("--user NAME is needed: the clinician acting".into(), 2))
}

/// Unlocks the records as `user` (their passphrase as [`secret`] reads it).
fn sign_in(vault: &Vault, user: Option<String>) -> Result<Unlocked, Failure> {
    let user = user_needed(user)?;
    let passphrase = secret(PASSPHRASE_FILE, &format!("passphrase for {user}"), false)?;
    vault.unlock(&user, &passphrase).map_err(vault_failure)
}

fn print_recovery_key(key: &str) -> Result<(), Failure> {
    out!("recovery key (shown this once: print it or write it down, and keep it offline, away from this computer):");
    out!("  {key}");
    out!("With it a clinician can be given a new passphrase when every passphrase is forgotten (trd-check db user recover NAME).");
    Ok(())
}

fn run_user(vault: &Vault, user: Option<String>, command: UserCommand) -> Result<(), Failure> {
    match command {
        UserCommand::List => match vault.status().map_err(vault_failure)? {
            Status::Ready { clinicians, recovery_key } => {
                for name in clinicians {
                    out!("{name}");
                }
                if !recovery_key {
                    out!("(no recovery key)");
                }
            }
            _ => return Err(vault_failure(VaultError::NotSetUp)),
        },
        UserCommand::Add { name } => {
            let by = sign_in(vault, user)?;
            let passphrase = secret(NEW_PASSPHRASE_FILE, &format!("new passphrase for {name}"), true)?;
            let name = vault.add_clinician(&by, &name, &passphrase).map_err(vault_failure)?;
            audit(vault, &by, "clinician_added", &name)?;
            out!("{name} can now unlock the records");
        }
        UserCommand::Remove { name } => {
            let by = sign_in(vault, user)?;
            let name = vault.remove_clinician(&by, &name).map_err(vault_failure)?;
            audit(vault, &by, "clinician_removed", &name)?;
            out!("{name} can no longer unlock the records");
        }
        UserCommand::Passwd => {
            let user = user_needed(user)?;
            let old = secret(PASSPHRASE_FILE, &format!("passphrase for {user}"), false)?;
            let by = vault.unlock(&user, &old).map_err(vault_failure)?;
            let new = secret(NEW_PASSPHRASE_FILE, &format!("new passphrase for {user}"), true)?;
            vault.change_passphrase(&user, &old, &new).map_err(vault_failure)?;
            audit(vault, &by, "passphrase_changed", &by.clinician)?;
            out!("the passphrase of {} was changed", by.clinician);
        }
        UserCommand::Recover { name } => {
            let recovery = secret(RECOVERY_KEY_FILE, "recovery key", false)?;
            let passphrase = secret(NEW_PASSPHRASE_FILE, &format!("new passphrase for {name}"), true)?;
            let by = vault.recover(&recovery, &name, &passphrase).map_err(vault_failure)?;
            audit(vault, &by, "recovered", &by.clinician)?;
            out!("{} can unlock the records with the new passphrase", by.clinician);
        }
    }
    Ok(())
}

/// An audit entry of an account change, in the records.
fn audit(vault: &Vault, by: &Unlocked, action: &str, name: &str) -> Result<(), Failure> {
    let mut store = Store::open(vault.database(), &by.key).map_err(storage_failure)?;
    store.record_access(&by.clinician, action, Some(name)).map_err(storage_failure)
}

fn run_db(rules: &RuleSet, path: Option<PathBuf>, user: Option<String>, command: DbCommand) -> Result<(), Failure> {
    let path =
        path.or_else(default_path).ok_or_else(|| Failure("no data folder for this user; give --path".into(), 2))?;
    let vault = Vault::new(&path);
    let unlocked = match command {
        DbCommand::User { command } => return run_user(&vault, user, command),
        DbCommand::Init => match vault.status().map_err(vault_failure)? {
            Status::New | Status::Unencrypted => {
                let user = user_needed(user)?;
                let passphrase = secret(PASSPHRASE_FILE, &format!("new passphrase for {user}"), true)?;
                let (unlocked, recovery) = vault.set_up(&user, &passphrase).map_err(vault_failure)?;
                // The recovery key first: whatever happens next, it has been seen.
                print_recovery_key(&recovery)?;
                vault.finish_encryption(&unlocked.key).map_err(vault_failure)?;
                let mut store = Store::open(&path, &unlocked.key).map_err(storage_failure)?;
                store
                    .record_access(&unlocked.clinician, "set_up", Some(&unlocked.clinician))
                    .map_err(storage_failure)?;
                out!("{}", path.display());
                out!("set up for {}; the records are encrypted", unlocked.clinician);
                return Ok(());
            }
            Status::Ready { .. } => sign_in(&vault, user)?,
        },
        _ => sign_in(&vault, user)?,
    };
    let actor = unlocked.clinician.clone();
    // Commands that only read open at once; the full integrity check (every page decrypted:
    // seconds for a large clinic) runs for the others before they write (an export writes its
    // entry in the audit trail), and in `verify`.
    let reads_only = matches!(
        &command,
        DbCommand::List { .. }
            | DbCommand::Show { .. }
            | DbCommand::Settings
            | DbCommand::Session { command: SessionCommand::Check { .. } | SessionCommand::RemsPending }
    );
    let open = if reads_only { Store::open_to_read } else { Store::open };
    let mut store = open(&path, &unlocked.key).map_err(storage_failure)?;
    match command {
        DbCommand::Init | DbCommand::User { .. } => out!("{}", path.display()),
        DbCommand::Import { file } => {
            let record = store.import(&read_input(&file)?, &actor).map_err(storage_failure)?;
            out!("imported as assessment {} (draft, patient {})", record.id, record.answers.patient.id);
        }
        DbCommand::List { query } => {
            let listings = match query {
                None => store.recent_assessments(200).map_err(storage_failure)?,
                Some(q) => {
                    let mut all = Vec::new();
                    for p in store.search_patients(&q, 50).map_err(storage_failure)? {
                        all.extend(store.assessments_of(p.id).map_err(storage_failure)?);
                    }
                    all
                }
            };
            out!(
                "{:>6}  {:<14}  {:<24}  {:>3}  {:<6}  {:<26}  updated",
                "id",
                "MRN",
                "name",
                "v",
                "status",
                "determination"
            );
            for l in listings {
                let det = l.determination.map_or("(draft)", |d| d.as_str());
                let status = match l.status {
                    trdcheck::storage::RecordStatus::Draft => "draft",
                    trdcheck::storage::RecordStatus::Final if l.amended_by.is_some() => "amended",
                    trdcheck::storage::RecordStatus::Final => "final",
                };
                out!(
                    "{:>6}  {:<14}  {:<24}  {:>3}  {:<6}  {:<26}  {}",
                    l.id,
                    l.mrn,
                    if l.patient_name.is_empty() { "(no name)" } else { &l.patient_name },
                    l.version,
                    status,
                    det,
                    l.updated_at
                );
            }
        }
        DbCommand::Show { id, format, policy } => {
            let policy = db_policy(rules, &store, policy.as_ref())?;
            let record = store.assessment(id).map_err(storage_failure)?;
            let patient = store.patient(record.patient_id).map_err(storage_failure)?;
            let evaluation = record.evaluation(rules, &policy);
            let out = match format {
                EvalFormat::Json => json(&evaluation)?,
                _ => Summary::build(
                    &record.answers,
                    &evaluation,
                    record.rules_for_display(rules),
                    record.summary_context(&patient),
                )
                .to_text(text_style(format)),
            };
            out!("{}", out.trim_end());
        }
        DbCommand::Export { id, format, paper, policy, output } => {
            let policy = db_policy(rules, &store, policy.as_ref())?;
            let format_name = format.to_possible_value().map_or("json".to_string(), |v| v.get_name().to_string());
            let record = store.assessment(id).map_err(storage_failure)?;
            let bytes = if format == SummaryFormat::Json {
                (json(&record.answers)? + "\n").into_bytes()
            } else {
                let patient = store.patient(record.patient_id).map_err(storage_failure)?;
                let evaluation = record.evaluation(rules, &policy);
                let mut context = record.summary_context(&patient);
                context.generated_at = Some(trdcheck::summary::now_for_display());
                let shown_with = record.rules_for_display(rules);
                let summary = Summary::build(&record.answers, &evaluation, shown_with, context);
                render(&summary, &record.answers, &evaluation, shown_with, format, paper.into())?
            };
            write_output(bytes, output.as_ref())?;
            // Recorded once the document exists, as the app does.
            store.export(id, &format_name, &actor).map_err(storage_failure)?;
        }
        DbCommand::Finalise { id, acks, policy } => {
            let policy = db_policy(rules, &store, policy.as_ref())?;
            let mut notes = Vec::new();
            for ack in &acks {
                let (rule, note) =
                    ack.split_once('=').ok_or_else(|| Failure(format!("--ack {ack:?}: write it as RULE=NOTE"), 2))?;
                notes.push((rule.trim(), note));
            }
            // The notes and the finalisation in one transaction: when it is refused, nothing is kept.
            let record = store.finalise_with_notes(id, &actor, &notes, rules, &policy).map_err(storage_failure)?;
            let det = record.snapshot.as_ref().map_or("", |s| s.evaluation.determination.as_str());
            out!("assessment {id} finalised by {actor}: {det}");
        }
        DbCommand::Amend { id } => {
            let r = store.amend(id, &actor).map_err(storage_failure)?;
            out!("assessment {} is version {} of assessment {id}, a draft", r.id, r.version);
        }
        DbCommand::Backup { file } => {
            store.backup(&file, &actor).map_err(storage_failure)?;
            out!("backed up to {}", file.display());
        }
        DbCommand::Restore { file } => {
            store.restore(&file, &actor).map_err(storage_failure)?;
            out!("restored from {}", file.display());
        }
        DbCommand::Settings => {
            let settings = store.clinic_settings().map_err(storage_failure)?;
            out!("{}", json(&settings)?);
            out!("history:");
            for e in store.settings_history().map_err(storage_failure)? {
                let value = |v: &Option<String>| v.clone().unwrap_or_else(|| "(not set)".into());
                match &e.field {
                    Some(key) => {
                        out!("  {}  {}  {key}: {} -> {}", e.at, e.actor, value(&e.old_value), value(&e.new_value))
                    }
                    None => out!("  {}  {}  {}", e.at, e.actor, e.detail.as_deref().unwrap_or("")),
                }
            }
        }
        DbCommand::Course { command } => run_course(rules, &mut store, &actor, command)?,
        DbCommand::Session { command } => run_session(rules, &mut store, &actor, command)?,
        DbCommand::Verify => {
            let report = store.verify().map_err(storage_failure)?;
            if let Some((seq, reason)) = report.first_broken {
                return Err(Failure(format!("audit entry {seq} is broken: {reason}"), 1));
            }
            let (signed, broken) = store.broken_signatures().map_err(storage_failure)?;
            if let Some(id) = broken.first() {
                return Err(Failure(
                    format!(
                        "assessment {id} no longer matches the hash that was signed ({} of {signed})",
                        broken.len()
                    ),
                    1,
                ));
            }
            let (sessions, broken) = store.broken_session_signatures().map_err(storage_failure)?;
            if let Some(id) = broken.first() {
                return Err(Failure(
                    format!("session {id} no longer matches the hash that was signed ({} of {sessions})", broken.len()),
                    1,
                ));
            }
            let (scores, broken) = store.broken_administration_signatures().map_err(storage_failure)?;
            if let Some(id) = broken.first() {
                return Err(Failure(
                    format!(
                        "scale administration {id} no longer matches the hash that was signed ({} of {scores})",
                        broken.len()
                    ),
                    1,
                ));
            }
            out!(
                "audit trail intact: {} entries; {signed} signed records, {sessions} signed sessions and {scores} signed scale administrations match their signatures; database integrity ok",
                report.entries
            );
        }
    }
    Ok(())
}
