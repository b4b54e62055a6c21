import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProxy, type DecisionEvent, type ProxyEvent } from "../src/index.js";
import { openTunnel, rawExchange } from "./support/clients.js";
import { LOOPBACK_OK, network, tableResolver } from "./support/policy.js";
import { startEchoUpstream, type Upstream } from "./support/upstreams.js";

let echo: Upstream;
let dir: string;

beforeAll(async () => {
  echo = await startEchoUpstream();
  dir = mkdtempSync(join(tmpdir(), "cordon-proxy-audit-"));
});

afterAll(async () => {
  await echo.close();
  rmSync(dir, { recursive: true, force: true });
});

const options = () => ({
  port: 0,
  network: network([{ host: "echo.test", ports: [echo.port], allowedIps: LOOPBACK_OK }]),
  resolver: tableResolver({ "echo.test": ["127.0.0.1"] }),
});

describe("events, stats and the audit log", () => {
  it("emits decision and tunnel-closed events and writes them as JSON lines to a file", async () => {
    const file = join(dir, "audit.jsonl");
    const proxy = await createProxy({ ...options(), auditLog: file });
    const decisions: DecisionEvent[] = [];
    proxy.on("decision", (e) => decisions.push(e));
    const { socket } = await openTunnel(proxy.address.port, `echo.test:${echo.port}`);
    await new Promise<void>((resolve) => {
      socket.once("data", () => resolve());
      socket.resume();
      socket.write("ping");
    });
    socket.end();
    await rawExchange(proxy.address.port, "CONNECT denied.test:443 HTTP/1.1\r\n\r\n");
    await proxy.close();

    expect(decisions).toEqual([
      expect.objectContaining({ method: "CONNECT", host: "echo.test", port: echo.port, address: "127.0.0.1", decision: "allow", status: 200, rule: expect.any(String) }),
      expect.objectContaining({ method: "CONNECT", host: "denied.test", port: 443, decision: "deny", reason: "host-not-allowed", status: 403 }),
    ]);
    const lines = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as ProxyEvent);
    expect(lines.map((l) => l.type).sort()).toEqual(["decision", "decision", "tunnel-closed"]);
    const closed = lines.find((l) => l.type === "tunnel-closed");
    expect(closed).toMatchObject({ id: decisions[0]!.id, host: "echo.test", bytesUp: 4, bytesDown: 4 });
    expect(Number.isNaN(Date.parse(lines[0]!.time))).toBe(false);
  });

  it("writes to a stream and counts by reason and host", async () => {
    const stream = new PassThrough();
    let text = "";
    stream.on("data", (c) => (text += c));
    const proxy = await createProxy({ ...options(), auditLog: stream });
    await rawExchange(proxy.address.port, "CONNECT a.test:443 HTTP/1.1\r\n\r\n");
    await rawExchange(proxy.address.port, "CONNECT a.test:443 HTTP/1.1\r\n\r\n");
    await rawExchange(proxy.address.port, `CONNECT echo.test:22 HTTP/1.1\r\n\r\n`);
    await proxy.close();
    expect(await proxy.stats()).toEqual({
      allowed: 0,
      denied: 3,
      byReason: { "host-not-allowed": 2, "port-not-allowed": 1 },
      byHost: { "a.test": { allowed: 0, denied: 2 }, "echo.test": { allowed: 0, denied: 1 } },
    });
    expect(text.trim().split("\n")).toHaveLength(3);
  });
});

describe("listening on ::1", () => {
  it("serves IPv6 loopback and formats its URL with brackets", async () => {
    const proxy = await createProxy({ ...options(), host: "::1" });
    try {
      expect(proxy.url()).toBe(`http://[::1]:${proxy.address.port}`);
      const { status, socket } = await openTunnel(proxy.address.port, `echo.test:${echo.port}`, "", "::1");
      socket.destroy();
      expect(status).toBe(200);
    } finally {
      await proxy.close();
    }
  });

});

describe("stats keys", () => {
  it("keeps malformed requests out of byHost and treats odd host names as plain keys", async () => {
    const proxy = await createProxy(options());
    await rawExchange(proxy.address.port, "\x00garbage\r\n\r\n");
    await rawExchange(proxy.address.port, "CONNECT __proto__:443 HTTP/1.1\r\n\r\n");
    await proxy.close();
    const stats = await proxy.stats();
    expect(stats.denied).toBe(2);
    expect(Object.keys(stats.byHost)).toEqual(["__proto__"]);
  });
});
