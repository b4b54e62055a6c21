import { ipaddr, type ipaddrModule } from "./ipaddr.js";
import { canonicalizeHost } from "./canonicalize.js";

/** A compiled host pattern: what one allow/deny entry's `host` matches. */
export type HostPattern =
  | { type: "exact"; name: string }
  /** `*.suffix` (one extra label) or `**.suffix` (one or more). */
  | { type: "wildcard"; suffix: string; many: boolean }
  | { type: "ip"; family: "ipv4" | "ipv6"; address: string }
  | { type: "cidr"; family: "ipv4" | "ipv6"; network: string; prefix: number };

export type PatternResult = { ok: true; pattern: HostPattern } | { ok: false; reason: string; hint?: string };

/** Compile the `host` of a rule: exact name, `*.x.y`, `**.x.y`, IP literal or CIDR. */
export function compileHostPattern(host: string): PatternResult {
  if (host.includes("/")) return compileCidr(host);

  const wildcard = /^(\*\*?)\.(.*)$/.exec(host);
  if (wildcard) {
    const many = wildcard[1] === "**";
    const suffix = canonicalizeHost(wildcard[2]!);
    if (suffix.kind === "invalid") return { ok: false, reason: `invalid wildcard suffix "${wildcard[2]}": ${suffix.reason}` };
    if (suffix.kind !== "domain") return { ok: false, reason: "a wildcard cannot precede an IP address" };
    if (!suffix.value.includes(".")) {
      return { ok: false, reason: `wildcard over a top-level domain ("${host}") is not allowed`, hint: `name the domain, e.g. "${wildcard[1]}.example.${suffix.value}"` };
    }
    return { ok: true, pattern: { type: "wildcard", suffix: suffix.value, many } };
  }
  if (host === "*" || host === "**") {
    return { ok: false, reason: `a bare "${host}" would allow every host`, hint: 'use network.mode: unrestricted to allow everything' };
  }
  if (host.includes("*")) {
    return { ok: false, reason: `"*" is only allowed as the whole first label ("*.example.com" or "**.example.com")` };
  }

  const canonical = canonicalizeHost(host);
  if (canonical.kind === "invalid") return { ok: false, reason: `invalid host "${host}": ${canonical.reason}` };
  if (canonical.kind === "domain") return { ok: true, pattern: { type: "exact", name: canonical.value } };
  return { ok: true, pattern: { type: "ip", family: canonical.kind, address: canonical.value } };
}

function compileCidr(text: string): PatternResult {
  const cidr = parseCidr(text);
  if (!cidr.ok) return cidr;
  return { ok: true, pattern: { type: "cidr", family: cidr.family, network: cidr.network, prefix: cidr.prefix } };
}

export type CidrResult =
  | { ok: true; family: "ipv4" | "ipv6"; network: string; prefix: number; text: string }
  | { ok: false; reason: string; hint?: string };

/** Parse a CIDR (or a single address, as /32 or /128); the network is canonical with host bits cleared. */
export function parseCidr(input: string): CidrResult {
  const text = input.startsWith("[") ? input.replace(/^\[([^\]]*)\]/, "$1") : input;
  const slash = text.indexOf("/");
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? undefined : text.slice(slash + 1);
  const address = canonicalizeHost(addressText);
  if (address.kind === "invalid" || address.kind === "domain") {
    return { ok: false, reason: `invalid CIDR "${input}": "${addressText}" is not an IP address` };
  }
  const max = address.kind === "ipv4" ? 32 : 128;
  let prefix = max;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
      return { ok: false, reason: `invalid CIDR "${input}": prefix length must be 0-${max}` };
    }
    prefix = Number(prefixText);
  }
  const network = maskAddress(address.value, prefix);
  const shown = address.kind === "ipv6" ? network : network;
  return { ok: true, family: address.kind, network, prefix, text: `${shown}/${prefix}` };
}

/** Clear the host bits of a canonical address. */
export function maskAddress(address: string, prefix: number): string {
  const parsed = ipaddr().parse(address);
  const bytes = parsed.toByteArray();
  for (let bit = prefix; bit < bytes.length * 8; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
  const masked = ipaddr().fromByteArray(bytes);
  return masked.kind() === "ipv6" ? (masked as ipaddrModule.IPv6).toRFC5952String() : masked.toString();
}
