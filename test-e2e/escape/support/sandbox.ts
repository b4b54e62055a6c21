// Drives the kernel layers directly, as the CLI will once it wires seccomp:
// a Landlock ruleset (system dirs read+exec, /dev/null rw, one temp dir rw,
// CONNECT_TCP to one "proxy" port, scopes) on fd 3, a status pipe on fd 4, the
// compiled seccomp program on fd 5, then the command under cordon-launcher.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll } from "vitest";
import {
  FS,
  NET,
  SCOPE,
  abi as kernelAbi,
  abiMasks,
  compileSeccomp,
  createRuleset,
  launcherArgs,
  launcherPath,
  parseLauncherStatus,
  seccompProgramFd,
  type LauncherStatus,
  type Ruleset,
} from "@cordon/landlock-native";
import { seccompSpecFor } from "@cordon/policy";

export const probePath = join(dirname(launcherPath), "cordon-probe");
export const programsDir = join(import.meta.dirname, "..", "programs");

/** Which kernel layers a run gets: both (what cordon enforces), or one alone to show what each closes. */
export type Layers = "landlock+seccomp" | "landlock-only" | "seccomp-only";

export interface SandboxOptions {
  layers?: Layers;
  /** The one TCP port connect() may reach (the proxy's). */
  proxyPort: number;
  /** The read-write directory. */
  writable: string;
  /** Emulate an older kernel: masks the ruleset and sets CORDON_LANDLOCK_ABI_MAX for the launcher. */
  abiMax?: number;
  /** Also handle BIND_TCP with no rule (network "none"-style). */
  denyBind?: boolean;
  /** Extra fds handed to the child from fd 6 on (inherited-fd attacks). */
  extraFds?: number[];
  env?: NodeJS.ProcessEnv;
}

export interface SandboxResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The launcher's failure line, if it failed before exec. */
  status: LauncherStatus | undefined;
}

const READ_EXEC = FS.EXECUTE | FS.READ_FILE | FS.READ_DIR;

/** The effective Landlock ABI for a run (the kernel's, capped by abiMax). */
export function effectiveAbi(abiMax?: number): number {
  return Math.min(kernelAbi(), abiMax ?? Infinity);
}

function buildRuleset(o: SandboxOptions): Ruleset {
  const masks = abiMasks(effectiveAbi(o.abiMax));
  // BIND_TCP stays unhandled unless asked (local servers keep working, as in platform mode); UDP rights
  // (ABI 10) are left to seccomp here so the suite means the same on every kernel.
  const net = masks.net & (NET.CONNECT_TCP | (o.denyBind ? NET.BIND_TCP : 0));
  const rs = createRuleset({ fs: masks.fs, net, scoped: masks.scoped & (SCOPE.ABSTRACT_UNIX_SOCKET | SCOPE.SIGNAL) });
  // Node may live outside /usr (nvm, /opt): grant its own prefix too.
  const nodePrefix = dirname(dirname(process.execPath));
  for (const dir of ["/usr", "/bin", "/lib", "/lib64", "/etc", dirname(launcherPath), nodePrefix]) {
    if (existsSync(dir)) rs.addPath(dir, READ_EXEC & masks.fs, "system");
  }
  rs.addPath(programsDir, (FS.READ_FILE | FS.READ_DIR) & masks.fs, "programs");
  rs.addPath("/dev/null", (FS.READ_FILE | FS.WRITE_FILE) & masks.fs, "devnull");
  rs.addPath(o.writable, masks.fs, "writable");
  if (net & NET.CONNECT_TCP) rs.addPort(o.proxyPort, NET.CONNECT_TCP);
  return rs;
}

/** Runs `command args` in the sandbox and collects what happened. */
export async function runSandboxed(command: string, args: string[], o: SandboxOptions): Promise<SandboxResult> {
  const layers = o.layers ?? "landlock+seccomp";
  const landlock = layers !== "seccomp-only" && effectiveAbi(o.abiMax) > 0;
  const ruleset = landlock ? buildRuleset(o) : undefined;
  const filterFd =
    layers === "landlock-only"
      ? undefined
      : seccompProgramFd(compileSeccomp(seccompSpecFor("platform", effectiveAbi(o.abiMax), effectiveAbi(o.abiMax) < 9)));
  const env = { ...(o.env ?? process.env) };
  if (o.abiMax !== undefined) env.CORDON_LANDLOCK_ABI_MAX = String(o.abiMax);
  try {
    const argv = launcherArgs({
      ...(ruleset ? { rulesetFd: 3 } : {}),
      statusFd: 4,
      ...(filterFd !== undefined ? { seccompFd: 5 } : {}),
      command,
      args,
    });
    const child = spawn(launcherPath, argv, {
      stdio: ["ignore", "pipe", "pipe", ruleset?.fd ?? "ignore", "pipe", filterFd ?? "ignore", ...(o.extraFds ?? [])],
      env,
    });
    const out = { stdout: "", stderr: "", status: "" };
    child.stdout?.on("data", (d: Buffer) => (out.stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (out.stderr += d.toString()));
    (child.stdio[4] as NodeJS.ReadableStream).on("data", (d: Buffer) => (out.status += d.toString()));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (c, s) => resolve([c, s]));
    });
    return { code, signal, stdout: out.stdout, stderr: out.stderr, status: parseLauncherStatus(out.status) };
  } finally {
    ruleset?.close();
    if (filterFd !== undefined) closeSync(filterFd);
  }
}

/** Runs one probe operation in the sandbox and returns its one-word answer (OK or an errno name). */
export async function attempt(o: SandboxOptions, ...probeArgs: string[]): Promise<string> {
  const r = await runSandboxed(probePath, probeArgs, o);
  if (r.code !== 0) throw new Error(`probe ${probeArgs.join(" ")}: exit ${r.code} ${r.signal ?? ""} ${r.stderr} ${JSON.stringify(r.status)}`);
  return r.stdout.trim();
}

/** A fresh directory (realpath, so rules and paths agree). */
const tempDirs: string[] = [];
// Registered in every test file that imports this module: nothing outlives its file.
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory (realpath, so rules and paths agree), removed after the test file. */
export function tempDir(prefix: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  tempDirs.push(dir);
  return dir;
}
