//! `trd-check db list|show|export|finalise`: the assessments in the records.

use super::*;

/// The recent assessments, or those of the patients a search finds.
pub(crate) fn list(store: &Store, query: Option<String>) -> Result<(), Failure> {
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
    out!("{:>6}  {:<14}  {:<24}  {:>3}  {:<6}  {:<26}  updated", "id", "MRN", "name", "v", "status", "determination");
    for l in listings {
        let det = l.determination.map_or("(draft)", |d| d.as_str());
        let status = match l.status {
            trdcheck::records::RecordStatus::Draft => "draft",
            trdcheck::records::RecordStatus::Final if l.amended_by.is_some() => "amended",
            trdcheck::records::RecordStatus::Final => "final",
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
    Ok(())
}

/// One assessment: its evaluation (JSON) or its summary as text.
pub(crate) fn show(
    rules: &RuleSet,
    store: &Store,
    id: i64,
    format: EvalFormat,
    policy: Option<&PathBuf>,
) -> Result<(), Failure> {
    let policy = db_policy(rules, store, policy)?;
    let record = store.assessment(id).map_err(storage_failure)?;
    let patient = store.patient(record.patient_id).map_err(storage_failure)?;
    let evaluation = record.evaluation(rules, &policy);
    let out = match format {
        EvalFormat::Json => json(&evaluation)?,
        _ => Summary::build(
            &record.answers,
            &evaluation,
            record.rules_for_display(rules),
            trdcheck::documents::summary::Context::of_record(&record, &patient),
        )
        .to_text(text_style(format)),
    };
    out!("{}", out.trim_end());
    Ok(())
}

/// Writes one assessment (JSON) or its summary, then records the export in the audit trail.
pub(crate) fn export(
    rules: &RuleSet,
    store: &mut Store,
    actor: &str,
    (id, format, paper): (i64, SummaryFormat, PaperArg),
    policy: Option<&PathBuf>,
    output: Option<&PathBuf>,
) -> Result<(), Failure> {
    let policy = db_policy(rules, store, policy)?;
    let format_name = format.to_possible_value().map_or("json".to_string(), |v| v.get_name().to_string());
    let record = store.assessment(id).map_err(storage_failure)?;
    let bytes = if format == SummaryFormat::Json {
        (json(&record.answers)? + "\n").into_bytes()
    } else {
        let patient = store.patient(record.patient_id).map_err(storage_failure)?;
        let evaluation = record.evaluation(rules, &policy);
        let mut context = trdcheck::documents::summary::Context::of_record(&record, &patient);
        context.generated_at = Some(trdcheck::documents::summary::now_for_display());
        let shown_with = record.rules_for_display(rules);
        let summary = Summary::build(&record.answers, &evaluation, shown_with, context);
        render(&summary, &record.answers, &evaluation, shown_with, format, paper.into())?
    };
    write_output(bytes, output)?;
    // Recorded once the document exists, as the app does.
    store.export(id, &format_name, actor).map_err(storage_failure)?;
    Ok(())
}

/// Finalises an assessment with the clinician's notes (`RULE=NOTE`), in one transaction.
pub(crate) fn finalise(
    rules: &RuleSet,
    store: &mut Store,
    actor: &str,
    id: i64,
    acks: &[String],
    policy: Option<&PathBuf>,
) -> Result<(), Failure> {
    let policy = db_policy(rules, store, policy)?;
    let mut notes = Vec::new();
    for ack in acks {
        let (rule, note) =
            ack.split_once('=').ok_or_else(|| Failure(format!("--ack {ack:?}: write it as RULE=NOTE"), 2))?;
        notes.push((rule.trim(), note));
    }
    // The notes and the finalisation in one transaction: when it is refused, nothing is kept.
    let record = store.finalise_with_notes(id, actor, &notes, rules, &policy).map_err(storage_failure)?;
    let det = record.snapshot.as_ref().map_or("", |s| s.evaluation.determination.as_str());
    out!("assessment {id} finalised by {actor}: {det}");
    Ok(())
}
