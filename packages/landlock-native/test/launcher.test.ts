// The launcher protocol: argv, exit codes, the status-fd JSON line, fd hygiene
// and the 16-layer limit, against the real executable and kernel.
import { closeSync, existsSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ABI_OVERRIDE_ENV,
  FS,
  LAUNCHER_EXIT,
  LandlockError,
  RESTRICT,
  abi,
  createRuleset,
  launcherArgs,
  launcherPath,
  parseLauncherStatus,
} from "../src/index.js";
import { baseRuleset, probePath, runChild, runLauncher, tempDir } from "./helpers.js";

describe("launcherArgs()", () => {
  it("builds the documented argv", () => {
    expect(launcherArgs({ rulesetFd: 3, restrictFlags: 4, statusFd: 4, command: "ls", args: ["-l", "--", "x"] })).toEqual([
      "--ruleset-fd", "3", "--restrict-flags", "0x4", "--status-fd", "4", "--", "ls", "-l", "--", "x",
    ]);
    expect(launcherArgs({ command: "true" })).toEqual(["--", "true"]);
  });

  it("rejects bad fds and an empty command", () => {
    expect(() => launcherArgs({ statusFd: 2, command: "x" })).toThrow(LandlockError);
    expect(() => launcherArgs({ rulesetFd: -1, command: "x" })).toThrow(/rulesetFd must be an integer/);
    expect(() => launcherArgs({ command: "" })).toThrow(/command must be a non-empty string/);
  });

  it("points at a built executable", () => {
    expect(existsSync(launcherPath)).toBe(true);
  });
});

describe("exit codes and the status fd", () => {
  it("runs the command and passes its status through; the status pipe closes empty", async () => {
    const r = await runLauncher("/bin/sh", ["-c", "echo hi; exit 7"]);
    expect(r).toEqual({ code: 7, stdout: "hi\n", stderr: "", status: "" });
  });

  it("127 when the command is not found", async () => {
    const r = await runLauncher("cordon-no-such-command", []);
    expect(r.code).toBe(LAUNCHER_EXIT.NOT_FOUND);
    expect(parseLauncherStatus(r.status)).toEqual({
      stage: "exec",
      errno: "ENOENT",
      message: "cordon-no-such-command: command not found",
    });
    expect(r.stderr).toBe("cordon-launcher: cordon-no-such-command: command not found\n");
  });

  it("126 when the file is not executable, or Landlock denies EXECUTE", async () => {
    const file = join(tempDir(), "script");
    writeFileSync(file, "#!/bin/sh\necho ran\n", { mode: 0o644 });
    const plain = await runLauncher(file, []);
    expect(plain.code).toBe(LAUNCHER_EXIT.NOT_EXECUTABLE);
    expect(parseLauncherStatus(plain.status)).toMatchObject({ stage: "exec", errno: "EACCES" });

    const rs = createRuleset({ fs: FS.EXECUTE | FS.READ_FILE });
    try {
      const denied = await runLauncher(probePath, ["noop"], { ruleset: rs });
      expect(denied.code).toBe(LAUNCHER_EXIT.NOT_EXECUTABLE);
      expect(denied.stdout).toBe("");
      expect(parseLauncherStatus(denied.status)?.message).toContain("Landlock denies EXECUTE");
    } finally {
      rs.close();
    }
  });

  it("125 without exec'ing when restrict_self fails (fd 3 is not a ruleset)", async () => {
    const dir = tempDir();
    const marker = join(dir, "ran");
    const notRuleset = openSync(join(dir, "plain"), "w");
    try {
      const r = await runChild(launcherPath, ["--ruleset-fd", "3", "--status-fd", "4", "--", probePath, "creat", marker], {
        fd3: notRuleset,
      });
      expect(r.code).toBe(LAUNCHER_EXIT.SETUP_FAILED);
      expect(r.stdout).toBe("");
      const status = parseLauncherStatus(r.status);
      expect(status).toMatchObject({ stage: "restrict_self", errno: "EBADFD" });
      expect(status?.message).toContain("not a Landlock ruleset fd");
      expect(r.stderr).toMatch(/^cordon-launcher: landlock_restrict_self\(fd 3, flags 0x0\): /);
      expect(existsSync(marker)).toBe(false);
    } finally {
      closeSync(notRuleset);
    }
  });

  it.skipIf(abi() >= 8)("125 with EINVAL for a restrict flag the kernel lacks (TSYNC)", async () => {
    const rs = baseRuleset();
    try {
      const r = await runLauncher(probePath, ["noop"], { ruleset: rs, restrictFlags: RESTRICT.TSYNC });
      expect(r.code).toBe(LAUNCHER_EXIT.SETUP_FAILED);
      expect(parseLauncherStatus(r.status)).toMatchObject({ stage: "restrict_self", errno: "EINVAL" });
    } finally {
      rs.close();
    }
  });

  it.skipIf(abi() < 7)("accepts LOG_SUBDOMAINS_OFF without a ruleset", async () => {
    const r = await runLauncher(probePath, ["noop"], { restrictFlags: RESTRICT.LOG_SUBDOMAINS_OFF });
    expect(r).toMatchObject({ code: 0, stdout: "OK\n", status: "" });
  });

  it("fails closed when the seccomp fd is not open (never execs unfiltered)", async () => {
    const r = await runChild(launcherPath, ["--status-fd", "4", "--seccomp-fd", "3", "--", probePath, "noop"]);
    expect(r.code).toBe(LAUNCHER_EXIT.SETUP_FAILED);
    expect(r.stdout).toBe("");
    expect(parseLauncherStatus(r.status)).toMatchObject({ stage: "seccomp", errno: "EBADF" });
  });

  it.each([
    [["--bogus", "1", "--", "true"], "unknown option '--bogus'"],
    [["--ruleset-fd", "3x", "--", "true"], "--ruleset-fd: invalid value '3x'"],
    [["--status-fd", "4"], "missing command"],
    [["--status-fd", "1", "true"], "--status-fd must be 3 or above"],
  ])("usage error (exit 2) for %j", async (argv, message) => {
    const r = await runChild(launcherPath, argv);
    expect(r.code).toBe(LAUNCHER_EXIT.USAGE);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe("");
  });
});

describe("CORDON_LANDLOCK_ABI_MAX in the launcher", () => {
  it("ABI 0: restrict_self fails like a kernel without Landlock (ENOSYS, 125)", async () => {
    const rs = baseRuleset();
    try {
      const r = await runLauncher(probePath, ["noop"], { ruleset: rs, env: { ...process.env, [ABI_OVERRIDE_ENV]: "0" } });
      expect(r.code).toBe(LAUNCHER_EXIT.SETUP_FAILED);
      expect(parseLauncherStatus(r.status)).toMatchObject({ stage: "restrict_self", errno: "ENOSYS" });
    } finally {
      rs.close();
    }
  });

  it.skipIf(abi() < 7)("ABI 6: audit-log flags are EINVAL", async () => {
    const rs = baseRuleset();
    try {
      const env = { ...process.env, [ABI_OVERRIDE_ENV]: "6" };
      const r = await runLauncher(probePath, ["noop"], { ruleset: rs, env, restrictFlags: RESTRICT.LOG_SAME_EXEC_OFF });
      expect(parseLauncherStatus(r.status)).toMatchObject({ stage: "restrict_self", errno: "EINVAL" });
      const ok = await runLauncher(probePath, ["noop"], { ruleset: rs, env });
      expect(ok).toMatchObject({ code: 0, stdout: "OK\n" });
    } finally {
      rs.close();
    }
  });

  it("an invalid value fails setup with a clear message", async () => {
    const r = await runLauncher(probePath, ["noop"], { env: { ...process.env, [ABI_OVERRIDE_ENV]: "seven" } });
    expect(r.code).toBe(LAUNCHER_EXIT.SETUP_FAILED);
    expect(parseLauncherStatus(r.status)).toMatchObject({ stage: "override", errno: "EINVAL" });
    expect(r.stderr).toContain("CORDON_LANDLOCK_ABI_MAX='seven'");
  });
});

describe("inherited file descriptors", () => {
  it("closes every fd >= 3 before exec (the ruleset, the status pipe, anything else)", async () => {
    const extra = openSync("/dev/null", "r");
    const rs = baseRuleset();
    rs.addPath("/proc", FS.READ_FILE | FS.READ_DIR, "proc"); // the probe lists /proc/self/fd
    try {
      // Control: without the launcher the probe sees fds 3, 4 and 5 (and whatever
      // the test runner leaks without close-on-exec).
      const direct = await runChild(probePath, ["fds"], { ruleset: rs, extraFds: [extra] });
      expect(direct.stdout.trim().split(",")).toEqual(expect.arrayContaining(["3", "4", "5"]));
      const r = await runLauncher(probePath, ["fds"], { ruleset: rs, extraFds: [extra] });
      expect(r).toMatchObject({ code: 0, stdout: "none\n", status: "" });
    } finally {
      rs.close();
      closeSync(extra);
    }
  });
});

describe("stacking", () => {
  /** argv of `depth` nested launchers, each restricting with a fresh ruleset on fd 3. */
  function nested(depth: number): string[] {
    const argv: string[] = ["--ruleset-fd", "3", "--status-fd", "4", "--"];
    for (let i = 1; i < depth; i++) argv.push(probePath, "ruleset-exec", launcherPath, "--ruleset-fd", "3", "--");
    argv.push(probePath, "noop");
    return argv;
  }

  it("16 layers are allowed; the 17th fails with E2BIG (exit 125)", async () => {
    const rs = createRuleset({ fs: FS.MAKE_BLOCK });
    try {
      const sixteen = await runChild(launcherPath, nested(16), { ruleset: rs });
      expect(sixteen).toMatchObject({ code: 0, stdout: "OK\n" });
      const seventeen = await runChild(launcherPath, nested(17), { ruleset: rs });
      expect(seventeen.code).toBe(LAUNCHER_EXIT.SETUP_FAILED);
      expect(seventeen.stdout).toBe("");
      expect(seventeen.stderr).toContain("Argument list too long (already 16 stacked Landlock domains)");
    } finally {
      rs.close();
    }
  });
});
