//! `trd-check db`: the encrypted records (set-up, assessments, backups, settings, verify); the
//! course and session commands have their own modules.

use super::*;

#[derive(Subcommand)]
pub(crate) enum DbCommand {
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

pub(crate) fn storage_failure(e: StorageError) -> Failure {
    let status = if e.code().is_request_error() { 2 } else { 1 };
    // The command that does what the message advises.
    let hint = match &e {
        StorageError::Finalised(id) => format!(" (trd-check db amend {id})"),
        _ => String::new(),
    };
    Failure(format!("{e}{hint}"), status)
}

/// The policy of a stored record's evaluation: the file given, else the clinic's policy saved in
/// the database (the app's Settings). Settings that cannot be read are an error, not defaults.
pub(crate) fn db_policy(rules: &RuleSet, store: &Store, file: Option<&PathBuf>) -> Result<SitePolicy, Failure> {
    if file.is_some() {
        return load_policy(rules, file);
    }
    // An older desktop app kept the clinic's settings in settings.json beside the database; the
    // app moves them in at its next start. Until then they are not known here: no default.
    if !store.has_clinic_settings().map_err(storage_failure)? {
        if let Some(legacy) =
            store.path().and_then(|p| p.parent()).map(|d| d.join(trdcheck::records::settings::LEGACY_FILE))
        {
            // A file that cannot be read may hold them too.
            let holds_settings = std::fs::read(&legacy).ok().is_some_and(|b| {
                serde_json::from_slice::<serde_json::Value>(&b)
                    .map_or(true, |v| v.get(trdcheck::records::settings::LEGACY_KEY).is_some())
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

pub(crate) fn run_db(
    rules: &RuleSet,
    path: Option<PathBuf>,
    user: Option<String>,
    command: DbCommand,
) -> Result<(), Failure> {
    let path =
        path.or_else(default_path).ok_or_else(|| Failure("no data folder for this user; give --path".into(), 2))?;
    let vault = Vault::new(&path);
    let unlocked = match command {
        DbCommand::User { command } => return run_user(&vault, user, command),
        DbCommand::Init => match vault.status().map_err(vault_failure)? {
            Status::New | Status::Unencrypted => return set_up(&vault, &path, user),
            Status::Ready { .. } => sign_in(&vault, user)?,
        },
        _ => sign_in(&vault, user)?,
    };
    let actor = unlocked.clinician.clone();
    // Commands that only read open at once; the full integrity check (every page decrypted:
    // seconds for a large clinic) runs for the others before they write, and in `verify`. An
    // export reads, then appends its entry to the audit trail without the full check
    // (`Store::record_read`).
    let reads_only = matches!(
        &command,
        DbCommand::List { .. }
            | DbCommand::Show { .. }
            | DbCommand::Export { .. }
            | DbCommand::Settings
            | DbCommand::Course { command: CourseCommand::Export { .. } }
            | DbCommand::Session {
                command: SessionCommand::Check { .. }
                    | SessionCommand::RemsPending
                    | SessionCommand::Rems { .. }
                    | SessionCommand::Summary { .. }
            }
    );
    let open = if reads_only { Store::open_to_read } else { Store::open };
    let mut store = open(&path, &unlocked.key).map_err(storage_failure)?;
    match command {
        DbCommand::Init | DbCommand::User { .. } => out!("{}", path.display()),
        DbCommand::Import { file } => {
            let record = store.import(&read_input(&file)?, &actor).map_err(storage_failure)?;
            out!("imported as assessment {} (draft, patient {})", record.id, record.answers.patient.id);
        }
        DbCommand::List { query } => assessments::list(&store, query)?,
        DbCommand::Show { id, format, policy } => assessments::show(rules, &store, id, format, policy.as_ref())?,
        DbCommand::Export { id, format, paper, policy, output } => {
            assessments::export(rules, &mut store, &actor, (id, format, paper), policy.as_ref(), output.as_ref())?
        }
        DbCommand::Finalise { id, acks, policy } => {
            assessments::finalise(rules, &mut store, &actor, id, &acks, policy.as_ref())?
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
        DbCommand::Settings => settings(&store)?,
        DbCommand::Course { command } => run_course(rules, &mut store, &actor, command)?,
        DbCommand::Session { command } => run_session(rules, &mut store, &actor, command)?,
        DbCommand::Verify => verify(&store)?,
    }
    Ok(())
}

/// The clinic settings and their history.
fn settings(store: &Store) -> Result<(), Failure> {
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
    Ok(())
}

/// The audit chain and every signature; the full integrity check ran when the records opened.
fn verify(store: &Store) -> Result<(), Failure> {
    let report = store.verify().map_err(storage_failure)?;
    if let Some((seq, reason)) = report.first_broken {
        return Err(Failure(format!("audit entry {seq} is broken: {reason}"), 1));
    }
    let (signed, broken) = store.broken_signatures().map_err(storage_failure)?;
    if let Some(id) = broken.first() {
        return Err(Failure(
            format!("assessment {id} no longer matches the hash that was signed ({} of {signed})", broken.len()),
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
    Ok(())
}

/// Sets up the first clinician (an earlier version's records are encrypted) and shows the recovery
/// key once.
fn set_up(vault: &Vault, path: &std::path::Path, user: Option<String>) -> Result<(), Failure> {
    let user = user_needed(user)?;
    let passphrase = secret(PASSPHRASE_FILE, &format!("new passphrase for {user}"), true)?;
    let (unlocked, recovery) = vault.set_up(&user, &passphrase).map_err(vault_failure)?;
    // The recovery key first: whatever happens next, it has been seen.
    print_recovery_key(&recovery)?;
    vault.finish_encryption(&unlocked.key).map_err(vault_failure)?;
    let mut store = Store::open(path, &unlocked.key).map_err(storage_failure)?;
    store.record_access(&unlocked.clinician, "set_up", Some(&unlocked.clinician)).map_err(storage_failure)?;
    out!("{}", path.display());
    out!("set up for {}; the records are encrypted", unlocked.clinician);
    Ok(())
}
