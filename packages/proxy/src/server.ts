// createProxy: the node:http server wiring, connection accounting, live update and shutdown.
import { EventEmitter, once } from "node:events";
import { chmodSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import { createServer as createNetServer, type Socket } from "node:net";
import { tokenChecker } from "./auth.js";
import { handleConnect } from "./connect.js";
import type { DecisionInput, ProxyContext, TunnelClosedInput } from "./context.js";
import { AuditLog, StatsCollector, type AuditLogTarget, type DecisionEvent, type ProxyEvent, type ProxyStats, type TunnelClosedEvent } from "./events.js";
import { handleForward } from "./forward.js";
import { compileHostRules } from "@cordon/policy";
import { resolveLimits, type ProxyLimits } from "./limits.js";
import type { HostMatcher, NetworkPolicy } from "./policy-types.js";
import { refusalStatus, writeRefusal, type Refusal } from "./refusal.js";
import { staticHostsResolver, systemResolver, type Resolver } from "./resolve.js";
import type { TunnelRelay } from "./relay.js";
import { TunnelRegistry } from "./tunnels.js";
import { proxyUrl } from "./url.js";
import { lazyUpstreamAgent } from "./upstream-agent.js";
import { parseUpstreamProxy } from "./upstream-proxy.js";
import type { InspectOptions } from "./inspect/options.js";
import type { Inspector } from "./inspect/inspector.js";

export interface ProxyOptions {
  /** The policy's network section; its allow/deny lists become the matcher. */
  network?: NetworkPolicy;
  /** A prebuilt matcher (takes precedence over `network`). */
  matcher?: HostMatcher;
  /** Listen address; loopback only makes sense. Default 127.0.0.1. */
  host?: string;
  /** Listen port; 0 picks a free one. Default network.proxyPort, else 3128. */
  port?: number;
  /** Per-run token: clients must send Proxy-Authorization Basic cordon:<token>. */
  token?: string;
  /** Every event as one JSON line, to a file (appended) or a stream. */
  auditLog?: AuditLogTarget;
  limits?: Partial<ProxyLimits>;
  /**
   * Carries established CONNECT tunnels instead of the built-in JavaScript pipe (e.g. a zero-copy
   * native relay the embedder injects; this package has no native code). Not for worker mode: there,
   * pass `tunnelRelayModule`.
   */
  tunnelRelay?: TunnelRelay;
  /** Name resolution; default dns.lookup with all: true. */
  resolver?: Resolver;
  /** Names answered without DNS (name → addresses), before `resolver`; still SSRF-checked. Works in worker mode. */
  hosts?: Record<string, string[]>;
  /**
   * Also listen on this pathname unix socket (same server, same token and policy): how a sandbox in
   * its own network namespace reaches the proxy through the launcher's relay. Put it in a private
   * (0700) directory; the file is created 0600 and removed on close.
   */
  unixSocket?: string;
  /**
   * A parent HTTP proxy (`http://[user:password@]host:port`) that every allowed connection goes
   * through: a corporate egress proxy, or an outer cordon's. The allowlist is still decided here;
   * names are resolved by the parent, so for names the SSRF guard is the parent's.
   */
  upstreamProxy?: string;
  /**
   * TLS inspection for some hosts (their http rules and credentials). A per-run CA is created at
   * start (its key never leaves this process); `caCertificate` is what clients must trust.
   */
  inspect?: InspectOptions;
}

/** Only allow and deny are read; a whole NetworkPolicy fits. */
export type AllowDeny = Pick<NetworkPolicy, "allow" | "deny">;
export type ProxyUpdate = AllowDeny | { matcher: HostMatcher };

export interface ProxyEvents {
  decision: [DecisionEvent];
  "tunnel-closed": [TunnelClosedEvent];
}

export interface CordonProxy extends EventEmitter<ProxyEvents> {
  readonly address: { host: string; port: number };
  /** The unix socket path also listened on, if any. */
  readonly unixSocket: string | undefined;
  /** The run's CA certificate (PEM) when some host is inspected. */
  readonly caCertificate: string | undefined;
  /** http://[cordon:<token>@]host:port; the token defaults to the proxy's own. */
  url(token?: string): string;
  stats(): ProxyStats;
  /** Replaces the allowlist for new requests; open tunnels stay up. Throws on an invalid rule. */
  update(next: ProxyUpdate): void;
  /** Client and upstream sockets currently open (for leak checks). */
  openSockets(): { clients: number; upstreams: number };
  close(): Promise<void>;
}

function matcherFrom(next: ProxyUpdate | undefined): HostMatcher {
  if (next && "matcher" in next) return next.matcher;
  if (next) return compileHostRules({ allow: next.allow, deny: next.deny });
  // No policy at all means nothing is allowed, never everything.
  return compileHostRules({ allow: [], deny: [] });
}

// Two events per tunnel each need an ISO timestamp; formatting a Date is a
// visible part of a short tunnel's cost, so reuse it within the millisecond.
let lastMs = -1;
let lastIso = "";
function now(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

export async function createProxy(options: ProxyOptions = {}): Promise<CordonProxy> {
  const limits = resolveLimits(options.limits);
  const listenHost = options.host ?? "127.0.0.1";
  const listenPort = options.port ?? options.network?.proxyPort ?? 3128;
  const baseResolver = options.resolver ?? systemResolver;
  const resolver = options.hosts ? staticHostsResolver(options.hosts, baseResolver) : baseResolver;
  const checkToken = options.token !== undefined && options.token !== "" ? tokenChecker(options.token) : undefined;
  let matcher = matcherFrom(options.matcher ? { matcher: options.matcher } : options.network);

  const emitter = new EventEmitter<ProxyEvents>();
  const stats = new StatsCollector();
  const audit = options.auditLog !== undefined ? new AuditLog(options.auditLog) : undefined;
  const clients = new Set<Socket>();
  const overLimit = new WeakSet<Socket>();
  const upstreams = new Set<Socket>();
  const tunnels = new TunnelRegistry();
  let lastId = 0;
  let closing = false;
  // Fires when the last tracked socket closes (close() waits for it).
  const socketsDrained = new EventEmitter();
  const untrack = (set: Set<Socket>, socket: Socket) => {
    set.delete(socket);
    if (clients.size + upstreams.size === 0) socketsDrained.emit("drained");
  };

  const upstreamProxy = options.upstreamProxy !== undefined ? parseUpstreamProxy(options.upstreamProxy) : undefined;
  const upstreamAgent = lazyUpstreamAgent(limits, options.upstreamProxy);
  // Loaded only when some host is inspected: the ASN.1/X.509 modules cost tens of ms to import.
  const inspector: Inspector | undefined =
    options.inspect && options.inspect.hosts.length > 0
      ? await (await import("./inspect/inspector.js")).createInspector(options.inspect, limits, options.upstreamProxy)
      : undefined;

  const publish = (event: ProxyEvent) => {
    audit?.write(event);
    if (event.type === "decision") {
      stats.record(event);
      emitter.emit("decision", event);
    } else emitter.emit("tunnel-closed", event);
  };

  const ctx: ProxyContext = {
    limits,
    upstreamAgent,
    upstreamProxy,
    gate: () => ({ matcher, resolver, dnsTimeoutMs: limits.dnsTimeoutMs, viaUpstream: upstreamProxy !== undefined }),
    nextId: () => ++lastId,
    preflight(req: IncomingMessage): Refusal | undefined {
      if (closing) return { reason: "too-many-connections", message: "the proxy is shutting down" };
      if (overLimit.has(req.socket)) {
        return { reason: "too-many-connections", message: `more than ${limits.maxConnections} connections are open` };
      }
      if (checkToken && !checkToken(req.headers["proxy-authorization"])) {
        return { reason: "auth-required", message: "this proxy needs the run's token (Proxy-Authorization: Basic cordon:<token>)" };
      }
      return undefined;
    },
    decided: (e: DecisionInput) => publish({ type: "decision", time: now(), ...e }),
    tunnelClosed: (e: TunnelClosedInput) => publish({ type: "tunnel-closed", time: now(), ...e }),
    trackUpstream(socket) {
      upstreams.add(socket);
      socket.once("close", () => untrack(upstreams, socket));
    },
    trackTunnel: (tunnel, relayed) => tunnels.add(tunnel, relayed),
    tunnelRelay: options.tunnelRelay,
    inspector,
  };

  const server = createServer({
    maxHeaderSize: limits.maxHeaderSize,
    requestTimeout: 0,
    headersTimeout: limits.headersTimeoutMs,
    // Node only checks headersTimeout at this interval; keep it fine-grained.
    connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(limits.headersTimeoutMs / 4))),
    keepAliveTimeout: 5_000,
    requireHostHeader: false,
  });
  server.timeout = limits.idleTimeoutMs;

  server.on("connection", (socket: Socket) => {
    clients.add(socket);
    if (clients.size > limits.maxConnections) overLimit.add(socket);
    socket.once("close", () => untrack(clients, socket));
  });

  server.on("connect", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    handleConnect(ctx, req, socket, head).catch(() => socket.destroy());
  });

  server.on("request", (req, res) => {
    handleForward(ctx, req, res).catch(() => res.destroy());
  });

  server.on("upgrade", (req: IncomingMessage, socket: Socket) => {
    const refusal: Refusal = { reason: "bad-request", message: "protocol upgrades through the proxy need CONNECT" };
    ctx.decided({ id: ctx.nextId(), method: req.method ?? "", host: "", port: 0, decision: "deny", reason: refusal.reason, status: refusalStatus(refusal) });
    writeRefusal(socket, refusal);
  });

  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    let refusal: Refusal;
    if (err.code === "HPE_HEADER_OVERFLOW") {
      refusal = { reason: "bad-request", status: 431, message: `request head larger than ${limits.maxHeaderSize} bytes` };
    } else if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") {
      refusal = { reason: "bad-request", status: 408, message: `request head not complete within ${limits.headersTimeoutMs} ms` };
    } else {
      refusal = { reason: "bad-request", message: `malformed request (${err.code ?? err.message})` };
    }
    ctx.decided({ id: ctx.nextId(), method: "", host: "", port: 0, decision: "deny", reason: refusal.reason, status: refusalStatus(refusal) });
    writeRefusal(socket, refusal);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: listenHost, port: listenPort, exclusive: true }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = server.address();
  if (bound === null || typeof bound === "string") throw new Error("proxy did not bind a TCP port");
  const address = { host: listenHost, port: bound.port };
  let unixListener: UnixListener | undefined;
  if (options.unixSocket !== undefined) {
    try {
      unixListener = await listenUnix(options.unixSocket, (socket) => server.emit("connection", socket));
    } catch (e) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw e;
    }
  }

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      closing = true;
      const unixClosed = unixListener?.close();
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const inspectorClosed = inspector?.close();
      tunnels.endAll();
      const grace = setTimeout(() => {
        server.closeAllConnections();
        for (const s of clients) s.destroy();
        for (const s of upstreams) s.destroy();
        tunnels.destroyAll();
      }, limits.closeGraceMs);
      grace.unref();
      await serverClosed;
      await unixClosed;
      // The server may report closed a tick before hijacked (CONNECT) sockets finish closing.
      if (clients.size + upstreams.size > 0) await once(socketsDrained, "drained");
      // Relayed tunnels gave their sockets away: wait for the relay to report them closed.
      await tunnels.idle();
      clearTimeout(grace);
      await inspectorClosed;
      await upstreamAgent.close();
      await audit?.close();
    })();
    return closed;
  };

  return Object.assign(emitter, {
    address,
    unixSocket: options.unixSocket,
    caCertificate: inspector?.caCertificate,
    url: (token?: string) => proxyUrl(address, token ?? options.token),
    stats: () => stats.snapshot(),
    update(next: ProxyUpdate) {
      matcher = matcherFrom(next);
    },
    // A relayed tunnel holds one client and one upstream connection outside the JS sockets.
    openSockets: () => ({ clients: clients.size + tunnels.relayed, upstreams: upstreams.size + tunnels.relayed }),
    close,
  });
}

interface UnixListener {
  close(): Promise<void>;
}

/**
 * A second listener feeding the same HTTP server: the connection handler, the
 * token check and the limits are the HTTP server's, whatever socket it came on.
 */
async function listenUnix(path: string, onConnection: (socket: Socket) => void): Promise<UnixListener> {
  const listener = createNetServer({ pauseOnConnect: false }, onConnection);
  await new Promise<void>((resolve, reject) => {
    listener.once("error", (e: NodeJS.ErrnoException) =>
      reject(e.code === "EADDRINUSE" ? Object.assign(new Error(`proxy unix socket ${path} already exists`), { code: e.code }) : e),
    );
    listener.listen({ path, exclusive: true }, () => resolve());
  });
  chmodSync(path, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) =>
        listener.close(() => {
          // libuv unlinks the socket on close; make sure nothing is left if it did not.
          rmSync(path, { force: true });
          resolve();
        }),
      ),
  };
}
