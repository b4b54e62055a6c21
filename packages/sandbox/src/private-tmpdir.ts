import { mkdtempSync, readdirSync } from "node:fs";
import { removeTree } from "@cordon/landlock-native";
import { tmpdir } from "node:os";
import { join } from "node:path";

// The owning pid is part of the name so that a later run can remove the
// directories of a cordon process that was killed before it could clean up.
const PREFIX = "cordon-";

export function createPrivateTmpdir(): string {
  sweepOrphans();
  return mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
}

/**
 * Called once every process of the run is dead. Even so, the removal never follows a symlink
 * (relative to directory fds): a leftover process swapping a subdirectory for a symlink cannot
 * make cordon, which runs outside every restriction, delete anything outside the directory.
 */
export function removePrivateTmpdir(dir: string): void {
  try {
    removeTree(dir);
  } catch {
    // What cannot be removed stays (a later run's sweep tries again); nothing outside is touched.
  }
}

function sweepOrphans(): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^cordon-(\d+)-[A-Za-z0-9]{6}$/.exec(name);
    if (!m || Number(m[1]) === process.pid || isAlive(Number(m[1]))) continue;
    removePrivateTmpdir(join(tmpdir(), name));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
