// TLS inspection for the hosts whose policy entry has http rules or credentials: the client's TLS
// ends here with a leaf minted for the CONNECT name, each decrypted request is judged by the
// host's rules, credentials are injected, and the request goes upstream over a fresh, verified TLS
// connection to the address admission checked.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { PassThrough, pipeline, type Transform } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { rootCertificates, TLSSocket } from "node:tls";
import type { Dispatcher } from "undici";
import type { ResolvedAddress } from "../resolve.js";
import type { ProxyContext } from "../context.js";
import { clientResponseHeaders, hostHeaders, upstreamRequestHeaders } from "../headers.js";
import { recordRefusal, refusalStatus, sendRefusal, type Refusal } from "../refusal.js";
import { createCertificateAuthority, type CertificateAuthority } from "./ca.js";
import { injectHeaders, injectQuery, scrubHeaders, SecretScrubber } from "./credentials.js";
import { compileInspectTable, type InspectedHost, type InspectTable } from "./hosts.js";
import type { InspectOptions } from "./options.js";

const MAX_NAMES = 1000;

export interface Admitted {
  host: string;
  port: number;
  rule: string;
  addresses: ResolvedAddress[];
}

interface Connection extends Admitted {
  inspected: InspectedHost;
  scheme: "https" | "http";
}

export interface Inspector {
  readonly caCertificate: string;
  match(host: string, port: number): InspectedHost | undefined;
  /** Takes over an admitted CONNECT whose host is inspected (the 200 is not yet sent). */
  intercept(ctx: ProxyContext, id: number, client: Socket, head: Buffer, admitted: Admitted, inspected: InspectedHost): Promise<void>;
  /** A plain-HTTP request to an inspected host: the same rules; credentials only if the entry allows it. */
  forwardPlain(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, admitted: Admitted, inspected: InspectedHost): Promise<void>;
  close(): Promise<void>;
}

function sameName(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/\.$/, "").replace(/^\[(.*)\]$/, "$1");
  return norm(a) === norm(b);
}

export async function createInspector(options: InspectOptions, limits: ProxyContext["limits"], upstreamProxy?: string): Promise<Inspector> {
  const ca: CertificateAuthority = await createCertificateAuthority();
  const table: InspectTable = compileInspectTable(options.hosts);
  const trusted = options.upstreamCa && options.upstreamCa.length > 0 ? [...rootCertificates, ...options.upstreamCa] : undefined;
  const connections = new WeakMap<Socket, Connection>();
  const agents = new Map<string, Promise<Dispatcher>>();
  let proxyCtx: ProxyContext | undefined;

  // One agent per upstream name: the name is what the upstream certificate is checked against.
  const agentFor = (servername: string): Promise<Dispatcher> => {
    let agent = agents.get(servername);
    if (!agent) {
      const tls = { servername, ...(trusted && { ca: trusted }) };
      agent = import("undici").then(({ Agent, ProxyAgent }) => {
        const common = { headersTimeout: limits.upstreamHeadersTimeoutMs, bodyTimeout: limits.idleTimeoutMs, keepAliveTimeout: 4_000 };
        return upstreamProxy !== undefined
          ? new ProxyAgent({ ...common, uri: upstreamProxy, requestTls: tls })
          : new Agent({ ...common, connect: { ...tls, timeout: limits.connectTimeoutMs } });
      });
      agents.set(servername, agent);
      // A wildcard entry lets the command invent names: keep the pool bounded.
      if (agents.size > MAX_NAMES) {
        const [oldest, dropped] = agents.entries().next().value!;
        agents.delete(oldest);
        void dropped.then((a) => a.close()).catch(() => undefined);
      }
    }
    return agent;
  };

  const inner: Server = createServer({
    maxHeaderSize: limits.maxHeaderSize,
    requestTimeout: 0,
    headersTimeout: limits.headersTimeoutMs,
    keepAliveTimeout: 5_000,
    requireHostHeader: false,
  });
  inner.timeout = limits.idleTimeoutMs;
  inner.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const conn = connections.get(req.socket);
    if (!conn || !proxyCtx) return void res.destroy();
    handleRequest(proxyCtx, req, res, conn).catch(() => res.destroy());
  });
  // A request that cannot be parsed ends the connection: there is nothing to judge.
  inner.on("clientError", (_err, socket: Socket) => socket.destroy());
  // Upgrades (WebSocket) would leave the rules behind after the first request.
  inner.on("upgrade", (req: IncomingMessage, socket: Socket) => socket.destroy());

  async function handleRequest(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, conn: Connection): Promise<void> {
    const id = ctx.nextId();
    const method = req.method ?? "GET";
    const { host, port, inspected } = conn;
    const target = req.url ?? "/";
    // The audit log sees the path as sent, query credentials redacted (it never holds a header value).
    const loggedPath = redactedPath(target, inspected);
    const refuse = (refusal: Refusal) => {
      recordRefusal(ctx.decided, { id, method, host, port, path: loggedPath }, { ...refusal, host, port });
      sendRefusal(res, { host, port, ...refusal });
    };
    if (conn.scheme === "https") {
      const hosts = hostHeaders(req.rawHeaders);
      const named = hosts[0]?.replace(/:(\d+)$/, "");
      const namedPort = /:(\d+)$/.exec(hosts[0] ?? "")?.[1];
      if (hosts.length > 1 || (named !== undefined && (!sameName(named, host) || (namedPort !== undefined && Number(namedPort) !== port)))) {
        return refuse({ reason: "bad-request", message: `Host header ${JSON.stringify(hosts.join(", "))} does not name ${host}:${port}, the host this connection was opened for` });
      }
    }
    if (method === "CONNECT" || method === "TRACE" || method === "TRACK") return refuse({ reason: "method-not-allowed", message: `${method} is not forwarded` });
    const verdict = inspected.rules.decide(method, target);
    if (!verdict.allowed) {
      const bad = verdict.rule === "path";
      return refuse({ reason: bad ? "bad-request" : "request-not-allowed", rule: `${inspected.pattern} http ${verdict.rule}`, message: verdict.message });
    }
    const credentials = inspected.credentials;
    if (credentials.length > 0) {
      if (options.credentialsBlocked !== undefined) return refuse({ reason: "credential-unavailable", rule: `${inspected.pattern} credentials`, message: options.credentialsBlocked });
      if (conn.scheme === "http" && credentials.some((c) => !c.allowPlainHttp)) {
        return refuse({ reason: "credential-unavailable", rule: `${inspected.pattern} credentials`, message: `credentials for ${host} are only injected over HTTPS (allowPlainHttp: true to inject over http://)` });
      }
    }
    const ruleName = `${inspected.pattern} http ${verdict.rule}`;
    const target0 = conn.addresses[0];
    const dialHost = upstreamProxy !== undefined || !target0 ? host : target0.address;
    const origin = `${conn.scheme}://${dialHost.includes(":") ? `[${dialHost}]` : dialHost}:${port}`;
    let headers = upstreamRequestHeaders(req.rawHeaders);
    if (credentials.length > 0) {
      // Uncompressed bodies, so that a secret echoed back can be found and taken out.
      headers = [...withoutHeader(injectHeaders(headers, credentials), "accept-encoding"), "Accept-Encoding", "identity"];
    }
    const hostValue = hostHeaders(req.rawHeaders)[0] ?? (port === (conn.scheme === "https" ? 443 : 80) ? host : `${host}:${port}`);
    const abort = new AbortController();
    res.on("close", () => abort.abort());
    // Recorded before anything goes upstream (issue 16's audit guarantee): a client that gives up
    // later cannot leave a request without a record. Its end is a request-closed event.
    const started = Date.now();
    ctx.decided({ id, method, host, port, path: loggedPath, ...(target0 && { address: target0.address }), decision: "allow", rule: ruleName });
    let bytesUp = 0;
    let bytesDown = 0;
    let closedRecorded = false;
    const closed = (outcome: "completed" | "client-aborted" | "upstream-failed", extra: { status?: number; reason?: "upstream-unreachable" | "upstream-timeout" } = {}) => {
      if (closedRecorded) return;
      closedRecorded = true;
      ctx.requestClosed({ id, method, host, port, outcome, ...extra, bytesUp, bytesDown, durationMs: Date.now() - started });
    };
    let body: PassThrough | null = null;
    if (hasBody(req)) {
      body = new PassThrough();
      body.on("data", (chunk: Buffer) => void (bytesUp += chunk.length));
      pipeline(req, body, () => {});
    }
    let response;
    try {
      const agent = conn.scheme === "https" ? await agentFor(host) : await ctx.upstreamAgent.get();
      response = await agent.request({
        origin,
        path: injectQuery(target, credentials),
        method: method as "GET",
        headers: ["Host", hostValue, ...headers],
        body,
        headersTimeout: limits.upstreamHeadersTimeoutMs,
        bodyTimeout: limits.idleTimeoutMs,
        signal: abort.signal,
      });
    } catch (err) {
      if (abort.signal.aborted) return closed("client-aborted");
      const code = (err as { code?: string }).code ?? "";
      const timedOut = code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT";
      const reason = timedOut ? "upstream-timeout" : "upstream-unreachable";
      const refusal: Refusal = { reason, rule: ruleName, message: `${host}:${port}: ${code || (err as Error).message}` };
      closed("upstream-failed", { status: refusalStatus(refusal), reason });
      return sendRefusal(res, { host, port, ...refusal });
    }
    response.body.on("data", (chunk: Buffer) => void (bytesDown += chunk.length));
    let out = clientResponseHeaders(response.headers);
    const scrub = inspected.secretForms.length > 0;
    const bodyless = method === "HEAD" || response.statusCode === 204 || response.statusCode === 304;
    let decode: Transform | undefined;
    if (scrub) {
      out = scrubHeaders(out, inspected.secretForms);
      if (!bodyless) {
        // A server that compresses anyway is decoded here: a compressed secret could not be found.
        const encoding = String(out["content-encoding"] ?? "identity").toLowerCase().trim();
        if (encoding !== "identity") {
          const decoder = DECODERS[encoding];
          if (!decoder) {
            response.body.destroy();
            const refusal: Refusal = { reason: "upstream-unreachable", rule: ruleName, message: `${host} answered with Content-Encoding ${encoding}, which cordon cannot scan for the credential` };
            closed("upstream-failed", { status: refusalStatus(refusal), reason: "upstream-unreachable" });
            return sendRefusal(res, { host, port, ...refusal });
          }
          decode = decoder();
          delete out["content-encoding"];
        }
        // The body may shrink or grow where a secret is replaced: let Node frame it.
        delete out["content-length"];
      }
    }
    res.writeHead(response.statusCode, out);
    const status = response.statusCode;
    const done = (err: Error | null | undefined) => {
      if (err) res.destroy();
      closed(err ? (abort.signal.aborted ? "client-aborted" : "upstream-failed") : "completed", { status });
    };
    if (scrub && !bodyless) {
      const scrubber = new SecretScrubber(inspected.secretForms);
      if (decode) pipeline(response.body, decode, scrubber, res, done);
      else pipeline(response.body, scrubber, res, done);
    } else pipeline(response.body, res, done);
  }

  return {
    caCertificate: ca.certificate,
    match: (host, port) => table.match(host, port),

    async intercept(ctx, id, client, head, admitted, inspected) {
      proxyCtx = ctx;
      const { host, port } = admitted;
      let secureContext;
      try {
        secureContext = await ca.contextFor(host);
      } catch (err) {
        client.destroy();
        recordRefusal(ctx.decided, { id, method: "CONNECT", host, port }, { reason: "tls-handshake-failed", message: "" });
        return;
      }
      if (client.destroyed) return;
      ctx.decided({ id, method: "CONNECT", host, port, decision: "allow", rule: admitted.rule, inspected: true, status: 200 });
      client.setNoDelay(true);
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) client.unshift(head);
      let refusedName: string | undefined;
      const tlsSocket = new TLSSocket(client, {
        isServer: true,
        secureContext,
        // HTTP/1.1 only: each request is parsed by node:http; an HTTP/2 client falls back to it.
        ALPNProtocols: ["http/1.1"],
        SNICallback: (servername, cb) => {
          if (sameName(servername, host)) return cb(null, secureContext);
          refusedName = servername;
          cb(new Error(`TLS server name ${servername} is not ${host}, the CONNECT target`));
        },
      });
      let handshaken = false;
      tlsSocket.once("secure", () => {
        handshaken = true;
      });
      tlsSocket.on("error", (err: Error) => {
        if (!handshaken) {
          const mismatch = refusedName !== undefined;
          ctx.decided({
            id: ctx.nextId(),
            method: "TLS",
            host,
            port,
            decision: "deny",
            reason: mismatch ? "sni-mismatch" : "tls-handshake-failed",
            rule: admitted.rule,
            status: refusalStatus({ reason: mismatch ? "sni-mismatch" : "tls-handshake-failed", message: "" }),
            detail: mismatch ? `client asked for ${refusedName}` : err.message.slice(0, 200),
          });
        }
        tlsSocket.destroy();
        client.destroy();
      });
      connections.set(tlsSocket, { ...admitted, inspected, scheme: "https" });
      inner.emit("connection", tlsSocket);
    },

    async forwardPlain(ctx, req, res, admitted, inspected) {
      proxyCtx = ctx;
      const url = new URL(req.url ?? "/");
      // Re-enter the same handler with an origin-form target.
      req.url = url.pathname + url.search;
      await handleRequest(ctx, req, res, { ...admitted, inspected, scheme: "http" });
    },

    async close() {
      inner.closeAllConnections();
      await new Promise<void>((resolve) => inner.close(() => resolve()));
      for (const agent of agents.values()) {
        const a = await agent.catch(() => undefined);
        await a?.close().catch(() => a.destroy());
      }
    },
  };
}

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  "x-gzip": createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

function withoutHeader(headers: string[], lower: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) if (headers[i]!.toLowerCase() !== lower) out.push(headers[i]!, headers[i + 1]!);
  return out;
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers["transfer-encoding"] !== undefined || (req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0");
}

function redactedPath(target: string, inspected: InspectedHost): string {
  let path = target;
  try {
    path = injectQuery(target, inspected.credentials, true);
  } catch {
    // An unparsable target is logged as sent (it is refused anyway).
  }
  return path.length > 2048 ? `${path.slice(0, 2048)}…` : path;
}
