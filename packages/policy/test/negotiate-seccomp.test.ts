import { describe, expect, it } from "vitest";
import { negotiate, seccompPlan } from "../src/index.js";
import { kernel, resolved } from "./helpers.js";

// The seccomp layer in negotiation: planned and reported only when the CLI probed it.
// (With the user's statement of a cluster fence: Landlock-only platform mode is otherwise "partially".)
const withSeccomp = (abi: number, yaml: string, seccomp: boolean, arch = "x64") => {
  const policy = resolved(yaml);
  return negotiate(policy, { ...kernel(abi, policy), seccomp, arch, networkFence: "networkpolicy" });
};

describe("negotiate with seccomp facts", () => {
  it("plans a filter with socket rules in platform mode and reports UDP as closed by seccomp", () => {
    const { plan, report, decision } = withSeccomp(7, "version: 1\n", true);
    expect(decision.run).toBe(true);
    expect(plan.seccomp?.socket?.inet).toEqual({ allowStreamTcpOnly: true, allowUdp: false });
    expect(plan.seccomp?.denySyscalls).toContain("io_uring_setup");
    expect(report.items.find((i) => i.id === "net.udp")).toMatchObject({ enforcedBy: "kernel", mechanism: "seccomp", level: "full" });
    // Landlock's own UDP / other-protocol gap items are superseded, not duplicated.
    expect(report.items.some((i) => i.kind === "limitation" && (i.id === "net.udp" || i.id === "net.other-protocols"))).toBe(false);
    expect(report.status).toBe("fully");
  });

  it("leaves UDP to Landlock from ABI 10 on", () => {
    const { plan, report } = withSeccomp(10, "version: 1\n", true);
    expect(plan.seccomp?.socket?.inet?.allowUdp).toBe(true);
    expect(report.items.find((i) => i.id === "net.udp")?.mechanism).toMatch(/Landlock ABI 10/);
  });

  it("plans no socket rules in proxy and unrestricted modes, but still the hardening", () => {
    for (const mode of ["proxy", "unrestricted"]) {
      const { plan } = withSeccomp(7, `version: 1\nnetwork: {mode: ${mode}}\n`, true);
      expect(plan.seccomp?.socket).toBeUndefined();
      expect(plan.seccomp?.denySyscalls).toContain("ptrace");
    }
  });

  it("says loudly when seccomp is unavailable, and refuses under hard", () => {
    const best = withSeccomp(7, "version: 1\n", false);
    expect(best.plan.seccomp).toBeNull();
    expect(best.report.status).toBe("partially");
    const gaps = best.report.items.filter((i) => i.kind === "requested" && i.level === "none").map((i) => i.id);
    expect(gaps).toEqual(expect.arrayContaining(["net.fastopen", "net.udp", "net.other-protocols"]));
    expect(best.report.warnings.length).toBeGreaterThan(0);
    const hard = withSeccomp(7, "version: 1\ncompat: hard\n", false);
    expect(hard.decision).toMatchObject({ run: false });
  });

  it("has no filter for an architecture without syscall tables", () => {
    const { plan, report } = withSeccomp(7, "version: 1\n", true, "riscv64");
    expect(plan.seccomp).toBeNull();
    expect(report.items.find((i) => i.id === "net.udp")?.why).toMatch(/riscv64/);
  });

  it("plans nothing about seccomp when it was not probed", () => {
    const policy = resolved("version: 1\n");
    const { plan, report } = negotiate(policy, kernel(7, policy));
    expect("seccomp" in plan).toBe(false);
    expect(report.items.some((i) => i.id === "net.udp")).toBe(true);
  });
});

describe("UNIX sockets", () => {
  it("below ABI 9, denies creating AF_UNIX sockets and reports pathname sockets as closed by seccomp", () => {
    const { plan, report } = withSeccomp(7, "version: 1\n", true);
    expect(plan.seccomp?.denyUnixSocket).toBe(true);
    const items = report.items.filter((i) => i.id === "net.unix-sockets");
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ enforcedBy: "kernel", mechanism: "seccomp", level: "full" });
  });

  it("in every network mode (docker.sock is not a network question)", () => {
    for (const mode of ["proxy", "unrestricted", "none"]) {
      expect(withSeccomp(7, `version: 1\nnetwork: {mode: ${mode}}\n`, true).plan.seccomp?.denyUnixSocket).toBe(true);
    }
  });

  it("leaves them to Landlock's RESOLVE_UNIX from ABI 9", () => {
    const { plan, report } = withSeccomp(9, "version: 1\n", true);
    expect(plan.seccomp?.denyUnixSocket).toBeUndefined();
    expect(report.items.find((i) => i.id === "net.unix-sockets")).toMatchObject({ enforcedBy: "kernel", mechanism: expect.stringMatching(/RESOLVE_UNIX/) });
  });

  it("network.allowUnixSockets: true lifts the filter and reports the gap", () => {
    const { plan, report } = withSeccomp(7, "version: 1\nnetwork: {allowUnixSockets: true}\n", true);
    expect(plan.seccomp?.denyUnixSocket).toBeUndefined();
    expect(report.items.find((i) => i.id === "net.unix-sockets")).toMatchObject({ enforcedBy: "nothing", kind: "limitation" });
  });

  it("the inline option wins over the file", () => {
    const policy = resolved("version: 1\nnetwork: {allowUnixSockets: false}\n", { allowUnixSockets: true });
    expect(policy.network.allowUnixSockets).toBe(true);
  });
});

describe("terminal input injection", () => {
  it("denies TIOCSTI and TIOCLINUX in every mode and reports it", () => {
    for (const mode of ["platform", "proxy", "none", "unrestricted"]) {
      const { plan, report } = withSeccomp(7, `version: 1\nnetwork: {mode: ${mode}}\n`, true);
      expect(plan.seccomp?.denyIoctls).toEqual([0x5412, 0x541c]);
      expect(report.items.find((i) => i.id === "process.terminal-injection")).toMatchObject({ enforcedBy: "kernel", mechanism: "seccomp" });
    }
  });
});

describe("TCP Fast Open", () => {
  it("denies MSG_FASTOPEN on sendto, sendmsg and sendmmsg in the modes with a TCP rule", () => {
    for (const mode of ["platform", "none"]) {
      const { plan, report } = withSeccomp(7, `version: 1\nnetwork: {mode: ${mode}}\n`, true);
      expect(plan.seccomp?.denyArgs).toEqual(expect.arrayContaining([
        { syscall: "sendto", arg: 3, anyBits: 0x20000000 },
        { syscall: "sendmsg", arg: 2, anyBits: 0x20000000 },
        { syscall: "sendmmsg", arg: 3, anyBits: 0x20000000 },
      ]));
      expect(report.items.find((i) => i.id === "net.fastopen")).toMatchObject({ enforcedBy: "kernel", mechanism: "seccomp", level: "full", kind: "requested" });
    }
  });

  it("leaves sends alone where no TCP rule exists (proxy, unrestricted)", () => {
    for (const mode of ["proxy", "unrestricted"]) {
      const { plan, report } = withSeccomp(7, `version: 1\nnetwork: {mode: ${mode}}\n`, true);
      expect(plan.seccomp?.denyArgs?.some((r) => r.syscall === "sendto")).toBe(false);
      expect(report.items.some((i) => i.id === "net.fastopen")).toBe(false);
    }
  });

  it("without seccomp: a requested gap, refused under hard", () => {
    const hard = withSeccomp(7, "version: 1\ncompat: hard\nnetwork: {mode: none}\n", false);
    expect(hard.report.items.find((i) => i.id === "net.fastopen")).toMatchObject({ enforcedBy: "nothing", level: "none", kind: "requested" });
    expect(hard.decision.run).toBe(false);
  });
});

describe("set-id files and SysV IPC", () => {
  it("denies setting S_ISUID/S_ISGID through every mode-setting call, in every mode", () => {
    for (const mode of ["platform", "proxy", "none", "unrestricted"]) {
      const { plan, report } = withSeccomp(7, `version: 1\nnetwork: {mode: ${mode}}\n`, true);
      const rules = plan.seccomp?.denyArgs ?? [];
      for (const sys of ["chmod", "fchmod", "fchmodat", "fchmodat2", "mkdir", "mkdirat", "mknod", "mknodat", "creat", "open", "openat"]) {
        expect(rules.find((r) => r.syscall === sys)?.anyBits).toBe(0o6000);
      }
      // open/openat only when they create (O_CREAT or O_TMPFILE): their mode is garbage otherwise.
      expect(rules.find((r) => r.syscall === "openat")?.when).toEqual({ arg: 2, anyBits: 0o100 | 0o20000000 });
      expect(plan.seccomp?.enosysSyscalls).toEqual(["openat2"]);
      expect(report.items.find((i) => i.id === "fs.setid-files")).toMatchObject({ enforcedBy: "kernel", mechanism: "seccomp", level: "full" });
    }
  });

  it("denies SysV IPC without an IPC namespace, in every mode", () => {
    for (const mode of ["platform", "proxy", "none", "unrestricted"]) {
      const { plan, report } = withSeccomp(7, `version: 1\nnetwork: {mode: ${mode}}\n`, true);
      for (const sys of ["shmget", "shmat", "shmctl", "msgget", "msgsnd", "msgrcv", "msgctl", "semget", "semop", "semtimedop", "semctl"]) {
        expect(plan.seccomp?.denySyscalls).toContain(sys);
      }
      expect(report.items.find((i) => i.id === "process.sysv-ipc")).toMatchObject({ enforcedBy: "kernel", mechanism: "seccomp" });
    }
  });

  it("allows SysV IPC when the command has its own IPC namespace", () => {
    const policy = resolved("version: 1\n");
    const sc = seccompPlan(policy, { landlockAbi: 7, seccomp: true, arch: "x64", ipcNamespace: true });
    expect(sc.spec?.denySyscalls).not.toContain("shmget");
    expect(sc.items.some((i) => i.id === "process.sysv-ipc")).toBe(false);
  });

  it("every seccomp item carries a stable id", () => {
    for (const mode of ["platform", "proxy", "none", "unrestricted"]) {
      for (const seccomp of [true, false]) {
        const { report } = withSeccomp(7, `version: 1\nnetwork: {mode: ${mode}}\n`, seccomp);
        for (const i of report.items) expect(i.id, i.protection).toMatch(/^[a-z]+\.[a-z0-9-]+$/);
      }
    }
  });
});

describe("report ids", () => {
  it.each([4, 7, 10])("name each protection once (ABI %i, seccomp probed)", (abi) => {
    const { report } = withSeccomp(abi, "version: 1\n", true);
    const ids = report.items.map((i) => i.id);
    expect(ids.every((id) => typeof id === "string" && /^[a-z]+\.[a-z0-9-]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
