import { lstatSync, readdirSync, statSync } from "node:fs";
import { globMatcher } from "@cordon/policy";

/**
 * Existing paths matching an absolute pattern with `*` in any segment (lstat: a dangling symlink
 * exists too). Nothing is followed but the directories on the way.
 */
export function expandPattern(pattern: string): string[] {
  const segments = pattern.split("/").filter(Boolean);
  let found = ["/"];
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    const next: string[] = [];
    for (const dir of found) {
      const join = (name: string) => (dir === "/" ? `/${name}` : `${dir}/${name}`);
      if (!segment.includes("*")) {
        if (exists(join(segment), last)) next.push(join(segment));
        continue;
      }
      const match = globMatcher(segment);
      let names: string[] = [];
      try {
        names = readdirSync(dir);
      } catch {
        /* not a directory, or unreadable */
      }
      for (const name of names.sort()) if (match(name) && exists(join(name), last)) next.push(join(name));
    }
    found = next;
  }
  return found;
}

function exists(path: string, last: boolean): boolean {
  try {
    // Intermediate segments must lead somewhere (a directory, perhaps through a link).
    if (last) lstatSync(path);
    else if (!statSync(path).isDirectory()) return false;
    return true;
  } catch {
    return false;
  }
}

