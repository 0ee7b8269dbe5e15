/**
 * Self-hosted workerd from a wrangler project: bundles the worker exactly as `wrangler deploy`
 * does (its own `--dry-run --outdir`), then renders a workerd config for that bundle from the
 * wrangler configuration (read with wrangler's own reader, so `[env.*]`, defaults and
 * validation behave as they do for a deploy). Used by scripts/pi-build.ts, scripts/pi-watch.ts
 * and the arm64 check.
 *
 * Secrets never reach the generated file: a name listed as a secret is bound with
 * `fromEnvironment`, and workerd reads its value from its own environment when it starts.
 */
import { spawn } from "node:child_process";
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { unstable_getDurableObjectClassNameToUseSQLiteMap, unstable_readConfig, type Unstable_Config } from "wrangler";
import { renderWorkerdConfig, type WorkerdBinding, type WorkerdModule } from "../src/build/workerd-config.ts";
export { defaultDataDir, defaultListen, secretsFromEnv } from "./pi-env.ts";

export interface PiBuildOptions {
  /** wrangler.toml / wrangler.json(c). */
  readonly wranglerConfig: string;
  /** A wrangler environment (`[env.NAME]`), as `wrangler deploy --env`. */
  readonly wranglerEnv?: string;
  /** Where the dry-run bundle goes; replaced whole on success only. */
  readonly buildDir: string;
  /** The workerd config file to write. */
  readonly configFile: string;
  /** Durable Object storage directory; created if missing, written into the config as an absolute path. */
  readonly dataDir: string;
  /** `host:port` workerd listens on. */
  readonly listen: string;
  /** Binding names whose values workerd takes from its environment (they replace a `[vars]` entry of the same name). */
  readonly secrets?: readonly string[];
}

export interface PiBuildResult {
  readonly configFile: string;
  readonly modules: readonly WorkerdModule[];
  readonly bindings: readonly WorkerdBinding[];
  readonly durableObjects: readonly { readonly className: string; readonly enableSql: boolean }[];
  readonly dataDir: string;
  readonly listen: string;
  readonly milliseconds: number;
}

/** Reads the wrangler configuration the way `wrangler deploy` would. */
export function readWranglerConfig(configFile: string, wranglerEnv?: string): Unstable_Config {
  return unstable_readConfig({ config: path.resolve(configFile), env: wranglerEnv }, { hideWarnings: true });
}

/** Binding kinds a plain `workerd serve` cannot provide without a service of its own behind it. */
const UNSUPPORTED_BINDINGS = [
  "kv_namespaces",
  "r2_buckets",
  "d1_databases",
  "services",
  "vectorize",
  "hyperdrive",
  "analytics_engine_datasets",
  "dispatch_namespaces",
  "mtls_certificates",
  "workflows",
  "send_email",
] as const;

function unsupportedBindings(config: Unstable_Config): string[] {
  const found: string[] = UNSUPPORTED_BINDINGS.filter((key) => {
    const value = (config as unknown as Record<string, unknown>)[key];
    return Array.isArray(value) && value.length > 0;
  });
  if ((config.queues?.producers?.length ?? 0) > 0 || (config.queues?.consumers?.length ?? 0) > 0) found.push("queues");
  if (config.ai !== undefined) found.push("ai");
  if (config.browser !== undefined) found.push("browser");
  return found;
}

export interface BindingPlan {
  readonly bindings: WorkerdBinding[];
  readonly durableObjects: { className: string; enableSql: boolean }[];
}

/** Turns the wrangler configuration into workerd bindings and Durable Object namespaces. */
export function planBindings(config: Unstable_Config, secrets: readonly string[]): BindingPlan {
  const unsupported = unsupportedBindings(config);
  if (unsupported.length > 0) {
    throw new Error(`self-hosted workerd cannot provide these wrangler bindings: ${unsupported.join(", ")}`);
  }
  const secretNames = new Set([...secrets, ...(config.secrets?.required ?? [])]);
  const bindings: WorkerdBinding[] = [];
  for (const [name, value] of Object.entries(config.vars ?? {})) {
    if (secretNames.has(name)) continue;
    // wrangler binds string vars as text and anything else as its JSON value.
    bindings.push(typeof value === "string" ? { name, text: value } : { name, json: value });
  }
  for (const name of secretNames) bindings.push({ name, fromEnvironment: name });

  // Every class the migrations create, bound or not (ctx.exports reaches unbound ones), with
  // the storage backend its migration chose: exactly wrangler's own reading.
  const sqlite = unstable_getDurableObjectClassNameToUseSQLiteMap(config.migrations);
  for (const binding of config.durable_objects?.bindings ?? []) {
    if (binding.script_name !== undefined && binding.script_name !== config.name) {
      throw new Error(`Durable Object binding ${binding.name} points at another worker (${binding.script_name}); only this worker's classes can be served`);
    }
    bindings.push({ name: binding.name, durableObjectClass: binding.class_name });
    if (!sqlite.has(binding.class_name)) sqlite.set(binding.class_name, false);
  }
  const durableObjects = [...sqlite].map(([className, enableSql]) => ({ className, enableSql }));
  return { bindings, durableObjects };
}

type ModuleType = NonNullable<WorkerdModule["type"]>;

/** wrangler's rule types, as workerd module kinds. */
const RULE_TYPES: Readonly<Record<string, ModuleType | undefined>> = {
  ESModule: "esModule",
  CommonJS: "commonJsModule",
  CompiledWasm: "wasm",
  Text: "text",
  Data: "data",
};

/** wrangler's default module rules (after any the config declares). */
const DEFAULT_RULES: readonly { readonly type: string; readonly globs: readonly string[] }[] = [
  { type: "ESModule", globs: ["**/*.js", "**/*.mjs"] },
  { type: "CommonJS", globs: ["**/*.cjs"] },
  { type: "CompiledWasm", globs: ["**/*.wasm", "**/*.wasm?module"] },
  { type: "Text", globs: ["**/*.txt", "**/*.html", "**/*.sql"] },
  { type: "Data", globs: ["**/*.bin"] },
];

function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === "*" && glob[i + 1] === "*") {
      // `**/` matches any number of leading folders, including none.
      source += glob[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += glob[i + 2] === "/" ? 2 : 1;
    } else if (char === "*") source += "[^/]*";
    else source += char.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

function moduleType(name: string, rules: readonly { readonly type: string; readonly globs: readonly string[] }[]): ModuleType {
  for (const rule of rules) {
    if (rule.globs.some((glob) => globToRegExp(glob).test(name))) {
      const type = RULE_TYPES[rule.type];
      if (type === undefined) throw new Error(`module ${name}: wrangler rule type ${rule.type} is not supported by self-hosted workerd`);
      return type;
    }
  }
  return "data";
}

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await listFiles(path.join(dir, entry.name), relative)));
    else files.push(relative);
  }
  return files.sort();
}

/**
 * The modules of a dry-run outdir, entry first, with paths relative to the config file (workerd
 * resolves `embed` paths against the config file). Source maps and wrangler's README are not modules.
 */
export async function bundledModules(config: Unstable_Config, buildDir: string, configFile: string): Promise<WorkerdModule[]> {
  const files = (await listFiles(buildDir)).filter((name) => !name.endsWith(".map") && name !== "README.md");
  const main = config.main ?? "";
  const entryName = `${path.basename(main, path.extname(main))}.js`;
  const entry = files.includes(entryName) ? entryName : files.length === 1 ? files[0] : undefined;
  if (entry === undefined) throw new Error(`no entry module ${entryName} in ${buildDir} (found: ${files.join(", ") || "nothing"})`);
  const rules = [...(config.rules ?? []).map((rule) => ({ type: rule.type, globs: rule.globs })), ...DEFAULT_RULES];
  const configDir = path.dirname(path.resolve(configFile));
  return [entry, ...files.filter((name) => name !== entry)].map((name) => ({
    name,
    path: path.relative(configDir, path.join(path.resolve(buildDir), name)).split(path.sep).join("/"),
    type: moduleType(name, rules),
  }));
}

function wranglerBin(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve("wrangler/package.json");
  return path.join(path.dirname(manifest), "bin", "wrangler.js");
}

/** Runs `wrangler deploy --dry-run --outdir <dir>`: no account, no network, the deploy bundle. */
export async function bundleLikeDeploy(wranglerConfig: string, outDir: string, wranglerEnv?: string): Promise<void> {
  const configFile = path.resolve(wranglerConfig);
  const args = [wranglerBin(), "deploy", "--dry-run", "--outdir", path.resolve(outDir), "--config", configFile];
  if (wranglerEnv !== undefined) args.push("--env", wranglerEnv);
  const output = await new Promise<{ code: number | null; text: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: path.dirname(configFile),
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, text }));
  });
  if (output.code !== 0) throw new Error(`wrangler deploy --dry-run failed (exit ${output.code}):\n${stripVTControlCharacters(output.text).trim()}`);
}

/** Writes a file so a reader sees the old or the new content, never half of one. */
async function writeAtomically(file: string, contents: string): Promise<void> {
  const staging = `${file}.tmp-${process.pid}`;
  await writeFile(staging, contents);
  await rename(staging, file);
}

/**
 * Bundle + config. The new bundle is built beside the old one and swapped in only when the dry
 * run succeeded, so a failed build leaves the previous bundle and config serving.
 */
export async function buildForWorkerd(options: PiBuildOptions): Promise<PiBuildResult> {
  const started = performance.now();
  const config = readWranglerConfig(options.wranglerConfig, options.wranglerEnv);
  const plan = planBindings(config, options.secrets ?? []);
  const buildDir = path.resolve(options.buildDir);
  const staging = `${buildDir}.next`;
  await rm(staging, { recursive: true, force: true });
  await bundleLikeDeploy(options.wranglerConfig, staging, options.wranglerEnv);

  const previous = `${buildDir}.previous`;
  await rm(previous, { recursive: true, force: true });
  await rename(buildDir, previous).catch(() => undefined);
  await rename(staging, buildDir);
  await rm(previous, { recursive: true, force: true });

  const configFile = path.resolve(options.configFile);
  const modules = await bundledModules(config, buildDir, configFile);
  const dataDir = path.resolve(options.dataDir);
  if (plan.durableObjects.length > 0) await mkdir(dataDir, { recursive: true });
  const text = renderWorkerdConfig({
    modules,
    compatibilityDate: config.compatibility_date ?? "2024-01-01",
    compatibilityFlags: config.compatibility_flags,
    bindings: plan.bindings,
    durableObjects: plan.durableObjects,
    storageDir: dataDir,
    address: options.listen,
    workerName: config.name ?? "worker",
  });
  await mkdir(path.dirname(configFile), { recursive: true });
  await writeAtomically(configFile, text);
  return {
    configFile,
    modules,
    bindings: plan.bindings,
    durableObjects: plan.durableObjects,
    dataDir,
    listen: options.listen,
    milliseconds: performance.now() - started,
  };
}

/** A one-line description of a binding that never shows a secret's value. */
export function describeBinding(binding: WorkerdBinding): string {
  if ("text" in binding) return `${binding.name}: var (text)`;
  if ("json" in binding) return `${binding.name}: var (json)`;
  if ("fromEnvironment" in binding) return `${binding.name}: secret, from the environment at start`;
  return `${binding.name}: Durable Object ${binding.durableObjectClass}`;
}
