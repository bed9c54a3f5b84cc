//! The `trd-check` command line as a user runs it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_trd-check");
const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/example-assessment-v2.json");
const EXAMPLE_V1: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/example-assessment.json");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("trd-check runs")
}

fn run_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn evaluate_prints_the_assessment_v2_json() {
    let o = run(&["evaluate", EXAMPLE]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["determination"], "eligible_with_precautions");
    assert_eq!(v["failed_adequate_trials"], 2);
    assert_eq!(v["ruleset"]["id"], "trd-ketamine-2026.3");
    assert_eq!(v["ruleset"]["version"], "3");
    let rules: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    for id in ["CV-BP-HIGH", "RX-BZD-HIGH", "RX-CLINICIAN-CLASSES"] {
        assert!(rules.contains(&id), "{id} in {rules:?}");
    }
    for f in v["findings"].as_array().unwrap() {
        assert!(["V", "S", "U"].contains(&f["strength"].as_str().unwrap()), "{f}");
    }
    assert_eq!(v["ruleset"]["sha256"].as_str().unwrap().len(), 64);
    for f in v["findings"].as_array().unwrap() {
        for key in ["rule", "area", "level", "message", "source"] {
            assert!(f[key].is_string(), "finding without {key}: {f}");
        }
    }
    assert_eq!(v["policy"]["min_weeks_at_dose"], 6);
    assert_eq!(v["policy"]["spo2_low_percent"], 95);
    assert_eq!(v["policy"]["augmentation_counts"], false);
}

#[test]
fn a_version_1_file_is_upgraded_on_reading_and_its_new_answers_are_unknown() {
    let o = run(&["evaluate", EXAMPLE_V1]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    // Unknown is never "no": the questions version 1 did not ask make it incomplete.
    assert_eq!(v["determination"], "incomplete");
    assert_eq!(v["failed_adequate_trials"], 2);
    let missing: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["level"] == "missing")
        .filter_map(|f| f["question"].as_str())
        .collect();
    for q in [
        "respiratory.spo2_percent",
        "substance_use.heavy_alcohol_use",
        "psychiatric.suicidal_behaviour_recent",
        "episode.phq9_total",
    ] {
        assert!(missing.contains(&q), "{q} not missing: {missing:?}");
    }
    // Its record (FHIR) answers the current questionnaire, with the same determination.
    let o = run(&["summary", EXAMPLE_V1, "--format", "fhir"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let bundle: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let resource = |kind: &str| {
        bundle["entry"].as_array().unwrap().iter().map(|e| &e["resource"]).find(|r| r["resourceType"] == kind).unwrap()
    };
    assert_eq!(
        resource("QuestionnaireResponse")["questionnaire"],
        format!("urn:trdcheck:questionnaire:trd-ketamine-2026.3|3")
    );
    assert_eq!(resource("Observation")["valueCodeableConcept"]["coding"][0]["code"], "incomplete");
}

#[test]
fn the_hash_is_the_hash_of_the_rule_files() {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for f in ["rules/ruleset.toml", "rules/drugs.toml"] {
        h.update(std::fs::read(format!("{}/{f}", env!("CARGO_MANIFEST_DIR"))).unwrap());
    }
    let expected: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let v: serde_json::Value = serde_json::from_str(&stdout(&run(&["evaluate", EXAMPLE]))).unwrap();
    assert_eq!(v["ruleset"]["sha256"], expected.as_str());
}

#[test]
fn evaluate_reads_standard_input() {
    let o = run_stdin(&["evaluate", "-"], &std::fs::read_to_string(EXAMPLE).unwrap());
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("\"eligible_with_precautions\""));
}

#[test]
fn text_and_markdown_put_the_determination_first_then_findings_trials_and_the_rule_set() {
    for (format, heading) in [
        ("text", "Determination: ELIGIBLE WITH PRECAUTIONS"),
        ("markdown", "## Determination: ELIGIBLE WITH PRECAUTIONS"),
    ] {
        let o = run(&["evaluate", EXAMPLE, "--format", format]);
        assert_eq!(o.status.code(), Some(0));
        let out = stdout(&o);
        let at = |s: &str| out.find(s).unwrap_or_else(|| panic!("{format}: no {s:?} in\n{out}"));
        assert!(at(heading) < at("CV-BP-HIGH"));
        assert!(at("CV-BP-HIGH") < at("Treatment history: 2 failed adequate trial"));
        assert!(at("Treatment history") < at("Rule set trd-ketamine-2026.3 version 3 · sha256"));
        assert!(out.contains("Source: Andrashko 2020"));
        assert!(out.contains("Site policy:"));
    }
}

#[test]
fn a_rejected_file_exits_2_and_names_the_field() {
    let bad = std::fs::read_to_string(EXAMPLE).unwrap().replace("\"systolic_mmhg\": 152", "\"systolic_mmhg\": 400");
    let o = run_stdin(&["evaluate", "-"], &bad);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty(), "nothing is evaluated from a rejected file");
    let err = stderr(&o);
    assert!(err.contains("cardiovascular.systolic_mmhg") && err.contains("400") && err.contains("50–300"), "{err}");

    let o = run(&["evaluate", "/no/such/file.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/no/such/file.json"));
}

#[test]
fn a_policy_file_changes_the_values_in_force() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("policy.json");
    std::fs::write(&json, r#"{"min_weeks_at_dose": 10}"#).unwrap();
    let o = run(&["evaluate", EXAMPLE, "--policy", json.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    // sertraline (8 weeks) no longer counts at 10 weeks.
    assert_eq!(v["failed_adequate_trials"], 1);
    assert_eq!(v["determination"], "not_eligible");
    assert_eq!(v["policy"]["min_weeks_at_dose"], 10);

    let toml = dir.path().join("policy.toml");
    std::fs::write(&toml, "failure_threshold_percent = 25\n").unwrap();
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["evaluate", EXAMPLE, "--policy", toml.to_str().unwrap()]))).unwrap();
    assert_eq!(v["policy"]["failure_threshold_percent"], 25);
    assert_eq!(v["failed_adequate_trials"], 1, "30 % improvement is not a failure under the strict reading");

    std::fs::write(&json, r#"{"min_weeks_at_dose": 7}"#).unwrap();
    let o = run(&["evaluate", EXAMPLE, "--policy", json.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("min_weeks_at_dose: 7 is not allowed; allowed: 6, 8, 10"), "{}", stderr(&o));

    std::fs::write(&json, r#"{"min_weeks": 8}"#).unwrap();
    let o = run(&["evaluate", EXAMPLE, "--policy", json.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("min_weeks"), "{}", stderr(&o));
}

#[test]
fn rules_prints_every_rule_for_review() {
    let o = run(&["rules"]);
    assert_eq!(o.status.code(), Some(0));
    let md = stdout(&o);
    let rules: serde_json::Value = serde_json::from_str(&stdout(&run(&["rules", "--format", "json"]))).unwrap();
    let list = rules["rules"].as_array().unwrap();
    assert!(list.len() >= 40);
    for r in list {
        let id = r["id"].as_str().unwrap();
        assert!(md.contains(&format!("| {id} |")), "{id} missing from the Markdown");
        assert!(r["source"].as_str().is_some_and(|s| !s.is_empty()));
    }
    assert!(md.contains("| sertraline | zoloft, lustral | 50 |"));
    assert!(md.contains("| lorazepam | ativan | 1 |"));
    assert!(md.contains("TRD-ADEQ"));
}

#[test]
fn help_and_version() {
    let o = run(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("trd-check "));
    let o = run(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("evaluate") && stdout(&o).contains("rules"));
    let o = run(&["evaluate", EXAMPLE, "--format", "pdfx"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn score_gives_the_total_band_flags_and_with_a_baseline_response_and_remission() {
    let o = run(&["score", "phq9", "--items", "1,1,2,2,1,1,1,0,1", "--baseline", "20", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!((v["total"].as_u64(), v["band"].as_str()), (Some(10), Some("moderate")));
    assert_eq!(v["flags"], serde_json::json!(["item9"]));
    assert_eq!((v["change_percent"].as_f64(), v["response"]["met"].as_bool()), (Some(-50.0), Some(true)));
    assert_eq!(v["remission"]["met"], false);
    assert_eq!(v["scale"]["id"], "phq9");
    let o =
        run(&["score", "madrs", "--items", "2,2,1,1,1,1,1,1,1,1", "--baseline", "30", "--remission-threshold", "12"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("MADRS total 12 of 60: mild (7–19)"), "{text}");
    assert!(text.contains("Remission (total of 12 or less): yes"), "{text}");
    assert!(!text.contains("URGENT"));
}

#[test]
fn score_refuses_a_wrong_count_or_an_answer_out_of_range_naming_it() {
    for (args, named) in [
        (vec!["score", "phq9", "--items", "1,1,1,1,1,1,1,1"], "items: PHQ-9 has 9 items; 8 were given"),
        (vec!["score", "madrs", "--items", "1,1,1,1,1,1,1,1,1,7"], "items[9]: item 10 (Suicidal thoughts) is 7"),
        (vec!["score", "phq9", "--items", "1,1,x,1,1,1,1,1,1"], "items[2]: item 3 is \"x\""),
        (vec!["score", "phq9", "--items", "1,1,-1,1,1,1,1,1,1"], "items[2]: item 3 is \"-1\""),
        (
            vec!["score", "phq9", "--items", "0,0,0,0,0,0,0,0,0", "--baseline", "28"],
            "baseline: 28 is not a PHQ-9 total",
        ),
        (
            vec!["score", "madrs", "--items", "0,0,0,0,0,0,0,0,0,0", "--remission-threshold", "11"],
            "remission: MADRS remission is judged at 10 or 12",
        ),
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(named), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty());
    }
}
