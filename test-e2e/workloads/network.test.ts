// The network a project needs, under the defaults, in both isolation modes: Node 20's own fetch and
// http.get, curl and Python's urllib to an allowed host (reached by name through the proxy), a
// service on the host's loopback reached from inside, a dev server inside reached from outside.
// The matching attacks still fail: another host is refused by the proxy, a direct connection and
// an unlisted local port by the kernel, and secrets in the environment never reach the command.
import { createServer as createHttp, get, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ISOLATIONS, workspace, type Workspace } from "./support/workspace.js";

let ws: Workspace;
let proj: string;
let upstream: Server;
let port: number;
let other: Server;
let otherPort: number;

const listen = async (s: Server) => {
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  return (s.address() as AddressInfo).port;
};

beforeAll(async () => {
  ws = workspace("net");
  proj = ws.write(join(ws.root, "proj"), {
    "fetch.mjs": "const r = await fetch(process.argv[2]); console.log('fetch', r.status, await r.text());\n",
    "get.cjs": "require('http').get(process.argv[2], (res) => { let b = ''; res.on('data', (d) => (b += d)); res.on('end', () => console.log('get', res.statusCode, b)); }).on('error', (e) => console.log('get', e.code));\n",
    "fetch_url.py": "import sys, urllib.request\ntry:\n  print('urllib', urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())\nexcept Exception as e:\n  print('urllib', type(e).__name__, e)\n",
  });
  upstream = createHttp((_q, s) => s.end("upstream-ok"));
  port = await listen(upstream);
  other = createHttp((_q, s) => s.end("other-reached"));
  otherPort = await listen(other);
});
afterAll(async () => {
  await new Promise((r) => upstream?.close(r));
  await new Promise((r) => other?.close(r));
  ws?.cleanup();
});

const allow = () => ["--resolve", "api.test=127.0.0.1", "--resolve", "evil.test=127.0.0.1", "--allow-host", `api.test:${port}=127.0.0.1`];

describe.each(ISOLATIONS)("an allowed host through the proxy (--isolation %s)", (isolation) => {
  it("Node 20 fetch and http.get reach it; another host is refused by the proxy", async () => {
    const r = await ws.run(
      ["run", "--isolation", isolation, ...allow(), "--", "sh", "-c", `node fetch.mjs http://api.test:${port}/; node get.cjs http://api.test:${port}/; node fetch.mjs http://evil.test:${otherPort}/ 2>&1 | grep -o 'fetch [0-9]*'; node get.cjs http://evil.test:${otherPort}/`],
      { cwd: proj },
    );
    expect(r.stdout).toContain("fetch 200 upstream-ok");
    expect(r.stdout).toContain("get 200 upstream-ok");
    expect(r.stdout).not.toContain("other-reached");
    expect(r.stderr).toMatch(/denied evil\.test/);
  });

  it("an existing NODE_OPTIONS is kept beside cordon's preload", async () => {
    const r = await ws.run(["run", "--isolation", isolation, ...allow(), "--", "node", "fetch.mjs", `http://api.test:${port}/`], {
      cwd: proj,
      env: { NODE_OPTIONS: "--max-old-space-size=200 --title=wl-kept" },
    });
    expect(r.stdout).toContain("fetch 200 upstream-ok");
    const t = await ws.run(["run", "--isolation", isolation, "--", "node", "-p", "process.title"], { cwd: proj, env: { NODE_OPTIONS: "--title=wl-kept" } });
    expect(t.stdout.trim()).toBe("wl-kept");
  });

  it("curl and Python urllib reach it; a direct connection to the host's port is refused by the kernel", async () => {
    const r = await ws.run(
      ["run", "--isolation", isolation, ...allow(), "--", "sh", "-c", `curl -sS http://api.test:${port}/; echo; python3 fetch_url.py http://api.test:${port}/; curl -sS --noproxy '*' http://127.0.0.1:${otherPort}/ || echo direct-refused`],
      { cwd: proj },
    );
    expect(r.stdout).toContain("upstream-ok\n");
    expect(r.stdout).toContain("urllib upstream-ok");
    expect(r.stdout).toContain("direct-refused");
    expect(r.stdout).not.toContain("other-reached");
  });

  it("a service on the host's loopback is reached with --allow-localhost; another local port is not", async () => {
    const r = await ws.run(
      ["run", "--isolation", isolation, "--allow-localhost", String(port), "--", "sh", "-c", `curl -sS http://127.0.0.1:${port}/; echo; curl -sS http://localhost:${port}/; echo; curl -sS http://127.0.0.1:${otherPort}/ || echo other-refused`],
      { cwd: proj },
    );
    expect(r.stdout).toContain(`upstream-ok\nupstream-ok\n`);
    expect(r.stdout).toContain("other-refused");
    expect(r.stdout).not.toContain("other-reached");
    expect(r.stderr).toContain(`localhost: 127.0.0.1:${port}`);
  });

  it("a dev server inside is reached from outside with --publish; an unpublished port cannot even be bound", async () => {
    const devPort = await freePort();
    const unpublished = await freePort();
    const server = `
      const http = require("http");
      const probe = http.createServer().on("error", (e) => console.log("unpublished", e.code)).listen(${unpublished}, "127.0.0.1", () => console.log("unpublished BOUND"));
      http.createServer((q, s) => { s.end("dev-server-ok"); setTimeout(() => process.exit(0), 50); }).listen(${devPort}, "127.0.0.1", () => console.log("listening"));
    `;
    const child = ws.run(["run", "--isolation", isolation, "--publish", String(devPort), "--timeout", "20", "--", "node", "-e", server], { cwd: proj });
    const body = await poll(`http://127.0.0.1:${devPort}/`);
    const r = await child;
    expect(body).toBe("dev-server-ok");
    expect(r.stdout).toContain("unpublished EACCES");
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`publish: 127.0.0.1:${devPort}`);
  });
});

describe("hints", () => {
  it("--allow-host 127.0.0.1:PORT points to --allow-localhost", async () => {
    const r = await ws.run(["run", "--allow-host", "127.0.0.1:8000", "--", "true"], { cwd: proj });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--allow-localhost 8000");
  });
});

describe("environment", () => {
  const SECRETS = {
    AWS_SECRET_ACCESS_KEY: "wl-aws",
    AWS_ACCESS_KEY_ID: "wl-aws-id",
    GITHUB_TOKEN: "wl-gh",
    NPM_TOKEN: "wl-npm",
    OPENAI_API_KEY: "wl-openai",
    DB_PASSWORD: "wl-db",
    CLIENT_SECRET: "wl-client",
  };
  it("variables that hold secrets are not passed; --env NAME passes one; ordinary ones are kept", async () => {
    const env = { ...SECRETS, CI: "1", NODE_ENV: "test" };
    const r = await ws.run(["run", "--", "env"], { cwd: proj, env });
    for (const [k, v] of Object.entries(SECRETS)) {
      expect(r.stdout).not.toContain(v);
      expect(r.stderr).toContain(k);
    }
    expect(r.stdout).toContain("CI=1");
    expect(r.stdout).toContain("NODE_ENV=test");
    const passed = await ws.run(["run", "--env", "GITHUB_TOKEN", "--", "env"], { cwd: proj, env });
    expect(passed.stdout).toContain("GITHUB_TOKEN=wl-gh");
    expect(passed.stdout).not.toContain("wl-npm");
  });
});

function freePort(): Promise<number> {
  const s = createHttp();
  return listen(s).then((p) => new Promise((r) => s.close(() => r(p))));
}

/** GETs url until it answers (the dev server is starting inside the sandbox). */
async function poll(url: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const body = await new Promise<string | null>((resolve) => {
      get(url, (res) => {
        let b = "";
        res.on("data", (d: Buffer) => (b += d.toString()));
        res.on("end", () => resolve(b));
      }).on("error", () => resolve(null));
    });
    if (body !== null && body !== "") return body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} never answered`);
}
