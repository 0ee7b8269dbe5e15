/**
 * The self-hosted setup end to end on this machine's workerd: the config generated from
 * wrangler.toml over the `wrangler deploy --dry-run` bundle serves the pet store, SIGTERM stops
 * it cleanly, and a pet stored in the Durable Object is still there after a restart.
 * (`npm run test:arm64` runs the same checks on the arm64 binary under qemu.)
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startWorkerd, type WorkerdProcess } from "../../src/build/workerd-process.ts";
import { afterRestartChecks, runChecks, servingChecks, type CheckContext } from "../../scripts/pi-checks.ts";
import { buildForWorkerd, type PiBuildResult } from "../../scripts/pi-config.ts";

const WRANGLER_CONFIG = path.resolve(process.env.BRRT_PI_WRANGLER_CONFIG ?? "wrangler.toml");

describe("self-hosted workerd from wrangler.toml", () => {
  let dir: string;
  let port: number;
  let built: PiBuildResult;
  let workerd: WorkerdProcess | undefined;
  const context = { state: new Map() } as { baseUrl: string; state: Map<string, unknown> } satisfies CheckContext;

  const start = (): Promise<WorkerdProcess> =>
    startWorkerd({ configFile: built.configFile, port, readyPath: "/openapi.json", cwd: dir, env: { ...process.env, PI_TEST_SECRET: "s3cret" } });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "brrt-pi-e2e-"));
    port = await freePort();
    context.baseUrl = `http://127.0.0.1:${port}`;
    built = await buildForWorkerd({
      wranglerConfig: WRANGLER_CONFIG,
      buildDir: path.join(dir, ".build"),
      configFile: path.join(dir, "config.capnp"),
      dataDir: path.join(dir, "data"),
      listen: `127.0.0.1:${port}`,
      secrets: ["PI_TEST_SECRET"],
    });
  });

  afterAll(async () => {
    await workerd?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("writes every module, Durable Object namespace and binding, and no secret value", async () => {
    const text = await readFile(built.configFile, "utf8");
    for (const module of built.modules) expect(text).toContain(`embed ${JSON.stringify(module.path)}`);
    expect(built.modules[0]?.type).toBe("esModule");
    expect(text).toContain(`address = "127.0.0.1:${port}"`);
    expect(text).toContain(`(name = "PI_TEST_SECRET", fromEnvironment = "PI_TEST_SECRET")`);
    expect(text).not.toContain("s3cret");
    expect(built.durableObjects.length).toBeGreaterThan(0);
    for (const d of built.durableObjects) expect(text).toContain(`className = ${JSON.stringify(d.className)}, uniqueKey`);
    expect(text).toContain(`path = ${JSON.stringify(path.join(dir, "data"))}`);
  });

  it("serves the app: document, validated and authorised requests, Durable Object storage", async () => {
    workerd = await start();
    const results = await runChecks(servingChecks, context);
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });

  it("stops on SIGTERM with exit code 0 and finds the stored data after a restart", async () => {
    expect(workerd).toBeDefined();
    // Generous grace: an SSE stream whose client left keeps the drain waiting until its next heartbeat (15 s).
    expect(await workerd!.stop(30_000)).toBe(0);
    workerd = await start();
    const results = await runChecks(afterRestartChecks, context);
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });
});
