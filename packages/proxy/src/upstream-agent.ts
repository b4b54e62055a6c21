import type { Socket } from "node:net";
import type { Dispatcher, buildConnector as BuildConnector } from "undici";
import type { ProxyLimits } from "./limits.js";

/** The undici agent for plain-HTTP forwarding, created on first use. */
export interface UpstreamAgent {
  get(): Promise<Dispatcher>;
  close(): Promise<void>;
}

/** The code a reset of an upstream connection carries once it reaches the forwarding handler. */
export const UPSTREAM_RESET = "UPSTREAM_RESET";

/**
 * undici ends a response without a length (delimited by the connection's close)
 * normally when the connection is *reset* (a workaround for macOS). A reset there
 * may have cut the body, and the proxy must not pass a cut body on as complete:
 * relabel the error before undici sees it, so the request fails instead.
 */
function markResets(socket: Socket): void {
  socket.prependListener("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "ECONNRESET") err.code = UPSTREAM_RESET;
  });
}

/**
 * undici costs about 70 ms to import, and most sandboxed traffic is CONNECT
 * (HTTPS), which never needs it: every `cordon run` would pay for nothing.
 */
export function lazyUpstreamAgent(limits: ProxyLimits, upstreamProxy?: string): UpstreamAgent {
  let agent: Promise<Dispatcher> | undefined;
  const options = {
    headersTimeout: limits.upstreamHeadersTimeoutMs,
    bodyTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: 4_000,
  };
  return {
    // Through a parent proxy, undici's ProxyAgent sends the absolute-form request there.
    get: () =>
      (agent ??= import("undici").then(({ Agent, ProxyAgent, buildConnector }) => {
        if (upstreamProxy !== undefined) return new ProxyAgent({ ...options, connect: { timeout: limits.connectTimeoutMs }, uri: upstreamProxy });
        const base = buildConnector({ timeout: limits.connectTimeoutMs });
        const connect = (opts: BuildConnector.Options, callback: BuildConnector.Callback) =>
          base(opts, (...args) => {
            if (args[1]) markResets(args[1]);
            callback(...args);
          });
        return new Agent({ ...options, connect });
      })),
    close: async () => {
      if (!agent) return;
      const a = await agent;
      await a.close().catch(() => a.destroy());
    },
  };
}
