import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultPolicy } from "@cordon/policy";
import { createSandbox, type Sandbox } from "../src/index.js";

// The embeddable API (issue 8): many independent sandboxes in one process.
// The upstream runs in its own thread: one test blocks this thread in spawnSync.
let upstream: Worker;
let port: number;

beforeAll(async () => {
  upstream = new Worker(
    `const { parentPort } = require("node:worker_threads");
     const s = require("node:http").createServer((req, res) => res.end("hello " + req.headers.host + "\\n"));
     s.listen(0, "127.0.0.1", () => parentPort.postMessage(s.address().port));`,
    { eval: true },
  );
  [port] = (await once(upstream, "message")) as [number];
});
afterAll(() => upstream.terminate());

const N = 20;
const name = (i: number) => `host-${i}.test`;
const allHosts = Object.fromEntries(Array.from({ length: N }, (_, i) => [name(i), ["127.0.0.1"]]));

function sandboxAllowing(i: number, thread: "worker" | "main" = "worker"): Promise<Sandbox> {
  const base = defaultPolicy();
  return createSandbox({
    policy: { ...base, network: { ...base.network, proxyPort: 0, allow: [{ host: name(i), ports: [port], allowedIps: ["127.0.0.1/32"] }] } },
    hosts: allHosts,
    proxyThread: thread,
  });
}

async function curl(sb: Sandbox, host: string): Promise<string> {
  const p = sb.spawn("curl", ["-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}", `http://${host}:${port}/`], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  let out = "";
  p.child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  await p.exited;
  return out;
}

describe("many sandboxes in one process", () => {
  it(`keeps ${N} concurrent sandboxes isolated: each reaches only its own host, reports do not mix`, async () => {
    const boxes = await Promise.all(Array.from({ length: N }, (_, i) => sandboxAllowing(i)));
    try {
      const results = await Promise.all(boxes.map(async (sb, i) => [await curl(sb, name(i)), await curl(sb, name((i + 1) % N))]));
      results.forEach(([own, other]) => {
        expect(own).toBe("200");
        expect(other).toBe("403");
      });
      boxes.forEach((sb, i) => {
        const s = sb.networkSummary();
        expect(s.allowed).toBe(1);
        expect(s.deniedHosts).toEqual([{ host: name((i + 1) % N), port, reason: "host-not-allowed", count: 1 }]);
      });
      expect(new Set(boxes.map((b) => b.proxyUrl)).size).toBe(N);
    } finally {
      await Promise.all(boxes.map((b) => b.close()));
    }
  });

  it("serves a caller that blocks its event loop (spawnSync of a sandboxed command)", async () => {
    const sb = await sandboxAllowing(0, "worker");
    try {
      const r = sb.spawnSync("curl", ["-sS", "--max-time", "10", `http://${name(0)}:${port}/`]);
      expect(r.stdout.toString()).toBe(`hello ${name(0)}:${port}\n`);
      expect(r.status).toBe(0);
    } finally {
      await sb.close();
    }
  });

  it("one sandbox's live update does not change another's allowlist", async () => {
    const [a, b] = await Promise.all([sandboxAllowing(0), sandboxAllowing(1)]);
    try {
      const base = defaultPolicy();
      await a.update({ policy: { ...base, network: { ...base.network, allow: [{ host: name(2), ports: [port], allowedIps: ["127.0.0.1/32"] }] } } });
      expect(await curl(a, name(2))).toBe("200");
      expect(await curl(a, name(0))).toBe("403");
      expect(await curl(b, name(1))).toBe("200");
      expect(await curl(b, name(2))).toBe("403");
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe("a command's lifetime", () => {
  it("stops a command on timeout with status 124", async () => {
    const sb = await createSandbox({ inline: { network: "none" } });
    try {
      const r = await sb.spawn("sleep", ["30"], { timeout: 200, stdio: "ignore" }).report;
      expect(r.timedOut).toBe(true);
      expect(r.status).toBe(124);
    } finally {
      await sb.close();
    }
  });

  it("stops a command on AbortSignal", async () => {
    const sb = await createSandbox({ inline: { network: "none" } });
    try {
      const ac = new AbortController();
      const p = sb.spawn("sleep", ["30"], { signal: ac.signal, stdio: "ignore" });
      setTimeout(() => ac.abort(), 100);
      const r = await p.report;
      expect(r.aborted).toBe(true);
      expect(r.signal).toBe("SIGTERM");
      expect(r.status).toBe(143);
    } finally {
      await sb.close();
    }
  });

  it("close() kills what is still running and removes the private TMPDIR", async () => {
    const { existsSync } = await import("node:fs");
    const sb = await createSandbox({ inline: { network: "none" } });
    const p = sb.spawn("sleep", ["30"], { stdio: "ignore" });
    expect(existsSync(sb.tmpdir)).toBe(true);
    await sb.close();
    const x = await p.exited;
    expect(x.signal).toBe("SIGKILL");
    expect(existsSync(sb.tmpdir)).toBe(false);
  });
});
