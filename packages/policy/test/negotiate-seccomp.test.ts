import { describe, expect, it } from "vitest";
import { negotiate } from "../src/index.js";
import { kernel, resolved } from "./helpers.js";

// The seccomp layer in negotiation: planned and reported only when the CLI probed it.
const withSeccomp = (abi: number, yaml: string, seccomp: boolean, arch = "x64") => {
  const policy = resolved(yaml);
  return negotiate(policy, { ...kernel(abi, policy), seccomp, arch });
};

describe("negotiate with seccomp facts", () => {
  it("plans a filter with socket rules in platform mode and reports UDP as closed by seccomp", () => {
    const { plan, report, decision } = withSeccomp(7, "version: 1\n", true);
    expect(decision.run).toBe(true);
    expect(plan.seccomp?.socket?.inet).toEqual({ allowStreamTcpOnly: true, allowUdp: false });
    expect(plan.seccomp?.denySyscalls).toContain("io_uring_setup");
    expect(report.items.find((i) => i.protection === "network.udp")).toMatchObject({ enforcedBy: "kernel", mechanism: "seccomp", level: "full" });
    // Landlock's own UDP / other-protocol gap items are superseded, not duplicated.
    expect(report.items.some((i) => i.protection === "UDP" || i.protection === "other protocols")).toBe(false);
    expect(report.status).toBe("fully");
  });

  it("leaves UDP to Landlock from ABI 10 on", () => {
    const { plan, report } = withSeccomp(10, "version: 1\n", true);
    expect(plan.seccomp?.socket?.inet?.allowUdp).toBe(true);
    expect(report.items.find((i) => i.protection === "network.udp")?.mechanism).toMatch(/Landlock ABI 10/);
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
    expect(best.report.warnings.join("\n")).toMatch(/NOT ENFORCED: network\.udp.*seccomp/);
    const hard = withSeccomp(7, "version: 1\ncompat: hard\n", false);
    expect(hard.decision).toMatchObject({ run: false });
    if (!hard.decision.run) expect(hard.decision.errors.join("\n")).toMatch(/network\.udp/);
  });

  it("has no filter for an architecture without syscall tables", () => {
    const { plan, report } = withSeccomp(7, "version: 1\n", true, "riscv64");
    expect(plan.seccomp).toBeNull();
    expect(report.items.find((i) => i.protection === "network.udp")?.why).toMatch(/riscv64/);
  });

  it("plans nothing about seccomp when it was not probed", () => {
    const policy = resolved("version: 1\n");
    const { plan, report } = negotiate(policy, kernel(7, policy));
    expect("seccomp" in plan).toBe(false);
    expect(report.items.some((i) => i.protection === "UDP")).toBe(true);
  });
});

describe("UNIX sockets", () => {
  it("below ABI 9, denies creating AF_UNIX sockets and reports pathname sockets as closed by seccomp", () => {
    const { plan, report } = withSeccomp(7, "version: 1\n", true);
    expect(plan.seccomp?.denyUnixSocket).toBe(true);
    const items = report.items.filter((i) => i.protection === "pathname UNIX sockets");
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
    expect(report.items.find((i) => i.protection === "pathname UNIX sockets")).toMatchObject({ enforcedBy: "kernel", mechanism: expect.stringMatching(/RESOLVE_UNIX/) });
  });

  it("network.allowUnixSockets: true lifts the filter and reports the gap", () => {
    const { plan, report } = withSeccomp(7, "version: 1\nnetwork: {allowUnixSockets: true}\n", true);
    expect(plan.seccomp?.denyUnixSocket).toBeUndefined();
    expect(report.items.find((i) => i.protection === "pathname UNIX sockets")).toMatchObject({ enforcedBy: "nothing", kind: "limitation" });
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
      expect(report.items.find((i) => i.protection === "terminal input injection")).toMatchObject({ enforcedBy: "kernel", mechanism: "seccomp" });
    }
  });
});
