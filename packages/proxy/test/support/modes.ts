// The four ways the proxy runs, for tests that must hold in each: on this thread
// or in a worker, with the JavaScript pipe or the native splice relay.
import { startProxy, type NetworkPolicy, type ProxyEvent, type UpdateOptions, type WorkerProxyOptions } from "../../src/index.js";
import { until } from "./clients.js";

export interface Mode {
  worker: boolean;
  relay: "js" | "native";
}

export const MODES: [string, Mode][] = [
  ["thread, js relay", { worker: false, relay: "js" }],
  ["thread, native relay", { worker: false, relay: "native" }],
  ["worker, js relay", { worker: true, relay: "js" }],
  ["worker, native relay", { worker: true, relay: "native" }],
];

export interface TestProxy {
  port: number;
  url(): string;
  /** Every event so far, in order. */
  events: ProxyEvent[];
  /** Waits for an event matching `match` (vitest's timeout bounds it). */
  event<T extends ProxyEvent["type"]>(type: T, match?: (e: Extract<ProxyEvent, { type: T }>) => boolean): Promise<Extract<ProxyEvent, { type: T }>>;
  update(network: NetworkPolicy, options?: UpdateOptions): Promise<number>;
  onAuditError(listener: (err: Error) => void): void;
  close(): Promise<void>;
}

/** Options must be worker-safe (hosts, not a resolver). */
export async function startIn(mode: Mode, options: WorkerProxyOptions): Promise<TestProxy> {
  const p = await startProxy({ ...options, thread: mode.worker ? "worker" : "main", ...(mode.relay === "native" && { tunnelRelay: "splice" as const }) });
  const events: ProxyEvent[] = [];
  const push = (e: ProxyEvent) => void events.push(e);
  p.on("decision", push);
  p.on("tunnel-closed", push);
  p.on("request-closed", push);
  return {
    port: p.address.port,
    url: () => p.url(),
    events,
    async event(type, match = () => true) {
      let found: ProxyEvent | undefined;
      await until(() => (found = events.find((e) => e.type === type && match(e as never))) !== undefined);
      return found as never;
    },
    update: async (network, o) => p.update(network, o),
    onAuditError: (listener) => void p.on("audit-error", listener),
    close: () => p.close(),
  };
}
