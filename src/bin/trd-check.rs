//! `trd-check`: evaluate an assessment file, print the rule set.
//! Exit status: 0 when evaluated (whatever the determination), 2 when the input is rejected.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use trdcheck::summary::{Context, Summary, TextStyle};
use trdcheck::{evaluate, parse_assessment, PolicyOverrides, RuleSet, SitePolicy};

#[derive(Parser)]
#[command(
    name = "trd-check",
    version,
    about = "Eligibility checklist for ketamine or esketamine in treatment-resistant depression",
    long_about = "Eligibility checklist for ketamine or esketamine in treatment-resistant depression.\n\n\
        Reads an assessment in the trdcheck/assessment/v1 JSON format and reports the determination \
        (eligible, eligible_with_precautions, not_eligible, incomplete) with every finding and its source.\n\
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
        /// The assessment (trdcheck/assessment/v1 JSON), or - for standard input.
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = EvalFormat::Json)]
        format: EvalFormat,
        /// Site policy file (JSON, or TOML when the name ends in .toml); defaults apply otherwise.
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Print the rule set for review.
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Markdown)]
        format: RulesFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum EvalFormat {
    Json,
    Text,
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum RulesFormat {
    Markdown,
    Json,
}

/// A failure to report: the message for stderr and the exit status.
struct Failure(String, u8);

fn main() -> ExitCode {
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
            println!("{}", out.trim_end());
        }
        Command::Rules { format } => {
            let out = match format {
                RulesFormat::Markdown => trdcheck::rules_doc::rules_markdown(rules),
                RulesFormat::Json => json(rules)?,
            };
            println!("{}", out.trim_end());
        }
    }
    Ok(())
}
