/**
 * What every pi script agrees on without loading wrangler: the names the generated config
 * uses, the environment's defaults, and the workerd flags that apply the environment at start.
 * (scripts/pi-serve.ts imports only this, so serving on a Pi never loads the bundler.)
 */
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";

/** Name of the disk service the renderer declares for Durable Object storage (`--directory-path` overrides it). */
export const STORAGE_SERVICE = "do-storage";
/** Name of the socket the renderer declares (`--socket-addr` overrides it). */
export const HTTP_SOCKET = "http";

/** Defaults shared by every pi script; the environment may override them (see workerd-pi/README.md). */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BRRT_DATA_DIR ?? "workerd-pi/data";
}

export function defaultListen(env: NodeJS.ProcessEnv = process.env): string {
  return env.BRRT_LISTEN ?? "0.0.0.0:8787";
}

/** `BRRT_SECRETS="A,B"` → ["A", "B"]. */
export function secretsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.BRRT_SECRETS ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
}

/** workerd flags that apply the environment's overrides to a generated config. */
export async function overrideFlags(configFile: string, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const flags: string[] = [];
  if (env.BRRT_LISTEN !== undefined) flags.push("--socket-addr", `${HTTP_SOCKET}=${env.BRRT_LISTEN}`);
  if (env.BRRT_DATA_DIR !== undefined) {
    // workerd refuses an override for a disk service the config does not declare (a worker
    // without Durable Objects), so only pass it when the generated config has one.
    const text = await readFile(configFile, "utf8");
    if (text.includes(`name = "${STORAGE_SERVICE}"`)) {
      const dataDir = path.resolve(env.BRRT_DATA_DIR);
      await mkdir(dataDir, { recursive: true });
      flags.push("--directory-path", `${STORAGE_SERVICE}=${dataDir}`);
    }
  }
  return flags;
}
