//! The outcome scales (rules/scales/*.toml) and their scoring: the published bands at every
//! boundary, response at exactly 50 %, remission at its thresholds (the MADRS one a site choice),
//! the safety items whatever the total, and every refused input naming its field.

use trdcheck::outcomes::scales::{Scale, Scales};

fn scale(id: &str) -> &'static Scale {
    Scales::embedded().unwrap().get(id).unwrap()
}

/// Answers adding up to `total`, filled from item 1, keeping the safety items at 0 (unless the
/// total needs them) so that a test of the bands does not raise an alert by accident.
fn answers_for(s: &Scale, total: u32) -> Vec<u32> {
    let max = s.max_answer();
    let safety: Vec<usize> = s.safety.iter().map(|r| r.item as usize - 1).collect();
    let mut left = total;
    let mut items = vec![0; s.items.len()];
    for pass in [false, true] {
        for (i, a) in items.iter_mut().enumerate() {
            if safety.contains(&i) != pass {
                continue;
            }
            let take = left.min(max);
            *a = take;
            left -= take;
        }
    }
    assert_eq!(left, 0, "{total} is more than the scale's highest total");
    items
}

#[test]
fn the_embedded_scales_hold_together_and_carry_their_sources() {
    let scales = Scales::embedded().unwrap();
    let ids: Vec<&str> = scales.scales.iter().map(|s| s.scale.id.as_str()).collect();
    assert_eq!(ids, ["phq9", "madrs"]);
    let phq9 = scale("phq9");
    assert_eq!((phq9.items.len(), phq9.max_answer(), phq9.max_total()), (9, 3, 27));
    assert_eq!(phq9.scale.loinc_panel.as_deref(), Some("44249-1"));
    assert_eq!(phq9.scale.loinc_total.as_deref(), Some("44261-6"));
    // The PHQ-9's own wording (free to reproduce), with each item's LOINC code.
    assert_eq!(
        phq9.items[8].text.as_deref(),
        Some("Thoughts that you would be better off dead or of hurting yourself in some way")
    );
    let codes: Vec<&str> = phq9.items.iter().map(|i| i.loinc.as_deref().unwrap()).collect();
    assert_eq!(
        codes,
        ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"]
    );
    let labels: Vec<&str> = phq9.options.iter().map(|o| o.label.as_str()).collect();
    assert_eq!(labels, ["Not at all", "Several days", "More than half the days", "Nearly every day"]);
    // The MADRS: short labels and anchors in the project's words, never the licensed text.
    let madrs = scale("madrs");
    assert_eq!((madrs.items.len(), madrs.max_answer(), madrs.max_total()), (10, 6, 60));
    assert!(madrs.items.iter().all(|i| i.text.is_none() && i.anchors.len() == 4));
    assert_eq!(madrs.items[9].label, "Suicidal thoughts");
    assert!(madrs.scale.loinc_total.is_none() && madrs.scale.local_code_total.is_some());
    for s in &scales.scales {
        assert!(s.scale.source.contains("[V]") && !s.scale.licence.is_empty(), "{}", s.scale.id);
        assert_eq!(s.sha256.len(), 64);
        assert!(!s.response.source.is_empty() && !s.remission.source.is_empty());
        assert!(s.safety.iter().all(|r| !r.source.is_empty()));
    }
}

#[test]
fn every_band_boundary_of_the_phq9_and_the_madrs() {
    let cases = [
        ("phq9", 0, "minimal"),
        ("phq9", 4, "minimal"),
        ("phq9", 5, "mild"),
        ("phq9", 9, "mild"),
        ("phq9", 10, "moderate"),
        ("phq9", 14, "moderate"),
        ("phq9", 15, "moderately severe"),
        ("phq9", 19, "moderately severe"),
        ("phq9", 20, "severe"),
        ("phq9", 27, "severe"),
        ("madrs", 0, "normal"),
        ("madrs", 6, "normal"),
        ("madrs", 7, "mild"),
        ("madrs", 19, "mild"),
        ("madrs", 20, "moderate"),
        ("madrs", 34, "moderate"),
        ("madrs", 35, "severe"),
        ("madrs", 60, "severe"),
    ];
    for (id, total, band) in cases {
        let s = scale(id);
        let score = s.score(&answers_for(s, total), None, None).unwrap();
        assert_eq!((score.total, score.band.as_str()), (total, band), "{id} {total}");
    }
}

#[test]
fn worked_examples_score_as_by_hand() {
    // PHQ-9: 1+1+2+2+1+1+1+0+0 = 9, mild; every item "nearly every day" = 27, severe.
    let s = scale("phq9");
    let score = s.score(&[1, 1, 2, 2, 1, 1, 1, 0, 0], None, None).unwrap();
    assert_eq!((score.total, score.band_id.as_str(), score.band_range), (9, "mild", [5, 9]));
    assert!(score.flags.is_empty() && score.response.is_none() && score.baseline.is_none());
    assert_eq!(s.score(&[3; 9], None, None).unwrap().band_id, "severe");
    // MADRS: 4+4+3+4+2+3+4+4+3+2 = 33, moderate; baseline 38 → −5 points, −13.2 %.
    let m = scale("madrs");
    let score = m.score(&[4, 4, 3, 4, 2, 3, 4, 4, 3, 2], Some(38), None).unwrap();
    assert_eq!((score.total, score.band.as_str()), (33, "moderate"));
    assert_eq!((score.change_points, score.change_percent), (Some(-5), Some(-13.2)));
    assert!(!score.response.unwrap().met && !score.remission.met);
}

#[test]
fn response_is_a_fall_of_at_least_half_exactly_half_included() {
    let s = scale("madrs");
    for (baseline, total, met) in
        [(30, 15, true), (30, 16, false), (31, 15, true), (31, 16, false), (25, 12, true), (25, 13, false)]
    {
        let r = s.score(&answers_for(s, total), Some(baseline), None).unwrap().response.unwrap();
        assert_eq!(r.met, met, "baseline {baseline}, total {total}");
        assert!(r.source.contains("Phillips 2019"));
    }
    let phq = scale("phq9");
    let score = phq.score(&answers_for(phq, 10), Some(20), None).unwrap();
    assert_eq!((score.change_points, score.change_percent), (Some(-10), Some(-50.0)));
    let r = score.response.unwrap();
    assert!(r.met && r.rule.contains("20 → 10 or less"), "{}", r.rule);
    assert!(!phq.score(&answers_for(phq, 11), Some(20), None).unwrap().response.unwrap().met);
    // A baseline of 0 gives no percentage and no response to judge.
    let score = phq.score(&answers_for(phq, 3), Some(0), None).unwrap();
    assert_eq!((score.change_points, score.change_percent, score.response), (Some(3), None, None));
}

#[test]
fn remission_at_its_thresholds_the_madrs_one_chosen_by_the_site() {
    let phq = scale("phq9");
    assert!(phq.score(&answers_for(phq, 4), None, None).unwrap().remission.met);
    let not = phq.score(&answers_for(phq, 5), None, None).unwrap().remission;
    assert!(!not.met && not.rule == "total below 5", "{}", not.rule);
    let m = scale("madrs");
    for (total, threshold, met) in
        [(10, None, true), (11, None, false), (12, Some(12), true), (13, Some(12), false), (10, Some(10), true)]
    {
        let r = m.score(&answers_for(m, total), None, threshold).unwrap().remission;
        assert_eq!(r.met, met, "total {total} at {threshold:?}");
        assert_eq!(r.rule, format!("total of {} or less", threshold.unwrap_or(10)));
    }
    let e = m.score(&answers_for(m, 10), None, Some(11)).unwrap_err();
    assert_eq!(e.path(), Some("remission"));
    assert!(e.to_string().contains("10 or 12"), "{e}");
    assert_eq!(phq.score(&answers_for(phq, 4), None, Some(4)).unwrap_err().path(), Some("remission"));
}

#[test]
fn a_safety_item_raises_its_alert_whatever_the_total() {
    let phq = scale("phq9");
    let mut items = [0; 9];
    items[8] = 1;
    let score = phq.score(&items, None, None).unwrap();
    assert_eq!((score.total, score.band.as_str(), score.flags.clone()), (1, "minimal", vec!["item9".to_string()]));
    let a = &score.alerts[0];
    assert_eq!((a.item, a.answer, a.answer_label.as_str(), a.at_least), (9, 1, "Several days", 1));
    assert!(a.message.contains("suicide risk") && !a.source.is_empty());
    assert!(score.to_text().starts_with("URGENT: PHQ-9 item 9"), "{}", score.to_text());
    items[8] = 0;
    assert!(phq.score(&items, None, None).unwrap().flags.is_empty());
    // MADRS item 10: 4 raises it, 3 does not, even with every other item at 6.
    let m = scale("madrs");
    let mut items = [0; 10];
    items[9] = 4;
    assert_eq!(m.score(&items, None, None).unwrap().flags, ["item10"]);
    let mut items = [6; 10];
    items[9] = 3;
    assert!(m.score(&items, None, None).unwrap().alerts.is_empty());
}

#[test]
fn what_cannot_be_a_score_is_refused_naming_the_field() {
    let phq = scale("phq9");
    let e = phq.score(&[1; 8], None, None).unwrap_err();
    assert_eq!(e.path(), Some("items"));
    assert!(e.to_string().contains("9 items; 8 were given"), "{e}");
    assert_eq!(phq.score(&[1; 10], None, None).unwrap_err().path(), Some("items"));
    let mut items = [1; 9];
    items[2] = 4;
    let e = phq.score(&items, None, None).unwrap_err();
    assert_eq!(e.path(), Some("items[2]"));
    assert!(e.to_string().contains("item 3 (Sleep problems) is 4; PHQ-9 items are 0–3"), "{e}");
    items[2] = 3;
    assert!(phq.score(&items, Some(27), None).is_ok(), "just inside: 3 and a baseline of 27");
    assert_eq!(phq.score(&items, Some(28), None).unwrap_err().path(), Some("baseline"));
    let m = scale("madrs");
    let mut items = [6; 10];
    assert!(m.score(&items, Some(60), None).is_ok());
    items[9] = 7;
    assert_eq!(m.score(&items, None, None).unwrap_err().path(), Some("items[9]"));
    assert_eq!(m.score(&[6; 10], Some(61), None).unwrap_err().path(), Some("baseline"));
}

#[test]
fn a_scale_file_that_does_not_hold_together_is_refused() {
    let (_, text) = trdcheck::outcomes::scales::EMBEDDED_SCALES[0];
    // A gap between two bands.
    let gap = text.replacen("min = 5\nmax = 9", "min = 6\nmax = 9", 1);
    assert!(Scale::from_toml(&gap).unwrap_err().contains("bands"));
    // The last band short of the highest total.
    let short = text.replacen("min = 20\nmax = 27", "min = 20\nmax = 26", 1);
    assert!(Scale::from_toml(&short).unwrap_err().contains("highest total"));
    // A safety item that is not an item.
    let safety = text.replacen("item = 9\nat_least = 1", "item = 10\nat_least = 1", 1);
    assert!(Scale::from_toml(&safety).unwrap_err().contains("safety"));
    // An unknown key.
    let unknown = text.replacen("[response]\n", "[response]\nsurprise = 1\n", 1);
    assert!(Scale::from_toml(&unknown).unwrap_err().contains("surprise"));
    // A remission default the site could not choose.
    let (_, madrs) = trdcheck::outcomes::scales::EMBEDDED_SCALES[1];
    let choice = madrs.replacen("default = 10\nsite_choices", "default = 11\nsite_choices", 1);
    assert!(Scale::from_toml(&choice).unwrap_err().contains("remission"));
    // A baseline question the assessment does not have.
    let question = text.replacen("\"episode.phq9_total\"", "\"episode.phq8_total\"", 1);
    assert!(Scale::from_toml(&question).unwrap_err().contains("assessment_total"));
}
