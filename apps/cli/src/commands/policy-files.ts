import { homedir } from "node:os";
import { relative } from "node:path";
import { discoverPolicy, type DiscoveredPolicy, type Policy } from "@cordon/sandbox";

/** The discovered policy (user file, then --policy / CORDON_POLICY or the project's file) for a policy-taking command. */
export function discoveredSource(explicit: string | undefined, cwd = process.cwd()): { policy: Policy; discovered: DiscoveredPolicy } {
  const discovered = discoverPolicy({ cwd, ...(explicit !== undefined ? { explicit } : {}) });
  return { policy: discovered.policy, discovered };
}

/** One stderr line naming the policy files in force (none: the built-in policy alone, said nowhere). */
export function formatPolicyFiles(d: DiscoveredPolicy, cwd = process.cwd()): string[] {
  if (d.files.length === 0) return [];
  const shown = (p: string) => {
    const rel = relative(cwd, p);
    if (rel && !rel.startsWith("..")) return rel;
    const home = homedir();
    return p.startsWith(`${home}/`) ? `~/${p.slice(home.length + 1)}` : p;
  };
  const what = d.files.map((f) => {
    if (f.role === "user") return `${shown(f.path)} (yours)`;
    if (f.role !== "project") return `${shown(f.path)} (${f.role})`;
    return f.trusted ? `${shown(f.path)} (the project's, trusted)` : `${shown(f.path)} (the project's, not trusted: it may only tighten)`;
  });
  return [`cordon: policy: ${what.join(", ")}`];
}
