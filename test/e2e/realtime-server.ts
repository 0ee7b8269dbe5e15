/**
 * Serves test/e2e/realtime-worker.ts on a real `workerd serve` process with Durable Object
 * storage on disk, for the realtime end-to-end tests and bench/realtime/. `restart()` stops the
 * process and starts a new one on the same storage (a new port: the old one may linger in
 * TIME_WAIT), which is how the tests show the SSE log survives a restart.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { bundleWorker } from "../../src/build/bundle-worker.ts";
import { renderWorkerdConfig } from "../../src/build/workerd-config.ts";
import { freePort, startWorkerd, type WorkerdProcess } from "../../src/build/workerd-process.ts";

export interface RealtimeServer {
  readonly url: () => string;
  readonly wsUrl: () => string;
  readonly dir: string;
  /** Process id of the running workerd (for CPU accounting in the bench). */
  pid(): number | undefined;
  restart(): Promise<void>;
  /** Stop workerd and remove the directory (storage included). */
  close(): Promise<void>;
  output(): string;
}

const entry = path.resolve(import.meta.dirname, "realtime-worker.ts");

export async function startRealtimeServer(): Promise<RealtimeServer> {
  const dir = mkdtempSync(path.join(tmpdir(), "brrt-realtime-e2e-"));
  const { code } = await bundleWorker(entry);
  writeFileSync(path.join(dir, "worker.js"), code);
  const configFor = (port: number): string => {
    const file = path.join(dir, `config-${port}.capnp`);
    writeFileSync(
      file,
      renderWorkerdConfig({
        modules: [{ name: "worker.js", path: "worker.js" }],
        compatibilityDate: "2026-04-20",
        compatibilityFlags: ["nodejs_compat"],
        bindings: [
          { name: "ROOMS", durableObjectClass: "WebSocketRoom" },
          { name: "CHANNELS", durableObjectClass: "SseChannel" },
        ],
        durableObjects: [{ className: "WebSocketRoom" }, { className: "SseChannel" }],
        storageDir: path.join(dir, "do-storage"),
        address: `127.0.0.1:${port}`,
        workerName: "realtime-e2e",
      }),
    );
    return file;
  };
  mkdirSync(path.join(dir, "do-storage"), { recursive: true });

  const launch = async (): Promise<WorkerdProcess> => {
    const port = await freePort();
    return startWorkerd({ configFile: configFor(port), port, cwd: dir });
  };
  let current = await launch();
  let previousOutput = "";
  return {
    dir,
    url: () => current.url,
    wsUrl: () => current.url.replace(/^http/, "ws"),
    output: () => previousOutput + current.output(),
    pid: () => current.child.pid,
    async restart() {
      await current.stop();
      previousOutput += current.output();
      current = await launch();
    },
    async close() {
      await current.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
