import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cordon } from "./support/cordon.js";
import { close, httpsUpstream, makeTestCa, tcpListener, type TestCa } from "./support/servers.js";

// The seed scenario: in platform mode the proxy is the only way out, and the
// kernel refuses a program that ignores it.
let ca: TestCa;
let allowed: Awaited<ReturnType<typeof httpsUpstream>>;
let direct: Awaited<ReturnType<typeof tcpListener>>;
let work: string;
let policyFile: string;

const connectProbe = (port: number) => [
  "node",
  "-e",
  `require("net").connect(${port}, "127.0.0.1").on("connect", () => { console.log("CONNECTED"); process.exit(0) }).on("error", (e) => { console.log(e.code); process.exit(1) })`,
];

beforeAll(async () => {
  ca = makeTestCa(["api.test", "denied.test"]);
  allowed = await httpsUpstream(ca, "hello over tls\n");
  direct = await tcpListener();
  work = mkdtempSync(join(tmpdir(), "cordon-e2e-work-"));
  policyFile = join(work, "policy.json");
  writeFileSync(
    policyFile,
    JSON.stringify({
      version: 1,
      filesystem: { readOnly: [ca.dir] },
      network: { mode: "platform", proxyPort: 0, allow: [{ host: "api.test", ports: [allowed.port], allowedIps: ["127.0.0.1/32"] }] },
    }),
  );
});

afterAll(async () => {
  await close(allowed.server);
  await close(direct.server);
  ca.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const run = (args: string[], extra: string[] = []) =>
  cordon(["run", "--policy", policyFile, "--resolve", "api.test=127.0.0.1", "--resolve", "denied.test=127.0.0.1", ...extra, "--", ...args], { cwd: work });

describe("platform mode on the real kernel", () => {
  it("lets curl reach an allowed HTTPS host through the proxy", async () => {
    const r = await run(["curl", "-sS", "--max-time", "10", "--cacert", ca.caFile, `https://api.test:${allowed.port}/`]);
    expect(r.stderr).not.toMatch(/warning/);
    expect(r.stdout).toBe("hello over tls\n");
    expect(r.status).toBe(0);
  });

  it("refuses a host outside the allowlist with 403 and the reason", async () => {
    const r = await run(["curl", "-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_connect}", "--cacert", ca.caFile, `https://denied.test:${allowed.port}/`]);
    // curl reports the CONNECT refusal as its own error; the proxy's status is in http_connect.
    expect(r.stdout).toBe("403");
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/denied\.test:\d+ \(host-not-allowed\)/);
  });

  it("makes the kernel refuse a direct connection with EACCES", async () => {
    const before = direct.connections();
    const r = await run(connectProbe(direct.port));
    expect(r.stdout.trim()).toBe("EACCES");
    expect(r.status).toBe(1);
    expect(direct.connections()).toBe(before);
  });

  it("without ABI 4 falls back to the cooperative proxy, and says so", async () => {
    const before = direct.connections();
    // Landlock only: a network namespace (isolation.test.ts) fences TCP whatever the ABI.
    const r = await cordon(["run", "--policy", policyFile, "--isolation", "landlock", "--", ...connectProbe(direct.port)], {
      cwd: work,
      env: { CORDON_LANDLOCK_ABI_MAX: "3" },
    });
    // The documented degradation: the kernel no longer fences TCP ...
    expect(r.stdout.trim()).toBe("CONNECTED");
    expect(direct.connections()).toBe(before + 1);
    // ... and cordon says so before the run.
    expect(r.stderr).toMatch(/warning: .*(ABI 4|proxy)/i);
  });

  it("refuses to run under --compat hard without ABI 4", async () => {
    const r = await cordon(["run", "--policy", policyFile, "--compat", "hard", "--isolation", "landlock", "--", "true"], {
      cwd: work,
      env: { CORDON_LANDLOCK_ABI_MAX: "3" },
    });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/refusing to run/);
    expect(r.stderr).toMatch(/ABI 4/);
  });

  it("refuses an unauthenticated client on the sandbox proxy (per-run token)", async () => {
    const r = await run(["sh", "-c", 'curl -sS -o /dev/null -w "%{http_code}" --max-time 10 -x "$(echo "$HTTPS_PROXY" | sed "s#//[^@]*@#//#")" http://api.test/']);
    expect(r.stdout).toBe("407");
  });
});
