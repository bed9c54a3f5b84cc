//! `trd-check dose`: the dose calculators (IV ketamine by weight, esketamine by schedule).

use super::*;

#[derive(Subcommand)]
pub(crate) enum DoseCommand {
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
pub(crate) enum DoseFormat {
    Json,
    Text,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum SexArg {
    Female,
    Male,
    Other,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum BasisArg {
    Actual,
    Ideal,
    Adjusted,
}

pub(crate) fn run_dose(drug: DoseCommand) -> Result<(), Failure> {
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
                    SexArg::Female => trdcheck::eligibility::model::Sex::Female,
                    SexArg::Male => trdcheck::eligibility::model::Sex::Male,
                    SexArg::Other => trdcheck::eligibility::model::Sex::Other,
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
