// Which connections are inspected, and with what rules and credentials.
import { compileHostRules, compileHttpRules, type HttpRuleMatcher } from "@cordon/policy";
import type { InjectedCredential, InspectHost } from "./options.js";
import { secretForms } from "./credentials.js";

export interface InspectedHost {
  /** The entry as written (host pattern). */
  pattern: string;
  rules: HttpRuleMatcher;
  credentials: readonly InjectedCredential[];
  secretForms: ReturnType<typeof secretForms>;
}

export interface InspectTable {
  match(host: string, port: number): InspectedHost | undefined;
}

export function compileInspectTable(hosts: readonly InspectHost[]): InspectTable {
  const entries = hosts.map((h) => ({
    matcher: compileHostRules({ allow: [{ host: h.host, ...(h.ports && { ports: h.ports }) }], deny: [] }),
    // No ports named: inspect on whatever port the allowlist lets through.
    anyPort: h.ports === undefined,
    value: {
      pattern: h.host,
      rules: compileHttpRules(h.http),
      credentials: h.credentials ?? [],
      secretForms: secretForms(h.credentials ?? []),
    } satisfies InspectedHost,
  }));
  return {
    match(host, port) {
      for (const e of entries) {
        const d = e.matcher.decide(host, e.anyPort ? 443 : port);
        if (d.allowed) return e.value;
      }
      return undefined;
    },
  };
}
