// Namespace isolation against a real second host: a network namespace joined
// to this one by a veth pair, with a TCP listener on the proxy's port. Landlock
// alone lets a sandbox reach it (port rules are address-blind); namespace mode
// does not; the proxy reaches an allowed host in both. Protected paths stay
// read-only and the user's tree is unchanged.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, lstatSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAlive } from "./support/processes.js";
import { cordon } from "./support/cordon.js";

const NS = `cordon-e2e-${process.pid}`;
const VETH = `cve${process.pid % 100000}`; // interface names are at most 15 bytes
const HOST_SIDE = "10.200.77.1";
const TEST_HOST = "10.200.77.2";
const HTTP_PORT = 8080;

const ip = (...args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });

let work: string;
let proxyPort: number;
let host: ChildProcess;
/** Lines the test host printed: "conn" per TCP connection on the proxy port, "data <text>" per payload. */
const seen: string[] = [];
const waiters: (() => void)[] = [];

function freePort(): Promise<number> {
  const s = createServer();
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => {
    const port = (s.address() as { port: number }).port;
    s.close(() => resolve(port));
  }));
}

/** Resolves once the test host has printed a line matching `pred`. */
function hostSaw(pred: (line: string) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!seen.some(pred)) return false;
      resolve();
      return true;
    };
    if (!check()) waiters.push(() => void check());
  });
}

/**
 * Test hosts of runs killed before their afterAll (a CI job timing out) would
 * hold 10.200.77.1/30 on a stale veth: remove their namespaces first (deleting
 * a namespace deletes its veth end, and with it the pair).
 */
function removeStaleTestHosts(): void {
  const names = execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).split("\n").map((l) => l.split(" ")[0] ?? "");
  for (const name of names) {
    const pid = /^cordon-e2e-(\d+)$/.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || isAlive(Number(pid))) continue;
    try {
      ip("netns", "del", name);
    } catch {
      /* gone meanwhile */
    }
  }
}

beforeAll(async () => {
  proxyPort = await freePort();
  removeStaleTestHosts();
  ip("netns", "add", NS);
  ip("link", "add", VETH, "type", "veth", "peer", "name", `${VETH}h`);
  ip("link", "set", `${VETH}h`, "netns", NS);
  ip("addr", "add", `${HOST_SIDE}/30`, "dev", VETH);
  ip("link", "set", VETH, "up");
  ip("-n", NS, "addr", "add", `${TEST_HOST}/30`, "dev", `${VETH}h`);
  ip("-n", NS, "link", "set", `${VETH}h`, "up");
  ip("-n", NS, "link", "set", "lo", "up");
  // The test host: a raw listener on the proxy's port (reports what arrives) and an HTTP server.
  const script = `
    const net = require("net"), http = require("http");
    net.createServer((s) => { console.log("conn"); s.on("data", (d) => console.log("data " + String(d).trim())); s.on("error", () => {}); })
      .listen(${proxyPort}, "${TEST_HOST}", () =>
        http.createServer((q, r) => r.end("hello from the test host\\n")).listen(${HTTP_PORT}, "${TEST_HOST}", () => console.log("ready")));`;
  host = spawn("ip", ["netns", "exec", NS, process.execPath, "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  let buf = "";
  host.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split("\n");
    buf = lines.pop()!;
    seen.push(...lines);
    for (const w of waiters.splice(0)) w();
  });
  await hostSaw((l) => l === "ready");
  work = mkdtempSync(join(tmpdir(), "cordon-e2e-iso-"));
  writeFileSync(
    join(work, "policy.json"),
    JSON.stringify({ version: 1, network: { mode: "platform", proxyPort, allow: [{ host: TEST_HOST, ports: [HTTP_PORT] }] } }),
  );
});

afterAll(async () => {
  if (host && host.exitCode === null) {
    const exited = new Promise((r) => host.once("exit", r));
    host.kill("SIGKILL");
    await exited;
  }
  // Deleting the namespace removes its veth end, and with it the pair; each step runs even if one fails.
  for (const args of [["netns", "del", NS], ["link", "del", VETH]]) {
    try {
      ip(...args);
    } catch {
      /* already gone */
    }
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A program that ignores the proxy and connects straight to the test host on the proxy's port. */
const direct = (payload: string) => [
  "node",
  "-e",
  `require("net").connect(${proxyPort}, "${TEST_HOST}").on("connect", function () { this.end("${payload}"); console.log("CONNECTED") }).on("error", (e) => { console.log(e.code); process.exitCode = 1 })`,
];
const run = (isolation: string, command: string[]) => cordon(["run", "--policy", join(work, "policy.json"), "--isolation", isolation, "--", ...command], { cwd: work });

describe("network isolation against a second host on the proxy port", () => {
  it("Landlock only: the host is reachable on the proxy port (the documented gap), and the report says so", async () => {
    const r = await run("landlock", direct("via-landlock"));
    expect(r.stdout.trim()).toBe("CONNECTED");
    await hostSaw((l) => l === "data via-landlock");
    const explain = await cordon(["explain", "--policy", join(work, "policy.json"), "--isolation", "landlock", "--json"], { cwd: work });
    const gap = JSON.parse(explain.stdout).report.items.find((i: { protection: string }) => i.protection === "TCP port rules are address-blind");
    expect(gap).toMatchObject({ enforcedBy: "nothing", kind: "limitation" });
  });

  it("namespace mode: unreachable, and nothing arrives on the test host", async () => {
    const r = await run("namespace", direct("via-namespace"));
    expect(r.stdout.trim()).toBe("ENETUNREACH");
    expect(r.status).toBe(1);
    // A later Landlock-only connection arrives; the namespaced one never did before it.
    await run("landlock", direct("sentinel"));
    await hostSaw((l) => l === "data sentinel");
    expect(seen).not.toContain("data via-namespace");
    const explain = await cordon(["explain", "--policy", join(work, "policy.json"), "--isolation", "namespace", "--json"], { cwd: work });
    const json = JSON.parse(explain.stdout);
    expect(json.plan.isolation.network).toBe("namespace");
    expect(json.report.items.find((i: { protection: string }) => i.protection === "TCP port rules are address-blind")).toMatchObject({ enforcedBy: "kernel", mechanism: "network namespace" });
  });

  it("namespace mode fences TCP even without Landlock ABI 4 (the fallback Landlock-only mode cannot)", async () => {
    const r = await cordon(["run", "--policy", join(work, "policy.json"), "--isolation", "namespace", "--", ...direct("via-abi3")], {
      cwd: work,
      env: { CORDON_LANDLOCK_ABI_MAX: "3" },
    });
    expect(r.stdout.trim()).toBe("ENETUNREACH");
    expect(r.stderr).not.toMatch(/NETWORK NOT KERNEL-ENFORCED/);
    await run("landlock", direct("sentinel-abi3"));
    await hostSaw((l) => l === "data sentinel-abi3");
    expect(seen).not.toContain("data via-abi3");
  });

  it.each(["landlock", "namespace"])("%s: an allowed host through the proxy still works", async (isolation) => {
    const r = await run(isolation, ["curl", "-sS", "--max-time", "10", `http://${TEST_HOST}:${HTTP_PORT}/`]);
    expect(r.stdout).toBe("hello from the test host\n");
    expect(r.status).toBe(0);
  });

  it("namespace mode keeps exit status and signals: 128+N for a command killed by a signal", async () => {
    expect((await run("namespace", ["sh", "-c", "exit 9"])).status).toBe(9);
    expect((await run("namespace", ["sh", "-c", "kill -TERM $$"])).status).toBe(143);
  });
});

describe("protected paths", () => {
  let project: string;
  const hashTree = (dir: string): string => {
    const h = createHash("sha256");
    const walk = (d: string) => {
      for (const name of readdirSync(d).sort()) {
        const p = join(d, name);
        const st = lstatSync(p);
        h.update(`${p.slice(dir.length)} ${st.mode} ${st.size}\n`);
        if (st.isDirectory()) walk(p);
        else h.update(readFileSync(p));
      }
    };
    walk(dir);
    return h.digest("hex");
  };

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), "cordon-e2e-proj-"));
    mkdirSync(join(project, ".git", "hooks"), { recursive: true });
    writeFileSync(join(project, ".git", "config"), "[core]\n\tbare = false\n");
    writeFileSync(join(project, ".env"), "API_KEY=secret\n");
    writeFileSync(join(project, "index.js"), "console.log(1)\n");
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it("refuses writes (EROFS), allows reads, and leaves the tree byte-for-byte unchanged", async () => {
    const before = hashTree(project);
    const script = [
      "echo pwned >> .env || echo env:refused",
      "echo '[core] hooksPath = /tmp' >> .git/config || echo config:refused",
      "printf '#!/bin/sh\\n' > .git/hooks/pre-commit || echo hook:refused",
      "rm -f .env || echo rm:refused",
      // The classic way round a read-only subdirectory: move its parent aside and recreate it.
      "mv .git .git-aside || echo mv:refused",
      "cat .env",
    ].join("; ");
    const r = await cordon(["run", "--", "sh", "-c", script], { cwd: project });
    expect(r.stdout).toBe("env:refused\nconfig:refused\nhook:refused\nrm:refused\nmv:refused\nAPI_KEY=secret\n");
    expect(r.stderr).toMatch(/Read-only file system/);
    expect(hashTree(project)).toBe(before);
  });

  it("plants nothing for a protected path that does not exist, and reports it", async () => {
    const bare = mkdtempSync(join(tmpdir(), "cordon-e2e-bare-"));
    try {
      writeFileSync(join(bare, "README"), "x\n");
      const before = hashTree(bare);
      expect((await cordon(["run", "--", "true"], { cwd: bare })).status).toBe(0);
      expect(hashTree(bare)).toBe(before);
      const explain = JSON.parse((await cordon(["explain", "--json"], { cwd: bare })).stdout);
      const missing = explain.report.items.find((i: { protection: string }) => i.protection === "protected paths not present");
      expect(missing.why).toContain(join(bare, ".git/hooks"));
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
