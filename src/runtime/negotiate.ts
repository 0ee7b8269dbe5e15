/**
 * Minimal `Accept` negotiation (RFC 9110 §12.5.1): pick the offered media type the client
 * prefers, honouring q-values and wildcards. Used by mock mode; small on purpose.
 */

interface AcceptRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
  readonly order: number;
}

function parseAccept(header: string): AcceptRange[] {
  const ranges: AcceptRange[] = [];
  const parts = header.split(",");
  for (let i = 0; i < parts.length && i < 64; i++) {
    const [range = "", ...params] = (parts[i] ?? "").split(";");
    const [type = "", subtype = ""] = range.trim().toLowerCase().split("/");
    if (type === "" || subtype === "") continue;
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split("=");
      if (key?.trim() === "q" && value !== undefined) {
        const parsed = Number(value.trim());
        if (Number.isFinite(parsed)) q = Math.min(Math.max(parsed, 0), 1);
      }
    }
    ranges.push({ type, subtype, q, order: i });
  }
  return ranges;
}

function specificity(range: AcceptRange): number {
  return (range.type === "*" ? 0 : 2) + (range.subtype === "*" ? 0 : 1);
}

/** The offer to use, or undefined when the client accepts none of them (→ 406). */
export function negotiate(acceptHeader: string | null, offers: readonly string[]): string | undefined {
  if (offers.length === 0) return undefined;
  if (acceptHeader === null || acceptHeader.trim() === "") return offers[0];
  const ranges = parseAccept(acceptHeader);
  if (ranges.length === 0) return offers[0];
  let best: string | undefined;
  let bestQ = 0;
  for (const offer of offers) {
    const [type = "", subtype = ""] = offer.toLowerCase().split(";")[0]!.trim().split("/");
    // The most specific matching range decides this offer's q-value.
    let chosen: AcceptRange | undefined;
    for (const range of ranges) {
      const fits = (range.type === "*" || range.type === type) && (range.subtype === "*" || range.subtype === subtype);
      if (fits && (chosen === undefined || specificity(range) > specificity(chosen))) chosen = range;
    }
    if (chosen !== undefined && chosen.q > bestQ) {
      best = offer;
      bestQ = chosen.q;
    }
  }
  return best;
}
