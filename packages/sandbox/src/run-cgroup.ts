// One cgroup v2 per command (Landlock-only mode): the launcher moves itself in
// before anything else, so everything the command starts is inside, and
// cordon kills the whole cgroup (cgroup.kill) once the supervisor has exited.
// A backstop for a supervisor the command managed to kill. Named like the
// private TMPDIR, so a later run removes those of a cordon that was killed.
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, rmdirSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { killableCgroupDir } from "./cgroup-facts.js";

export interface RunCgroup {
  readonly path: string;
  /** SIGKILLs every process in it (cgroup.kill). */
  kill(): void;
  /** Kills what is left and removes it (retried briefly while the killed processes exit). */
  remove(): void;
}

const NAME = /^cordon-(\d+)-(?:[0-9a-f]{8}|probe0000)$/;

export function createRunCgroup(): RunCgroup | null {
  const base = killableCgroupDir();
  if (!base) return null;
  sweep(base);
  const path = join(base, `cordon-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    mkdirSync(path);
  } catch {
    return null;
  }
  return { path, kill: () => killCgroup(path), remove: () => removeCgroup(path) };
}

function killCgroup(path: string): void {
  try {
    writeFileSync(join(path, "cgroup.kill"), "1");
  } catch {
    // gone already
  }
}

function removeCgroup(path: string): void {
  for (let i = 0; i < 200; i++) {
    try {
      rmdirSync(path);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return;
      if (code !== "EBUSY") return;
    }
    killCgroup(path);
    // Killed processes leave the cgroup as they exit: a short synchronous wait.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  }
}

function sweep(base: string): void {
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return;
  }
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    removeCgroup(join(base, name));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The pids in a cgroup (for tests and diagnostics). */
export function cgroupProcs(path: string): number[] {
  try {
    return readFileSync(join(path, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
