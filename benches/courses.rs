//! A treatment course of 100 finalised IV ketamine sessions in the encrypted records (issue 13).
//! Run: cargo bench --bench courses. Targets: the course opens (its overview, as the app's course
//! screen asks for it) in < 50 ms; its course summary renders to PDF in < 200 ms.

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use trdcheck::records::clinic_details::Paper;
use trdcheck::records::Store;
use trdcheck::treatment::dosing::{DosingRules, DosingSite};

const SESSIONS: u32 = 100;

/// A file-backed store with one course of 100 finalised sessions (a fresh folder each run).
fn seeded(dir: &std::path::Path) -> (Store, i64) {
    let mut s = Store::open(&dir.join("trdcheck.sqlite3"), &common::test_key()).unwrap();
    let p = s
        .create_patient(
            &trdcheck::records::NewPatient {
                mrn: "B-1".into(),
                name: "Bench Course".into(),
                date_of_birth: None,
                sex: None,
            },
            "seed",
        )
        .unwrap();
    s.set_clock("2026-01-04T09:00:00Z").unwrap();
    let d = s.create_draft(p.id, Some(common::baseline()), "Dr Bench").unwrap();
    let f = s.finalise(d.id, "Dr Bench", common::rules(), &common::default_policy()).unwrap();
    let (policy, site) = (common::default_policy(), DosingSite::default());
    let now = common::courses::in_force(&policy, &site);
    let course = s.start_course(f.id, "2026-01-05", "Dr Bench").unwrap();
    let start = time::macros::date!(2026 - 01 - 06);
    let format = time::macros::format_description!("[year]-[month]-[day]");
    for n in 0..SESSIONS {
        let date = (start + time::Duration::days(i64::from(n) * 3)).format(&format).unwrap();
        let rec = s.new_session(course.id, &date, "Dr Bench", &now).unwrap();
        let mut x = rec.session.clone();
        common::courses::treated(&mut x);
        s.save_session(rec.id, &x, "Dr Bench", &now).unwrap();
        s.finalise_session(rec.id, "Dr Bench", &now).unwrap();
    }
    (s, course.id)
}

fn bench(c: &mut Criterion) {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/course-100");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (store, course) = seeded(&dir);
    let dosing = DosingRules::embedded().unwrap();
    let rules = common::rules();
    assert_eq!(store.course_overview(course, dosing).unwrap().sessions.len(), SESSIONS as usize);
    let mut g = c.benchmark_group("course_100_sessions");
    g.sample_size(20);
    g.bench_function("open_course_overview", |b| b.iter(|| store.course_overview(course, dosing).unwrap()));
    g.bench_function("course_summary_pdf", |b| {
        b.iter(|| {
            trdcheck::documents::course_summary::course_summary(&store, course, rules, dosing, None)
                .unwrap()
                .to_pdf(Paper::A4)
                .unwrap()
        })
    });
    g.bench_function("course_summary_html", |b| {
        b.iter(|| {
            trdcheck::documents::course_summary::course_summary(&store, course, rules, dosing, None)
                .unwrap()
                .to_html(Paper::A4)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
