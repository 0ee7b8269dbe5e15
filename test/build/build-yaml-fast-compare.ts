/**
 * Compares the fast YAML path (yaml-fast.ts) with the general loader (load.ts over the `yaml`
 * package) on one text: same values (key order included), same positions for every object and
 * array, same `$ref` holders in the same order. Used by build-yaml-fast.test.ts.
 */
import { parseWithYamlPackage } from "../../src/build/load.ts";
import { SourceIndex, type NodeLocation } from "../../src/build/positions.ts";
import { parseYamlFast } from "../../src/build/yaml-fast.ts";

export type Comparison = { readonly kind: "declined" } | { readonly kind: "same" } | { readonly kind: "different"; readonly where: string; readonly detail: string };

function locationText(location: NodeLocation | undefined): string {
  if (!location) return "none";
  return JSON.stringify({ file: location.file, start: location.start, keys: [...location.keys], items: location.items });
}

export function compareFastWithGeneral(text: string, file: string): Comparison {
  const generalIndex = new SourceIndex();
  const general = parseWithYamlPackage(text, file, file, generalIndex);
  const fastIndex = new SourceIndex();
  const fast = parseYamlFast(text, file, fastIndex);
  if (fast === undefined) return { kind: "declined" };
  if (general.diagnostics.length > 0) return { kind: "different", where: "document", detail: `yaml reports ${general.diagnostics.map((d) => d.message).join("; ")}` };

  const paths = new Map<object, string>();
  const walk = (a: unknown, b: unknown, at: string): string | undefined => {
    if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) {
      if (Object.is(a, b)) return undefined;
      return `${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
    }
    if (Array.isArray(a) !== Array.isArray(b)) return "array vs mapping";
    paths.set(b, at);
    const la = locationText(generalIndex.get(a));
    const lb = locationText(fastIndex.get(b));
    if (la !== lb) return `position ${la} vs ${lb}`;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.join("\u0000") !== kb.join("\u0000")) return `keys ${JSON.stringify(ka)} vs ${JSON.stringify(kb)}`;
    for (const k of ka) {
      const problem = walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}/${k}`);
      if (problem) return `${at}/${k}: ${problem}`;
    }
    return undefined;
  };
  const problem = walk(general.value, fast.value, "");
  if (problem) return { kind: "different", where: "value", detail: problem };
  const generalRefs = general.refs.map((r) => r.holder.$ref).join("\n");
  const fastRefs = fast.refs.map((r) => r.$ref).join("\n");
  if (generalRefs !== fastRefs) return { kind: "different", where: "refs", detail: `${generalRefs.slice(0, 200)} vs ${fastRefs.slice(0, 200)}` };
  return { kind: "same" };
}
