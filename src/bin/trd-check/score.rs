//! `trd-check score`: an outcome scale scored from its item answers.

use super::*;

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ScaleArg {
    Phq9,
    Madrs,
}

pub(crate) fn run_score(
    scale: ScaleArg,
    items: &[String],
    baseline: Option<u32>,
    remission_threshold: Option<u32>,
    format: DoseFormat,
) -> Result<(), Failure> {
    let scales = trdcheck::outcomes::scales::Scales::embedded().map_err(|e| Failure(e.to_string(), 1))?;
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
