"""Benchmark, not a test (BENCHMARKS.md; run by `scripts/bench`; pytest collects only test_*.py, so
the tests never run it): the PHQ-9 chart of a course with 200 administrations, drawn in the app's webview.

A course with one session is made through the CLI, 200 PHQ-9 administrations are added through the
app's own commands, then the course is opened five times and the time the chart took to draw is
read from the SVG (`data-draw-ms`, measured in ui/src/chart.ts). The median is printed as
`BENCH …` and kept in target/e2e-shots/chart-bench.txt; nothing asserts it.
"""
import os

from test_app import PASSPHRASE, cli_course_with_a_session, clinic, css, one, open_course, sign_in, wait  # noqa: F401 (clinic: a fixture)


def test_chart_of_200_administrations(clinic, launch, shots):
    cli_course_with_a_session(clinic, "E2E-1100")
    d = launch()
    sign_in(d)
    open_course(d, "E2E-1100")
    course_id = int(one(d, "[data-course-id]").get_attribute("data-course-id"))
    # In batches: each WebDriver call must answer within the client's 30 s.
    d.set_script_timeout(30)
    for batch in range(8):
        failed = d.execute_async_script(
            """
            const [course, pass, from, done] = arguments;
            const invoke = window.__TAURI_INTERNALS__.invoke;
            (async () => {
              for (let i = from; i < from + 25; i++) {
                const date = new Date(Date.now() + i * 86400000).toISOString().slice(0, 10);
                const v = await invoke("new_administration", { courseId: course, scale: "phq9", date, baseline: i === 0, sessionNumber: null });
                const a = v.record.administration;
                a.items = [1, 1, 1, 1, 1, 1, 1, 1, 0].map((x, k) => k < 8 && (i + k) % 3 === 0 ? x + 1 : x);
                await invoke("save_administration", { id: v.record.id, administration: a });
                await invoke("finalise_administration", { id: v.record.id, passphrase: pass });
              }
            })().then(() => done(null), (e) => done(String(e && e.message || e)));
            """, course_id, PASSPHRASE, batch * 25)
        assert failed is None, failed
    times = []
    for _ in range(5):
        open_course(d, "E2E-1100")
        wait(d, lambda: len(css(d, "svg[data-chart='PHQ-9 total over the course'] [data-point]")) == 200)
        times.append(float(one(d, "svg[data-chart='PHQ-9 total over the course']").get_attribute("data-draw-ms")))
    print(f"BENCH chart of 200 administrations drawn in {sorted(times)[2]:.2f} ms (median of 5: {times})")
    with open(os.path.join(shots, "chart-bench.txt"), "w") as f:
        f.write(f"{sorted(times)[2]:.2f} ms median of {times}\n")
    d.quit()
