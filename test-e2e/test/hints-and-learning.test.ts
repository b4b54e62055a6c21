import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from "node:fs";
import type { Server } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cordon, CORDON_BIN } from "./support/cordon.js";
import { httpUpstream } from "./support/servers.js";

let work: string;
let server: Server;
let port: number;
const env = () => ({ XDG_CONFIG_HOME: join(work, "config"), CORDON_POLICY: "" });
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "cordon-e2e-hints-"));
  ({ server, port } = await httpUpstream("upstream\n"));
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(work, { recursive: true, force: true });
});

const curl = (...urls: string[]) => ["--", "sh", "-c", urls.map((u) => `curl -sS -o /dev/null --max-time 10 '${u}'`).join("; ")];

describe("hints after a refusal", () => {
  it("a refused npm registry points to --preset node, not to one host after another", async () => {
    const r = await cordon(["run", ...curl("https://registry.npmjs.org/left-pad")], { cwd: work, env: env() });
    expect(r.stderr).toMatch(/denied registry\.npmjs\.org:443 \(host-not-allowed\)/);
    expect(r.stderr).toMatch(/registry\.npmjs\.org:443 is in the node preset .*: --preset node/);
    expect(r.stderr).not.toMatch(/--allow-host registry\.npmjs\.org/);
  });

  it("npm failing points to its preset", async () => {
    const r = await cordon(["run", "--", "npm", "view", "left-pad", "version", "--fetch-retries=0"], { cwd: work, env: env(), timeoutMs: 60_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--preset node/);
  }, 70_000);

  it("never suggests allowing cloud metadata, in any spelling", async () => {
    const r = await cordon(["run", ...curl("http://169.254.169.254/latest/meta-data/", "http://metadata.google.internal/computeMetadata/v1/", "http://[fd00:ec2::254]/", "http://2852039166/", `http://allowed.test:${port}/`)], { cwd: work, env: env() });
    expect(r.stderr).toMatch(/denied 169\.254\.169\.254:80/);
    expect(r.stderr).toMatch(/cloud instance metadata .*cordon will not suggest allowing it/);
    expect(r.stderr).not.toMatch(/--allow-host (169\.254|metadata|\[?fd00|2852039166)/);
    expect(r.stderr).toMatch(/to allow: --allow-host allowed\.test:\d+/);
  });
});

describe("--learn and policy suggest", () => {
  it("writes the additions a run needed, for review; metadata left out; the file is a valid policy", async () => {
    const out = join(work, "learned.yaml");
    const r = await cordon(["run", "--learn", out, ...curl("https://registry.npmjs.org/x", "http://api.example.test/", "http://169.254.169.254/")], { cwd: work, env: env() });
    expect(r.stderr).toMatch(/--learn: wrote .*learned\.yaml; review it/);
    const text = readFileSync(out, "utf8");
    expect(text).toMatch(/^extends: \[node\]$/m);
    expect(text).toMatch(/^ {4}- "api\.example\.test:80"$/m);
    expect(text).toMatch(/# not suggested: 169\.254\.169\.254:80 \(cloud instance metadata/);
    expect(text).not.toMatch(/^\s+- "169/m);
    const v = await cordon(["policy", "validate", out], { cwd: work });
    expect(v.stdout).toMatch(/valid/);
  });

  it("policy suggest reads an --audit-log and kernel audit records", async () => {
    const audit = join(work, "audit.jsonl");
    await cordon(["run", "--audit-log", audit, ...curl("http://api.example.test/")], { cwd: work, env: env() });
    const kernel = join(work, "kernel.log");
    writeFileSync(kernel, 'type=LANDLOCK_ACCESS msg=audit(1.0:2): domain=1 blockers=fs.read_file path="/srv/data/model.bin" dev="vda" ino=3\naudit: type=1423 audit(1.0:3): domain=1 blockers=fs.execute path="/opt/tool/bin/tool" dev="vda" ino=4\n');
    const r = await cordon(["policy", "suggest", audit, kernel], { cwd: work });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ {4}- "api\.example\.test:80"$/m);
    expect(r.stdout).toMatch(/readOnly:\n {4}- "\/srv\/data\/model\.bin"/);
    expect(r.stdout).toMatch(/exec:\n {4}- "\/opt\/tool\/bin\/tool"/);
  });
});

describe("the report as JSON, apart from the command's output", () => {
  it("--json FILE", async () => {
    const file = join(work, "report.json");
    const r = await cordon(["run", "--json", file, "--", "sh", "-c", "echo to-stderr >&2; exit 3"], { cwd: work, env: env() });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^to-stderr$/m);
    expect(JSON.parse(readFileSync(file, "utf8")).status).toBe(3);
  });

  it("--json-fd N", () => {
    const file = join(work, "fd.json");
    const fd = openSync(file, "w");
    try {
      const r = spawnSync(process.execPath, [CORDON_BIN, "run", "--json-fd", "3", "--", "sh", "-c", "echo mine >&2"], { cwd: work, env: { ...process.env, ...env() }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe", fd] });
      expect(r.stderr).toBe("mine\n");
    } finally {
      closeSync(fd);
    }
    expect(JSON.parse(readFileSync(file, "utf8")).network.denied).toBe(0);
  });

  it("bare --json is one line, the last on stderr", async () => {
    const r = await cordon(["run", "--json", "--", "sh", "-c", "echo '{not json' >&2"], { cwd: work, env: env() });
    const last = r.stderr.trimEnd().split("\n").pop()!;
    expect(JSON.parse(last).status).toBe(0);
  });
});

describe("rough edges", () => {
  it("on Landlock ABI 4 with namespaces, warns only about what is really not enforced", async () => {
    const r = await cordon(["run", "--isolation", "namespace", "--", "true"], { cwd: work, env: { ...env(), CORDON_LANDLOCK_ABI_MAX: "4" } });
    expect(r.status).toBe(0);
    const warnings = r.stderr.split("\n").filter((l) => l.includes("warning"));
    expect(warnings).toEqual([expect.stringMatching(/NOT ENFORCED: scopes\.signals/)]);
  });

  it("the default proxy port taken is not news; asked for by name it is", async () => {
    const blocker = createServer();
    const held = await new Promise<boolean>((resolve) => {
      blocker.once("error", () => resolve(false));
      blocker.listen(3128, "127.0.0.1", () => resolve(true));
    });
    try {
      const quiet = await cordon(["run", "--", "true"], { cwd: work, env: env() });
      expect(quiet.stderr).not.toMatch(/in use/);
      const asked = await cordon(["run", "--proxy-port", "3128", "--", "true"], { cwd: work, env: env() });
      expect(asked.stderr).toMatch(/proxy port 3128 is in use; using \d+/);
    } finally {
      if (held) await new Promise((r) => blocker.close(r));
    }
  });
});

// Landlock names the denied path in an audit record (ABI 7) when the kernel's audit is on; cordon,
// as root, reads it from the kernel log. The switch is the machine's: put back as it was.
const AUDIT = fileURLToPath(new URL("./support/kernel-audit.py", import.meta.url));
const canAudit = process.getuid?.() === 0 && (() => {
  try {
    return execFileSync("python3", [AUDIT, "get"], { encoding: "utf8" }).trim() !== "";
  } catch {
    return false;
  }
})();
describe.skipIf(!canAudit)("denied paths named by the kernel", () => {
  it("suggests --ro with the path the kernel refused (audit on), and says where to look when it is off", async () => {
    const secretDir = mkdtempSync(join(tmpdir(), "cordon-e2e-secret-"));
    writeFileSync(join(secretDir, "token"), "s3cret\n");
    const before = execFileSync("python3", [AUDIT, "get"], { encoding: "utf8" }).trim();
    try {
      execFileSync("python3", [AUDIT, "set", "1"]);
      const r = await cordon(["run", "--", "cat", join(secretDir, "token")], { cwd: work, env: env() });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`the kernel refused read_file on ${join(secretDir, "token")}: --ro ${join(secretDir, "token")}`);
      execFileSync("python3", [AUDIT, "set", "0"]);
      const off = await cordon(["run", "--", "cat", join(secretDir, "token")], { cwd: work, env: env() });
      expect(off.stderr).toMatch(/--ro PATH \(read\), --rw PATH \(write\) or --exec PATH \(run\)/);
      expect(off.stderr).toMatch(/auditctl -e 1/);
    } finally {
      execFileSync("python3", [AUDIT, "set", before]);
      rmSync(secretDir, { recursive: true, force: true });
    }
  });
});
