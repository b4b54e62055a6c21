// Landlock-only platform mode reports the address-blind port rules honestly: "partially", unless the
// user states that a cluster NetworkPolicy fences the pod. The statement is a fact, never a policy key.
import { describe, expect, it } from "vitest";
import { negotiate, parsePolicy, type KernelFacts } from "../src/index.js";
import { kernel, resolved } from "./helpers.js";

const landlockOnly = (yaml: string, networkFence?: KernelFacts["networkFence"]) => {
  const policy = resolved(yaml);
  return negotiate(policy, { ...kernel(7, policy), seccomp: true, arch: "x64", ...(networkFence ? { networkFence } : {}) });
};
const byId = (n: ReturnType<typeof negotiate>, id: string) => n.report.items.find((i) => i.id === id);

describe("Landlock-only platform mode", () => {
  it("says partially: the host allowlist is open to any host on the proxy port", () => {
    const n = landlockOnly("version: 1\n");
    expect(n.report.status).toBe("partially");
    expect(byId(n, "net.host-allowlist")).toMatchObject({ level: "partial", why: expect.stringMatching(/on any host/) });
    expect(byId(n, "net.address-blind-ports")).toMatchObject({
      enforcedBy: "nothing",
      level: "none",
      kind: "limitation",
      weakens: "net.host-allowlist",
      hint: expect.stringMatching(/NetworkPolicy \(tier 3\).*--network-fence networkpolicy.*CORDON_NETWORK_FENCE=networkpolicy/),
    });
    expect(n.decision.run).toBe(true);
  });

  it("compat hard refuses unless the user states the fence", () => {
    const n = landlockOnly("version: 1\ncompat: hard\n");
    expect(n.decision.run).toBe(false);
    expect(!n.decision.run && n.decision.errors).toEqual([expect.objectContaining({ code: "not-enforced", id: "net.address-blind-ports" })]);
  });

  it("with the user's statement: closed by the cluster (tier 3), fully, and hard runs", () => {
    const n = landlockOnly("version: 1\ncompat: hard\n", "networkpolicy");
    expect(byId(n, "net.address-blind-ports")).toMatchObject({ enforcedBy: "cluster", level: "full", mechanism: expect.stringMatching(/NetworkPolicy/) });
    expect(byId(n, "net.host-allowlist")).toMatchObject({ level: "full" });
    expect(n.report.status).toBe("fully");
    expect(n.decision).toEqual({ run: true });
  });

  it("names localhostPorts as holes too", () => {
    const n = landlockOnly("version: 1\nnetwork: {localhostPorts: [5432]}\n");
    expect(byId(n, "net.address-blind-ports")!.why).toMatch(/port 3128, 5432/);
  });

  it("mode none has no port hole: fully without any statement", () => {
    const n = landlockOnly("version: 1\ncompat: hard\nnetwork: {mode: none}\n");
    expect(byId(n, "net.address-blind-ports")).toBeUndefined();
    expect(n.report.status).toBe("fully");
    expect(n.decision).toEqual({ run: true });
  });

  it("a policy file cannot state the fence (no such key)", () => {
    const parsed = parsePolicy("version: 1\nnetwork: {fence: networkpolicy}\n");
    expect(parsed.ok).toBe(false);
    const other = parsePolicy("version: 1\nnetworkFence: networkpolicy\n");
    expect(other.ok).toBe(false);
  });

  it("every item carries a stable id, tier and level", () => {
    for (const mode of ["platform", "proxy", "none", "unrestricted"]) {
      for (const fence of [undefined, "networkpolicy" as const]) {
        for (const i of landlockOnly(`version: 1\nnetwork: {mode: ${mode}}\n`, fence).report.items) {
          expect(i.id, i.protection).toMatch(/^[a-z]+\.[a-z0-9-]+$/);
          expect(["kernel", "proxy", "cluster", "nothing"]).toContain(i.enforcedBy);
          if (i.level === "full") expect(i.mechanism, i.protection).toBeTruthy();
        }
      }
    }
  });
});

describe("a limitation that weakens a requested protection", () => {
  it("folds into the status and the hard refusal, whatever layer adds it", () => {
    const policy = resolved("version: 1\nnetwork: {mode: none}\n");
    const n = negotiate(policy, { ...kernel(7, policy), seccomp: true, arch: "x64" });
    expect(n.report.status).toBe("fully");
    // The fold reads only ids: an item naming a requested protection it leaves incomplete.
    const tcp = byId(n, "net.tcp-connect")!;
    expect(tcp.kind).toBe("requested");
  });
});
