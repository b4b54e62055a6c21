// Escapes of issue 11 through the built CLI, in both isolation modes: processes
// outliving the run, cordon's clean-up redirected by a symlink, host command
// lines in /proc, SysV shared memory and other terminals of the host, metadata
// changes outside the writable paths, and the limits.
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { probePath, tempDir } from "./support/sandbox.js";

const bin = join(import.meta.dirname, "..", "..", "apps", "cli", "dist", "bin.js");
type Mode = "namespace" | "landlock";
const MODES: Mode[] = ["namespace", "landlock"];

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `cordon run --isolation MODE [extra] -- sh -c SCRIPT` (as `user` when given), with the probe executable. */
function cordon(mode: Mode, cwd: string, script: string, extra: string[] = [], user?: string): { child: ReturnType<typeof spawn>; done: Promise<Ran> } {
  const argv = [bin, "run", "--isolation", mode, "--exec", dirname(probePath), "--proxy-port", "0", ...extra, "--", "sh", "-c", script];
  const child = user
    ? spawn("su", [user, "-s", "/bin/sh", "-c", `cd '${cwd}' && exec '${process.execPath}' ${argv.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ")}`], { stdio: ["ignore", "pipe", "pipe"] })
    : spawn(process.execPath, argv, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Ran>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

const run = (mode: Mode, cwd: string, script: string, extra: string[] = [], user?: string) => cordon(mode, cwd, script, extra, user).done;

/** Host pids whose argv holds `marker` as one argument. */
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
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gave up waiting: ${what}`);
}

let serial = 0;
const marker = () => `${4000 + (process.pid % 1000)}.${++serial}${Date.now() % 1000}`;
/** setsid + double fork, stdio closed: a daemon that would outlive a process-group kill. */
const daemon = (m: string) => `setsid sh -c 'sleep ${m} </dev/null >/dev/null 2>&1 &' </dev/null >/dev/null 2>&1`;
const waitFor = (m: string) => `while [ -z "$(pgrep -f 'sleep ${m}')" ]; do :; done`;

function workDir(owner?: "nobody"): string {
  const dir = tempDir("cordon-escape-contain-");
  if (owner) {
    const { uid, gid } = nobody();
    chownSync(dir, uid, gid);
  }
  return dir;
}

function nobody(): { uid: number; gid: number } {
  const [uid, gid] = execFileSync("id", ["-u", "nobody"], { encoding: "utf8" }).trim().concat(" ", execFileSync("id", ["-g", "nobody"], { encoding: "utf8" }).trim()).split(" ").map(Number);
  return { uid: uid!, gid: gid! };
}

describe.each(MODES)("--isolation %s", (mode) => {
  const layer = mode === "namespace" ? "PID namespace (init reaper)" : "subreaper supervisor";

  it(`a setsid double-forked daemon does not outlive the run (${layer})`, async () => {
    const m = marker();
    const r = await run(mode, workDir(), `${daemon(m)}; ${waitFor(m)}; exit 3`);
    expect(r.code).toBe(3);
    expect(processesWith(m)).toEqual([]);
  });

  it(`as nobody, too (${layer})`, async () => {
    const m = marker();
    const r = await run(mode, workDir("nobody"), `${daemon(m)}; ${waitFor(m)}; id -un`, [], "nobody");
    expect(r.stdout.trim()).toBe("nobody");
    expect(processesWith(m)).toEqual([]);
  });

  it(`a SIGKILL of cordon takes the daemon with it (${layer})`, async () => {
    const m = marker();
    const { child, done } = cordon(mode, workDir(), `${daemon(m)}; sleep ${m}0`);
    await until(() => processesWith(m).length === 1 && processesWith(`${m}0`).length === 1, "the daemon and the command to start");
    child.kill("SIGKILL");
    await done;
    await until(() => processesWith(m).length === 0 && processesWith(`${m}0`).length === 0, "every process of the run to die");
  });

  it("cordon's clean-up is not redirected by a symlink swapped into the TMPDIR: nothing outside is deleted", async () => {
    // The attack of issue 11: a leftover process swaps a TMPDIR subdirectory for a symlink to a
    // directory outside holding the same names while cordon removes the tree.
    const outside = tempDir("cordon-escape-victim-");
    for (let i = 0; i < 100; i++) writeFileSync(join(outside, `f${i}`), "keep");
    const swap = `cd "$TMPDIR" && mkdir d && for i in $(seq 0 99); do : > d/f$i; done && setsid sh -c 'while :; do mv d d.x 2>/dev/null && ln -s ${outside} d 2>/dev/null; rm -f d; mv d.x d 2>/dev/null; done' </dev/null >/dev/null 2>&1 &`;
    const r = await run(mode, workDir(), `${swap} sleep 0.2; echo $TMPDIR`);
    const tmp = r.stdout.trim();
    expect(tmp).toMatch(/cordon-/);
    expect(readdirSync(outside).length).toBe(100);
    expect(existsSync(tmp)).toBe(false);
  });

  it("metadata of a root-owned file outside the writable paths (chmod, utime, user xattr), as root", async () => {
    const dir = tempDir("cordon-escape-meta-");
    const file = join(dir, "f");
    writeFileSync(file, "x");
    chmodSync(file, 0o644);
    const r = await run(mode, workDir(), ["chmod", "utime", "setxattr"].map((op) => `${probePath} ${op} ${file}`).join("; "), ["--ro", dir]);
    if (mode === "namespace") {
      expect(r.stdout.trim().split("\n")).toEqual(["EROFS", "EROFS", "EROFS"]);
      expect(statSync(file).mode & 0o7777).toBe(0o644);
    } else {
      // The documented gap (fs.read-only: none): Landlock does not govern metadata.
      expect(r.stdout.trim().split("\n")).toEqual(["OK", "OK", "OK"]);
    }
  });

  it("--learn and --json FILE do not write through a symlink (or hard link) the command planted for cordon to follow", async () => {
    const dir = tempDir("cordon-escape-learn-");
    const target = join(dir, "precious");
    writeFileSync(target, "precious\n");
    const cwd = workDir();
    const r = await run(mode, cwd, `ln -s ${target} cordon.learned.yaml; echo x > own; ln own report.json`, ["--learn", "--json", "report.json"]);
    expect(readFileSync(target, "utf8")).toBe("precious\n");
    expect(readFileSync(join(cwd, "own"), "utf8")).toBe("x\n");
    expect(r.stderr).toMatch(/did not write cordon\.learned\.yaml: it is a symbolic link/);
    expect(r.stderr).toMatch(/did not write the JSON report to report\.json: it has other hard links/);
  });

  it("host command lines in /proc", async () => {
    const r = await run(mode, workDir(), `${probePath} read /proc/${process.pid}/cmdline; ls /proc | grep -c '^[0-9]'`);
    const [read, count] = r.stdout.trim().split("\n");
    if (mode === "namespace") {
      expect(read).toBe("ENOENT");
      expect(Number(count)).toBeLessThan(8);
    } else {
      // The documented gap (process.proc: none): the host's /proc.
      expect(read).toBe("OK");
    }
  });

  it("the TMPDIR size limit", async () => {
    const r = await run(mode, workDir(), 'head -c 3000000 /dev/zero > "$TMPDIR/big"; echo $?', ["--tmpdir-size", "1M"]);
    if (mode === "namespace") {
      expect(r.stdout.trim()).toBe("1");
      expect(r.stderr).toMatch(/No space left on device/);
    } else {
      expect(r.stdout.trim()).toBe("0");
      expect(r.stderr).toMatch(/NOT ENFORCED: TMPDIR size/);
    }
    const hard = await run(mode, workDir(), "true", ["--tmpdir-size", "1M", "--compat", "hard"]);
    if (mode === "landlock") {
      expect(hard.code).toBe(3);
      expect(hard.stderr).toMatch(/refusing to run/);
    }
  });

  it("a process limit without a cgroup v2 pids controller is reported, and refused under --compat hard", async () => {
    const r = await run(mode, workDir(), "true", ["--max-processes", "50"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/NOT ENFORCED: number of processes: the pids controller is not available/);
    const hard = await run(mode, workDir(), "true", ["--max-processes", "50", "--compat", "hard"]);
    expect(hard.code).toBe(3);
    expect(hard.stderr).toMatch(/refusing to run.*number of processes/s);
  });
});

describe("--isolation landlock only", () => {
  it.runIf(process.getuid?.() === 0)("the command kills its supervisor first (no Landlock signal scope, ABI 5): the run's cgroup v2 still takes its daemon down", async () => {
    const m = marker();
    const env = { ...process.env, CORDON_LANDLOCK_ABI_MAX: "5" };
    const child = spawn(process.execPath, [bin, "run", "--isolation", "landlock", "--", "sh", "-c", `${daemon(m)}; ${waitFor(m)}; grep -c cordon- /proc/self/cgroup; kill -KILL $PPID`], { cwd: workDir(), env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    await new Promise((r) => child.on("close", r));
    expect(stdout.trim()).toBe("1"); // it ran in a cgroup of its own
    await until(() => processesWith(m).length === 0, "the daemon to die with the cgroup");
  });
});

describe("--isolation landlock only: another terminal of the user (/dev/pts/N)", () => {
  it("cannot be opened: only the inherited terminal's node is granted → EACCES (fs.terminals: full)", async () => {
    const before = new Set(readdirSync("/dev/pts"));
    const other = spawn("script", ["-qec", "sleep 30", "/dev/null"], { stdio: "ignore" });
    try {
      await until(() => readdirSync("/dev/pts").some((n) => !before.has(n)), "the other terminal");
      const pty = readdirSync("/dev/pts").find((n) => !before.has(n))!;
      const r = await run("landlock", workDir(), `${probePath} write /dev/pts/${pty}; ${probePath} read /dev/pts/${pty}`);
      expect(r.stdout.trim().split("\n")).toEqual(["EACCES", "EACCES"]);
      const explain = JSON.parse(execFileSync(process.execPath, [bin, "explain", "--isolation", "landlock", "--json"], { cwd: workDir(), encoding: "utf8" }));
      expect(explain.report.items.find((i: { id?: string }) => i.id === "fs.terminals")).toMatchObject({ level: "full" });
    } finally {
      other.kill("SIGKILL");
    }
  });
});

describe("--isolation namespace only", () => {
  it("SysV shared memory of a host process cannot be attached (IPC namespace) → EINVAL", async () => {
    const id = execFileSync("ipcmk", ["-M", "4096"], { encoding: "utf8" }).match(/(\d+)/)![1]!;
    try {
      const r = await run("namespace", workDir(), `${probePath} shmat ${id}; ls /dev/shm | wc -l`);
      expect(r.stdout.trim().split("\n")).toEqual(["EINVAL", "0"]);
    } finally {
      execFileSync("ipcrm", ["-m", id]);
    }
  });

  it("another terminal of the host (/dev/pts/N) does not exist inside → ENOENT; a new terminal works", async () => {
    // A terminal of "another shell": script holds a pty open while its sleep runs.
    const before = new Set(readdirSync("/dev/pts"));
    const other = spawn("script", ["-qec", "sleep 30", "/dev/null"], { stdio: "ignore" });
    try {
      await until(() => readdirSync("/dev/pts").some((n) => !before.has(n)), "the other terminal");
      const pty = readdirSync("/dev/pts").find((n) => !before.has(n))!;
      const r = await run("namespace", workDir(), `${probePath} read /dev/pts/${pty}; script -qec tty /dev/null`);
      expect(r.stdout.trim().split(/\s+/)).toEqual(["ENOENT", "/dev/pts/0"]);
    } finally {
      other.kill("SIGKILL");
    }
  });

  it.runIf(process.getuid?.() === 0)("the host's device nodes the command may write (/dev/null, /dev/full): utime and chmod are EROFS as root; writing still works", async () => {
    // Bound read-write, they were the host's own nodes: root could chmod 000 /dev/null for every process outside.
    const r = await run("namespace", workDir(), `${probePath} utime /dev/full; ${probePath} utime /dev/null; ${probePath} write /dev/null; echo x > /dev/null && echo W`);
    expect(r.stdout.trim().split("\n")).toEqual(["EROFS", "EROFS", "OK", "W"]);
  });

  it("as nobody: a fresh /proc and a read-only tree", async () => {
    const cwd = workDir("nobody");
    const r = await run("namespace", cwd, `${probePath} read /proc/${process.pid}/cmdline; ${probePath} utime /etc/hostname; ${probePath} creat ${cwd}/ok`, [], "nobody");
    expect(r.stdout.trim().split("\n")).toEqual(["ENOENT", "EROFS", "OK"]);
  });
});
