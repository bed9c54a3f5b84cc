//! `trd-check`: evaluate an assessment file, print the rule set.
//! Exit status: 0 when evaluated (whatever the determination), 2 when the input is rejected.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use trdcheck::documents::summary::{Context, Summary};
use trdcheck::documents::summary_text::TextStyle;
use trdcheck::records::clinic_details::Paper;
use trdcheck::records::{default_path, StorageError, Store};
use trdcheck::treatment::dosing;
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
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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

/// A failure to report: the message for stderr and the exit status.
pub(crate) struct Failure(String, u8);

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

mod assessments;
mod course;
mod db;
mod dose;
mod output;
mod score;
mod session;
mod user;

use course::*;
use db::*;
use dose::*;
use output::*;
use score::*;
use session::*;
use user::*;

fn main() -> ExitCode {
    // While there is one thread: the time zone the day a record was signed is read in.
    trdcheck::records::remember_local_offset();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message, status)) => {
            eprintln!("trd-check: error: {message}");
            ExitCode::from(status)
        }
    }
}

pub(crate) fn read_input(file: &PathBuf) -> Result<String, Failure> {
    let mut text = String::new();
    if file.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut text).map_err(|e| Failure(format!("standard input: {e}"), 2))?;
    } else {
        text = std::fs::read_to_string(file).map_err(|e| Failure(format!("{}: {e}", file.display()), 2))?;
    }
    Ok(text)
}

pub(crate) fn load_policy(rules: &RuleSet, path: Option<&PathBuf>) -> Result<SitePolicy, Failure> {
    let overrides = match path {
        Some(p) => PolicyOverrides::from_file(p).map_err(|e| Failure(e.to_string(), 2))?,
        None => PolicyOverrides::default(),
    };
    SitePolicy::resolve(rules, &overrides).map_err(|e| Failure(e.to_string(), 2))
}

pub(crate) fn json<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    serde_json::to_string_pretty(value).map_err(|e| Failure(format!("could not write JSON: {e}"), 1))
}

pub(crate) fn run(cli: Cli) -> Result<(), Failure> {
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
            let context =
                Context { generated_at: Some(trdcheck::documents::summary::now_for_display()), ..Context::default() };
            let summary = Summary::build(&assessment, &evaluation, rules, context);
            let bytes = render(&summary, &assessment, &evaluation, rules, format, paper.into())?;
            write_output(bytes, output.as_ref())?;
        }
        Command::Questionnaire => out!("{}", json(&trdcheck::documents::fhir::questionnaire(rules))?),
        Command::Rules { format } => {
            let out = match format {
                RulesFormat::Markdown => trdcheck::documents::rules_doc::rules_markdown(rules),
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
