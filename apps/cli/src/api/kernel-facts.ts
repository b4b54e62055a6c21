import { statSync } from "node:fs";
import * as landlock from "@cordon/landlock-native";
import { seccompAvailable } from "@cordon/landlock-native";
import type { KernelFacts } from "@cordon/policy";

/** What the kernel offers, as the policy negotiator wants it. Probed in the parent, never in the child. */
export function probeKernel(paths: readonly string[]): KernelFacts {
  const st = landlock.status();
  return {
    landlock: { abi: st.abi, errata: st.errata, ...(st.reason ? { reason: `${st.reason.code}: ${st.reason.message}` } : {}) },
    seccomp: seccompAvailable(),
    arch: process.arch,
    paths: Object.fromEntries(paths.map((p) => [p, pathKind(p)])),
  };
}

function pathKind(path: string): "directory" | "file" | "missing" {
  try {
    return statSync(path).isDirectory() ? "directory" : "file";
  } catch {
    return "missing";
  }
}
