import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The packed CLI carries everything it needs (the @cordon packages are on no
// registry): pack it, install it globally into a temporary prefix with npm
// --offline, and run it from there.
const packScript = fileURLToPath(new URL("../../apps/cli/scripts/pack-bundle.mjs", import.meta.url));
let scratch: string;
let cordonBin: string;
let work: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "cordon-e2e-global-"));
  const tgz = execFileSync(process.execPath, [packScript, join(scratch, "out")], { encoding: "utf8" }).trim();
  const prefix = join(scratch, "prefix");
  execFileSync("npm", ["install", "-g", "--offline", "--no-audit", "--no-fund", "--prefix", prefix, tgz], { stdio: "pipe" });
  cordonBin = join(prefix, "bin", "cordon");
  work = join(scratch, "work");
  execFileSync("mkdir", [work]);
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("a globally installed cordon", () => {
  it("ships as one tarball", () => {
    expect(readdirSync(join(scratch, "out"))).toEqual([expect.stringMatching(/^cordon-cli-.*\.tgz$/)]);
  });

  it("runs doctor with the native part working", () => {
    const r = spawnSync(cordonBin, ["doctor", "--json"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).landlock.abi).toBeGreaterThanOrEqual(1);
  });

  it("sandboxes a command", () => {
    const r = spawnSync(cordonBin, ["run", "--", "sh", "-c", `echo inside; echo x > ${JSON.stringify(join(scratch, "escape"))}`], { cwd: work, encoding: "utf8" });
    expect(r.stdout).toBe("inside\n");
    expect(r.stderr).toMatch(/Permission denied/);
    expect(r.status).not.toBe(0);
  });
});
