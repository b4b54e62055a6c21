// Plain-HTTP responses still in flight on a client connection. node:http orders
// the responses it manages, but not what the proxy writes to the raw socket: a
// CONNECT's "200" and its tunnel, or the refusal of a malformed or upgrade request
// pipelined behind a request. Those wait here until every earlier response is sent,
// or they would land inside it.
import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";

const IN_FLIGHT = Symbol("cordon.inFlight");

interface InFlight {
  responses: Set<ServerResponse>;
  waiters: (() => void)[];
  forwardingDrain: boolean;
}

type Tracked = Socket & { [IN_FLIGHT]?: InFlight };

/** Called synchronously for each request node:http hands over, before anything later on the connection is parsed. */
export function responseStarted(socket: Socket, res: ServerResponse): void {
  const s = socket as Tracked;
  const f = (s[IN_FLIGHT] ??= { responses: new Set(), waiters: [], forwardingDrain: false });
  f.responses.add(res);
  // "close" follows "finish" (a tick later, once node:http moved on) and an aborted response alike.
  res.once("close", () => {
    f.responses.delete(res);
    if (f.responses.size === 0) for (const wake of f.waiters.splice(0)) wake();
  });
}

/**
 * undefined when nothing is in flight (the common case: no promise, no tick);
 * else resolves once every earlier response has finished or been aborted.
 */
export function earlierResponses(socket: Socket): Promise<void> | undefined {
  const f = (socket as Tracked)[IN_FLIGHT];
  if (!f || f.responses.size === 0) return undefined;
  if (!f.forwardingDrain) {
    // Once node:http sees a CONNECT or an upgrade it stops relaying the socket's
    // "drain" to the response being written: a response waiting on backpressure
    // would wait forever. Relay it here meanwhile.
    f.forwardingDrain = true;
    const relay = () => {
      for (const res of f.responses) if (res.writableNeedDrain) res.emit("drain");
    };
    socket.on("drain", relay);
    f.waiters.push(() => {
      socket.off("drain", relay);
      f.forwardingDrain = false;
    });
  }
  return new Promise((resolve) => f.waiters.push(resolve));
}

/** True when a request in flight on the connection has not been read to its end (a parse error is then about its body). */
export function bodyInFlight(socket: Socket): boolean {
  const f = (socket as Tracked)[IN_FLIGHT];
  if (!f) return false;
  for (const res of f.responses) if (!res.req.complete) return true;
  return false;
}
