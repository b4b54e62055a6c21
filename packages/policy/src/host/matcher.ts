import type { HostRule } from "../model.js";
import { canonicalizeHost, type CanonicalHost } from "./canonicalize.js";
import { DEFAULT_PORTS, formatHostRule } from "./entry.js";
import { compileHostPattern, maskAddress, parseCidr, type HostPattern } from "./pattern.js";

export type HostDecision =
  | {
      allowed: true;
      /** canonical host */
      host: string;
      /** the entry as written */
      rule: string;
      /** CIDRs the matching rule(s) let through the proxy's SSRF guard */
      allowedIps: string[];
      isIpLiteral: boolean;
    }
  | {
      allowed: false;
      host: string;
      reason: "host-not-allowed" | "port-not-allowed" | "host-denied" | "invalid-host";
      rule?: string;
      message: string;
    };

export interface HostMatcher {
  decide(host: string, port: number): HostDecision;
  /** Index probes made so far; lets tests check that cost does not grow with the number of rules. */
  readonly lookups: number;
  readonly ruleCount: number;
}

interface CompiledRule {
  text: string;
  /** null = every port (a deny entry without ports) */
  ports: ReadonlySet<number> | null;
  allowedIps: string[];
}

type Canonical = Exclude<CanonicalHost, { kind: "invalid" }>;

/** Rules indexed by exact name, by wildcard suffix, by address and by CIDR prefix length. */
class RuleIndex {
  private readonly exact = new Map<string, CompiledRule[]>();
  private readonly oneLabel = new Map<string, CompiledRule[]>();
  private readonly manyLabels = new Map<string, CompiledRule[]>();
  private readonly addresses = new Map<string, CompiledRule[]>();
  private readonly networks = new Map<string, CompiledRule[]>(); // key: "network/prefix"
  private readonly prefixes = { ipv4: new Set<number>(), ipv6: new Set<number>() };
  private sortedPrefixes: { ipv4: number[]; ipv6: number[] } | undefined;
  size = 0;

  constructor(private readonly counter: { lookups: number }) {}

  add(pattern: HostPattern, rule: CompiledRule): void {
    this.size++;
    switch (pattern.type) {
      case "exact":
        return push(this.exact, pattern.name, rule);
      case "wildcard":
        return push(pattern.many ? this.manyLabels : this.oneLabel, pattern.suffix, rule);
      case "ip":
        return push(this.addresses, pattern.address, rule);
      case "cidr":
        this.prefixes[pattern.family].add(pattern.prefix);
        this.sortedPrefixes = undefined;
        return push(this.networks, `${pattern.network}/${pattern.prefix}`, rule);
    }
  }

  /** Matching rules, most specific first. */
  match(host: Canonical): CompiledRule[] {
    if (this.size === 0) return [];
    const found: CompiledRule[] = [];
    if (host.kind === "domain") {
      this.collect(this.exact, host.value, found);
      const labels = host.value.split(".");
      if (labels.length > 1) this.collect(this.oneLabel, labels.slice(1).join("."), found);
      // `**.x.y`: every proper suffix with at least two labels, longest first.
      for (let i = 1; i <= labels.length - 2; i++) this.collect(this.manyLabels, labels.slice(i).join("."), found);
      return found;
    }
    this.collect(this.addresses, host.value, found);
    this.sortedPrefixes ??= {
      ipv4: [...this.prefixes.ipv4].sort((a, b) => b - a),
      ipv6: [...this.prefixes.ipv6].sort((a, b) => b - a),
    };
    for (const prefix of this.sortedPrefixes[host.kind]) {
      this.collect(this.networks, `${maskAddress(host.value, prefix)}/${prefix}`, found);
    }
    return found;
  }

  private collect(map: Map<string, CompiledRule[]>, key: string, into: CompiledRule[]): void {
    this.counter.lookups++;
    const rules = map.get(key);
    if (rules) into.push(...rules);
  }
}

function push(map: Map<string, CompiledRule[]>, key: string, rule: CompiledRule): void {
  const list = map.get(key);
  if (list) list.push(rule);
  else map.set(key, [rule]);
}

/**
 * Compile allow/deny rules into a matcher. Deny is checked first and wins; an allow entry without
 * ports allows 80 and 443, a deny entry without ports denies every port. Throws on an invalid
 * rule (parsePolicy/resolvePolicy report those as PolicyErrors first).
 */
export function compileHostRules(rules: { allow: readonly HostRule[]; deny: readonly HostRule[] }): HostMatcher {
  const counter = { lookups: 0 };
  const allow = new RuleIndex(counter);
  const deny = new RuleIndex(counter);
  for (const [list, index, defaultPorts] of [
    ["allow", allow, DEFAULT_PORTS],
    ["deny", deny, null],
  ] as const) {
    for (const [i, rule] of rules[list].entries()) {
      const compiled = compileHostPattern(rule.host);
      if (!compiled.ok) throw new Error(`network.${list}[${i}].host: ${compiled.reason}`);
      index.add(compiled.pattern, {
        text: formatHostRule(rule),
        ports: rule.ports ? new Set(rule.ports) : defaultPorts ? new Set(defaultPorts) : null,
        allowedIps: implicitIps(compiled.pattern, rule.allowedIps ?? [], `network.${list}[${i}]`),
      });
    }
  }

  return {
    get lookups() {
      return counter.lookups;
    },
    ruleCount: allow.size + deny.size,
    decide(host: string, port: number): HostDecision {
      const canonical = canonicalizeHost(host);
      if (canonical.kind === "invalid") {
        return { allowed: false, host, reason: "invalid-host", message: `invalid host ${JSON.stringify(host)}: ${canonical.reason}` };
      }
      const name = canonical.value;
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        return { allowed: false, host: name, reason: "port-not-allowed", message: `port ${String(port)} is not a valid TCP port` };
      }
      const denied = deny.match(canonical).find((r) => r.ports === null || r.ports.has(port));
      if (denied) {
        return { allowed: false, host: name, reason: "host-denied", rule: denied.text, message: `${name}:${port} is denied by rule "${denied.text}"` };
      }
      const matches = allow.match(canonical);
      if (matches.length === 0) {
        return { allowed: false, host: name, reason: "host-not-allowed", message: `${name} is not in the allowlist` };
      }
      const withPort = matches.filter((r) => r.ports?.has(port));
      if (withPort.length === 0) {
        const ports = [...new Set(matches.flatMap((r) => [...(r.ports ?? [])]))].sort((a, b) => a - b);
        return {
          allowed: false,
          host: name,
          reason: "port-not-allowed",
          rule: matches[0]!.text,
          message: `port ${port} is not allowed for ${name} (allowed: ${ports.join(", ")})`,
        };
      }
      // Any matching rule would allow the request, so the SSRF exemptions of all of them apply.
      const allowedIps = [...new Set(withPort.flatMap((r) => r.allowedIps))];
      return { allowed: true, host: name, rule: withPort[0]!.text, allowedIps, isIpLiteral: canonical.kind !== "domain" };
    },
  };
}

/** An IP or CIDR rule implicitly exempts its own addresses from the SSRF guard. */
function implicitIps(pattern: HostPattern, explicit: readonly string[], where: string): string[] {
  const out: string[] = [];
  if (pattern.type === "ip") out.push(`${pattern.address}/${pattern.family === "ipv4" ? 32 : 128}`);
  if (pattern.type === "cidr") out.push(`${pattern.network}/${pattern.prefix}`);
  for (const [i, text] of explicit.entries()) {
    const cidr = parseCidr(text);
    if (!cidr.ok) throw new Error(`${where}.allowedIps[${i}]: ${cidr.reason}`);
    if (!out.includes(cidr.text)) out.push(cidr.text);
  }
  return out;
}
