import { statSync } from "node:fs";
import * as landlock from "@cordon/landlock-native";
import { seccompAvailable } from "@cordon/landlock-native";
import type { KernelFacts, ResolvedPolicy } from "@cordon/policy";
import { probeCgroup } from "./cgroup-facts.js";
import { findProtected, probeNamespaces } from "./isolation.js";

/**
 * What the kernel offers, as the policy negotiator wants it. Probed in the parent, never in the child.
 * With the policy, also whether namespaces can be created here and which protected paths exist.
 */
export function probeKernel(paths: readonly string[], policy?: ResolvedPolicy): KernelFacts {
  const st = landlock.status();
  return {
    ...(policy ? { namespaces: probeNamespaces(), protectedPaths: findProtected(policy), cgroup: cgroupFacts() } : {}),
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
