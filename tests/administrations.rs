//! Outcome-scale administrations in the records (issue 14): saved as typed with their audit,
//! finalised and signed with their score against the course's baseline, amended as new
//! versions; a safety item's alert needs the clinician's note before finalising.

mod common;

use common::courses::store_with_final;
use trdcheck::outcomes::administration::{Administration, ScalesSite};
use trdcheck::outcomes::scales::Scales;
use trdcheck::records::{BaselineOrigin, RecordStatus, Store};

fn course() -> (Store, i64) {
    let (mut s, _, final_id) = store_with_final();
    let course = s.start_course(final_id, "2026-11-02", "Dr A").unwrap();
    (s, course.id)
}

fn answered(scale: &str, date: &str, items: &[u32]) -> Administration {
    let scale = Scales::embedded().unwrap().get(scale).unwrap();
    let mut a = Administration::new(scale, date);
    a.items = items.iter().map(|i| Some(*i)).collect();
    a
}

#[test]
fn a_follow_up_is_scored_against_the_assessment_until_the_course_has_its_own_baseline() {
    let (mut s, course) = course();
    // The assessment recorded PHQ-9 18 and MADRS 30: the baseline until one is given here.
    let b = s.baseline_of(course, "phq9").unwrap().unwrap();
    assert_eq!((b.total, b.origin), (18, BaselineOrigin::Assessment));
    let b = s.baseline_of(course, "madrs").unwrap().unwrap();
    assert_eq!((b.total, b.origin), (30, BaselineOrigin::Assessment));
    let site = ScalesSite::default();
    let d =
        s.new_administration(course, &answered("phq9", "2026-11-09", &[1, 1, 1, 1, 1, 1, 1, 1, 0]), "Dr A").unwrap();
    let f = s.finalise_administration(d.id, "Dr A", &site).unwrap();
    let score = f.score.unwrap();
    assert_eq!((score.total, score.baseline, score.response.unwrap().met), (8, Some(18), true));
    assert_eq!(f.signed_sha256.as_ref().map(String::len), Some(64));
    // The course's own baseline (itemised), then a follow-up judged against it.
    let mut base = answered("phq9", "2026-11-01", &[3, 3, 2, 2, 2, 2, 2, 2, 0]);
    base.baseline = true;
    let d = s.new_administration(course, &base, "Dr A").unwrap();
    let fb = s.finalise_administration(d.id, "Dr A", &site).unwrap();
    assert_eq!(fb.score.as_ref().map(|x| (x.total, x.baseline)), Some((18, None)));
    let b = s.baseline_of(course, "phq9").unwrap().unwrap();
    assert_eq!((b.total, b.origin, b.administration_id), (18, BaselineOrigin::Administration, Some(fb.id)));
    // A second baseline for the same scale is refused: the first is amended instead.
    let d = s.new_administration(course, &base, "Dr A").unwrap();
    let e = s.finalise_administration(d.id, "Dr A", &site).unwrap_err();
    assert!(e.to_string().starts_with("baseline:") && e.to_string().contains("amend"), "{e}");
    // Listed by date (an amended one by its newest version: tested below).
    let dates: Vec<String> =
        s.administrations_of(course).unwrap().iter().map(|r| r.administration.date.clone()).collect();
    assert_eq!(dates, ["2026-11-01", "2026-11-01", "2026-11-09"]);
    assert_eq!(s.broken_administration_signatures().unwrap(), (2, vec![]));
}

#[test]
fn a_safety_alert_needs_the_clinicians_note_before_finalising() {
    let (mut s, course) = course();
    let scale = Scales::embedded().unwrap().get("phq9").unwrap();
    let mut a = Administration::new(scale, "2026-11-05");
    a.items[8] = Some(1);
    // Shown at once, with eight items still unanswered.
    assert_eq!(a.alerts(scale).iter().map(|x| x.flag.as_str()).collect::<Vec<_>>(), ["item9"]);
    let d = s.new_administration(course, &a, "Dr A").unwrap();
    let needed = s.administration_still_needed(d.id).unwrap();
    assert_eq!(needed.len(), 9);
    assert_eq!(needed.last().map(String::as_str), Some("safety_note"));
    let mut x = answered("phq9", "2026-11-05", &[0, 0, 0, 0, 0, 0, 0, 0, 1]);
    s.save_administration(d.id, &x, "Dr A").unwrap();
    let e = s.finalise_administration(d.id, "Dr A", &ScalesSite::default()).unwrap_err();
    assert!(e.to_string().starts_with("safety_note:"), "{e}");
    x.safety_note = Some("C-SSRS screen negative; safety plan reviewed with patient and partner".into());
    s.save_administration(d.id, &x, "Dr A").unwrap();
    let f = s.finalise_administration(d.id, "Dr A", &ScalesSite::default()).unwrap();
    let score = f.score.unwrap();
    assert_eq!((score.total, score.flags), (1, vec!["item9".to_string()]));
    // MADRS item 10 at 3 raises nothing; at 4 it does.
    let m = answered("madrs", "2026-11-05", &[2, 2, 2, 2, 2, 2, 2, 2, 2, 3]);
    let d = s.new_administration(course, &m, "Dr B").unwrap();
    assert!(s.administration_still_needed(d.id).unwrap().is_empty());
    let m = answered("madrs", "2026-11-06", &[2, 2, 2, 2, 2, 2, 2, 2, 2, 4]);
    let d = s.new_administration(course, &m, "Dr B").unwrap();
    assert_eq!(s.administration_still_needed(d.id).unwrap(), ["safety_note"]);
}

#[test]
fn the_site_chooses_the_madrs_remission_threshold_and_it_is_kept_with_the_score() {
    let (mut s, course) = course();
    let mut site = ScalesSite::default();
    site.remission_thresholds.insert("madrs".into(), 12);
    let d = s
        .new_administration(course, &answered("madrs", "2026-11-20", &[2, 2, 1, 1, 1, 1, 1, 1, 2, 0]), "Dr A")
        .unwrap();
    let f = s.finalise_administration(d.id, "Dr A", &site).unwrap();
    let score = f.score.unwrap();
    assert_eq!((score.total, score.remission.met, score.remission.rule.as_str()), (12, true, "total of 12 or less"));
    assert_eq!(f.scales_site, Some(site.clone()));
    site.remission_thresholds.insert("madrs".into(), 11);
    let d = s.new_administration(course, &answered("madrs", "2026-11-21", &[0; 10]), "Dr A").unwrap();
    let e = s.finalise_administration(d.id, "Dr A", &site).unwrap_err();
    assert!(e.to_string().starts_with("remission:"), "{e}");
}

#[test]
fn what_cannot_be_true_is_refused_naming_the_field_and_nothing_is_saved() {
    let (mut s, course) = course();
    let mut bad = answered("phq9", "2026-11-05", &[0; 9]);
    bad.items[3] = Some(4);
    assert!(s.new_administration(course, &bad, "Dr A").unwrap_err().to_string().starts_with("items[3]:"));
    let short = answered("phq9", "2026-11-05", &[0; 8]);
    assert!(s.new_administration(course, &short, "Dr A").unwrap_err().to_string().starts_with("items:"));
    let early = answered("phq9", "2026-11-01", &[0; 9]);
    assert!(s.new_administration(course, &early, "Dr A").unwrap_err().to_string().starts_with("date:"));
    let mut at_session = answered("phq9", "2026-11-05", &[0; 9]);
    at_session.session_number = Some(1);
    let e = s.new_administration(course, &at_session, "Dr A").unwrap_err();
    assert!(e.to_string().starts_with("session_number:") && e.to_string().contains("0 sessions"), "{e}");
    let mut unknown = answered("phq9", "2026-11-05", &[0; 9]);
    unknown.scale = "hamd".into();
    assert!(s.new_administration(course, &unknown, "Dr A").unwrap_err().to_string().starts_with("scale:"));
    let mut difficulty = answered("madrs", "2026-11-05", &[0; 10]);
    difficulty.difficulty = Some(1);
    assert!(s.new_administration(course, &difficulty, "Dr A").unwrap_err().to_string().starts_with("difficulty:"));
    assert!(s.administrations_of(course).unwrap().is_empty(), "nothing saved");
    let e = s.administration(77).unwrap_err();
    assert_eq!(e.code(), "no_administration");
    // A draft edit that is refused leaves the draft as it was.
    let d = s.new_administration(course, &answered("phq9", "2026-11-05", &[1; 9]), "Dr A").unwrap();
    assert!(s.save_administration(d.id, &bad, "Dr A").unwrap_err().to_string().starts_with("items[3]:"));
    assert_eq!(s.administration(d.id).unwrap().administration, d.administration);
}

#[test]
fn a_finalised_administration_is_kept_and_amended_as_a_new_version() {
    let (mut s, course) = course();
    let site = ScalesSite::default();
    let d = s.new_administration(course, &answered("madrs", "2026-11-09", &[3; 10]), "Dr A").unwrap();
    let audit_before = s.connection().query_row("SELECT COUNT(*) FROM audit", [], |r| r.get::<_, i64>(0)).unwrap();
    let mut x = d.administration.clone();
    x.items[0] = Some(4);
    x.items[1] = Some(2);
    s.save_administration(d.id, &x, "Dr A").unwrap();
    let audit_after = s.connection().query_row("SELECT COUNT(*) FROM audit", [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(audit_after - audit_before, 2, "one audit entry per changed answer");
    let f = s.finalise_administration(d.id, "Dr A", &site).unwrap();
    assert_eq!((f.status, f.score.as_ref().unwrap().total), (RecordStatus::Final, 30));
    assert!(s.save_administration(f.id, &x, "Dr A").unwrap_err().to_string().contains("amend"));
    let c = s.connection();
    let err = c.execute("UPDATE administration SET data = '{}' WHERE id = ?1", [f.id]).unwrap_err();
    assert!(err.to_string().contains("cannot be changed"), "{err}");
    let err = c.execute("DELETE FROM administration WHERE id = ?1", [f.id]).unwrap_err();
    assert!(err.to_string().contains("cannot be deleted"), "{err}");
    // Version 2: item 10 was 3, not 2 — corrected; version 1 kept unchanged.
    let v2 = s.amend_administration(f.id, "Dr B").unwrap();
    assert_eq!((v2.version, v2.amends, v2.status), (2, Some(f.id), RecordStatus::Draft));
    assert!(s.amend_administration(f.id, "Dr B").unwrap_err().to_string().contains("already amended"));
    let mut y = v2.administration.clone();
    y.items[9] = Some(2);
    s.save_administration(v2.id, &y, "Dr B").unwrap();
    let f2 = s.finalise_administration(v2.id, "Dr B", &site).unwrap();
    assert_eq!(f2.score.unwrap().total, 29);
    assert_eq!(s.administration(f.id).unwrap().score.unwrap().total, 30);
    let listed: Vec<i64> = s.administrations_of(course).unwrap().iter().map(|r| r.id).collect();
    assert_eq!(listed, [f2.id]);
    // The signature is over what is stored: an edit behind the app's back breaks it.
    assert_eq!(s.broken_administration_signatures().unwrap(), (2, vec![]));
    s.connection().execute_batch("DROP TRIGGER administration_final_is_immutable").unwrap();
    s.connection()
        .execute(
            "UPDATE administration SET score = replace(score, '\"total\":29', '\"total\":9') WHERE id = ?1",
            [f2.id],
        )
        .unwrap();
    assert_eq!(s.broken_administration_signatures().unwrap(), (2, vec![f2.id]));
}

fn treat_sessions(s: &mut Store, course: i64, n: u32) {
    let done = s.sessions_of(course).unwrap().len() as u32;
    let (policy, site) = (common::default_policy(), trdcheck::treatment::dosing::DosingSite::default());
    let now = common::courses::in_force(&policy, &site);
    for i in 0..n {
        let rec = s.new_session(course, &format!("2026-11-{:02}", 3 + 2 * (done + i)), "Dr A", &now).unwrap();
        let mut x = rec.session.clone();
        common::courses::treated(&mut x);
        s.save_session(rec.id, &x, "Dr A", &now).unwrap();
        s.finalise_session(rec.id, "Dr A", &now).unwrap();
    }
}

#[test]
fn the_benefit_review_falls_at_the_fourth_treatment_or_day_28_and_needs_a_follow_up() {
    let (mut s, course) = course();
    let site = ScalesSite::default();
    // Course started 2026-11-02: day 27 is not yet the review point, day 28 is.
    let r = s.course_outcomes(course, &site, "2026-11-29").unwrap().review;
    assert_eq!((r.due, r.treatments, r.days, r.message.as_deref()), (false, 0, Some(27), None));
    let r = s.course_outcomes(course, &site, "2026-11-30").unwrap().review;
    assert!(r.due && r.responding.is_none(), "{r:?}");
    assert!(r.message.unwrap().contains("without a follow-up score"));
    // Three treatments: not yet; the fourth: due, and without a follow-up the answer is unknown.
    treat_sessions(&mut s, course, 3);
    assert!(!s.course_outcomes(course, &site, "2026-11-10").unwrap().review.due);
    treat_sessions(&mut s, course, 1);
    let r = s.course_outcomes(course, &site, "2026-11-10").unwrap().review;
    assert_eq!((r.due, r.treatments, r.responding), (true, 4, None));
    // A follow-up short of a response (PHQ-9 18 → 10): "no response by session 4 / week 4".
    let d =
        s.new_administration(course, &answered("phq9", "2026-11-10", &[2, 2, 1, 1, 1, 1, 1, 1, 0]), "Dr A").unwrap();
    s.finalise_administration(d.id, "Dr A", &site).unwrap();
    let r = s.course_outcomes(course, &site, "2026-11-10").unwrap().review;
    assert_eq!(r.responding, Some(false));
    assert!(r.message.unwrap().starts_with("No response by session 4 / week 4"));
    // Then a response (18 → 9, exactly half): nothing to review.
    let d =
        s.new_administration(course, &answered("phq9", "2026-11-11", &[2, 2, 1, 1, 1, 1, 1, 0, 0]), "Dr A").unwrap();
    s.finalise_administration(d.id, "Dr A", &site).unwrap();
    let r = s.course_outcomes(course, &site, "2026-11-11").unwrap().review;
    assert_eq!((r.responding, r.message), (Some(true), None));
    assert!(r.source.contains("week 4"));
}

#[test]
fn the_outcome_view_judges_every_follow_up_against_the_baseline_in_force() {
    let (mut s, course) = course();
    let mut site = ScalesSite::default();
    site.remission_thresholds.insert("madrs".into(), 12);
    let d =
        s.new_administration(course, &answered("phq9", "2026-11-09", &[1, 1, 1, 1, 1, 1, 1, 1, 1]), "Dr A").unwrap();
    let mut x = d.administration.clone();
    x.safety_note = Some("Passive thoughts only; safety plan in place".into());
    s.save_administration(d.id, &x, "Dr A").unwrap();
    let signed = s.finalise_administration(d.id, "Dr A", &site).unwrap();
    assert_eq!(signed.score.as_ref().unwrap().baseline, Some(18), "signed against the assessment's 18");
    let mut base = answered("phq9", "2026-11-01", &[3, 3, 3, 3, 2, 2, 2, 2, 0]);
    base.baseline = true;
    let b = s.new_administration(course, &base, "Dr A").unwrap();
    s.finalise_administration(b.id, "Dr A", &site).unwrap();
    let o = s.course_outcomes(course, &site, "2026-11-09").unwrap();
    let phq = o.scales.iter().find(|x| x.scale.id == "phq9").unwrap();
    assert_eq!(phq.baseline.as_ref().map(|b| b.total), Some(20));
    assert_eq!((phq.response_at_most, phq.remission_at_most), (Some(10), 4));
    let points: Vec<(bool, Option<u32>, Option<bool>)> = phq
        .points
        .iter()
        .map(|p| {
            (
                p.baseline,
                p.score.as_ref().and_then(|s| s.baseline),
                p.score.as_ref().and_then(|s| s.response.as_ref().map(|r| r.met)),
            )
        })
        .collect();
    assert_eq!(points, [(true, None, None), (false, Some(20), Some(true))], "9 against 20 now");
    assert_eq!(s.administration(signed.id).unwrap().score.unwrap().baseline, Some(18), "the signed score is kept");
    // MADRS: the assessment's 30 is the baseline; the site's remission line at 12.
    let madrs = o.scales.iter().find(|x| x.scale.id == "madrs").unwrap();
    assert_eq!(
        (madrs.baseline.as_ref().map(|b| b.total), madrs.response_at_most, madrs.remission_at_most),
        (Some(30), Some(15), 12)
    );
    assert_eq!(madrs.remission_rule, "total of 12 or less");
    assert!(madrs.points.is_empty() && madrs.bands.len() == 4);
    // The alert of item 9, with its note.
    assert_eq!(o.alerts.len(), 1);
    assert_eq!((o.alerts[0].administration_id, o.alerts[0].alert.flag.as_str()), (signed.id, "item9"));
    assert!(phq.points[1].safety_note.is_some());
}

/// The course the UI's chart tests draw (ui/test/fixtures/course-outcomes.json): an IV course of
/// two treated sessions, a PHQ-9 baseline of 18 and three follow-ups (12, 10 with item 9 at 1,
/// then 8: a response, at least 50 % below the baseline). The file is what the core gives for it; `UPDATE_FIXTURES=1` rewrites it.
#[test]
fn the_ui_chart_fixture_is_what_the_core_gives_for_its_course() {
    use common::courses::{in_force, treated};
    let (mut s, course) = course();
    let (policy, dosing_site) = (common::default_policy(), trdcheck::treatment::dosing::DosingSite::default());
    let now = in_force(&policy, &dosing_site);
    for date in ["2026-11-03", "2026-11-06"] {
        let d = s.new_session(course, date, "Dr A", &now).unwrap();
        let mut x = d.session.clone();
        treated(&mut x);
        s.save_session(d.id, &x, "Dr A", &now).unwrap();
        s.finalise_session(d.id, "Dr A", &now).unwrap();
    }
    let site = ScalesSite::default();
    let mut base = answered("phq9", "2026-11-02", &[3, 3, 2, 2, 2, 2, 2, 2, 0]);
    base.baseline = true;
    let mut second = answered("phq9", "2026-11-06", &[2, 2, 2, 2, 1, 1, 1, 1, 0]);
    second.session_number = Some(2);
    let mut third = answered("phq9", "2026-11-16", &[1, 1, 1, 1, 1, 1, 1, 2, 1]);
    third.safety_note = Some("Passive thoughts only; safety plan reviewed".into());
    let fourth = answered("phq9", "2026-11-23", &[1, 1, 1, 1, 1, 1, 1, 1, 0]);
    for a in [base, second, third, fourth] {
        let d = s.new_administration(course, &a, "Dr A").unwrap();
        s.finalise_administration(d.id, "Dr A", &site).unwrap();
    }
    let outcomes = s.course_outcomes(course, &site, "2026-11-23").unwrap();
    let phq = &outcomes.scales[0];
    let totals: Vec<u32> = phq.points.iter().filter_map(|p| p.score.as_ref().map(|s| s.total)).collect();
    assert_eq!(totals, [18, 12, 10, 8]);
    let responses: Vec<Option<bool>> =
        phq.points.iter().filter_map(|p| p.score.as_ref().map(|s| s.response.as_ref().map(|r| r.met))).collect();
    assert_eq!(responses, [None, Some(false), Some(false), Some(true)], "8 is the first response");
    let overview = s.course_overview(course, trdcheck::treatment::dosing::DosingRules::embedded().unwrap()).unwrap();
    let fixture = serde_json::to_string_pretty(&serde_json::json!({
        "started_on": overview.course.started_on,
        "sessions": overview.sessions,
        "outcomes": outcomes,
    }))
    .unwrap()
        + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/test/fixtures/course-outcomes.json");
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, &fixture).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == fixture, "{} is not what the core gives: rerun with UPDATE_FIXTURES=1", path.display());
}

#[test]
fn a_baseline_is_taken_before_treatment_a_later_score_is_a_follow_up() {
    use common::courses::{in_force, treated};
    let (mut s, course) = course();
    let (policy, dosing_site) = (common::default_policy(), trdcheck::treatment::dosing::DosingSite::default());
    let now = in_force(&policy, &dosing_site);
    let d = s.new_session(course, "2026-11-03", "Dr A", &now).unwrap();
    let mut x = d.session.clone();
    treated(&mut x);
    s.save_session(d.id, &x, "Dr A", &now).unwrap();
    s.finalise_session(d.id, "Dr A", &now).unwrap();
    let mut late = answered("phq9", "2026-11-04", &[1, 1, 1, 1, 1, 1, 1, 1, 0]);
    late.baseline = true;
    let before = s.administrations_of(course).unwrap().len();
    let e = s.new_administration(course, &late, "Dr A").unwrap_err();
    assert!(e.to_string().starts_with("baseline:") && e.to_string().contains("2026-11-03"), "{e}");
    assert_eq!(s.administrations_of(course).unwrap().len(), before, "nothing saved");
    // On the day of the first dose (before it), it is the course's baseline; later, the same
    // answers given as a follow-up are scored against it.
    late.date = "2026-11-03".into();
    let d = s.new_administration(course, &late, "Dr A").unwrap();
    let base = s.finalise_administration(d.id, "Dr A", &ScalesSite::default()).unwrap();
    let b = s.baseline_of(course, "phq9").unwrap().unwrap();
    assert_eq!((b.origin, b.administration_id), (BaselineOrigin::Administration, Some(base.id)));
    late.date = "2026-11-04".into();
    late.baseline = false;
    let d = s.new_administration(course, &late, "Dr A").unwrap();
    let follow_up = s.finalise_administration(d.id, "Dr A", &ScalesSite::default()).unwrap();
    assert_eq!(follow_up.score.unwrap().baseline, Some(8), "judged against the course's baseline of 8");
}
