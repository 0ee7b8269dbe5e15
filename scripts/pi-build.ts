/**
 * `npm run pi:build` — bundle the worker as `wrangler deploy` does and write the workerd config
 * for self-hosting (workerd-pi/config.capnp by default).
 *
 *   node --import tsx scripts/pi-build.ts [--config wrangler.toml] [--env NAME]
 *        [--build-dir workerd-pi/.build] [--out workerd-pi/config.capnp]
 *        [--data-dir DIR] [--listen HOST:PORT] [--secret NAME]...
 *
 * Environment: BRRT_DATA_DIR (default workerd-pi/data), BRRT_LISTEN (default 0.0.0.0:8787),
 * BRRT_SECRETS (comma-separated binding names read from workerd's environment at start).
 */
import { parseArgs } from "node:util";
import path from "node:path";
import { buildForWorkerd, defaultDataDir, defaultListen, describeBinding, secretsFromEnv } from "./pi-config.ts";

const USAGE =
  "usage: pi-build [--config wrangler.toml] [--env NAME] [--build-dir DIR] [--out FILE] [--data-dir DIR] [--listen HOST:PORT] [--secret NAME]...";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      config: { type: "string", default: "wrangler.toml" },
      env: { type: "string" },
      "build-dir": { type: "string", default: "workerd-pi/.build" },
      out: { type: "string", default: "workerd-pi/config.capnp" },
      "data-dir": { type: "string", default: defaultDataDir() },
      listen: { type: "string", default: defaultListen() },
      secret: { type: "string", multiple: true, default: [] },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const result = await buildForWorkerd({
    wranglerConfig: values.config,
    wranglerEnv: values.env,
    buildDir: values["build-dir"],
    configFile: values.out,
    dataDir: values["data-dir"],
    listen: values.listen,
    secrets: [...secretsFromEnv(), ...values.secret],
  });
  const shown = (file: string): string => path.relative(process.cwd(), file) || ".";
  console.log(`wrote ${shown(result.configFile)} in ${Math.round(result.milliseconds)} ms (listen ${result.listen})`);
  for (const module of result.modules) console.log(`  module ${module.name} (${module.type})`);
  for (const binding of result.bindings) console.log(`  binding ${describeBinding(binding)}`);
  for (const d of result.durableObjects) {
    console.log(`  durable object ${d.className} (${d.enableSql ? "SQLite" : "key-value"}) stored in ${shown(result.dataDir)}`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`pi-build: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
