// The slice of the @cordon/policy contract the proxy consumes (docs/architecture.md).
import type { HostMatcher as PolicyHostMatcher } from "@cordon/policy";

export type { HostDecision, HostRule, NetworkPolicy } from "@cordon/policy";

/** Anything that can decide a host:port; compileHostRules' matcher is one. */
export type HostMatcher = Pick<PolicyHostMatcher, "decide">;
