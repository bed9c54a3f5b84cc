//! The SPRAVATO REMS Patient Monitoring Form (outpatient), filled from a finalised esketamine
//! session, its patient, the course's assessment and the clinic's REMS details, in the form's
//! order (reference.md §7.3). A field the records cannot fill is left empty and named in
//! [`RemsForm::missing`]; a field filled by splitting the one name the records keep is marked for
//! checking ([`RemsForm::to_check`]); nothing is filled silently from a guess.

use serde::{Deserialize, Serialize};

use crate::eligibility::engine::Evaluation;
use crate::eligibility::model::Sex;
use crate::records::clinic_details::{RemsSetting, HCP};
use crate::records::{Patient, SessionRecord, Store};
use crate::treatment::dosing::{DosingRules, RemsFormRules};
use crate::treatment::pre_dose::GateDecision;
use crate::treatment::session::Session;

/// One field of the form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormField {
    pub section: String,
    pub label: String,
    pub value: Option<String>,
    /// Why the value must be checked by hand before the form is submitted (a name split from the
    /// one name the records keep), printed beside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemsForm {
    pub fields: Vec<FormField>,
    /// Submit within this many days of the session (REMS-6).
    pub submit_within_days: u32,
}

fn yes_no(v: Option<bool>) -> Option<String> {
    v.map(|b| if b { "Yes" } else { "No" }.to_string())
}

/// YYYY-MM-DD → MM/DD/YYYY, as the form writes dates.
fn us_date(iso: &str) -> Option<String> {
    let mut parts = iso.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    (y.len() == 4 && m.len() == 2 && d.len() == 2).then(|| format!("{m}/{d}/{y}"))
}

fn bp(s: Option<f64>, d: Option<f64>) -> Option<String> {
    Some(format!("{}/{} mmHg", s?, d?))
}

/// First name and last name from the one name the records keep, where a split is likely: two
/// words of the Latin script, a leading title (Dr, Dra, Prof, Mr, Mrs, Ms, Mx, Miss, Sr, Sra, د.)
/// dropped. Even then it is a guess ("García López" may be two family names, "Wang Fang" written
/// family name first), so the form marks both for checking. Anything else ("Ana García López",
/// "Maria del Carmen Núñez", a script without that order) is left to be written by hand (issue 24).
fn split_name(name: &str) -> (Option<String>, Option<String>) {
    const TITLES: [&str; 11] = ["dr", "dra", "prof", "mr", "mrs", "ms", "mx", "miss", "sr", "sra", "د"];
    let mut words: Vec<&str> = name.split_whitespace().collect();
    // A leading title ("Dr Ana Ruiz", "د. …") is not a first name.
    while words.len() > 1 && TITLES.contains(&words[0].trim_end_matches('.').to_lowercase().as_str()) {
        words.remove(0);
    }
    let latin = |w: &str| {
        w.chars()
            .all(|c| c.is_ascii_alphabetic() || matches!(c, '\'' | '-' | '.') || ('\u{C0}'..='\u{24F}').contains(&c))
    };
    match words.as_slice() {
        [first, last] if latin(first) && latin(last) => (Some((*first).to_string()), Some((*last).to_string())),
        _ => (None, None),
    }
}

/// Fills the form. `treated_before`: the patient's esketamine doses before this session, in any
/// course (none: this is the first treatment); `evaluation`: the course's signed assessment (its medication classes);
/// `rules`: the form's concomitant-medication classes and deadline (rules/dosing.toml).
pub fn monitoring_form(
    rules: &RemsFormRules,
    patient: &Patient,
    record: &SessionRecord,
    evaluation: &Evaluation,
    medications_known: bool,
    treated_before: u32,
    setting: &RemsSetting,
) -> RemsForm {
    let s: &Session = &record.session;
    let mut out = Fields(Vec::new());
    patient_part(&mut out, (rules, patient, s), (evaluation, medications_known), treated_before);
    let hcp = record.finalised_by.as_deref().unwrap_or("");
    let (hcp_first, hcp_last) = split_name(hcp);
    out.put(HCP, "First name", hcp_first);
    out.put(HCP, "Last name", hcp_last);
    for f in &RemsSetting::FIELDS {
        out.put(f.section, f.label, setting.value(f.key));
    }
    session_part(&mut out, s);
    vitals_and_effects(&mut out, record);
    let mut fields = out.0;
    for f in &mut fields {
        let whole = match f.section.as_str() {
            "Patient" => &patient.name,
            HCP => hcp,
            _ => continue,
        };
        if matches!(f.label.as_str(), "First name" | "Last name") && f.value.is_some() {
            f.check = Some(format!("split from the one name recorded, \"{whole}\""));
        }
    }
    RemsForm { fields, submit_within_days: rules.submit_within_days }
}

/// The form's fields in its order, as they are filled.
struct Fields(Vec<FormField>);

impl Fields {
    fn put(&mut self, section: &str, label: &str, value: Option<String>) {
        self.0.push(FormField { section: section.into(), label: label.into(), value, check: None })
    }
}

/// The patient: name, birth date, sex, first treatment and enrolment, concomitant medications.
fn patient_part(
    out: &mut Fields,
    (rules, patient, s): (&RemsFormRules, &Patient, &Session),
    (evaluation, medications_known): (&Evaluation, bool),
    treated_before: u32,
) {
    let (first, last) = split_name(&patient.name);
    out.put("Patient", "First name", first);
    out.put("Patient", "Middle initial", None);
    out.put("Patient", "Last name", last);
    out.put("Patient", "Date of birth", patient.date_of_birth.as_deref().and_then(us_date));
    out.put(
        "Patient",
        "Sex",
        patient.sex.map(|x| match x {
            Sex::Female => "Female".to_string(),
            Sex::Male => "Male".to_string(),
            Sex::Other => "Other".to_string(),
        }),
    );
    let first_treatment = treated_before == 0;
    out.put("Patient", "First treatment", yes_no(Some(first_treatment)));
    if first_treatment {
        out.put("Patient", "Enrolled in the REMS", yes_no(s.pre_dose.rems_enrolled));
    }
    for q in &rules.concomitant {
        let taking = evaluation.medications.iter().any(|m| m.classes.contains(&q.class));
        out.put("Concomitant medication", &q.label, if medications_known { yes_no(Some(taking)) } else { None });
    }
}

/// The session: its date, the dose, the lot, how long monitoring lasted and when the patient
/// would have been ready to leave.
fn session_part(out: &mut Fields, s: &Session) {
    out.put("Session", "Treatment date", us_date(&s.date));
    out.put(
        "Session",
        "Dose administered",
        // The form's boxes: 56 mg, 84 mg, or other (with the dose).
        s.dose
            .dose_mg
            .map(|mg| if [56.0, 84.0].contains(&mg) { format!("{mg} mg") } else { format!("Other: {mg} mg") }),
    );
    out.put("Session", "Lot number", s.dose.lot_number.clone());
    let m = &s.monitoring;
    out.put(
        "Duration",
        "Total minutes from the first device to the end of monitoring",
        m.total_monitoring_minutes.map(|t| t.to_string()),
    );
    out.put(
        "REMS evaluation question",
        "Minutes from the start of administration at which the patient would have been ready to leave",
        m.ready_to_leave_minutes.map(|t| t.to_string()),
    );
}

/// Vital signs before and after, blood pressures, and the adverse effects.
fn vitals_and_effects(out: &mut Fields, record: &SessionRecord) {
    let s = &record.session;
    let m = &s.monitoring;
    let acceptable_before =
        record.gate.as_ref().map(|g| matches!(g.decision, GateDecision::Proceed | GateDecision::AcknowledgeFirst));
    out.put("Vital signs", "Acceptable before administration", yes_no(acceptable_before));
    out.put("Vital signs", "Acceptable before session completion", yes_no(m.discharged));
    let g = &s.pre_dose.gate;
    let before = match (g.repeat_systolic_mmhg, g.repeat_diastolic_mmhg) {
        (Some(rs), Some(rd)) => bp(Some(rs), Some(rd)),
        _ => bp(g.systolic_mmhg, g.diastolic_mmhg),
    };
    out.put("Blood pressure", "Before administration", before);
    out.put(
        "Blood pressure",
        "About 40 minutes after administration",
        bp(m.bp_40_min.systolic_mmhg, m.bp_40_min.diastolic_mmhg),
    );
    out.put(
        "Blood pressure",
        "Before session completion",
        bp(m.bp_before_discharge.systolic_mmhg, m.bp_before_discharge.diastolic_mmhg),
    );
    out.put(
        "Adverse effects",
        "Sedation",
        m.moaas_lowest.map(|x| if x < 5 { format!("Yes (lowest MOAA/S {x})") } else { "No".into() }),
    );
    out.put("Adverse effects", "Dissociation", yes_no(m.dissociation));
    out.put("Adverse effects", "Respiratory depression", yes_no(m.respiratory_depression));
    out.put(
        "Adverse effects",
        "Other",
        match m.other_events() {
            crate::treatment::session::OtherEvents::Unknown => None,
            crate::treatment::session::OtherEvents::None => Some("None".into()),
            crate::treatment::session::OtherEvents::Some(t) => Some(crate::documents::bidi::note(t)),
        },
    );
}

impl RemsForm {
    /// The fields left empty, as "Section: label". The middle initial is optional.
    pub fn missing(&self) -> Vec<String> {
        self.fields
            .iter()
            .filter(|f| f.value.is_none() && f.label != "Middle initial")
            .map(|f| format!("{}: {}", f.section, f.label))
            .collect()
    }

    /// The fields filled from a guess, to check by hand, as "Section: label (why)".
    pub fn to_check(&self) -> Vec<String> {
        self.fields
            .iter()
            .filter_map(|f| f.check.as_ref().map(|why| format!("{}: {} ({why})", f.section, f.label)))
            .collect()
    }

    /// A field's value as printed: "—" when empty, "(check)" after a guess.
    fn shown(f: &FormField) -> String {
        match (&f.value, &f.check) {
            (None, _) => "—".into(),
            (Some(v), None) => v.clone(),
            (Some(v), Some(_)) => format!("{v} (check)"),
        }
    }

    /// The form as text, section by section in the form's order.
    pub fn to_text(&self) -> String {
        let mut out = format!("{FORM_TITLE}\n");
        let mut section = "";
        for f in &self.fields {
            if f.section != section {
                section = &f.section;
                out.push_str(&format!("\n{section}\n"));
            }
            out.push_str(&format!("  {}: {}\n", f.label, Self::shown(f)));
        }
        let missing = self.missing();
        if !missing.is_empty() {
            out.push_str(&format!("\nNot filled from the records: {}\n", missing.join("; ")));
        }
        let check = self.to_check();
        if !check.is_empty() {
            out.push_str(&format!("\n{CHECK}: {}\n", check.join("; ")));
        }
        out.push_str(&format!("\n{}\n", self.deadline()));
        out
    }
}

impl RemsForm {
    /// The form's sections in order, each with its fields.
    fn sections(&self) -> Vec<(&str, Vec<&FormField>)> {
        let mut out: Vec<(&str, Vec<&FormField>)> = Vec::new();
        for f in &self.fields {
            match out.last_mut() {
                Some((s, list)) if *s == f.section => list.push(f),
                _ => out.push((&f.section, vec![f])),
            }
        }
        out
    }

    /// The form as a standalone HTML page to print, in the form's order; a field the records do
    /// not fill is marked for the clinician to complete by hand.
    pub fn to_html(&self, paper: crate::records::clinic_details::Paper) -> String {
        use maud::{html, PreEscaped, DOCTYPE};
        let page = format!(
            "@page {{ size: {}; margin: 16mm 14mm 18mm; }} td.empty, td.check {{ background: #fff4d6; }}",
            paper.css()
        );
        let missing = self.missing();
        let check = self.to_check();
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    title { (FORM_TITLE) }
                    style { (PreEscaped(crate::documents::summary_html::STYLE)) (PreEscaped(page)) }
                }
                body {
                    h1 { (FORM_TITLE) }
                    @for (section, fields) in self.sections() {
                        h2 { (section) }
                        table { tbody { @for f in fields {
                            tr {
                                th scope="row" { (f.label) }
                                @match (&f.value, &f.check) {
                                    (None, _) => td.empty { "—" },
                                    (Some(v), None) => td { (v) },
                                    (Some(_), Some(_)) => td.check { (Self::shown(f)) },
                                }
                            }
                        } } }
                    }
                    @if !missing.is_empty() {
                        p.urgent { "Not filled from the records (complete by hand): " (missing.join("; ")) }
                    }
                    @if !check.is_empty() {
                        p.urgent { (CHECK) ": " (check.join("; ")) }
                    }
                    p { (self.deadline()) }
                }
            }
        }
        .into_string()
    }

    /// The form as PDF, in the form's order.
    pub fn to_pdf(
        &self,
        paper: crate::records::clinic_details::Paper,
    ) -> Result<Vec<u8>, crate::documents::pdf::PdfError> {
        use crate::documents::pdf::{render, stamp_pages, Layout, Weight, BLACK, BODY, RED};
        let mut l = Layout::new(paper)?;
        l.paragraph(FORM_TITLE, Weight::Bold, 14.0, BLACK, 0.0);
        for (section, fields) in self.sections() {
            l.heading(section, 11.5);
            let rows: Vec<Vec<String>> = fields.iter().map(|f| vec![f.label.clone(), Self::shown(f)]).collect();
            l.table(&["Field", "Value"], &[2.0, 2.6], &rows);
        }
        let missing = self.missing();
        if !missing.is_empty() {
            l.gap(4.0);
            l.paragraph(
                &format!("Not filled from the records (complete by hand): {}", missing.join("; ")),
                Weight::Bold,
                BODY,
                RED,
                0.0,
            );
        }
        let check = self.to_check();
        if !check.is_empty() {
            l.gap(4.0);
            l.paragraph(&format!("{CHECK}: {}", check.join("; ")), Weight::Bold, BODY, RED, 0.0);
        }
        l.gap(4.0);
        l.paragraph(&self.deadline(), Weight::Regular, BODY, BLACK, 0.0);
        stamp_pages(&mut l, FORM_TITLE, false);
        render(&l, FORM_TITLE.into())
    }

    fn deadline(&self) -> String {
        format!("Submit online or by fax within {} days of the session.", self.submit_within_days)
    }
}

const FORM_TITLE: &str = "SPRAVATO REMS Patient Monitoring Form (outpatient)";
const CHECK: &str = "Check by hand before submitting (which words are the given and which the family names)";

/// The REMS Patient Monitoring Form of a finalised, treated esketamine session, filled from the
/// records and the clinic's REMS details.
pub fn rems_form(
    store: &Store,
    session_id: i64,
    dosing: &DosingRules,
    setting: &RemsSetting,
) -> crate::records::Result<RemsForm> {
    let facts = store.rems_facts(session_id)?;
    Ok(monitoring_form(
        &dosing.esketamine.rems_form,
        &facts.patient,
        &facts.record,
        &facts.evaluation,
        facts.medications_recorded,
        facts.treated_before,
        setting,
    ))
}
