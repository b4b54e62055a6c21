import { spawn, spawnSync, type ChildProcess, type IOType, type SpawnOptions, type SpawnSyncReturns } from "node:child_process";
import type { Readable, Stream } from "node:stream";
import { launcherArgs, launcherPath, parseLauncherStatus, type LauncherOptions, type LauncherStatus } from "@cordon/landlock-native";

/**
 * What to launch. The namespace and restrict options are the launcher's own
 * (`LauncherOptions`); the fds are this process's, mapped to 3 and 5 in the child.
 */
export type LaunchOptions = Pick<LauncherOptions, "restrictFlags" | "netns" | "netnsRelay" | "netnsLocalPorts" | "protect" | "pin" | "pidns" | "readOnly" | "writable" | "mask" | "tmpfs" | "tmpfsSize" | "rulesAfterMounts" | "cgroup"> & {
  command: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdio: [StdioEntry, StdioEntry, StdioEntry];
  /** The ruleset fd in this process. */
  rulesetFd?: number;
  /** An fd in this process holding a compiled seccomp program (see seccompProgramFd). */
  seccompFd?: number;
};

/** One of the three standard streams, as child_process.spawn takes it. */
export type StdioEntry = IOType | Stream | number | null | undefined;

/** Failure reported by the launcher before it could exec the command. */
export type LaunchFailure = LauncherStatus;

export interface Launched {
  child: ChildProcess;
  /** Resolves once exec succeeded (null) or the launcher reported why it did not. */
  execResult: Promise<LaunchFailure | null>;
}

const RULESET_FD = 3;
const STATUS_FD = 4;
const SECCOMP_FD = 5;

/**
 * Spawns the launcher: the ruleset goes in as fd 3, a status pipe as fd 4,
 * the seccomp program as fd 5.
 * The launcher marks the pipe close-on-exec, so it closes empty when the
 * command was exec'd, and carries one JSON line when setup failed.
 */
export function launch(o: LaunchOptions): Launched {
  const spec = launchSpec(o);
  const child = spawn(launcherPath, spec.args, spec.options);
  const status = child.stdio[STATUS_FD] as Readable | null;
  const execResult = new Promise<LaunchFailure | null>((resolve) => {
    if (!status) return resolve(null);
    let text = "";
    status.setEncoding("utf8");
    status.on("data", (d: string) => (text += d));
    status.on("error", () => resolve(null));
    status.on("close", () => resolve(parseFailure(text)));
  });
  return { child, execResult };
}

/** The same launch, synchronously: for callers that block their event loop on purpose. */
export function launchSync(o: LaunchOptions, extra: { timeout?: number; input?: string | Buffer } = {}): SpawnSyncReturns<Buffer> & { launchFailure: LaunchFailure | null } {
  const spec = launchSpec(o);
  const r = spawnSync(launcherPath, spec.args, { ...spec.options, ...extra });
  const status = r.output?.[STATUS_FD];
  return Object.assign(r, { launchFailure: parseFailure(status ? status.toString() : "") });
}

function launchSpec(o: LaunchOptions): { args: string[]; options: SpawnOptions } {
  const { command, args, cwd, env, stdio, rulesetFd, seccompFd, ...kernel } = o;
  const argv = launcherArgs({
    ...kernel,
    ...(rulesetFd !== undefined ? { rulesetFd: RULESET_FD } : {}),
    statusFd: STATUS_FD,
    ...(seccompFd !== undefined ? { seccompFd: SECCOMP_FD } : {}),
    // A command never outlives cordon (even a SIGKILLed one), and never keeps root's capabilities.
    dieWithParent: true,
    dropCapabilities: true,
    command,
    args,
  });
  return { args: argv, options: { cwd, env, stdio: [...stdio, rulesetFd ?? "ignore", "pipe", seccompFd ?? "ignore"] } };
}

function parseFailure(text: string): LaunchFailure | null {
  try {
    return parseLauncherStatus(text) ?? null;
  } catch {
    return { stage: "unknown", errno: "EUNKNOWN", message: text.trim() };
  }
}
