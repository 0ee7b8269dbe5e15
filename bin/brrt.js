#!/usr/bin/env node
// The `brrt` command. In a checkout (src/ present) the CLI is rebuilt from source first, so it
// never runs stale code; an installed package runs the prebuilt dist/ directly.
import { existsSync } from "node:fs";

const source = new URL("../src/cli/main.ts", import.meta.url);
const built = new URL("../dist/cli/main.js", import.meta.url);
if (existsSync(new URL("../scripts/build-cli.mjs", import.meta.url)) && existsSync(source)) {
  const { buildCli } = await import("../scripts/build-cli.mjs");
  await buildCli();
}
await import(built.href);
