import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAddress, createProxy, type CordonProxy, type HostMatcher } from "../src/index.js";
import { bodyOf, rawExchange, statusOf } from "./support/clients.js";
import { LOOPBACK_OK, network, tableResolver } from "./support/policy.js";
import { startHttpUpstream, type Upstream } from "./support/upstreams.js";

describe("checkAddress", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.1.2", "loopback"],
    ["::1", "loopback"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["169.254.169.254", "cloud-metadata"],
    ["100.100.100.200", "cloud-metadata"],
    ["fd00:ec2::254", "cloud-metadata"],
    ["169.254.10.10", "link-local"],
    ["fe80::1", "link-local"],
    ["10.0.0.1", "private"],
    ["172.16.5.4", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "shared-address-space"],
    ["fc00::1", "private"],
    ["224.0.0.1", "multicast"],
    ["ff02::1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["::ffff:127.0.0.1", "loopback (ipv4-mapped)"],
    ["::ffff:169.254.169.254", "cloud-metadata (ipv4-mapped)"],
    ["64:ff9b::a9fe:a9fe", "cloud-metadata (nat64)"],
    ["64:ff9b::7f00:1", "loopback (nat64)"],
    ["2002:7f00:1::1", "loopback (6to4)"],
  ])("refuses %s (%s) without allowedIps", (address, category) => {
    expect(checkAddress(address, [])).toEqual({ allowed: false, category });
  });

  it.each(["93.184.215.14", "2606:4700::1111", "64:ff9b::5db8:d70e", "::ffff:8.8.8.8"])("lets public %s through", (address) => {
    expect(checkAddress(address, [])).toEqual({ allowed: true });
  });

  it("lets a covered address through, including its mapped form, and nothing next to it", () => {
    expect(checkAddress("10.1.2.3", ["10.0.0.0/8"]).allowed).toBe(true);
    expect(checkAddress("::ffff:127.0.0.1", ["127.0.0.1/32"]).allowed).toBe(true);
    expect(checkAddress("127.0.0.2", ["127.0.0.1/32"]).allowed).toBe(false);
    expect(checkAddress("169.254.169.254", ["10.0.0.0/8"]).allowed).toBe(false);
  });
});

describe("the guard in front of real connections", () => {
  let web: Upstream;
  let secret: Upstream;
  let proxy: CordonProxy;
  let permissive: CordonProxy;
  const flipping = Object.assign(
    async () => {
      flipping.calls++;
      // First answer passes (allowedIps covers it); every later one points elsewhere.
      return [{ address: flipping.calls === 1 ? "127.0.0.1" : "127.0.0.2", family: 4 as const }];
    },
    { calls: 0 },
  );

  beforeAll(async () => {
    web = await startHttpUpstream("127.0.0.1", "web");
    secret = await startHttpUpstream("127.0.0.2", "secret");
    const names = tableResolver({ "loopback.test": ["127.0.0.1"], "mixed.test": ["93.184.215.14", "127.0.0.1"] });
    proxy = await createProxy({
      port: 0,
      network: network([
        { host: "loopback.test", ports: [web.port] },
        { host: "mixed.test", ports: [web.port], allowedIps: [] },
        { host: "*.example.test", ports: [web.port] },
      ]),
      resolver: names,
    });
    // A matcher that allows every host, with no SSRF exemptions: only the guard stands in the way.
    const allowAll: HostMatcher = { decide: (host) => ({ allowed: true, host, rule: "*", allowedIps: [], isIpLiteral: false }) };
    permissive = await createProxy({ port: 0, matcher: allowAll, resolver: names });
  });

  afterAll(async () => {
    await proxy.close();
    await permissive.close();
    await web.close();
    await secret.close();
  });

  const connect = (p: CordonProxy, target: string) => rawExchange(p.address.port, `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);

  it.each(["127.1", "2130706433", "0x7f000001", "0177.0.0.1", "[::ffff:127.0.0.1]", "[::1]", "loopback.test"])(
    "refuses %s even when the allowlist lets every name through",
    async (host) => {
      const raw = await connect(permissive, `${host}:${web.port}`);
      expect(statusOf(raw)).toBe(403);
      expect(bodyOf(raw).error).toBe("resolves-to-blocked-address");
    },
  );

  it("refuses localhost as answered by the system resolver", async () => {
    const system = await createProxy({ port: 0, matcher: { decide: (host) => ({ allowed: true, host, rule: "*", allowedIps: [], isIpLiteral: false }) } });
    try {
      const raw = await connect(system, `localhost:${web.port}`);
      expect(bodyOf(raw).error).toBe("resolves-to-blocked-address");
    } finally {
      await system.close();
    }
  });

  it("refuses loopback literals under a name-only allowlist before any lookup", async () => {
    const raw = await connect(proxy, `127.1:${web.port}`);
    expect(bodyOf(raw).error).toBe("host-not-allowed");
  });

  it("refuses an allowed name that resolves to loopback", async () => {
    const raw = await connect(proxy, `loopback.test:${web.port}`);
    expect(bodyOf(raw)).toMatchObject({ error: "resolves-to-blocked-address", host: "loopback.test", rule: expect.any(String) });
  });

  it("refuses when any one of several answers is blocked", async () => {
    const raw = await connect(proxy, `mixed.test:${web.port}`);
    expect(bodyOf(raw).error).toBe("resolves-to-blocked-address");
  });

  it("dials exactly the address it checked when the answer changes between lookups", async () => {
    const rebinding = await createProxy({
      port: 0,
      network: network([{ host: "rebind.test", ports: [web.port], allowedIps: LOOPBACK_OK }]),
      resolver: flipping,
    });
    try {
      const secretBefore = secret.accepted();
      const raw = await rawExchange(
        rebinding.address.port,
        `GET http://rebind.test:${web.port}/echo HTTP/1.1\r\nHost: rebind.test:${web.port}\r\nConnection: close\r\n\r\n`,
      );
      expect(statusOf(raw)).toBe(200);
      expect(raw).toContain('"server":"web"');
      expect(flipping.calls).toBe(1);
      expect(secret.accepted()).toBe(secretBefore);
      // The next request resolves afresh, gets 127.0.0.2, and is refused.
      const second = await rawExchange(rebinding.address.port, `CONNECT rebind.test:${web.port} HTTP/1.1\r\n\r\n`);
      expect(bodyOf(second).error).toBe("resolves-to-blocked-address");
      expect(secret.accepted()).toBe(secretBefore);
    } finally {
      await rebinding.close();
    }
  });
});
