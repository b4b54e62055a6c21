import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface ProjectRoot {
  dir: string;
  /** Why this directory: "git repository", "npm workspaces", ... or "current directory". */
  why: string;
}

/** Files that make a directory a workspace root, and how to tell (a bare presence or a key inside). */
const WORKSPACE_MARKERS: readonly [file: string, why: string, test?: (text: string) => boolean][] = [
  ["pnpm-workspace.yaml", "pnpm workspace"],
  ["package.json", "npm/yarn workspaces", (t) => hasKey(t, "workspaces")],
  ["lerna.json", "lerna monorepo"],
  ["nx.json", "nx workspace"],
  ["rush.json", "rush monorepo"],
  ["go.work", "go workspace"],
  ["Cargo.toml", "cargo workspace", (t) => /^\s*\[workspace\]/m.test(t)],
];

/**
 * The project a command run from `cwd` works on: the enclosing git repository (or worktree), else
 * the nearest workspace root, else cwd. A root at or above the home directory or at / is never a
 * project (a dotfiles repository in ~ must not make the whole home writable): then cwd.
 */
export function findProjectRoot(cwd: string, home: string): ProjectRoot {
  const tooHigh = (dir: string) => dir === "/" || dir === home || home.startsWith(`${dir}/`);
  let workspace: ProjectRoot | undefined;
  for (let dir = cwd; !tooHigh(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, ".git"))) return { dir, why: "git repository" };
    if (!workspace) {
      for (const [file, why, test] of WORKSPACE_MARKERS) {
        const path = join(dir, file);
        if (existsSync(path) && (!test || test(readText(path)))) {
          workspace = { dir, why };
          break;
        }
      }
    }
    if (dirname(dir) === dir) break;
  }
  return workspace ?? { dir: cwd, why: "current directory" };
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function hasKey(json: string, key: string): boolean {
  try {
    const v = JSON.parse(json) as unknown;
    return typeof v === "object" && v !== null && key in v;
  } catch {
    return false;
  }
}
