/**
 * Runs the official JSON Schema Test Suite (draft 2020-12) through the production validator
 * pipeline: compileSchemaModule → module source written to a temp folder → imported → called.
 * Shared by the conformance test and anyone who wants the table (`npx tsx` a caller).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { compileSchemaModule } from "../../src/build/validators/index.ts";
import { importValidators, runtimeImports } from "./validators-harness.ts";
import type { Validator } from "../../src/runtime/compiled-spec.ts";

export const SUITE = path.resolve(process.cwd(), "../shared/corpus/json-schema-test-suite");
const TESTS = path.join(SUITE, "tests/draft2020-12");

interface SuiteGroup {
  readonly description: string;
  readonly schema: unknown;
  readonly tests: readonly { readonly description: string; readonly data: unknown; readonly valid: boolean }[];
}

export interface FileResult {
  /** Relative to tests/draft2020-12, e.g. `ref.json`, `optional/format/date.json`. */
  readonly file: string;
  readonly passed: number;
  readonly failed: number;
  /** `file :: group :: test` → why (wrong verdict, or the compile error). */
  readonly failures: ReadonlyMap<string, string>;
}

/** Every `remotes/` file by the URI the suite serves it at. */
function loadRemotes(): Record<string, unknown> {
  const remotes: Record<string, unknown> = {};
  const root = path.join(SUITE, "remotes");
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".json")) remotes[`http://localhost:1234/${path.relative(root, full).split(path.sep).join("/")}`] = JSON.parse(readFileSync(full, "utf8"));
    }
  };
  walk(root);
  return remotes;
}

export function suiteFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".json")) files.push(path.relative(TESTS, full).split(path.sep).join("/"));
    }
  };
  walk(TESTS);
  return files;
}

/**
 * `formats`: the required tests expect `format` to be an annotation (the 2020-12 default);
 * `optional/format/*` expect it asserted, which is what production does.
 */
export async function runSuite(files: readonly string[] = suiteFiles(), formats: "assert" | "annotate" = "assert"): Promise<FileResult[]> {
  const { imports } = runtimeImports();
  const remotes = loadRemotes();
  const results: FileResult[] = [];
  for (const file of files) {
    const groups = JSON.parse(readFileSync(path.join(TESTS, file), "utf8")) as SuiteGroup[];
    let passed = 0;
    let failed = 0;
    const failures = new Map<string, string>();
    for (const group of groups) {
      const id = (test: { description: string }) => `${file} :: ${group.description} :: ${test.description}`;
      let validate: Validator | undefined;
      let compileError: string | undefined;
      try {
        // The test schema is the document; the validated location refers to it as a whole.
        const compiled = compileSchemaModule(group.schema, [{ schema: { $ref: "#" } }], { imports, remotes, formats });
        compileError = compiled.failures[0];
        const name = compiled.names[0];
        if (name !== undefined) validate = (await importValidators(compiled.source))[name];
      } catch (error) {
        compileError = error instanceof Error ? error.message : String(error);
      }
      for (const test of group.tests) {
        if (compileError !== undefined) {
          failed++;
          failures.set(id(test), `not compiled: ${compileError}`);
          continue;
        }
        let verdict: boolean;
        try {
          verdict = validate === undefined ? true : validate(test.data);
        } catch (error) {
          failed++;
          failures.set(id(test), `threw: ${error instanceof Error ? error.message : String(error)}`);
          continue;
        }
        if (verdict === test.valid) passed++;
        else {
          failed++;
          failures.set(id(test), `expected ${test.valid ? "valid" : "invalid"}, got ${verdict ? "valid" : "invalid"}`);
        }
      }
    }
    results.push({ file, passed, failed, failures });
  }
  return results;
}

export function formatTable(results: readonly FileResult[]): string {
  const width = Math.max(...results.map((r) => r.file.length), 4);
  const lines = [`${"file".padEnd(width)}  passed  failed`];
  for (const r of results) lines.push(`${r.file.padEnd(width)}  ${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}`);
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  lines.push(`${"total".padEnd(width)}  ${String(passed).padStart(6)}  ${String(failed).padStart(6)}  (${((100 * passed) / Math.max(1, passed + failed)).toFixed(2)} % pass)`);
  return lines.join("\n");
}
