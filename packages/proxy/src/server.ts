// createProxy: the node:http server wiring, connection accounting, live update and shutdown.
import { EventEmitter, once } from "node:events";
import { chmodSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import { createServer as createNetServer, type Socket } from "node:net";
import { tokenChecker } from "./auth.js";
import { handleConnect } from "./connect.js";
import { AuditLog, type AuditLogTarget, type AuditSink } from "./audit-log.js";
import type { DecisionInput, ProxyContext, RequestClosedInput, TunnelClosedInput } from "./context.js";
import { StatsCollector, type ProxyEvent } from "./events.js";
import { handleForward } from "./forward.js";
import { bodyInFlight, earlierResponses, responseStarted } from "./inflight.js";
import { compileHostRules } from "@cordon/policy";
import { resolveLimits, type ProxyLimits } from "./limits.js";
import type { HostMatcher, NetworkPolicy } from "./policy-types.js";
import { recordRefusal, writeRefusal, type Refusal } from "./refusal.js";
import { staticHostsResolver, systemResolver, type Resolver } from "./resolve.js";
import { checkAddress } from "./ssrf.js";
import type { TunnelRelay } from "./relay.js";
import { TunnelRegistry } from "./tunnels.js";
import { proxyUrl } from "./url.js";
import { lazyUpstreamAgent } from "./upstream-agent.js";
import { parseUpstreamProxy } from "./upstream-proxy.js";
import { tenantContext, type TenantDirectory } from "./gateway/tenant-context.js";
import type { InspectOptions } from "./inspect/options.js";
import type { Inspector } from "./inspect/inspector.js";
import type { CordonProxy, ProxyEvents, ProxyUpdate, UpdateOptions } from "./proxy-interface.js";
import { loadSpliceRelay } from "./splice.js";

export type { AllowDeny, CordonProxy, ProxyEvents, ProxyUpdate, UpdateOptions } from "./proxy-interface.js";

export interface ProxyOptions {
  /** The policy's network section; its allow/deny lists become the matcher. */
  network?: NetworkPolicy;
  /** A prebuilt matcher (takes precedence over `network`). */
  matcher?: HostMatcher;
  /** Listen address. Default 127.0.0.1; a pod address only in gateway mode (`tenants`). */
  host?: string;
  /** Listen port; 0 picks a free one. Default network.proxyPort, else 3128. */
  port?: number;
  /** Per-run token: clients must send Proxy-Authorization Basic cordon:<token>. */
  token?: string;
  /** Every event as one JSON line, to a file (appended) or a stream. */
  auditLog?: AuditLogTarget;
  limits?: Partial<ProxyLimits>;
  /**
   * Carries established CONNECT tunnels instead of the built-in JavaScript pipe: `"splice"` is the
   * zero-copy splice(2) relay of the optional dependency `@cordon/splice-relay` (loaded by the proxy
   * itself, in either thread); a function is any relay the embedder injects (this thread only).
   */
  tunnelRelay?: TunnelRelay | "splice";
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
   * Gateway mode: many workloads, each authenticated by its own credentials and judged by its own
   * allowlist (`token`, `network` and `matcher` are then unused). See gateway/.
   */
  tenants?: TenantDirectory;
  /**
   * TLS inspection for some hosts (their http rules and credentials). A per-run CA is created at
   * start (its key never leaves this process); `caCertificate` is what clients must trust.
   */
  inspect?: InspectOptions;
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
  return createProxyWith(options, undefined);
}

/** createProxy with the audit records going to `sink` instead of `options.auditLog` (worker mode). */
export async function createProxyWith(options: ProxyOptions, sink: AuditSink | undefined): Promise<CordonProxy> {
  const limits = resolveLimits(options.limits);
  const listenHost = options.host ?? "127.0.0.1";
  const listenPort = options.port ?? options.network?.proxyPort ?? 3128;
  const baseResolver = options.resolver ?? systemResolver;
  const resolver = options.hosts ? staticHostsResolver(options.hosts, baseResolver) : baseResolver;
  // In gateway mode each workload brings its own credentials (tenants); a run token does not apply.
  const checkToken = !options.tenants && options.token !== undefined && options.token !== "" ? tokenChecker(options.token) : undefined;
  let matcher = matcherFrom(options.matcher ? { matcher: options.matcher } : options.network);

  const emitter = new EventEmitter<ProxyEvents>();
  const stats = new StatsCollector();
  const ownLog = sink === undefined && options.auditLog !== undefined ? new AuditLog(options.auditLog, { onFailure: (err) => emitter.emit("audit-error", err) }) : undefined;
  const audit: AuditSink | undefined = sink ?? ownLog;
  // Connections that have not yet shown the token, oldest first, apart from the
  // authenticated ones that maxConnections counts.
  const pending = new Set<Socket>();
  const clients = new Set<Socket>();
  const upstreams = new Set<Socket>();
  // Connections whose parse error is being answered (node:http reports it again on more input).
  const refusing = new WeakSet<Socket>();
  const tunnels = new TunnelRegistry();
  let lastId = 0;
  let closing = false;
  // Fires when the last tracked socket closes (close() waits for it).
  const socketsDrained = new EventEmitter();
  const openCount = () => pending.size + clients.size + upstreams.size;
  const untrack = (set: Set<Socket>, socket: Socket) => {
    set.delete(socket);
    if (openCount() === 0) socketsDrained.emit("drained");
  };
  // One shared listener (this = the socket), not a closure per connection.
  function onClientClose(this: Socket) {
    if (!pending.delete(this)) clients.delete(this);
    if (openCount() === 0) socketsDrained.emit("drained");
  }

  const tunnelRelay = options.tunnelRelay === "splice" ? await loadSpliceRelay() : options.tunnelRelay;
  const upstreamProxy = options.upstreamProxy !== undefined ? parseUpstreamProxy(options.upstreamProxy) : undefined;
  const upstreamAgent = lazyUpstreamAgent(limits, options.upstreamProxy);
  // Loaded only when some host is inspected: the ASN.1/X.509 modules cost tens of ms to import.
  const inspector: Inspector | undefined =
    options.inspect && options.inspect.hosts.length > 0
      ? await (await import("./inspect/inspector.js")).createInspector(options.inspect, limits, options.upstreamProxy)
      : undefined;

  const publish = (event: ProxyEvent): boolean => {
    const recorded = audit ? audit.write(event) : true;
    if (event.type === "decision") {
      stats.record(event);
      emitter.emit("decision", event);
    } else if (event.type === "tunnel-closed") emitter.emit("tunnel-closed", event);
    else emitter.emit("request-closed", event);
    return recorded;
  };

  const ctx: ProxyContext = {
    limits,
    upstreamAgent,
    upstreamProxy,
    gate: () => ({ matcher, resolver, dnsTimeoutMs: limits.dnsTimeoutMs, viaUpstream: upstreamProxy !== undefined }),
    nextId: () => ++lastId,
    preflight(req: IncomingMessage): Refusal | undefined {
      if (closing) return { reason: "too-many-connections", message: "the proxy is shutting down" };
      if (audit?.failure) return { reason: "audit-unavailable", message: `the audit log cannot be written (${audit.failure.message})` };
      if (checkToken && !checkToken(req.headers["proxy-authorization"])) {
        return { reason: "auth-required", message: "this proxy needs the run's token (Proxy-Authorization: Basic cordon:<token>)" };
      }
      // The first request with the token moves its connection into the counted budget.
      const socket = req.socket;
      if (pending.has(socket)) {
        if (clients.size + tunnels.relayed >= limits.maxConnections) {
          return { reason: "too-many-connections", message: `more than ${limits.maxConnections} connections are open` };
        }
        pending.delete(socket);
        clients.add(socket);
      }
      return undefined;
    },
    decided: (e: DecisionInput) => publish({ type: "decision", time: now(), ...e }),
    tunnelClosed: (e: TunnelClosedInput) => void publish({ type: "tunnel-closed", time: now(), ...e }),
    requestClosed: (e: RequestClosedInput) => void publish({ type: "request-closed", time: now(), ...e }),
    auditReady: () => (audit?.congested ? audit.ready() : undefined),
    trackUpstream(socket) {
      upstreams.add(socket);
      socket.once("close", () => untrack(upstreams, socket));
    },
    trackTunnel: (tunnel, relayed, target) => tunnels.add(tunnel, relayed, target),
    tunnelRelay,
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
  // A client that sends its request and then shuts its write side still gets the answer.
  (server as { httpAllowHalfOpen?: boolean }).httpAllowHalfOpen = true;

  server.on("connection", (socket: Socket) => {
    pending.add(socket);
    socket.once("close", onClientClose);
    if (pending.size > limits.maxPendingConnections) {
      // The oldest silent connection makes room: a real client sends its head at once.
      const oldest = pending.values().next().value!;
      pending.delete(oldest);
      oldest.destroy();
    }
  });

  const tenants = options.tenants;
  const contextFor = tenants ? (req: IncomingMessage) => tenantContext(ctx, tenants, req) : () => ctx;

  server.on("connect", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    handleConnect(contextFor(req), req, socket, head).catch(() => socket.destroy());
  });

  server.on("request", (req, res) => {
    responseStarted(req.socket, res);
    handleForward(contextFor(req), req, res).catch(() => res.destroy());
  });

  // Expect: 100-continue is answered by the forwarding itself, after the token and policy checks.
  server.on("checkContinue", (req, res) => {
    responseStarted(req.socket, res);
    handleForward(contextFor(req), req, res, true).catch(() => res.destroy());
  });

  /**
   * A refusal written to the raw socket (no ServerResponse): it waits for the
   * responses before it on the connection, so it never lands inside one, and
   * for the audit log to take its record.
   */
  const refuseRaw = (socket: Socket, method: string, refusal: Refusal) => {
    const answer = () => {
      recordRefusal(ctx.decided, { id: ctx.nextId(), method }, refusal);
      writeRefusal(socket, refusal);
    };
    const earlier = earlierResponses(socket);
    if (!earlier && !audit?.congested) return answer();
    void (async () => {
      if (earlier) await earlier;
      const ready = ctx.auditReady();
      if (ready) await ready;
      answer();
    })();
  };

  server.on("upgrade", (req: IncomingMessage, socket: Socket) => {
    refuseRaw(socket, req.method ?? "", { reason: "bad-request", message: "protocol upgrades through the proxy need CONNECT" });
  });

  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    if (refusing.has(socket)) return;
    // The request being forwarded is itself malformed or cut (its body): no reply
    // can follow it in order, so the connection ends and the exchange with it.
    if (bodyInFlight(socket)) {
      socket.destroy();
      return;
    }
    refusing.add(socket);
    let refusal: Refusal;
    if (err.code === "HPE_HEADER_OVERFLOW") {
      refusal = { reason: "bad-request", status: 431, message: `request head larger than ${limits.maxHeaderSize} bytes` };
    } else if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") {
      refusal = { reason: "bad-request", status: 408, message: `request head not complete within ${limits.headersTimeoutMs} ms` };
    } else {
      refusal = { reason: "bad-request", message: `malformed request (${err.code ?? err.message})` };
    }
    refuseRaw(socket, "", refusal);
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

  let serverClosed: Promise<void> | undefined;
  let unixClosed: Promise<void> | undefined;
  const stopAccepting = () => {
    closing = true;
    unixClosed ??= unixListener?.close();
    serverClosed ??= new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
  };
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      stopAccepting();
      const inspectorClosed = inspector?.close();
      tunnels.endAll();
      const grace = setTimeout(() => {
        server.closeAllConnections();
        for (const s of pending) s.destroy();
        for (const s of clients) s.destroy();
        for (const s of upstreams) s.destroy();
        tunnels.destroyAll();
      }, limits.closeGraceMs);
      grace.unref();
      await serverClosed;
      await unixClosed;
      // The server may report closed a tick before hijacked (CONNECT) sockets finish closing.
      if (openCount() > 0) await once(socketsDrained, "drained");
      // Relayed tunnels gave their sockets away: wait for the relay to report them closed.
      await tunnels.idle();
      clearTimeout(grace);
      await inspectorClosed;
      await upstreamAgent.close();
      await ownLog?.close();
    })();
    return closed;
  };

  return Object.assign(emitter, {
    address,
    unixSocket: options.unixSocket,
    caCertificate: inspector?.caCertificate,
    url: (token?: string) => proxyUrl(address, token ?? options.token),
    stats: async () => stats.snapshot(),
    update: async (next: ProxyUpdate, updateOptions: UpdateOptions = {}) => {
      const nextMatcher = matcherFrom(next);
      matcher = nextMatcher;
      if (!updateOptions.closeTunnels) return 0;
      return tunnels.cut(({ host, port, address }) => {
        let decision;
        try {
          decision = nextMatcher.decide(host, port);
        } catch {
          return false;
        }
        if (!decision.allowed) return false;
        return address === undefined || checkAddress(address, decision.allowedIps).allowed;
      });
    },
    drain: () => {
      stopAccepting();
      return tunnels.idle();
    },
    // A relayed tunnel holds one client and one upstream connection outside the JS sockets.
    openSockets: async () => ({ clients: pending.size + clients.size + tunnels.relayed, upstreams: upstreams.size + tunnels.relayed }),
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
