//! The local records at scale: 100,000 assessments across 20,000 patients.
//! Run: cargo bench --bench storage. The seeded database is kept in target/bench-data and reused.
//! Targets (issue 3): open < 100 ms, prefix search < 20 ms, durable save of a draft change < 5 ms;
//! (issue 12) encrypted: sign-in (key derivation) and open < 1 s, durable encrypted save < 5 ms.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use trdcheck::records::{audit, DbKey, NewPatient, Store};
use trdcheck::vault::Vault;

const CLINICIAN: &str = "Dr Bench";
const PASSPHRASE: &str = "benchmark orchid lantern thirty";

const PATIENTS: usize = 20_000;
const ASSESSMENTS: usize = 100_000;
const EXAMPLE: &str = include_str!("../examples/example-assessment.json");
const FIRST: &[&str] =
    &["Ana", "José", "María", "Li", "Oluwaseun", "Zoë", "Mateo", "Aisha", "Liam", "Chloé", "Ravi", "Sven"];
const LAST: &[&str] = &[
    "García", "Smith", "Núñez", "Okafor", "Nguyen", "Müller", "O'Brien", "Kowalski", "Haddad", "Tanaka", "Åberg",
    "Silva",
];

/// The seeded, encrypted records and their key (set up with one clinician).
fn seeded() -> (PathBuf, DbKey) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/encrypted-100k");
    let path = dir.join("trdcheck.sqlite3");
    if path.exists() {
        let key = Vault::new(&path).unlock(CLINICIAN, PASSPHRASE).unwrap().key;
        return (path, key);
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let tmp = dir.join("partial.sqlite3");
    let (unlocked, _) = Vault::new(&tmp).set_up(CLINICIAN, PASSPHRASE).unwrap();
    let mut store = Store::open(&tmp, &unlocked.key).unwrap();
    let answers = trdcheck::parse_assessment(EXAMPLE).unwrap();
    // A real snapshot, as finalise stores it, so that the database has its real size.
    let rules = trdcheck::RuleSet::embedded().unwrap();
    let policy = trdcheck::SitePolicy::defaults(rules);
    let evaluation = serde_json::to_string(&trdcheck::evaluate(&answers, rules, &policy)).unwrap();
    let policy_json = serde_json::to_string(&policy).unwrap();
    // Patients through the API (so the search index is the real one), assessments in bulk.
    for i in 0..PATIENTS {
        let name = format!("{} {} {}", FIRST[i % FIRST.len()], LAST[(i / FIRST.len()) % LAST.len()], i);
        store
            .create_patient(&NewPatient { mrn: format!("MRN-{i:06}"), name, date_of_birth: None, sex: None }, "seed")
            .unwrap();
        if i % 2000 == 0 {
            eprintln!("seeding patients: {i}");
        }
    }
    let conn = store.connection();
    conn.execute_batch("BEGIN").unwrap();
    let at = "2026-01-01T00:00:00Z";
    for n in 0..ASSESSMENTS {
        let patient = (n % PATIENTS) as i64 + 1;
        let mut a = answers.clone();
        a.patient.id = format!("MRN-{:06}", patient - 1);
        a.patient.age_years = Some(18.0 + (n % 70) as f64);
        let status = if n % 5 == 0 { "draft" } else { "final" };
        conn.execute(
            "INSERT INTO assessment (patient_id, version, status, answers, created_at, updated_at, finalised_at, finalised_by, evaluation, ruleset_id, ruleset_version, ruleset_sha256, policy) \
             VALUES (?1, 1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, 'trd-ketamine-2026.1', '1', ?8, ?9)",
            rusqlite::params![
                patient,
                status,
                serde_json::to_string(&a).unwrap(),
                at,
                (status == "final").then_some(at),
                (status == "final").then_some("seed"),
                (status == "final").then_some(evaluation.as_str()),
                rules.sha256,
                (status == "final").then_some(policy_json.as_str()),
            ],
        )
        .unwrap();
        let id = conn.last_insert_rowid();
        audit::append(
            conn,
            at,
            &audit::Event {
                actor: "seed",
                action: "create_draft",
                patient_id: Some(patient),
                assessment_id: Some(id),
                ..Default::default()
            },
        )
        .unwrap();
        if n % 20_000 == 0 {
            eprintln!("seeding assessments: {n}");
        }
    }
    conn.execute_batch("COMMIT; PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    drop(store);
    std::fs::rename(&tmp, &path).unwrap();
    std::fs::rename(tmp.with_extension("keys"), path.with_extension("keys")).unwrap();
    (path, unlocked.key)
}

fn bench(c: &mut Criterion) {
    let (path, key) = seeded();
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    eprintln!("database: {} ({:.0} MB)", path.display(), size as f64 / 1e6);
    let mut g = c.benchmark_group("storage_100k");
    g.sample_size(20);
    // The CLI's open: the full integrity check before anything else.
    g.bench_function("open_full_check", |b| b.iter_with_large_drop(|| Store::open(&path, &key).unwrap()));
    // The CLI's read-only commands (issue 25): header checks only, then `db list`'s query and
    // `db show`'s record.
    g.bench_function("cli_read_open_list_show", |b| {
        b.iter_with_large_drop(|| {
            let store = Store::open_to_read(&path, &key).unwrap();
            let recent = store.recent_assessments(200).unwrap();
            let shown = store.assessment(recent[0].id).unwrap();
            (store, recent, shown)
        })
    });
    // `db export`'s open and write (issue 25): header checks only, the record, then its entry in
    // the audit trail (who exported what), without the full check first.
    g.bench_function("cli_read_open_export", |b| {
        b.iter_with_large_drop(|| {
            let mut store = Store::open_to_read(&path, &key).unwrap();
            let id = store.recent_assessments(1).unwrap()[0].id;
            let record = store.export(id, "json", CLINICIAN).unwrap();
            (store, record)
        })
    });
    // The app's open: header checks now, integrity check beside it (joined when dropped, untimed).
    g.bench_function("open_app", |b| {
        b.iter_with_large_drop(|| Store::open_with_background_check(&path, &key).unwrap())
    });
    // Sign-in: the clinician's key slot (Argon2id) unwraps the key, then the app's open.
    let vault = Vault::new(&path);
    g.bench_function("sign_in_and_open_app", |b| {
        b.iter_with_large_drop(|| {
            let unlocked = vault.unlock(CLINICIAN, PASSPHRASE).unwrap();
            Store::open_with_background_check(&path, &unlocked.key).unwrap()
        })
    });
    let mut store = Store::open(&path, &key).unwrap();
    g.bench_function("search_prefix", |b| b.iter(|| store.search_patients("garc", 50).unwrap()));
    g.bench_function("search_two_words", |b| b.iter(|| store.search_patients("maria nun", 50).unwrap()));
    g.bench_function("list_patient_assessments", |b| b.iter(|| store.assessments_of(1234).unwrap()));
    let draft = store
        .recent_assessments(200)
        .unwrap()
        .into_iter()
        .find(|l| l.status == trdcheck::records::RecordStatus::Draft)
        .unwrap()
        .id;
    let mut answers = store.assessment(draft).unwrap().answers;
    let mut n = 0u64;
    g.bench_function("save_draft_change_durable", |b| {
        b.iter(|| {
            n += 1;
            answers.cardiovascular.systolic_mmhg = Some(100.0 + (n % 80) as f64);
            store.save_draft(draft, &answers, "bench").unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
