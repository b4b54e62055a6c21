// Real temporary projects and a throwaway home directory for the workload suite: what a new user
// has on disk (a project, a git identity, credentials that must stay unreadable, a package cache
// shared with builds outside the sandbox).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { cordon, type CordonOptions, type Result } from "../../test/support/cordon.js";

export interface Workspace {
  /** The parent of home/ and the projects. */
  root: string;
  home: string;
  /** The environment a run gets: the fake home, a system PATH, no secrets of the real user. */
  env: NodeJS.ProcessEnv;
  /** Writes files (path → text) under dir, creating parents. */
  write(dir: string, files: Record<string, string>): string;
  run(args: string[], o?: CordonOptions): Promise<Result>;
  cleanup(): void;
}

export const SSH_KEY = "-----BEGIN OPENSSH PRIVATE KEY----- workload-suite-fake-key";
export const AWS_KEY = "aws_secret_access_key = workload-suite-fake";

export function workspace(name: string): Workspace {
  const root = mkdtempSync(join(tmpdir(), `cordon-wl-${name}-`));
  const home = join(root, "home");
  const write = (dir: string, files: Record<string, string>) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  };
  write(home, {
    ".ssh/id_ed25519": `${SSH_KEY}\n`,
    ".aws/credentials": `[default]\n${AWS_KEY}\n`,
    ".npm/_cacache/index-v5/marker": "the user's own npm cache\n",
  });
  // cordon's private TMPDIRs go under the workspace: each cordon start sweeps the leftovers of
  // killed runs in its TMPDIR's parent, and these suites must not race other suites' checks.
  const tmp = join(root, "tmp");
  mkdirSync(tmp);
  const env: NodeJS.ProcessEnv = {
    HOME: home,
    TMPDIR: tmp,
    PATH: "/usr/local/bin:/usr/bin:/bin",
    // Identity for git without relying on a readable ~/.gitconfig (that is the home baseline's job).
    GIT_AUTHOR_NAME: "Work Load",
    GIT_AUTHOR_EMAIL: "wl@example.test",
    GIT_COMMITTER_NAME: "Work Load",
    GIT_COMMITTER_EMAIL: "wl@example.test",
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
  };
  for (const k of ["npm_config_cache", "NODE_OPTIONS", "PIP_CACHE_DIR", "VIRTUAL_ENV", "PYTHONHOME"]) env[k] = undefined;
  return {
    root,
    home,
    env,
    write,
    run: (args, o = {}) => cordon(args, { ...o, env: { ...env, ...o.env } }),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Runs a command outside the sandbox (set-up only), in dir. */
export function sh(dir: string, command: string, env: NodeJS.ProcessEnv = {}): string {
  return execFileSync("sh", ["-c", command], { cwd: dir, encoding: "utf8", env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
}

export const ISOLATIONS = ["namespace", "landlock"] as const;
