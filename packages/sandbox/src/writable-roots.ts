import { realpathSync } from "node:fs";
import type { ResolvedPolicy } from "@cordon/policy";

/**
 * The policy refuses `/` and the home directory as writable by their text;
 * this checks where writable paths really lead. A repository that ships
 * `build -> /` and a policy with `readWrite: [./build]` would otherwise make
 * the whole filesystem writable: Landlock follows the link when the rule is
 * added. Returns one message per offending path.
 */
export function writableRootsBehindLinks(policy: ResolvedPolicy, home: string): string[] {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p; // missing paths are the negotiation's business
    }
  };
  const forbidden = new Map([
    ["/", "the root directory"],
    [real(home), "your whole home directory"],
  ]);
  const problems: string[] = [];
  for (const entry of policy.filesystem.paths) {
    if (entry.access !== "readWrite") continue;
    const target = real(entry.path);
    const what = forbidden.get(target);
    if (what && target !== entry.path) problems.push(`${entry.origin}: ${entry.path} leads to ${what} (${target}) through a symbolic link; it cannot be writable`);
  }
  return problems;
}
