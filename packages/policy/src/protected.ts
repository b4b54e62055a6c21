// Protected paths: what stays read-only inside writable trees. Landlock only
// grants, so these need a mount namespace (the launcher's read-only binds).
// Pure: the CLI expands globs and stats candidates; negotiate() decides.
import { posix } from "node:path";
import { defaultPolicy } from "./defaults.js";
import type { ResolvedPolicy } from "./model.js";
import { checkPathSyntax, expandPath } from "./paths.js";

/**
 * Built-in protected names, relative to each writable directory and HOME: places where a write
 * becomes code run later by someone else (VCS hooks and config, shell and editor start-up files,
 * tool configs) or secrets the command has no business rewriting.
 */
export const DEFAULT_PROTECTED: readonly string[] = [
  ".git/hooks",
  ".git/config",
  // What else git reads from .git to decide what to run: a commondir redirects the whole
  // repository (and its config) elsewhere; info holds attributes and sparse patterns;
  // submodules' and linked worktrees' own git directories.
  ".git/commondir",
  ".git/config.worktree",
  ".git/info",
  ".git/modules/*/config",
  ".git/modules/*/hooks",
  ".git/modules/*/info",
  ".git/modules/*/commondir",
  ".git/worktrees/*/commondir",
  ".git/worktrees/*/config.worktree",
  ".gitmodules",
  ".gitconfig",
  ".env*",
  ".bashrc",
  ".bash_profile",
  ".bash_login",
  ".profile",
  ".zshrc",
  ".zshenv",
  ".zprofile",
  ".npmrc",
  ".mcp.json",
  ".vscode",
  ".idea",
];

export type ProtectedCheck = { ok: true } | { ok: false; reason: string; hint?: string };

/** A name ("`.env*`", "`.git/hooks`"), or an absolute / `~/` path; `*` only in the last segment. */
export function checkProtectedEntry(text: string): ProtectedCheck {
  if (text.startsWith("/") || text.startsWith("~")) {
    const check = checkPathSyntax(text, false);
    if (!check.ok) return check;
  } else {
    if (text.length === 0) return { ok: false, reason: "empty path" };
    if (text.includes("\0")) return { ok: false, reason: "contains a NUL byte" };
    if (text.startsWith("./")) return { ok: false, reason: `"${text}": write the name without "./"`, hint: "a name applies to every writable directory; write an absolute path for one place" };
    if (text.split("/").some((s) => s === ".." || s === "." || s === "")) {
      return { ok: false, reason: `"${text}" must be a plain relative name without ".", ".." or empty segments` };
    }
  }
  const segments = text.split("/");
  if (segments.slice(0, -1).some((s) => s.includes("*"))) return { ok: false, reason: `"${text}": "*" is only supported in the last segment` };
  return { ok: true };
}

export interface ProtectedCandidate {
  /** Absolute; the last segment may hold `*` (any characters, dotfiles included). */
  pattern: string;
  /** The writable directory (or HOME) it was derived from; the pattern itself for absolute entries. */
  base: string;
  origin: "default" | "policy";
}

/**
 * Every place a protected entry could apply to: each name under each writable directory (not
 * cordon's private TMPDIR) and under HOME, plus the absolute entries. negotiate() keeps only the
 * existing ones inside a writable directory.
 */
export function protectedCandidates(policy: ResolvedPolicy): ProtectedCandidate[] {
  const { home } = policy.facts;
  // Writable directories the user chose (workdir, readWrite); not cordon's fresh TMPDIR or the
  // built-in devices (also when a caller passes the default policy itself as the base).
  const devices = new Set(defaultPolicy().filesystem.readWrite);
  const bases = policy.filesystem.paths
    .filter((p) => p.access === "readWrite" && p.source !== "tmpdir" && p.source !== "default" && !devices.has(p.path))
    .map((p) => p.path);
  if (!bases.includes(home)) bases.push(home);
  const out = new Map<string, ProtectedCandidate>();
  const add = (entry: string, origin: ProtectedCandidate["origin"]) => {
    if (entry.startsWith("/") || entry.startsWith("~")) {
      const pattern = expandPath(entry, { cwd: policy.facts.cwd, home });
      if (!out.has(pattern)) out.set(pattern, { pattern, base: pattern, origin });
      return;
    }
    for (const base of bases) {
      const pattern = posix.join(base, entry);
      if (!out.has(pattern)) out.set(pattern, { pattern, base, origin });
    }
  };
  for (const name of DEFAULT_PROTECTED) add(name, "default");
  for (const entry of policy.filesystem.protected) add(entry, "policy");
  return [...out.values()];
}

/** Whether a path lies strictly inside one of the directories (a writable root itself stays writable). */
export function isStrictlyInside(path: string, dirs: readonly string[]): boolean {
  return dirs.some((d) => path !== d && path.startsWith(d.endsWith("/") ? d : `${d}/`));
}

/**
 * Files git reads whose mere appearance redirects it, and which git itself never creates there: a
 * `commondir` in a repository's (or a submodule's) own git directory points the whole repository,
 * config included, elsewhere. Absent at start they cannot be bound read-only (cordon plants
 * nothing), so the sandbox removes any that appear, once the command has exited.
 */
export function sweepCandidates(found: Record<string, string[]>, writableDirs: readonly string[]): string[] {
  const existing = new Set(Object.values(found).flat());
  const out = new Set<string>();
  for (const [pattern, matches] of Object.entries(found)) {
    if (!pattern.endsWith("/.git/config") && !pattern.endsWith("/.git/modules/*/config")) continue;
    for (const config of matches) {
      const commondir = `${posix.dirname(config)}/commondir`;
      if (!existing.has(commondir) && isStrictlyInside(commondir, writableDirs)) out.add(commondir);
    }
  }
  return [...out].sort();
}

/** Matches a candidate's last-segment glob (`*` = any run of characters). */
export function globMatcher(lastSegment: string): (name: string) => boolean {
  const re = new RegExp(`^${lastSegment.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return (name) => re.test(name);
}
