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
 * default is two fewer than the cores, at most 3 (see workerCount).
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
/** Batches a worker is handed before the main thread runs `meanwhile` (~0.2 s of work). */
const MEANWHILE_BATCHES = 24;

/**
 * Not one per spare core: V8 already keeps about one core busy beside the main thread while a
 * build runs (optimising compiles and concurrent GC: ~3 s of DigitalOcean's ~7 s of CPU). On a
 * 2-core machine a loader worker only competed with that, adding ~1.5 s of CPU (its own cold JIT,
 * packing) and no speed, so workers start from 3 cores up.
 */
function workerCount(): number {
  const configured = process.env.BRRT_LOAD_THREADS;
  if (configured !== undefined && configured !== "") {
    const n = Number(configured);
    return Number.isInteger(n) && n >= 0 ? Math.min(n, 16) : 0;
  }
  return Math.max(0, Math.min(3, availableParallelism() - 2));
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
    /** Whether a file is still wanted (false once the main thread has parsed it itself). */
    private readonly wanted: (path: string) => boolean,
    /** Files a dead worker never answered for: back to the main thread's queue. */
    private readonly requeue: (files: readonly string[]) => void,
    index: SourceIndex,
  ) {
    for (let i = 0; i < count; i++) {
      const entry: PoolWorker = { worker: startWorker(), inFlight: new Map(), alive: true };
      entry.worker.on("message", (message: LoadedBatch) => {
        entry.inFlight.delete(message.batch);
        for (const file of message.files) if (this.wanted(file.path)) this.onLoaded(unpackLoadedFile(file, index));
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

  /** Whether some file handed to a worker is still unanswered and not parsed elsewhere since. */
  get awaited(): boolean {
    for (const w of this.workers) for (const files of w.inFlight.values()) if (files.some(this.wanted)) return true;
    return false;
  }

  /** Tops every live worker up to `batches` batches from `take`. */
  feed(take: (max: number) => { path: string; displayPath: string }[], batches = BATCHES_IN_FLIGHT): void {
    for (const w of this.workers) {
      while (w.alive && w.inFlight.size < batches) {
        const files = take(BATCH_SIZE);
        if (files.length === 0) return;
        const message: LoadBatch = { batch: this.nextBatch++, files };
        w.inFlight.set(message.batch, files.map((f) => f.path));
        w.worker.postMessage(message);
      }
    }
  }

  /**
   * A file handed to a worker and not answered yet, for the main thread to parse itself when it
   * has nothing else to do: the newest batch's last file, which that worker reaches last. So a
   * worker slowed down (a busy machine) never leaves the main thread waiting.
   */
  steal(): string | undefined {
    let newest: { batch: number; files: readonly string[] } | undefined;
    for (const w of this.workers) {
      for (const [batch, files] of w.inFlight) if (newest === undefined || batch > newest.batch) newest = { batch, files };
    }
    if (newest === undefined) return undefined;
    for (let i = newest.files.length - 1; i >= 0; i--) if (this.wanted(newest.files[i]!)) return newest.files[i];
    return undefined;
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
  /**
   * Main-thread work that does not depend on the files, run once the workers are busy: while it
   * runs they parse on, so it costs the load about half its time. Given the entry file.
   */
  meanwhile?: (entry: LoadedFile) => void,
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
    const files: { path: string; displayPath: string }[] = [];
    while (files.length < max && head < queue.length) {
      const path = queue[head++]!;
      if (!loaded.has(path)) files.push({ path, displayPath: displayPathOf(path) });
    }
    return files;
  };
  const threads = workerCount();
  let pending = meanwhile;
  let pool: LoaderPool | undefined;
  try {
    while (head < queue.length || pool?.awaited === true) {
      if (pool === undefined && threads > 0 && queue.length - head >= START_WORKERS_AT) {
        const received = (file: LoadedFile): void => {
          parsedInWorkers++;
          discover(file);
        };
        const requeue = (files: readonly string[]): void => {
          queue = [...queue.slice(0, head), ...files, ...queue.slice(head)];
        };
        pool = new LoaderPool(threads, received, (path) => !loaded.has(path), requeue, index);
      }
      pool?.feed(take);
      if (pool !== undefined && pending !== undefined) {
        // Enough queued for the workers to stay busy while this thread is away.
        pool.feed(take, MEANWHILE_BATCHES);
        const run = pending;
        pending = undefined;
        const entryFile = loaded.get(entry);
        if (entryFile !== undefined) run(entryFile);
        continue;
      }
      if (head < queue.length) {
        const file = queue[head++]!;
        // (A file a dead worker gave back may have been parsed here meanwhile.)
        if (loaded.has(file)) continue;
        discover(loadSpecFileSync(file, displayPathOf(file), index));
        // Let the workers' answers in (and hand them more) between files.
        if (pool !== undefined) await yieldToEventLoop();
      } else {
        const stolen = pool!.steal();
        if (stolen === undefined) await pool!.next();
        else {
          discover(loadSpecFileSync(stolen, displayPathOf(stolen), index));
          await yieldToEventLoop();
        }
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
