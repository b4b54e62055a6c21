import { randomBytes } from "node:crypto";
import type { Writable } from "node:stream";
import { createProxy, startProxyWorker, type DecisionEvent, type InspectOptions } from "@cordon/proxy";
import type { NetworkPolicy } from "@cordon/policy";
import { nativeRelayWanted, tunnelRelay, tunnelRelayModule } from "./native-relay.js";

/** The part of a proxy (in-thread or worker) the sandbox relies on. */
export interface SandboxProxy {
  readonly port: number;
  readonly url: string;
  /** The run's CA certificate when some host is inspected. */
  readonly caCertificate: string | undefined;
  onDecision(fn: (e: DecisionEvent) => void): void;
  update(network: NetworkPolicy): Promise<void>;
  close(): Promise<void>;
}

export interface StartProxyOptions {
  network: NetworkPolicy;
  /** "worker" keeps the proxy alive while the caller's event loop is blocked (spawnSync). */
  thread: "worker" | "main";
  auditLog?: string | Writable;
  /** Names resolved without DNS (name → addresses). */
  hosts?: Record<string, string[]>;
  /** A parent proxy to connect through. */
  upstreamProxy?: string;
  /** Listen address (default 127.0.0.1). */
  listenHost?: string;
  /** A port that must be used instead of the policy's (no fallback to a free one). */
  portOverride?: number;
  /** Also listen on this unix socket (the namespace relay's destination). */
  unixSocket?: string;
  /** TLS inspection (hosts with http rules or credentials). */
  inspect?: InspectOptions;
}

/**
 * Starts the sandbox's own proxy on loopback with a fresh per-run token, so
 * other local processes cannot borrow its egress. If the policy's port is
 * taken (another sandbox holds 3128), a free port is used instead: the
 * kernel rule follows the port actually bound, never the configured one.
 */
export async function startSandboxProxy(o: StartProxyOptions): Promise<{ proxy: SandboxProxy; note?: string }> {
  const token = randomBytes(16).toString("hex");
  if (o.portOverride !== undefined) return { proxy: await start(o, token, o.portOverride) };
  try {
    return { proxy: await start(o, token, o.network.proxyPort) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE" || o.network.proxyPort === 0) throw e;
    const proxy = await start(o, token, 0);
    return { proxy, note: `proxy port ${o.network.proxyPort} is in use; using ${proxy.port}` };
  }
}

async function start(o: StartProxyOptions, token: string, port: number): Promise<SandboxProxy> {
  const options = {
    network: o.network,
    host: o.listenHost ?? "127.0.0.1",
    port,
    token,
    ...(o.auditLog !== undefined ? { auditLog: o.auditLog } : {}),
    ...(o.hosts ? { hosts: o.hosts } : {}),
    ...(o.upstreamProxy ? { upstreamProxy: o.upstreamProxy } : {}),
    ...(o.unixSocket !== undefined ? { unixSocket: o.unixSocket } : {}),
    ...(o.inspect ? { inspect: o.inspect } : {}),
  };
  // Tunnels go through the zero-copy native relay; a worker loads it itself (by module URL).
  const native = nativeRelayWanted();
  const p =
    o.thread === "worker"
      ? await startProxyWorker({ ...options, ...(native && { tunnelRelayModule }) })
      : await createProxy({ ...options, ...(native && { tunnelRelay }) });
  return {
    port: p.address.port,
    url: p.url(token),
    caCertificate: p.caCertificate,
    onDecision: (fn) => void p.on("decision", fn),
    update: async (network) => void (await p.update(network)),
    close: () => p.close(),
  };
}
