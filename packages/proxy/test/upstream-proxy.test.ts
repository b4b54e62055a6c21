import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProxy, type CordonProxy, type DecisionEvent } from "../src/index.js";
import { parseUpstreamProxy } from "../src/upstream-proxy.js";
import { curl } from "./support/clients.js";
import { LOOPBACK_OK, network, tableResolver } from "./support/policy.js";
import { startHttpUpstream, type Upstream } from "./support/upstreams.js";

// Chaining: `child` decides its own allowlist, then connects through `parent`
// (a corporate proxy, or an outer cordon's), which resolves the name and applies
// its own policy. Real curl through both hops.
let web: Upstream;
let parent: CordonProxy;
let child: CordonProxy;
const parentSaw: DecisionEvent[] = [];

beforeAll(async () => {
  web = await startHttpUpstream();
  parent = await createProxy({
    port: 0,
    token: "parent-token",
    network: network([
      { host: "web.test", ports: [web.port], allowedIps: LOOPBACK_OK },
      { host: "parent-only.test", ports: [web.port], allowedIps: LOOPBACK_OK },
    ]),
    resolver: tableResolver({ "web.test": ["127.0.0.1"], "parent-only.test": ["127.0.0.1"], "child-only.test": ["127.0.0.1"] }),
  });
  parent.on("decision", (e) => parentSaw.push(e));
  child = await createProxy({
    port: 0,
    upstreamProxy: parent.url(),
    network: network([
      { host: "web.test", ports: [web.port] },
      { host: "child-only.test", ports: [web.port] },
    ]),
    // The child never resolves names when chained: a resolver that always fails proves it.
    resolver: tableResolver({}),
  });
});

afterAll(async () => {
  await child.close();
  await parent.close();
  await web.close();
});

describe("upstreamProxy", () => {
  it("tunnels an allowed CONNECT through the parent (the parent resolves the name)", async () => {
    const r = await curl(["-p", "-x", child.url(), `http://web.test:${web.port}/echo`]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).server).toBe("plain");
    expect(parentSaw.some((e) => e.method === "CONNECT" && e.host === "web.test" && e.decision === "allow")).toBe(true);
  });

  it("forwards plain HTTP through the parent", async () => {
    const r = await curl(["-x", child.url(), `http://web.test:${web.port}/echo`]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).url).toBe("/echo");
  });

  it("refuses what its own allowlist refuses, without asking the parent", async () => {
    const before = parentSaw.length;
    const r = await curl(["-p", "-o", "/dev/null", "-w", "%{http_connect}", "-x", child.url(), `http://parent-only.test:${web.port}/`]);
    expect(r.stdout).toBe("403");
    expect(parentSaw.length).toBe(before);
  });

  it("reports the parent's refusal as upstream-unreachable with the parent's reason", async () => {
    const seen: DecisionEvent[] = [];
    child.on("decision", (e) => seen.push(e));
    const raw = await curl(["-p", "-s", "-o", "/dev/null", "-w", "%{http_connect}", "-x", child.url(), `http://child-only.test:${web.port}/`]);
    expect(raw.stdout).toBe("502");
    expect(seen.at(-1)).toMatchObject({ decision: "deny", reason: "upstream-unreachable", host: "child-only.test" });
  });
});

describe("parseUpstreamProxy", () => {
  it("takes credentials from the URL", () => {
    expect(parseUpstreamProxy("http://cordon:t0k@127.0.0.1:3128")).toEqual({
      host: "127.0.0.1",
      port: 3128,
      authorization: `Basic ${Buffer.from("cordon:t0k").toString("base64")}`,
      display: "http://127.0.0.1:3128",
    });
  });

  it.each(["https://proxy:3128", "socks5://proxy:1080", "proxy:3128", "http://proxy:3128/path"])("refuses %j clearly", (text) => {
    expect(() => parseUpstreamProxy(text)).toThrow(/upstream proxy/);
  });
});
