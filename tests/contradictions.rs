//! Contradictions never vanish (issue 24, rule set 2026.3): an answer given to a question that no
//! longer applies is shown wherever the record is shown, and answers that contradict each other
//! make the result incomplete with a finding naming both, until the clinician resolves them.

mod common;

use common::*;
use trdcheck::documents::summary::{Context, Summary};
use trdcheck::documents::summary_text::TextStyle;
use trdcheck::eligibility::model::*;
use trdcheck::{evaluate, Determination, Level};

fn pregnant_without_childbearing_potential() -> Assessment {
    let mut a = baseline();
    a.pregnancy.childbearing_potential = Some(false);
    a.pregnancy.pregnant = Some(true);
    a
}

#[test]
fn a_pregnancy_is_never_hidden_by_another_answer() {
    let a = pregnant_without_childbearing_potential();
    let e = evaluate(&a, rules(), &default_policy());
    assert_eq!(e.determination, Determination::Incomplete, "{:#?}", e.findings);
    let f = e.findings.iter().find(|f| &*f.rule == "ANS-PREG-CBP").expect("the contradiction is a finding");
    assert_eq!(f.level, Level::Missing);
    assert!(
        f.message.contains("Pregnant: Yes") && f.message.contains("Of childbearing potential: No"),
        "{}",
        f.message
    );
    // Shown in every summary, said to be answered although it does not apply.
    let s = Summary::build(&a, &e, rules(), Context::default());
    for text in [
        s.to_text(TextStyle::Plain),
        s.to_text(TextStyle::Markdown),
        s.to_html(trdcheck::records::clinic_details::Paper::A4),
    ] {
        assert!(text.contains("Pregnant"), "{text}");
        assert!(text.contains("Yes (answered, although the question does not apply)"), "{text}");
    }
    // And in the PDF a clinician signs and files.
    let dir = tempfile::tempdir().unwrap();
    if let Some((pdf, _)) = pdf_text(&s.to_pdf(trdcheck::records::clinic_details::Paper::A4).unwrap(), dir.path()) {
        let flat = pdf.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("Pregnant"), "{flat}");
        assert!(flat.contains("Yes (answered, although the question does not apply)"), "{flat}");
    }
    let fhir = trdcheck::documents::fhir::bundle(&a, &e, rules(), &Context::default()).to_string();
    assert!(fhir.contains("\"linkId\":\"pregnancy.pregnant\""), "the answer is in the FHIR record too");
    // The checklist shows the question for the clinician to correct.
    let step = trdcheck::eligibility::checklist::steps(&a, rules()).into_iter().find(|s| s.id == "pregnancy").unwrap();
    let q = step.questions.iter().find(|q| q.id == "pregnancy.pregnant").unwrap();
    assert!(step.applies && q.shown && !q.applies);
    // Resolved either way: no contradiction.
    let mut fixed = a.clone();
    fixed.pregnancy.pregnant = None;
    assert!(evaluate(&fixed, rules(), &default_policy()).findings.iter().all(|f| &*f.rule != "ANS-PREG-CBP"));
    let mut fixed = a;
    fixed.pregnancy.childbearing_potential = Some(true);
    let e = evaluate(&fixed, rules(), &default_policy());
    assert_eq!(e.determination, Determination::NotEligible, "then the pregnancy excludes treatment");
}

#[test]
fn intent_with_no_active_ideation_is_a_contradiction_not_a_silence() {
    for ideation in [SuicidalIdeation::None, SuicidalIdeation::Passive] {
        let mut a = baseline();
        a.psychiatric.suicidal_ideation = Some(ideation);
        a.psychiatric.suicidal_intent = Some(true);
        let e = evaluate(&a, rules(), &default_policy());
        assert_eq!(e.determination, Determination::Incomplete, "{ideation:?}");
        let f = e.findings.iter().find(|f| &*f.rule == "ANS-SI-INTENT").expect("named");
        assert!(f.message.contains("Some intent to act on the thoughts (C-SSRS item 4): Yes"), "{}", f.message);
        // "No intent" agrees with no active ideation: nothing to resolve, and it is still shown.
        a.psychiatric.suicidal_intent = Some(false);
        let e = evaluate(&a, rules(), &default_policy());
        assert!(e.findings.iter().all(|f| &*f.rule != "ANS-SI-INTENT"));
        let text = Summary::build(&a, &e, rules(), Context::default()).to_text(TextStyle::Plain);
        assert!(text.contains("No (answered, although the question does not apply)"), "{text}");
    }
}

#[test]
fn an_unanswered_question_that_does_not_apply_stays_out_of_the_summary() {
    let mut a = baseline();
    a.pregnancy.childbearing_potential = Some(false);
    a.pregnancy.pregnant = None;
    let e = evaluate(&a, rules(), &default_policy());
    let text = Summary::build(&a, &e, rules(), Context::default()).to_text(TextStyle::Plain);
    assert!(!text.contains("does not apply"), "{text}");
}
