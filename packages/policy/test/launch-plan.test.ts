// The two ends around negotiation: what to prepare (resourcesFor) and the complete launch plan
// negotiation returns once it has the runtime facts (the bound port, the relay sockets).
import { describe, expect, it } from "vitest";
import { negotiate, protectedCandidates, resourcesFor, type KernelFacts, type ResolvedPolicy } from "../src/index.js";
import { kernel, resolved } from "./helpers.js";

const AVAILABLE = { available: true, how: "root" };
const UNAVAILABLE = { available: false, reason: "no user namespaces" };

function facts(policy: ResolvedPolicy, namespaces: KernelFacts["namespaces"], runtime?: KernelFacts["runtime"]): KernelFacts {
  const protectedPaths = Object.fromEntries(protectedCandidates(policy).map((c) => [c.pattern, [] as string[]]));
  return { ...kernel(7, policy), namespaces, protectedPaths, ...(runtime && { runtime }) };
}

describe("resourcesFor", () => {
  it.each([
    ["version: 1\n", AVAILABLE, { proxy: true, relaySocket: true, localPortRelays: false }],
    ["version: 1\n", UNAVAILABLE, { proxy: true, relaySocket: false, localPortRelays: false }],
    ["version: 1\nnetwork: {isolation: landlock}\n", AVAILABLE, { proxy: true, relaySocket: false, localPortRelays: false }],
    ["version: 1\nnetwork: {localhostPorts: [5432]}\n", AVAILABLE, { proxy: true, relaySocket: true, localPortRelays: true }],
    ["version: 1\nnetwork: {mode: proxy}\n", AVAILABLE, { proxy: true, relaySocket: false, localPortRelays: false }],
    ["version: 1\nnetwork: {mode: none}\n", AVAILABLE, { proxy: false, relaySocket: false, localPortRelays: false }],
  ])("%j with namespaces %j", (yaml, namespaces, expected) => {
    expect(resourcesFor(resolved(yaml), { namespaces })).toEqual(expected);
  });

  it("asks for the relay socket exactly when negotiation plans a network namespace in platform mode", () => {
    for (const yaml of ["version: 1\n", "version: 1\nnetwork: {isolation: landlock}\n", "version: 1\nnetwork: {isolation: namespace}\n"]) {
      for (const ns of [AVAILABLE, UNAVAILABLE]) {
        const p = resolved(yaml);
        const planned = negotiate(p, facts(p, ns)).plan.isolation?.network === "namespace";
        expect(resourcesFor(p, { namespaces: ns }).relaySocket).toBe(planned);
      }
    }
  });
});

describe("the launch plan", () => {
  it("takes the bound port and the relay socket from the runtime facts", () => {
    const p = resolved("version: 1\nnetwork: {localhostPorts: [5432]}\n");
    const localPorts = [{ port: 5432, socketPath: "/run/x/local-5432.sock", publish: false }];
    const { plan, decision } = negotiate(p, facts(p, AVAILABLE, { proxyPort: 41000, relaySocket: "/run/x/proxy.sock", localPorts }));
    expect(decision.run).toBe(true);
    expect(plan.network.proxyPort).toBe(41000);
    expect(plan.landlock!.ports.map((r) => r.port)).toContain(41000);
    expect(plan.launch).toMatchObject({ netnsRelay: { port: 41000, socketPath: "/run/x/proxy.sock" }, netnsLocalPorts: localPorts });
  });

  it("plans a namespace without relay in mode none, and none with Landlock alone", () => {
    const none = resolved("version: 1\nnetwork: {mode: none}\n");
    expect(negotiate(none, facts(none, AVAILABLE)).plan.launch).toMatchObject({ netns: true });
    const ll = resolved("version: 1\nnetwork: {isolation: landlock}\n");
    const { plan } = negotiate(ll, facts(ll, AVAILABLE, { proxyPort: 41000 }));
    expect(plan.launch.netns).toBeUndefined();
    expect(plan.launch.netnsRelay).toBeUndefined();
  });

  it("refuses when the runtime facts lack the relay socket a namespace needs", () => {
    const p = resolved("version: 1\n");
    const { decision } = negotiate(p, facts(p, AVAILABLE, { proxyPort: 41000 }));
    expect(!decision.run && decision.errors).toEqual([expect.objectContaining({ code: "missing-fact", id: "net.namespace" })]);
  });
});

describe("denial logging", () => {
  it("asks Landlock to log denials from ABI 7 when the caller reads them, in the ruleset plan and the launch plan", () => {
    const p = resolved("version: 1\n");
    const on = negotiate(p, { ...kernel(7, p), logDenials: true }).plan;
    expect(on.landlock!.restrictFlags).toBe(2); // LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON
    expect(on.launch.restrictFlags).toBe(2);
    expect(negotiate(p, { ...kernel(6, p), logDenials: true }).plan.launch.restrictFlags).toBeUndefined();
    expect(negotiate(p, kernel(7, p)).plan.launch.restrictFlags).toBeUndefined();
  });
});
