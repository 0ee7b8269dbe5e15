/**
 * `npm run pi:serve` — `workerd serve workerd-pi/config.capnp`, in the foreground.
 *
 * SIGTERM/SIGINT are passed on to workerd, which stops accepting connections, lets in-flight
 * requests finish and exits; this process then exits with workerd's code. BRRT_LISTEN and
 * BRRT_DATA_DIR, when set now, override what the config was built with (workerd's
 * `--socket-addr` / `--directory-path`), so the environment at start always wins.
 *
 *   node --import tsx scripts/pi-serve.ts [--config workerd-pi/config.capnp] [-- extra workerd flags]
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";
import { workerdBinary } from "../src/build/workerd-process.ts";
import { overrideFlags } from "./pi-env.ts";

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: { config: { type: "string", default: "workerd-pi/config.capnp" } },
    allowPositionals: true,
    strict: true,
  });
  const configFile = path.resolve(values.config);
  const args = ["serve", configFile, ...(await overrideFlags(configFile)), ...positionals];
  const child = spawn(workerdBinary(), args, { stdio: "inherit" });
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  process.on("SIGTERM", forward);
  process.on("SIGINT", forward);
  // `npm run` does not pass SIGTERM on to its script: npm exits and this process is re-parented.
  // Treat losing the parent as the stop signal, so `kill <npm pid>` still stops workerd gracefully
  // instead of leaving it serving with no one to stop it.
  const parent = process.ppid;
  const orphanCheck = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(orphanCheck);
      forward("SIGTERM");
    }
  }, 500);
  orphanCheck.unref();
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`pi-serve: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
