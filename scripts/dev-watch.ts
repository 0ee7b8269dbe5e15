/**
 * `npm run dev` — `wrangler dev` with the spec hot-reloaded. This process rebuilds the generated
 * module (`brrt build`) whenever a file under the spec's folder changes; wrangler dev watches
 * every file of its bundle graph, generated/ included, so it rebundles and reloads the worker by
 * itself. A bad edit prints its `file:line:col` errors and leaves generated/ (and so the served
 * version) as it was.
 *
 *   node --import tsx scripts/dev-watch.ts [--spec spec/openapi.yaml] [--out generated/petstore]
 *        [--config wrangler.toml] [--port 8787] [--ip 127.0.0.1] [-- extra wrangler dev flags]
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { parseArgs } from "node:util";
import { rebuildSpec, serialRunner, watchTree } from "./pi-spec-watch.ts";

const { values, positionals } = parseArgs({
  options: {
    spec: { type: "string", default: "spec/openapi.yaml" },
    out: { type: "string", default: "generated/petstore" },
    config: { type: "string", default: "wrangler.toml" },
    port: { type: "string", default: "8787" },
    ip: { type: "string", default: "127.0.0.1" },
  },
  allowPositionals: true,
  strict: true,
});
const log = (line: string): void => console.log(`[dev] ${line}`);

async function rebuild(reason: string): Promise<void> {
  const outcome = await rebuildSpec(values.spec, values.out);
  for (const line of outcome.lines) (outcome.ok ? console.log : console.error)(line);
  log(
    outcome.ok
      ? `${reason}: rebuilt ${path.relative(process.cwd(), path.resolve(values.out))}/ in ${Math.round(outcome.milliseconds)} ms; wrangler dev reloads it`
      : `${reason}: brrt build failed; the previous version keeps serving`,
  );
}

function wranglerBin(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("wrangler/package.json")), "bin", "wrangler.js");
}

const runner = serialRunner(rebuild);
// The first build runs before wrangler starts: its bundle imports the generated module.
await rebuild("start");
const wrangler = spawn(
  process.execPath,
  [wranglerBin(), "dev", "--config", path.resolve(values.config), "--ip", values.ip, "--port", values.port, ...positionals],
  // cwd = the config's folder: wrangler keeps its .wrangler/ state beside the config it serves.
  { cwd: path.dirname(path.resolve(values.config)), stdio: ["inherit", "inherit", "inherit"], env: { ...process.env, WRANGLER_SEND_METRICS: process.env.WRANGLER_SEND_METRICS ?? "false" } },
);
const specDir = path.dirname(path.resolve(values.spec));
const close = watchTree(specDir, (file) => runner.trigger(`${path.relative(process.cwd(), file)} changed`), [values.out]);
log(`watching ${path.relative(process.cwd(), specDir) || "."} for spec changes`);

let stopping = false;
function shutdown(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  close();
  wrangler.kill(signal);
}
process.once("SIGINT", () => shutdown("SIGINT"));
process.once("SIGTERM", () => shutdown("SIGTERM"));
wrangler.once("exit", (code) => {
  close();
  void runner.idle().then(() => process.exit(stopping ? 0 : code ?? 1));
});
