/**
 * The folder of the installed brrtrouter-edge package (or this checkout). Code here runs both
 * from src/ (tests, tsx) and bundled into dist/ (the CLI), so paths relative to
 * `import.meta.url` differ; the nearest package.json named brrtrouter-edge does not.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      const name = (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name;
      if (name === "brrtrouter-edge") return (cached = dir);
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("cannot find the brrtrouter-edge package root");
    dir = parent;
  }
}
