import { lstatSync, realpathSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Removes the files of `plan.removeIfCreated` that appeared during a command (git redirect files:
 * absent at start, never written by git there). Never follows a link and never removes a
 * directory (git refuses a commondir it cannot read as a file). Returns what it removed.
 */
export function removeCreated(paths: readonly string[] | undefined): string[] {
  const removed: string[] = [];
  for (const path of paths ?? []) {
    try {
      if (lstatSync(path).isDirectory()) continue;
      // A directory on the way swapped for a link would point the unlink elsewhere.
      if (realpathSync(dirname(path)) !== dirname(path)) continue;
      unlinkSync(path);
      removed.push(path);
    } catch {
      /* absent: nothing was planted */
    }
  }
  return removed;
}
