/**
 * The parts both watchers share (scripts/pi-watch.ts for self-hosted workerd, scripts/dev-watch.ts
 * for wrangler dev): rebuild the generated module when the spec changes, watch a folder tree
 * without reacting to our own output, and run rebuilds one at a time.
 */
import { readdirSync, statSync, watch, type FSWatcher } from "node:fs";
import path from "node:path";
import { buildSpec, displayPath, formatDiagnostic } from "../src/build/index.ts";

export interface SpecBuildOutcome {
  readonly ok: boolean;
  readonly milliseconds: number;
  /** What `brrt build` would print: `file:line:col: message` lines, then a summary. */
  readonly lines: readonly string[];
}

/**
 * `brrt build --spec <spec> --out <outDir>`, in this process: a watcher rebuilds often, and
 * skipping a node start per edit is most of the ~2 s budget. The generated folder is only
 * replaced when the build succeeds (the emitter swaps it in whole), so a bad edit leaves the
 * previous module in place.
 */
export async function rebuildSpec(spec: string, outDir: string): Promise<SpecBuildOutcome> {
  const started = performance.now();
  try {
    const result = await buildSpec({ spec, outDir });
    const lines = result.diagnostics.map((d) => formatDiagnostic({ ...d, file: displayPath(d.file) }));
    if (result.ok) {
      const s = result.summary;
      lines.push(`built ${s.title} ${s.version}: ${s.paths} paths, ${s.operations} operations in ${Math.round(s.milliseconds)} ms`);
    }
    return { ok: result.ok, milliseconds: performance.now() - started, lines };
  } catch (error) {
    // A bug in the build step, not a bad spec: report it and keep watching.
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, milliseconds: performance.now() - started, lines: [`brrt build: internal error: ${message}`] };
  }
}

function inside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/**
 * Calls `onChange` (debounced) when a file under `dir` changes, ignoring anything under
 * `ignore` (the generated folder, bundles, storage) and dot-entries (.wrangler/, editor swap files).
 *
 * Each folder gets its own non-recursive watch: a watch on the folder survives a file being
 * replaced by rename (how sed -i and many editors save), which Node 20's `recursive: true` on
 * Linux does not (it watches the file, and loses it). New sub-folders are picked up as they appear.
 */
export function watchTree(dir: string, onChange: (file: string) => void, ignore: readonly string[] = [], debounceMs = 60): () => void {
  const root = path.resolve(dir);
  const ignored = ignore.map((entry) => path.resolve(entry));
  const skip = (file: string): boolean =>
    ignored.some((entry) => inside(file, entry)) || path.relative(root, file).split(path.sep).some((part) => part.startsWith("."));
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let last = "";

  const watchFolder = (folder: string): void => {
    if (watchers.has(folder) || skip(folder)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(folder, (_event, name) => {
        if (name === null) return;
        const file = path.join(folder, name.toString());
        if (skip(file)) return;
        if (isFolder(file)) watchFolder(file);
        last = file;
        // Editors save in bursts (write, rename, chmod): one rebuild per burst.
        clearTimeout(timer);
        timer = setTimeout(() => onChange(last), debounceMs);
      });
    } catch {
      return; // gone before we got to it
    }
    watcher.on("error", () => {
      watcher.close();
      watchers.delete(folder);
    });
    watchers.set(folder, watcher);
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.isDirectory()) watchFolder(path.join(folder, entry.name));
    }
  };
  watchFolder(root);
  return () => {
    clearTimeout(timer);
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
  };
}

function isFolder(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Runs a job at a time. A trigger while a job runs asks for exactly one more run after it, so
 * the last edit always gets built and edits never build concurrently.
 */
export function serialRunner(job: (reason: string) => Promise<void>): { trigger(reason: string): void; idle(): Promise<void> } {
  let running: Promise<void> | undefined;
  let pending: string | undefined;
  const runLoop = async (reason: string): Promise<void> => {
    let next: string | undefined = reason;
    while (next !== undefined) {
      pending = undefined;
      try {
        await job(next);
      } catch (error) {
        console.error(`watch: ${error instanceof Error ? error.message : String(error)}`);
      }
      next = pending;
    }
    running = undefined;
  };
  return {
    trigger(reason) {
      if (running !== undefined) {
        pending = reason;
        return;
      }
      running = runLoop(reason);
    },
    async idle() {
      while (running !== undefined) await running;
    },
  };
}
