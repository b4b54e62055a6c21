// Messages between startProxyWorker (parent) and worker-entry (the proxy's thread).
import type { ProxyEvent, ProxyStats } from "./events.js";
import type { AllowDeny } from "./proxy-interface.js";

export type ParentToWorker =
  | { type: "stats"; id: number }
  | { type: "update"; id: number; network: AllowDeny; closeTunnels?: boolean }
  | { type: "drain"; id: number }
  | { type: "open-sockets"; id: number }
  | { type: "close"; id: number }
  /** The parent's audit stream (records relayed from here): its backpressure and failure. */
  | { type: "audit"; state: "congested" | "drained" | "failed"; message?: string };

export type WorkerToParent =
  | { type: "ready"; address: { host: string; port: number }; caCertificate?: string }
  | { type: "failed"; message: string; code?: string }
  | { type: "event"; event: ProxyEvent }
  /** The worker's own audit file failed. */
  | { type: "audit-error"; message: string }
  | { type: "reply"; id: number; stats?: ProxyStats; cut?: number; sockets?: { clients: number; upstreams: number }; error?: string };
