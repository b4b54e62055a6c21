import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProxy, type CordonProxy, type DecisionEvent, type RequestClosedEvent } from "../src/index.js";
import { network } from "./support/policy.js";
import { startChildUpstream } from "./support/child-upstream.js";
import { openTunnel } from "./support/clients.js";

// Worker options are cloned into the thread, so no injected resolver: the
// upstream is reached by IP literal, which an allow entry exempts from the guard.
let web: { port: number; close(): Promise<void> };
let handle: CordonProxy;

beforeAll(async () => {
  web = await startChildUpstream(); // this thread blocks in spawnSync: the upstream lives elsewhere
  handle = await startProxy({ thread: "worker", port: 0, token: "worker-token", network: network([{ host: "127.0.0.1", ports: [web.port] }]) });
});

afterAll(async () => {
  await handle.close();
  await web.close();
});

describe("proxy in a worker thread", () => {
  it("serves spawnSync'd curl while the main thread is blocked", async () => {
    const decisions: DecisionEvent[] = [];
    const closed: RequestClosedEvent[] = [];
    handle.on("decision", (e) => decisions.push(e));
    handle.on("request-closed", (e) => closed.push(e));
    const run = spawnSync("curl", ["-sS", "--max-time", "20", "-x", handle.url(), `http://127.0.0.1:${web.port}/echo`], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout).server).toBe("child");
    // The events were queued while this thread was blocked; they arrive now.
    await new Promise<void>((resolve) => (closed.length > 0 ? resolve() : handle.once("request-closed", () => resolve())));
    expect(decisions[0]).toMatchObject({ decision: "allow", host: "127.0.0.1", port: web.port });
    expect(closed[0]).toMatchObject({ id: decisions[0]!.id, outcome: "completed", status: 200, host: "127.0.0.1" });
    expect(await handle.stats()).toMatchObject({ allowed: 1, denied: 0 });
  });

  it("answers names from the hosts option inside the worker, SSRF-checked", async () => {
    const named = await startProxy({
      thread: "worker",
      port: 0,
      hosts: { "app.test": ["127.0.0.1"], "bare.test": ["127.0.0.1"] },
      network: network([
        { host: "app.test", ports: [web.port], allowedIps: ["127.0.0.1/32"] },
        { host: "bare.test", ports: [web.port] },
      ]),
    });
    try {
      const ok = spawnSync("curl", ["-sS", "-x", named.url(), `http://app.test:${web.port}/echo`], { encoding: "utf8" });
      expect(JSON.parse(ok.stdout).server).toBe("child");
      const guarded = spawnSync("curl", ["-sS", "-x", named.url(), `http://bare.test:${web.port}/echo`], { encoding: "utf8" });
      expect(JSON.parse(guarded.stdout).error).toBe("resolves-to-blocked-address");
    } finally {
      await named.close();
    }
  });

  it("applies update() to later requests", async () => {
    await handle.update(network([]));
    const run = spawnSync("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-x", handle.url(), `http://127.0.0.1:${web.port}/echo`], { encoding: "utf8" });
    expect(run.stdout).toBe("403");
    await handle.update(network([{ host: "127.0.0.1", ports: [web.port] }]));
  });

  it("counts open sockets and drains across the thread, as a proxy on this thread does", async () => {
    const worker = await startProxy({ thread: "worker", port: 0, tunnelRelay: "splice", network: network([{ host: "127.0.0.1", ports: [web.port] }]) });
    try {
      const { socket, status } = await openTunnel(worker.address.port, `127.0.0.1:${web.port}`);
      expect(status).toBe(200);
      let drained = false;
      const draining = worker.drain().then(() => (drained = true));
      // Messages are answered in order: the drain has started when this reply arrives.
      expect(await worker.openSockets()).toEqual({ clients: 1, upstreams: 1 });
      expect(drained).toBe(false);
      socket.destroy();
      await draining;
      await expect(openTunnel(worker.address.port, `127.0.0.1:${web.port}`)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    } finally {
      await worker.close();
    }
  });

  it("refuses an update by matcher function (functions cannot cross threads)", async () => {
    await expect(handle.update({ matcher: { decide: () => ({ allowed: false, host: "", rule: "", allowedIps: [], isIpLiteral: false }) as never } })).rejects.toThrow(/not a matcher/);
  });

  it("does not keep the parent process alive after close()", () => {
    const script = `
      const { startProxy } = await import(${JSON.stringify(fileURLToPath(new URL("../dist/index.js", import.meta.url)))});
      const h = await startProxy({ thread: "worker", port: 0, network: { mode: "platform", proxyPort: 0, allow: [], deny: [], localhostPorts: [], bindPorts: [] } });
      await h.close();
      console.log("closed");
    `;
    // A generous bound: a leaked handle would keep the child alive until it is killed.
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 20_000 });
    expect(child.stdout.trim()).toBe("closed");
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
  });
});

describe("worker start failures", () => {
  it("carry the errno code, so a caller can fall back on EADDRINUSE", async () => {
    const first = await startProxy({ thread: "worker", port: 0, network: network([]) });
    try {
      await expect(startProxy({ thread: "worker", port: first.address.port, network: network([]) })).rejects.toMatchObject({ code: "EADDRINUSE" });
    } finally {
      await first.close();
    }
  });
});
