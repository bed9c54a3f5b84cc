import { describe, expect, it } from "vitest";
import { bpChartSpec, drawChart, layout, scaleChartSpec } from "../src/chart";
import type { CourseOutcomes } from "../src/bindings/CourseOutcomes";
import type { SessionListing } from "../src/bindings/SessionListing";
// What the core gives for a course (tests/administrations.rs keeps it up to date).
import fixture from "./fixtures/course-outcomes.json";

const outcomes = fixture.outcomes as unknown as CourseOutcomes;
const sessions = fixture.sessions as unknown as SessionListing[];
const phq = outcomes.scales.find((s) => s.scale.id === "phq9")!;

describe("the scale chart", () => {
  const spec = scaleChartSpec(phq, sessions, fixture.started_on);

  it("has the scale's bands, its response and remission lines and every finalised total", () => {
    expect(spec.bands.map((b) => b.name)).toEqual(["minimal", "mild", "moderate", "moderately severe", "severe"]);
    expect(spec.lines).toEqual([
      { name: "response ≤ 9", at: 9, cls: "response" },
      { name: "remission ≤ 4", at: 4, cls: "remission" },
    ]);
    expect(spec.series[0].points.map((p) => [p.date, p.value, p.alert])).toEqual([
      ["2026-11-02", 18, false],
      ["2026-11-06", 12, false],
      ["2026-11-16", 10, true],
      ["2026-11-23", 8, false],
    ]);
    expect(spec.series[0].points[3].label).toBe("2026-11-23: PHQ-9 8, mild, response");
    expect(spec.series[0].points[2].label).toContain("URGENT: item 9 = 1");
    expect(spec.markers).toEqual([
      { date: "2026-11-03", label: "S1 35 mg", treated: true },
      { date: "2026-11-06", label: "S2 35 mg", treated: true },
    ]);
  });

  it("places a higher total higher, a later date further right, and the lines between bands", () => {
    const g = layout(spec, 720, 260);
    const [a, b, c, d] = g.dots;
    expect(a.y).toBeLessThan(b.y);
    expect(d.y).toBeGreaterThan(c.y);
    expect(a.x).toBe(g.plot.left);
    expect(d.x).toBe(g.plot.right);
    expect(b.x).toBeGreaterThan(a.x);
    // The response line (≤ 9) lies between the 9 and the 10 of the total's axis.
    const y = (v: number) => g.plot.bottom - ((g.plot.bottom - g.plot.top) * v) / 27;
    expect(g.lines[0].y).toBeCloseTo(y(9.5), 5);
    // Bands tile the axis from 0 to 27 without gaps.
    const sorted = [...g.bands].sort((p, q) => p.y - q.y);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i].y).toBeCloseTo(sorted[i - 1].y + sorted[i - 1].h, 5);
    expect(g.paths).toHaveLength(1);
    // One line through the four totals.
    expect(g.paths[0].d).toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){3}$/);
  });

  it("draws SVG whose points are reachable by keyboard and named by their value", () => {
    const svg = drawChart(spec);
    expect(svg.querySelectorAll("rect[data-band]")).toHaveLength(5);
    expect(svg.querySelectorAll("[data-line]")).toHaveLength(2);
    const points = Array.from(svg.querySelectorAll("[data-point]"));
    // One Tab stop; the arrow keys go from point to point.
    expect(points.map((p) => p.getAttribute("tabindex"))).toEqual(["0", "-1", "-1", "-1"]);
    document.body.append(svg);
    (points[0] as unknown as HTMLElement).focus();
    points[0].dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
    expect(document.activeElement).toBe(points[1]);
    expect(points.map((p) => p.getAttribute("tabindex"))).toEqual(["-1", "0", "-1", "-1"]);
    points[1].dispatchEvent(new KeyboardEvent("keydown", { key: "End", bubbles: true }));
    expect(document.activeElement).toBe(points[3]);
    svg.remove();
    expect(points[2].getAttribute("class")).toContain("alert");
    expect(points[0].getAttribute("aria-label")).toBe("2026-11-02 (baseline): PHQ-9 18, moderately severe");
    expect(svg.textContent).toContain("S2 35 mg");
  });
});

describe("the blood-pressure chart", () => {
  it("draws systolic and diastolic before, at 40 minutes and at discharge for each session", () => {
    const spec = bpChartSpec(sessions, fixture.started_on)!;
    expect(spec.series.map((s) => s.name)).toEqual([
      "systolic before", "diastolic before", "systolic 40 min", "diastolic 40 min", "systolic discharge", "diastolic discharge",
    ]);
    expect(spec.series[2].points.map((p) => p.value)).toEqual([142, 142]);
    expect(spec.max).toBe(180);
    expect(spec.series.filter((s) => s.dashed).map((s) => s.name.split(" ")[0])).toEqual(["diastolic", "diastolic", "diastolic"]);
  });

  it("is not drawn without a reading", () => {
    const none = sessions.map((s) => ({ ...s, blood_pressure: [{}, {}, {}] })) as unknown as SessionListing[];
    expect(bpChartSpec(none, fixture.started_on)).toBeNull();
  });
});

describe("the time axis", () => {
  it("counts weeks from the course's start, as the printed chart does", () => {
    const g = layout(scaleChartSpec(phq, sessions, fixture.started_on), 720, 260);
    expect(g.xTicks.map((t) => t.label)).toEqual(["start", "week 1", "week 2", "week 3"]);
    expect(g.xTicks[0].x).toBe(g.plot.left);
  });

  it("puts a baseline taken before the course started to the left of the start", () => {
    const early = { ...phq, points: phq.points.map((p, i) => (i === 0 ? { ...p, date: "2026-10-30" } : p)) };
    const g = layout(scaleChartSpec(early, sessions, fixture.started_on), 720, 260);
    expect(g.xTicks[0].label).toBe("start");
    expect(g.dots[0].x).toBe(g.plot.left);
    expect(g.xTicks[0].x).toBeGreaterThan(g.dots[0].x);
  });
});
