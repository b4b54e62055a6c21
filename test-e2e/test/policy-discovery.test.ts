import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync, existsSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cordon } from "./support/cordon.js";
import { httpUpstream } from "./support/servers.js";

// A repository with a package below its root, a user configuration directory of its own
// (XDG_CONFIG_HOME), and a local upstream named by --resolve.
let root: string;
let repo: string;
let pkg: string;
let xdg: string;
let server: Server;
let port: number;
const env = () => ({ XDG_CONFIG_HOME: xdg, CORDON_POLICY: "" });
const userConfig = () => join(xdg, "cordon", "config.yaml");
const curl = (host: string) => ["--resolve", `${host}=127.0.0.1`, "--", "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", `http://${host}:${port}/`];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "cordon-e2e-discovery-"));
  repo = join(root, "repo");
  pkg = join(repo, "packages", "a");
  xdg = join(root, "config");
  mkdirSync(join(repo, ".git"), { recursive: true });
  mkdirSync(pkg, { recursive: true });
  mkdirSync(join(xdg, "cordon"), { recursive: true });
  ({ server, port } = await httpUpstream("upstream\n"));
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(root, { recursive: true, force: true });
});

describe("policy discovery", () => {
  it("reads the user's file and the project's (found from a package directory); the project may tighten", async () => {
    writeFileSync(userConfig(), `version: 1\nnetwork:\n  allow:\n    - {host: "*.up.test", ports: [${port}], allowedIps: [127.0.0.1/32]}\n`);
    rmSync(join(repo, "cordon.yaml"), { force: true });
    const before = await cordon(["run", ...curl("b.up.test")], { cwd: pkg, env: env() });
    expect(before.stdout).toBe("200");
    expect(before.stderr).toMatch(/^cordon: policy: .*config\.yaml \(yours\)$/m);

    writeFileSync(join(repo, "cordon.yaml"), "version: 1\ncompat: best-effort\nnetwork:\n  deny: [b.up.test]\n");
    const r = await cordon(["run", ...curl("b.up.test")], { cwd: pkg, env: env() });
    expect(r.stderr).toMatch(/cordon: policy: .*config\.yaml \(yours\), .*repo\/cordon\.yaml \(the project's, not trusted: it may only tighten\)/);
    expect(r.stdout).toBe("403");
    expect(r.stderr).toMatch(/denied b\.up\.test:\d+ \(host-denied\)/);
    expect((await cordon(["run", ...curl("a.up.test")], { cwd: pkg, env: env() })).stdout).toBe("200");
  });

  it("refuses an untrusted project file that widens, naming the file and each key; runs nothing", async () => {
    const marker = join(root, "ran");
    writeFileSync(join(repo, "cordon.yaml"), `version: 1\nnetwork:\n  allow: ["exfil.evil.test:${port}"]\n  mode: unrestricted\nfilesystem:\n  readOnly: ["~/.ssh"]\n`);
    const r = await cordon(["run", "--", "touch", marker], { cwd: pkg, env: env() });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/refusing \.\.\/\.\.\/cordon\.yaml: this project's policy file is not trusted/);
    expect(r.stderr).toMatch(/network\.allow\[0\]: allow exfil\.evil\.test:\d+/);
    expect(r.stderr).toMatch(/network\.mode: set network mode unrestricted, looser than platform/);
    expect(r.stderr).toMatch(/filesystem\.readOnly\[0\]: grant read access to ~\/\.ssh/);
    expect(r.stderr).toMatch(/cordon policy trust \.\.\/\.\.\/cordon\.yaml/);
    expect(existsSync(marker)).toBe(false);
  });

  it("trust records the file's sha256 in the user's file; an edited file is untrusted again", async () => {
    writeFileSync(join(repo, "cordon.yaml"), `version: 1\nnetwork:\n  allow: [{host: other.test, ports: [${port}], allowedIps: [127.0.0.1/32]}]\n`);
    expect((await cordon(["run", ...curl("other.test")], { cwd: pkg, env: env() })).status).toBe(2);
    const t = await cordon(["policy", "trust"], { cwd: pkg, env: env() });
    expect(t.status).toBe(0);
    expect(t.stdout).toMatch(/^trusted .*repo\/cordon\.yaml \(sha256 [0-9a-f]{12}…\) in .*config\.yaml$/m);
    expect(readFileSync(userConfig(), "utf8")).toMatch(/trusted:\n\s+- file: .*repo\/cordon\.yaml\n\s+sha256: [0-9a-f]{64}/);
    const trusted = await cordon(["run", ...curl("other.test")], { cwd: pkg, env: env() });
    expect(trusted.stdout).toBe("200");
    expect(trusted.stderr).toMatch(/cordon\.yaml \(the project's, trusted\)/);
    appendFileSync(join(repo, "cordon.yaml"), "# edited\n");
    expect((await cordon(["run", ...curl("other.test")], { cwd: pkg, env: env() })).status).toBe(2);
  });

  it("keeps the project's file read-only inside the sandbox, so a command cannot rewrite it for the next run", async () => {
    const text = "version: 1\nnetwork:\n  deny: [evil.test]\n";
    writeFileSync(join(repo, "cordon.yaml"), text);
    const r = await cordon(["run", "--", "sh", "-c", "echo 'network: {mode: unrestricted}' >> cordon.yaml"], { cwd: repo, env: env() });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Read-only file system/);
    expect(readFileSync(join(repo, "cordon.yaml"), "utf8")).toBe(text);
  });

  it("--policy and CORDON_POLICY replace the project's file and are named", async () => {
    const file = join(root, "explicit.yaml");
    writeFileSync(file, "version: 1\nnetwork: { mode: none }\n");
    writeFileSync(join(repo, "cordon.yaml"), "version: 1\n");
    const viaEnv = await cordon(["run", "--", "true"], { cwd: pkg, env: { ...env(), CORDON_POLICY: file } });
    expect(viaEnv.stderr).toMatch(/policy: .*explicit\.yaml \(CORDON_POLICY\)/);
    expect(viaEnv.stderr).not.toMatch(/the project's/);
    const viaFlag = await cordon(["run", "--policy", file, "--", "true"], { cwd: pkg, env: env() });
    expect(viaFlag.stderr).toMatch(/policy: .*explicit\.yaml \(--policy\)/);
  });
});
