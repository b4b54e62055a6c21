// The CLI's side of namespace isolation: whether this environment lets the
// launcher create namespaces, which protected paths exist, and the private
// directory of the proxy's unix socket (the relay's only destination).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { launcherArgs, launcherPath } from "@cordon/landlock-native";
import { expandPattern } from "./expand-pattern.js";
import { configuredHooksPath } from "./git-hooks-path.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { protectedCandidates, type KernelFacts, type ResolvedPolicy } from "@cordon/policy";

type NamespaceFacts = NonNullable<KernelFacts["namespaces"]>;

let cached: NamespaceFacts | undefined;

/**
 * Root can always create namespaces; anyone else needs unprivileged user
 * namespaces, which distributions switch off in several places. Read once per
 * process (sysctls do not change under a running CLI).
 */
export function probeNamespaces(): NamespaceFacts {
  return (cached ??= probe());
}

function probe(): NamespaceFacts {
  const facts = probeSettings();
  // Under a seccomp filter already (a container's profile, an outer cordon sandbox), the settings
  // can say yes while unshare() is denied: ask the kernel, once, with the launcher itself (~3 ms).
  if (facts.available && underSeccomp()) {
    const r = spawnSync(launcherPath, launcherArgs({ netns: true, command: "true" }), { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    if (r.status !== 0) {
      const why = (r.stderr ?? "").trim().split("\n")[0]?.replace(/^cordon-launcher: /, "") || `exit ${r.status}`;
      return { available: false, reason: `this process runs under a seccomp filter that refuses new namespaces (${why})` };
    }
  }
  return facts;
}

function underSeccomp(): boolean {
  try {
    return /^Seccomp:\s*2$/m.test(readFileSync("/proc/self/status", "utf8"));
  } catch {
    return false;
  }
}

function probeSettings(): NamespaceFacts {
  const maxUserNs = readNumber("/proc/sys/user/max_user_namespaces");
  if (process.getuid?.() === 0) return { available: true, how: "root" };
  if (maxUserNs === undefined) return { available: false, reason: "this kernel has no user namespaces (/proc/sys/user/max_user_namespaces is missing)" };
  if (maxUserNs === 0) return { available: false, reason: "user.max_user_namespaces is 0" };
  // Debian/Ubuntu kernels add a switch of their own; Ubuntu 23.10+ restricts them through AppArmor.
  if (readNumber("/proc/sys/kernel/unprivileged_userns_clone") === 0) return { available: false, reason: "kernel.unprivileged_userns_clone is 0" };
  if (readNumber("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") === 1) {
    return { available: false, reason: "kernel.apparmor_restrict_unprivileged_userns is 1 (AppArmor restricts unprivileged user namespaces)" };
  }
  return { available: true, how: "unprivileged user namespaces" };
}

function readNumber(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, "utf8").trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Each protected candidate → the existing paths it matches (lstat: a dangling
 * symlink exists too; mounting follows it, which only makes its target
 * read-only). Globs are expanded in their directory; nothing is created.
 */
export function findProtected(policy: ResolvedPolicy): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const { pattern } of protectedCandidates(policy)) out[pattern] = expandPattern(pattern);
  // A hooks directory named by core.hooksPath is protected with its repository's config.
  for (const [pattern, matches] of Object.entries(out)) {
    if (!pattern.endsWith("/.git/config")) continue;
    for (const config of matches) {
      const hooks = configuredHooksPath(config);
      if (hooks !== undefined && !matches.includes(hooks)) matches.push(hooks);
    }
  }
  return out;
}

/** A 0700 directory for the proxy's unix socket, outside every path the policy opens to the sandbox. */
export interface RelaySocket {
  readonly path: string;
  remove(): void;
}

// sockaddr_un.sun_path: 108 bytes including the NUL.
const MAX_SOCKET_PATH = 107;

export function createRelaySocket(policy: ResolvedPolicy): RelaySocket {
  const opened = policy.filesystem.paths.map((p) => p.path);
  const inside = (dir: string) => opened.some((p) => dir === p || dir.startsWith(p.endsWith("/") ? p : `${p}/`));
  // Not /dev/shm: namespace isolation mounts a private one, which would hide the socket from the
  // launcher's relay. /var/tmp when TMPDIR is the workdir itself (cordon run from /tmp).
  const bases = [tmpdir(), process.env["XDG_RUNTIME_DIR"], "/var/tmp"].filter((d): d is string => !!d && d.startsWith("/") && existsSync(d));
  const problems: string[] = [];
  for (const base of bases) {
    if (inside(base)) {
      problems.push(`${base} is inside a path the sandbox may use`);
      continue;
    }
    // The same name pattern as the private TMPDIR: a later run sweeps it if this process is killed.
    const dir = mkdtempSync(join(base, `cordon-${process.pid}-`));
    const path = join(dir, "proxy.sock");
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
      rmSync(dir, { recursive: true, force: true });
      problems.push(`${path} is longer than ${MAX_SOCKET_PATH} bytes`);
      continue;
    }
    return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
  }
  throw new Error(`no private place for the proxy's unix socket (${problems.join("; ") || "no temporary directory"}); set TMPDIR to a directory outside the sandbox's paths, or use --isolation landlock`);
}
