// Shared helpers of the bench scripts (plain Node, no dependencies).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { release, cpus, availableParallelism, loadavg } from "node:os";

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(BENCH_DIR, "..");
export const CLI_DIR = join(REPO, "apps", "cli");
export const CLI_BIN = join(CLI_DIR, "dist", "bin.js");
export const CLI_INDEX = join(CLI_DIR, "dist", "index.js");
/** Scratch space outside git (see .gitignore): peer installs. */
export const PEERS_DIR = join(BENCH_DIR, ".peers");
/** Scratch space outside git: raw exports. */
export const TMP_DIR = join(BENCH_DIR, "results", "tmp");

export function note(msg) {
  process.stderr.write(`bench: ${msg}\n`);
}

export function requireBuiltCli() {
  if (!existsSync(CLI_BIN) || !existsSync(CLI_INDEX)) {
    note(`cordon is not built (${CLI_BIN} missing): run 'pnpm exec turbo run build' first`);
    process.exit(1);
  }
}

export function has(cmd) {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

let aptUpdated = false;
/** Installs Debian packages when a command is missing; returns false (with a note) if it cannot. */
export function ensureApt(commands, packages) {
  const missing = commands.filter((c) => !has(c));
  if (missing.length === 0) return true;
  if (process.getuid?.() !== 0) {
    note(`missing ${missing.join(", ")} and not root: install with 'apt-get install -y ${packages.join(" ")}'`);
    return false;
  }
  note(`installing ${packages.join(" ")} with apt-get (missing: ${missing.join(", ")})`);
  if (!aptUpdated) {
    spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", timeout: 120_000 });
    aptUpdated = true;
  }
  const r = spawnSync("apt-get", ["install", "-y", "-qq", ...packages], {
    stdio: ["ignore", "ignore", "inherit"],
    timeout: 240_000,
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  const still = commands.filter((c) => !has(c));
  if (r.status !== 0 || still.length) {
    note(`apt-get install ${packages.join(" ")} failed (status ${r.status}); still missing: ${still.join(", ")}`);
    return false;
  }
  return true;
}

export function machine() {
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    kernel: release(),
    nproc: typeof availableParallelism === "function" ? availableParallelism() : cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    node: process.version,
    load: loadavg().map((x) => x.toFixed(2)).join(" "),
    commit: spawnSync("git", ["-C", REPO, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).stdout.trim(),
  };
}

export function ensureDir(d) {
  mkdirSync(d, { recursive: true });
  return d;
}

export function readJson(f) {
  return JSON.parse(readFileSync(f, "utf8"));
}

export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");
export const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : "n/a");
