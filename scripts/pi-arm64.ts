/**
 * An arm64 workerd (the one a Raspberry Pi 5 runs) runnable on this x86-64 machine through
 * qemu user-mode emulation. Everything is fetched with the ordinary clients (apt-get, npm pack)
 * and cached under workerd-pi/.arm64/, so a second run installs nothing.
 *
 *   qemu-aarch64-static        Debian's qemu-user-static
 *   <cache>/sysroot            libc6:arm64 (and whatever else the binary links) unpacked with dpkg -x
 *   <cache>/workerd-<version>  @cloudflare/workerd-linux-arm64 at the version package-lock.json pins
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Arm64Workerd {
  /** Command prefix for `startWorkerd({ command })`: qemu, its sysroot flag, the arm64 binary. */
  readonly command: readonly string[];
  readonly version: string;
  readonly binary: string;
  readonly sysroot: string;
  /** Libraries the binary links (readelf NEEDED entries). */
  readonly needed: readonly string[];
}

type Log = (line: string) => void;

/** Debian arm64 packages that provide the libraries a workerd build may link. */
const PACKAGE_FOR_LIBRARY: Readonly<Record<string, string>> = {
  "libc.so.6": "libc6",
  "libm.so.6": "libc6",
  "libdl.so.2": "libc6",
  "libpthread.so.0": "libc6",
  "librt.so.1": "libc6",
  "ld-linux-aarch64.so.1": "libc6",
  "libstdc++.so.6": "libstdc++6",
  "libgcc_s.so.1": "libgcc-s1",
  "libz.so.1": "zlib1g",
};

async function commandExists(name: string): Promise<boolean> {
  try {
    await run("sh", ["-c", `command -v ${name}`]);
    return true;
  } catch {
    return false;
  }
}

async function apt(args: readonly string[], cwd?: string): Promise<void> {
  await run("apt-get", [...args], { cwd, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, maxBuffer: 64 * 1024 * 1024 });
}

async function ensureQemu(log: Log): Promise<string> {
  if (await commandExists("qemu-aarch64-static")) return "qemu-aarch64-static";
  log("installing qemu-user-static (apt-get)");
  await apt(["update", "-qq"]);
  await apt(["install", "-y", "-qq", "qemu-user-static"]);
  return "qemu-aarch64-static";
}

/** The version package-lock.json pins for the arm64 workerd package (the one `npm ci` installs on a Pi). */
export async function pinnedArm64Version(repoRoot: string): Promise<{ version: string; integrity?: string }> {
  const lock = JSON.parse(await readFile(path.join(repoRoot, "package-lock.json"), "utf8")) as {
    packages: Record<string, { version?: string; integrity?: string; optionalDependencies?: Record<string, string> }>;
  };
  const direct = lock.packages["node_modules/@cloudflare/workerd-linux-arm64"];
  if (direct?.version !== undefined) return { version: direct.version, integrity: direct.integrity };
  const viaWorkerd = lock.packages["node_modules/workerd"]?.optionalDependencies?.["@cloudflare/workerd-linux-arm64"];
  if (viaWorkerd === undefined) throw new Error("package-lock.json pins no @cloudflare/workerd-linux-arm64");
  return { version: viaWorkerd };
}

async function ensureWorkerdPackage(cache: string, repoRoot: string, log: Log): Promise<{ version: string; binary: string }> {
  const { version, integrity } = await pinnedArm64Version(repoRoot);
  const dir = path.join(cache, `workerd-${version}`);
  const binary = path.join(dir, "package", "bin", "workerd");
  if (existsSync(binary)) return { version, binary };
  log(`fetching @cloudflare/workerd-linux-arm64@${version} (npm pack)`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const { stdout } = await run("npm", ["pack", `@cloudflare/workerd-linux-arm64@${version}`, "--pack-destination", dir, "--silent"], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const tarball = path.join(dir, stdout.trim().split("\n").pop() ?? "");
  if (integrity !== undefined) {
    // The same bytes the lockfile promises a Pi's `npm ci` will install.
    const [algorithm, expected] = integrity.split("-", 2) as [string, string];
    const actual = createHash(algorithm).update(await readFile(tarball)).digest("base64");
    if (actual !== expected) throw new Error(`${path.basename(tarball)}: integrity ${algorithm}-${actual} does not match the lockfile's ${integrity}`);
  }
  await run("tar", ["xzf", tarball, "-C", dir]);
  await rm(tarball);
  if (!existsSync(binary)) throw new Error(`the package has no bin/workerd under ${dir}`);
  return { version, binary };
}

async function neededLibraries(binary: string): Promise<string[]> {
  const { stdout } = await run("readelf", ["-d", binary], { maxBuffer: 16 * 1024 * 1024 });
  return [...stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!);
}

async function hasLibrary(sysroot: string, library: string): Promise<boolean> {
  const places = ["lib", "lib/aarch64-linux-gnu", "usr/lib/aarch64-linux-gnu"];
  return places.some((place) => existsSync(path.join(sysroot, place, library)));
}

async function ensureArm64Architecture(log: Log): Promise<void> {
  const { stdout } = await run("dpkg", ["--print-foreign-architectures"]);
  if (stdout.split(/\s+/).includes("arm64")) return;
  log("adding the arm64 architecture to dpkg (for apt-get download)");
  await run("dpkg", ["--add-architecture", "arm64"]);
  await apt(["update", "-qq"]);
}

async function ensureSysroot(cache: string, needed: readonly string[], log: Log): Promise<string> {
  const sysroot = path.join(cache, "sysroot");
  const missing: string[] = [];
  for (const library of needed) if (!(await hasLibrary(sysroot, library))) missing.push(library);
  if (missing.length === 0) return sysroot;
  const packages = [...new Set(missing.map((library) => PACKAGE_FOR_LIBRARY[library]))];
  if (packages.includes(undefined)) throw new Error(`no known Debian package for ${missing.join(", ")}`);
  await ensureArm64Architecture(log);
  const debs = path.join(cache, "debs");
  await mkdir(debs, { recursive: true });
  const names = packages.map((name) => `${name}:arm64`);
  log(`fetching ${names.join(" ")} (apt-get download) into the sysroot`);
  try {
    await apt(["download", ...names], debs);
  } catch {
    // A stale package list names versions the mirror no longer has: refresh once and retry.
    await apt(["update", "-qq"]);
    await apt(["download", ...names], debs);
  }
  for (const deb of await readdir(debs)) if (deb.endsWith(".deb")) await run("dpkg", ["-x", path.join(debs, deb), sysroot]);
  for (const library of needed) {
    if (!(await hasLibrary(sysroot, library))) throw new Error(`the sysroot still lacks ${library}`);
  }
  return sysroot;
}

/** Installs (once) and returns the emulated arm64 workerd. */
export async function ensureArm64Workerd(repoRoot: string, log: Log = () => undefined): Promise<Arm64Workerd> {
  const cache = path.join(repoRoot, "workerd-pi", ".arm64");
  await mkdir(cache, { recursive: true });
  const qemu = await ensureQemu(log);
  const { version, binary } = await ensureWorkerdPackage(cache, repoRoot, log);
  const needed = await neededLibraries(binary);
  const sysroot = await ensureSysroot(cache, needed, log);
  return { command: [qemu, "-L", sysroot, binary], version, binary, sysroot, needed };
}
