// A workload's allowlist from its cordon policy file: the same file `cordon run --policy`
// reads (presets included); the gateway uses its network section only.
import { compileHostRules, parsePolicy, resolvePolicy } from "@cordon/policy";
import type { HostMatcher } from "../policy-types.js";

// Paths in the policy do not matter here; resolvePolicy only needs absolute facts.
const NO_PATHS = { cwd: "/cordon-gateway/workdir", home: "/cordon-gateway/home", tmpdir: "/cordon-gateway/tmp" };

export interface TenantPolicy {
  matcher: HostMatcher;
  /** How many allow rules (for the reload log line). */
  rules: number;
}

/** Throws an Error whose message lists every problem with its line:column. */
export function compileTenantPolicy(text: string, filename: string): TenantPolicy {
  const parsed = parsePolicy(text, { filename });
  if (!parsed.ok) throw new Error(parsed.errors.map(String).join("; "));
  const resolved = resolvePolicy({ base: parsed.policy }, NO_PATHS);
  if (!resolved.ok) throw new Error(resolved.errors.map(String).join("; "));
  const { allow, deny } = resolved.policy.network;
  return { matcher: compileHostRules({ allow, deny }), rules: allow.length };
}
