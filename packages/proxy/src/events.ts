// Event schema and counters (the JSON-lines writer is audit-log.ts).
import type { RefusalReason } from "./reasons.js";

export interface DecisionEvent {
  type: "decision";
  id: number;
  /** ISO 8601 timestamp. */
  time: string;
  method: string;
  host: string;
  port: number;
  /** The checked address that was dialled, or the one the SSRF guard refused (resolves-to-blocked-address). */
  address?: string;
  decision: "allow" | "deny";
  reason?: RefusalReason;
  rule?: string;
  /**
   * Status sent to the client: 200 for an established tunnel, the refusal's for a deny. Absent for
   * an allowed plain-HTTP request: it is recorded before the request goes upstream, and its
   * request-closed event carries the status.
   */
  status?: number;
  /** Gateway mode: the workload whose credentials the request carried. */
  tenant?: string;
  /** Inspected hosts: the request path as sent (query credentials redacted); never a header value. */
  path?: string;
  /** A CONNECT whose TLS cordon terminates (its requests are decided one by one). */
  inspected?: boolean;
  /** What went wrong, where the reason alone does not say (TLS handshakes). */
  detail?: string;
}

export interface TunnelClosedEvent {
  type: "tunnel-closed";
  id: number;
  time: string;
  host: string;
  port: number;
  /** Bytes sent from the client to the upstream (including the CONNECT head bytes). */
  bytesUp: number;
  /** Bytes sent from the upstream to the client. */
  bytesDown: number;
  durationMs: number;
  /** Gateway mode: the workload whose tunnel this was. */
  tenant?: string;
}

/** How a forwarded plain-HTTP exchange ended. */
export type RequestOutcome = "completed" | "client-aborted" | "upstream-failed";

/** The end of an allowed plain-HTTP request (its decision was recorded before it went upstream). */
export interface RequestClosedEvent {
  type: "request-closed";
  /** The decision's id. */
  id: number;
  time: string;
  method: string;
  host: string;
  port: number;
  outcome: RequestOutcome;
  /** Status sent to the client (the upstream's, or 502/504 when it failed before its head); absent if none was sent. */
  status?: number;
  /** Why the upstream failed (outcome upstream-failed). */
  reason?: "upstream-unreachable" | "upstream-timeout";
  /** Request body bytes sent upstream. */
  bytesUp: number;
  /** Response body bytes sent to the client. */
  bytesDown: number;
  durationMs: number;
  /** Gateway mode: the workload whose request this was. */
  tenant?: string;
}

export type ProxyEvent = DecisionEvent | TunnelClosedEvent | RequestClosedEvent;

export interface ProxyStats {
  allowed: number;
  denied: number;
  byReason: Partial<Record<RefusalReason, number>>;
  byHost: Record<string, { allowed: number; denied: number }>;
  /** Requests to inspected hosts, per http rule ("api.example.com http allow GET /repos/**"). */
  byRule?: Record<string, { allowed: number; denied: number }>;
}

// A client inventing names must not grow memory without bound.
const MAX_HOSTS_TRACKED = 10_000;
const OTHER_HOSTS = "(other)";

export class StatsCollector {
  // byHost has no prototype: host names such as "__proto__" are plain keys.
  private stats: ProxyStats = { allowed: 0, denied: 0, byReason: {}, byHost: Object.create(null) as ProxyStats["byHost"] };
  private hostCount = 0;

  record(event: DecisionEvent): void {
    const s = this.stats;
    let key = event.host;
    if (key !== "" && !Object.hasOwn(s.byHost, key)) {
      if (this.hostCount >= MAX_HOSTS_TRACKED) key = OTHER_HOSTS;
      else this.hostCount++;
    }
    // Malformed requests have no host: counted in allowed/denied and byReason only.
    const perHost = key === "" ? { allowed: 0, denied: 0 } : (s.byHost[key] ??= { allowed: 0, denied: 0 });
    if (event.path !== undefined && event.rule !== undefined) {
      const byRule = (s.byRule ??= Object.create(null) as NonNullable<ProxyStats["byRule"]>);
      const counts = Object.hasOwn(byRule, event.rule) || Object.keys(byRule).length < MAX_HOSTS_TRACKED ? (byRule[event.rule] ??= { allowed: 0, denied: 0 }) : undefined;
      if (counts) counts[event.decision === "allow" ? "allowed" : "denied"]++;
    }
    if (event.decision === "allow") {
      s.allowed++;
      perHost.allowed++;
    } else {
      s.denied++;
      perHost.denied++;
      if (event.reason) s.byReason[event.reason] = (s.byReason[event.reason] ?? 0) + 1;
    }
  }

  snapshot(): ProxyStats {
    const { allowed, denied, byReason, byHost, byRule } = this.stats;
    const copy = (m: Record<string, { allowed: number; denied: number }>) => Object.fromEntries(Object.entries(m).map(([k, c]) => [k, { ...c }]));
    return { allowed, denied, byReason: { ...byReason }, byHost: copy(byHost), ...(byRule && { byRule: copy(byRule) }) };
  }
}
