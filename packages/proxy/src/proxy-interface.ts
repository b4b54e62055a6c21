// The one interface of a running proxy, whichever thread it runs on: createProxy
// (this thread) and the worker handle both implement it, and startProxy picks.
import type { EventEmitter } from "node:events";
import type { DecisionEvent, ProxyStats, RequestClosedEvent, TunnelClosedEvent } from "./events.js";
import type { HostMatcher, NetworkPolicy } from "./policy-types.js";

/** Only allow and deny are read; a whole NetworkPolicy fits. */
export type AllowDeny = Pick<NetworkPolicy, "allow" | "deny">;
/** A new allowlist; a prebuilt matcher only for a proxy on this thread (functions cannot cross threads). */
export type ProxyUpdate = AllowDeny | { matcher: HostMatcher };

export interface UpdateOptions {
  /**
   * Also cut the open tunnels the new allowlist no longer allows (their host, port
   * or dialled address). Default false: open tunnels stay up, new requests follow
   * the new allowlist.
   */
  closeTunnels?: boolean;
}

export interface ProxyEvents {
  decision: [DecisionEvent];
  "tunnel-closed": [TunnelClosedEvent];
  "request-closed": [RequestClosedEvent];
  /** The audit log failed (EPIPE, a full disk): from now on every request is refused (audit-unavailable). */
  "audit-error": [Error];
}

export interface CordonProxy extends EventEmitter<ProxyEvents> {
  readonly address: { host: string; port: number };
  /** The unix socket path also listened on, if any. */
  readonly unixSocket: string | undefined;
  /** The run's CA certificate (PEM) when some host is inspected. */
  readonly caCertificate: string | undefined;
  /** http://[cordon:<token>@]host:port; the token defaults to the proxy's own. */
  url(token?: string): string;
  stats(): Promise<ProxyStats>;
  /**
   * Replaces the allowlist for new requests; open tunnels stay up unless `closeTunnels`.
   * Resolves with how many tunnels were cut. Rejects on an invalid rule (the old allowlist stays).
   */
  update(next: ProxyUpdate, options?: UpdateOptions): Promise<number>;
  /** Stops accepting connections and requests; resolves once the open tunnels have closed on their own. */
  drain(): Promise<void>;
  /** Client and upstream sockets currently open (for leak checks). */
  openSockets(): Promise<{ clients: number; upstreams: number }>;
  /** Closes the proxy (and, in worker mode, waits for its thread to exit). */
  close(): Promise<void>;
}
