// Terminals in the Landlock rules: the command's own terminal, not every /dev/pts
// node (another shell's pts can be read, written and set to echo off).
import { FS_FILE_RIGHTS } from "./abi.js";
import type { ResolvedPolicy } from "./model.js";
import type { KernelFacts, PlannedPath, ReportItem } from "./report.js";
import { ACCESS_RIGHTS } from "./rights.js";

/** Rules for the inherited terminal nodes (filesystem.terminals: own) and the report item. */
export function planTerminals(policy: ResolvedPolicy, facts: KernelFacts, abiFs: number, freshDevpts = false): { paths: PlannedPath[]; item?: ReportItem } {
  if (freshDevpts && policy.filesystem.terminals !== "all") {
    // Its own report item is the containment's (process.devpts).
    return { paths: abiFs === 0 ? [] : [{ path: "/dev/pts", access: ACCESS_RIGHTS.readWrite & abiFs, source: "default" }] };
  }
  if (policy.filesystem.terminals === "all") {
    return {
      paths: [],
      item: {
        id: "fs.terminals",
        protection: "other terminals",
        requested: "-",
        enforcedBy: "nothing",
        level: "none",
        why: "filesystem.terminals: all opens every /dev/pts node: the command can read what is typed in another terminal of the same user, type into it and change its settings",
        hint: "filesystem.terminals: own (the default) opens only the terminal cordon was started from",
        kind: "limitation",
      },
    };
  }
  const own = (facts.terminals ?? []).filter((t) => t.startsWith("/dev/"));
  const access = ACCESS_RIGHTS.readWrite & FS_FILE_RIGHTS & abiFs;
  return {
    paths: abiFs === 0 ? [] : own.map((path) => ({ path, access, source: "default" as const })),
    item: {
      id: "fs.terminals",
      protection: "other terminals",
      requested: own.length ? `only the inherited terminal ${own.join(", ")} and /dev/tty` : "no terminal node but /dev/tty",
      enforcedBy: abiFs === 0 ? "nothing" : "kernel",
      ...(abiFs === 0 ? {} : { mechanism: "Landlock path rules (the terminal's own device node)" }),
      level: abiFs === 0 ? "none" : "full",
      why: abiFs === 0 ? "no Landlock layer this run" : "opening another /dev/pts node fails with EACCES; programs that open new terminals (tmux, script) need filesystem.terminals: all",
      kind: "requested",
    },
  };
}

/**
 * Landlock does not cover metadata calls (chmod, chown, utime, setxattr). Without a read-only view
 * of the filesystem (namespace mode's remount), root keeps them on every root-owned file even with
 * every capability dropped; a normal user on the files it owns.
 */
export function metadataItem(facts: KernelFacts, mountNamespace: boolean): ReportItem | undefined {
  if (mountNamespace || facts.uid === undefined) return undefined;
  const base = { id: "fs.metadata", protection: "metadata outside writable paths", enforcedBy: "nothing" as const };
  if (facts.uid === 0) {
    return {
      ...base,
      requested: "no chmod, chown, utime or xattr changes outside the writable paths",
      level: "none",
      why: "Landlock does not govern metadata calls, and cordon runs as root without namespaces: the command (capabilities dropped) still owns every root-owned file, so chmod, utime and user.* xattrs on them work (set-id modes are left to the seccomp layer)",
      hint: "run as a normal user, or where user namespaces are available (the filesystem is then read-only outside the writable paths)",
      kind: "requested",
    };
  }
  return {
    ...base,
    requested: "-",
    level: "partial",
    why: "Landlock does not govern metadata calls: the mode, times and xattrs of files this user owns outside the writable paths (its home directory) can be changed; contents cannot",
    kind: "limitation",
  };
}
