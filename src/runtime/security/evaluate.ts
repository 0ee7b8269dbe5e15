/**
 * Evaluating an operation's requirement list (`op.security`, already the effective one) against
 * one request, with OpenAPI semantics: the list holds alternatives (OR), tried in order; each
 * requirement object names schemes that must all pass (AND) and the scopes each must grant. The
 * first fully satisfied alternative wins and becomes the frozen `Auth`. Each scheme is evaluated
 * at most once per request, alternatives run one after another (no race, no scheme overwriting
 * another's result), and an alternative missing any credential is skipped before any crypto runs.
 *
 * The evaluation is synchronous for as long as every scheme it checks answers synchronously (a
 * verified-token cache hit, an API key, a synchronous verifier, a missing or malformed
 * credential). Only when a scheme really has to wait (a JWT not in the cache, a JWKS fetch, a
 * verifier's promise) does it return a promise, which re-enters the same alternative once that
 * scheme has settled; what was settled before is remembered, so nothing runs twice.
 *
 * Per request, on the common path (one requirement, one scheme, answered from a cache), the
 * evaluation allocates one small array: the requirement list's shape is compiled once into a
 * plan, and an alternative that grants the very same results again returns the same frozen Auth.
 */
import type { SecurityRequirement } from "../compiled-spec.ts";
import type { Problem } from "../problem.ts";
import type { UrlParts } from "../request/target.ts";
import { ABSENT, type SchemeOutcome } from "./outcome.ts";
import { refusalProblem, type ScopeShortfall } from "./refusal.ts";
import type { SchemeEvaluator } from "./schemes.ts";
import type { Auth, FailureReason, SchemeResult } from "./types.ts";

/** The `auth` of a public operation (and of a satisfied `{}` alternative). */
export const EMPTY_AUTH: Auth = Object.freeze({});

export type Evaluation = Auth | Problem | Promise<Auth | Problem>;

/** Evaluates a requirement list against a request; a promise only when some scheme had to wait. */
export type RequirementsEvaluator = (request: Request, url: UrlParts, security: readonly SecurityRequirement[], env: unknown) => Evaluation;

/** Called once per refused or failed credential (and for a scope shortfall); never throws. */
export type FailureReporter = (scheme: string, reason: FailureReason, detail?: string) => void;

/** A scheme named somewhere in a requirement list; evaluator undefined when the spec does not declare it. */
interface SchemeSlot {
  readonly name: string;
  readonly evaluator: SchemeEvaluator | undefined;
}

interface Alternative {
  /** Indexes into {@link Plan.schemes}, in the requirement object's order; empty for `{}`. */
  readonly slots: readonly number[];
  /** The scheme names, parallel to `slots` (the keys of the Auth). */
  readonly names: readonly string[];
  /** The scopes the requirement asks of each scheme, parallel to `slots`. */
  readonly scopes: readonly (readonly string[])[];
  /** The last Auth this alternative granted; the same results again (a cache hit) reuse it. */
  lastAuth: Auth | undefined;
}

/** A requirement list compiled once: its distinct schemes and its alternatives in terms of them. */
interface Plan {
  /** Distinct schemes in order of first appearance (the order of challenges in a 401). */
  readonly schemes: readonly SchemeSlot[];
  readonly alternatives: readonly Alternative[];
}

/**
 * What one request has learnt about each scheme of the plan, by slot: nothing yet (undefined),
 * its credential (a string, not verified yet), or its outcome (ABSENT when there was no credential).
 */
type SchemeStates = (string | SchemeOutcome | undefined)[];

type Accepted = Extract<SchemeOutcome, { kind: "ok" }>;

export function createRequirementsEvaluator(
  evaluators: ReadonlyMap<string, SchemeEvaluator>,
  realm: string,
  report: FailureReporter,
): RequirementsEvaluator {
  const plans = new WeakMap<readonly SecurityRequirement[], Plan>();
  const planOf = (security: readonly SecurityRequirement[]): Plan => {
    let plan = plans.get(security);
    if (plan === undefined) {
      plan = compilePlan(security, evaluators);
      plans.set(security, plan);
    }
    return plan;
  };

  const settle = (states: SchemeStates, slot: number, name: string, outcome: SchemeOutcome): void => {
    states[slot] = outcome;
    if (outcome.kind === "refused") report(name, outcome.reason);
    else if (outcome.kind === "server_error") report(name, outcome.reason, outcome.detail);
  };

  /**
   * Tries the alternatives from `first` on. Re-entered (by the promise of a scheme that had to
   * wait) at the alternative that was waiting: its presence check and the schemes it already
   * settled read from `states`, so the evaluation carries on exactly where it stopped.
   */
  function evaluateFrom(
    request: Request,
    url: UrlParts,
    env: unknown,
    plan: Plan,
    states: SchemeStates,
    first: number,
    shortfall: ScopeShortfall | undefined,
  ): Evaluation {
    const { schemes, alternatives } = plan;
    alternatives: for (let a = first; a < alternatives.length; a++) {
      const alternative = alternatives[a]!;
      const slots = alternative.slots;
      // `{}`: the anonymous alternative (optional security).
      if (slots.length === 0) return EMPTY_AUTH;
      // Dismiss the alternative before verifying anything when one of its credentials is missing.
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i]!;
        let state = states[slot];
        if (state === undefined) state = states[slot] = schemes[slot]!.evaluator?.extract(request, url) ?? ABSENT;
        if (state === ABSENT) continue alternatives;
      }
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i]!;
        let state = states[slot]!;
        if (typeof state === "string") {
          // A string state means extract found a credential, which only a declared scheme's evaluator does.
          const { name, evaluator } = schemes[slot]!;
          const outcome = evaluator!.verify(state, request, env);
          if (outcome instanceof Promise) {
            return outcome.then((settled) => {
              settle(states, slot, name, settled);
              return evaluateFrom(request, url, env, plan, states, a, shortfall);
            });
          }
          settle(states, slot, name, outcome);
          state = outcome;
        }
        if (state.kind !== "ok") continue alternatives;
      }
      // Every scheme passed; the alternative wins if each grants the scopes asked of it.
      const lacking = scopeShortfall(alternative, states);
      if (lacking === undefined) return grant(alternative, states);
      shortfall ??= lacking;
    }

    if (shortfall !== undefined) report(shortfall.scheme, "insufficient_scope");
    const outcomes = Array.from(states, (state) => (typeof state === "object" ? state : undefined));
    return refusalProblem({ schemes: plan.schemes, outcomes, realm, scopeShortfall: shortfall });
  }

  return (request, url, security, env) => {
    // No requirement at all: a public operation.
    if (security.length === 0) return EMPTY_AUTH;
    const plan = planOf(security);
    return evaluateFrom(request, url, env, plan, new Array<string | SchemeOutcome | undefined>(plan.schemes.length), 0, undefined);
  };
}

function compilePlan(security: readonly SecurityRequirement[], evaluators: ReadonlyMap<string, SchemeEvaluator>): Plan {
  const schemes: SchemeSlot[] = [];
  const slotOf = new Map<string, number>();
  const alternatives: Alternative[] = [];
  for (const requirement of security) {
    const slots: number[] = [];
    const names: string[] = [];
    const scopes: (readonly string[])[] = [];
    for (const name in requirement) {
      let slot = slotOf.get(name);
      if (slot === undefined) {
        slot = schemes.length;
        slotOf.set(name, slot);
        // A requirement naming a scheme the spec does not declare (the build should prevent it) never passes.
        schemes.push({ name, evaluator: evaluators.get(name) });
      }
      slots.push(slot);
      names.push(name);
      scopes.push(requirement[name]!);
    }
    alternatives.push({ slots, names, scopes, lastAuth: undefined });
  }
  return { schemes, alternatives };
}

/** The first scheme of an accepted alternative that lacks a scope asked of it; undefined when all are granted. */
function scopeShortfall(alternative: Alternative, states: SchemeStates): ScopeShortfall | undefined {
  const { slots, scopes } = alternative;
  for (let i = 0; i < slots.length; i++) {
    const needed = scopes[i]!;
    if (needed.length === 0) continue;
    const granted = (states[slots[i]!] as Accepted).result.scopes;
    for (let s = 0; s < needed.length; s++) {
      if (!granted.includes(needed[s]!)) return { scheme: alternative.names[i]!, scopes: needed };
    }
  }
  return undefined;
}

/** The frozen Auth of an accepted alternative: its last one when the results are the very same objects. */
function grant(alternative: Alternative, states: SchemeStates): Auth {
  const { slots, names } = alternative;
  const last = alternative.lastAuth;
  if (last !== undefined) {
    let same = true;
    for (let i = 0; i < slots.length && same; i++) same = (states[slots[i]!] as Accepted).result === last[names[i]!];
    if (same) return last;
  }
  const auth: Record<string, SchemeResult> = {};
  for (let i = 0; i < slots.length; i++) {
    // Defined, not assigned: a scheme called `__proto__` must not become the prototype.
    Object.defineProperty(auth, names[i]!, { value: (states[slots[i]!] as Accepted).result, enumerable: true, writable: true, configurable: true });
  }
  return (alternative.lastAuth = Object.freeze(auth));
}
