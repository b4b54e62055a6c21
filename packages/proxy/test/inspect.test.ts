import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { connect as tlsConnect } from "node:tls";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProxy, type CordonProxy, type DecisionEvent, type InspectOptions } from "../src/index.js";
import { makeTestCa, type TestCa } from "./support/ca.js";
import { curl, openTunnel, until } from "./support/clients.js";
import { LOOPBACK_OK, network, tableResolver } from "./support/policy.js";

const SECRET = "s3cr3t-token-value-0123456789";
const PLACEHOLDER = "cordon-placeholder-EXAMPLE_TOKEN";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
}

let ca: TestCa;
let dir: string;
let upstream: Server;
let plain: Server;
let port: number;
let plainPort: number;
const seen: Seen[] = [];

// Answers every request with what it received (headers included: a server reflecting the token).
function app(req: IncomingMessage, res: import("node:http").ServerResponse) {
  seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
  if (req.url?.startsWith("/redirect")) {
    res.writeHead(302, { location: `https://secure.test/next?token=${SECRET}` });
    return void res.end();
  }
  const json = JSON.stringify({ method: req.method, url: req.url, headers: req.headers });
  if (req.url?.startsWith("/gzip")) {
    // A server that compresses whatever the client asked for.
    res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
    return void res.end(gzipSync(json));
  }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(json);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

beforeAll(async () => {
  ca = makeTestCa();
  dir = mkdtempSync(join(tmpdir(), "cordon-inspect-test-"));
  upstream = createHttpsServer({ key: ca.leafKey, cert: ca.leafCert }, app);
  plain = createHttpServer(app);
  port = await listen(upstream);
  plainPort = await listen(plain);
});

afterAll(async () => {
  upstream.closeAllConnections();
  plain.closeAllConnections();
  await new Promise((r) => upstream.close(r));
  await new Promise((r) => plain.close(r));
  ca.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function inspectOptions(extra: Partial<InspectOptions> = {}): InspectOptions {
  return {
    hosts: [
      {
        host: "secure.test",
        http: { allow: ["GET /echo", "GET /repos/**", "GET /redirect", "POST /echo", "GET /gzip"], deny: ["* /repos/*/admin/**"] },
        credentials: [{ name: "header Authorization from $EXAMPLE_TOKEN", secret: SECRET, placeholder: PLACEHOLDER, header: "Authorization", prefix: "Bearer " }],
      },
      { host: "plain.test", http: { allow: ["GET /echo"] }, credentials: [{ name: "query key", secret: SECRET, placeholder: PLACEHOLDER, query: "key" }] },
    ],
    upstreamCa: [ca.caCert],
    ...extra,
  };
}

async function startProxy(inspect: InspectOptions, audit?: PassThrough) {
  const proxy = await createProxy({
    port: 0,
    network: network([
      { host: "secure.test", ports: [port], allowedIps: LOOPBACK_OK },
      { host: "blind.test", ports: [port], allowedIps: LOOPBACK_OK },
      { host: "plain.test", ports: [plainPort], allowedIps: LOOPBACK_OK },
    ]),
    resolver: tableResolver({ "secure.test": ["127.0.0.1"], "blind.test": ["127.0.0.1"], "plain.test": ["127.0.0.1"] }),
    inspect,
    ...(audit && { auditLog: audit }),
  });
  const caFile = join(dir, `ca-${proxy.address.port}.pem`);
  writeFileSync(caFile, proxy.caCertificate!);
  const events: DecisionEvent[] = [];
  proxy.on("decision", (e) => events.push(e));
  return { proxy, caFile, events };
}

describe("TLS inspection", () => {
  let proxy: CordonProxy;
  let caFile: string;
  let events: DecisionEvent[];
  const audit = new PassThrough();
  let auditText = "";
  audit.on("data", (c: Buffer) => (auditText += c.toString()));

  beforeAll(async () => {
    ({ proxy, caFile, events } = await startProxy(inspectOptions(), audit));
  });
  afterAll(async () => {
    await proxy.close();
  });

  it("hands out a CA certificate and never its key", () => {
    expect(proxy.caCertificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(proxy.caCertificate).not.toMatch(/PRIVATE KEY/);
  });

  it("injects the token on an allowed path; the client gets the placeholder back where the server echoed it", async () => {
    const res = await curl(["--cacert", caFile, "-x", proxy.url(), "-H", `Authorization: Bearer ${PLACEHOLDER}`, `https://secure.test:${port}/echo`]);
    expect(res.stderr).toBe("");
    expect(seen.at(-1)?.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(res.stdout).not.toContain(SECRET);
    expect(JSON.parse(res.stdout).headers.authorization).toBe(`Bearer ${PLACEHOLDER}`);
  });

  it("refuses a path no rule allows with a 403 naming the rule, and a denied path under an allowed prefix", async () => {
    const before = seen.length;
    const res = await curl(["--cacert", caFile, "-x", proxy.url(), "--suppress-connect-headers", "-i", `https://secure.test:${port}/admin`]);
    expect(res.stdout).toMatch(/^HTTP\/1\.1 403/);
    expect(res.stdout).toMatch(/x-cordon-reason: request-not-allowed/i);
    const body = JSON.parse(res.stdout.slice(res.stdout.indexOf("{")));
    expect(body).toMatchObject({ error: "request-not-allowed", host: "secure.test", rule: "secure.test http no allow rule" });
    const denied = await curl(["--cacert", caFile, "-x", proxy.url(), "--suppress-connect-headers", "-i", `https://secure.test:${port}/repos/a/admin/x`]);
    expect(JSON.parse(denied.stdout.slice(denied.stdout.indexOf("{"))).rule).toBe("secure.test http deny * /repos/*/admin/**");
    const method = await curl(["--cacert", caFile, "-x", proxy.url(), "--suppress-connect-headers", "-i", "-X", "DELETE", `https://secure.test:${port}/echo`]);
    expect(method.stdout).toMatch(/^HTTP\/1\.1 403/);
    expect(seen.length).toBe(before);
  });

  it("judges every request on a kept-alive connection", async () => {
    const before = seen.length;
    const res = await curl(["--cacert", caFile, "-x", proxy.url(), "-w", "%{http_code} %{num_connects}\\n", "-o", "/dev/null", `https://secure.test:${port}/repos/a/b`, "-o", "/dev/null", `https://secure.test:${port}/secret`, "-o", "/dev/null", `https://secure.test:${port}/repos/c`]);
    // The 403 closes the connection: the third request opens a new one and is judged too.
    expect(res.stdout.trim().split("\n").map((l) => l.split(" ")[0])).toEqual(["200", "403", "200"]);
    expect(seen.slice(before).map((s) => s.url)).toEqual(["/repos/a/b", "/repos/c"]);
  });

  it("takes the secret out of a body the server compressed anyway", async () => {
    const res = await curl(["--cacert", caFile, "-x", proxy.url(), "-H", "Accept-Encoding: gzip", `https://secure.test:${port}/gzip`]);
    expect(seen.at(-1)?.headers["accept-encoding"]).toBe("identity");
    expect(JSON.parse(res.stdout).headers.authorization).toBe(`Bearer ${PLACEHOLDER}`);
  });

  it("takes the secret out of a reflected Location header", async () => {
    const res = await curl(["--cacert", caFile, "-x", proxy.url(), "--suppress-connect-headers", "-i", `https://secure.test:${port}/redirect`]);
    expect(res.stdout).toMatch(/^HTTP\/1\.1 302/);
    expect(res.stdout).toContain(`location: https://secure.test/next?token=${PLACEHOLDER}`);
    expect(res.stdout).not.toContain(SECRET);
  });

  it("fails clearly for a client that does not trust the run's CA", async () => {
    const res = await curl(["-x", proxy.url(), `https://secure.test:${port}/echo`]);
    expect(res.code).toBe(60);
    expect(res.stderr).toMatch(/certificate/i);
    await until(() => events.some((e) => e.reason === "tls-handshake-failed"));
  });

  it("refuses a TLS server name other than the CONNECT target", async () => {
    const { socket, status } = await openTunnel(proxy.address.port, `secure.test:${port}`, `Proxy-Authorization: x\r\n`);
    expect(status).toBe(200);
    const err = await new Promise<Error>((resolve) => {
      const t = tlsConnect({ socket, servername: "other.test", ca: proxy.caCertificate }, () => resolve(new Error("handshake succeeded")));
      t.on("error", resolve);
    });
    expect(err.message).not.toBe("handshake succeeded");
    await until(() => events.some((e) => e.reason === "sni-mismatch"));
    expect(events.find((e) => e.reason === "sni-mismatch")).toMatchObject({ host: "secure.test", detail: "client asked for other.test" });
  });

  it("leaves other hosts a blind tunnel (the upstream's own certificate reaches the client)", async () => {
    const res = await curl(["--cacert", ca.caFile, "-x", proxy.url(), "--resolve", `blind.test:${port}:127.0.0.1`, "-k", "-w", "%{ssl_verify_result}", "-o", "/dev/null", `https://blind.test:${port}/echo`]);
    expect(res.code).toBe(0);
    const viaCordonCa = await curl(["--cacert", caFile, "-x", proxy.url(), `https://blind.test:${port}/echo`]);
    expect(viaCordonCa.code).toBe(60);
    expect(seen.at(-1)?.headers.authorization).toBeUndefined();
  });

  it("refuses to inject a query credential over plain http, and redacts it from the audit log", async () => {
    const res = await curl(["-x", proxy.url(), "--suppress-connect-headers", "-i", `http://plain.test:${plainPort}/echo?key=${PLACEHOLDER}&q=1`]);
    expect(res.stdout).toMatch(/^HTTP\/1\.1 403/);
    expect(res.stdout).toMatch(/x-cordon-reason: credential-unavailable/i);
    await until(() => auditText.includes("plain.test"));
    expect(auditText).toContain('"path":"/echo?key=REDACTED&q=1"');
  });

  it("records method, path and rule, counts per rule, and never writes the secret", async () => {
    await until(() => auditText.includes("/redirect"));
    expect(auditText).not.toContain(SECRET);
    const allowed = events.find((e) => e.path === "/echo" && e.decision === "allow");
    expect(allowed).toMatchObject({ method: "GET", rule: "secure.test http allow GET /echo" });
    // Recorded before it went upstream; its end (status, outcome) is the request-closed record.
    const ended = auditText.split("\n").filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.type === "request-closed" && e.id === allowed!.id);
    expect(ended).toMatchObject({ outcome: "completed", status: 200 });
    expect((await proxy.stats()).byRule?.["secure.test http allow GET /repos/**"]).toEqual({ allowed: 2, denied: 0 });
    expect((await proxy.stats()).byRule?.["secure.test http no allow rule"]?.denied).toBeGreaterThanOrEqual(2);
  });
});

describe("TLS inspection without a Landlock domain", () => {
  it("refuses to inject and says why", async () => {
    const { proxy, caFile } = await startProxy(inspectOptions({ credentialsBlocked: "the command is not under a Landlock domain" }));
    try {
      const before = seen.length;
      const res = await curl(["--cacert", caFile, "-x", proxy.url(), "--suppress-connect-headers", "-i", `https://secure.test:${port}/echo`]);
      expect(res.stdout).toMatch(/^HTTP\/1\.1 403/);
      expect(res.stdout).toContain("the command is not under a Landlock domain");
      expect(seen.length).toBe(before);
    } finally {
      await proxy.close();
    }
  });
});

describe("TLS inspection, upstream verification", () => {
  it("verifies the upstream against the system store: without the test CA the request fails with 502", async () => {
    const { proxy, caFile } = await startProxy(inspectOptions({ upstreamCa: [] }));
    try {
      const res = await curl(["--cacert", caFile, "-x", proxy.url(), "--suppress-connect-headers", "-i", `https://secure.test:${port}/echo`]);
      expect(res.stdout).toMatch(/^HTTP\/1\.1 502/);
      expect(res.stdout).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|self.signed|unable to/i);
    } finally {
      await proxy.close();
    }
  });
});

describe("TLS inspection, HTTP/2", () => {
  it("offers only http/1.1 by ALPN: an HTTP/2 client falls back and is judged the same way", async () => {
    const { proxy, caFile } = await startProxy(inspectOptions());
    try {
      const res = await curl(["--cacert", caFile, "-x", proxy.url(), "--http2", "-w", "%{http_version} %{http_code}", "-o", "/dev/null", `https://secure.test:${port}/echo`]);
      expect(res.stdout).toBe("1.1 200");
      const refused = await curl(["--cacert", caFile, "-x", proxy.url(), "--http2", "-w", "%{http_version} %{http_code}", "-o", "/dev/null", `https://secure.test:${port}/admin`]);
      expect(refused.stdout).toBe("1.1 403");
    } finally {
      await proxy.close();
    }
  });
});

describe("TLS inspection in worker mode", () => {
  it("hands the CA certificate across and inspects the same way", async () => {
    const { startProxy } = await import("../src/index.js");
    const proxy = await startProxy({
      thread: "worker",
      port: 0,
      network: network([{ host: "secure.test", ports: [port], allowedIps: LOOPBACK_OK }]),
      hosts: { "secure.test": ["127.0.0.1"] },
      inspect: inspectOptions(),
    });
    try {
      expect(proxy.caCertificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
      const caFile = join(dir, "worker-ca.pem");
      writeFileSync(caFile, proxy.caCertificate!);
      const ok = await curl(["--cacert", caFile, "-x", proxy.url(), `https://secure.test:${port}/echo`]);
      expect(seen.at(-1)?.headers.authorization).toBe(`Bearer ${SECRET}`);
      expect(ok.stdout).not.toContain(SECRET);
      const refused = await curl(["--cacert", caFile, "-x", proxy.url(), "-w", "%{http_code}", "-o", "/dev/null", `https://secure.test:${port}/nope`]);
      expect(refused.stdout).toBe("403");
    } finally {
      await proxy.close();
    }
  });
});
