import type { HostRule } from "../model.js";
import { compileHostPattern, parseCidr } from "./pattern.js";
import { checkCredential } from "../http/credentials.js";
import { parseHttpRule } from "../http/rules.js";

export type EntryResult = { ok: true; rule: HostRule } | { ok: false; reason: string; hint?: string };

export const DEFAULT_PORTS: readonly number[] = [80, 443];

/**
 * Parse the string form of an allow/deny entry: `host`, `host:port`, `host:443,8443`,
 * `*.example.com:443`, `[::1]:8080`, `::1`, `10.0.0.0/8`, `[2001:db8::]/32:443`.
 */
export function parseHostEntry(text: string): EntryResult {
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]*)\](\/[^:]*)?(?::(.*))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1]! + (bracketed[2] ?? "");
    portText = bracketed[3];
  } else {
    const colons = text.split(":").length - 1;
    if (colons > 1) {
      host = text; // a bare IPv6 address or CIDR cannot carry a port
    } else if (colons === 1) {
      const at = text.lastIndexOf(":");
      host = text.slice(0, at);
      portText = text.slice(at + 1);
    } else {
      host = text;
    }
  }
  const pattern = compileHostPattern(host);
  if (!pattern.ok) {
    const hint = pattern.hint ?? (text.split(":").length > 2 && !text.startsWith("[") ? "write an IPv6 address with a port as [addr]:port" : undefined);
    return hint === undefined ? { ok: false, reason: pattern.reason } : { ok: false, reason: pattern.reason, hint };
  }
  if (portText === undefined) return { ok: true, rule: { host } };
  const ports: number[] = [];
  for (const part of portText.split(",")) {
    const port = parsePort(part);
    if (port === undefined) {
      return { ok: false, reason: `expected a port 1-65535 after ":", got ${JSON.stringify(part)}` };
    }
    if (!ports.includes(port)) ports.push(port);
  }
  return { ok: true, rule: { host, ports } };
}

export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

export function isPort(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** Validate a rule object (host pattern, ports, allowedIps); returns the first problem found. */
export function checkHostRule(rule: HostRule): { ok: true } | { ok: false; field: "host" | "ports" | "allowedIps" | "http.allow" | "http.deny" | "credentials"; index?: number; reason: string; hint?: string } {
  const pattern = compileHostPattern(rule.host);
  if (!pattern.ok) return { ok: false, field: "host", reason: pattern.reason, ...(pattern.hint ? { hint: pattern.hint } : {}) };
  if (rule.ports !== undefined) {
    if (rule.ports.length === 0) return { ok: false, field: "ports", reason: "expected at least one port", hint: "omit ports for the default 80 and 443" };
    const bad = rule.ports.findIndex((p) => !isPort(p));
    if (bad !== -1) return { ok: false, field: "ports", index: bad, reason: `expected an integer 1-65535, got ${String(rule.ports[bad])}` };
  }
  for (const [index, cidr] of (rule.allowedIps ?? []).entries()) {
    const parsed = parseCidr(cidr);
    if (!parsed.ok) return { ok: false, field: "allowedIps", index, reason: parsed.reason };
  }
  for (const kind of ["allow", "deny"] as const) {
    for (const [index, entry] of (rule.http?.[kind] ?? []).entries()) {
      const parsed = parseHttpRule(entry);
      if (!parsed.ok) return { ok: false, field: `http.${kind}`, index, reason: parsed.reason, ...(parsed.hint ? { hint: parsed.hint } : {}) };
    }
  }
  for (const [index, credential] of (rule.credentials ?? []).entries()) {
    const check = checkCredential(credential);
    if (!check.ok) return { ok: false, field: "credentials", index, reason: check.field ? `${check.field}: ${check.reason}` : check.reason };
  }
  return { ok: true };
}

/** The entry as a user would write it: `host`, `host:443`, `[::1]:8080`, `host:443,8443`. */
export function formatHostRule(rule: HostRule): string {
  if (rule.ports === undefined || rule.ports.length === 0) return rule.host;
  const host = rule.host.includes(":") && !rule.host.startsWith("[") ? bracketIpv6(rule.host) : rule.host;
  return `${host}:${rule.ports.join(",")}`;
}

function bracketIpv6(host: string): string {
  const slash = host.indexOf("/");
  return slash === -1 ? `[${host}]` : `[${host.slice(0, slash)}]${host.slice(slash)}`;
}
