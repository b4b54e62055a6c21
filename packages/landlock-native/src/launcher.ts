import { existsSync } from "node:fs";
import { join } from "node:path";
import { packageDir } from "./binding.js";
import { LandlockError } from "./errors.js";

/**
 * Absolute path of the `cordon-launcher` executable: the source build if there is one (as for
 * the addon, node-gyp-build's order), else the published prebuild for this arch.
 */
export const launcherPath = ((built) => (existsSync(built) ? built : join(packageDir, "prebuilds", `linux-${process.arch}`, "cordon-launcher")))(
  join(packageDir, "build", "Release", "cordon-launcher"),
);

/** Launcher exit codes (otherwise the command's own status). */
export const LAUNCHER_EXIT = {
  /** Bad launcher arguments. */
  USAGE: 2,
  /** Setup failed before exec; nothing was exec'd (details on the status fd). */
  SETUP_FAILED: 125,
  /** The command was found but could not be executed. */
  NOT_EXECUTABLE: 126,
  /** The command was not found. */
  NOT_FOUND: 127,
} as const;

/**
 * The signal that makes the launcher's supervisor SIGKILL every process the command started
 * (also its parent-death signal outside a PID namespace): send it instead of SIGKILL, which
 * would leave orphans of a supervisor that is not a namespace's init. SIGSTKFLT: unused by the
 * kernel, and a name Node accepts.
 */
export const KILL_TREE_SIGNAL: NodeJS.Signals = "SIGSTKFLT";

/** One line the launcher writes to the status fd when it fails before (or at) exec. */
export interface LauncherStatus {
  /** `status_fd`, `die_with_parent`, `override`, `namespaces`, `supervise`, `mounts`, `drop_caps`, `no_new_privs`, `restrict_self`, `seccomp`, `close_fds` or `exec`. */
  stage: string;
  /** errno name, e.g. `EPERM`. */
  errno: string;
  message: string;
}

export interface LauncherOptions {
  /** The ruleset fd number as seen by the child (3 when passed as stdio[3]). */
  rulesetFd?: number;
  /** RESTRICT flags for landlock_restrict_self. */
  restrictFlags?: number;
  /** A close-on-exec status pipe in the child (e.g. 4). */
  statusFd?: number;
  /** An fd holding a compiled seccomp program (see seccompProgramFd), as seen by the child (e.g. 5). */
  seccompFd?: number;
  /** Run the command in a new network namespace with only loopback (implied by netnsRelay). */
  netns?: boolean;
  /**
   * Inside that namespace, listen on 127.0.0.1:port (and [::1]:port) before exec and relay each
   * connection to the unix socket at socketPath. The launcher then forks and stays as supervisor.
   */
  netnsRelay?: { port: number; socketPath: string };
  /**
   * Local ports beside netnsRelay (which they need): publish false listens on 127.0.0.1:port inside
   * and relays to the unix socket at socketPath (where the caller reaches the host's port); publish
   * true listens on socketPath and relays to 127.0.0.1:port inside (a server the command runs).
   */
  netnsLocalPorts?: readonly { port: number; socketPath: string; publish: boolean }[];
  /** Existing absolute paths bind-mounted read-only onto themselves in a new mount namespace. */
  protect?: readonly string[];
  /** Existing directories bind-mounted onto themselves (still writable) so they cannot be renamed or removed. */
  pin?: readonly string[];
  /**
   * PID and IPC namespaces (implies a mount namespace): the supervisor's child is the namespace's
   * init and reaper, the command sees a fresh /proc with only its own processes, a private
   * /dev/shm and a new devpts instance; when the command ends everything it started dies with the init.
   */
  pidns?: boolean;
  /** Every mount read-only except `writable` (bound onto themselves, writable): metadata changes fail with EROFS. */
  readOnly?: boolean;
  /** Existing paths that stay writable under `readOnly`. */
  writable?: readonly string[];
  /** Paths covered by something empty and read-only (a directory by an empty tmpfs, anything else by an empty file). */
  mask?: readonly string[];
  /** Existing directories covered by a private 0700 tmpfs (of `tmpfsSize` bytes when given). */
  tmpfs?: readonly string[];
  /**
   * Path rules added to the ruleset after the mounts: a fresh /proc, devpts or tmpfs is a new inode
   * that rules made before the mounts do not cover. Needs `rulesetFd`.
   */
  rulesAfterMounts?: readonly { path: string; access: number }[];
  /**
   * A cgroup v2 directory the launcher moves itself into before anything else (its `cgroup.procs`),
   * so every process of the command is in it: the caller can then kill them all (`cgroup.kill`).
   */
  cgroup?: string;
  /** Size limit in bytes of the `tmpfs` mounts and of /dev/shm under `pidns`. */
  tmpfsSize?: number;
  /** SIGKILL the command when the launcher's parent (cordon) exits, even by SIGKILL. */
  dieWithParent?: boolean;
  /** Shed every capability (root's included) before exec: Landlock does not cover chmod/chown. */
  dropCapabilities?: boolean;
  command: string;
  args?: readonly string[];
}

function checkInt(value: number | undefined, name: string, min: number): void {
  if (value === undefined) return;
  if (!Number.isSafeInteger(value) || value < min) {
    throw LandlockError.of("EINVAL", { syscall: "launcherArgs", hint: `${name} must be an integer >= ${min}, got ${String(value)}` });
  }
}

function bad(hint: string): LandlockError {
  return LandlockError.of("EINVAL", { syscall: "launcherArgs", hint });
}

/** The launcher's argv (without the launcher itself) for the given options. */
export function launcherArgs(options: LauncherOptions): string[] {
  const { rulesetFd, restrictFlags, statusFd, seccompFd, netns, netnsRelay, netnsLocalPorts = [], protect = [], pin = [], dieWithParent, dropCapabilities, command, args = [] } = options;
  const { pidns, readOnly, writable = [], mask = [], tmpfs = [], tmpfsSize, rulesAfterMounts = [], cgroup } = options;
  checkInt(tmpfsSize, "tmpfsSize", 1);
  if (writable.length > 0 && !readOnly) throw bad("writable paths only make sense with readOnly");
  checkInt(rulesetFd, "rulesetFd", 0);
  checkInt(restrictFlags, "restrictFlags", 0);
  checkInt(statusFd, "statusFd", 3);
  checkInt(seccompFd, "seccompFd", 0);
  if (typeof command !== "string" || command === "") {
    throw LandlockError.of("EINVAL", { syscall: "launcherArgs", hint: "command must be a non-empty string" });
  }
  const argv: string[] = [];
  if (rulesetFd !== undefined) argv.push("--ruleset-fd", String(rulesetFd));
  if (restrictFlags !== undefined && restrictFlags !== 0) argv.push("--restrict-flags", `0x${restrictFlags.toString(16)}`);
  if (statusFd !== undefined) argv.push("--status-fd", String(statusFd));
  if (seccompFd !== undefined) argv.push("--seccomp-fd", String(seccompFd));
  if (netnsRelay !== undefined) {
    const { port, socketPath } = netnsRelay;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(`netnsRelay.port must be an integer 1-65535, got ${String(port)}`);
    // sockaddr_un.sun_path is 108 bytes including the terminating NUL.
    if (typeof socketPath !== "string" || !socketPath.startsWith("/") || Buffer.byteLength(socketPath) >= 108 || socketPath.includes("\0")) {
      throw bad(`netnsRelay.socketPath must be an absolute path shorter than 108 bytes, got ${JSON.stringify(socketPath)}`);
    }
    argv.push("--netns-relay", `${port}:${socketPath}`);
    for (const l of netnsLocalPorts) {
      if (!Number.isInteger(l.port) || l.port < 1 || l.port > 65535) throw bad(`netnsLocalPorts port must be an integer 1-65535, got ${String(l.port)}`);
      if (typeof l.socketPath !== "string" || !l.socketPath.startsWith("/") || Buffer.byteLength(l.socketPath) >= 108 || l.socketPath.includes("\0")) {
        throw bad(`netnsLocalPorts socketPath must be an absolute path shorter than 108 bytes, got ${JSON.stringify(l.socketPath)}`);
      }
      argv.push(l.publish ? "--netns-publish" : "--netns-local", `${l.port}:${l.socketPath}`);
    }
  } else if (netnsLocalPorts.length > 0) throw bad("netnsLocalPorts needs netnsRelay");
  else if (netns) argv.push("--netns");
  if (dieWithParent) argv.push("--die-with-parent");
  if (dropCapabilities) argv.push("--drop-caps");
  if (pidns) argv.push("--pidns");
  if (readOnly) argv.push("--read-only");
  if (tmpfsSize !== undefined) argv.push("--tmpfs-size", String(tmpfsSize));
  const paths = (flag: string, name: string, list: readonly string[]) => {
    for (const path of list) {
      if (typeof path !== "string" || !path.startsWith("/") || path.includes("\0")) throw bad(`${name} paths must be absolute, got ${JSON.stringify(path)}`);
      argv.push(flag, path);
    }
  };
  paths("--writable", "writable", writable);
  paths("--pin", "pin", pin);
  paths("--protect", "protect", protect);
  paths("--mask", "mask", mask);
  paths("--tmpfs", "tmpfs", tmpfs);
  if (cgroup !== undefined) paths("--cgroup", "cgroup", [cgroup]);
  for (const { path, access } of rulesAfterMounts) {
    if (rulesetFd === undefined) throw bad("rulesAfterMounts needs rulesetFd");
    if (!Number.isSafeInteger(access) || access <= 0) throw bad(`rule access must be a positive integer, got ${String(access)}`);
    paths("--rule", "rule", [path]);
    argv[argv.length - 1] = `0x${access.toString(16)}:${path}`;
  }
  argv.push("--", command, ...args);
  return argv;
}

/** Parses the status-fd output: undefined when empty (exec succeeded). */
export function parseLauncherStatus(text: string): LauncherStatus | undefined {
  const line = text.split("\n").find((l) => l.trim() !== "");
  if (line === undefined) return undefined;
  return JSON.parse(line) as LauncherStatus;
}
