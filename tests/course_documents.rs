//! The course and session summaries (HTML, PDF), the REMS form as HTML and PDF in the form's
//! order, and a course as FHIR R4 (validated with the fhir.resources models).

mod common;

use std::process::Command;

use common::courses::{esketamine_treated, in_force, store_with_final, treated};
use common::{default_policy, pdf_text, rules, tool};
use trdcheck::records::clinic_details::Paper;
use trdcheck::records::Store;
use trdcheck::treatment::dosing::{DosingRules, DosingSite};

/// An IV course: session 1 deferred at 184/100, session 2 treated with dissociation and nausea.
fn deferred_then_treated() -> (Store, i64) {
    let (mut s, _, final_id) = store_with_final();
    let (policy, site) = (default_policy(), DosingSite::default());
    let now = in_force(&policy, &site);
    let course = s.start_course(final_id, "2026-11-02", "Dr A").unwrap();
    let d1 = s.new_session(course.id, "2026-11-03", "Dr A", &now).unwrap();
    let mut x = d1.session.clone();
    x.pre_dose.gate.systolic_mmhg = Some(184.0);
    x.pre_dose.gate.diastolic_mmhg = Some(100.0);
    x.pre_dose.gate.spo2_percent = Some(97.0);
    x.pre_dose.gate.new_since_assessment = Some(false);
    s.save_session(d1.id, &x, "Dr A", &now).unwrap();
    s.finalise_session(d1.id, "Dr A", &now).unwrap();
    let d2 = s.new_session(course.id, "2026-11-05", "Dr A", &now).unwrap();
    let mut y = d2.session.clone();
    treated(&mut y);
    y.monitoring.dissociation = Some(true);
    y.monitoring.other_adverse_events = Some("nausea".into());
    s.save_session(d2.id, &y, "Dr A", &now).unwrap();
    s.finalise_session(d2.id, "Dr B", &now).unwrap();
    (s, course.id)
}

#[test]
fn the_course_summary_shows_each_session_with_its_dose_and_vital_signs_over_time() {
    let (s, course) = deferred_then_treated();
    let dosing = DosingRules::embedded().unwrap();
    let summary = trdcheck::documents::course_summary::course_summary(&s, course, rules(), dosing, None).unwrap();
    let rows: Vec<&[String]> = summary.sessions.iter().map(|x| &x.row[..]).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][..6], ["1", "2026-11-03", "Induction (dose 1)", "Deferred (no dose)", "—", "184/100"]);
    assert_eq!(
        &rows[1][..8],
        ["2", "2026-11-05", "Induction (dose 1)", "Treated", "35 mg", "128/82", "142/88", "130/80"]
    );
    assert_eq!(rows[1][11], "dissociation; other: nausea");
    assert!(summary.sessions[0].findings.iter().any(|(rule, m, _)| rule == "CV-BP-STOP" && m.contains("184/100")));
    assert_eq!(
        summary.next.as_deref(),
        Some("Next: dose 2 · Induction · weeks 1–3 · 2 or 3 times weekly (6 infusions over 2–3 weeks)")
    );
    assert!(!summary.is_draft());
    let html = summary.to_html(Paper::A4);
    for needle in [
        "Treatment course — summary",
        "MRN C-1",
        "184/100",
        "142/88",
        "CV-BP-STOP",
        "finalised by Dr B",
        dosing.sha256.as_str(),
    ] {
        assert!(html.contains(needle), "{needle} missing from the HTML");
    }
    assert!(!html.contains("<script") && !html.contains("http"), "self-contained");
    let dir = tempfile::tempdir().unwrap();
    let Some((text, _)) = pdf_text(&summary.to_pdf(Paper::Letter).unwrap(), dir.path()) else { return };
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "Treatment course — summary",
        "184/100",
        "142/88",
        "Deferred (no dose)",
        "dissociation; other: nausea",
        "Page 1 of",
    ] {
        assert!(text.contains(needle), "{needle} missing from the PDF:\n{text}");
    }
    assert!(!text.contains("DRAFT"));
}

#[test]
fn the_session_summary_is_that_session_alone_and_a_draft_is_marked() {
    let (mut s, course) = deferred_then_treated();
    let dosing = DosingRules::embedded().unwrap();
    let one = trdcheck::documents::course_summary::course_summary(&s, course, rules(), dosing, Some(2)).unwrap();
    assert_eq!(one.title, "Treatment session 2 — summary");
    assert_eq!(one.sessions.iter().map(|x| x.number).collect::<Vec<_>>(), [2]);
    assert_eq!(one.next, None);
    let e = trdcheck::documents::course_summary::course_summary(&s, course, rules(), dosing, Some(9)).unwrap_err();
    assert!(e.to_string().starts_with("session: course"), "{e}");
    // A draft third session: unknowns printed as such, and DRAFT on the document.
    let (policy, site) = (default_policy(), DosingSite::default());
    let d3 = s.new_session(course, "2026-11-07", "Dr A", &in_force(&policy, &site)).unwrap();
    let draft =
        trdcheck::documents::course_summary::course_summary(&s, course, rules(), dosing, Some(d3.session.number))
            .unwrap();
    assert!(draft.is_draft());
    assert_eq!(draft.sessions[0].row[5], "Unknown");
    assert!(draft.to_html(Paper::A4).contains("DRAFT — a session is not finalised"));
    let dir = tempfile::tempdir().unwrap();
    let Some((text, _)) = pdf_text(&draft.to_pdf(Paper::A4).unwrap(), dir.path()) else { return };
    assert!(text.contains("DRAFT — NOT FINALISED") && text.contains("Not judged yet"), "{text}");
}

#[test]
fn the_rems_form_prints_every_field_in_the_forms_order() {
    let (s, _, session) = esketamine_treated();
    let form = trdcheck::documents::rems::rems_form(
        &s,
        session,
        DosingRules::embedded().unwrap(),
        &trdcheck::records::clinic_details::RemsSetting::default(),
    )
    .unwrap();
    let html = form.to_html(Paper::Letter);
    let mut at = 0;
    for f in &form.fields {
        let found = html[at..].find(&format!(">{}<", maud::html! { (f.label) }.into_string()));
        assert!(found.is_some(), "{} out of order or missing in the HTML", f.label);
        at += found.unwrap();
    }
    assert!(html.contains("complete by hand"), "the clinic's details are not set: named for the clinician");
    let dir = tempfile::tempdir().unwrap();
    let Some((text, _)) = pdf_text(&form.to_pdf(Paper::Letter).unwrap(), dir.path()) else { return };
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut at = 0;
    for section in form.fields.iter().map(|f| f.section.as_str()).collect::<std::collections::BTreeSet<_>>() {
        assert!(flat.contains(section), "{section} missing from the PDF");
    }
    for f in &form.fields {
        let label = f.label.split_whitespace().collect::<Vec<_>>().join(" ");
        let found = flat[at..].find(&label);
        assert!(found.is_some(), "{label} out of order or missing in the PDF:\n{flat}");
        at += found.unwrap();
    }
    assert!(flat.contains("56 mg") && flat.contains("within 7 days"), "{flat}");
}

#[test]
fn a_course_as_fhir_has_a_medication_administration_per_session_and_loinc_vital_signs() {
    let (mut s, course) = deferred_then_treated();
    // A PHQ-9 at session 2 whose item 9 raised an alert (with the clinician's note), and a MADRS.
    let scales = trdcheck::outcomes::scales::Scales::embedded().unwrap();
    let mut phq = trdcheck::outcomes::administration::Administration::new(scales.get("phq9").unwrap(), "2026-11-06");
    phq.items = [1, 1, 1, 0, 1, 0, 1, 0, 1].iter().map(|x| Some(*x)).collect();
    phq.session_number = Some(2);
    phq.safety_note = Some("Passive thoughts; C-SSRS negative".into());
    let phq = s.new_administration(course, &phq, "Dr A").unwrap();
    let site = trdcheck::outcomes::administration::ScalesSite::default();
    s.finalise_administration(phq.id, "Dr A", &site).unwrap();
    let mut madrs = trdcheck::outcomes::administration::Administration::new(scales.get("madrs").unwrap(), "2026-11-06");
    madrs.items = vec![Some(2); 10];
    let madrs = s.new_administration(course, &madrs, "Dr A").unwrap();
    s.finalise_administration(madrs.id, "Dr A", &site).unwrap();
    let c = s.course(course).unwrap();
    let sessions = s.sessions_of(course).unwrap();
    let patient = s.patient(c.patient_id).unwrap();
    let scores = s.administrations_of(course).unwrap();
    let bundle = trdcheck::documents::course_fhir::course_bundle(&c, &sessions, &scores, &patient);
    let of = |kind: &str| -> Vec<&serde_json::Value> {
        bundle["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["resource"])
            .filter(|r| r["resourceType"] == kind)
            .collect()
    };
    let admins = of("MedicationAdministration");
    assert_eq!(admins.iter().map(|a| a["status"].as_str().unwrap()).collect::<Vec<_>>(), ["not-done", "completed"]);
    assert!(admins[0]["statusReason"][0]["text"].as_str().unwrap().starts_with("Defer"));
    assert_eq!(admins[1]["dosage"]["dose"]["value"], 35.0);
    let bp: Vec<_> = of("Observation").into_iter().filter(|o| o["code"]["coding"][0]["code"] == "85354-9").collect();
    assert_eq!(bp.len(), 4, "before the dose in both sessions, 40 minutes and before discharge in the treated one");
    assert_eq!(bp[0]["component"][0]["code"]["coding"][0]["code"], "8480-6");
    assert_eq!(bp[0]["component"][0]["valueQuantity"]["value"], 184.0);
    assert_eq!(bp[0]["component"][1]["code"]["coding"][0]["code"], "8462-4");
    assert!(of("Observation").iter().any(|o| o["code"]["coding"][0]["code"] == "8867-4"), "heart rate");
    let events: Vec<_> = of("AdverseEvent").iter().map(|e| e["event"]["text"].as_str().unwrap().to_string()).collect();
    assert_eq!(events, ["Dissociation", "nausea"]);
    // The PHQ-9: the panel 44249-1, its nine items by LOINC code and the total 44261-6, part of
    // session 2's administration, the alert of item 9 in its note; the MADRS on a local code.
    let panel = of("Observation").into_iter().find(|o| o["code"]["coding"][0]["code"] == "44249-1").unwrap();
    let codes: Vec<&str> = panel["component"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"]["coding"][0]["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 10);
    assert_eq!((codes[0], codes[8], codes[9]), ("44250-9", "44260-8", "44261-6"));
    assert_eq!(panel["component"][9]["valueInteger"], 6);
    assert_eq!(panel["interpretation"][0]["text"], "mild (5–9)");
    let given = format!("urn:uuid:{}", admins[1]["id"].as_str().unwrap());
    assert_eq!(panel["partOf"][0]["reference"], given.as_str());
    assert!(panel["note"][0]["text"].as_str().unwrap().starts_with("URGENT: item 9"));
    assert!(panel["note"][0]["text"].as_str().unwrap().contains("C-SSRS negative"));
    let madrs = of("Observation").into_iter().find(|o| o["code"]["coding"][0]["code"] == "madrs").unwrap();
    assert_eq!(madrs["component"][10]["code"]["coding"][0]["code"], "madrs-total");
    assert_eq!(madrs["component"][10]["valueInteger"], 20);
    assert!(madrs.get("partOf").is_none());
    let Some(python) = std::env::var("TRDCHECK_PYTHON").ok().map(std::path::PathBuf::from).or_else(|| tool("python3"))
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("course.json");
    std::fs::write(&path, bundle.to_string()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fhir/validate_bundle.py");
    let out = Command::new(&python).arg(script).arg(&path).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("No module named 'fhir") && std::env::var("TRDCHECK_REQUIRE_TOOLS").is_err() {
        eprintln!("skipped: fhir.resources is not installed (scripts/test installs it)");
        return;
    }
    assert!(out.status.success(), "FHIR validation failed:\n{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"MedicationAdministration\": 2"));
}

fn answered(scale: &str, date: &str, items: &[u32]) -> trdcheck::outcomes::administration::Administration {
    let scale = trdcheck::outcomes::scales::Scales::embedded().unwrap().get(scale).unwrap();
    let mut a = trdcheck::outcomes::administration::Administration::new(scale, date);
    a.items = items.iter().map(|i| Some(*i)).collect();
    a
}

#[test]
fn the_course_summary_shows_the_scales_with_their_charts_and_every_urgent_alert() {
    let (mut s, course) = deferred_then_treated();
    let site = trdcheck::outcomes::administration::ScalesSite::default();
    let mut base = answered("phq9", "2026-11-02", &[3, 3, 2, 2, 2, 2, 2, 2, 0]);
    base.baseline = true;
    let mut follow = answered("phq9", "2026-11-05", &[1, 1, 1, 1, 1, 1, 1, 1, 1]);
    follow.session_number = Some(2);
    follow.safety_note = Some("Passive thoughts only; safety plan reviewed".into());
    for a in [base, follow] {
        let d = s.new_administration(course, &a, "Dr A").unwrap();
        s.finalise_administration(d.id, "Dr A", &site).unwrap();
    }
    let dosing = DosingRules::embedded().unwrap();
    let summary = trdcheck::documents::course_summary::course_summary(&s, course, rules(), dosing, None).unwrap();
    let o = &summary.outcomes;
    assert_eq!(o.alerts.len(), 1, "{:?}", o.alerts);
    assert!(o.alerts[0].starts_with("URGENT — PHQ-9 2026-11-05 item 9"), "{}", o.alerts[0]);
    assert!(o.alerts[0].contains("answered 1 (Several days)") && o.alerts[0].contains("safety plan reviewed"));
    let phq = o.scales.iter().find(|x| x.title.starts_with("PHQ-9")).unwrap();
    assert_eq!(phq.rows[0][..4], ["2026-11-02", "baseline", "18/27", "moderately severe"]);
    assert_eq!(phq.rows[1][..8], ["2026-11-05", "2", "9/27", "mild", "-9 (-50%)", "Yes", "No", "URGENT item 9 = 1"]);
    let chart = phq.chart.as_ref().expect("a chart of the PHQ-9");
    // Five bands shaded, the two totals joined, the response line at 9 and remission at 4.
    let rects =
        chart.marks.iter().filter(|m| matches!(m, trdcheck::documents::outcome_chart::Mark::Rect { .. })).count();
    assert_eq!(rects, 5);
    let svg = chart.to_svg();
    assert!(svg.contains("response ≤ 9") && svg.contains("remission ≤ 4") && svg.contains("S2 35 mg"), "{svg}");
    assert!(o.blood_pressure.is_some(), "a treated session: a blood-pressure chart");
    assert!(o.scales.iter().all(|x| !x.title.starts_with("MADRS")), "a scale never given is not shown");

    let html = summary.to_html(Paper::A4);
    for needle in ["Outcome scales", "<svg class=\"chart\"", "URGENT — PHQ-9", "Blood pressure per session"] {
        assert!(html.contains(needle), "{needle} missing from the HTML");
    }
    assert!(!html.contains("<script") && !html.contains("http"), "self-contained");
    // The session summary carries the alert too, and only that session's administrations.
    let one = trdcheck::documents::course_summary::course_summary(&s, course, rules(), dosing, Some(1)).unwrap();
    assert_eq!(one.outcomes.alerts.len(), 1, "an urgent alert is on every document of the course");
    assert!(one.outcomes.scales.is_empty());

    let dir = tempfile::tempdir().unwrap();
    let Some((text, _)) = pdf_text(&summary.to_pdf(Paper::A4).unwrap(), dir.path()) else { return };
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "URGENT — PHQ-9 2026-11-05 item 9",
        "PHQ-9 total over the course",
        "response ≤ 9",
        "remission ≤ 4",
        "moderately severe",
        "Blood pressure per session",
    ] {
        assert!(text.contains(needle), "{needle} missing from the PDF:\n{text}");
    }
}

/// Issue 24: a draft session is no record of a dose; the FHIR export leaves it out.
#[test]
fn a_draft_session_is_not_exported_to_fhir_as_if_given() {
    let (mut s, course) = deferred_then_treated();
    let (policy, site) = (default_policy(), DosingSite::default());
    let now = in_force(&policy, &site);
    let draft = s.new_session(course, "2026-11-07", "Dr A", &now).unwrap();
    let mut x = draft.session.clone();
    treated(&mut x);
    s.save_session(draft.id, &x, "Dr A", &now).unwrap();
    let c = s.course(course).unwrap();
    let sessions = s.sessions_of(course).unwrap();
    assert_eq!(sessions.len(), 3);
    let patient = s.patient(c.patient_id).unwrap();
    let bundle = trdcheck::documents::course_fhir::course_bundle(&c, &sessions, &[], &patient);
    let admins: Vec<&serde_json::Value> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == "MedicationAdministration")
        .collect();
    assert_eq!(admins.len(), 2, "the two finalised sessions only");
    assert!(admins.iter().all(|a| a["effectiveDateTime"] != "2026-11-07"));
    assert!(!bundle.to_string().contains("in-progress"));
}

/// Issue 24: "none" recorded ("" as the form writes it) prints as None everywhere, as on the REMS form.
#[test]
fn no_other_adverse_events_prints_none_not_unknown() {
    let (s, course, session) = esketamine_treated();
    let summary = trdcheck::documents::course_summary::course_summary(
        &s,
        course,
        rules(),
        DosingRules::embedded().unwrap(),
        None,
    )
    .unwrap();
    let html = summary.to_html(Paper::A4);
    assert!(html.contains("Other adverse events"), "the field is printed");
    let row = html.split("Other adverse events").nth(1).unwrap();
    assert!(row[..row.find("</tr>").unwrap_or(row.len())].contains("None"), "{}", &row[..200.min(row.len())]);
    let form = trdcheck::documents::rems::rems_form(&s, session, DosingRules::embedded().unwrap(), &Default::default())
        .unwrap();
    assert!(form.fields.iter().any(|f| f.label == "Other" && f.value.as_deref() == Some("None")));
}
