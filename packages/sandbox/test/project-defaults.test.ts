import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { childEnv } from "../src/child-env.js";
import { nodePreload, withPreload } from "../src/node-preload.js";
import { findProjectRoot } from "../src/project-root.js";
import { isSecretEnvName, withoutSecrets } from "../src/secret-env.js";

const root = mkdtempSync(join(tmpdir(), "cordon-sandbox-project-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const mk = (rel: string, text?: string) => {
  const p = join(root, rel);
  if (text === undefined) mkdirSync(p, { recursive: true });
  else {
    mkdirSync(join(p, ".."), { recursive: true });
    writeFileSync(p, text);
  }
  return p;
};

describe("findProjectRoot", () => {
  it("finds the git repository, else the nearest workspace root, else cwd", () => {
    const repo = mk("repo/packages/a");
    mk("repo/.git");
    expect(findProjectRoot(repo, "/nonexistent-home")).toEqual({ dir: join(root, "repo"), why: "git repository" });
    mk("ws/package.json", JSON.stringify({ workspaces: ["packages/*"] }));
    const a = mk("ws/packages/a/package.json", "{}");
    expect(findProjectRoot(join(a, ".."), "/nonexistent-home")).toEqual({ dir: join(root, "ws"), why: "npm/yarn workspaces" });
    mk("pn/pnpm-workspace.yaml", "packages: []\n");
    expect(findProjectRoot(mk("pn/apps/x"), "/nonexistent-home").dir).toBe(join(root, "pn"));
    const lone = mk("lone/src");
    expect(findProjectRoot(lone, "/nonexistent-home")).toEqual({ dir: lone, why: "current directory" });
  });

  it("never takes the home directory or anything above it (a dotfiles repository in ~)", () => {
    const home = mk("home");
    mk("home/.git");
    const proj = mk("home/code/p");
    expect(findProjectRoot(proj, home)).toEqual({ dir: proj, why: "current directory" });
  });
});

describe("secrets in the environment", () => {
  it("recognises the usual secret names and leaves ordinary ones", () => {
    for (const n of ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "GITHUB_TOKEN", "GH_TOKEN", "NPM_TOKEN", "OPENAI_API_KEY", "STRIPE_SECRET_KEY", "DB_PASSWORD", "CLIENT_SECRET", "npm_config__authToken", "DATABASE_URL", "SIGNING_KEY", "MY_APIKEY"]) {
      expect(isSecretEnvName(n), n).toBe(true);
    }
    for (const n of ["PATH", "HOME", "CI", "NODE_ENV", "TOKENIZERS_PARALLELISM", "AWS_REGION", "AWS_PROFILE", "AWS_CA_BUNDLE", "KEYBOARD", "LANG", "npm_config_registry"]) {
      expect(isSecretEnvName(n), n).toBe(false);
    }
  });

  it("leaves them out unless passed by name", () => {
    const { env, withheld } = withoutSecrets({ PATH: "/bin", GITHUB_TOKEN: "g", NPM_TOKEN: "n" }, ["NPM_TOKEN"]);
    expect(env).toEqual({ PATH: "/bin", NPM_TOKEN: "n" });
    expect(withheld).toEqual(["GITHUB_TOKEN"]);
    expect(withoutSecrets({ GITHUB_TOKEN: "g" }, ["*"]).withheld).toEqual([]);
  });
});

describe("the child's environment", () => {
  const preload = nodePreload();
  it("finds the Node preload and undici, and keeps an existing NODE_OPTIONS after it", () => {
    expect(preload).not.toBeNull();
    const env = childEnv({ base: { NODE_OPTIONS: "--max-old-space-size=100" }, mode: "platform", proxyUrl: "http://u:t@127.0.0.1:3128", tmpdir: "/tmp/x", nodePreload: preload, cacheDir: "/tmp/x/cache" });
    expect(env.NODE_OPTIONS).toBe(`--require ${JSON.stringify(preload!.file)} --max-old-space-size=100`);
    expect(withPreload(env.NODE_OPTIONS, preload!.file)).toBe(env.NODE_OPTIONS);
    expect(env.npm_config_cache).toBe("/tmp/x/cache/npm");
    expect(env.PIP_CACHE_DIR).toBe("/tmp/x/cache/pip");
    // No proxy (mode none): no preload; a cache the caller chose is kept.
    const none = childEnv({ base: { npm_config_cache: "/mine" }, mode: "none", tmpdir: "/tmp/x", nodePreload: preload, cacheDir: "/tmp/x/cache" });
    expect(none.NODE_OPTIONS).toBeUndefined();
    expect(none.npm_config_cache).toBe("/mine");
  });

  it("the preload is inert outside a cordon sandbox (no CORDON_SANDBOX)", () => {
    const out = execFileSync(process.execPath, ["--require", preload!.file, "-p", "typeof globalThis[Symbol.for('undici.globalDispatcher.1')]"], {
      env: { PATH: process.env.PATH, HTTPS_PROXY: "http://127.0.0.1:9" },
      encoding: "utf8",
    });
    expect(out.trim()).toBe("undefined");
  });
});

describe("git worktrees", () => {
  it("a worktree's shared repository is found only when it points back at the worktree", () => {
    const main = mk("wt/main");
    execFileSync("sh", ["-c", "git init -q -b main && git -c user.name=a -c user.email=a@b commit -q --allow-empty -m x && git worktree add -q ../linked"], { cwd: main });
    const linked = join(root, "wt/linked");
    expect(findProjectRoot(join(linked), "/nonexistent-home")).toEqual({ dir: linked, why: "git worktree", gitDir: join(main, ".git") });
    // A hostile project's .git file naming some other directory gets nothing beyond itself.
    const evil = mk("evil");
    writeFileSync(join(evil, ".git"), `gitdir: ${join(main, ".git")}\n`);
    expect(findProjectRoot(evil, "/nonexistent-home")).toEqual({ dir: evil, why: "git repository" });
  });
});
