// TLS inspection end to end: real clients inside the sandbox against a local HTTPS upstream with
// its own CA (trusted by cordon's proxy through NODE_EXTRA_CA_CERTS), a token the command never sees.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttps } from "node:https";
import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cordon } from "./support/cordon.js";
import { close, makeTestCa, type TestCa } from "./support/servers.js";

const TOKEN = "e2e-secret-token-7f3a9c1d2b";
const FILE_TOKEN = "file-secret-token-19d8e7c6";
const REF = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

let ca: TestCa;
let server: Server;
let port: number;
let work: string;
let home: string;
const seen: Array<{ method: string; url: string; authorization?: string; apiKey?: string }> = [];

function app(req: IncomingMessage, res: import("node:http").ServerResponse) {
  seen.push({ method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization, apiKey: req.headers["x-api-key"] as string | undefined });
  // git's dumb-HTTP ref list: enough for `git ls-remote`.
  if (req.url?.startsWith("/repo.git/info/refs")) {
    res.writeHead(200, { "content-type": "text/plain" });
    return void res.end(`${REF}\trefs/heads/main\n`);
  }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ url: req.url, authorization: req.headers.authorization ?? null }));
}

beforeAll(async () => {
  ca = makeTestCa(["api.test", "other.test"]);
  server = createHttps({ key: ca.key, cert: ca.cert }, app);
  port = await new Promise<number>((r) => server.listen(0, "127.0.0.1", () => r((server.address() as AddressInfo).port)));
  work = mkdtempSync(join(tmpdir(), "cordon-e2e-inspect-"));
  home = join(work, "home");
  execFileSync("mkdir", ["-p", join(home, ".config"), join(work, "project")]);
  writeFileSync(join(home, ".config", "api-key"), `${FILE_TOKEN}\n`, { mode: 0o644 });
  writeFileSync(join(work, "project", "test-ca.pem"), ca.cert.length > 0 ? execFileSync("cat", [ca.caFile]) : "");
  writeFileSync(
    join(work, "policy.json"),
    JSON.stringify({
      version: 1,
      network: {
        proxyPort: 0,
        allow: [
          {
            host: "api.test",
            ports: [port],
            allowedIps: ["127.0.0.1/32"],
            http: { allow: ["GET /repos/**", "GET|POST /repo.git/**"], deny: ["* /repos/*/admin/**"] },
            credentials: [
              { env: "E2E_API_TOKEN", header: "Authorization", prefix: "Bearer " },
              { file: "~/.config/api-key", header: "X-Api-Key", placeholderEnv: "E2E_API_KEY" },
            ],
          },
          { host: "other.test", ports: [port], allowedIps: ["127.0.0.1/32"] },
        ],
      },
    }),
  );
});

afterAll(async () => {
  server.closeAllConnections();
  await close(server);
  ca.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const run = (script: string, isolation: "namespace" | "landlock", extraEnv: NodeJS.ProcessEnv = {}) =>
  cordon(["run", "--policy", join(work, "policy.json"), "--isolation", isolation, "--resolve", "api.test=127.0.0.1", "--resolve", "other.test=127.0.0.1", "--", "sh", "-c", script], {
    cwd: join(work, "project"),
    // E2E_ALIAS holds the same secret under another name: it must not reach the command either.
    env: { E2E_API_TOKEN: TOKEN, E2E_ALIAS: `x-${TOKEN}`, NODE_EXTRA_CA_CERTS: ca.caFile, HOME: home, ...extraEnv },
    timeoutMs: 40_000,
  });

describe.each(["namespace", "landlock"] as const)("TLS inspection with --isolation %s", (isolation) => {
  it("curl, python urllib and git reach allowed paths with a token they never see; other paths are refused with a reason", async () => {
    const before = seen.length;
    const u = `https://api.test:${port}`;
    const r = await run(
      [
        `echo "env:$E2E_API_TOKEN:$E2E_API_KEY:$E2E_ALIAS"`,
        `curl -sS ${u}/repos/a/b; echo`,
        `curl -sS -w 'HTTP%{http_code}\\n' -X DELETE ${u}/repos/a/b | tr -d '\\n'; echo`,
        `curl -sS -w 'HTTP%{http_code}\\n' ${u}/repos/a/admin/x | tr -d '\\n'; echo`,
        `python3 -c 'import urllib.request as u; print(u.urlopen("${u}/repos/py").read().decode())'`,
        `git ls-remote ${u}/repo.git`,
        `grep -rl -e "${TOKEN}" -e "${FILE_TOKEN}" "$TMPDIR" /proc/self/environ 2>/dev/null; echo "grep:$?"`,
      ].join("; "),
      isolation,
    );
    expect(r.stderr).not.toContain(TOKEN);
    expect(r.stdout).not.toContain(TOKEN);
    expect(r.stdout).not.toContain(FILE_TOKEN);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^env:cordon-placeholder-e2e_api_token-[0-9a-f]{12}:cordon-placeholder-e2e_api_key-[0-9a-f]{12}:$/);
    expect(JSON.parse(lines[1]!)).toMatchObject({ url: "/repos/a/b", authorization: `Bearer ${lines[0]!.split(":")[1]}` });
    expect(lines[2]).toMatch(/"error":"request-not-allowed".*"rule":"api\.test http no allow rule".*HTTP403$/);
    expect(lines[3]).toMatch(/"rule":"api\.test http deny \* \/repos\/\*\/admin\/\*\*".*HTTP403$/);
    expect(JSON.parse(lines[4]!)).toMatchObject({ url: "/repos/py" });
    expect(lines[5]).toBe(`${REF}\trefs/heads/main`);
    expect(r.stdout).toContain("grep:1");
    const arrived = seen.slice(before);
    expect(arrived.map((s) => `${s.method} ${s.url}`)).toEqual(["GET /repos/a/b", "GET /repos/py", "GET /repo.git/info/refs?service=git-upload-pack", "GET /repo.git/HEAD"]);
    for (const s of arrived) expect(s).toMatchObject({ authorization: `Bearer ${TOKEN}`, apiKey: FILE_TOKEN });
    expect(r.stderr).toMatch(/requests api\.test http allow GET \/repos\/\*\*: 2 allowed, 0 denied/);
    expect(r.status).toBe(0);
  });

  it("Node reaches the host through the proxy trusting the run's CA, and the credential file and CA key are out of reach", async () => {
    const script = `
      const http = require("node:http"), tls = require("node:tls"), fs = require("node:fs");
      const p = new URL(process.env.HTTPS_PROXY);
      const out = {};
      try { fs.readFileSync(process.env.HOME + "/.config/api-key"); out.keyFile = "read"; } catch (e) { out.keyFile = e.code; }
      // Every process this command can see: none may show it the token (cordon's own environment holds it).
      out.leaks = fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d)).filter((d) => { try { return fs.readFileSync("/proc/" + d + "/environ", "latin1").includes("${TOKEN}"); } catch { return false; } });
      out.caFiles = fs.readdirSync(process.env.TMPDIR + "/cordon-ca").map((f) => fs.readFileSync(process.env.TMPDIR + "/cordon-ca/" + f, "utf8").includes("PRIVATE KEY"));
      const req = http.request({ host: p.hostname, port: p.port, method: "CONNECT", path: "api.test:${port}", headers: { "proxy-authorization": "Basic " + Buffer.from(decodeURIComponent(p.username) + ":" + decodeURIComponent(p.password)).toString("base64") } });
      req.on("connect", (res, socket) => {
        const s = tls.connect({ socket, servername: "api.test" }, () => {
          s.write("GET /repos/node HTTP/1.1\\r\\nHost: api.test:${port}\\r\\nConnection: close\\r\\n\\r\\n");
        });
        let body = ""; s.on("data", (d) => (body += d)); s.on("end", () => { out.status = body.split(" ")[1]; console.log(JSON.stringify(out)); });
        s.on("error", (e) => { out.error = e.code; console.log(JSON.stringify(out)); });
      });
      req.end();`;
    const r = await run(`node -e '${script.replace(/'/g, "'\\''")}'`, isolation);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    expect(out.status).toBe("200");
    expect(out.keyFile).toBe("EACCES");
    expect(out.leaks).toEqual([]);
    expect(out.caFiles).toEqual([false, false]);
    expect(seen.at(-1)).toMatchObject({ url: "/repos/node", authorization: `Bearer ${TOKEN}` });
  });

  it("a client that does not trust the run's CA gets a certificate error, and other hosts stay blind tunnels", async () => {
    const r = await run(
      `curl -sS --cacert ./test-ca.pem https://api.test:${port}/repos/x; echo " rc:$?"; curl -sS --cacert ./test-ca.pem https://other.test:${port}/plain; echo " rc:$?"`,
      isolation,
    );
    expect(r.stdout).toMatch(/ rc:60\n/);
    expect(r.stderr).toMatch(/SSL certificate problem/);
    // other.test is not inspected: the upstream's own certificate reaches curl, and no token is added.
    expect(r.stdout).toMatch(/"url":"\/plain","authorization":null\} rc:0/);
    expect(r.stderr).toMatch(/api\.test:\d+ \(tls-handshake-failed\)/);
  });
});

describe("TLS inspection refusals", () => {
  it("refuses the run when a credential's variable is not set", async () => {
    const r = await run("true", "landlock", { E2E_API_TOKEN: "" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/\$E2E_API_TOKEN is not set/);
  });

  it("refuses the run when the credential file is readable inside", async () => {
    const r = cordon(["run", "--policy", join(work, "policy.json"), "--ro", join(home, ".config"), "--", "true"], { cwd: join(work, "project"), env: { E2E_API_TOKEN: TOKEN, HOME: home } });
    const res = await r;
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/api-key is readable inside the sandbox/);
  });

  it("does not inject without a Landlock domain, and says why", async () => {
    const r = await run(`curl -sS https://api.test:${port}/repos/x`, "landlock", { CORDON_LANDLOCK_ABI_MAX: "0" });
    expect(r.stdout).toMatch(/"error":"credential-unavailable"/);
    expect(r.stdout).toMatch(/not under a Landlock domain|does not run under a Landlock domain/);
    expect(seen.at(-1)?.url).not.toBe("/repos/x");
  });
});

describe("cordon explain with inspected hosts", () => {
  it("lists the inspected hosts, their rules and credentials by name, never by value", async () => {
    const r = await cordon(["explain", "--policy", join(work, "policy.json")], { cwd: join(work, "project"), env: { E2E_API_TOKEN: TOKEN, HOME: home } });
    expect(r.stdout).toContain("TLS inspection (HTTP/1.1; every other host is a blind tunnel):");
    expect(r.stdout).toContain("    allow: GET /repos/**, GET|POST /repo.git/**");
    expect(r.stdout).toContain("    deny:  * /repos/*/admin/**");
    expect(r.stdout).toContain("injects header Authorization from $E2E_API_TOKEN (the command's $E2E_API_TOKEN is a placeholder)");
    expect(r.stdout).toContain(`injects header X-Api-Key from ~/.config/api-key (the command's $E2E_API_KEY is a placeholder)`);
    expect(r.stdout).toMatch(/HTTP request rules\s+proxy \(TLS inspection/);
    expect(r.stdout).toMatch(/injected credentials\s+kernel/);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    expect(r.stdout).not.toContain(FILE_TOKEN);
  });
});
