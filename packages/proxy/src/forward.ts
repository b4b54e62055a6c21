// Plain http:// requests in absolute-form: admission, then forwarding with undici
// to the checked address (Host header preserved), origin-form on the wire.
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream";
import { admit } from "./admission.js";
import type { ProxyContext } from "./context.js";
import { clientResponseHeaders, hostHeaders, upstreamRequestHeaders } from "./headers.js";
import { refusalStatus, sendRefusal, type Refusal } from "./refusal.js";

// TRACE reflects request headers (credentials included) back: never forwarded.
const REFUSED_METHODS = new Set(["TRACE", "TRACK", "CONNECT"]);

interface ParsedTarget {
  url: URL;
  host: string;
  port: number;
}

function parseTarget(req: IncomingMessage): ParsedTarget | Refusal {
  const raw = req.url ?? "";
  if (raw.startsWith("/") || raw === "*") {
    return { reason: "bad-request", message: "this is a proxy: send absolute-form http:// requests or CONNECT, not origin-form" };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { reason: "bad-request", message: `request target is not a URL: ${JSON.stringify(raw.slice(0, 200))}` };
  }
  if (url.protocol === "https:") {
    return { reason: "bad-request", host: url.hostname, message: "https:// must be tunnelled with CONNECT, not sent to the proxy in absolute-form" };
  }
  if (url.protocol !== "http:") return { reason: "bad-request", message: `unsupported scheme ${url.protocol}` };
  if (url.hostname === "") return { reason: "bad-request", message: "request URL has no host" };
  const port = url.port === "" ? 80 : Number(url.port);
  const hosts = hostHeaders(req.rawHeaders);
  if (hosts.length > 1) return { reason: "bad-request", message: "more than one Host header" };
  if (hosts.length === 1) {
    // Both sides go through the URL parser so "EXAMPLE.com:80" equals "example.com".
    let headerHost: URL | undefined;
    try {
      headerHost = new URL(`http://${hosts[0]}`);
    } catch {
      headerHost = undefined;
    }
    const headerPort = headerHost && (headerHost.port === "" ? 80 : Number(headerHost.port));
    if (!headerHost || headerHost.hostname !== url.hostname || headerPort !== port || headerHost.pathname !== "/" || headerHost.username !== "") {
      return { reason: "bad-request", host: url.hostname, port, message: `Host header ${JSON.stringify(hosts[0])} disagrees with the request URL host ${url.host}` };
    }
  }
  return { url, host: url.hostname, port };
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers["transfer-encoding"] !== undefined || (req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0");
}

function upstreamFailure(err: unknown, host: string, port: number, rule: string): Refusal {
  const code = (err as { code?: string }).code ?? "";
  const timedOut = code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT";
  return {
    reason: timedOut ? "upstream-timeout" : "upstream-unreachable",
    host,
    port,
    rule,
    message: `${host}:${port}: ${code || (err as Error).message}`,
  };
}

export async function handleForward(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const id = ctx.nextId();
  const refuse = (refusal: Refusal) => {
    ctx.decided({
      id,
      method: req.method ?? "",
      host: refusal.host ?? "",
      port: refusal.port ?? 0,
      decision: "deny",
      reason: refusal.reason,
      ...(refusal.rule !== undefined && { rule: refusal.rule }),
      ...(refusal.address !== undefined && { address: refusal.address }),
      status: refusalStatus(refusal),
    });
    sendRefusal(res, refusal);
  };
  const early = ctx.preflight(req);
  if (early) return refuse(early);
  const parsed = parseTarget(req);
  if (!("url" in parsed)) return refuse(parsed);
  const { url, port } = parsed;
  const method = req.method ?? "GET";
  if (REFUSED_METHODS.has(method)) {
    return refuse({ reason: "method-not-allowed", host: url.hostname, port, message: `${method} is not forwarded` });
  }
  const admission = await admit(ctx.gate(), parsed.host, port);
  if (!admission.ok) return refuse(admission.refusal);
  const { host, rule } = admission;
  const inspected = ctx.inspector?.match(host, port);
  if (inspected) return ctx.inspector!.forwardPlain(ctx, req, res, admission, inspected);
  // Direct: the first checked address. Through a parent proxy: the name, which the parent resolves.
  const target = admission.addresses[0];
  const origin = target
    ? `http://${target.family === 6 ? `[${target.address}]` : target.address}:${port}`
    : `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  const abort = new AbortController();
  res.on("close", () => abort.abort());
  let response;
  try {
    response = await (await ctx.upstreamAgent.get()).request({
      origin,
      path: url.pathname + url.search,
      method: method as "GET",
      headers: ["Host", hostHeaders(req.rawHeaders)[0] ?? url.host, ...upstreamRequestHeaders(req.rawHeaders)],
      body: hasBody(req) ? req : null,
      headersTimeout: ctx.limits.upstreamHeadersTimeoutMs,
      bodyTimeout: ctx.limits.idleTimeoutMs,
      signal: abort.signal,
    });
  } catch (err) {
    if (abort.signal.aborted) return;
    return refuse(upstreamFailure(err, host, port, rule));
  }
  ctx.decided({ id, method, host, port, ...(target && { address: target.address }), decision: "allow", rule, status: response.statusCode });
  res.writeHead(response.statusCode, clientResponseHeaders(response.headers));
  pipeline(response.body, res, (err) => {
    // Mid-body failure: the status is already sent, so the only honest signal left is an abrupt close.
    if (err) res.destroy();
  });
}
