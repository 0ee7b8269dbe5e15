/**
 * bundleWorker's two ways with the generated module's data files (.txt Text modules, .bin Data
 * modules): inlined into the code, or kept as modules of their own the way wrangler uploads
 * them — and the workerd module list written beside the bundle.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleWorker, writeWorkerBundle } from "../../src/build/bundle-worker.ts";

let dir: string;
let entry: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "brrt-bundle-"));
  // Two folders each with an `operations.txt`, as two generated modules would have.
  for (const name of ["a", "b"]) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, "operations.txt"), `${name}-line-1\n{"x":1}`);
  }
  await writeFile(path.join(dir, "a", "document.bin"), Uint8Array.from([0x1f, 0x8b, 0, 255]));
  entry = path.join(dir, "entry.js");
  await writeFile(
    entry,
    `import a from "./a/operations.txt";
import b from "./b/operations.txt";
import bytes from "./a/document.bin";
export default { a, b, bytes };
`,
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("bundleWorker data modules", () => {
  it("inlines .txt as a string and .bin as bytes by default (one file)", async () => {
    const bundle = await bundleWorker(entry);
    expect(bundle.modules).toEqual([]);
    expect(bundle.code).toContain("a-line-1");
    expect(bundle.code).not.toMatch(/from\s*"\.\/[^"]*\.(txt|bin)"/);
  });

  it("keeps them as Text/Data modules with unique names when asked, and imports them by those names", async () => {
    const bundle = await bundleWorker(entry, { dataModules: "separate" });
    expect(bundle.modules.map((m) => [m.name, m.type])).toEqual([
      ["operations.txt", "text"],
      ["1-operations.txt", "text"],
      ["document.bin", "data"],
    ]);
    expect(new TextDecoder().decode(bundle.modules[1]!.contents)).toBe('b-line-1\n{"x":1}');
    expect([...bundle.modules[2]!.contents]).toEqual([0x1f, 0x8b, 0, 255]);
    expect(bundle.code).not.toContain("a-line-1");
    for (const name of ["./operations.txt", "./1-operations.txt", "./document.bin"]) expect(bundle.code).toContain(`"${name}"`);
  });

  it("writes the bundle and its data modules side by side, with the workerd module list", async () => {
    const bundle = await bundleWorker(entry, { dataModules: "separate" });
    const out = path.join(dir, "out");
    await mkdir(out);
    const modules = await writeWorkerBundle(out, bundle);
    expect(modules).toEqual([
      { name: "worker.js", path: "worker.js" },
      { name: "operations.txt", path: "operations.txt", type: "text" },
      { name: "1-operations.txt", path: "1-operations.txt", type: "text" },
      { name: "document.bin", path: "document.bin", type: "data" },
    ]);
    expect(await readFile(path.join(out, "worker.js"), "utf8")).toBe(bundle.code);
    expect([...(await readFile(path.join(out, "document.bin")))]).toEqual([0x1f, 0x8b, 0, 255]);
  });
});
