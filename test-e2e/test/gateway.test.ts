// The egress gateway (`cordon proxy --gateway`) with network namespaces standing in for pods:
// the gateway in one, two workload "pods" in two others, each joined to the gateway by its own
// veth pair (10.200.78.0/30 and 10.200.78.4/30). Each pod has its own credentials and policy;
// the policies directory is laid out as kubelet lays out a mounted ConfigMap (a `..data`
// symlink swapped on update). The "internet" is a server on the gateway namespace's loopback.
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CORDON_BIN } from "./support/cordon.js";
import { isAlive } from "./support/processes.js";

const PREFIX = "ckgw-";
const NS = { gw: `${PREFIX}${process.pid}-gw`, a: `${PREFIX}${process.pid}-a`, b: `${PREFIX}${process.pid}-b` };
const VETH = { a: `ckga${process.pid % 100000}`, b: `ckgb${process.pid % 100000}` }; // at most 15 bytes
const GW_FOR = { a: "10.200.78.1", b: "10.200.78.5" };
const POD = { a: "10.200.78.2", b: "10.200.78.6" };
const WEB_PORT = 8080;
const ECHO_PORT = 8081;
const TOKEN = { a: "a1".repeat(16), b: "b2".repeat(16) };

const ip = (...args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });

let work: string;
let policies: string;
let credentials: string;
let internet: ChildProcess;
let gateway: Gateway;

/** Runs a command in a namespace; resolves with its output and status (never rejects on a non-zero exit). */
function inNs(ns: string, cmd: string[], input = "", env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("ip", ["netns", "exec", ns, ...cmd], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 25_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

/** curl from a pod through the gateway; `credentials` as curl's -x user:password (none: no credentials). */
async function viaGateway(pod: "a" | "b", url: string, credentials?: string, extra: string[] = []) {
  const proxy = `http://${credentials ? `${credentials}@` : ""}${GW_FOR[pod]}:${gateway.port}`;
  const r = await inNs(NS[pod], ["curl", "-sS", "--max-time", "10", "-o", "-", "-w", "\n%{http_code}", "-x", proxy, ...extra, url]);
  const lines = r.stdout.split("\n");
  return { code: Number(lines.pop()), body: lines.join("\n"), stderr: r.stderr };
}

/** Lays out `files` the way kubelet updates a mounted ConfigMap: a new timestamped dir, `..data` swapped atomically. */
let generation = 0;
function writeConfigMap(dir: string, files: Record<string, string>): void {
  const stamp = `..${Date.now()}_${++generation}`;
  mkdirSync(join(dir, stamp));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, stamp, name), text);
  symlinkSync(stamp, join(dir, "..data_tmp"));
  renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
  for (const name of Object.keys(files)) if (!existsSync(join(dir, name))) symlinkSync(join("..data", name), join(dir, name));
  for (const old of readdirSync(dir)) if (old.startsWith("..") && old !== stamp && old !== "..data") rmSync(join(dir, old), { recursive: true, force: true });
}

const policy = (hosts: string[]) =>
  ["version: 1", "network:", "  allow:", ...hosts.flatMap((h) => [`    - host: ${h}`, `      ports: [${WEB_PORT}, ${ECHO_PORT}]`, `      allowedIps: [127.0.0.1/32]`])].join("\n") + "\n";

interface Gateway {
  proc: ChildProcess;
  port: number;
  probePort: number;
  /** Every JSON line the gateway wrote to stdout. */
  log: Record<string, unknown>[];
  stderr: string;
  exited: Promise<number | null>;
  waitLog(pred: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

async function startGateway(port: number, probePort: number, extra: string[] = []): Promise<Gateway> {
  const proc = spawn(
    "ip",
    [
      "netns", "exec", NS.gw, process.execPath, CORDON_BIN, "proxy", "--gateway",
      "--policies", policies, "--credentials", credentials,
      "--port", String(port), "--probe-port", String(probePort),
      "--resolve", "web-a.test=127.0.0.1", "--resolve", "web-b.test=127.0.0.1", "--resolve", "echo.test=127.0.0.1",
      ...extra,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const log: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  let buf = "";
  proc.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split("\n");
    buf = lines.pop()!;
    for (const l of lines) if (l.trim()) log.push(JSON.parse(l));
    for (const w of waiters.splice(0)) w();
  });
  const gw: Gateway = {
    proc,
    port,
    probePort,
    log,
    stderr: "",
    exited: new Promise((resolve) => proc.once("exit", (code) => resolve(code))),
    waitLog: (pred) =>
      new Promise((resolve) => {
        const check = () => {
          const hit = log.find(pred);
          if (hit) resolve(hit);
          else waiters.push(check);
        };
        check();
      }),
  };
  await new Promise<void>((resolve, reject) => {
    proc.stderr!.on("data", (d: Buffer) => {
      gw.stderr += d.toString();
      if (gw.stderr.includes("gateway listening")) resolve();
    });
    proc.once("exit", (code) => reject(new Error(`gateway exited ${code}: ${gw.stderr}`)));
  });
  return gw;
}

async function stopGateway(gw: Gateway | undefined): Promise<void> {
  if (!gw || gw.proc.exitCode !== null) return;
  gw.proc.kill("SIGKILL");
  await gw.exited;
}

/** Namespaces of runs killed before their afterAll: remove them first (their veths go with them). */
function removeStale(): void {
  const names = execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).split("\n").map((l) => l.split(" ")[0] ?? "");
  for (const name of names) {
    const pid = new RegExp(`^${PREFIX}(\\d+)-`).exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || isAlive(Number(pid))) continue;
    try {
      ip("netns", "del", name);
    } catch {
      /* gone meanwhile */
    }
  }
}

function cleanUp(): void {
  for (const ns of Object.values(NS)) {
    try {
      ip("netns", "del", ns);
    } catch {
      /* never created, or gone */
    }
  }
}

beforeAll(async () => {
  removeStale();
  work = mkdtempSync(join(tmpdir(), "cordon-e2e-gw-"));
  policies = join(work, "policies");
  credentials = join(work, "credentials");
  mkdirSync(policies);
  mkdirSync(credentials);
  writeConfigMap(policies, { "a.yaml": policy(["web-a.test", "echo.test"]), "b.yaml": policy(["web-b.test"]) });
  // Both forms a credentials file may take: "<workload>:<token>" and the bare token.
  writeConfigMap(credentials, { a: `a:${TOKEN.a}\n`, b: `${TOKEN.b}\n` });
  try {
    for (const ns of Object.values(NS)) ip("netns", "add", ns);
    for (const pod of ["a", "b"] as const) {
      ip("link", "add", VETH[pod], "netns", NS.gw, "type", "veth", "peer", "name", `${VETH[pod]}p`, "netns", NS[pod]);
      ip("-n", NS.gw, "addr", "add", `${GW_FOR[pod]}/30`, "dev", VETH[pod]);
      ip("-n", NS[pod], "addr", "add", `${POD[pod]}/30`, "dev", `${VETH[pod]}p`);
      ip("-n", NS.gw, "link", "set", VETH[pod], "up");
      ip("-n", NS[pod], "link", "set", `${VETH[pod]}p`, "up");
      ip("-n", NS[pod], "link", "set", "lo", "up");
    }
    ip("-n", NS.gw, "link", "set", "lo", "up");
  } catch (e) {
    cleanUp();
    throw e;
  }
  // "The internet", seen from the gateway: an HTTP server naming the Host it was asked for, and a TCP echo.
  const script = `
    const net = require("net"), http = require("http");
    http.createServer((q, r) => r.end("hello " + q.headers.host + "\\n")).listen(${WEB_PORT}, "127.0.0.1", () =>
      net.createServer((s) => { s.on("error", () => {}); s.pipe(s); }).listen(${ECHO_PORT}, "127.0.0.1", () => console.log("ready")));`;
  internet = spawn("ip", ["netns", "exec", NS.gw, process.execPath, "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve) => internet.stdout!.once("data", () => resolve()));
  gateway = await startGateway(3130, 9090);
});

afterAll(async () => {
  await stopGateway(gateway);
  if (internet && internet.exitCode === null) {
    const exited = new Promise((r) => internet.once("exit", r));
    internet.kill("SIGKILL");
    await exited;
  }
  cleanUp();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("gateway: each workload with its own credentials and policy", () => {
  it("each pod reaches the hosts of its own policy, and not the other pod's", async () => {
    expect(await viaGateway("a", `http://web-a.test:${WEB_PORT}/`, `a:${TOKEN.a}`)).toMatchObject({ code: 200, body: `hello web-a.test:${WEB_PORT}\n` });
    expect(await viaGateway("b", `http://web-b.test:${WEB_PORT}/`, `b:${TOKEN.b}`)).toMatchObject({ code: 200, body: `hello web-b.test:${WEB_PORT}\n` });
    // CONNECT tunnels too (curl -p).
    expect(await viaGateway("a", `http://web-a.test:${WEB_PORT}/`, `a:${TOKEN.a}`, ["-p"])).toMatchObject({ code: 200 });
    expect((await viaGateway("a", `http://web-b.test:${WEB_PORT}/`, `a:${TOKEN.a}`)).code).toBe(403);
    expect((await viaGateway("b", `http://web-a.test:${WEB_PORT}/`, `b:${TOKEN.b}`)).code).toBe(403);
    const refused = await gateway.waitLog((e) => e.type === "decision" && e.tenant === "b" && e.host === "web-a.test");
    expect(refused).toMatchObject({ decision: "deny", reason: "host-not-allowed", status: 403 });
  });

  it("407 without credentials, with a wrong token, or with one pod's name and the other's token", async () => {
    expect((await viaGateway("a", `http://web-a.test:${WEB_PORT}/`)).code).toBe(407);
    expect((await viaGateway("a", `http://web-a.test:${WEB_PORT}/`, `a:${TOKEN.b}`)).code).toBe(407);
    expect((await viaGateway("a", `http://web-b.test:${WEB_PORT}/`, `b:${TOKEN.a}`)).code).toBe(407);
    expect((await viaGateway("a", `http://web-a.test:${WEB_PORT}/`, `cordon:${TOKEN.a}`)).code).toBe(407);
    expect((await viaGateway("a", `http://web-a.test:${WEB_PORT}/`, `a:${TOKEN.a}`, ["-p"])).code).toBe(200);
    // A stolen token only ever gets its own workload's policy: b's token cannot reach a's hosts.
    expect((await viaGateway("a", `http://web-a.test:${WEB_PORT}/`, `b:${TOKEN.b}`)).code).toBe(403);
  });

  it("a policy change (a ConfigMap update) takes effect without a restart", async () => {
    expect((await viaGateway("a", `http://web-b.test:${WEB_PORT}/`, `a:${TOKEN.a}`)).code).toBe(403);
    const before = gateway.log.length;
    writeConfigMap(policies, { "a.yaml": policy(["web-a.test", "web-b.test", "echo.test"]), "b.yaml": policy(["web-b.test"]) });
    await gateway.waitLog((e) => e.type === "workload-loaded" && e.workload === "a" && gateway.log.indexOf(e) >= before);
    expect(await viaGateway("a", `http://web-b.test:${WEB_PORT}/`, `a:${TOKEN.a}`)).toMatchObject({ code: 200, body: `hello web-b.test:${WEB_PORT}\n` });
    expect(gateway.proc.exitCode).toBeNull();
    // A broken file keeps the last good policy and says why.
    writeConfigMap(policies, { "a.yaml": "version: 1\nnetwork:\n  allow: [\n", "b.yaml": policy(["web-b.test"]) });
    const error = await gateway.waitLog((e) => e.type === "workload-error" && e.workload === "a");
    expect(error).toMatchObject({ kept: true });
    expect((await viaGateway("a", `http://web-b.test:${WEB_PORT}/`, `a:${TOKEN.a}`)).code).toBe(200);
    writeConfigMap(policies, { "a.yaml": policy(["web-a.test", "echo.test"]), "b.yaml": policy(["web-b.test"]) });
    await gateway.waitLog((e) => e.type === "workload-loaded" && e.workload === "a" && gateway.log.indexOf(e) > gateway.log.indexOf(error));
    expect((await viaGateway("a", `http://web-b.test:${WEB_PORT}/`, `a:${TOKEN.a}`)).code).toBe(403);
  });

  it("a new token (a Secret update) replaces the old one", async () => {
    const next = "c3".repeat(16);
    writeConfigMap(credentials, { a: `a:${next}\n`, b: `${TOKEN.b}\n` });
    let code = 0;
    // The reload is asynchronous: the old token works until it lands, then 407.
    for (let i = 0; i < 100 && code !== 407; i++) {
      code = (await viaGateway("a", `http://web-a.test:${WEB_PORT}/`, `a:${TOKEN.a}`)).code;
      if (code !== 407) await new Promise((r) => setTimeout(r, 100));
    }
    expect(code).toBe(407);
    expect((await viaGateway("a", `http://web-a.test:${WEB_PORT}/`, `a:${next}`)).code).toBe(200);
    writeConfigMap(credentials, { a: `a:${TOKEN.a}\n`, b: `${TOKEN.b}\n` });
    for (let i = 0; i < 100 && code !== 200; i++) {
      code = (await viaGateway("a", `http://web-a.test:${WEB_PORT}/`, `a:${TOKEN.a}`)).code;
      if (code !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(code).toBe(200);
  });

  it("health, readiness and Prometheus metrics on the probe port; decisions in the JSON log carry the workload", async () => {
    const ready = await inNs(NS.a, ["curl", "-sS", "-w", "%{http_code}", `http://${GW_FOR.a}:${gateway.probePort}/readyz`]);
    expect(ready.stdout).toMatch(/^ready: 2 workload\(s\)\n200$/);
    const health = await inNs(NS.a, ["curl", "-sS", "-w", "%{http_code}", `http://${GW_FOR.a}:${gateway.probePort}/healthz`]);
    expect(health.stdout).toBe("ok\n200");
    const metrics = (await inNs(NS.a, ["curl", "-sS", `http://${GW_FOR.a}:${gateway.probePort}/metrics`])).stdout;
    expect(metrics).toMatch(/^cordon_gateway_decisions_total\{workload="a",decision="allow",reason=""\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^cordon_gateway_decisions_total\{workload="b",decision="deny",reason="host-not-allowed"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^cordon_gateway_decisions_total\{workload="",decision="deny",reason="auth-required"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^cordon_gateway_tunnel_bytes_total\{workload="a",direction="down"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^cordon_gateway_workloads 2$/m);
    const allowed = gateway.log.find((e) => e.type === "decision" && e.decision === "allow");
    expect(allowed).toMatchObject({ tenant: expect.stringMatching(/^[ab]$/), time: expect.any(String) });
  });

  it.each(["namespace", "landlock"])("cordon run in a pod, chained to the gateway (%s isolation)", async (isolation) => {
    // The pod's way (the manifests'): the gateway's address in CORDON_UPSTREAM_PROXY and the
    // credentials in a file, where this cordon has them; else --upstream-proxy with them in the URL.
    const help = spawnSync(process.execPath, [CORDON_BIN, "run", "--help"], { encoding: "utf8" }).stdout;
    const authFile = join(work, "proxy-auth");
    writeFileSync(authFile, `a:${TOKEN.a}\n`, { mode: 0o600 });
    const chain = help.includes("--upstream-proxy-auth-file")
      ? { args: ["--upstream-proxy-auth-file", authFile], env: { CORDON_UPSTREAM_PROXY: `http://${GW_FOR.a}:${gateway.port}` } }
      : { args: ["--upstream-proxy", `http://a:${TOKEN.a}@${GW_FOR.a}:${gateway.port}`], env: {} };
    const run = (url: string) =>
      inNs(
        NS.a,
        [
          process.execPath, CORDON_BIN, "run", "--isolation", isolation, ...chain.args,
          "--allow-host", `web-a.test:${WEB_PORT}`, "--allow-host", `web-b.test:${WEB_PORT}`,
          "--", "curl", "-sS", "--max-time", "10", "-o", "-", "-w", "\n%{http_code}", url,
        ],
        "",
        chain.env,
      );
    const ok = await run(`http://web-a.test:${WEB_PORT}/`);
    expect(ok.stdout).toBe(`hello web-a.test:${WEB_PORT}\n\n200`);
    // The local policy allows web-b.test; the gateway, holding a's policy, does not.
    const refused = await run(`http://web-b.test:${WEB_PORT}/`);
    expect(refused.stdout.split("\n").pop()).not.toBe("200");
    await gateway.waitLog((e) => e.type === "decision" && e.tenant === "a" && e.host === "web-b.test" && e.reason === "host-not-allowed");
  });
});

/** A CONNECT tunnel to the echo server, held open from pod a and driven line by line. */
function openTunnel(gw: Gateway): { lines: string[]; send(text: string): void; next(pred: (l: string) => boolean): Promise<string>; proc: ChildProcess } {
  const auth = Buffer.from(`a:${TOKEN.a}`).toString("base64");
  const script = `
    const s = require("net").connect(${gw.port}, "${GW_FOR.a}", () =>
      s.write("CONNECT echo.test:${ECHO_PORT} HTTP/1.1\\r\\nHost: echo.test:${ECHO_PORT}\\r\\nProxy-Authorization: Basic ${auth}\\r\\n\\r\\n"));
    let open = false, head = "";
    s.on("data", (d) => {
      if (open) return console.log("echo " + String(d).trim());
      head += d;
      if (head.includes("\\r\\n\\r\\n")) { open = true; console.log("status " + head.split(" ")[1]); }
    });
    s.on("error", (e) => console.log("error " + e.code));
    s.on("close", () => { console.log("closed"); process.exit(0); });
    process.stdin.on("data", (d) => { const t = String(d).trim(); t === "end" ? s.end() : s.write(t + "\\n"); });`;
  const proc = spawn("ip", ["netns", "exec", NS.a, process.execPath, "-e", script], { stdio: ["pipe", "pipe", "inherit"] });
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let buf = "";
  proc.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split("\n");
    buf = parts.pop()!;
    lines.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  return {
    lines,
    proc,
    send: (text) => proc.stdin!.write(`${text}\n`),
    next: (pred) =>
      new Promise((resolve) => {
        const check = () => {
          const hit = lines.find(pred);
          if (hit !== undefined) resolve(hit);
          else waiters.push(check);
        };
        check();
      }),
  };
}

describe("gateway: SIGTERM drains", () => {
  it("stops accepting, keeps open tunnels working until they close, then exits 0", async () => {
    const gw = await startGateway(3131, 9091, ["--drain-seconds", "60"]);
    try {
      const tunnel = openTunnel(gw);
      expect(await tunnel.next((l) => l.startsWith("status "))).toBe("status 200");
      tunnel.send("before");
      await tunnel.next((l) => l === "echo before");
      gw.proc.kill("SIGTERM");
      await gw.waitLog((e) => e.type === "gateway-draining");
      const ready = await inNs(NS.a, ["curl", "-sS", "-w", "%{http_code}", `http://${GW_FOR.a}:${gw.probePort}/readyz`]);
      expect(ready.stdout).toBe("draining\n503");
      // No new connections...
      const late = await viaGateway("a", `http://web-a.test:${WEB_PORT}/`, `a:${TOKEN.a}`, ["--proxy", `http://a:${TOKEN.a}@${GW_FOR.a}:${gw.port}`]);
      expect(late.code).toBe(0);
      expect(late.stderr).toMatch(/Failed to connect|Connection refused|Could not connect/i);
      // ...while the open tunnel still carries data.
      tunnel.send("during");
      await tunnel.next((l) => l === "echo during");
      expect(gw.proc.exitCode).toBeNull();
      tunnel.send("end");
      await tunnel.next((l) => l === "closed");
      expect(await gw.exited).toBe(0);
      expect(gw.log.at(-1)).toMatchObject({ type: "gateway-stopped", drained: true });
    } finally {
      await stopGateway(gw);
    }
  });

  it("closes the tunnels still open when the grace period ends", async () => {
    const gw = await startGateway(3132, 9092, ["--drain-seconds", "1"]);
    try {
      const tunnel = openTunnel(gw);
      expect(await tunnel.next((l) => l.startsWith("status "))).toBe("status 200");
      gw.proc.kill("SIGTERM");
      await tunnel.next((l) => l === "closed");
      expect(await gw.exited).toBe(0);
      expect(gw.log.at(-1)).toMatchObject({ type: "gateway-stopped", drained: false });
      const closed = gw.log.find((e) => e.type === "tunnel-closed");
      expect(closed).toMatchObject({ tenant: "a", host: "echo.test" });
    } finally {
      await stopGateway(gw);
    }
  });
});
