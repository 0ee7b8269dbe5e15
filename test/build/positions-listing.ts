/** Test helper: every object reachable from a loaded value with its full recorded location. */
import type { SourceIndex } from "../../src/build/positions.ts";

/** One line per object (each once, in a fixed walk order): path, start, key and item positions. */
export function positionsListing(value: unknown, index: SourceIndex): string[] {
  const out: string[] = [];
  const seen = new Set<object>();
  const walk = (v: unknown, at: string): void => {
    if (typeof v !== "object" || v === null || seen.has(v)) return;
    seen.add(v);
    const l = index.get(v);
    const keys = l ? [...l.keys].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, p]) => `${k}@${p.key.line}:${p.key.column}/${p.value.line}:${p.value.column}`) : [];
    out.push(`${at} ${l ? `${l.file}:${l.start.line}:${l.start.column} [${keys.join(" ")}] [${l.items.map((p) => `${p.line}:${p.column}`).join(" ")}]` : "-"}`);
    for (const [k, c] of Object.entries(v)) walk(c, `${at}/${k}`);
  };
  walk(value, "#");
  return out;
}
