// The start-up snapshot of `cordon run` (scripts/build-snapshot.mjs, started by bin/cordon):
// the same sandbox and the same answers as the plain CLI, and the plain CLI whenever it does not fit.
import { execFile, spawnSync, type SpawnSyncOptions } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const cliDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const blob = join(cliDir, "dist", "snapshot", "run.blob");
const bin = join(cliDir, "bin", "cordon");
const work = mkdtempSync(join(tmpdir(), "cordon-snapshot-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const opts: SpawnSyncOptions = { cwd: work, encoding: "utf8", timeout: 30_000 };
const fromBlob = (...args: string[]) => spawnSync(process.execPath, ["--snapshot-blob", blob, ...args], opts);

describe.runIf(existsSync(blob))("cordon run from the start-up snapshot", () => {
  it("sandboxes the command: writes outside the policy are refused by the kernel", () => {
    const outside = join(tmpdir(), `cordon-snapshot-escape-${process.pid}`);
    const r = fromBlob("run", "--", "sh", "-c", `echo inside; echo x > ${outside}`);
    expect(r.stdout).toBe("inside\n");
    expect(r.stderr).toMatch(/Permission denied|Read-only file system/);
    expect(r.status).not.toBe(0);
    expect(existsSync(outside)).toBe(false);
  });

  it("exits with the command's status", () => {
    expect(fromBlob("run", "-q", "--", "sh", "-c", "exit 7").status).toBe(7);
  });

  it("proxies the network: an unlisted host is refused by the proxy and reported", () => {
    const r = fromBlob("run", "--", "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}\n", "http://example.invalid/");
    expect(r.stdout).toBe("403\n");
    expect(r.stderr).toMatch(/denied example\.invalid:80/);
  });

  it("forwards plain HTTP to an allowed host (the proxy loads undici at run time, which a snapshot cannot import())", async () => {
    const upstream = createServer((_q, s) => s.end("upstream-ok"));
    await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", () => r()));
    const port = (upstream.address() as AddressInfo).port;
    try {
      const args = ["--snapshot-blob", blob, "run", "--resolve", "api.test=127.0.0.1", "--allow-host", `api.test:${port}=127.0.0.1`, "--", "curl", "-sS", `http://api.test:${port}/`];
      const r = await new Promise<{ stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, args, { cwd: work, timeout: 30_000 }, (_e, stdout, stderr) => resolve({ stdout, stderr })),
      );
      expect(r.stderr).not.toMatch(/Empty reply/);
      expect(r.stdout).toBe("upstream-ok");
    } finally {
      await new Promise((r) => upstream.close(r));
    }
  });

  it("hands what the fast path does not parse to the plain CLI (usage errors, help)", () => {
    const bad = fromBlob("run", "--bogus", "--", "true");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown option --bogus/);
    const help = fromBlob("run", "--help", "--", "true");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/cordon run \[options\] -- <command>/);
  });
});

describe("bin/cordon", () => {
  it("runs a command whether or not the snapshot is used (NODE_OPTIONS set: the plain CLI)", () => {
    for (const env of [process.env, { ...process.env, NODE_OPTIONS: "--no-warnings" }]) {
      const r = spawnSync(bin, ["run", "-q", "--", "sh", "-c", "echo in; exit 3"], { ...opts, env });
      expect(r.stdout).toBe("in\n");
      expect(r.status).toBe(3);
    }
  });

  it("runs the other commands with the plain CLI", () => {
    const r = spawnSync(bin, ["policy", "schema"], opts);
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(100);
  });
});
