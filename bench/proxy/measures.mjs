// The four measurements; each takes the proxy port (null = direct) and the upstream ports.
import { Agent, request } from "node:http";
import { openPath } from "./paths.mjs";

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;

/** Downloads `bytes` through one tunnel; returns MB/s (10^6 bytes). */
export async function bulk(proxyPort, ports, bytes) {
  const { socket, rest } = await openPath(proxyPort, ports.bulk);
  const start = process.hrtime.bigint();
  let received = rest.length;
  await new Promise((resolve, reject) => {
    socket.on("data", (c) => (received += c.length));
    socket.on("end", resolve);
    socket.on("error", reject);
    socket.resume();
    socket.write(`${bytes}\n`);
  });
  const elapsed = seconds(start);
  socket.destroy();
  if (received !== bytes) throw new Error(`bulk: received ${received} of ${bytes}`);
  return bytes / 1e6 / elapsed;
}

/** Opens, uses (one echoed byte) and closes `total` tunnels, `concurrency` at a time; returns tunnels/s. */
export async function tunnelRate(proxyPort, ports, total, concurrency, maxSeconds) {
  let started = 0;
  let done = 0;
  const start = process.hrtime.bigint();
  const worker = async () => {
    while (started < total && seconds(start) < maxSeconds) {
      started++;
      const { socket } = await openPath(proxyPort, ports.echo);
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
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done / seconds(start);
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Sequential keep-alive GETs (absolute-form through a proxy); returns {p50, p99} in ms. */
export async function latency(proxyPort, ports, count, warmup) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const target = `http://127.0.0.1:${ports.http}/`;
  // A proxy may close a kept-alive connection after a response (tinyproxy does):
  // a request that fails on a reused socket is retried once on a fresh one.
  const once = () => attempt().catch((err) => (err.reusedSocket ? attempt() : Promise.reject(err)));
  const attempt = () =>
    new Promise((resolve, reject) => {
      const opts = proxyPort === null ? { host: "127.0.0.1", port: ports.http, path: "/" } : { host: "127.0.0.1", port: proxyPort, path: target, headers: { host: `127.0.0.1:${ports.http}` } };
      const req = request({ ...opts, agent }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on("error", (err) => reject(Object.assign(err, { reusedSocket: req.reusedSocket })));
      req.end();
    });
  for (let i = 0; i < warmup; i++) await once();
  const samples = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await once();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  agent.destroy();
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** Opens `count` idle tunnels; returns a function that closes them. */
export async function idleTunnels(proxyPort, ports, count, concurrency) {
  const sockets = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const { socket } = await openPath(proxyPort, ports.echo);
      socket.on("error", () => {});
      sockets.push(socket);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return () => {
    for (const s of sockets) s.destroy();
  };
}

/** Downloads `bytesEach` through each of `count` tunnels at once; returns the total MB/s. */
export async function bulkConcurrent(proxyPort, ports, count, bytesEach) {
  const opened = await Promise.all(Array.from({ length: count }, () => openPath(proxyPort, ports.bulk)));
  const start = process.hrtime.bigint();
  const received = await Promise.all(opened.map(({ socket, rest }) => new Promise((resolve, reject) => {
    let n = rest.length;
    socket.on("data", (c) => (n += c.length));
    socket.on("end", () => resolve(n));
    socket.on("error", reject);
    socket.resume();
    socket.write(`${bytesEach}\n`);
  })));
  const elapsed = seconds(start);
  for (const { socket } of opened) socket.destroy();
  const total = received.reduce((a, b) => a + b, 0);
  if (total !== count * bytesEach) throw new Error(`bulk x${count}: received ${total} of ${count * bytesEach}`);
  return total / 1e6 / elapsed;
}

/** Plain-HTTP GETs (absolute-form through a proxy) on `connections` keep-alive connections for `secs`; returns requests/s. */
export async function requestRate(proxyPort, ports, connections, secs) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const target = `http://127.0.0.1:${ports.http}/`;
  const opts = proxyPort === null ? { host: "127.0.0.1", port: ports.http, path: "/" } : { host: "127.0.0.1", port: proxyPort, path: target, headers: { host: `127.0.0.1:${ports.http}` } };
  // Resolves true for a 200; false when the connection was closed under the request (tinyproxy
  // closes connections it was asked to keep alive): not counted, the next request reconnects.
  const get = () => new Promise((resolve, reject) => {
    const req = request({ ...opts, agent }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve(true) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on("error", (err) => (err.code === "ECONNRESET" ? resolve(false) : reject(err)));
    req.end();
  });
  let done = 0;
  let failed = 0;
  const start = process.hrtime.bigint();
  const worker = async () => {
    while (seconds(start) < secs) {
      if (await get()) done++;
      else if (++failed > 1000 && failed > done) throw new Error(`requests: ${failed} connections closed under a request`);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const rate = done / seconds(start);
  agent.destroy();
  return rate;
}
