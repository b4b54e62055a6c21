// The seccomp layer on the real kernel: the launcher loads a compiled program
// from --seccomp-fd (fd 5) and the probe reports what the kernel answered.
import { spawn } from "node:child_process";
import { closeSync } from "node:fs";
import { createSocket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FS,
  NET,
  SYSCALLS_X86_64,
  SYSCALLS_AARCH64,
  abi,
  compileSeccomp,
  launcherArgs,
  launcherPath,
  parseLauncherStatus,
  LAUNCHER_EXIT,
  seccompAvailable,
  seccompProgramFd,
  type Ruleset,
} from "../src/index.js";
import { ALWAYS_DENIED_SYSCALLS, cordonSpec } from "./cordon-specs.js";
import { baseRuleset, closeServer, freePort, listen, portOf, probePath, runChild, type RunResult } from "./helpers.js";

const table = process.arch === "arm64" ? SYSCALLS_AARCH64 : SYSCALLS_X86_64;
const platformSpec = cordonSpec("platform", { landlockHandlesUdp: false });

/** Runs the probe under the launcher with `program` on fd 5 (and a ruleset on fd 3 if given). */
async function withFilter(program: Buffer | number | null, args: string[], ruleset?: Ruleset): Promise<RunResult> {
  const fd = program === null ? undefined : typeof program === "number" ? program : seccompProgramFd(program);
  try {
    const argv = launcherArgs({
      ...(ruleset ? { rulesetFd: 3 } : {}),
      statusFd: 4,
      ...(fd !== undefined ? { seccompFd: 5 } : {}),
      command: probePath,
      args,
    });
    return await runChild(launcherPath, argv, { ...(ruleset ? { ruleset } : {}), extraFds: fd !== undefined ? [fd] : [] });
  } finally {
    if (typeof program !== "number" && fd !== undefined) closeSync(fd);
  }
}

async function answer(program: Buffer | null, ...args: string[]): Promise<string> {
  const r = await withFilter(program, args);
  if (r.code !== 0) throw new Error(`probe ${args.join(" ")} exited ${r.code}: ${r.stderr}${r.status}`);
  return r.stdout.trim();
}

const filtered = (...args: string[]) => answer(compileSeccomp(platformSpec), ...args);
const unfiltered = (...args: string[]) => answer(null, ...args);

describe("seccomp filter on the real kernel", () => {
  it("is available on this kernel (actions_avail lists errno and kill_process)", () => {
    expect(seccompAvailable()).toBe(true);
  });

  it("is installed in mode 2 with one filter", async () => {
    expect(await filtered("seccomp-status")).toBe("mode=2 filters=1");
    expect(await unfiltered("seccomp-status")).toBe("mode=0 filters=0");
  });

  // Every call runs with all arguments 0; without the filter none of them answers EPERM as root,
  // so EPERM under the filter is the filter's.
  it.each(ALWAYS_DENIED_SYSCALLS)("denies %s with EPERM (and the kernel alone would not)", async (sys) => {
    const nr = String(table[sys]);
    expect(await filtered("syscall", nr)).toBe("EPERM");
    expect(await unfiltered("syscall", nr)).not.toBe("EPERM");
  });

  it.each([
    ["udp-send4", "9"],
    ["udp-send6", "9"],
    ["raw4"],
    ["ping4"],
    ["packet"],
    ["mptcp4", "9"],
    ["mptcp6", "9"],
    ["io-uring"],
    ["unshare-user"],
    ["clone-newuser"],
    ["socket", "40", "1", "0"], // AF_VSOCK
    ["socket", "38", "5", "0"], // AF_ALG
    ["socket", "16", "3", "9"], // NETLINK_AUDIT
    ["socketpair", "2"],
  ])("denies %s with EPERM", async (...args) => {
    expect(await filtered(...args)).toBe("EPERM");
  });

  it("denies SCTP with EPERM before the kernel's own EPROTONOSUPPORT", async () => {
    expect(await filtered("sctp4")).toBe("EPERM");
    // This kernel may or may not have SCTP: without the filter it either works or says so.
    expect(["OK", "EPROTONOSUPPORT"]).toContain(await unfiltered("sctp4"));
  });

  it("the same attempts succeed without the filter (root, no Landlock)", async () => {
    const udp = createSocket("udp4");
    await new Promise<void>((r) => udp.bind(0, "127.0.0.1", r));
    const port = String(udp.address().port);
    try {
      for (const args of [["udp-send4", port], ["raw4"], ["packet"], ["io-uring"], ["unshare-user"], ["clone-newuser"]]) {
        expect(await unfiltered(...args)).toBe("OK");
      }
    } finally {
      udp.close();
    }
  });

  it("keeps TCP, AF_UNIX, NETLINK_ROUTE, threads and plain clone3 fallback working", async () => {
    const server = await listen("127.0.0.1");
    try {
      expect(await filtered("connect4", String(portOf(server)))).toBe("OK");
      expect(await filtered("connect4", String(await freePort()))).toBe("ECONNREFUSED");
      expect(await filtered("socket", "1", "1", "0")).toBe("OK");
      expect(await filtered("socketpair", "1")).toBe("OK");
      expect(await filtered("socket", "16", "3", "0")).toBe("OK");
      expect(await filtered("thread")).toBe("OK"); // glibc falls back from clone3 to clone
      expect(await filtered("clone3")).toBe("ENOSYS");
    } finally {
      await closeServer(server);
    }
  });

  it("with denyUnixSocket, fails socket(AF_UNIX) and a pathname connect, but keeps socketpair", async () => {
    const program = compileSeccomp({ ...platformSpec, denyUnixSocket: true });
    expect(await answer(program, "socket", "1", "1", "0")).toBe("EPERM");
    expect(await answer(program, "unix-path-connect", "/nonexistent.sock")).toBe("EPERM");
    expect(await answer(program, "socketpair", "1")).toBe("OK");
    expect(await answer(program, "socket", "2", "1", "0")).toBe("OK");
    expect(await answer(null, "unix-path-connect", "/nonexistent.sock")).toBe("ENOENT"); // the kernel alone
  });

  it("keeps a command from typing into a terminal (TIOCSTI), which it can do without the filter", async () => {
    expect(await unfiltered("tiocsti-pty")).toBe("OK");
    expect(await filtered("tiocsti-pty")).toBe("EPERM");
  });

  it("survives exec and is inherited by children (sh → probe)", async () => {
    const r = await withFilter(compileSeccomp(platformSpec), ["exec", "/bin/sh", "-c", `${probePath} seccomp-status; ${probePath} udp-send4 9`]);
    expect(r).toMatchObject({ code: 0, stdout: "mode=2 filters=1\nEPERM\n", status: "" });
  });

  it.runIf(process.arch === "x64")("kills a syscall made through the i386 ABI (int 0x80) with SIGSYS", async () => {
    expect(await unfiltered("int80-getpid")).toBe("OK");
    const r = await withFilter(compileSeccomp(platformSpec), ["int80-getpid"]);
    expect(r.stdout).toBe("");
    // The launcher exec'd the probe (status pipe empty); the kernel killed it.
    expect(r.status).toBe("");
    expect(r.code).toBeNull();
  });

  it.runIf(process.arch === "x64")("kills a syscall made through the x32 ABI", async () => {
    const r = await withFilter(compileSeccomp(platformSpec), ["x32-getpid"]);
    expect(r.stdout).toBe("");
    expect(r.code).toBeNull();
  });
});

describe("seccomp with a Landlock domain", () => {
  let proxy: Awaited<ReturnType<typeof listen>>;
  let udpReceived: string[];
  let udp: ReturnType<typeof createSocket>;
  beforeAll(async () => {
    proxy = await listen("127.0.0.1");
    udpReceived = [];
    udp = createSocket("udp4");
    udp.on("message", (m) => udpReceived.push(m.toString()));
    await new Promise<void>((r) => udp.bind(0, "127.0.0.1", r));
  });
  afterAll(async () => {
    await closeServer(proxy);
    udp.close();
  });

  it.skipIf(abi() < 4)("Landlock gives EACCES for TCP elsewhere, seccomp EPERM for UDP; nothing arrives", async () => {
    const rs = baseRuleset({ fs: FS.EXECUTE | FS.READ_FILE | FS.READ_DIR, net: NET.CONNECT_TCP });
    rs.addPort(portOf(proxy), NET.CONNECT_TCP);
    try {
      const program = compileSeccomp(platformSpec);
      const run = async (...args: string[]) => (await withFilter(program, args, rs)).stdout.trim();
      expect(await run("connect4", String(portOf(proxy)))).toBe("OK");
      expect(await run("connect4", String(await freePort()))).toBe("EACCES");
      expect(await run("udp-send4", String(udp.address().port))).toBe("EPERM");
      // A datagram sent without the filter arrives, so an empty list below is meaningful.
      expect(await unfiltered("udp-send4", String(udp.address().port))).toBe("OK");
      await waitFor(() => udpReceived.length === 1);
      expect(udpReceived).toEqual(["cordon-udp"]);
    } finally {
      rs.close();
    }
  });
});

/** Polls a condition on the event loop (no timed assertion: the test fails only if it never holds). */
async function waitFor(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

describe("launcher --seccomp-fd failures (exit 125, nothing exec'd)", () => {
  const bad: Array<[string, Buffer, string]> = [
    ["an empty program", Buffer.alloc(0), "EINVAL"],
    ["a partial instruction", Buffer.alloc(12), "EINVAL"],
    ["more than 4096 instructions", Buffer.alloc(4097 * 8), "E2BIG"],
    // One load and no return: the kernel's verifier rejects it.
    ["a program the kernel rejects", Buffer.from([0x20, 0, 0, 0, 0, 0, 0, 0]), "EINVAL"],
  ];
  it.each(bad)("refuses %s", async (_what, bytes, errno) => {
    // Raw bytes straight into a pipe, bypassing seccompProgramFd's own checks.
    const r = await viaPipe(bytes);
    expect(r.code).toBe(LAUNCHER_EXIT.SETUP_FAILED);
    expect(r.stdout).toBe("");
    expect(parseLauncherStatus(r.status)).toMatchObject({ stage: "seccomp", errno });
  });

  it("accepts a pipe as well as a file", async () => {
    const r = await viaPipe(compileSeccomp(platformSpec), ["udp-send4", "9"]);
    expect(r).toMatchObject({ code: 0, stdout: "EPERM\n", status: "" });
  });
});

/** Spawns the launcher with `bytes` written into a pipe whose read end is fd 5. */
function viaPipe(bytes: Buffer, args: string[] = ["noop"]): Promise<RunResult> {
  const child = spawn(launcherPath, launcherArgs({ statusFd: 4, seccompFd: 5, command: probePath, args }), {
    stdio: ["ignore", "pipe", "pipe", "ignore", "pipe", "pipe"],
  });
  const input = (child.stdio as unknown as NodeJS.WritableStream[])[5]!;
  input.end(bytes);
  input.on("error", () => {}); // the launcher may close it before reading everything
  const out = { stdout: "", stderr: "", status: "" };
  child.stdout?.on("data", (d: Buffer) => (out.stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out.stderr += d.toString()));
  (child.stdio[4] as NodeJS.ReadableStream).on("data", (d: Buffer) => (out.status += d.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, ...out }));
  });
}
