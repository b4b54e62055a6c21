import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProxyAgent, request } from "undici";
import { createProxy, type CordonProxy } from "../src/index.js";
import { curl } from "./support/clients.js";
import { LOOPBACK_OK, network, tableResolver } from "./support/policy.js";
import { startHttpUpstream, type Upstream } from "./support/upstreams.js";

let web: Upstream;
let proxy: CordonProxy;
const token = "t0k/en+with=odd:chars";

beforeAll(async () => {
  web = await startHttpUpstream();
  proxy = await createProxy({
    port: 0,
    token,
    network: network([{ host: "web.test", ports: [web.port], allowedIps: LOOPBACK_OK }]),
    resolver: tableResolver({ "web.test": ["127.0.0.1"] }),
  });
});

afterAll(async () => {
  await proxy.close();
  await web.close();
});

describe("per-run token", () => {
  it("url() carries the token the way HTTP_PROXY does", () => {
    expect(proxy.url()).toBe(`http://cordon:${encodeURIComponent(token)}@127.0.0.1:${proxy.address.port}`);
  });

  it("lets curl in with the token in the proxy URL, over CONNECT and plain http", async () => {
    const plain = await curl(["-x", proxy.url(), `http://web.test:${web.port}/echo`]);
    expect(JSON.parse(plain.stdout).headers["proxy-authorization"]).toBeUndefined();
    const tunnelled = await curl(["-p", "-x", proxy.url(), `http://web.test:${web.port}/echo`]);
    expect(JSON.parse(tunnelled.stdout).server).toBe("plain");
  });

  it("lets undici's ProxyAgent in with the token in the URI", async () => {
    const agent = new ProxyAgent({ uri: proxy.url() });
    try {
      const res = await request(`http://web.test:${web.port}/echo`, { dispatcher: agent });
      expect(res.statusCode).toBe(200);
      await res.body.dump();
    } finally {
      await agent.close();
    }
  });

  it.each([
    ["no credentials", `http://127.0.0.1:PORT`],
    ["a wrong token", `http://cordon:wrong@127.0.0.1:PORT`],
    ["the right token under another user", `http://someone:${encodeURIComponent(token)}@127.0.0.1:PORT`],
  ])("answers 407 to %s", async (_name, template) => {
    const res = await curl(["-i", "-x", template.replace("PORT", String(proxy.address.port)), `http://web.test:${web.port}/echo`]);
    expect(res.stdout).toMatch(/^HTTP\/1\.1 407 /);
    expect(res.stdout).toContain("X-Cordon-Reason: auth-required");
    expect(res.stdout).toContain('Proxy-Authenticate: Basic realm="cordon"');
  });
});
