/**
 * One bundled bench worker on its own `workerd serve` (loopback, free port, JWT_SECRET bound),
 * and the CPU time workerd spends, read from /proc.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { renderWorkerdConfig } from "../../src/build/workerd-config.ts";
import { freePort, startWorkerd, type WorkerdProcess } from "../../src/build/workerd-process.ts";
import { JWT_SECRET } from "./requests.ts";

/** `flags`: extra `workerd serve` flags (`--inspector-addr=...` for bench/e2e/inspect-profile.ts). */
export async function serveBundle(dir: string, bundleFile: string, flags: readonly string[] = []): Promise<WorkerdProcess> {
  const port = await freePort();
  const name = path.basename(bundleFile, ".js");
  const config = path.join(dir, `${name}.capnp`);
  writeFileSync(
    config,
    renderWorkerdConfig({
      modules: [{ name: "worker.js", path: path.basename(bundleFile) }],
      compatibilityDate: "2026-04-20",
      compatibilityFlags: ["nodejs_compat"],
      bindings: [{ name: "JWT_SECRET", text: JWT_SECRET }],
      address: `127.0.0.1:${port}`,
      workerName: `bench-${name}`,
    }),
  );
  return startWorkerd({ configFile: config, port, cwd: dir, readyPath: "/ready", flags });
}

/**
 * CPU seconds used so far by a process, all threads (Linux). Reads the scheduler's nanosecond
 * `se.sum_exec_runtime` of every thread from /proc/<pid>/task/<tid>/sched; falls back to the
 * 10 ms ticks of /proc/<pid>/stat where that file is missing.
 */
export function cpuSeconds(pid: number): number {
  try {
    let ms = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const sched = readFileSync(`/proc/${pid}/task/${tid}/sched`, "utf8");
      const match = /se\.sum_exec_runtime\s*:\s*([\d.]+)/.exec(sched);
      if (match === null) throw new Error("no sum_exec_runtime");
      ms += Number(match[1]);
    }
    return ms / 1000;
  } catch {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ = 100
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
