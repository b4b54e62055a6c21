// A repository's hooks need not live in .git/hooks: `core.hooksPath` (husky, lefthook, a
// `.githooks` directory) names another directory, often inside the project, whose scripts the
// user's next git command outside the sandbox runs. It is protected like .git/hooks.
import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";

/**
 * The existing hooks directory that a repository's config (`<worktree>/.git/config`) names with
 * core.hooksPath, resolved as git does (relative to the top of the working tree, `~/` to the home
 * directory); undefined when it names none or the directory does not exist.
 */
export function configuredHooksPath(gitConfig: string): string | undefined {
  let text: string;
  try {
    if (!statSync(gitConfig).isFile()) return undefined;
    text = readFileSync(gitConfig, "utf8");
  } catch {
    return undefined;
  }
  const value = coreHooksPath(text);
  if (value === undefined || value === "") return undefined;
  const worktree = dirname(dirname(gitConfig));
  const path = value.startsWith("~/") ? join(homedir(), value.slice(2)) : isAbsolute(value) ? value : resolve(worktree, value);
  return existsSync(path) ? path : undefined;
}

/** The last core.hooksPath value of a git config file's text (git's own "last one wins"). */
export function coreHooksPath(text: string): string | undefined {
  let section = "";
  let found: string | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const header = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"[^"]*")?\s*\]/.exec(line);
    if (header) {
      section = header[1]!.toLowerCase();
      continue;
    }
    const entry = /^hookspath\s*=\s*(.*)$/i.exec(line);
    if (section === "core" && entry) found = unquote(entry[1]!.replace(/\s+[;#].*$/, "").trim());
  }
  return found;
}

function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/\\(["\\])/g, "$1") : v;
}
