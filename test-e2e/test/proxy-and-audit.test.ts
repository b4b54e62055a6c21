import { spawn, type ChildProcessByStdio } from "node:child_process";
import { connect } from "node:net";
import type { Readable } from "node:stream";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CORDON_BIN, cordon } from "./support/cordon.js";
import { close, httpUpstream } from "./support/servers.js";

let work: string;
let upstream: Awaited<ReturnType<typeof httpUpstream>>;
let policy: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "cordon-e2e-audit-"));
  upstream = await httpUpstream("upstream says hi\n");
  policy = join(work, "policy.json");
  writeFileSync(
    policy,
    JSON.stringify({ version: 1, network: { proxyPort: 0, allow: [{ host: "ok.test", ports: [upstream.port], allowedIps: ["127.0.0.1/32"] }] } }),
  );
});
afterAll(async () => {
  await close(upstream.server);
  rmSync(work, { recursive: true, force: true });
});

describe("--audit-log", () => {
  it("appends every proxy decision as a JSON line", async () => {
    const log = join(work, "audit.jsonl");
    const r = await cordon(
      ["run", "--policy", policy, "--resolve", "ok.test=127.0.0.1", "--resolve", "no.test=127.0.0.1", "--audit-log", log, "--", "sh", "-c",
        `curl -s -o /dev/null http://ok.test:${upstream.port}/; curl -s -o /dev/null http://no.test:${upstream.port}/`],
      { cwd: work },
    );
    expect(r.status).toBe(0);
    const events = readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const decisions = events.filter((e) => e.type === "decision");
    expect(decisions.map((e) => [e.host, e.decision, e.reason ?? null])).toEqual([
      ["ok.test", "allow", null],
      ["no.test", "deny", "host-not-allowed"],
    ]);
  });
});

describe("cordon proxy (sidecar)", () => {
  it("serves the policy's allowlist and prints decisions as JSON lines on stdout", async () => {
    const child = spawn(process.execPath, [CORDON_BIN, "proxy", "--policy", policy, "--proxy-port", "0", "--token", "t0k"], { cwd: work, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    while (!/listening on/.test(stderr)) await new Promise((r) => setTimeout(r, 20));
    const url = /listening on (\S+)/.exec(stderr)![1]!;
    expect(url).toMatch(/^http:\/\/cordon:t0k@127\.0\.0\.1:\d+$/);
    const { execFileSync } = await import("node:child_process");
    const denied = execFileSync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-x", url, `http://denied.test:${upstream.port}/`], { encoding: "utf8" });
    expect(denied).toBe("403");
    const noToken = execFileSync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-x", url.replace("cordon:t0k@", ""), `http://denied.test:${upstream.port}/`], { encoding: "utf8" });
    expect(noToken).toBe("407");
    child.kill("SIGTERM");
    const code = await new Promise((r) => child.on("close", r));
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.some((e) => e.type === "decision" && e.host === "denied.test" && e.reason === "host-not-allowed")).toBe(true);
  });
});

/** Starts `cordon proxy` with stdout piped to this process; resolves once it listens. */
async function sidecar(): Promise<{ child: ChildProcessByStdio<null, Readable, Readable>; port: number; stderr: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [CORDON_BIN, "proxy", "--policy", policy, "--proxy-port", "0"], { cwd: work, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
  while (!/listening on/.test(stderr)) await new Promise((r) => setTimeout(r, 20));
  return { child, port: Number(/listening on http:\/\/[^:]+:(\d+)/.exec(stderr)![1]), stderr: () => stderr, exited };
}

/** One refused CONNECT (one audit record); resolves with the status, or 0 if the connection closed without one. */
function refusedConnect(port: number): Promise<number> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    let buf = "";
    s.on("data", (c: Buffer) => (buf += c.toString("latin1")));
    s.on("error", () => {});
    s.on("close", () => resolve(Number(buf.slice(9, 12)) || 0));
    s.end("CONNECT denied.test:443 HTTP/1.1\r\nHost: denied.test:443\r\n\r\n");
  });
}

describe("cordon proxy and its stdout", () => {
  it("exits non-zero with a message when the audit reader goes away", async () => {
    const { child, port, stderr, exited } = await sidecar();
    child.stdout.destroy(); // the reader is gone: the next record hits EPIPE
    await refusedConnect(port);
    expect(await exited).toBe(1);
    expect(stderr()).toMatch(/audit log on stdout cannot be written \(its reader went away\)/);
  });

  it("stops taking requests while the reader stalls, and loses no record", async () => {
    const { child, port, exited } = await sidecar();
    child.stdout.pause();
    let lines = 0;
    let tail = "";
    const total = 1500;
    let answered = 0;
    const statuses: number[] = [];
    // 50 at a time, as a busy sandbox would.
    let next = 0;
    const worker = async () => {
      while (next < total) {
        next++;
        statuses.push(await refusedConnect(port));
        answered++;
      }
    };
    const all = Promise.all(Array.from({ length: 50 }, worker));
    // With nobody reading, the pipe and the proxy's buffer fill and requests wait.
    let last = -1;
    while (answered !== last) {
      last = answered;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(answered).toBeLessThan(total);
    child.stdout.on("data", (d: Buffer) => {
      const text = tail + d.toString();
      const parts = text.split("\n");
      tail = parts.pop()!;
      lines += parts.length;
    });
    child.stdout.resume();
    await all;
    expect(statuses.every((s) => s === 403)).toBe(true);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(lines).toBe(total);
  }, 60_000);
});
