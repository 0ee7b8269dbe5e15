/**
 * Reading secrets and key material from Workers env bindings. A missing or mistyped binding is a
 * deployment mistake, reported as a 500 (fail closed, and visible to the operator) rather than a
 * 401 that would look like the client's fault. Messages name the binding, never its value.
 */

/** A key source failed on the server side: misconfiguration (500) or an unreachable key/verifier service (503). */
export class KeySourceError extends Error {
  constructor(
    readonly status: 500 | 503,
    readonly reason: "not_configured" | "key_source_unavailable",
    message: string,
    /** For a 503 behind a failure cooldown: whole seconds until the source will be fetched again (the response's Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/**
 * Whole seconds from `now` until a cooldown that began at `failedAt` ends, at least 1. Rounded up,
 * so a client that waits that long is never early. At least 1, also for `cooldownMs: 0` (no
 * cooldown: the very next request fetches again): "1" is the truth then, where the old fixed 5
 * would be a made-up figure, and unlike "0" it does not invite a client to spin against a failing
 * identity provider.
 */
export function secondsUntilRetry(failedAt: number, cooldownMs: number, now: number): number {
  return Math.max(1, Math.ceil((failedAt + cooldownMs - now) / 1000));
}

export function readBinding(env: unknown, name: string, schemeName: string): unknown {
  const value = env !== null && typeof env === "object" ? (env as Record<string, unknown>)[name] : undefined;
  if (value === undefined || value === null || value === "") {
    throw new KeySourceError(500, "not_configured", `security scheme "${schemeName}": env binding ${name} is not set`);
  }
  return value;
}

export function readStringBinding(env: unknown, name: string, schemeName: string): string {
  const value = readBinding(env, name, schemeName);
  if (typeof value !== "string") throw new KeySourceError(500, "not_configured", `security scheme "${schemeName}": env binding ${name} is not a string`);
  return value;
}

/** JSON bindings may arrive parsed (wrangler `[vars]` objects) or as text (secrets). */
export function readJsonBinding<T>(env: unknown, name: string, schemeName: string): T {
  const value = readBinding(env, name, schemeName);
  if (typeof value !== "string") return value as T;
  try {
    return JSON.parse(value) as T;
  } catch {
    throw new KeySourceError(500, "not_configured", `security scheme "${schemeName}": env binding ${name} is not JSON`);
  }
}
