import { readdirSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { isatty } from "node:tty";
import * as landlock from "@cordon/landlock-native";
import { launcherArgs, seccompAvailable } from "@cordon/landlock-native";
import { directoriesToList, secretCandidates, secretMatches, type KernelFacts, type ListedEntry, type ResolvedPolicy } from "@cordon/policy";
import { probeCgroup } from "./cgroup-facts.js";
import { expandPattern } from "./expand-pattern.js";
import { findProtected, probeNamespaces } from "./isolation.js";

/**
 * What the kernel offers, as the policy negotiator wants it. Probed in the parent, never in the child.
 * With the policy, also whether namespaces can be created here, which protected and secret paths
 * exist, the directories around the secrets, cordon's own terminal and uid.
 */
export function probeKernel(paths: readonly string[], policy?: ResolvedPolicy): KernelFacts {
  const st = landlock.status();
  return {
    ...(policy ? { namespaces: probeNamespaces(), protectedPaths: findProtected(policy), cgroup: cgroupFacts(), ...secretFacts(policy), terminals: inheritedTerminals() } : {}),
    ...(process.getuid ? { uid: process.getuid() } : {}),
    landlock: { abi: st.abi, errata: st.errata, ...(st.reason ? { reason: `${st.reason.code}: ${st.reason.message}` } : {}) },
    seccomp: seccompAvailable(),
    arch: process.arch,
    paths: Object.fromEntries(paths.map((p) => [p, pathKind(p)])),
  };
}

function cgroupFacts(): NonNullable<KernelFacts["cgroup"]> {
  const { controllers, reason, killable } = probeCgroup();
  return { controllers, ...(reason ? { reason } : {}), ...(killable ? { killable } : {}) };
}

function pathKind(path: string): "directory" | "file" | "missing" {
  try {
    return statSync(path).isDirectory() ? "directory" : "file";
  } catch {
    return "missing";
  }
}

/** The secret patterns' existing matches, and the listings of the directories around them. */
function secretFacts(policy: ResolvedPolicy): Pick<KernelFacts, "secretPaths" | "listings" | "maskable"> {
  const secretPaths: Record<string, string[]> = {};
  for (const { pattern } of secretCandidates(policy)) {
    // A secret reached through a link (~/.ssh -> ~/dotfiles/ssh) is a secret where it really lies too.
    const matches = expandPattern(pattern);
    for (const m of [...matches]) {
      try {
        const real = realpathSync(m);
        if (real !== m && !matches.includes(real)) matches.push(real);
      } catch {
        /* dangling */
      }
    }
    secretPaths[pattern] = matches;
  }
  const listings: Record<string, ListedEntry[]> = {};
  for (const dir of directoriesToList(policy, secretMatches(policy, secretPaths))) {
    try {
      listings[dir] = readdirSync(dir, { withFileTypes: true }).map((d) => ({
        name: d.name,
        kind: d.isSymbolicLink() ? "symlink" : d.isDirectory() ? "directory" : "file",
      }));
    } catch {
      // Unlistable: nothing below it is granted (the negotiator's conservative default).
    }
  }
  return { secretPaths, listings, maskable: launcherMasks() };
}

/** Whether this launcher build takes --mask (masking a secret needs it; Landlock leaves them out anyway). */
function launcherMasks(): boolean {
  try {
    return launcherArgs({ mask: ["/"], command: "true" } as Parameters<typeof launcherArgs>[0]).includes("--mask");
  } catch {
    return false;
  }
}

/** The terminal device nodes cordon's fds 0-2 are open on (what `cordon run` hands the command). */
function inheritedTerminals(): string[] {
  const out = new Set<string>();
  for (const fd of [0, 1, 2]) {
    try {
      if (!isatty(fd)) continue;
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith("/dev/")) out.add(target);
    } catch {
      /* closed fd, or no /proc */
    }
  }
  return [...out];
}
