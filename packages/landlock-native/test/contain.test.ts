// Containment of the whole command on the real kernel: nothing it starts
// outlives it (PID namespace with an init, or a subreaper supervisor), a
// fresh /proc, IPC namespace and devpts, the read-only tree, masks, the
// TMPDIR tmpfs and the symlink-proof removal of a tree.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FS, KILL_TREE_SIGNAL, LAUNCHER_EXIT, launcherArgs, launcherPath, parseLauncherStatus, removeTree, type LauncherOptions } from "../src/index.js";
import { baseRuleset, probePath, runChild, tempDir } from "./helpers.js";

const run = (options: Omit<LauncherOptions, "command"> & { command?: string }, script: string) =>
  runChild(launcherPath, launcherArgs({ statusFd: 4, command: "sh", args: ["-c", script], ...options }));

/** Host pids whose command line contains `marker` (an argument no other process has). */
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").includes(marker)) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gave up waiting: ${what}`);
}

let serial = 0;
/** A unique sleep duration: its argv tells its processes apart from every other. */
const marker = () => `${3000 + process.pid % 1000}.${++serial}${Date.now() % 1000}`;

// A daemon the way a hostile command makes one: its own session, parent gone, stdio closed.
const daemon = (m: string) => `setsid sh -c 'sleep ${m} </dev/null >/dev/null 2>&1 &' </dev/null >/dev/null 2>&1`;

describe.each([
  ["supervisor (no namespaces)", {}],
  ["PID namespace", { pidns: true }],
] as const)("process tree: %s", (_name, mode) => {
  it("kills a setsid double-forked daemon when the command exits", async () => {
    const m = marker();
    const r = await run(mode, `${daemon(m)}; while [ -z "$(pgrep -f 'sleep ${m}')" ]; do :; done; exit 7`);
    expect(r.code).toBe(7);
    expect(processesWith(m)).toEqual([]);
  });

  it("kills it when cordon (the launcher's parent) is SIGKILLed", async () => {
    const m = marker();
    const args = launcherArgs({ dieWithParent: true, ...mode, command: "sh", args: ["-c", `${daemon(m)}; sleep ${m}0`] });
    // The shell stands in for cordon: it starts the launcher and is then SIGKILLed.
    const parent = spawn("sh", ["-c", `"$0" "$@" & wait`, launcherPath, ...args], { stdio: "ignore" });
    await until(() => processesWith(m).length === 1, "the daemon to start");
    parent.kill("SIGKILL");
    await until(() => processesWith(m).length === 0, "the daemon to die with cordon");
    await until(() => processesWith(`${m}0`).length === 0, "the command to die");
  });

  it(`kills it on the kill-tree signal (${KILL_TREE_SIGNAL}) and reports SIGKILL`, async () => {
    const m = marker();
    const child = spawn(launcherPath, launcherArgs({ ...mode, command: "sh", args: ["-c", `${daemon(m)}; sleep 600`] }), { stdio: "ignore" });
    await until(() => processesWith(m).length === 1, "the daemon to start");
    const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on("close", (_c, s) => resolve(s)));
    child.kill(KILL_TREE_SIGNAL);
    expect(await closed).toBe("SIGKILL");
    expect(processesWith(m)).toEqual([]);
  });

  it("reports the command's own status, signals included", async () => {
    const r = await run(mode, "kill -TERM $$");
    expect(r.code).toBe(null);
    const s = spawnSync(launcherPath, launcherArgs({ ...mode, command: "sh", args: ["-c", "kill -TERM $$"] }));
    expect(s.signal).toBe("SIGTERM");
  });
});

describe("PID namespace: /proc, IPC, terminals", () => {
  it("shows a fresh /proc: the command is pid 2 and no host process is visible", async () => {
    const r = await run({ pidns: true }, `echo $$; ls /proc | grep -c '^[0-9]'; cat /proc/${process.pid}/cmdline 2>&1 >/dev/null | grep -c 'No such file'`);
    const [pid, count, hidden] = r.stdout.trim().split("\n").map(Number);
    expect(pid).toBe(2);
    expect(count).toBeLessThan(6); // init, sh, ls, grep
    expect(hidden).toBe(1);
  });

  it("keeps SysV shared memory of the host out of reach (IPC namespace)", async () => {
    const id = execFileSync("ipcmk", ["-M", "4096"], { encoding: "utf8" }).match(/(\d+)/)![1]!;
    try {
      expect((await run({}, `${probePath} shmat ${id}`)).stdout.trim()).toBe("OK");
      expect((await run({ pidns: true }, `${probePath} shmat ${id}`)).stdout.trim()).toBe("EINVAL");
      expect((await run({ pidns: true }, "ls /dev/shm | wc -l")).stdout.trim()).toBe("0");
    } finally {
      execFileSync("ipcrm", ["-m", id]);
    }
  });

  it("mounts a new devpts: only its own terminals exist, and new ones work", async () => {
    const r = await run({ pidns: true }, "ls /dev/pts; script -qec tty /dev/null");
    expect(r.stdout.trim().split(/\s+/)).toEqual(["ptmx", "/dev/pts/0"]);
  });

  it("adds the path rules for the fresh mounts after mounting them (Landlock rules name inodes)", async () => {
    const read = FS.READ_FILE | FS.READ_DIR;
    const rs = baseRuleset();
    rs.addPath("/proc", read, "proc");
    try {
      const denied = await runChild(launcherPath, launcherArgs({ rulesetFd: 3, statusFd: 4, pidns: true, command: probePath, args: ["read", "/proc/self/status"] }), { ruleset: rs });
      expect(denied.stdout.trim()).toBe("EACCES");
    } finally {
      rs.close();
    }
    const again = baseRuleset();
    again.addPath("/proc", read, "proc");
    try {
      const r = await runChild(
        launcherPath,
        launcherArgs({ rulesetFd: 3, statusFd: 4, pidns: true, rulesAfterMounts: [{ path: "/proc", access: read }], command: probePath, args: ["read", "/proc/self/status"] }),
        { ruleset: again },
      );
      expect(r.stdout.trim()).toBe("OK");
    } finally {
      again.close();
    }
  });
});

describe("read-only tree, masks, tmpfs", () => {
  it("fails chmod, utime and xattrs outside the writable paths with EROFS, root included", async () => {
    const work = tempDir();
    const other = tempDir();
    writeFileSync(join(other, "f"), "x");
    writeFileSync(join(work, "f"), "x");
    const ops = (dir: string) => ["chmod", "utime", "setxattr"].map((op) => `${probePath} ${op} ${dir}/f`).join("; ");
    const r = await run({ pidns: true, readOnly: true, writable: [work] }, `${ops(other)}; ${ops(work)}; ${probePath} creat ${other}/new; ${probePath} creat ${work}/new`);
    expect(r.stdout.trim().split("\n")).toEqual(["EROFS", "EROFS", "EROFS", "OK", "OK", "OK", "EROFS", "OK"]);
    expect(existsSync(join(other, "new"))).toBe(false);
  });

  it("masks a file with an empty read-only file and a directory with an empty read-only tmpfs", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "secret"), "password");
    mkdirSync(join(dir, "keys"));
    writeFileSync(join(dir, "keys", "id"), "key");
    const r = await run(
      { pidns: true, mask: [join(dir, "secret"), join(dir, "keys"), join(dir, "missing")] },
      `wc -c < ${dir}/secret; ls -A ${dir}/keys | wc -l; ${probePath} write ${dir}/secret; ${probePath} creat ${dir}/keys/new`,
    );
    expect(r.stdout.trim().split("\n")).toEqual(["0", "0", "EROFS", "EROFS"]);
    expect(readFileSync(join(dir, "secret"), "utf8")).toBe("password");
  });

  it("puts a size-limited private tmpfs on the TMPDIR: ENOSPC beyond, nothing on the host", async () => {
    const tmp = tempDir();
    const r = await run({ pidns: true, tmpfs: [tmp], tmpfsSize: 1024 * 1024 }, `head -c 2000000 /dev/zero > ${tmp}/big; echo $?; stat -c %a ${tmp}`);
    expect(r.stdout.trim().split("\n")).toEqual(["1", "700"]);
    expect(r.stderr).toMatch(/No space left on device/);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("fails closed (125, stage mounts) when a writable path cannot be bound", async () => {
    const r = await run({ pidns: true, tmpfs: ["/nonexistent-cordon-dir"] }, "true");
    expect(r.code).toBe(LAUNCHER_EXIT.SETUP_FAILED);
    expect(parseLauncherStatus(r.status)).toMatchObject({ stage: "mounts", errno: "ENOENT" });
  });
});

describe("removeTree", () => {
  it("unlinks a symlink inside the tree instead of following it", () => {
    const outside = tempDir();
    writeFileSync(join(outside, "keep"), "x");
    const tree = join(tempDir(), "t");
    mkdirSync(join(tree, "a"), { recursive: true });
    symlinkSync(outside, join(tree, "a", "link"));
    removeTree(tree);
    expect(existsSync(tree)).toBe(false);
    expect(readFileSync(join(outside, "keep"), "utf8")).toBe("x");
  });

  it("is not redirected by a process swapping a subdirectory for a symlink during the removal", async () => {
    const outside = tempDir();
    // The same names as inside the tree: a removal that follows the symlink deletes these.
    for (let i = 0; i < 50; i++) writeFileSync(join(outside, `f${i}`), "x");
    for (let round = 0; round < 20; round++) {
      const tree = join(tempDir(), "t");
      mkdirSync(join(tree, "d"), { recursive: true });
      for (let i = 0; i < 200; i++) writeFileSync(join(tree, "d", `f${i}`), "");
      // The attack of issue 11: swap d for a symlink to a directory outside, again and again.
      const swapper = spawn("sh", ["-c", `cd ${tree} && while :; do mv d d.x 2>/dev/null && ln -s ${outside} d 2>/dev/null; rm -f d 2>/dev/null; mv d.x d 2>/dev/null; done`], { stdio: "ignore" });
      await new Promise((r) => setTimeout(r, 5));
      try {
        removeTree(tree);
      } catch {
        // the swapper may win a step (ENOTEMPTY): what matters is what happened outside
      }
      swapper.kill("SIGKILL");
      await new Promise((r) => swapper.on("close", r));
      expect(readdirSync(outside).length).toBe(50);
    }
  });

  it("refuses a relative path", () => {
    expect(() => removeTree("relative/dir")).toThrow(/EINVAL/);
  });
});
