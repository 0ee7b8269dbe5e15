/**
 * Loads an entry file and every file it leads to, spreading the YAML parsing over worker threads
 * when there are many files.
 *
 * Parsing is most of a large split spec's build time (DigitalOcean: 2,850 files, ~2 s on one
 * core), and files parse independently. The main thread parses too: it takes files one at a time
 * from the queue and, between files, receives batches parsed by the workers (load-worker.ts),
 * whose positions it unpacks into the shared SourceIndex (load-transfer.ts). Workers start only
 * once the queue is long enough to be worth their start-up (~50 ms from dist/, more under tsx),
 * so single-file and small specs never start one.
 *
 * BRRT_LOAD_THREADS=<n> sets how many worker threads (0: parse on the main thread only); the
 * default is one fewer than the cores, at most 3.
 */
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { loadSpecFileSync, type LoadedFile } from "./load.ts";
import { unpackLoadedFile } from "./load-transfer.ts";
import type { LoadBatch, LoadedBatch } from "./load-worker.ts";
import type { SourceIndex } from "./positions.ts";

/**
 * Files waiting before workers are worth starting: a worker costs ~50 ms of start-up (loading
 * `yaml` included) and a small file ~0.5-1 ms to parse, so a few dozen files are done sooner
 * on the main thread alone. (DigitalOcean's entry file alone names ~300 files.)
 */
const START_WORKERS_AT = 32;
/** Files per message to a worker: few enough to balance the tail, enough to amortise messaging. */
const BATCH_SIZE = 12;
/** Batches a worker holds at once, so it never waits for the main thread to hand it more. */
const BATCHES_IN_FLIGHT = 2;

function workerCount(): number {
  const configured = process.env.BRRT_LOAD_THREADS;
  if (configured !== undefined && configured !== "") {
    const n = Number(configured);
    return Number.isInteger(n) && n >= 0 ? Math.min(n, 16) : 0;
  }
  return Math.max(0, Math.min(3, availableParallelism() - 1));
}

/**
 * Starts one loader worker: the bundled dist/build/load-worker.js (next to dist/cli or dist/build)
 * when this module runs from dist/, else its TypeScript source through tsx's API (tests, tsx).
 * Node 20 does not apply `--import tsx` given in a worker's execArgv to the worker's own entry,
 * so the source is imported by a small bootstrap instead.
 */
function startWorker(): Worker {
  const here = import.meta.url.replace(/\?.*$/, "");
  if (!here.endsWith(".ts")) return new Worker(new URL("../build/load-worker.js", here));
  const tsxManifest = pathToFileURL(createRequire(here).resolve("tsx/package.json"));
  const api = new URL("./dist/esm/api/index.mjs", tsxManifest).href;
  const script = new URL("./load-worker.ts", here).href;
  return new Worker(`import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(script)}, ${JSON.stringify(script)}));`, { eval: true });
}

interface PoolWorker {
  readonly worker: Worker;
  /** Batches sent and not yet answered, by batch number. */
  readonly inFlight: Map<number, readonly string[]>;
  alive: boolean;
}

class LoaderPool {
  private readonly workers: PoolWorker[] = [];
  private nextBatch = 0;
  private wake: (() => void) | undefined;

  constructor(
    count: number,
    private readonly onLoaded: (file: LoadedFile) => void,
    /** Files a dead worker never answered for: back to the main thread's queue. */
    private readonly requeue: (files: readonly string[]) => void,
    index: SourceIndex,
  ) {
    for (let i = 0; i < count; i++) {
      const entry: PoolWorker = { worker: startWorker(), inFlight: new Map(), alive: true };
      entry.worker.on("message", (message: LoadedBatch) => {
        entry.inFlight.delete(message.batch);
        for (const file of message.files) this.onLoaded(unpackLoadedFile(file, index));
        this.notify();
      });
      const fail = (): void => {
        if (!entry.alive) return;
        entry.alive = false;
        for (const files of entry.inFlight.values()) this.requeue(files);
        entry.inFlight.clear();
        this.notify();
      };
      entry.worker.on("error", fail);
      entry.worker.on("exit", fail);
      this.workers.push(entry);
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Batches sent and not answered yet. */
  get pending(): number {
    let n = 0;
    for (const w of this.workers) n += w.inFlight.size;
    return n;
  }

  /** Tops every live worker up to BATCHES_IN_FLIGHT batches from `take`. */
  feed(take: (max: number) => { path: string; displayPath: string }[]): void {
    for (const w of this.workers) {
      while (w.alive && w.inFlight.size < BATCHES_IN_FLIGHT) {
        const files = take(BATCH_SIZE);
        if (files.length === 0) return;
        const message: LoadBatch = { batch: this.nextBatch++, files };
        w.inFlight.set(message.batch, files.map((f) => f.path));
        w.worker.postMessage(message);
      }
    }
  }

  /** Resolves when a worker answers (or dies). */
  next(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  close(): void {
    for (const w of this.workers) {
      w.alive = false;
      void w.worker.terminate();
    }
  }
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Loads `entry` and, transitively, every file `targetsOf` names for a loaded file. Returns them
 * in breadth-first order from the entry (each level in the order `targetsOf` names them), which
 * does not depend on which thread finished first.
 */
export async function loadFiles(
  entry: string,
  displayPathOf: (file: string) => string,
  index: SourceIndex,
  targetsOf: (file: LoadedFile) => Iterable<string>,
): Promise<{ readonly files: Map<string, LoadedFile>; readonly parsedInWorkers: number }> {
  const loaded = new Map<string, LoadedFile>();
  let parsedInWorkers = 0;
  const queued = new Set<string>([entry]);
  let queue: string[] = [entry];
  let head = 0;
  const discover = (file: LoadedFile): void => {
    loaded.set(file.path, file);
    for (const target of targetsOf(file)) {
      if (!queued.has(target)) {
        queued.add(target);
        queue.push(target);
      }
    }
  };
  const take = (max: number): { path: string; displayPath: string }[] => {
    const files = queue.slice(head, head + max).map((path) => ({ path, displayPath: displayPathOf(path) }));
    head += files.length;
    return files;
  };
  const threads = workerCount();
  let pool: LoaderPool | undefined;
  try {
    while (head < queue.length || (pool?.pending ?? 0) > 0) {
      if (pool === undefined && threads > 0 && queue.length - head >= START_WORKERS_AT) {
        const received = (file: LoadedFile): void => {
          parsedInWorkers++;
          discover(file);
        };
        pool = new LoaderPool(threads, received, (files) => {
          queue = [...queue.slice(0, head), ...files, ...queue.slice(head)];
        }, index);
      }
      pool?.feed(take);
      if (head < queue.length) {
        const file = queue[head++]!;
        discover(loadSpecFileSync(file, displayPathOf(file), index));
        // Let the workers' answers in (and hand them more) between files.
        if (pool !== undefined) await yieldToEventLoop();
      } else {
        await pool!.next();
      }
    }
  } finally {
    pool?.close();
  }
  return { files: breadthFirst(entry, loaded, targetsOf), parsedInWorkers };
}

function breadthFirst(entry: string, loaded: ReadonlyMap<string, LoadedFile>, targetsOf: (file: LoadedFile) => Iterable<string>): Map<string, LoadedFile> {
  const ordered = new Map<string, LoadedFile>();
  const seen = new Set<string>([entry]);
  let level = [entry];
  while (level.length > 0) {
    const next: string[] = [];
    for (const path of level) {
      const file = loaded.get(path);
      if (file === undefined) continue;
      ordered.set(path, file);
      for (const target of targetsOf(file)) {
        if (!seen.has(target)) {
          seen.add(target);
          next.push(target);
        }
      }
    }
    level = next;
  }
  return ordered;
}
