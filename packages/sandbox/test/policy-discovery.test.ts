import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { discoverPolicy, findProjectPolicy, trustPolicyFile, UntrustedPolicyError, userConfigPath } from "../src/index.js";

let root: string;
let home: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "cordon-discovery-"));
  home = join(root, "home");
  mkdirSync(home);
  env = { XDG_CONFIG_HOME: join(root, "xdg") };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("hostile project files", () => {
  it("a FIFO named cordon.yaml is refused, not read (it would hang); a link is never trusted", async () => {
    const { execFileSync } = await import("node:child_process");
    const repo = join(root, "repo");
    mkdirSync(join(repo, ".git"), { recursive: true });
    execFileSync("mkfifo", [join(repo, "cordon.yaml")]);
    expect(() => discoverPolicy({ cwd: repo, env, home })).toThrow(/cordon\.yaml: not a regular file/);
    rmSync(join(repo, "cordon.yaml"));
    const elsewhere = join(root, "trusted-elsewhere.yaml");
    writeFileSync(elsewhere, "version: 1\nnetwork: { allow: [wide.example] }\n");
    trustPolicyFile(elsewhere, { env, home });
    symlinkSync(elsewhere, join(repo, "cordon.yaml"));
    expect(() => discoverPolicy({ cwd: repo, env, home })).toThrow(UntrustedPolicyError);
  });
});

describe("findProjectPolicy", () => {
  it("looks from cwd up to the project root (.git), never above it", () => {
    const repo = join(root, "repo");
    mkdirSync(join(repo, ".git"), { recursive: true });
    mkdirSync(join(repo, "packages", "a"), { recursive: true });
    writeFileSync(join(root, "cordon.yaml"), "version: 1\n"); // above the project: ignored
    expect(findProjectPolicy(join(repo, "packages", "a"), home)).toBeUndefined();
    writeFileSync(join(repo, "cordon.yml"), "version: 1\n");
    expect(findProjectPolicy(join(repo, "packages", "a"), home)).toBe(join(repo, "cordon.yml"));
    writeFileSync(join(repo, "packages", "a", "cordon.json"), '{"version": 1}');
    expect(findProjectPolicy(join(repo, "packages", "a"), home)).toBe(join(repo, "packages", "a", "cordon.json"));
  });
});

describe("discoverPolicy", () => {
  it("uses $XDG_CONFIG_HOME/cordon/config.yaml, else ~/.config/cordon", () => {
    expect(userConfigPath({ env, home })).toBe(join(root, "xdg", "cordon", "config.yaml"));
    expect(userConfigPath({ env: {}, home })).toBe(join(home, ".config", "cordon", "config.yaml"));
  });

  it("anchors a project file's ./paths beside the file and protects the file", () => {
    const repo = join(root, "repo");
    mkdirSync(join(repo, ".git", "x"), { recursive: true });
    mkdirSync(join(repo, "pkg"), { recursive: true });
    writeFileSync(join(repo, "cordon.yaml"), "version: 1\nfilesystem:\n  includeWorkdir: false\n  readOnly: [./docs]\n");
    // Inside the project (writable by default), so no widening; outside it would be.
    const d = discoverPolicy({ cwd: join(repo, "pkg"), env, home });
    expect(d.policy.filesystem.readOnly).toContain(join(repo, "docs"));
    expect(d.policy.filesystem.includeWorkdir).toBe(false);
    expect(d.policy.filesystem.protected).toContain(join(repo, "cordon.yaml"));
    expect(d.files).toEqual([{ path: join(repo, "cordon.yaml"), role: "project", trusted: false }]);
    writeFileSync(join(repo, "cordon.yaml"), "version: 1\nfilesystem:\n  readOnly: [./docs, /srv/data]\n");
    expect(() => discoverPolicy({ cwd: join(repo, "pkg"), env, home })).toThrow(/filesystem\.readOnly\[1\]: grant read access to \/srv\/data/);
  });

  it("trust is by real path and content: a link to the file is the same file, an edit is not", () => {
    const repo = join(root, "repo");
    mkdirSync(join(repo, ".git"), { recursive: true });
    writeFileSync(join(repo, "cordon.yaml"), "version: 1\nnetwork: { allow: [wide.example] }\n");
    expect(() => discoverPolicy({ cwd: repo, env, home })).toThrow(UntrustedPolicyError);
    const link = join(root, "link.yaml");
    symlinkSync(join(repo, "cordon.yaml"), link);
    trustPolicyFile(link, { env, home });
    expect(discoverPolicy({ cwd: repo, env, home }).policy.network.allow.map((r) => r.host)).toEqual(["wide.example"]);
    writeFileSync(join(repo, "cordon.yaml"), "version: 1\nnetwork: { allow: [wider.example] }\n");
    expect(() => discoverPolicy({ cwd: repo, env, home })).toThrow(/network\.allow\[0\]: allow wider\.example/);
  });
});
