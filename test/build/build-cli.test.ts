/**
 * `brrt build` as a user runs it: the summary on success, `file:line:col` lines and exit 1 on a
 * bad document, and nothing written when the build fails.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { buildSpec, formatDiagnostic } from "../../src/build/index.ts";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");
const temp = await mkdtemp(path.join(os.tmpdir(), "brrt-cli-"));
afterAll(() => rm(temp, { recursive: true, force: true }));

async function brrt(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(root, "bin/brrt.js"), ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("brrt build", () => {
  it("prints paths, operations, schemas, sizes and time on success", async () => {
    const out = path.join(temp, "petstore");
    const { code, stdout } = await brrt("build", "--spec", "spec/openapi.yaml", "--out", out);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^built BRRTRouter Edge Pet Store 1\.0\.0 in \d+ ms$/m);
    expect(stdout).toMatch(/\d+ paths, \d+ operations, \d+ schemas, \d+ validators/);
    expect(stdout).toMatch(/KiB raw, [\d.]+ KiB gzip/);
    expect((await readdir(out)).sort()).toEqual(["document.bin", "matcher.js", "operations.js", "operations.txt", "response-schemas.js", "response-schemas.txt", "spec.d.ts", "spec.js", "validators.js"]);
  });

  it("refuses two templates that match the same requests, at the later path key", async () => {
    const result = await buildSpec({ spec: path.join(root, "test/fixtures/specs/bad/ambiguous-templates.yaml") });
    expect(result.ok).toBe(false);
    const lines = result.diagnostics.map((d) => formatDiagnostic({ ...d, file: path.relative(root, d.file) }));
    expect(lines).toEqual([
      'test/fixtures/specs/bad/ambiguous-templates.yaml:13:3: path "/files/{name}" matches the same requests as "/files/{fileId}"',
    ]);
  });

  it("exits 1 with one file:line:col line per problem, no stack trace, and writes nothing", async () => {
    const out = path.join(temp, "never-written");
    const { code, stdout, stderr } = await brrt("build", "--spec", "test/fixtures/specs/bad/ambiguous-templates.yaml", "--out", out);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toEqual([
      'test/fixtures/specs/bad/ambiguous-templates.yaml:13:3: path "/files/{name}" matches the same requests as "/files/{fileId}"',
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it("says how it is used when arguments are wrong", async () => {
    const { code, stderr } = await brrt("build", "--nope");
    expect(code).toBe(2);
    expect(stderr).toContain("usage:");
  });
});
