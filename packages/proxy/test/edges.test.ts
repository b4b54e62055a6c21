// Connection handling under clients and upstreams that misbehave (issue 16), in
// each way the proxy runs: raw sockets on both sides where a library would hide
// what goes over the wire.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestClosedEvent } from "../src/index.js";
import { statusOf, until } from "./support/clients.js";
import { MODES, startIn, type TestProxy } from "./support/modes.js";
import { LOOPBACK_OK, network } from "./support/policy.js";
import { httpApp, sha256Of, startEchoUpstream, type Upstream } from "./support/upstreams.js";

const TOKEN = "edge-token";
const AUTH = `Proxy-Authorization: Basic ${Buffer.from(`cordon:${TOKEN}`).toString("base64")}\r\n`;

let echo: Upstream;
let web: { port: number; accepted(): number; close(): Promise<void> };
/** Requests the held upstream has received, each waiting for release(). */
let held: { req: IncomingMessage; res: ServerResponse }[] = [];
let cutter: { port: number; close(): Promise<void> };
const cutting: Socket[] = [];

beforeAll(async () => {
  echo = await startEchoUpstream();
  // /held answers only when the test says so; everything else is the usual app.
  const app = httpApp("web");
  let accepted = 0;
  const server = createHttpServer((req, res) => {
    if (req.url?.startsWith("/held")) {
      req.resume();
      held.push({ req, res });
      return;
    }
    app(req, res);
  });
  server.on("connection", () => accepted++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  web = {
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
  // An upstream that starts a response without a length; the test resets it later
  // (once the client has seen part of the body, so the reset is not folded into an EOF).
  const tcp = createTcpServer((s) => {
    s.on("error", () => {});
    s.once("data", () => {
      s.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n" + "partial body ".repeat(100));
      cutting.push(s);
    });
  });
  await new Promise<void>((r) => tcp.listen(0, "127.0.0.1", () => r()));
  cutter = { port: (tcp.address() as AddressInfo).port, close: () => new Promise<void>((r) => tcp.close(() => r())) };
});

afterAll(async () => {
  await echo.close();
  await web.close();
  await cutter.close();
});

const policy = () =>
  network([
    { host: "web.test", ports: [web.port, cutter.port], allowedIps: LOOPBACK_OK },
    { host: "echo.test", ports: [echo.port], allowedIps: LOOPBACK_OK },
    { host: "keep.test", ports: [echo.port], allowedIps: LOOPBACK_OK },
  ]);
const hosts = { "web.test": ["127.0.0.1"], "echo.test": ["127.0.0.1"], "keep.test": ["127.0.0.1"] };

/** A raw client: everything it received, and a promise for the connection's end. */
function rawClient(port: number): { socket: Socket; received: () => Buffer; closed: Promise<void> } {
  const socket = connect({ port, host: "127.0.0.1", allowHalfOpen: true });
  const chunks: Buffer[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  socket.on("error", () => {});
  // The proxy is done with us once it ended its side: all its data came before.
  socket.once("end", () => socket.destroy());
  const closed = new Promise<void>((r) => socket.once("close", () => r()));
  return { socket, received: () => Buffer.concat(chunks), closed };
}

/** Splits one HTTP/1.1 response with Content-Length off the front of `buf`. */
function takeResponse(buf: Buffer): { status: number; head: string; body: Buffer; rest: Buffer } {
  const end = buf.indexOf("\r\n\r\n");
  expect(end).toBeGreaterThan(0);
  const head = buf.subarray(0, end).toString("latin1");
  const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1]);
  expect(Number.isInteger(length)).toBe(true);
  const body = buf.subarray(end + 4, end + 4 + length);
  return { status: statusOf(head), head, body, rest: buf.subarray(end + 4 + length) };
}

describe.each(MODES)("connection handling (%s)", (_name, mode) => {
  let proxy: TestProxy;
  beforeAll(async () => {
    proxy = await startIn(mode, { port: 0, token: TOKEN, network: policy(), hosts });
  });
  afterAll(async () => {
    await proxy.close();
  });

  it("records a forwarded request whose client resets before the response, and its end", async () => {
    held = [];
    const client = rawClient(proxy.port);
    client.socket.write(`POST http://web.test:${web.port}/held HTTP/1.1\r\nHost: web.test:${web.port}\r\n${AUTH}Content-Length: 5\r\n\r\nhello`);
    // The request reached the upstream; the client gives up before any answer.
    await until(() => held.length === 1);
    client.socket.resetAndDestroy();
    await client.closed;
    const decision = await proxy.event("decision", (e) => e.method === "POST");
    expect(decision).toMatchObject({ decision: "allow", host: "web.test", port: web.port, address: "127.0.0.1" });
    const closed = await proxy.event("request-closed", (e) => e.id === decision.id);
    expect(closed).toMatchObject({ outcome: "client-aborted", method: "POST", bytesUp: 5, bytesDown: 0 });
    held[0]!.res.end("too late");
  });

  it("records a completed forwarded request with its status and bytes each way", async () => {
    const client = rawClient(proxy.port);
    client.socket.end(`GET http://web.test:${web.port}/bytes/1000 HTTP/1.1\r\nHost: web.test:${web.port}\r\n${AUTH}Connection: close\r\n\r\n`);
    await client.closed;
    expect(takeResponse(client.received()).status).toBe(200);
    const closed: RequestClosedEvent = await proxy.event("request-closed", (e) => e.outcome === "completed" && e.bytesDown === 1000);
    expect(closed).toMatchObject({ status: 200, bytesUp: 0, host: "web.test" });
  });

  it("answers a client that shut its write side after a complete request (half-close)", async () => {
    const client = rawClient(proxy.port);
    client.socket.end(`GET http://web.test:${web.port}/bytes/70000 HTTP/1.1\r\nHost: web.test:${web.port}\r\n${AUTH}\r\n`);
    await client.closed;
    const { status, body, head } = takeResponse(client.received());
    expect(status).toBe(200);
    expect(sha256Of(body)).toBe(/x-sha256: (\w+)/i.exec(head)![1]);
  });

  it("ends the exchange when the client half-closes in the middle of a request body", async () => {
    const from = proxy.events.length;
    const client = rawClient(proxy.port);
    client.socket.end(`POST http://web.test:${web.port}/sha256 HTTP/1.1\r\nHost: web.test:${web.port}\r\n${AUTH}Content-Length: 10\r\n\r\nhalf!`);
    await client.closed;
    const closed = await proxy.event("request-closed", (e) => proxy.events.indexOf(e) >= from);
    expect(closed).toMatchObject({ method: "POST", outcome: "client-aborted" });
    expect(closed.bytesUp).toBeLessThan(10);
  });

  it("does not put an error reply inside a response in flight (pipelined junk after a large GET)", async () => {
    const size = 4 * 1024 * 1024;
    const client = rawClient(proxy.port);
    client.socket.write(`GET http://web.test:${web.port}/bytes/${size} HTTP/1.1\r\nHost: web.test:${web.port}\r\n${AUTH}\r\nthis is junk\r\n\r\n`);
    await client.closed;
    const { status, head, body, rest } = takeResponse(client.received());
    expect(status).toBe(200);
    expect(body.length).toBe(size);
    expect(sha256Of(body)).toBe(/x-sha256: (\w+)/i.exec(head)![1]);
    // The refusal comes after the whole response, or not at all.
    if (rest.length > 0) expect(statusOf(rest.toString("latin1"))).toBe(400);
  });

  it("starts a CONNECT pipelined behind a GET only after the GET's response, in order", async () => {
    const size = 2 * 1024 * 1024;
    const client = rawClient(proxy.port);
    client.socket.write(
      `GET http://web.test:${web.port}/bytes/${size} HTTP/1.1\r\nHost: web.test:${web.port}\r\n${AUTH}\r\n` +
        `CONNECT echo.test:${echo.port} HTTP/1.1\r\nHost: echo.test:${echo.port}\r\n${AUTH}\r\nearly`,
    );
    const established = "HTTP/1.1 200 Connection Established\r\n\r\n";
    await until(() => client.received().length > size && client.received().toString("latin1").endsWith("early"));
    const { status, body, head, rest } = takeResponse(client.received());
    expect(status).toBe(200);
    expect(sha256Of(body)).toBe(/x-sha256: (\w+)/i.exec(head)![1]);
    expect(rest.toString("latin1")).toBe(`${established}early`);
    // The tunnel is a tunnel: bytes go both ways, and a half-close travels through.
    const before = client.received().length;
    client.socket.end("late");
    await client.closed;
    expect(client.received().subarray(before).toString()).toBe("late");
  });

  it("cuts a response without a length short when the upstream resets mid-body (no complete chunked end)", async () => {
    const client = rawClient(proxy.port);
    client.socket.write(`GET http://web.test:${cutter.port}/ HTTP/1.1\r\nHost: web.test:${cutter.port}\r\n${AUTH}\r\n`);
    await until(() => client.received().includes("partial body partial body"));
    cutting.pop()!.resetAndDestroy();
    await client.closed;
    const text = client.received().toString("latin1");
    expect(statusOf(text)).toBe(200);
    expect(text).toMatch(/transfer-encoding: chunked/i);
    expect(text.endsWith("\r\n0\r\n\r\n")).toBe(false);
    const closed = await proxy.event("request-closed", (e) => e.port === cutter.port);
    expect(closed).toMatchObject({ outcome: "upstream-failed", status: 200, reason: "upstream-unreachable" });
  });

  it("answers Expect: 100-continue only after the token and policy checks", async () => {
    const ask = async (target: string, auth: string) => {
      const client = rawClient(proxy.port);
      client.socket.write(`POST ${target} HTTP/1.1\r\nHost: ${new URL(target).host}\r\n${auth}Content-Length: 5\r\nExpect: 100-continue\r\n\r\n`);
      await until(() => client.received().includes("\r\n\r\n"));
      const first = client.received().toString("latin1");
      if (statusOf(first) === 100) {
        client.socket.end("hello");
        await client.closed;
      } else {
        client.socket.destroy();
      }
      return { first: statusOf(first), all: client.received().toString("latin1") };
    };
    expect((await ask(`http://web.test:${web.port}/sha256`, "")).first).toBe(407);
    expect((await ask(`http://denied.test:${web.port}/sha256`, AUTH)).first).toBe(403);
    const ok = await ask(`http://web.test:${web.port}/sha256`, `${AUTH}Connection: close\r\n`);
    expect(ok.first).toBe(100);
    expect(ok.all).toContain(JSON.stringify({ sha256: sha256Of(Buffer.from("hello")), length: 5 }));
  });

  it("refuses a request line without an HTTP version instead of forwarding it", async () => {
    const before = web.accepted();
    const client = rawClient(proxy.port);
    client.socket.write(`GET http://web.test:${web.port}/echo\r\nHost: web.test:${web.port}\r\n${AUTH}\r\n`);
    await client.closed;
    expect(statusOf(client.received().toString("latin1"))).toBe(400);
    expect(web.accepted()).toBe(before);
  });

  it("update({ closeTunnels }) cuts the tunnels to a removed host and keeps the others", async () => {
    const open = async (host: string) => {
      const client = rawClient(proxy.port);
      client.socket.write(`CONNECT ${host}:${echo.port} HTTP/1.1\r\nHost: ${host}:${echo.port}\r\n${AUTH}\r\nping`);
      await until(() => client.received().toString().endsWith("ping"));
      return client;
    };
    const removed = await open("echo.test");
    const kept = await open("keep.test");
    const cut = await proxy.update(network([{ host: "keep.test", ports: [echo.port], allowedIps: LOOPBACK_OK }]), { closeTunnels: true });
    try {
      expect(cut).toBe(1);
      await removed.closed;
      const before = kept.received().length;
      kept.socket.write("still");
      await until(() => kept.received().subarray(before).toString() === "still");
      kept.socket.end();
      await kept.closed;
    } finally {
      await proxy.update(policy());
    }
  });
});

describe.each(MODES.filter(([, m]) => m.relay === "js"))("unauthenticated connections (%s)", (_name, mode) => {
  it("do not count against maxConnections: silent ones beyond their own budget make room", async () => {
    const proxy = await startIn(mode, { port: 0, token: TOKEN, network: policy(), hosts, limits: { maxConnections: 2, maxPendingConnections: 4 } });
    const silent: ReturnType<typeof rawClient>[] = [];
    try {
      for (let i = 0; i < 12; i++) {
        const c = rawClient(proxy.port);
        await new Promise((r) => c.socket.once("connect", r));
        silent.push(c);
      }
      // The oldest silent connections were closed to keep the budget.
      let closedCount = 0;
      for (const c of silent) void c.closed.then(() => closedCount++);
      await until(() => closedCount >= 8);
      // The sandbox's own request still gets through.
      const client = rawClient(proxy.port);
      client.socket.end(`GET http://web.test:${web.port}/bytes/10 HTTP/1.1\r\nHost: web.test:${web.port}\r\n${AUTH}Connection: close\r\n\r\n`);
      await client.closed;
      expect(takeResponse(client.received()).status).toBe(200);
    } finally {
      for (const c of silent) c.socket.destroy();
      await proxy.close();
    }
  });
});

describe("Proxy-Authorization", () => {
  it("refuses junk after the base64 padding", async () => {
    const proxy = await startIn({ worker: false, relay: "js" }, { port: 0, token: "abc", network: policy(), hosts });
    try {
      const encoded = Buffer.from("cordon:abc").toString("base64");
      expect(encoded.endsWith("=")).toBe(true);
      const ask = async (credentials: string) => {
        const client = rawClient(proxy.port);
        client.socket.write(`GET http://web.test:${web.port}/bytes/1 HTTP/1.1\r\nHost: web.test:${web.port}\r\nProxy-Authorization: Basic ${credentials}\r\nConnection: close\r\n\r\n`);
        await client.closed;
        return statusOf(client.received().toString("latin1"));
      };
      expect(await ask(encoded)).toBe(200);
      expect(await ask(`${encoded}junk`)).toBe(407);
      expect(await ask(`${encoded}QUFB`)).toBe(407);
      // Same bytes to a lenient decoder (the padding bits differ): not the canonical encoding.
      const sloppy = `${encoded.slice(0, -3)}${String.fromCharCode(encoded.charCodeAt(encoded.length - 3) + 1)}==`;
      expect(Buffer.from(sloppy, "base64").toString()).toBe("cordon:abc");
      expect(await ask(sloppy)).toBe(407);
    } finally {
      await proxy.close();
    }
  });
});

