import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cordon } from "./support/cordon.js";

// Honest degradation on the real kernel, pretending older ones: what is lost is
// said before the command runs, and `hard` refuses instead.
let work: string;
let outside: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "cordon-e2e-degrade-"));
  outside = mkdtempSync(join(tmpdir(), "cordon-e2e-outside-"));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const writeOutside = (name: string) => ["sh", "-c", `echo x > '${join(outside, name)}' && echo wrote`];

describe("no Landlock at all (CORDON_LANDLOCK_ABI_MAX=0)", () => {
  it("best-effort runs, says the filesystem is not restricted, and really is not", async () => {
    // --isolation landlock: under namespace isolation the read-only tree would still refuse the write (EROFS).
    const r = await cordon(["run", "--isolation", "landlock", "--", ...writeOutside("abi0")], { cwd: work, env: { CORDON_LANDLOCK_ABI_MAX: "0" } });
    expect(r.stderr).toMatch(/warning: Landlock is unavailable .*NO Landlock layer/);
    expect(r.stdout).toBe("wrote\n");
    expect(existsSync(join(outside, "abi0"))).toBe(true);
  });

  it("the seccomp layer still applies (UDP is refused)", async () => {
    const r = await cordon(["run", "--", "python3", "-c", "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"], {
      cwd: work,
      env: { CORDON_LANDLOCK_ABI_MAX: "0" },
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/PermissionError|Operation not permitted/);
  });

  it("hard refuses and runs nothing", async () => {
    const r = await cordon(["run", "--compat", "hard", "--", ...writeOutside("abi0-hard")], { cwd: work, env: { CORDON_LANDLOCK_ABI_MAX: "0" } });
    expect(r.status).toBe(3);
    expect(r.stdout).toBe("");
    expect(existsSync(join(outside, "abi0-hard"))).toBe(false);
  });
});

describe("ABI 5: no scopes", () => {
  it("best-effort keeps the filesystem rules and names the missing scopes", async () => {
    const r = await cordon(["run", "--", ...writeOutside("abi5")], { cwd: work, env: { CORDON_LANDLOCK_ABI_MAX: "5" } });
    expect(r.stderr).toMatch(/NOT ENFORCED: scopes\.signals: signal isolation needs Landlock ABI 6/);
    expect(existsSync(join(outside, "abi5"))).toBe(false);
  });

  it("soft drops the whole Landlock layer rather than run a partial one, and says so", async () => {
    const r = await cordon(["run", "--isolation", "landlock", "--compat", "soft", "--", ...writeOutside("abi5-soft")], { cwd: work, env: { CORDON_LANDLOCK_ABI_MAX: "5" } });
    expect(r.stderr).toMatch(/compat soft: .*NO Landlock layer is applied/);
    expect(existsSync(join(outside, "abi5-soft"))).toBe(true);
  });
});
