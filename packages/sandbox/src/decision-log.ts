import type { DecisionEvent } from "@cordon/proxy";

export interface DeniedHost {
  host: string;
  port: number;
  reason: string;
  count: number;
  /** The address the host resolved to, when the proxy got that far (first seen). */
  address?: string;
}

export interface DecisionSummary {
  allowed: number;
  denied: number;
  deniedHosts: DeniedHost[];
}

/** Counts proxy decisions and groups refusals by (host, port, reason) for the after-run summary. */
export class DecisionLog {
  private allowed = 0;
  private denied = 0;
  private readonly byKey = new Map<string, DeniedHost>();

  add(e: DecisionEvent): void {
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
    return { allowed: this.allowed, denied: this.denied, deniedHosts };
  }
}
