import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { configuredHooksPath, coreHooksPath } from "../src/git-hooks-path.js";

const dir = mkdtempSync(join(tmpdir(), "cordon-hookspath-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("core.hooksPath", () => {
  it("reads the last value in [core], case-insensitive, quoted or with a comment, and nothing from other sections", () => {
    expect(coreHooksPath("[core]\n\tbare = false\n\thooksPath = .husky\n")).toBe(".husky");
    expect(coreHooksPath('[Core]\n  HOOKSPATH = "my hooks"  # team hooks\n[core]\n\thookspath = .githooks ; last wins\n')).toBe(".githooks");
    expect(coreHooksPath('[remote "origin"]\n\thooksPath = nope\n')).toBeUndefined();
    expect(coreHooksPath("[core]\n\tfilemode = true\n")).toBeUndefined();
  });

  it("resolves a relative value against the working tree, and only when the directory exists", () => {
    const repo = join(dir, "repo");
    mkdirSync(join(repo, ".git"), { recursive: true });
    writeFileSync(join(repo, ".git", "config"), "[core]\n\thooksPath = .husky\n");
    expect(configuredHooksPath(join(repo, ".git", "config"))).toBeUndefined();
    mkdirSync(join(repo, ".husky"));
    expect(configuredHooksPath(join(repo, ".git", "config"))).toBe(join(repo, ".husky"));
    expect(configuredHooksPath(join(repo, "missing", "config"))).toBeUndefined();
  });
});
