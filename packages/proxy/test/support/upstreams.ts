// Local upstream servers the proxy is tested against (loopback only).
import { createHash } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from "node:net";
import type { TestCa } from "./ca.js";

export interface Upstream {
  port: number;
  /** Connections accepted so far. */
  accepted(): number;
  /** Connections currently open. */
  open(): number;
  close(): Promise<void>;
}

function tracked(server: Server | TcpServer, host: string): Promise<Upstream> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  server.on("connection", (s: Socket) => {
    accepted++;
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return new Promise((resolve) => {
    server.listen(0, host, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        accepted: () => accepted,
        open: () => sockets.size,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/**
 * An HTTP app: GET /echo → JSON of what arrived; GET /bytes/N → N bytes;
 * POST /sha256 → hash of the body; /hang → never answers.
 */
export function httpApp(name: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "/";
    if (url.startsWith("/hang")) return;
    if (url.startsWith("/bytes/")) {
      const total = Number(url.slice("/bytes/".length));
      res.writeHead(200, { "content-length": total, "x-sha256": sha256Of(patternBytes(total)) });
      return void res.end(patternBytes(total));
    }
    if (url.startsWith("/sha256")) {
      const hash = createHash("sha256");
      let length = 0;
      req.on("data", (c: Buffer) => {
        hash.update(c);
        length += c.length;
      });
      req.on("end", () => res.end(JSON.stringify({ sha256: hash.digest("hex"), length })));
      return;
    }
    res.writeHead(200, { "content-type": "application/json", connection: "keep-alive, x-upstream-hop", "x-upstream-hop": "secret" });
    res.end(JSON.stringify({ server: name, method: req.method, url, headers: req.headers, rawHeaders: req.rawHeaders }));
  };
}

export function startHttpUpstream(host = "127.0.0.1", name = "plain"): Promise<Upstream> {
  return tracked(createHttpServer(httpApp(name)), host);
}

export function startHttpsUpstream(ca: TestCa, host = "127.0.0.1"): Promise<Upstream> {
  return tracked(createHttpsServer({ key: ca.leafKey, cert: ca.leafCert }, httpApp("tls")), host);
}

/** Raw TCP: echoes every byte back; half-close is echoed as half-close. */
export function startEchoUpstream(host = "127.0.0.1"): Promise<Upstream> {
  const server = createTcpServer({ allowHalfOpen: true }, (s) => {
    s.on("error", () => {});
    s.pipe(s);
  });
  return tracked(server, host);
}

/** Deterministic bytes so both ends can hash without storing a copy. */
export function patternBytes(length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) buf[i] = (i * 31 + (i >> 11)) & 0xff;
  return buf;
}

export function sha256Of(buf: Buffer): string {
  return createHash("sha256").update(buf).digest("hex");
}
