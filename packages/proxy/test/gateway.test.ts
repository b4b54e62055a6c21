// The gateway's pieces on loopback with real clients: credentials files, the workload table and
// its reloads, the tenants hook in the proxy, probes and metrics, and the drain. The same gateway
// with network namespaces as pods: test-e2e/test/gateway.test.ts.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, symlinkSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type CordonGateway } from "../src/index.js";
import { tokenFromFile, presentedCredentials, credentialDigest } from "../src/gateway/credentials.js";
import { TenantTable, type TenantEvent } from "../src/gateway/tenants.js";
import { curl } from "./support/clients.js";
import { startHttpUpstream, type Upstream } from "./support/upstreams.js";

const TOKEN = "0123456789abcdef0123";
let dir: string;
let web: Upstream;

const policy = (port: number, host = "web.test") => `version: 1\nnetwork:\n  allow:\n    - host: ${host}\n      ports: [${port}]\n      allowedIps: [127.0.0.1/32]\n`;

function layout(files: Record<string, Record<string, string>>): { policies: string; credentials: string } {
  const root = mkdtempSync(join(dir, "gw-"));
  const out = { policies: join(root, "policies"), credentials: join(root, "credentials") };
  for (const [sub, content] of Object.entries(files)) {
    mkdirSync(join(root, sub));
    for (const [name, text] of Object.entries(content)) writeFileSync(join(root, sub, name), text);
  }
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cordon-proxy-gw-"));
  web = await startHttpUpstream();
});
afterAll(async () => {
  await web.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("credentials", () => {
  it("a file holds the token or <workload>:<token>; short, multi-part or spaced tokens are refused", () => {
    expect(tokenFromFile("a", `${TOKEN}\n`)).toBe(TOKEN);
    expect(tokenFromFile("a", `a:${TOKEN}\n`)).toBe(TOKEN);
    expect(() => tokenFromFile("a", "short")).toThrow(/shorter than 16/);
    expect(() => tokenFromFile("a", `b:${TOKEN}`)).toThrow(/one line/);
    expect(() => tokenFromFile("a", `${TOKEN} ${TOKEN}`)).toThrow(/one line/);
  });

  it("a Basic header names the workload; anything else names none", () => {
    const header = `Basic ${Buffer.from(`a:${TOKEN}`).toString("base64")}`;
    expect(presentedCredentials(header)).toEqual({ workload: "a", digest: credentialDigest("a", TOKEN) });
    expect(presentedCredentials(`Bearer ${TOKEN}`)).toBeUndefined();
    expect(presentedCredentials(`Basic ${Buffer.from(`:${TOKEN}`).toString("base64")}`)).toBeUndefined();
    expect(presentedCredentials(undefined)).toBeUndefined();
  });
});

describe("the workload table", () => {
  it("loads each valid workload and says why each other one is not served", () => {
    const d = layout({
      policies: { "a.yaml": policy(1), "b.json": '{"version":1}', "Bad_Name.yaml": policy(1), "nocreds.yaml": policy(1), "broken.yaml": "version: [", "notes.txt": "x" },
      credentials: { a: TOKEN, b: `b:${TOKEN}`, "Bad_Name": TOKEN, broken: TOKEN },
    });
    const events: TenantEvent[] = [];
    const table = new TenantTable({ policiesDir: d.policies, credentialsDir: d.credentials, onEvent: (e) => events.push(e) });
    table.reload();
    expect(table.names).toEqual(["a", "b"]);
    const errors = Object.fromEntries(events.filter((e) => e.type === "workload-error").map((e) => [e.workload, (e as { message: string }).message]));
    expect(errors["Bad_Name"]).toMatch(/not a valid workload name/);
    expect(errors["nocreds"]).toMatch(/no credentials file nocreds/);
    expect(errors["broken"]).toMatch(/broken\.yaml:1/);
    expect(table.authenticate(`Basic ${Buffer.from(`a:${TOKEN}`).toString("base64")}`)?.name).toBe("a");
    expect(table.authenticate(`Basic ${Buffer.from(`b:${TOKEN}x`).toString("base64")}`)).toBeUndefined();
  });

  it("follows a ConfigMap-style ..data swap, keeps the last good policy of a broken file, drops a removed one", () => {
    const d = layout({ credentials: { a: TOKEN, b: TOKEN } });
    mkdirSync(d.policies);
    const swap = (files: Record<string, string>, stamp: string) => {
      mkdirSync(join(d.policies, stamp));
      for (const [n, t] of Object.entries(files)) writeFileSync(join(d.policies, stamp, n), t);
      symlinkSync(stamp, join(d.policies, "..data_tmp"));
      renameSync(join(d.policies, "..data_tmp"), join(d.policies, "..data"));
    };
    swap({ "a.yaml": policy(1), "b.yaml": policy(1) }, "..v1");
    for (const n of ["a.yaml", "b.yaml"]) symlinkSync(join("..data", n), join(d.policies, n));
    const events: TenantEvent[] = [];
    const table = new TenantTable({ policiesDir: d.policies, credentialsDir: d.credentials, onEvent: (e) => events.push(e) });
    table.reload();
    const before = table.authenticate(`Basic ${Buffer.from(`a:${TOKEN}`).toString("base64")}`)!;
    expect(before.matcher.decide("web.test", 2).allowed).toBe(false);
    swap({ "a.yaml": policy(2), "b.yaml": "version: [" }, "..v2");
    table.reload();
    const after = table.authenticate(`Basic ${Buffer.from(`a:${TOKEN}`).toString("base64")}`)!;
    expect(after.matcher.decide("web.test", 2).allowed).toBe(true);
    expect(events).toContainEqual(expect.objectContaining({ type: "workload-error", workload: "b", kept: true }));
    expect(table.names).toEqual(["a", "b"]);
    rmSync(join(d.policies, "b.yaml"));
    table.reload();
    expect(table.names).toEqual(["a"]);
    expect(events).toContainEqual({ type: "workload-removed", workload: "b" });
  });
});

describe("createGateway on loopback", () => {
  let gw: CordonGateway | undefined;
  let log: string;
  afterEach(async () => {
    await gw?.drain(0);
    gw = undefined;
  });

  async function start(files: Record<string, Record<string, string>>) {
    const d = layout(files);
    const stream = new PassThrough();
    log = "";
    stream.on("data", (c: Buffer) => (log += c.toString()));
    gw = await createGateway({ host: "127.0.0.1", port: 0, probePort: 0, policiesDir: d.policies, credentialsDir: d.credentials, log: stream, hosts: { "web.test": ["127.0.0.1"] } });
    return gw;
  }

  it("judges each workload by its own policy, 407 for anyone else; events and metrics name the workload", async () => {
    const g = await start({ policies: { "a.yaml": policy(web.port), "b.yaml": policy(1) }, credentials: { a: TOKEN, b: TOKEN } });
    const url = `http://web.test:${web.port}/echo`;
    const via = (cred?: string) => ["-o", "/dev/null", "-w", "%{http_code}", "-x", `http://${cred ? `${cred}@` : ""}127.0.0.1:${g.proxy.address.port}`, url];
    expect((await curl(via(`a:${TOKEN}`))).stdout).toBe("200");
    expect((await curl(["-p", ...via(`a:${TOKEN}`)])).stdout).toBe("200");
    expect((await curl(via(`b:${TOKEN}`))).stdout).toBe("403");
    expect((await curl(via())).stdout).toBe("407");
    expect((await curl(via(`cordon:${TOKEN}`))).stdout).toBe("407");
    const lines = log.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toContainEqual(expect.objectContaining({ type: "decision", decision: "allow", tenant: "a", host: "web.test" }));
    expect(lines).toContainEqual(expect.objectContaining({ type: "decision", decision: "deny", reason: "port-not-allowed", tenant: "b" }));
    const metrics = await curl([`http://127.0.0.1:${g.probePort}/metrics`]);
    expect(metrics.stdout).toMatch(/^cordon_gateway_decisions_total\{workload="a",decision="allow",reason=""\} 2$/m);
    expect(metrics.stdout).toMatch(/^cordon_gateway_decisions_total\{workload="",decision="deny",reason="auth-required"\} 2$/m);
    expect(metrics.stdout).toMatch(/^cordon_gateway_tunnels_open\{workload="a"\} 0$/m);
  });

  it("is not ready without a workload, nor while draining", async () => {
    const g = await start({ policies: {}, credentials: {} });
    const ready = await curl(["-w", "%{http_code}", `http://127.0.0.1:${g.probePort}/readyz`]);
    expect(ready.stdout).toMatch(/no workload loaded.*503$/s);
    expect((await curl(["-w", "%{http_code}", `http://127.0.0.1:${g.probePort}/healthz`])).stdout).toBe("ok\n200");
    expect((await curl(["-w", "%{http_code}", `http://127.0.0.1:${g.probePort}/nope`])).stdout).toMatch(/404$/);
  });
});
