#!/usr/bin/env node
// TLS inspection cost: handshakes per second and request latency through an inspected host beside
// a blind tunnel to the same upstream, in one run. Writes bench/results/proxy-inspect.md.
// Usage: node bench/proxy/inspect.mjs   (build first: pnpm build)
import { execFileSync, fork } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import { request as httpRequest } from "node:http";
import { createRequire } from "node:module";
import { cpus, loadavg, release, tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";

const { Client } = createRequire(new URL("../../packages/proxy/package.json", import.meta.url))("undici");
const HANDSHAKES = 1500;
const CONCURRENCY = 20;
const LATENCY_SAMPLES = 2000;
const log = (...a) => console.error("[bench]", ...a);

// A test CA and a leaf for both names, made with openssl (the upstream's own certificate).
const dir = mkdtempSync(join(tmpdir(), "cordon-bench-inspect-"));
const ssl = (...args) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
ssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=bench CA");
ssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=inspected.test");
writeFileSync(join(dir, "ext"), "subjectAltName=DNS:inspected.test,DNS:blind.test\n");
ssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "leaf.pem", "-days", "2", "-extfile", "ext");
const testCa = readFileSync(join(dir, "ca.pem"), "utf8");
const body = Buffer.alloc(256, "x");
const upstream = createServer({ key: readFileSync(join(dir, "leaf.key")), cert: readFileSync(join(dir, "leaf.pem")) }, (_req, res) => res.end(body));
upstream.listen(0, "127.0.0.1");
await once(upstream, "listening");
const upstreamPort = upstream.address().port;

const child = fork(new URL("./inspect-child.mjs", import.meta.url), [JSON.stringify({ port: upstreamPort, testCa })], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
const [ready] = await once(child, "message");

/** A TLS socket to `name` through the proxy's CONNECT, trusting `ca`. */
function tunnel(name, ca) {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port: ready.port, method: "CONNECT", path: `${name}:${upstreamPort}` });
    req.on("connect", (res, socket) => {
      if (res.statusCode !== 200) return reject(new Error(`CONNECT ${res.statusCode}`));
      const s = tlsConnect({ socket, servername: name, ca, ALPNProtocols: ["http/1.1"] }, () => resolve(s));
      s.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

function clientFor(name, ca) {
  return new Client(`https://${name}:${upstreamPort}`, {
    connect: (_opts, cb) => tunnel(name, ca).then((s) => cb(null, s), (e) => cb(e, null)),
    pipelining: 1,
  });
}

async function get(client) {
  const res = await client.request({ path: "/x", method: "GET" });
  await res.body.arrayBuffer();
  if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
}

/** New connection + TLS handshake + one request, CONCURRENCY at a time. */
async function handshakes(name, ca) {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next++ < HANDSHAKES) {
      const c = clientFor(name, ca);
      await get(c);
      await c.close();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return HANDSHAKES / ((performance.now() - started) / 1000);
}

/** One kept-alive connection, sequential requests: per-request latency. */
async function latency(name, ca) {
  const c = clientFor(name, ca);
  for (let i = 0; i < 200; i++) await get(c);
  const samples = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const t = performance.now();
    await get(c);
    samples.push(performance.now() - t);
  }
  await c.close();
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length * 0.5)], p99: samples[Math.floor(samples.length * 0.99)] };
}

const paths = [
  { name: "blind tunnel", host: "blind.test", ca: testCa },
  { name: "inspected", host: "inspected.test", ca: ready.ca },
];
const results = {};
try {
  for (const p of paths) await get(clientFor(p.host, p.ca)).catch((e) => { throw new Error(`${p.name}: ${e.message}`); });
  for (const round of [1, 2]) {
    for (const p of paths) {
      const rate = await handshakes(p.host, p.ca);
      results[p.name] = { ...results[p.name], rate: Math.max(results[p.name]?.rate ?? 0, rate) };
      log(`round ${round} handshakes/s ${p.name}: ${rate.toFixed(0)}`);
    }
  }
  for (const p of paths) {
    results[p.name].latency = await latency(p.host, p.ca);
    log(`latency ${p.name}: p50 ${results[p.name].latency.p50.toFixed(3)} ms, p99 ${results[p.name].latency.p99.toFixed(3)} ms`);
  }
} finally {
  child.disconnect();
  upstream.close();
  upstream.closeAllConnections();
  rmSync(dir, { recursive: true, force: true });
}

const b = results["blind tunnel"];
const i = results["inspected"];
const f = (n, d = 0) => n.toFixed(d);
const md = `# TLS inspection cost

Written by \`node bench/proxy/inspect.mjs\` (${new Date().toISOString().slice(0, 10)}; ${cpus().length} cores, Linux ${release()}, Node ${process.version}).
One upstream HTTPS server (P-256 leaf, 256-byte answers) reached through cordon's proxy in its own process,
by name: \`blind.test\` as a plain CONNECT tunnel (the client's TLS goes through untouched), \`inspected.test\`
with an http rule and a header credential (TLS ends at the proxy, a leaf minted by the run's CA; the
request goes upstream over the proxy's own pooled TLS connection). Loopback only, same run, JS tunnel relay.

| Measure | blind tunnel | inspected | ratio |
|---|---|---|---|
| new connection + TLS handshake + one GET, per second (concurrency ${CONCURRENCY}, ${HANDSHAKES} each, best of 2) | ${f(b.rate)} | ${f(i.rate)} | ${f(i.rate / b.rate, 2)}× |
| GET on a kept-alive connection, p50 | ${f(b.latency.p50, 3)} ms | ${f(i.latency.p50, 3)} ms | +${f(i.latency.p50 - b.latency.p50, 3)} ms |
| GET on a kept-alive connection, p99 | ${f(b.latency.p99, 3)} ms | ${f(i.latency.p99, 3)} ms | +${f(i.latency.p99 - b.latency.p99, 3)} ms |
| proxy start-up with inspection (CA and leaf keys, CA certificate, module imports) | – | ${f(ready.startMs, 0)} ms | |

Where the time goes: an inspected connection costs the client's handshake with the proxy (one leaf per
name, minted once per run and cached) plus, per request, parsing by node:http, the rules, the
credential and scrubbing of the answer, and undici's request to the upstream over a kept-alive pool
(so the upstream handshake is paid once per pool connection, not per client connection). A blind
tunnel costs one CONNECT and then only byte copying. Runs without an inspected host load none of this
(the ASN.1/X.509 modules are imported only when a policy inspects a host). The machine is shared:
load average during this run ${loadavg()[0].toFixed(1)} on ${cpus().length} cores; compare the two columns, not runs.
`;
writeFileSync(new URL("../results/proxy-inspect.md", import.meta.url), md);
console.log(md);
