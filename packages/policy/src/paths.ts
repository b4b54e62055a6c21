import { posix } from "node:path";

export type PathCheck = { ok: true } | { ok: false; reason: string; hint?: string };

const MAX_PATH_LENGTH = 4096;

/**
 * Check a path as written in a policy: absolute, `~`/`~/x` (home) or `.`/`./x` (workdir).
 * `..` segments are refused outright rather than resolved: they make a policy's reach hard to read.
 */
export function checkPathSyntax(text: string, writable: boolean): PathCheck {
  if (text.length === 0) return { ok: false, reason: "empty path" };
  if (text.includes("\0")) return { ok: false, reason: "contains a NUL byte" };
  if (text.length > MAX_PATH_LENGTH) return { ok: false, reason: `longer than ${MAX_PATH_LENGTH} characters` };
  if (text.startsWith("~") && text !== "~" && !text.startsWith("~/")) {
    return { ok: false, reason: `"${text}": only "~" and "~/..." (your own home) are supported`, hint: "write the absolute path" };
  }
  if (!text.startsWith("/") && !text.startsWith("~") && text !== "." && !text.startsWith("./")) {
    return { ok: false, reason: `relative path "${text}" is ambiguous`, hint: `write "./${text}" for a path in the working directory, or an absolute path` };
  }
  if (text.split("/").includes("..")) return { ok: false, reason: `"${text}" contains a ".." segment`, hint: "write the path without .." };
  if (writable) {
    const normal = posix.normalize(text);
    if (normal === "/" ) return { ok: false, reason: "the root directory cannot be writable" };
    if (normal === "~" || normal === "~/") return { ok: false, reason: "your whole home directory cannot be writable", hint: "list the directories under ~ that need writing" };
  }
  return { ok: true };
}

/** Expand `~` and `./`, normalise (no trailing slash, no `//` or `/./`). Assumes checkPathSyntax passed. */
export function expandPath(text: string, facts: { cwd: string; home: string }): string {
  let absolute: string;
  if (text === "~" || text.startsWith("~/")) absolute = facts.home + text.slice(1);
  else if (text === "." || text.startsWith("./")) absolute = facts.cwd + "/" + text.slice(1);
  else absolute = text;
  return normalizeAbsolute(absolute);
}

export function normalizeAbsolute(path: string): string {
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith("/") ? normal.slice(0, -1) : normal;
}
