// The policy side (pure) decides the seccomp spec; the native side compiles it.
// Every spec the policy can produce must compile for both architectures (every
// syscall it names is in the native tables). Both are imported by path (this
// package depends on the CLI only).
import { describe, expect, it } from "vitest";
import { compileSeccomp } from "@cordon/landlock-native";
import { seccompPlan } from "@cordon/policy";

const modes = ["platform", "proxy", "none", "unrestricted"] as const;

describe("every seccompPlan spec compiles", () => {
  it.each(modes.flatMap((mode) => [7, 9, 10].map((abi) => [mode, abi] as const)))("mode %s, Landlock ABI %i", (mode, abi) => {
    const plan = seccompPlan({ network: { mode } }, { landlockAbi: abi, seccomp: true, arch: "x64" });
    expect(plan.spec?.denyUnixSocket).toBe(abi < 9 ? true : undefined);
    // Structural typing: the policy's data is a valid native spec for both arches.
    expect(compileSeccomp(plan.spec!, "x64").length).toBeGreaterThan(0);
    expect(compileSeccomp(plan.spec!, "arm64").length).toBeGreaterThan(0);
  });
});

describe("seccompPlan report items", () => {
  it("platform below ABI 10: UDP, other protocols and families enforced by the kernel through seccomp", () => {
    const { items } = seccompPlan({ network: { mode: "platform" } }, { landlockAbi: 7, seccomp: true, arch: "x64" });
    const udp = items.find((i) => i.id === "net.udp");
    expect(udp).toMatchObject({ enforcedBy: "kernel", mechanism: "seccomp", level: "full", kind: "requested" });
    expect(items.find((i) => i.id === "net.other-protocols")).toMatchObject({ enforcedBy: "kernel", mechanism: "seccomp" });
    expect(items.every((i) => i.level === "full")).toBe(true);
  });

  it("ABI 10: UDP is Landlock's", () => {
    const { items } = seccompPlan({ network: { mode: "none" } }, { landlockAbi: 10, seccomp: true, arch: "arm64" });
    expect(items.find((i) => i.id === "net.udp")).toMatchObject({ enforcedBy: "kernel", mechanism: "Landlock ABI 10 UDP rights" });
  });

  it("proxy and unrestricted modes: hardening only, no network items", () => {
    for (const mode of ["proxy", "unrestricted"] as const) {
      const { spec, items } = seccompPlan({ network: { mode } }, { landlockAbi: 7, seccomp: true, arch: "x64" });
      expect(spec?.socket).toBeUndefined();
      expect(items.some((i) => i.protection.startsWith("network."))).toBe(false);
      expect(items.length).toBeGreaterThan(0);
    }
  });

  it("no seccomp: no spec, every item says nothing enforces it and why", () => {
    const { spec, items } = seccompPlan({ network: { mode: "platform" } }, { landlockAbi: 7, seccomp: false, arch: "x64" });
    expect(spec).toBeNull();
    for (const i of items) expect(i).toMatchObject({ enforcedBy: "nothing", level: "none", why: expect.stringContaining("seccomp") });
    expect(items.find((i) => i.id === "net.udp")).toMatchObject({ kind: "requested", hint: expect.stringContaining("NetworkPolicy") });
  });

  it("an architecture without tables: no spec, the reason names it", () => {
    const { spec, items } = seccompPlan({ network: { mode: "none" } }, { landlockAbi: 10, seccomp: true, arch: "riscv64" });
    expect(spec).toBeNull();
    expect(items.find((i) => i.id === "net.other-protocols")?.why).toMatch(/riscv64/);
    // Landlock ABI 10 still covers UDP without seccomp.
    expect(items.find((i) => i.id === "net.udp")).toMatchObject({ enforcedBy: "kernel", level: "full" });
  });
});
