// The allowlist decision for a host and port, cached per matcher: a policy update installs a new
// matcher and with it an empty cache. Only the decision is cached (a pure function of the rules);
// DNS and the SSRF check of every address stay per connection.
import type { HostDecision, HostMatcher } from "./policy-types.js";

/** Bounded: a client sending ever new names cannot grow it; when full it starts over. */
export const DECISION_CACHE_MAX = 4096;

const caches = new WeakMap<HostMatcher, Map<string, HostDecision>>();

export function decideCached(matcher: HostMatcher, host: string, port: number): HostDecision {
  let cache = caches.get(matcher);
  if (!cache) caches.set(matcher, (cache = new Map()));
  const key = `${port} ${host}`;
  let decision = cache.get(key);
  if (decision === undefined) {
    decision = matcher.decide(host, port); // a throw is not cached
    if (cache.size >= DECISION_CACHE_MAX) cache.clear();
    cache.set(key, decision);
  }
  return decision;
}
