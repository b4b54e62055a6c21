// A sandboxed program that floods its proxy with half-open requests (slowloris)
// hurts nobody else: each sandbox has its own proxy, and the flooded proxy keeps
// serving (connection limits, header timeouts). Through the real CLI.
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { programsDir, tempDir } from "./support/sandbox.js";

const bin = join(import.meta.dirname, "..", "..", "apps", "cli", "dist", "bin.js");
let upstream: Server;
let port: number;
let cwd: string;
let policy: string;

beforeAll(async () => {
  upstream = createServer((_req, res) => res.end("ok\n"));
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", () => r()));
  port = (upstream.address() as { port: number }).port;
  cwd = tempDir("cordon-escape-flood-");
  policy = join(cwd, "policy.json");
  writeFileSync(policy, JSON.stringify({ version: 1, filesystem: { exec: [programsDir] }, network: { proxyPort: 0, allow: [{ host: "up.test", ports: [port], allowedIps: ["127.0.0.1/32"] }] } }));
});
afterAll(() => new Promise<void>((r) => upstream.close(() => r())));

function cordonRun(args: string[]): { done: Promise<{ code: number | null; stdout: string; stderr: string }>; stdout: () => string } {
  const child = spawn(process.execPath, [bin, "run", "--policy", policy, "--resolve", "up.test=127.0.0.1", "--", ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return { done: new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr }))), stdout: () => stdout };
}

describe("exhausting the proxy", () => {
  it("a flooding sandbox keeps its own proxy working, and another sandbox is untouched", async () => {
    const flood = cordonRun(["python3", join(programsDir, "flood-proxy.py"), "1500", `http://up.test:${port}/`]);
    while (!/holding \d+/.test(flood.stdout()) && !(await Promise.race([flood.done.then(() => true), new Promise((r) => setTimeout(() => r(false), 50))]))) {
      /* wait until the flood holds its connections */
    }
    expect(flood.stdout()).toMatch(/holding 1500/);
    const other = await cordonRun(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", `http://up.test:${port}/`]).done;
    expect(other.stdout).toBe("200");
    const flooded = await flood.done;
    expect(flooded.stdout).toMatch(/own request: 200/);
  }, 60_000);
});
