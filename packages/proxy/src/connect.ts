// CONNECT host:port → admission → dial a checked address → 200 → raw tunnel.
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { admit } from "./admission.js";
import { Cancellation } from "./cancel.js";
import type { ProxyContext } from "./context.js";
import { dial, DialError } from "./dial.js";
import { dialViaUpstream } from "./upstream-proxy.js";
import { refusalStatus, writeRefusal, type Refusal } from "./refusal.js";
import { parseAuthority } from "./target.js";
import { RelayedTunnelHandle, type TunnelTotals } from "./relay.js";
import { Tunnel } from "./tunnel.js";

export async function handleConnect(ctx: ProxyContext, req: IncomingMessage, client: Socket, head: Buffer): Promise<void> {
  const id = ctx.nextId();
  const target = parseAuthority(req.url);
  const refuse = (refusal: Refusal) => {
    ctx.decided({
      id,
      method: "CONNECT",
      host: refusal.host ?? target?.host ?? "",
      port: refusal.port ?? target?.port ?? 0,
      decision: "deny",
      reason: refusal.reason,
      ...(refusal.rule !== undefined && { rule: refusal.rule }),
      ...(refusal.address !== undefined && { address: refusal.address }),
      status: refusalStatus(refusal),
    });
    writeRefusal(client, refusal);
  };
  // Until the tunnel owns it, a client error only means the client left.
  const clientGone = new Cancellation();
  const onEarlyClose = () => clientGone.cancel();
  client.on("error", onEarlyClose);
  client.on("close", onEarlyClose);

  const early = ctx.preflight(req);
  if (early) return refuse(early);
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
    return;
  }
  client.off("error", onEarlyClose);
  client.off("close", onEarlyClose);
  ctx.trackUpstream(upstream);
  ctx.decided({ id, method: "CONNECT", host, port, ...(address !== undefined && { address }), decision: "allow", rule, status: 200 });

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
  untrack = ctx.trackTunnel(tunnel, relay !== undefined);
}
