import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProxyAgent, request } from "undici";
import { createProxy, type CordonProxy, type TunnelClosedEvent } from "../src/index.js";
import { makeTestCa, type TestCa } from "./support/ca.js";
import { curl, openTunnel, until } from "./support/clients.js";
import { LOOPBACK_OK, network, tableResolver } from "./support/policy.js";
import { RELAYS, nativeRelaysActive, openFds } from "./support/relays.js";
import { patternBytes, sha256Of, startEchoUpstream, startHttpsUpstream, type Upstream } from "./support/upstreams.js";

let ca: TestCa;
let tls: Upstream;
let echo: Upstream;

beforeAll(async () => {
  ca = makeTestCa();
  tls = await startHttpsUpstream(ca);
  echo = await startEchoUpstream();
});

afterAll(async () => {
  await tls.close();
  await echo.close();
  ca.cleanup();
});

const options = (tunnelRelay: "splice" | undefined) => ({
  port: 0,
  network: network([
    { host: "secure.test", ports: [tls.port], allowedIps: LOOPBACK_OK },
    { host: "echo.test", ports: [echo.port], allowedIps: LOOPBACK_OK },
  ]),
  resolver: tableResolver({ "secure.test": ["127.0.0.1"], "echo.test": ["127.0.0.1"] }),
  ...(tunnelRelay && { tunnelRelay }),
});

describe.each(RELAYS)("CONNECT tunnels (%s relay)", (_name, tunnelRelay) => {
  let proxy: CordonProxy;
  beforeAll(async () => {
    proxy = await createProxy(options(tunnelRelay));
  });
  afterAll(async () => {
    await proxy.close();
  });

  it("carries https for curl, with the upstream's certificate verified end to end", async () => {
    const res = await curl(["--cacert", ca.caFile, "-x", proxy.url(), `https://secure.test:${tls.port}/echo`]);
    expect(res.stderr).toBe("");
    const body = JSON.parse(res.stdout);
    expect(body.server).toBe("tls");
    expect(body.headers.host).toBe(`secure.test:${tls.port}`);
  });

  it("carries https for undici's ProxyAgent", async () => {
    const agent = new ProxyAgent({ uri: proxy.url(), requestTls: { ca: ca.caCert } });
    try {
      const res = await request(`https://secure.test:${tls.port}/echo`, { dispatcher: agent });
      expect(res.statusCode).toBe(200);
      expect(((await res.body.json()) as { server: string }).server).toBe("tls");
    } finally {
      await agent.close();
    }
  });

  it("forwards bytes sent together with the CONNECT head", async () => {
    const { socket, status } = await openTunnel(proxy.address.port, `echo.test:${echo.port}`);
    socket.destroy();
    expect(status).toBe(200);
    // Now with payload in the same write as the head: it must arrive first, intact.
    const net = await import("node:net");
    const got = await new Promise<string>((resolve) => {
      const s = net.connect(proxy.address.port, "127.0.0.1");
      let buf = "";
      s.on("data", (c) => {
        buf += c.toString("latin1");
        if (buf.endsWith("early-bytes")) {
          s.destroy();
          resolve(buf);
        }
      });
      s.write(`CONNECT echo.test:${echo.port} HTTP/1.1\r\nHost: echo.test\r\n\r\nearly-bytes`);
    });
    expect(got).toMatch(/^HTTP\/1\.1 200 .*\r\n\r\nearly-bytes$/s);
  });

  it("moves 20 MiB each way byte-exact, half-closes cleanly and reports the byte counts", async () => {
    const size = 20 * 1024 * 1024;
    const payload = patternBytes(size);
    // Earlier tests' tunnels may close meanwhile: wait for the one carrying this payload.
    const closed = new Promise<TunnelClosedEvent>((resolve) => {
      const onClosed = (e: TunnelClosedEvent) => {
        if (e.bytesUp < size) return;
        proxy.off("tunnel-closed", onClosed);
        resolve(e);
      };
      proxy.on("tunnel-closed", onClosed);
    });
    const { socket, rest } = await openTunnel(proxy.address.port, `echo.test:${echo.port}`);
    const hash = createHash("sha256").update(rest);
    let received = rest.length;
    const done = new Promise<void>((resolve) => {
      socket.on("data", (c: Buffer) => {
        hash.update(c);
        received += c.length;
      });
      socket.on("end", () => resolve());
    });
    socket.resume();
    socket.end(payload); // half-close: the echo server must still send everything back
    await done;
    socket.destroy();
    expect(received).toBe(size);
    expect(hash.digest("hex")).toBe(sha256Of(payload));
    const event = await closed;
    expect(event).toMatchObject({ host: "echo.test", port: echo.port, bytesUp: size, bytesDown: size });
    expect(event.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("leaks no sockets when a client vanishes mid-tunnel", async () => {
    await until(async () => (await proxy.openSockets()).clients === 0 && echo.open() === 0);
    const fdsBefore = openFds();
    const before = echo.accepted();
    const tunnels = await Promise.all([1, 2, 3].map(() => openTunnel(proxy.address.port, `echo.test:${echo.port}`)));
    expect(echo.accepted()).toBe(before + 3);
    for (const { socket } of tunnels) {
      socket.write(patternBytes(64 * 1024));
      socket.resetAndDestroy();
    }
    await until(async () => { const open = await proxy.openSockets(); return open.clients === 0 && open.upstreams === 0 && echo.open() === 0; });
    expect(await proxy.openSockets()).toEqual({ clients: 0, upstreams: 0 });
    expect(nativeRelaysActive()).toBe(0);
    expect(openFds()).toBe(fdsBefore);
  });

  it("close() ends open tunnels, in the middle of a transfer too, and resolves once they are gone", async () => {
    const p = await createProxy(options(tunnelRelay));
    const closedEvents: TunnelClosedEvent[] = [];
    p.on("tunnel-closed", (e) => closedEvents.push(e));
    const idle = await openTunnel(p.address.port, `echo.test:${echo.port}`);
    const busy = await openTunnel(p.address.port, `echo.test:${echo.port}`);
    for (const { socket } of [idle, busy]) {
      socket.on("error", () => {}); // a busy tunnel may end with a reset
      socket.on("end", () => socket.end()); // a well-behaved client answers FIN with FIN
      socket.resume();
    }
    busy.socket.write(patternBytes(4 * 1024 * 1024));
    // The native relay really carries them (the hand-over completes asynchronously).
    if (tunnelRelay) await until(() => nativeRelaysActive() === 2);
    const ended = [idle, busy].map(({ socket }) => new Promise((r) => socket.once("close", r)));
    expect(await p.openSockets()).toEqual({ clients: 2, upstreams: 2 });
    await p.close();
    expect(await p.openSockets()).toEqual({ clients: 0, upstreams: 0 });
    await Promise.all(ended);
    expect(closedEvents.length).toBe(2);
  });

  it("keeps an open tunnel through update() while new requests follow the new allowlist", async () => {
    const { socket } = await openTunnel(proxy.address.port, `echo.test:${echo.port}`);
    socket.resume();
    await proxy.update(network([{ host: "secure.test", ports: [tls.port], allowedIps: LOOPBACK_OK }]));
    try {
      const refused = await openTunnel(proxy.address.port, `echo.test:${echo.port}`);
      refused.socket.destroy();
      expect(refused.status).toBe(403);
      const echoed = await new Promise<string>((resolve) => {
        socket.once("data", (c: Buffer) => resolve(c.toString()));
        socket.write("still-here");
      });
      expect(echoed).toBe("still-here");
    } finally {
      socket.destroy();
      await proxy.update(
        network([
          { host: "secure.test", ports: [tls.port], allowedIps: LOOPBACK_OK },
          { host: "echo.test", ports: [echo.port], allowedIps: LOOPBACK_OK },
        ]),
      );
    }
  });
});
