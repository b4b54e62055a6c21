// Name resolution is the proxy's own job: the addresses it checks are the ones it dials.
import { promises as dns } from "node:dns";
import { isIP } from "node:net";
import { ipaddr } from "./ipaddr.js";

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Returns every address for a name; may reject (reported as dns-failure). */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (host) => {
  const answers = await dns.lookup(host, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/**
 * A fixed name → addresses table consulted before `fallback` (like /etc/hosts).
 * Plain data, so it also works in worker mode where functions cannot be passed.
 * Its answers go through the SSRF guard like any other.
 */
export function staticHostsResolver(hosts: Record<string, string[]>, fallback: Resolver): Resolver {
  const table = new Map(Object.entries(hosts).map(([name, addresses]) => [name.toLowerCase().replace(/\.$/, ""), addresses]));
  return async (host) => {
    const fixed = table.get(host.toLowerCase().replace(/\.$/, ""));
    if (!fixed) return fallback(host);
    return fixed.map((address) => ({ address, family: isIP(address) === 6 ? 6 : 4 }));
  };
}

function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/**
 * IP literals (in every form inet_aton accepts: 127.1, 2130706433, 0x7f000001)
 * are never sent to a resolver, so a custom resolver cannot launder them.
 */
export function literalAddress(host: string): ResolvedAddress | undefined {
  const bare = stripBrackets(host);
  const family = isIP(bare);
  // Fast path for the canonical forms the matcher hands over.
  if (family !== 0 && !bare.includes("%")) return { address: bare, family: family as 4 | 6 };
  if (!ipaddr().isValid(bare)) return undefined;
  const parsed = ipaddr().parse(bare);
  return { address: parsed.toString(), family: parsed.kind() === "ipv4" ? 4 : 6 };
}

export async function resolveHost(host: string, resolver: Resolver, timeoutMs: number): Promise<ResolvedAddress[]> {
  const literal = literalAddress(host);
  if (literal) return [literal];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`DNS lookup for ${host} timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const answers = await Promise.race([resolver(stripBrackets(host)), timeout]);
    if (answers.length === 0) throw new Error(`no addresses for ${host}`);
    return answers;
  } finally {
    clearTimeout(timer);
  }
}
