import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";

export interface ProjectRoot {
  dir: string;
  /** Why this directory: "git repository", "npm workspaces", ... or "current directory". */
  why: string;
  /**
   * A git worktree's (or submodule's) repository directory, outside the project, which git must
   * write to commit: the main repository's .git.
   */
  gitDir?: string;
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
    if (existsSync(join(dir, ".git"))) {
      const gitDir = linkedGitDir(join(dir, ".git"));
      return gitDir ? { dir, why: "git worktree", gitDir } : { dir, why: "git repository" };
    }
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

/**
 * A worktree's `.git` file (`gitdir: X`): the repository directory it shares (X's commondir). The
 * file comes with the project, which may be hostile, so X must point back at it (X/gitdir names
 * this .git file, as git itself writes and checks): a project cannot open an arbitrary directory.
 */
function linkedGitDir(dotGit: string): string | undefined {
  try {
    if (!statSync(dotGit).isFile()) return undefined;
    const m = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotGit, "utf8"));
    if (!m) return undefined;
    const gitdir = resolve(dirname(dotGit), m[1]!);
    const back = readText(join(gitdir, "gitdir")).trim();
    if (!back || realpathSync(resolve(gitdir, back)) !== realpathSync(dotGit)) return undefined;
    const common = readText(join(gitdir, "commondir")).trim();
    const dir = common ? (isAbsolute(common) ? common : resolve(gitdir, common)) : gitdir;
    return statSync(dir).isDirectory() ? dir : undefined;
  } catch {
    return undefined;
  }
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
