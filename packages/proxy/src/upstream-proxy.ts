// Chaining to a parent HTTP proxy: a corporate egress proxy, or the proxy of an
// outer cordon sandbox (cordon inside cordon). The allowlist is still decided
// here; the parent resolves names and connects, so for names the SSRF guard is
// the parent's (IP literals are still checked here).
import { request } from "node:http";
import type { Socket } from "node:net";
import type { Cancellation } from "./cancel.js";
import { DialError } from "./dial.js";

export interface UpstreamProxy {
  host: string;
  port: number;
  /** The Proxy-Authorization header value, from the URL's user:password. */
  authorization?: string;
  /** The URL as given, without credentials (for messages). */
  display: string;
}

/** `http://[user:password@]host:port` → the parent proxy; anything else is a clear error. */
export function parseUpstreamProxy(text: string): UpstreamProxy {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`upstream proxy: ${JSON.stringify(text)} is not a URL (expected http://host:port)`);
  }
  if (url.protocol !== "http:") throw new TypeError(`upstream proxy: only http:// proxies are supported, got ${url.protocol}//`);
  if (url.pathname !== "/" || url.search || url.hash) throw new TypeError(`upstream proxy: expected http://[user:password@]host:port, got a path in ${JSON.stringify(text)}`);
  const port = url.port === "" ? 80 : Number(url.port);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  return {
    host,
    port,
    ...(user || password ? { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` } : {}),
    display: `http://${url.host}`,
  };
}

/** A tunnel to host:port through the parent's CONNECT; the parent's refusal becomes a DialError. */
export function dialViaUpstream(up: UpstreamProxy, host: string, port: number, timeoutMs: number, cancellation: Cancellation): Promise<Socket> {
  const authority = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    const req = request({
      host: up.host,
      port: up.port,
      method: "CONNECT",
      path: authority,
      headers: { Host: authority, ...(up.authorization ? { "Proxy-Authorization": up.authorization } : {}) },
      agent: false,
    });
    let settled = false;
    const fail = (err: DialError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stopListening();
      req.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new DialError(`the upstream proxy ${up.display} did not open ${authority} within ${timeoutMs} ms`, true)), timeoutMs);
    const stopListening = cancellation.onCancel(() => fail(new DialError("client went away", false)));
    req.once("error", (err) => fail(new DialError(`upstream proxy ${up.display}: ${(err as NodeJS.ErrnoException).code ?? err.message}`, false)));
    req.once("connect", (res, socket, head) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        const reason = res.headers["x-cordon-reason"];
        return fail(new DialError(`the upstream proxy ${up.display} refused ${authority}: ${res.statusCode} ${res.statusMessage ?? ""}${reason ? ` (${String(reason)})` : ""}`.trim(), false));
      }
      settled = true;
      clearTimeout(timer);
      stopListening();
      // Bytes the parent already sent past its 200 belong to the tunnel; half-close as a direct dial would.
      if (head.length > 0) socket.unshift(head);
      socket.allowHalfOpen = true;
      resolve(socket);
    });
    req.end();
  });
}
