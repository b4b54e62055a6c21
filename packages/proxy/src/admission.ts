// The one gate every CONNECT and forwarded request passes: allowlist decision,
// then DNS, then the SSRF guard on every address. Its result is the list of
// addresses the caller may dial, and nothing else.
import { decideCached } from "./decision-cache.js";
import type { HostMatcher } from "./policy-types.js";
import type { Refusal } from "./refusal.js";
import { literalAddress, resolveHost, type ResolvedAddress, type Resolver } from "./resolve.js";
import { checkAddress } from "./ssrf.js";

export interface Admitted {
  ok: true;
  host: string;
  port: number;
  rule: string;
  /** Checked addresses, in resolver order; dial only these. Empty when a parent proxy resolves the name. */
  addresses: ResolvedAddress[];
}

export type Admission = Admitted | { ok: false; refusal: Refusal };

export interface GateContext {
  matcher: HostMatcher;
  resolver: Resolver;
  dnsTimeoutMs: number;
  /** A parent proxy connects for us: names are resolved (and guarded) there, not here. */
  viaUpstream?: boolean;
}

export async function admit(ctx: GateContext, rawHost: string, port: number): Promise<Admission> {
  const bare = rawHost.startsWith("[") && rawHost.endsWith("]") ? rawHost.slice(1, -1) : rawHost;
  let decision;
  try {
    decision = decideCached(ctx.matcher, bare, port);
  } catch (err) {
    return { ok: false, refusal: { reason: "invalid-host", host: bare, port, message: `host could not be judged: ${(err as Error).message}` } };
  }
  if (!decision.allowed) {
    const { reason, host, rule, message } = decision;
    return { ok: false, refusal: { reason, host, port, message, ...(rule !== undefined && { rule }) } };
  }
  const { host, rule, allowedIps } = decision;
  if (ctx.viaUpstream && literalAddress(host) === undefined) return { ok: true, host, port, rule, addresses: [] };
  let addresses: ResolvedAddress[];
  try {
    addresses = await resolveHost(host, ctx.resolver, ctx.dnsTimeoutMs);
  } catch (err) {
    return { ok: false, refusal: { reason: "dns-failure", host, port, rule, message: `could not resolve ${host}: ${(err as Error).message}` } };
  }
  // Every answer must pass: a mixed answer (public + private) is the rebinding tell.
  for (const { address } of addresses) {
    const verdict = checkAddress(address, allowedIps);
    if (!verdict.allowed) {
      return {
        ok: false,
        refusal: {
          reason: "resolves-to-blocked-address",
          host,
          port,
          rule,
          address,
          message: `${host} resolves to ${address} (${verdict.category}), which rule ${rule} does not allow (allowedIps)`,
        },
      };
    }
  }
  return { ok: true, host, port, rule, addresses };
}
