import type { Dispatcher } from "undici";
import type { ProxyLimits } from "./limits.js";

/** The undici agent for plain-HTTP forwarding, created on first use. */
export interface UpstreamAgent {
  get(): Promise<Dispatcher>;
  close(): Promise<void>;
}

/**
 * undici costs about 70 ms to import, and most sandboxed traffic is CONNECT
 * (HTTPS), which never needs it: every `cordon run` would pay for nothing.
 */
export function lazyUpstreamAgent(limits: ProxyLimits, upstreamProxy?: string): UpstreamAgent {
  let agent: Promise<Dispatcher> | undefined;
  const options = {
    connect: { timeout: limits.connectTimeoutMs },
    headersTimeout: limits.upstreamHeadersTimeoutMs,
    bodyTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: 4_000,
  };
  return {
    // Through a parent proxy, undici's ProxyAgent sends the absolute-form request there.
    get: () =>
      (agent ??= import("undici").then(({ Agent, ProxyAgent }) =>
        upstreamProxy !== undefined ? new ProxyAgent({ ...options, uri: upstreamProxy }) : new Agent(options),
      )),
    close: async () => {
      if (!agent) return;
      const a = await agent;
      await a.close().catch(() => a.destroy());
    },
  };
}
