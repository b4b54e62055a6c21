// Messages between startProxyWorker (parent) and worker-entry (the proxy's thread).
import type { ProxyEvent, ProxyStats } from "./events.js";
import type { NetworkPolicy } from "./policy-types.js";

export type ParentToWorker =
  | { type: "stats"; id: number }
  | { type: "update"; id: number; network: NetworkPolicy }
  | { type: "close"; id: number };

export type WorkerToParent =
  | { type: "ready"; address: { host: string; port: number }; caCertificate?: string }
  | { type: "failed"; message: string; code?: string }
  | { type: "event"; event: ProxyEvent }
  | { type: "reply"; id: number; stats?: ProxyStats; error?: string };
