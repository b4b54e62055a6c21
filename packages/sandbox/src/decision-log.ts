import type { DecisionEvent } from "@cordon/proxy";

export interface DeniedHost {
  host: string;
  port: number;
  reason: string;
  count: number;
  /** The address the host resolved to, when the proxy got that far (first seen). */
  address?: string;
}

export interface RuleCount {
  /** "api.example.com http allow GET /repos/**" */
  rule: string;
  allowed: number;
  denied: number;
}

export interface DecisionSummary {
  allowed: number;
  denied: number;
  deniedHosts: DeniedHost[];
  /** Requests to inspected hosts, per http rule (absent when no host is inspected). */
  byRule?: RuleCount[];
}

/** Counts proxy decisions and groups refusals by (host, port, reason) for the after-run summary. */
export class DecisionLog {
  private allowed = 0;
  private denied = 0;
  private readonly byKey = new Map<string, DeniedHost>();
  private readonly byRule = new Map<string, RuleCount>();

  add(e: DecisionEvent): void {
    // Decrypted requests carry a path: count them per rule as well.
    if (e.path !== undefined && e.rule !== undefined && (this.byRule.has(e.rule) || this.byRule.size < 1000)) {
      const count = this.byRule.get(e.rule) ?? { rule: e.rule, allowed: 0, denied: 0 };
      count[e.decision === "allow" ? "allowed" : "denied"]++;
      this.byRule.set(e.rule, count);
    }
    if (e.decision === "allow") {
      this.allowed++;
      return;
    }
    this.denied++;
    const reason = e.reason ?? "denied";
    const key = `${e.host}\0${e.port}\0${reason}`;
    const entry = this.byKey.get(key);
    if (entry) entry.count++;
    else this.byKey.set(key, { host: e.host, port: e.port, reason, count: 1, ...(e.address ? { address: e.address } : {}) });
  }

  summary(): DecisionSummary {
    const deniedHosts = [...this.byKey.values()].sort((a, b) => b.count - a.count || a.host.localeCompare(b.host));
    const byRule = [...this.byRule.values()].sort((a, b) => a.rule.localeCompare(b.rule));
    return { allowed: this.allowed, denied: this.denied, deniedHosts, ...(byRule.length > 0 && { byRule }) };
  }
}
