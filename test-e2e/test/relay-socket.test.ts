// The proxy's unix socket (the namespace relay's target) must stay reachable whatever the
// working directory: run from the temporary directory itself (cd /tmp && cordon run ...), the
// socket cannot live there, and the private /dev/shm of namespace isolation would hide it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cordon } from "./support/cordon.js";
import { close, httpUpstream } from "./support/servers.js";

let up: Awaited<ReturnType<typeof httpUpstream>>;
let dir: string;
beforeAll(async () => {
  up = await httpUpstream("hello from upstream\n");
  dir = mkdtempSync(join(tmpdir(), "cordon-e2e-relay-"));
});
afterAll(async () => {
  await close(up.server);
  rmSync(dir, { recursive: true, force: true });
});

describe("proxy relay socket", () => {
  it.each(["namespace", "landlock"] as const)("--isolation %s, run from TMPDIR itself: an allowed request still goes through the proxy", async (isolation) => {
    const r = await cordon(
      ["run", "-q", "--isolation", isolation, "--proxy-port", "0", "--resolve", "up.test=127.0.0.1", "--allow-host", `up.test:${up.port}=127.0.0.1`, "--", "curl", "-sS", `http://up.test:${up.port}/`],
      { cwd: dir, env: { TMPDIR: dir } },
    );
    expect(r.stdout).toBe("hello from upstream\n");
    expect(r.status).toBe(0);
  });
});
