/**
 * What every contender of the end-to-end bench does once a request is authorised and valid: the
 * same two tiny "business" functions, so the contenders differ only in routing, parsing,
 * validation and auth. Runs inside workerd: no Node built-ins.
 */

/** Bindings every bench worker gets (a text binding in the workerd config). */
export interface BenchEnv {
  readonly JWT_SECRET: string;
}

/** Tokens are signed by bench/e2e/run.ts with this issuer; every contender checks it. */
export const ISSUER = "brrt-bench";

export interface ItemView {
  readonly id: number;
  readonly limit: number;
  readonly tags: string[];
  readonly owner: string;
}

export function itemView(id: number, limit: number, tags: string[] | undefined, owner: string): ItemView {
  return { id, limit, tags: tags ?? [], owner };
}

/** The created item: the validated body with the id a store would assign. */
export function createdItem(body: object): Record<string, unknown> {
  return { id: 1, ...body };
}
