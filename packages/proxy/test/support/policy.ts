import type { HostRule, NetworkPolicy } from "../../src/policy-types.js";
import type { Resolver } from "../../src/resolve.js";

export function network(allow: HostRule[], deny: HostRule[] = []): NetworkPolicy {
  return { mode: "platform", proxyPort: 0, allow, deny, localhostPorts: [], bindPorts: [] };
}

/** A fixed name → addresses table; unknown names fail like NXDOMAIN. */
export function tableResolver(table: Record<string, string[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolver = async (host: string) => {
    calls.push(host);
    const answers = table[host];
    if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return answers.map((address) => ({ address, family: (address.includes(":") ? 6 : 4) as 4 | 6 }));
  };
  return Object.assign(resolver, { calls });
}

export const LOOPBACK_OK = ["127.0.0.1/32"];
