/**
 * Generated modules import their data as Text/Data modules (.txt/.bin). A Node process loads them
 * with `--import brrtrouter-edge/node-data-modules` (dist/build/node-data-modules.js, built by
 * bin/brrt.js / prepack) beside a TypeScript loader (the runtime the validators import is
 * TypeScript source), and a Vite/Vitest one with the dataModules() plugin (this project's build
 * tests run through it): both give what workerd gives.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSpec } from "../../src/build/index.ts";

const root = process.cwd();
let dir: string;

beforeAll(async () => {
  // Inside the project, so the generated code's `brrtrouter-edge/runtime/...` imports resolve (self-reference).
  await mkdir(path.join(root, ".tmp"), { recursive: true });
  dir = await mkdtemp(path.join(root, ".tmp", "node-data-"));
  const built = await buildSpec({ spec: path.join(root, "spec/openapi.yaml"), outDir: path.join(dir, "generated") });
  expect(built.ok).toBe(true);
  // bin/brrt.js brings dist/ up to date before anything else (its exit code does not matter here).
  spawnSync(process.execPath, [path.join(root, "bin/brrt.js"), "--help"], { cwd: root });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("generated data modules outside workerd", () => {
  it("load in a Node process with --import brrtrouter-edge/node-data-modules", async () => {
    const script = path.join(dir, "probe.mjs");
    await writeFile(
      script,
      `const spec = await import(${JSON.stringify(pathToFileURL(path.join(dir, "generated/spec.js")).href)});
console.log(JSON.stringify({ operations: spec.operations.length, documentIsArrayBuffer: spec.documentGzip instanceof ArrayBuffer,
  gzipMagic: [...new Uint8Array(spec.documentGzip, 0, 2)], responseSchemas: spec.responseSchemas.length,
  firstParameters: Array.isArray(spec.operations[0].parameters) }));
`,
    );
    const hooks = pathToFileURL(path.join(root, "dist/build/node-data-modules.js")).href;
    const output = execFileSync(process.execPath, ["--import", "tsx", "--import", hooks, script], { encoding: "utf8", cwd: root });
    expect(JSON.parse(output)).toEqual({ operations: 15, documentIsArrayBuffer: true, gzipMagic: [0x1f, 0x8b], responseSchemas: expect.any(Number), firstParameters: true });
  });

  it("load through the Vite plugin as the same values", async () => {
    const spec = (await import(pathToFileURL(path.join(dir, "generated/spec.js")).href)) as { operations: unknown[]; documentGzip: ArrayBuffer; responseSchemas: string[] };
    expect(spec.operations).toHaveLength(15);
    expect(spec.documentGzip).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(spec.documentGzip, 0, 2)]).toEqual([0x1f, 0x8b]);
    expect(spec.responseSchemas.length).toBeGreaterThan(0);
    for (const text of spec.responseSchemas) expect(() => JSON.parse(text)).not.toThrow();
  });
});
