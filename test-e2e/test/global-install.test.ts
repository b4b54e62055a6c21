import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The packed CLI carries everything it needs (the @cordon packages are on no
// registry, the native part is prebuilt): pack it, install it globally into a
// temporary prefix with npm --offline and no compiler on PATH, and run it from there.
const packScript = fileURLToPath(new URL("../../apps/cli/scripts/pack-bundle.mjs", import.meta.url));
let scratch: string;
let cordonBin: string;
let work: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "cordon-e2e-global-"));
  const tgz = execFileSync(process.execPath, [packScript, join(scratch, "out")], { encoding: "utf8" }).trim();
  const prefix = join(scratch, "prefix");
  // Only node, npm and sh: no cc, make or python, so a source build could not run.
  const bin = join(scratch, "bin");
  mkdirSync(bin);
  for (const tool of [process.execPath, execFileSync("sh", ["-c", "command -v npm"], { encoding: "utf8" }).trim(), "/bin/sh"]) {
    symlinkSync(tool, join(bin, tool.split("/").pop()!));
  }
  execFileSync("npm", ["install", "-g", "--offline", "--no-audit", "--no-fund", "--prefix", prefix, tgz], { stdio: "pipe", env: { ...process.env, PATH: bin } });
  cordonBin = join(prefix, "bin", "cordon");
  work = join(scratch, "work");
  execFileSync("mkdir", [work]);
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("a globally installed cordon", () => {
  it("ships as one tarball", () => {
    expect(readdirSync(join(scratch, "out"))).toEqual([expect.stringMatching(/^cordon-cli-.*\.tgz$/)]);
  });

  it.each(["landlock-native", "splice-relay"])("installs without a compiler: %s prebuilt, nothing built", (pkg) => {
    const native = join(scratch, "prefix", "lib", "node_modules", "@cordon", "cli", "node_modules", "@cordon", pkg);
    expect(readdirSync(join(native, "prebuilds")).sort()).toEqual(expect.arrayContaining([`linux-${process.arch}`]));
    expect(existsSync(join(native, "build"))).toBe(false);
  });

  it("builds the start-up snapshot of `cordon run` at install, for this directory and this node", () => {
    const cli = join(scratch, "prefix", "lib", "node_modules", "@cordon", "cli");
    expect(existsSync(join(cli, "dist", "snapshot", "run.blob"))).toBe(true);
    const [dir, node] = readFileSync(join(cli, "dist", "snapshot", "run.stamp"), "utf8").trim().split("\n");
    expect(realpathSync(dir!)).toBe(realpathSync(cli));
    expect(realpathSync(node!)).toBe(realpathSync(process.execPath));
  });

  it("runs doctor with the native part working", () => {
    const r = spawnSync(cordonBin, ["doctor", "--json"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).landlock.abi).toBeGreaterThanOrEqual(1);
  });

  it("sandboxes a command", () => {
    const r = spawnSync(cordonBin, ["run", "--", "sh", "-c", `echo inside; echo x > ${JSON.stringify(join(scratch, "escape"))}`], { cwd: work, encoding: "utf8" });
    expect(r.stdout).toBe("inside\n");
    // Landlock (EACCES), or first the read-only tree of namespace isolation (EROFS).
    expect(r.stderr).toMatch(/Permission denied|Read-only file system/);
    expect(r.status).not.toBe(0);
  });
});
