// CONNECT host:port → admission → dial a checked address → 200 → raw tunnel.
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { admit } from "./admission.js";
import { Cancellation } from "./cancel.js";
import type { ProxyContext } from "./context.js";
import { dial, DialError } from "./dial.js";
import { earlierResponses } from "./inflight.js";
import { dialViaUpstream } from "./upstream-proxy.js";
import { recordRefusal, writeRefusal, type Refusal } from "./refusal.js";
import { parseAuthority } from "./target.js";
import { RelayedTunnelHandle, type TunnelTotals } from "./relay.js";
import { Tunnel } from "./tunnel.js";

export async function handleConnect(ctx: ProxyContext, req: IncomingMessage, client: Socket, head: Buffer): Promise<void> {
  const id = ctx.nextId();
  const target = parseAuthority(req.url);
  const refuse = (refusal: Refusal) => {
    recordRefusal(ctx.decided, { id, method: "CONNECT", ...target }, refusal);
    writeRefusal(client, refusal);
  };
  // Until the tunnel owns it, a client error only means the client left.
  const clientGone = new Cancellation();
  const onEarlyClose = () => clientGone.cancel();
  client.on("error", onEarlyClose);
  client.on("close", onEarlyClose);

  // A CONNECT pipelined behind plain-HTTP requests starts once their responses are out.
  const earlier = earlierResponses(client);
  if (earlier) {
    await earlier;
    // An earlier response with "Connection: close" ends the connection: nothing follows it.
    if (clientGone.cancelled || !client.writable) return void client.destroy();
    // node:http armed its keep-alive timer when the last response finished: not a tunnel's.
    client.setTimeout(0);
  }
  const early = ctx.preflight(req);
  // While the audit log cannot take more, new requests wait (backpressure, never dropped records).
  const auditReady = ctx.auditReady();
  if (auditReady) await auditReady;
  if (early) return refuse(early);
  if (req.httpVersionMajor !== 1) return refuse({ reason: "bad-request", message: "the request line needs an HTTP/1.x version" });
  if (!target) {
    return refuse({ reason: "bad-request", message: `CONNECT target must be host:port, got ${JSON.stringify(req.url)}` });
  }
  const admission = await admit(ctx.gate(), target.host, target.port);
  if (!admission.ok) return refuse(admission.refusal);
  const { host, port, rule, addresses } = admission;
  const inspected = ctx.inspector?.match(host, port);
  if (inspected) {
    client.off("error", onEarlyClose);
    client.off("close", onEarlyClose);
    return ctx.inspector!.intercept(ctx, id, client, head, admission, inspected);
  }

  let upstream: Socket;
  let address: string | undefined;
  try {
    if (ctx.upstreamProxy) {
      upstream = await dialViaUpstream(ctx.upstreamProxy, host, port, ctx.limits.connectTimeoutMs, clientGone);
    } else {
      ({ socket: upstream, address } = await dial(addresses, port, ctx.limits.connectTimeoutMs, clientGone));
    }
  } catch (err) {
    const e = err as DialError;
    if (clientGone.cancelled) return;
    return refuse({ reason: e.timedOut ? "upstream-timeout" : "upstream-unreachable", host, port, rule, message: e.message });
  }
  if (clientGone.cancelled) {
    upstream.destroy();
    // The upstream saw a connection: it gets its record like any other (no 200 was sent).
    if (ctx.decided({ id, method: "CONNECT", host, port, ...(address !== undefined && { address }), decision: "allow", rule })) {
      ctx.tunnelClosed({ id, host, port, bytesUp: 0, bytesDown: 0, durationMs: 0 });
    }
    return;
  }
  client.off("error", onEarlyClose);
  client.off("close", onEarlyClose);
  ctx.trackUpstream(upstream);
  if (!ctx.decided({ id, method: "CONNECT", host, port, ...(address !== undefined && { address }), decision: "allow", rule, status: 200 })) {
    // The record could not be written: no tunnel without one.
    upstream.destroy();
    writeRefusal(client, { reason: "audit-unavailable", message: "the audit log cannot be written" });
    return;
  }

  // Interactive protocols (TLS handshakes) must not wait on Nagle + delayed ACK.
  client.setNoDelay(true);
  client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
  // Bytes the client sent right after its CONNECT head (e.g. an eager TLS ClientHello).
  if (head.length > 0) upstream.write(head);
  let untrack: (() => void) | undefined;
  const onClosed = (totals: TunnelTotals) => {
    untrack?.();
    ctx.tunnelClosed({ id, host, port, ...totals });
  };
  const relay = ctx.tunnelRelay;
  const tunnel = relay
    ? new RelayedTunnelHandle(relay, client, upstream, ctx.limits.idleTimeoutMs, onClosed)
    : new Tunnel(client, upstream, ctx.limits.idleTimeoutMs, onClosed);
  untrack = ctx.trackTunnel(tunnel, relay !== undefined, address !== undefined ? { host, port, address } : { host, port });
}
