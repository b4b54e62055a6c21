// Shared test helpers: spawn the real launcher with a real ruleset on fd 3 and
// a status pipe on fd 4, exactly as the CLI does, and read what the kernel said.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type Server } from "node:net";
import { afterAll } from "vitest";
import { FS, abiMasks, createRuleset, launcherArgs, launcherPath, type Ruleset, type RulesetSpec } from "../src/index.js";

export const buildDir = join(import.meta.dirname, "..", "build", "Release");
export const probePath = join(buildDir, "cordon-probe");

export const READ_EXEC = FS.EXECUTE | FS.READ_FILE | FS.READ_DIR;
/** Every filesystem right this kernel knows (ABI 7 on the reference machine). */
export const ALL_FS = abiMasks(7).fs;

const tempDirs: string[] = [];
// Registered in each test file that imports this module: no directory outlives its file.
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory (realpath, so rules and paths agree), removed after the test file. */
export function tempDir(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "cordon-ll-")));
  tempDirs.push(dir);
  return dir;
}

/**
 * A ruleset handling `spec` that already lets programs run: read+exec on the
 * system dirs and the built executables, read-write on /dev/null.
 */
export function baseRuleset(spec: RulesetSpec = { fs: ALL_FS }): Ruleset {
  const rs = createRuleset(spec);
  if (spec.fs !== 0) {
    for (const dir of ["/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc", buildDir]) {
      if (existsSync(dir)) rs.addPath(dir, READ_EXEC & spec.fs, "system");
    }
    rs.addPath("/dev/null", (FS.READ_FILE | FS.WRITE_FILE) & spec.fs, "devnull");
  }
  return rs;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** What the launcher wrote to its status fd ("" when exec succeeded). */
  status: string;
}

export interface RunOptions {
  ruleset?: Ruleset;
  /** Any fd to hand over as fd 3 instead of a ruleset. */
  fd3?: number;
  restrictFlags?: number;
  /** Extra fds handed to the child after fd 4. */
  extraFds?: number[];
  env?: NodeJS.ProcessEnv;
  /** Raw launcher argv instead of launcherArgs(). */
  rawArgs?: string[];
}

/** Runs `command` under the launcher: ruleset on fd 3, status pipe on fd 4. */
export function runLauncher(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const argv =
    options.rawArgs ??
    launcherArgs({
      ...(options.ruleset ? { rulesetFd: 3 } : {}),
      ...(options.restrictFlags !== undefined ? { restrictFlags: options.restrictFlags } : {}),
      statusFd: 4,
      command,
      args,
    });
  return runChild(launcherPath, argv, options);
}

/** Spawns `file` with the ruleset (if any) on fd 3 and a pipe on fd 4. */
export function runChild(file: string, argv: string[], options: RunOptions = {}): Promise<RunResult> {
  const child = spawn(file, argv, {
    stdio: ["ignore", "pipe", "pipe", options.ruleset?.fd ?? options.fd3 ?? "ignore", "pipe", ...(options.extraFds ?? [])],
    env: options.env ?? process.env,
  });
  const out = { stdout: "", stderr: "", status: "" };
  child.stdout?.on("data", (d: Buffer) => (out.stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out.stderr += d.toString()));
  const statusStream = child.stdio[4] as NodeJS.ReadableStream | null;
  statusStream?.on("data", (d: Buffer) => (out.status += d.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, ...out }));
  });
}

/** Runs the probe under the launcher and returns its one-word answer. */
export async function probe(ruleset: Ruleset | undefined, ...args: string[]): Promise<string> {
  const r = await runLauncher(probePath, args, ruleset ? { ruleset } : {});
  if (r.code !== 0) throw new Error(`probe ${args.join(" ")} exited ${r.code}: ${r.stderr}${r.status}`);
  return r.stdout.trim();
}

/** Listens on loopback; port 0 picks a free one. */
export function listen(host: string, port = 0): Promise<Server> {
  const server = createServer((socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port }, () => resolve(server));
  });
}

export function portOf(server: Server): number {
  const a = server.address();
  if (a === null || typeof a === "string") throw new Error("server has no port");
  return a.port;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port that was free a moment ago (nothing listens on it). */
export async function freePort(): Promise<number> {
  const s = await listen("127.0.0.1");
  const port = portOf(s);
  await closeServer(s);
  return port;
}
