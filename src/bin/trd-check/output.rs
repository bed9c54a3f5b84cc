//! What the commands write: the formats and paper sizes they take, the summary in each format,
//! and the file or standard output it goes to.

use super::*;

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum EvalFormat {
    Json,
    Text,
    Markdown,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
pub(crate) enum SummaryFormat {
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
pub(crate) enum PaperArg {
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
pub(crate) enum RulesFormat {
    Markdown,
    Json,
}

pub(crate) fn render(
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
            json(&trdcheck::documents::fhir::bundle(assessment, evaluation, rules, &summary.context))?.into_bytes()
        }
    })
}

/// A course or session summary as HTML or PDF, to the file or standard output.
pub(crate) fn write_document(
    summary: &trdcheck::documents::course_summary::CourseSummary,
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

pub(crate) fn write_output(bytes: Vec<u8>, output: Option<&PathBuf>) -> Result<(), Failure> {
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

pub(crate) fn text_style(format: EvalFormat) -> TextStyle {
    if matches!(format, EvalFormat::Markdown) {
        TextStyle::Markdown
    } else {
        TextStyle::Plain
    }
}
