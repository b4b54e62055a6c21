import { describe, expect, it } from "vitest";
import { cordon } from "./support/cordon.js";

describe("cordon doctor", () => {
  it("reports this kernel's Landlock ABI and what each network mode enforces", async () => {
    const r = await cordon(["doctor", "--json"]);
    expect(r.status).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.landlock.abi).toBeGreaterThanOrEqual(4);
    expect(d.modes.map((m: { mode: string }) => m.mode)).toEqual(["platform", "proxy", "none", "unrestricted"]);
  });

  it("honours the ABI override", async () => {
    const r = await cordon(["doctor"], { env: { CORDON_LANDLOCK_ABI_MAX: "3" } });
    expect(r.stdout).toMatch(/ABI 3/);
    expect(r.stdout).toMatch(/CORDON_LANDLOCK_ABI_MAX=3/);
  });
});

describe("cordon explain", () => {
  it("shows the kernel enforcing the network fence on this kernel", async () => {
    const r = await cordon(["explain", "--json"]);
    expect(r.status).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e.plan.landlock.ports.length).toBeGreaterThan(0);
    expect(e.report.items.some((i: { enforcedBy: string; protection: string }) => i.protection === "outbound TCP" && i.enforcedBy === "kernel")).toBe(true);
  });

  it("explains the ABI 3 fallback and would refuse under hard (exit 3)", async () => {
    const r = await cordon(["explain", "--abi", "3", "--compat", "hard"]);
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/proxy/);
    expect(r.stdout).toMatch(/would refuse/);
  });
});
