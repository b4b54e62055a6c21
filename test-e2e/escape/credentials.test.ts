// Item 8: the parent proxy's credentials never sit on a command line (a host-wide /proc shows
// every process's argv) and never reach the sandboxed command. A real parent proxy records what
// cordon's proxy sends it.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "./support/sandbox.js";

const bin = join(import.meta.dirname, "..", "..", "apps", "cli", "dist", "bin.js");
const USER = "build bot";
const PASSWORD = "p@ss:w0rd/ü";

let parent: Server;
let parentPort: number;
const seen: string[] = [];
let work: string;

function cordon(args: string[], env: NodeJS.ProcessEnv = {}, whileRunning?: (pid: number) => void) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: work, env: { ...process.env, CORDON_UPSTREAM_PROXY: "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
    if (whileRunning && stdout.includes("ready")) whileRunning(child.pid!);
  });
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  work = tempDir("cordon-escape-cred-");
  // A parent proxy that records each CONNECT head and refuses it.
  parent = createServer((s) => {
    let head = "";
    s.on("data", (d: Buffer) => {
      head += d.toString("latin1");
      if (head.includes("\r\n\r\n")) {
        seen.push(head);
        s.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
      }
    });
    s.on("error", () => {});
  });
  await new Promise<void>((r) => parent.listen(0, "127.0.0.1", r));
  parentPort = (parent.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => parent.close(() => r())));

const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;
const curl = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "https://allowed.test/"];

describe("--upstream-proxy credentials", () => {
  it("on the command line: refused (exit 2), saying why and what to use instead", async () => {
    const r = await cordon(["run", "--upstream-proxy", `http://u:secret@127.0.0.1:${parentPort}`, "--", "true"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing credentials on the command line.*\/proc\/PID\/cmdline.*CORDON_UPSTREAM_PROXY.*--upstream-proxy-auth-file/);
  });

  it("from --upstream-proxy-auth-file: the parent receives them; cordon's argv and the command's environment hold none", async () => {
    const file = join(work, "proxy-auth");
    writeFileSync(file, `${USER}:${PASSWORD}\n`, { mode: 0o600 });
    seen.length = 0;
    let argv = "";
    const r = await cordon(
      ["run", "-q", "--allow-host", "allowed.test", "--upstream-proxy", `http://127.0.0.1:${parentPort}`, "--upstream-proxy-auth-file", file, "--", "sh", "-c", `${curl.join(" ")}; echo; echo ready; sleep 1`],
      {},
      (pid) => (argv = readFileSync(`/proc/${pid}/cmdline`, "latin1")),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^CONNECT allowed\.test:443 HTTP\/1\.1\r\n/);
    expect(seen[0]).toContain(`\r\nProxy-Authorization: ${basic}\r\n`);
    expect(argv).toContain("--upstream-proxy-auth-file");
    expect(argv).not.toContain("p@ss");
  });

  it("from CORDON_UPSTREAM_PROXY (the whole URL): the parent receives them; the command never sees the variable", async () => {
    seen.length = 0;
    const url = `http://${encodeURIComponent(USER)}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${parentPort}`;
    const r = await cordon(["run", "-q", "--allow-host", "allowed.test", "--", "sh", "-c", `${curl.join(" ")}; echo; echo "[\${CORDON_UPSTREAM_PROXY-unset}]"`], { CORDON_UPSTREAM_PROXY: url });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\[unset\]\n$/);
    expect(seen[0]).toContain(`\r\nProxy-Authorization: ${basic}\r\n`);
    // --env cannot pass it through either.
    const through = await cordon(["run", "-q", "--env", "CORDON_UPSTREAM_PROXY", "--", "sh", "-c", `echo "[\${CORDON_UPSTREAM_PROXY-unset}]"`], { CORDON_UPSTREAM_PROXY: url });
    expect(through.stdout).toBe("[unset]\n");
  });

  it("an auth file with credentials already in CORDON_UPSTREAM_PROXY, or a malformed one, is a clear error", async () => {
    const file = join(work, "bad-auth");
    writeFileSync(file, "no-colon\n");
    const bad = await cordon(["run", "--upstream-proxy", `http://127.0.0.1:${parentPort}`, "--upstream-proxy-auth-file", file, "--", "true"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected one line user:password/);
    const both = await cordon(["run", "--upstream-proxy-auth-file", file, "--", "true"], { CORDON_UPSTREAM_PROXY: `http://a:b@127.0.0.1:${parentPort}` });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/already holds credentials/);
  });
});
