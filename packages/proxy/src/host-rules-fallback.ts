// Interim host matcher, used only until @cordon/policy exports compileHostRules.
// It implements the documented contract narrowly (exact hosts, "*.suffix" for
// strict subdomains, optional ports, deny before allow); policy owns the real one.
import ipaddr from "ipaddr.js";
import type { HostDecision, HostMatcher, HostRule } from "./policy-types.js";

const HOST_CHARS = /^[a-z0-9._-]+$/;

function canonicalHost(raw: string): { host: string; isIpLiteral: boolean } | undefined {
  let host = raw.trim().toLowerCase();
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (host.endsWith(".")) host = host.slice(0, -1);
  if (host.length === 0 || host.length > 253) return undefined;
  if (ipaddr.isValid(host)) {
    const parsed = ipaddr.parse(host);
    return { host: parsed.toString(), isIpLiteral: true };
  }
  if (!HOST_CHARS.test(host) || host.includes("..")) return undefined;
  return { host, isIpLiteral: false };
}

function matches(pattern: string, host: string): boolean {
  if (pattern.startsWith("*.")) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return (canonicalHost(pattern)?.host ?? pattern) === host;
}

function portOk(rule: HostRule, port: number): boolean {
  return rule.ports === undefined || rule.ports.length === 0 || rule.ports.includes(port);
}

export function compileHostRules(rules: { allow: HostRule[]; deny: HostRule[] }): HostMatcher {
  return {
    decide(rawHost: string, port: number): HostDecision {
      const canon = canonicalHost(rawHost);
      if (!canon) {
        return { allowed: false, host: rawHost, reason: "invalid-host", message: `"${rawHost}" is not a valid host name` };
      }
      const { host, isIpLiteral } = canon;
      const denied = rules.deny.find((r) => matches(r.host, host) && portOk(r, port));
      if (denied) {
        return { allowed: false, host, reason: "host-denied", rule: denied.host, message: `${host} is denied by rule ${denied.host}` };
      }
      const hostMatches = rules.allow.filter((r) => matches(r.host, host));
      const allowed = hostMatches.find((r) => portOk(r, port));
      if (allowed) {
        const selfCover = isIpLiteral && canonicalHost(allowed.host)?.host === host ? [host] : [];
        return { allowed: true, host, rule: allowed.host, allowedIps: [...(allowed.allowedIps ?? []), ...selfCover], isIpLiteral };
      }
      if (hostMatches.length > 0) {
        return { allowed: false, host, reason: "port-not-allowed", rule: hostMatches[0]!.host, message: `port ${port} is not allowed for ${host}` };
      }
      return { allowed: false, host, reason: "host-not-allowed", message: `${host} is not in the allowlist` };
    },
  };
}
