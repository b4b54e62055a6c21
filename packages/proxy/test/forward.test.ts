import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProxyAgent, request } from "undici";
import { createProxy, type CordonProxy } from "../src/index.js";
import { bodyOf, curl, rawExchange, statusOf } from "./support/clients.js";
import { LOOPBACK_OK, network, tableResolver } from "./support/policy.js";
import { patternBytes, sha256Of, startHttpUpstream, type Upstream } from "./support/upstreams.js";

let web: Upstream;
let proxy: CordonProxy;
let agent: ProxyAgent;

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  rawHeaders: string[];
}

beforeAll(async () => {
  web = await startHttpUpstream();
  proxy = await createProxy({
    port: 0,
    network: network([{ host: "web.test", ports: [web.port], allowedIps: LOOPBACK_OK }]),
    resolver: tableResolver({ "web.test": ["127.0.0.1"] }),
    limits: { upstreamHeadersTimeoutMs: 300 },
  });
  // proxyTunnel: false makes undici send absolute-form requests instead of CONNECT.
  agent = new ProxyAgent({ uri: proxy.url(), proxyTunnel: false });
});

afterAll(async () => {
  await agent.close();
  await proxy.close();
  await web.close();
});

describe("plain http:// forwarding", () => {
  it("forwards undici's absolute-form request in origin-form, Host kept, Via added", async () => {
    const res = await request(`http://web.test:${web.port}/echo?q=1`, { dispatcher: agent, headers: { "x-custom": "yes" } });
    expect(res.statusCode).toBe(200);
    const echo = (await res.body.json()) as Echo;
    expect(echo.url).toBe("/echo?q=1");
    expect(echo.headers.host).toBe(`web.test:${web.port}`);
    expect(echo.headers["x-custom"]).toBe("yes");
    expect(echo.headers.via).toBe("1.1 cordon");
    expect(res.headers.via).toBe("1.1 cordon");
  });

  it("strips hop-by-hop headers and Proxy-Authorization both ways", async () => {
    const raw = await rawExchange(
      proxy.address.port,
      `GET http://web.test:${web.port}/echo HTTP/1.1\r\nHost: web.test:${web.port}\r\nProxy-Authorization: Basic Zm9vOmJhcg==\r\n` +
        `Connection: close, x-drop-me\r\nX-Drop-Me: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nX-Keep: 2\r\n\r\n`,
    );
    expect(statusOf(raw)).toBe(200);
    const echo = bodyOf(raw.replace(/\r\n[0-9a-f]+\r\n/i, "\r\n").replace(/\r\n0\r\n\r\n$/, "")) as unknown as Echo;
    const names = echo.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(names).not.toContain("proxy-authorization");
    expect(names).not.toContain("x-drop-me");
    expect(names).not.toContain("keep-alive");
    expect(names).not.toContain("te");
    expect(echo.headers["x-keep"]).toBe("2");
    // The upstream named x-upstream-hop in its Connection header: it must not reach the client.
    expect(raw.toLowerCase()).not.toContain("x-upstream-hop");
  });

  it("works for curl", async () => {
    const res = await curl(["-x", proxy.url(), `http://web.test:${web.port}/echo`]);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).headers.host).toBe(`web.test:${web.port}`);
  });

  it("streams 20 MiB request and response bodies byte-exact", async () => {
    const size = 20 * 1024 * 1024;
    const payload = patternBytes(size);
    const up = await request(`http://web.test:${web.port}/sha256`, { dispatcher: agent, method: "POST", body: payload });
    expect(await up.body.json()).toEqual({ sha256: sha256Of(payload), length: size });
    const down = await request(`http://web.test:${web.port}/bytes/${size}`, { dispatcher: agent });
    const body = Buffer.from(await down.body.arrayBuffer());
    expect(body.length).toBe(size);
    expect(sha256Of(body)).toBe(down.headers["x-sha256"]);
  });

  it("refuses a Host header that disagrees with the URL", async () => {
    const before = web.accepted();
    const raw = await rawExchange(proxy.address.port, `GET http://web.test:${web.port}/echo HTTP/1.1\r\nHost: other.test\r\n\r\n`);
    expect(statusOf(raw)).toBe(400);
    expect(raw).toContain("X-Cordon-Reason: bad-request");
    expect(web.accepted()).toBe(before);
  });

  it("refuses https:// in absolute-form (CONNECT is the way)", async () => {
    const raw = await rawExchange(proxy.address.port, `GET https://web.test:${web.port}/ HTTP/1.1\r\nHost: web.test:${web.port}\r\n\r\n`);
    expect(statusOf(raw)).toBe(400);
    expect(bodyOf(raw).message).toMatch(/CONNECT/);
  });

  it("answers origin-form requests to the proxy itself with 400", async () => {
    const raw = await rawExchange(proxy.address.port, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    expect(statusOf(raw)).toBe(400);
    expect(bodyOf(raw).error).toBe("bad-request");
  });

  it("answers 504 upstream-timeout when the upstream never sends a response", async () => {
    const res = await request(`http://web.test:${web.port}/hang`, { dispatcher: agent });
    expect(res.statusCode).toBe(504);
    expect(res.headers["x-cordon-reason"]).toBe("upstream-timeout");
    await res.body.dump();
  });
});
