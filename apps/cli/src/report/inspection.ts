// `cordon explain`: which hosts have their TLS inspected, with what rules and which credentials
// (named by source and slot, never by value).
import { describeCredential, formatHostRule, parseHttpRule, type ResolvedPolicy } from "@cordon/policy";

export interface InspectedHostLine {
  host: string;
  allow: string[] | "every request not denied";
  deny: string[];
  credentials: string[];
}

export function inspectedHosts(policy: ResolvedPolicy): InspectedHostLine[] {
  const text = (e: Parameters<typeof parseHttpRule>[0]) => {
    const r = parseHttpRule(e);
    return r.ok ? r.value.text : String(e);
  };
  return policy.network.allow
    .filter((r) => r.http !== undefined || (r.credentials?.length ?? 0) > 0)
    .map((r) => ({
      host: formatHostRule(r),
      allow: r.http?.allow ? r.http.allow.map(text) : "every request not denied",
      deny: (r.http?.deny ?? []).map(text),
      credentials: (r.credentials ?? []).map(describeCredential),
    }));
}

export function formatInspection(policy: ResolvedPolicy, landlock: boolean): string[] {
  const hosts = inspectedHosts(policy);
  if (hosts.length === 0) return [];
  const lines = ["", "TLS inspection (HTTP/1.1; every other host is a blind tunnel):"];
  for (const h of hosts) {
    lines.push(`  ${h.host}`);
    lines.push(`    allow: ${Array.isArray(h.allow) ? h.allow.join(", ") : h.allow}`);
    if (h.deny.length > 0) lines.push(`    deny:  ${h.deny.join(", ")}`);
    for (const c of h.credentials) lines.push(`    injects ${c}${landlock ? "" : " — NOT injected: no Landlock domain on this kernel"}`);
  }
  return lines;
}
