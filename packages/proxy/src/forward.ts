// Plain http:// requests in absolute-form: admission, then forwarding with undici
// to the checked address (Host header preserved), origin-form on the wire.
import type { IncomingMessage, ServerResponse } from "node:http";
import { admit } from "./admission.js";
import type { ProxyContext } from "./context.js";
import { ForwardedExchange, upstreamFailure } from "./exchange.js";
import { hostHeaders } from "./headers.js";
import { recordRefusal, sendRefusal, type Refusal } from "./refusal.js";

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

export async function handleForward(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, expectsContinue = false): Promise<void> {
  const id = ctx.nextId();
  const refuse = (refusal: Refusal) => {
    recordRefusal(ctx.decided, { id, method: req.method ?? "" }, refusal);
    sendRefusal(res, refusal);
  };
  const early = ctx.preflight(req);
  // While the audit log cannot take more, new requests wait (backpressure, never dropped records).
  const auditReady = ctx.auditReady();
  if (auditReady) await auditReady;
  if (early) return refuse(early);
  // "GET http://host/" with no version parses as HTTP/0.9: not something to forward.
  if (req.httpVersionMajor !== 1) return refuse({ reason: "bad-request", message: "the request line needs an HTTP/1.x version" });
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
  const exchange = new ForwardedExchange(ctx, req, res, {
    id,
    method,
    host,
    port,
    rule,
    ...(target && { address: target.address }),
    expectsContinue,
    onUnsent: (err) => refuse(upstreamFailure(err, host, port, rule)),
  });
  exchange.start(await ctx.upstreamAgent.get(), origin, url.pathname + url.search, hostHeaders(req.rawHeaders)[0] ?? url.host);
}
