import { randomBytes } from "node:crypto";
import type { Writable } from "node:stream";
import { startProxy, type CordonProxy, type InspectOptions } from "@cordon/proxy";
import type { NetworkPolicy } from "@cordon/policy";

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

/** `CORDON_PROXY_RELAY=js` keeps the JavaScript pipe instead of the splice relay (for comparison, and as an escape hatch). */
export function nativeRelayWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CORDON_PROXY_RELAY !== "js";
}

/**
 * Starts the sandbox's own proxy on loopback with a fresh per-run token, so
 * other local processes cannot borrow its egress. If the policy's port is
 * taken (another sandbox holds 3128), a free port is used instead: the
 * kernel rule follows the port actually bound, never the configured one.
 */
export async function startSandboxProxy(o: StartProxyOptions): Promise<{ proxy: CordonProxy; note?: string }> {
  const token = randomBytes(16).toString("hex");
  if (o.portOverride !== undefined) return { proxy: await start(o, token, o.portOverride) };
  try {
    return { proxy: await start(o, token, o.network.proxyPort) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE" || o.network.proxyPort === 0) throw e;
    const proxy = await start(o, token, 0);
    return { proxy, note: `proxy port ${o.network.proxyPort} is in use; using ${proxy.address.port}` };
  }
}

function start(o: StartProxyOptions, token: string, port: number): Promise<CordonProxy> {
  return startProxy({
    thread: o.thread,
    network: o.network,
    host: o.listenHost ?? "127.0.0.1",
    port,
    token,
    // Tunnels go through the zero-copy splice relay, which the proxy loads in its own thread.
    ...(nativeRelayWanted() && { tunnelRelay: "splice" as const }),
    ...(o.auditLog !== undefined ? { auditLog: o.auditLog } : {}),
    ...(o.hosts ? { hosts: o.hosts } : {}),
    ...(o.upstreamProxy ? { upstreamProxy: o.upstreamProxy } : {}),
    ...(o.unixSocket !== undefined ? { unixSocket: o.unixSocket } : {}),
    ...(o.inspect ? { inspect: o.inspect } : {}),
  });
}
