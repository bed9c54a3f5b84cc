//! The rule data is checked when it loads: a mistake is an error naming the rule, never a wrong result.

use trdcheck::eligibility::ruleset::{Comparison, RuleSetRef, ARCHIVED, EMBEDDED_DRUGS, EMBEDDED_RULESET};
use trdcheck::RuleSet;

fn load_with(ruleset: &str, drugs: &str) -> Result<RuleSet, String> {
    RuleSet::from_sources(ruleset, drugs).map_err(|e| e.to_string())
}

fn expect_error(ruleset: String, drugs: &str, needle: &str) {
    let err = load_with(&ruleset, drugs).expect_err("broken rule data was accepted");
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
}

#[test]
fn the_embedded_rule_set_loads() {
    let r = load_with(EMBEDDED_RULESET, EMBEDDED_DRUGS).unwrap();
    assert_eq!(r.meta.id, "trd-ketamine-2026.3");
    assert_eq!(r.meta.version, "3");
    assert!(r.drugs.drugs.iter().filter(|d| d.min_dose_mg.is_some()).count() >= 35);
}

#[test]
fn a_changed_rule_file_changes_the_hash() {
    let a = load_with(EMBEDDED_RULESET, EMBEDDED_DRUGS).unwrap();
    let b = load_with(&EMBEDDED_RULESET.replace("systolic = 140", "systolic = 145"), EMBEDDED_DRUGS).unwrap();
    assert_ne!(a.sha256, b.sha256);
}

#[test]
fn broken_rule_data_is_refused_with_the_rule_named() {
    expect_error(
        EMBEDDED_RULESET.replacen("id = \"CV-AVM\"", "id = \"CV-ANEURYSM\"", 1),
        EMBEDDED_DRUGS,
        "CV-ANEURYSM is used twice",
    );
    expect_error(
        EMBEDDED_RULESET.replace(
            "question = \"cardiovascular.arteriovenous_malformation\", any_of",
            "question = \"cardiovascular.avm\", any_of",
        ),
        EMBEDDED_DRUGS,
        "CV-AVM",
    );
    expect_error(
        EMBEDDED_RULESET.replace("any_of = [\"current\"]", "any_of = [\"now\"]"),
        EMBEDDED_DRUGS,
        "SUB-KET-CURRENT",
    );
    expect_error(
        EMBEDDED_RULESET.replace("classes = [\"opioid\"]", "classes = [\"opiates\"]"),
        EMBEDDED_DRUGS,
        "class opiates",
    );
    expect_error(
        EMBEDDED_RULESET.replace("mg = 8, classes = [\"benzodiazepine\"]", "mg = 8, classes = [\"benzos\"]"),
        EMBEDDED_DRUGS,
        "RX-BZD-HIGH: class benzos",
    );
    expect_error(
        EMBEDDED_RULESET.replace("Age {age}: not approved", "Age {years}: not approved"),
        EMBEDDED_DRUGS,
        "placeholder {years}",
    );
    expect_error(
        EMBEDDED_RULESET.replace("superseded_by = [\"CV-BP-STOP\"]", "superseded_by = [\"CV-STOP\"]"),
        EMBEDDED_DRUGS,
        "CV-STOP",
    );
    expect_error(
        EMBEDDED_RULESET.replace("level = \"contraindication\"", "level = \"absolute\""),
        EMBEDDED_DRUGS,
        "absolute",
    );
    expect_error(EMBEDDED_RULESET.replace("default = 6\n", "default = 7\n"), EMBEDDED_DRUGS, "min_weeks_at_dose");
    expect_error(
        EMBEDDED_RULESET.replace("gap_rule = \"CV-GAP\"", "gap_rule = \"CV-GAPS\""),
        EMBEDDED_DRUGS,
        "CV-GAPS",
    );
    expect_error(EMBEDDED_RULESET.replace("variants.met =", "variants.reached ="), EMBEDDED_DRUGS, "`met`");
    expect_error(
        EMBEDDED_RULESET.replace("id = \"patient.height_cm\"", "id = \"patient.height\""),
        EMBEDDED_DRUGS,
        "questions must be exactly",
    );
}

#[test]
fn the_treatment_resistance_count_rule_must_exist_once() {
    let without = EMBEDDED_RULESET.replace("kind = \"failed_trial_count\", minimum = 2", "kind = \"trial_confirmed\"");
    expect_error(without, EMBEDDED_DRUGS, "failed_trial_count");
    assert_eq!(load_with(EMBEDDED_RULESET, EMBEDDED_DRUGS).unwrap().required_failed_trials(), 2);
}

#[test]
fn broken_drug_data_is_refused() {
    let err = |drugs: String| load_with(EMBEDDED_RULESET, &drugs).expect_err("accepted");
    assert!(err(EMBEDDED_DRUGS.replace("aliases = [\"zoloft\", \"lustral\"]", "aliases = [\"zoloft\", \"prozac\"]"))
        .contains("prozac"));
    assert!(err(
        EMBEDDED_DRUGS.replace("classes = [\"tca\"]\nmin_dose_mg = 75", "classes = [\"tricyclic\"]\nmin_dose_mg = 75")
    )
    .contains("tricyclic"));
    assert!(err(EMBEDDED_DRUGS.replace("min_dose_mg = 50\n", "min_dose_mg = -50\n")).contains("positive"));
}

#[test]
fn broken_version_2_data_is_refused() {
    expect_error(
        EMBEDDED_RULESET.replace(
            "comparison = { \"50\" = \"below\", \"25\" = \"at_or_below\" }",
            "comparison = { \"50\" = \"below\" }",
        ),
        EMBEDDED_DRUGS,
        "the value 25 has no comparison",
    );
    expect_error(
        EMBEDDED_RULESET.replace("setting = \"spo2_defer_percent\" }", "setting = \"spo2_stop_percent\" }"),
        EMBEDDED_DRUGS,
        "RESP-SPO2-DEFER: spo2_stop_percent is not a numeric setting",
    );
    expect_error(
        EMBEDDED_RULESET.replace("[policy.severity_madrs_min]", "[policy.unused_madrs]"),
        EMBEDDED_DRUGS,
        "unused_madrs",
    );
    expect_error(
        EMBEDDED_RULESET.replace("classes = [\"mood_stabilizer\"] }", "classes = [\"mood_stabiliser\"] }"),
        EMBEDDED_DRUGS,
        "class mood_stabiliser",
    );
    expect_error(
        EMBEDDED_RULESET.replace("is = [\"active\"]", "is = [\"acute\"]"),
        EMBEDDED_DRUGS,
        "psychiatric.suicidal_intent",
    );
    expect_error(
        EMBEDDED_RULESET.replace("(did you mean {suggestion}?)", "(did you mean {name}?)"),
        EMBEDDED_DRUGS,
        "placeholder {name}",
    );
    expect_error(
        EMBEDDED_RULESET.replacen(
            "route = \"iv_ketamine\"\nmessage = \"Arteriovenous",
            "route = \"iv\"\nmessage = \"Arteriovenous",
            1,
        ),
        EMBEDDED_DRUGS,
        "iv",
    );
    // The deferral line at or above the precaution line is refused for that reason (the TOML stays
    // valid: only the default and its range change); just below it loads.
    let defer_at = |default: u32| {
        EMBEDDED_RULESET
            .replace("default = 90\nmin = 80\nmax = 94", &format!("default = {default}\nmin = 80\nmax = 97"))
    };
    assert_ne!(defer_at(95), EMBEDDED_RULESET, "the deferral setting was found");
    expect_error(defer_at(95), EMBEDDED_DRUGS, "spo2_defer_percent: its default must be below spo2_low_percent's");
    assert!(load_with(&defer_at(94), EMBEDDED_DRUGS).is_ok());
    let err = |drugs: String| load_with(EMBEDDED_RULESET, &drugs).expect_err("accepted");
    assert!(err(EMBEDDED_DRUGS.replace("same_drug_as = \"paroxetine\"", "same_drug_as = \"paroxetin\""))
        .contains("paroxetin"));
    assert!(err(EMBEDDED_DRUGS.replace("strength = \"U\"\n", "\n")).contains("a source needs its strength"));
}

#[test]
fn each_failure_threshold_carries_its_comparison() {
    let r = load_with(EMBEDDED_RULESET, EMBEDDED_DRUGS).unwrap();
    assert_eq!(r.policy.failure_comparison(50), Comparison::Below);
    assert_eq!(r.policy.failure_comparison(25), Comparison::AtOrBelow);
    assert!(Comparison::AtOrBelow.holds(25.0, 25.0) && !Comparison::Below.holds(50.0, 50.0));
}

#[test]
fn the_version_1_rule_set_is_kept_byte_for_byte_and_found_by_its_hash() {
    use sha2::{Digest, Sha256};
    let (ruleset, drugs) = ARCHIVED[0];
    let v1 = RuleSet::archived(ruleset, drugs).unwrap();
    assert_eq!((v1.meta.id.as_str(), v1.meta.version.as_str()), ("trd-ketamine-2026.1", "1"));
    let mut h = Sha256::new();
    h.update(ruleset);
    h.update(drugs);
    let sha: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    // The hash every record finalised under version 1 carries.
    assert_eq!(sha, "60aac68a5a233d14c964b11da34400213184aa299fc6610fe7a3efafa2c0a754");
    let reference = RuleSetRef { id: v1.meta.id.clone(), version: v1.meta.version.clone(), sha256: sha };
    let found = RuleSet::for_reference(&reference).expect("found by its hash");
    assert_eq!(found.meta.id, "trd-ketamine-2026.1");
    assert!(found.question("respiratory.spo2_percent").is_none(), "version 1 did not ask it");
    // It is no longer the rule set in force.
    assert!(load_with(ruleset, drugs).is_err());
}

/// The policy keys are one list: the rule set's `[policy]` tables, the values in force, a site's
/// choices, lookup by name and the rules document all name the same keys.
#[test]
fn the_policy_keys_are_one_list() {
    use trdcheck::{PolicyOverrides, SitePolicy};
    let rules = RuleSet::embedded().unwrap();
    let table: toml::Table = toml::from_str(EMBEDDED_RULESET).unwrap();
    let in_data: Vec<String> = table["policy"].as_table().unwrap().keys().cloned().collect();
    let mut entries: Vec<String> = rules.policy.entries().iter().map(|e| e.key.to_string()).collect();
    assert_eq!(entries.len(), 10, "{entries:?}");
    let defaults = serde_json::to_value(SitePolicy::defaults(rules)).unwrap();
    let mut in_force: Vec<String> = defaults.as_object().unwrap().keys().cloned().collect();
    // A site may choose every key: an overrides file naming each with its default is accepted.
    let overrides: PolicyOverrides = serde_json::from_value(defaults.clone()).unwrap();
    assert_eq!(SitePolicy::resolve(rules, &overrides).unwrap(), SitePolicy::defaults(rules));
    let mut data_sorted = in_data.clone();
    data_sorted.sort();
    entries.sort();
    in_force.sort();
    assert_eq!(entries, data_sorted);
    assert_eq!(in_force, data_sorted);
    let doc = trdcheck::documents::rules_doc::rules_markdown(rules);
    for e in rules.policy.entries() {
        assert!(doc.contains(&format!("| {} | {} |", e.label, e.default)), "{} missing from the rules document", e.key);
        // Every number a rule may compare with is found by its name.
        let numeric = defaults[e.key].is_u64();
        assert_eq!(rules.policy.number_setting(e.key).is_some(), numeric, "{}", e.key);
        assert_eq!(SitePolicy::defaults(rules).number(e.key).is_some(), numeric, "{}", e.key);
    }
}
