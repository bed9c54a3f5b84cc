// The course's charts: a scale's totals over time with its bands shaded, the response and
// remission lines and the sessions (with their doses) on the time axis; blood pressure per
// session. The bands, lines and totals are the core's (CourseOutcomes); this file only places
// them and draws them as SVG (the lines by d3-shape), every point reachable by keyboard with its
// value in words, beside a table with the same data. The time axis counts weeks from the start,
// as the printed summary's chart does. (d3-scale is not used: its colour module assigns to
// prototypes, which the app's frozen Object.prototype refuses.)

import { line } from "d3-shape";
import type { ScaleOutcome } from "./bindings/ScaleOutcome";
import type { SessionListing } from "./bindings/SessionListing";

export interface ChartPoint {
  date: string;
  value: number;
  /** The point in words ("2026-11-05: PHQ-9 9, mild, response"). */
  label: string;
  alert: boolean;
}
export interface ChartSeries {
  name: string;
  cls: string;
  dashed: boolean;
  points: ChartPoint[];
}
export interface ChartSpec {
  title: string;
  max: number;
  yTicks: number[];
  bands: { name: string; min: number; max: number }[];
  lines: { name: string; at: number; cls: string }[];
  series: ChartSeries[];
  /** Sessions on the time axis: "S2 35 mg"; a dose given or not. */
  markers: { date: string; label: string; treated: boolean }[];
  /** The first date of the axis (the course's start). */
  start: string;
}

const DAY = 86_400_000;
const utc = (date: string) => new Date(`${date}T00:00:00Z`);

function markers(sessions: SessionListing[]): ChartSpec["markers"] {
  return sessions.map((s) => {
    const treated = s.status === "final" && s.outcome === "treated";
    const dose = treated && s.dose_mg !== null && s.dose_mg !== undefined ? ` ${s.dose_mg} mg` : "";
    return { date: s.date, label: `S${s.number}${dose}`, treated };
  });
}

/** A scale's chart: its bands, the response line (with a baseline above 0) and remission line
 * as the core gives them, and each finalised total. */
export function scaleChartSpec(o: ScaleOutcome, sessions: SessionListing[], start: string): ChartSpec {
  const points: ChartPoint[] = o.points.flatMap((p) => {
    if (!p.score) return [];
    const s = p.score;
    const judged = [
      s.response ? (s.response.met ? "response" : "no response") : null,
      s.remission.met ? "remission" : null,
      p.alerts.length ? `URGENT: ${p.alerts.map((a) => `item ${a.item} = ${a.answer}`).join(", ")}` : null,
    ].filter((x) => x !== null);
    const at = p.baseline ? "baseline" : p.session_number ? `session ${p.session_number}` : "";
    return [{ date: p.date, value: s.total, alert: p.alerts.length > 0, label: [`${p.date}${at ? ` (${at})` : ""}: ${o.scale.name} ${s.total}, ${s.band}`, ...judged].join(", ") }];
  });
  const lines: ChartSpec["lines"] = [];
  if (o.response_at_most !== null && o.response_at_most !== undefined) lines.push({ name: `response ≤ ${o.response_at_most}`, at: o.response_at_most, cls: "response" });
  lines.push({ name: `remission ≤ ${o.remission_at_most}`, at: o.remission_at_most, cls: "remission" });
  return {
    title: `${o.scale.name} total over the course`,
    max: o.max_total,
    yTicks: [...o.bands.map((b) => b.min), o.max_total],
    bands: o.bands.map((b) => ({ name: b.name, min: b.min, max: b.max })),
    lines,
    series: [{ name: o.scale.name, cls: "total", dashed: false, points }],
    markers: markers(sessions),
    start,
  };
}

const BP_TIMES = ["before", "40 min", "discharge"] as const;

/** Blood pressure per session: systolic and diastolic before the dose, at about 40 minutes and
 * before discharge; null without any reading. */
export function bpChartSpec(sessions: SessionListing[], start: string): ChartSpec | null {
  const series: ChartSeries[] = [];
  let highest = 0;
  BP_TIMES.forEach((time, k) => {
    for (const which of ["systolic", "diastolic"] as const) {
      const points = sessions.flatMap((s) => {
        const v = s.blood_pressure[k]?.[`${which}_mmhg`];
        if (v === null || v === undefined) return [];
        highest = Math.max(highest, v);
        return [{ date: s.date, value: v, alert: false, label: `${s.date} (session ${s.number}) ${time}: ${which} ${v} mmHg` }];
      });
      if (points.length) series.push({ name: `${which} ${time}`, cls: `bp-${k}`, dashed: which === "diastolic", points });
    }
  });
  if (!series.length) return null;
  const max = Math.max(180, Math.ceil(highest / 20) * 20);
  const yTicks: number[] = [];
  for (let t = 0; t <= max; t += 40) yTicks.push(t);
  return { title: "Blood pressure per session (mmHg)", max, yTicks, bands: [], lines: [], series, markers: markers(sessions), start };
}

export interface ChartGeometry {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  bands: { y: number; h: number; name: string; index: number }[];
  lines: { y: number; name: string; cls: string }[];
  paths: { d: string; cls: string; dashed: boolean }[];
  dots: { x: number; y: number; label: string; alert: boolean; cls: string; filled: boolean }[];
  markers: { x: number; label: string; treated: boolean }[];
  xTicks: { x: number; label: string }[];
  yTicks: { y: number; label: string }[];
}

/** Where everything of a chart goes, in pixels of a `width` × `height` drawing. */
export function layout(spec: ChartSpec, width: number, height: number): ChartGeometry {
  const plot = { left: 40, top: 10, right: width - 110, bottom: height - 44 };
  const days = [spec.start, ...spec.series.flatMap((s) => s.points.map((p) => p.date)), ...spec.markers.map((m) => m.date)].map((d) => utc(d).getTime() / DAY);
  let first = days[0];
  let last = days[0];
  for (const d of days) {
    first = Math.min(first, d);
    last = Math.max(last, d);
  }
  // Weeks count from the course's start; a baseline taken before it lies left of "start".
  const zero = utc(spec.start).getTime() / DAY;
  const span = Math.max(7, last - first);
  const xDay = (day: number) => plot.left + ((plot.right - plot.left) * (day - first)) / span;
  const x = (date: string) => xDay(utc(date).getTime() / DAY);
  const y = (v: number) => plot.bottom - ((plot.bottom - plot.top) * Math.min(Math.max(v, 0), spec.max)) / spec.max;
  const toPath = line<ChartPoint>().x((p) => x(p.date)).y((p) => y(p.value));
  // A tick every week, or every few weeks on a long course (at most about eight).
  const step = 7 * (Math.floor(span / 7 / 8) + 1);
  const xTicks: ChartGeometry["xTicks"] = [];
  for (let d = 0; zero + d <= first + span; d += step) xTicks.push({ x: xDay(zero + d), label: d === 0 ? "start" : `week ${d / 7}` });
  return {
    width,
    height,
    plot,
    bands: spec.bands.map((b, index) => ({ y: y(b.max + 0.5), h: y(b.min - 0.5) - y(b.max + 0.5), name: b.name, index })),
    lines: spec.lines.map((l) => ({ y: y(l.at + 0.5), name: l.name, cls: l.cls })),
    paths: spec.series.filter((s) => s.points.length > 1).map((s) => ({ d: toPath(s.points) ?? "", cls: s.cls, dashed: s.dashed })),
    dots: spec.series.flatMap((s) => s.points.map((p) => ({ x: x(p.date), y: y(p.value), label: p.label, alert: p.alert, cls: s.cls, filled: !s.dashed }))),
    markers: spec.markers.map((m) => ({ x: x(m.date), label: m.label, treated: m.treated })),
    xTicks,
    yTicks: spec.yTicks.map((t) => ({ y: y(t), label: String(t) })),
  };
}

const SVG = "http://www.w3.org/2000/svg";

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The chart as SVG: each point a focusable mark named by its value (Tab moves through them). */
export function drawChart(spec: ChartSpec, width = 720, height = 260): SVGSVGElement {
  const g = layout(spec, width, height);
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "group", "aria-label": spec.title, "data-chart": spec.title }) as SVGSVGElement;
  const { left, top, right, bottom } = g.plot;
  for (const b of g.bands) {
    svg.append(el("rect", { x: left, y: b.y, width: right - left, height: b.h, class: `band band-${Math.min(4, Math.round((b.index * 4) / Math.max(1, g.bands.length - 1)))}`, "data-band": b.name }));
    svg.append(el("text", { x: right - 4, y: b.y + b.h / 2 + 4, class: "band-name", "text-anchor": "end" }, b.name));
  }
  svg.append(el("path", { d: `M${left},${top}V${bottom}H${right}`, class: "axis" }));
  for (const t of g.yTicks) {
    svg.append(el("line", { x1: left - 4, x2: left, y1: t.y, y2: t.y, class: "axis" }));
    svg.append(el("text", { x: left - 6, y: t.y + 4, "text-anchor": "end", class: "tick" }, t.label));
  }
  for (const t of g.xTicks) {
    svg.append(el("line", { x1: t.x, x2: t.x, y1: bottom, y2: bottom + 4, class: "axis" }));
    svg.append(el("text", { x: t.x, y: bottom + 15, "text-anchor": "middle", class: "tick" }, t.label));
  }
  for (const l of g.lines) {
    svg.append(el("line", { x1: left, x2: right, y1: l.y, y2: l.y, class: `rule-line ${l.cls}`, "data-line": l.cls }));
    svg.append(el("text", { x: right + 4, y: l.y + 4, class: `rule-name ${l.cls}` }, l.name));
  }
  for (const p of g.paths) svg.append(el("path", { d: p.d, class: `series ${p.cls}${p.dashed ? " dashed" : ""}` }));
  // One Tab stop for all the points (the first); the arrow keys move from point to point.
  const dots = g.dots.map((d, i) => {
    const dot = el("circle", { cx: d.x, cy: d.y, r: 4, class: `point ${d.cls}${d.filled ? "" : " hollow"}${d.alert ? " alert" : ""}`, tabindex: i === 0 ? 0 : -1, role: "img", "aria-label": d.label, "data-point": "" });
    dot.append(el("title", {}, d.label));
    svg.append(dot);
    return dot;
  });
  dots.forEach((dot, i) => dot.addEventListener("keydown", (e) => {
    const key = (e as KeyboardEvent).key;
    const to = key === "ArrowRight" || key === "ArrowDown" ? i + 1 : key === "ArrowLeft" || key === "ArrowUp" ? i - 1 : key === "Home" ? 0 : key === "End" ? dots.length - 1 : -2;
    if (to === -2 || to < 0 || to >= dots.length) return;
    e.preventDefault();
    dot.setAttribute("tabindex", "-1");
    dots[to].setAttribute("tabindex", "0");
    (dots[to] as unknown as HTMLElement).focus();
  }));
  // Several series (blood pressure): a legend of their times, solid systolic, dashed diastolic.
  if (spec.series.length > 1) {
    spec.series.filter((s) => !s.dashed).forEach((s, i) => {
      const y = top + 10 + i * 16;
      svg.append(el("line", { x1: right + 8, x2: right + 24, y1: y - 4, y2: y - 4, class: `series ${s.cls}` }));
      svg.append(el("text", { x: right + 28, y, class: "tick" }, s.name.replace(/^systolic /, "")));
    });
    svg.append(el("text", { x: right + 8, y: top + 62, class: "tick small" }, "solid systolic,"));
    svg.append(el("text", { x: right + 8, y: top + 74, class: "tick small" }, "dashed diastolic"));
  }
  for (const m of g.markers) {
    svg.append(el("circle", { cx: m.x, cy: bottom + 25, r: 3, class: `session-mark${m.treated ? "" : " hollow"}` }));
    svg.append(el("text", { x: m.x, y: bottom + 38, "text-anchor": "middle", class: "session-label" }, g.markers.length <= 12 ? m.label : m.label.split(" ")[0]));
  }
  return svg;
}
