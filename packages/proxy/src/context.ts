// What the request handlers need from the server, kept narrow so each handler
// module can be read on its own.
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { UpstreamAgent } from "./upstream-agent.js";
import type { UpstreamProxy } from "./upstream-proxy.js";
import type { GateContext } from "./admission.js";
import type { DecisionEvent, RequestClosedEvent, TunnelClosedEvent } from "./events.js";
import type { ProxyLimits } from "./limits.js";
import type { Refusal } from "./refusal.js";
import type { TunnelRelay } from "./relay.js";
import type { OpenTunnel } from "./tunnels.js";
import type { Inspector } from "./inspect/inspector.js";

export type DecisionInput = Omit<DecisionEvent, "type" | "time">;
export type TunnelClosedInput = Omit<TunnelClosedEvent, "type" | "time">;
export type RequestClosedInput = Omit<RequestClosedEvent, "type" | "time">;

/** What a tunnel registered with trackTunnel is for (update() may cut it). */
export interface TunnelTarget {
  host: string;
  port: number;
  /** The address dialled (absent through a parent proxy). */
  address?: string;
}

export interface ProxyContext {
  readonly limits: ProxyLimits;
  /** The gate as of now; update() swaps the matcher for later requests only. */
  gate(): GateContext;
  nextId(): number;
  /** Refusal owed before anything else is looked at (shutdown, connection limit, token). */
  preflight(req: IncomingMessage): Refusal | undefined;
  /** Records a decision; false when the audit log has failed (an allow must then not proceed). */
  decided(event: DecisionInput): boolean;
  tunnelClosed(event: TunnelClosedInput): void;
  requestClosed(event: RequestClosedInput): void;
  /** undefined while the audit log can take records; else resolves once it can (backpressure). */
  auditReady(): Promise<void> | undefined;
  trackUpstream(socket: Socket): void;
  /** Registers an open tunnel; returns the function to call once it has closed. */
  trackTunnel(tunnel: OpenTunnel, relayed: boolean, target: TunnelTarget): () => void;
  /** Carries tunnels instead of the JS pipe when set. */
  readonly tunnelRelay: TunnelRelay | undefined;
  readonly upstreamAgent: UpstreamAgent;
  /** TLS inspection for the hosts with http rules or credentials; absent when none has. */
  readonly inspector: Inspector | undefined;
  /** The parent proxy every connection goes through, if any. */
  readonly upstreamProxy: UpstreamProxy | undefined;
}
