// Secrets left out entry by entry, on the real kernel, through the embeddable API: links to a
// secret, entries that change between the commands of one long-lived sandbox.
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, type Sandbox } from "../src/index.js";

let root: string;
let home: string;
let sandbox: Sandbox;
const savedHome = process.env.HOME;

const cat = (path: string) => {
  const r = sandbox.spawnSync("cat", [path]);
  return r.status === 0 ? r.stdout.toString() : `refused: ${r.stderr.toString().includes("Permission denied") ? "EACCES" : r.stderr.toString()}`;
};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "cordon-sandbox-secrets-"));
  home = join(root, "home");
  mkdirSync(join(home, "dotfiles", "ssh"), { recursive: true });
  writeFileSync(join(home, "dotfiles", "ssh", "id_ed25519"), "KEY\n");
  symlinkSync(join(home, "dotfiles", "ssh"), join(home, ".ssh"));
  mkdirSync(join(home, ".aws"));
  writeFileSync(join(home, ".aws", "credentials"), "AWS\n");
  mkdirSync(join(home, ".tool"));
  writeFileSync(join(home, ".tool", "config"), "tool\n");
  writeFileSync(join(home, ".gitconfig"), "git\n");
  mkdirSync(join(root, "proj"));
  process.env.HOME = home;
  sandbox = await createSandbox({ cwd: join(root, "proj"), inline: { network: "none", isolation: "landlock" } });
});

afterAll(async () => {
  await sandbox?.close();
  process.env.HOME = savedHome;
  rmSync(root, { recursive: true, force: true });
});

describe("secrets in a long-lived sandbox (Landlock-only)", () => {
  it("reads the home directory's configuration, not its secrets", () => {
    expect(cat(join(home, ".gitconfig"))).toBe("git\n");
    expect(cat(join(home, ".tool", "config"))).toBe("tool\n");
    expect(cat(join(home, ".aws", "credentials"))).toBe("refused: EACCES");
  });

  it("a secret behind a link (~/.ssh -> ~/dotfiles/ssh) is unreadable where it really lies", () => {
    expect(cat(join(home, ".ssh", "id_ed25519"))).toBe("refused: EACCES");
    expect(cat(join(home, "dotfiles", "ssh", "id_ed25519"))).toBe("refused: EACCES");
  });

  it("an entry replaced by a link to a secret after the sandbox was created grants nothing; a removed one breaks nothing", () => {
    renameSync(join(home, ".tool"), join(home, ".tool-old"));
    symlinkSync(join(home, ".aws"), join(home, ".tool"));
    rmSync(join(home, ".gitconfig"));
    expect(cat(join(home, ".tool", "credentials"))).toBe("refused: EACCES");
    expect(cat(join(home, ".aws", "credentials"))).toBe("refused: EACCES");
  });
});
