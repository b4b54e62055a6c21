import { createServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProxy, REASONS, type CordonProxy, type RefusalReason } from "../src/index.js";
import type { DecisionEvent } from "../src/index.js";
import { startBlackHole, type BlackHole } from "./support/blackhole.js";
import { bodyOf, rawExchange, statusOf, until } from "./support/clients.js";
import { LOOPBACK_OK, network, tableResolver } from "./support/policy.js";
import { startHttpUpstream, type Upstream } from "./support/upstreams.js";

let web: Upstream;
let hole: BlackHole;
let closedPort: number;
let proxy: CordonProxy;

async function freePortThenClose(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

beforeAll(async () => {
  web = await startHttpUpstream();
  hole = await startBlackHole();
  closedPort = await freePortThenClose();
  proxy = await createProxy({
    port: 0,
    network: network(
      [
        { host: "*.web.test", ports: [web.port] },
        { host: "web.test", ports: [web.port, closedPort, hole.port], allowedIps: LOOPBACK_OK },
        { host: "internal.test", ports: [443] },
        { host: "nxdomain.test", ports: [443] },
      ],
      [{ host: "blocked.web.test" }],
    ),
    resolver: tableResolver({ "web.test": ["127.0.0.1"], "internal.test": ["10.1.2.3"] }),
    limits: { connectTimeoutMs: 300, upstreamHeadersTimeoutMs: 300 },
  });
});

afterAll(async () => {
  await proxy.close();
  await web.close();
  await hole.close();
});

async function connectStatus(target: string): Promise<string> {
  return rawExchange(proxy.address.port, `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
}

function expectRefusal(raw: string, reason: RefusalReason, status: number = REASONS[reason]) {
  expect(statusOf(raw)).toBe(status);
  expect(raw).toContain(`X-Cordon-Reason: ${reason}\r\n`);
  expect(raw).toContain("Connection: close\r\n");
  expect(bodyOf(raw)).toMatchObject({ error: reason });
  expect(typeof bodyOf(raw).message).toBe("string");
}

describe("refusals", () => {
  it("host-not-allowed", async () => {
    const raw = await connectStatus("nope.test:443");
    expectRefusal(raw, "host-not-allowed");
    expect(bodyOf(raw)).toMatchObject({ host: "nope.test", port: 443 });
  });

  it("host-denied names the deny rule", async () => {
    const raw = await connectStatus(`blocked.web.test:${web.port}`);
    expectRefusal(raw, "host-denied");
    expect(bodyOf(raw).rule).toBe("blocked.web.test");
  });

  it("port-not-allowed", async () => {
    const raw = await connectStatus("web.test:22");
    expectRefusal(raw, "port-not-allowed");
    expect(bodyOf(raw).rule).toBeTruthy();
  });

  it("invalid-host", async () => {
    expectRefusal(await connectStatus("bad_host!.test:443"), "invalid-host");
  });

  it("resolves-to-blocked-address for a name pointing into a private range, naming the address in the event", async () => {
    const seen: DecisionEvent[] = [];
    const onDecision = (e: DecisionEvent) => seen.push(e);
    proxy.on("decision", onDecision);
    try {
      const raw = await connectStatus("internal.test:443");
      expectRefusal(raw, "resolves-to-blocked-address");
      expect(bodyOf(raw).message).toContain("10.1.2.3");
      expect(seen.find((e) => e.host === "internal.test")).toMatchObject({ decision: "deny", reason: "resolves-to-blocked-address", address: "10.1.2.3" });
    } finally {
      proxy.off("decision", onDecision);
    }
  });

  it("dns-failure", async () => {
    expectRefusal(await connectStatus("nxdomain.test:443"), "dns-failure");
  });

  it("upstream-unreachable (connection refused)", async () => {
    expectRefusal(await connectStatus(`web.test:${closedPort}`), "upstream-unreachable");
  });

  it("upstream-unreachable for a forwarded plain-HTTP request", async () => {
    const raw = await rawExchange(proxy.address.port, `GET http://web.test:${closedPort}/ HTTP/1.1\r\nHost: web.test:${closedPort}\r\n\r\n`);
    expectRefusal(raw, "upstream-unreachable");
  });

  it("upstream-timeout when the TCP handshake never completes", async () => {
    expectRefusal(await connectStatus(`web.test:${hole.port}`), "upstream-timeout");
  });

  it("upstream-timeout when a plain-HTTP upstream never answers", async () => {
    const raw = await rawExchange(proxy.address.port, `GET http://web.test:${web.port}/hang HTTP/1.1\r\nHost: web.test:${web.port}\r\n\r\n`);
    expectRefusal(raw, "upstream-timeout");
  });

  it("bad-request for a CONNECT target without a port", async () => {
    expectRefusal(await connectStatus("web.test"), "bad-request");
  });

  it("method-not-allowed for TRACE", async () => {
    const raw = await rawExchange(proxy.address.port, `TRACE http://web.test:${web.port}/ HTTP/1.1\r\nHost: web.test:${web.port}\r\n\r\n`);
    expectRefusal(raw, "method-not-allowed");
  });

  it("auth-required (407 with Proxy-Authenticate) without the run's token", async () => {
    const guarded = await createProxy({ port: 0, token: "s3cret", network: network([]) });
    try {
      const raw = await rawExchange(guarded.address.port, "CONNECT web.test:443 HTTP/1.1\r\nHost: web.test:443\r\n\r\n");
      expectRefusal(raw, "auth-required");
      expect(raw).toContain('Proxy-Authenticate: Basic realm="cordon"');
    } finally {
      await guarded.close();
    }
  });

  it("too-many-connections beyond limits.maxConnections (connections that showed the token)", async () => {
    const small = await createProxy({
      port: 0,
      network: network([{ host: "web.test", ports: [web.port], allowedIps: LOOPBACK_OK }]),
      resolver: tableResolver({ "web.test": ["127.0.0.1"] }),
      limits: { maxConnections: 1 },
    });
    try {
      const net = await import("node:net");
      // A keep-alive connection that made a request holds the only slot.
      const holder = net.connect(small.address.port, "127.0.0.1");
      await new Promise<void>((resolve) => {
        let buf = "";
        holder.on("data", (c) => {
          buf += c.toString("latin1");
          if (buf.endsWith("\r\n0\r\n\r\n")) resolve(); // the echo answer is chunked
        });
        holder.write(`GET http://web.test:${web.port}/echo HTTP/1.1\r\nHost: web.test:${web.port}\r\n\r\n`);
      });
      const raw = await rawExchange(small.address.port, "CONNECT nope.test:443 HTTP/1.1\r\nHost: nope.test\r\n\r\n");
      expectRefusal(raw, "too-many-connections");
      holder.destroy();
      await until(async () => (await small.openSockets()).clients === 0);
      expect(statusOf(await rawExchange(small.address.port, "CONNECT nope.test:443 HTTP/1.1\r\nHost: nope.test\r\n\r\n"))).toBe(403);
    } finally {
      await small.close();
    }
  });

  it("counts every refusal by reason", async () => {
    const { byReason, denied } = await proxy.stats();
    expect(denied).toBeGreaterThanOrEqual(11);
    for (const reason of ["host-not-allowed", "host-denied", "port-not-allowed", "invalid-host", "resolves-to-blocked-address", "dns-failure", "upstream-unreachable", "upstream-timeout", "bad-request", "method-not-allowed"] as const) {
      expect(byReason[reason], reason).toBeGreaterThanOrEqual(1);
    }
  });
});
