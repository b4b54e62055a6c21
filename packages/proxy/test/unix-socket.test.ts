// The unixSocket option: a second listener on a pathname unix socket feeding
// the same server (token, policy, events), removed on close. This is how a
// sandbox in its own network namespace reaches the proxy through the relay.
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProxy, startProxy, type DecisionEvent } from "../src/index.js";
import { connect } from "node:net";
import { network } from "./support/policy.js";
import { startHttpUpstream, type Upstream } from "./support/upstreams.js";

let dir: string;
let web: Upstream;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cordon-proxy-unix-"));
  web = await startHttpUpstream();
});

afterAll(async () => {
  await web.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One absolute-form HTTP/1.0 request (no chunked body) over the unix socket (curl's --unix-socket bypasses -x); status and body. */
function viaUnix(path: string, url: string, token?: string): Promise<{ status: number; body: string }> {
  const auth = token ? `Proxy-Authorization: Basic ${Buffer.from(`cordon:${token}`).toString("base64")}\r\n` : "";
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const chunks: Buffer[] = [];
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString();
      resolve({ status: Number(text.split(" ")[1]), body: text.slice(text.indexOf("\r\n\r\n") + 4) });
    });
    socket.write(`GET ${url} HTTP/1.0\r\nHost: ${new URL(url).host}\r\n${auth}Connection: close\r\n\r\n`);
  });
}

const allowWeb = () => network([{ host: "127.0.0.1", ports: [web.port] }]);

describe("unixSocket", () => {
  it("serves the same proxy over the unix socket: token checked, policy applied, events emitted", async () => {
    const path = join(dir, "a.sock");
    const proxy = await createProxy({ port: 0, token: "t0k", network: allowWeb(), unixSocket: path });
    const decisions: DecisionEvent[] = [];
    proxy.on("decision", (e) => decisions.push(e));
    try {
      expect(proxy.unixSocket).toBe(path);
      expect(statSync(path).isSocket()).toBe(true);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const ok = await viaUnix(path, `http://127.0.0.1:${web.port}/echo`, "t0k");
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.body).server).toBe("plain");
      expect((await viaUnix(path, `http://127.0.0.1:${web.port}/echo`)).status).toBe(407);
      expect((await viaUnix(path, "http://127.0.0.1:1/", "t0k")).status).toBe(403);
      expect(decisions.map((d) => d.decision)).toEqual(["allow", "deny", "deny"]);
    } finally {
      await proxy.close();
    }
    expect(existsSync(path)).toBe(false);
  });

  it("refuses to take over an existing file, and closes the TCP listener again", async () => {
    const path = join(dir, "taken.sock");
    writeFileSync(path, "not a socket");
    await expect(createProxy({ port: 0, network: allowWeb(), unixSocket: path })).rejects.toThrow(/already exists/);
    expect(existsSync(path)).toBe(true);
  });

  it("works in worker mode, and the socket is gone after close", async () => {
    const path = join(dir, "w.sock");
    const handle = await startProxy({ thread: "worker", port: 0, network: allowWeb(), unixSocket: path });
    try {
      expect(handle.unixSocket).toBe(path);
      const r = await viaUnix(path, `http://127.0.0.1:${web.port}/echo`);
      expect(JSON.parse(r.body).server).toBe("plain");
    } finally {
      await handle.close();
    }
    expect(existsSync(path)).toBe(false);
  });
});
