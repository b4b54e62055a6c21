import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cordon } from "./support/cordon.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cordon-e2e-policy-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("cordon policy", () => {
  it("init writes a starter policy that validates, and refuses to overwrite it", async () => {
    const init = await cordon(["policy", "init"], { cwd: dir });
    expect(init.status).toBe(0);
    expect(existsSync(join(dir, "cordon.yaml"))).toBe(true);
    const valid = await cordon(["policy", "validate", "cordon.yaml"], { cwd: dir });
    expect(valid).toMatchObject({ status: 0, stdout: "cordon.yaml: valid\n" });
    const again = await cordon(["policy", "init"], { cwd: dir });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
  });

  it("validate names the file, line, column and field, and suggests the key", async () => {
    const f = join(dir, "typo.yaml");
    writeFileSync(f, "version: 1\nfilesystem:\n  readWrit: [./out]\nnetwork:\n  allow:\n    - host: a.example\n      ports: [https]\n");
    const r = await cordon(["policy", "validate", f]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/typo\.yaml:3:3: .*readWrit.*did you mean readWrite/);
    expect(r.stderr).toMatch(/typo\.yaml:7:\d+: network\.allow\[0\]\.ports\[0\]: expected an integer 1-65535/);
  });

  it("schema prints a JSON Schema", async () => {
    const r = await cordon(["policy", "schema"]);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: "object", properties: { version: {}, network: {} } });
  });

  it("import converts an srt settings file and lists what it could not carry over", async () => {
    const f = join(dir, "srt.json");
    writeFileSync(
      f,
      JSON.stringify({
        network: { allowedDomains: ["github.com", "*.npmjs.org"], deniedDomains: ["evil.example"] },
        filesystem: { denyRead: ["~/.ssh"], allowWrite: ["."], denyWrite: [".env"] },
      }),
    );
    const r = await cordon(["policy", "import", "srt", f]);
    expect(r.status).toBe(0);
    const policy = JSON.parse(r.stdout);
    expect(JSON.stringify(policy.network.allow)).toMatch(/github\.com/);
    expect(r.stderr).toMatch(/not carried over/);
    writeFileSync(join(dir, "converted.json"), r.stdout);
    expect((await cordon(["policy", "validate", join(dir, "converted.json")])).status).toBe(0);
  });

  it("a missing file is one clear line and a non-zero exit", async () => {
    const r = await cordon(["policy", "validate", join(dir, "nope.yaml")]);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split("\n")[0]).toMatch(/nope\.yaml: cannot read \(ENOENT\)/);
    expect(readFileSync(join(dir, "cordon.yaml"), "utf8")).toMatch(/version: 1/);
  });
});
