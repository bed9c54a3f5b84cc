// Reading and changing one answer of a record (an assessment, a session) by its path ("cardiovascular.systolic_mmhg",
// "trials[2].dose_mg_per_day"). Pure: a change returns a new assessment.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

type Segment = string | number;

export function parsePath(path: string): Segment[] {
  const out: Segment[] = [];
  for (const part of path.split(".")) {
    const m = /^([a-z_][a-z0-9_]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) throw new Error(`bad path ${path}`);
    out.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

export function getAnswer(a: unknown, path: string): Json | undefined {
  let cur: unknown = a;
  for (const seg of parsePath(path)) {
    if (cur === null || cur === undefined) return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur as Json | undefined;
}

/** A copy of `a` with the answer at `path` set; `null` makes it unknown (the key is removed). */
export function setAnswer<T>(a: T, path: string, value: Json): T {
  const segs = parsePath(path);
  const root = structuredClone(a) as unknown as Record<string | number, unknown>;
  let cur: Record<string | number, unknown> = root;
  for (let i = 0; i < segs.length - 1; i++) {
    const seg = segs[i];
    if (cur[seg] === null || cur[seg] === undefined) cur[seg] = typeof segs[i + 1] === "number" ? [] : {};
    cur = cur[seg] as Record<string | number, unknown>;
  }
  const last = segs[segs.length - 1];
  if (value === null && !Array.isArray(cur)) delete cur[last];
  else cur[last] = value;
  return root as unknown as T;
}

/** Yes / No / Unknown as the radio values of a boolean question. */
export type TriValue = "yes" | "no" | "unknown";

export function boolToTri(v: Json | undefined): TriValue {
  return v === true ? "yes" : v === false ? "no" : "unknown";
}

export function triToBool(v: TriValue): boolean | null {
  return v === "yes" ? true : v === "no" ? false : null;
}

/** A typed number: empty is unknown (null); anything else must be a finite number. */
export function parseNumber(text: string): { value: number | null } | { error: string } {
  const t = text.trim().replace(",", ".");
  if (t === "") return { value: null };
  const n = Number(t);
  return Number.isFinite(n) ? { value: n } : { error: "enter a number, or leave it empty when unknown" };
}
