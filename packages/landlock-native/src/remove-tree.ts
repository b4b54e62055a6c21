import { basename, dirname } from "node:path";
import { binding } from "./binding.js";
import { errnoName, LandlockError } from "./errors.js";

/**
 * Removes `path` and everything below it without ever following a symlink below `path`
 * (openat O_NOFOLLOW|O_DIRECTORY + unlinkat, relative to directory fds): a process that swaps
 * a subdirectory for a symlink while this runs cannot redirect the removal outside the tree.
 * A missing path is not an error. `path` itself is taken as given (its parent may be a symlink).
 */
export function removeTree(path: string): void {
  if (!path.startsWith("/") || path.includes("\0") || basename(path) === "" || basename(path) === "." || basename(path) === "..") {
    throw LandlockError.of("EINVAL", { syscall: "removeTree", hint: `an absolute path to remove, got ${JSON.stringify(path)}` });
  }
  const err = binding.removeTreeAt(dirname(path), basename(path));
  if (err !== 0) throw LandlockError.of(errnoName(err), { syscall: "removeTree", hint: `removing ${path}` });
}

