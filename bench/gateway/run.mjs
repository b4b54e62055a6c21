#!/usr/bin/env node
// Gateway benchmark: what one gateway process carries per CPU core, for sizing replicas
// (docs/kubernetes.md). Through the gateway (credentials checked, the workload's policy, JSON
// audit log) beside the single-run proxy in the same run: new tunnels per second at
// concurrency 50 and bulk MB/s, each with the gateway's own CPU seconds (utime + stime).
// Loopback only. Usage: pnpm build && node bench/gateway/run.mjs   → bench/results/gateway.md
import { fork } from "node:child_process";
import { once } from "node:events";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { connect } from "node:net";
import { cpus, release } from "node:os";
import { randomBytes } from "node:crypto";

const TUNNELS = 4000;
const CONCURRENCY = 50;
const BULK_BYTES = 1024 ** 3;
const ROUNDS = 2;
const here = new URL(".", import.meta.url);
const log = (...a) => console.error("[bench]", ...a);
const TICK = 100; // USER_HZ
const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICK;
}

async function child(script, arg, silent) {
  const proc = fork(new URL(script, here), arg === undefined ? [] : [JSON.stringify(arg)], { stdio: ["ignore", silent ? "ignore" : "inherit", "inherit", "ipc"] });
  const [message] = await once(proc, "message");
  return { proc, message };
}

function openTunnel(proxyPort, port, auth) {
  return new Promise((resolve, reject) => {
    const s = connect({ port: proxyPort, host: "127.0.0.1", noDelay: true });
    let buf = Buffer.alloc(0);
    s.once("error", reject);
    const onData = (c) => {
      buf = Buffer.concat([buf, c]);
      const end = buf.indexOf("\r\n\r\n");
      if (end === -1) return;
      s.off("data", onData);
      s.pause();
      if (buf.subarray(9, 12).toString() !== "200") return reject(new Error(`CONNECT answered ${buf.subarray(0, 12)}`));
      resolve({ socket: s, rest: buf.subarray(end + 4) });
    };
    s.on("data", onData);
    s.write(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${auth ? `Proxy-Authorization: Basic ${auth}\r\n` : ""}\r\n`);
  });
}

async function tunnelRate(proxyPort, port, auth) {
  let started = 0;
  let done = 0;
  const start = process.hrtime.bigint();
  const worker = async () => {
    while (started < TUNNELS) {
      started++;
      const { socket } = await openTunnel(proxyPort, port, auth);
      await new Promise((resolve, reject) => {
        socket.once("data", resolve);
        socket.once("error", reject);
        socket.resume();
        socket.write("x");
      });
      socket.destroy();
      done++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { count: done, elapsed: seconds(start) };
}

async function bulk(proxyPort, port, auth) {
  const { socket, rest } = await openTunnel(proxyPort, port, auth);
  const start = process.hrtime.bigint();
  let received = rest.length;
  await new Promise((resolve, reject) => {
    socket.on("data", (c) => (received += c.length));
    socket.on("end", resolve);
    socket.on("error", reject);
    socket.resume();
    socket.write(`${BULK_BYTES}\n`);
  });
  const elapsed = seconds(start);
  socket.destroy();
  if (received !== BULK_BYTES) throw new Error(`bulk: received ${received}`);
  return { bytes: BULK_BYTES, elapsed };
}

const upstream = await child("../proxy/upstream.mjs");
const ports = upstream.message;
const token = randomBytes(32).toString("hex");
const allowPorts = Object.values(ports);
const gateway = await child("./gateway-child.mjs", { allowPorts, token }, true);
const proxy = await child("../proxy/cordon-child.mjs", { allowPorts, relay: "native" });
const paths = [
  { name: "gateway (native relay)", port: gateway.message.port, pid: gateway.proc.pid, auth: Buffer.from(`bench:${token}`).toString("base64") },
  { name: "single-run proxy (native relay)", port: proxy.message.port, pid: proxy.proc.pid },
];
const results = [];
try {
  for (const p of paths) {
    const r = { name: p.name };
    // Warm up (JIT, socket buffers) before measuring.
    await tunnelRate(p.port, ports.echo, p.auth);
    let cpu0 = cpuSeconds(p.pid);
    const rate = await tunnelRate(p.port, ports.echo, p.auth);
    r.tunnelsPerSec = rate.count / rate.elapsed;
    r.tunnelsPerCpuSec = rate.count / (cpuSeconds(p.pid) - cpu0);
    log(`${p.name}: ${r.tunnelsPerSec.toFixed(0)} tunnels/s, ${r.tunnelsPerCpuSec.toFixed(0)} per CPU second`);
    r.mbps = 0;
    r.mbPerCpuSec = 0;
    for (let i = 0; i < ROUNDS; i++) {
      cpu0 = cpuSeconds(p.pid);
      const b = await bulk(p.port, ports.bulk, p.auth);
      const cpu = Math.max(cpuSeconds(p.pid) - cpu0, 1 / TICK);
      r.mbps = Math.max(r.mbps, b.bytes / 1e6 / b.elapsed);
      r.mbPerCpuSec = Math.max(r.mbPerCpuSec, b.bytes / 1e6 / cpu);
      log(`${p.name}: bulk ${(b.bytes / 1e6 / b.elapsed).toFixed(0)} MB/s, ${(b.bytes / 1e6 / cpu).toFixed(0)} MB per CPU second`);
    }
    results.push(r);
  }
} finally {
  for (const c of [gateway, proxy, upstream]) c.proc.disconnect();
}

const [gw, single] = results;
const fmt = (n) => Math.round(n).toLocaleString("en-US");
const md = `# Gateway throughput (\`cordon proxy --gateway\`)

Generated by \`node bench/gateway/run.mjs\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, Linux ${release()}, Node ${process.version}.
Loopback only; the client, the upstreams and the proxy each in their own process on the same
${cpus().length} cores, so absolute figures are a floor. "Per CPU second" divides by the proxy process's
own CPU time (utime + stime), which is what a replica's CPU request buys. The gateway checks
credentials, judges by the workload's policy and writes its JSON audit log (to /dev/null here).

| Measure | gateway | single-run proxy | ratio |
|---|---|---|---|
| new tunnels per second (concurrency ${CONCURRENCY}, one echoed byte each) | ${fmt(gw.tunnelsPerSec)} | ${fmt(single.tunnelsPerSec)} | ${(gw.tunnelsPerSec / single.tunnelsPerSec).toFixed(2)} |
| new tunnels per CPU second of the proxy | ${fmt(gw.tunnelsPerCpuSec)} | ${fmt(single.tunnelsPerCpuSec)} | ${(gw.tunnelsPerCpuSec / single.tunnelsPerCpuSec).toFixed(2)} |
| bulk MB/s through one tunnel (1 GiB, best of ${ROUNDS}) | ${fmt(gw.mbps)} | ${fmt(single.mbps)} | ${(gw.mbps / single.mbps).toFixed(2)} |
| bulk MB per CPU second of the proxy | ${fmt(gw.mbPerCpuSec)} | ${fmt(single.mbPerCpuSec)} | ${(gw.mbPerCpuSec / single.mbPerCpuSec).toFixed(2)} |

Bulk bytes move through the kernel (splice) once a tunnel is set up, so the proxy process's CPU
per byte is small and the bound is the machine's; tunnel set-up (HTTP parsing, credentials, policy,
DNS, events) is where a gateway spends its CPU. docs/kubernetes.md turns these into replica sizes.
`;
mkdirSync(new URL("../results/", import.meta.url), { recursive: true });
writeFileSync(new URL("../results/gateway.md", import.meta.url), md);
process.stdout.write(md);
