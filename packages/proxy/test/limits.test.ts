import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProxy, type CordonProxy } from "../src/index.js";
import { bodyOf, rawExchange, statusOf, until } from "./support/clients.js";
import { LOOPBACK_OK, network, tableResolver } from "./support/policy.js";
import { startHttpUpstream, type Upstream } from "./support/upstreams.js";

let web: Upstream;
let proxy: CordonProxy;

beforeAll(async () => {
  web = await startHttpUpstream();
  proxy = await createProxy({
    port: 0,
    network: network([{ host: "web.test", ports: [web.port], allowedIps: LOOPBACK_OK }]),
    resolver: tableResolver({ "web.test": ["127.0.0.1"] }),
    limits: { maxHeaderSize: 4096, headersTimeoutMs: 400 },
  });
});

afterAll(async () => {
  await proxy.close();
  await web.close();
});

describe("limits and malformed input", () => {
  it("answers 431 to a request head over maxHeaderSize", async () => {
    const raw = await rawExchange(proxy.address.port, `CONNECT web.test:${web.port} HTTP/1.1\r\nX-Big: ${"a".repeat(8000)}\r\n\r\n`);
    expect(statusOf(raw)).toBe(431);
    expect(raw).toContain("X-Cordon-Reason: bad-request");
  });

  it("closes a client that sends its head too slowly (slowloris)", async () => {
    const socket = connect(proxy.address.port, "127.0.0.1");
    let received = "";
    socket.on("data", (c) => (received += c.toString("latin1")));
    socket.write(`CONNECT web.test:${web.port} HTTP/1.1\r\n`);
    // Keep trickling header lines, never finishing the head.
    const drip = setInterval(() => socket.writable && socket.write("X-Slow: 1\r\n"), 50);
    await new Promise((resolve) => socket.on("close", resolve));
    clearInterval(drip);
    expect(statusOf(received)).toBe(408);
    expect(bodyOf(received).error).toBe("bad-request");
  });

  it.each([
    ["garbage", "\x00\x01\x02 not http at all\r\n\r\n"],
    ["a bad request line", "GET\r\n\r\n"],
    ["a space in the header name", "GET http://web.test/ HTTP/1.1\r\nBad Header: x\r\n\r\n"],
    ["conflicting framing", `POST http://web.test:1/ HTTP/1.1\r\nHost: web.test:1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
    ["a bare LF request", "GET http://web.test/ HTTP/1.1\nHost: web.test\n\n"],
    ["CONNECT with a path", "CONNECT web.test:443/x HTTP/1.1\r\n\r\n"],
    ["CONNECT with user info", "CONNECT user@web.test:443 HTTP/1.1\r\n\r\n"],
    ["CONNECT with port 0", "CONNECT web.test:0 HTTP/1.1\r\n\r\n"],
    ["CONNECT with port 70000", "CONNECT web.test:70000 HTTP/1.1\r\n\r\n"],
    ["two Host headers", `GET http://web.test:${1}/ HTTP/1.1\r\nHost: web.test:1\r\nHost: evil.test\r\n\r\n`],
  ])("answers 400 to %s and keeps serving", async (_name, payload) => {
    const raw = await rawExchange(proxy.address.port, payload);
    expect(statusOf(raw)).toBe(400);
    const ok = await rawExchange(proxy.address.port, `GET http://web.test:${web.port}/echo HTTP/1.1\r\nHost: web.test:${web.port}\r\nConnection: close\r\n\r\n`);
    expect(statusOf(ok)).toBe(200);
  });

  it("holds no sockets once those clients are gone", async () => {
    await until(async () => { const open = await proxy.openSockets(); return open.clients === 0 && open.upstreams === 0; });
    expect(await proxy.openSockets()).toEqual({ clients: 0, upstreams: 0 });
  });
});

describe("shutdown", () => {
  it("close() ends open tunnels and resolves once every socket is gone", async () => {
    const p = await createProxy({
      port: 0,
      network: network([{ host: "web.test", ports: [web.port], allowedIps: LOOPBACK_OK }]),
      resolver: tableResolver({ "web.test": ["127.0.0.1"] }),
    });
    const socket = connect(p.address.port, "127.0.0.1");
    socket.on("end", () => socket.end()); // a well-behaved client answers FIN with FIN
    await new Promise<void>((resolve) => {
      socket.once("data", () => resolve());
      socket.write(`CONNECT web.test:${web.port} HTTP/1.1\r\n\r\n`);
    });
    expect(await p.openSockets()).toEqual({ clients: 1, upstreams: 1 });
    await p.close();
    expect(await p.openSockets()).toEqual({ clients: 0, upstreams: 0 });
    const refused = await new Promise<string>((resolve) => {
      const s = connect(p.address.port, "127.0.0.1");
      s.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? ""));
      s.on("connect", () => resolve("connected"));
    });
    expect(refused).toBe("ECONNREFUSED");
  });
});
