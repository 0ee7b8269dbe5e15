/**
 * Our pipeline: createApp with the compiled bench spec (bench/e2e/spec.yaml). bench/e2e/run.ts
 * writes a tiny entry next to the generated module that calls {@link brrtWorker} with it, so the
 * generated code is bundled exactly as an app would bundle it.
 *
 * Variants switch one stage off or change it, to show where the time goes:
 * - "full":           JWT verified once per token, then served from the verified-token cache;
 * - "no-token-cache": every request verifies the JWT's HMAC (what the other contenders do);
 * - "no-auth":        `insecure: true`, the authorise stage skipped.
 */
import { createApp, type App, type CompiledSpec, type Handlers, type SecurityConfig } from "../../../src/runtime/index.ts";
import { createdItem, ISSUER, itemView, type BenchEnv } from "./item.ts";

export type BrrtVariant = "full" | "no-token-cache" | "no-auth";

const handlers: Handlers<BenchEnv> = {
  getItem(request) {
    const owner = request.auth.bearerAuth?.principal ?? "anonymous";
    return {
      body: itemView(request.params.id as number, request.query.limit as number, request.query.tags as string[] | undefined, owner),
    };
  },
  createItem(request) {
    return { status: 201, body: createdItem(request.body as object) };
  },
};

export function brrtWorker(spec: CompiledSpec, variant: BrrtVariant): App<BenchEnv> {
  const security: SecurityConfig = {
    tokenCache: variant === "no-token-cache" ? false : {},
    schemes: {
      bearerAuth: { jwt: { algorithms: ["HS256"], key: { secretFrom: "JWT_SECRET" }, issuer: ISSUER, requiredClaims: ["sub", "exp"] } },
    },
  };
  return createApp<BenchEnv>({
    spec,
    handlers,
    security,
    insecure: variant === "no-auth",
    // The insecure-mode warning is expected in the no-auth variant; keep workerd's output clean.
    logger: { error: (message, detail) => console.error(message, detail), warn: () => {} },
  });
}
