#![allow(dead_code)]
//! Shared helpers for the integration tests.

pub mod courses;

use std::path::{Path, PathBuf};
use std::process::Command;

use trdcheck::eligibility::model::*;
use trdcheck::{evaluate, Evaluation, PolicyOverrides, RuleSet, SitePolicy};

pub fn rules() -> &'static RuleSet {
    RuleSet::embedded().expect("embedded rule set loads")
}

pub fn default_policy() -> SitePolicy {
    SitePolicy::defaults(rules())
}

pub fn policy(overrides: PolicyOverrides) -> SitePolicy {
    SitePolicy::resolve(rules(), &overrides).expect("valid policy")
}

/// A failed adequate trial of a drug in the dose table.
pub fn failed_trial(drug: &str, dose: f64) -> Trial {
    Trial {
        drug: Some(drug.into()),
        dose_mg_per_day: Some(dose),
        weeks_at_dose: Some(8.0),
        adherent: Some(true),
        improvement_percent: Some(10.0),
        current_episode: Some(true),
        stopped_for_intolerance: Some(false),
        adequacy_confirmed_by_clinician: None,
        same_drug_as_suggestion: None,
    }
}

/// Every question answered, nothing of concern: evaluates to `eligible`.
pub fn baseline() -> Assessment {
    Assessment {
        schema: SCHEMA.into(),
        route: Some(Route::IvKetamine),
        patient: Patient {
            id: "T-1".into(),
            age_years: Some(40.0),
            sex: Some(Sex::Female),
            weight_kg: Some(70.0),
            height_cm: Some(170.0),
        },
        episode: Episode {
            diagnosis: Some(Diagnosis::Mdd),
            capacity_to_consent: Some(true),
            phq9_total: Some(18.0),
            madrs_total: Some(30.0),
        },
        trials: Some(vec![failed_trial("sertraline", 100.0), failed_trial("duloxetine", 60.0)]),
        cardiovascular: Cardiovascular {
            systolic_mmhg: Some(120.0),
            diastolic_mmhg: Some(80.0),
            repeat_systolic_mmhg: None,
            repeat_diastolic_mmhg: None,
            aneurysmal_vascular_disease: Some(false),
            arteriovenous_malformation: Some(false),
            intracerebral_hemorrhage_history: Some(false),
            unstable_cardiovascular_disease: Some(false),
            stable_cardiovascular_disease: Some(false),
            hypertensive_encephalopathy_history: Some(false),
        },
        respiratory: Respiratory { respiratory_disease: Some(false), spo2_percent: Some(98.0) },
        pregnancy: Pregnancy { childbearing_potential: Some(true), pregnant: Some(false), breastfeeding: Some(false) },
        substance_use: SubstanceUse {
            ketamine_or_pcp_misuse: Some(KetamineMisuse::Never),
            substance_use_disorder: Some(SubstanceUseDisorder::None),
            intoxicated_or_withdrawing: Some(false),
            heavy_alcohol_use: Some(false),
        },
        psychiatric: Psychiatric {
            current_psychosis_or_mania: Some(false),
            psychotic_disorder_history: Some(false),
            suicidal_ideation: Some(SuicidalIdeation::None),
            suicidal_intent: None,
            suicidal_behaviour_recent: Some(false),
        },
        medical: Medical {
            ketamine_hypersensitivity: Some(false),
            raised_intracranial_pressure: Some(false),
            hepatic_impairment: Some(HepaticImpairment::None),
            neurocognitive_disorder: Some(false),
            urinary_symptoms: Some(false),
        },
        medications: Some(vec![]),
    }
}

pub fn eval(a: &Assessment) -> Evaluation {
    evaluate(a, rules(), &default_policy())
}

pub fn med(name: &str, dose: Option<f64>) -> Medication {
    Medication { name: Some(name.into()), dose_mg_per_day: dose, ..Default::default() }
}

pub fn example_v2_json() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/example-assessment-v2.json"))
        .expect("examples/example-assessment-v2.json")
}

pub fn example_json() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/example-assessment.json"))
        .expect("examples/example-assessment.json")
}

pub const PASSPHRASE: &str = "correct horse battery staple";
pub const CLINICIAN: &str = "Dr Test";

/// A fixed database key for tests of the core (the app makes a random one at set-up).
pub fn test_key() -> trdcheck::records::DbKey {
    trdcheck::records::DbKey::from_bytes(zeroize::Zeroizing::new([0x5a; 32]))
}

/// A data folder set up by `trd-check db init --user "Dr Test"`, as a clinic would.
pub struct Clinic {
    pub dir: tempfile::TempDir,
    pub path: std::path::PathBuf,
    pub passphrase_file: std::path::PathBuf,
    pub recovery_key: String,
}

pub const BIN: &str = env!("CARGO_BIN_EXE_trd-check");

impl Clinic {
    pub fn new() -> Clinic {
        Clinic::with_records(None)
    }

    /// Set up over a copy of an earlier version's unencrypted records (`db init` encrypts them).
    pub fn with_records(plain: Option<&std::path::Path>) -> Clinic {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records.sqlite3");
        if let Some(plain) = plain {
            std::fs::copy(plain, &path).unwrap();
        }
        let passphrase_file = dir.path().join("passphrase");
        std::fs::write(&passphrase_file, format!("{PASSPHRASE}\n")).unwrap();
        let mut clinic = Clinic { dir, path, passphrase_file, recovery_key: String::new() };
        let o = clinic.db(&["init"]);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        clinic.recovery_key = out
            .lines()
            .skip_while(|l| !l.starts_with("recovery key"))
            .nth(1)
            .map(|l| l.trim().to_string())
            .expect("init prints the recovery key");
        clinic
    }

    /// `trd-check db --path … --user "Dr Test" ARGS` with the passphrase in its file.
    pub fn db(&self, args: &[&str]) -> std::process::Output {
        self.command(args).output().unwrap()
    }

    pub fn command(&self, args: &[&str]) -> std::process::Command {
        let mut c = std::process::Command::new(BIN);
        c.args(["db", "--path", self.path.to_str().unwrap(), "--user", CLINICIAN])
            .args(args)
            .env("TRDCHECK_PASSPHRASE_FILE", &self.passphrase_file)
            .env_remove("TRDCHECK_NEW_PASSPHRASE_FILE")
            .env_remove("TRDCHECK_RECOVERY_KEY_FILE");
        c
    }

    pub fn key(&self) -> trdcheck::records::DbKey {
        trdcheck::vault::Vault::new(&self.path).unlock(CLINICIAN, PASSPHRASE).unwrap().key
    }

    /// The records, opened as the app does after sign-in.
    pub fn store(&self) -> trdcheck::records::Store {
        trdcheck::records::Store::open(&self.path, &self.key()).unwrap()
    }
}

/// A raw connection to a file encrypted with [`test_key`] (to write states of older versions).
pub fn keyed(path: &std::path::Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(path).unwrap();
    c.pragma_update(None, "key", &*test_key().literal()).unwrap();
    c
}

/// Fails when `text` (a patient's name, say) appears in the clear in any file under `dir`.
pub fn assert_nowhere_in_clear(dir: &std::path::Path, text: &str) {
    let mut files = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            files += 1;
            let bytes = std::fs::read(&path).unwrap();
            let found = bytes.windows(text.len()).any(|w| w.eq_ignore_ascii_case(text.as_bytes()));
            assert!(!found, "{text:?} is in the clear in {}", path.display());
        }
    }
    assert!(files > 0, "no file under {}", dir.display());
}

/// A tool the full test run installs; without it here, the test is skipped only outside that run.
pub fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|d| d.join(name)).find(|p| p.is_file()));
    if found.is_none() {
        assert!(std::env::var("TRDCHECK_REQUIRE_TOOLS").is_err(), "{name} is required (scripts/test installs it)");
        eprintln!("skipped: {name} is not installed (scripts/test installs it)");
    }
    found
}

/// Each page's size as poppler's pdfinfo reads it, e.g. "612 x 792 pts (letter)".
pub fn pdf_page_sizes(pdf: &[u8], dir: &Path) -> Option<Vec<String>> {
    let pdfinfo = tool("pdfinfo")?;
    let path = dir.join("sized.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new(pdfinfo).args(["-f", "1", "-l", "1000"]).arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    Some(
        text.lines()
            .filter(|l| l.starts_with("Page") && l.contains(" size:"))
            .map(|l| l.split_once("size:").unwrap().1.trim().to_string())
            .collect(),
    )
}

pub fn pdf_text(pdf: &[u8], dir: &Path) -> Option<(String, usize)> {
    let pdftotext = tool("pdftotext")?;
    let path = dir.join("summary.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new(pdftotext).arg(&path).arg("-").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let pages = text.matches('\u{c}').count();
    Some((text, pages))
}
