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

/** One line the launcher writes to the status fd when it fails before (or at) exec. */
export interface LauncherStatus {
  /** `status_fd`, `die_with_parent`, `override`, `namespaces`, `supervise`, `drop_caps`, `no_new_privs`, `restrict_self`, `seccomp`, `close_fds` or `exec`. */
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
  for (const path of pin) {
    if (typeof path !== "string" || !path.startsWith("/") || path.includes("\0")) throw bad(`pin paths must be absolute, got ${JSON.stringify(path)}`);
    argv.push("--pin", path);
  }
  for (const path of protect) {
    if (typeof path !== "string" || !path.startsWith("/") || path.includes("\0")) throw bad(`protect paths must be absolute, got ${JSON.stringify(path)}`);
    argv.push("--protect", path);
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
