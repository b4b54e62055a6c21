// SandboxOptions.networkFence: the embedding caller's statement of a cluster fence, a fact for
// negotiation (never a policy key). Landlock-only platform mode needs it under compat hard.
import { describe, expect, it } from "vitest";
import { createSandbox, SandboxRefusedError } from "../src/index.js";

const landlockHard = { inline: { isolation: "landlock" as const, compat: "hard" as const, proxyPort: 0 } };

describe("networkFence", () => {
  it("without it, Landlock-only platform mode is refused under compat hard, naming the address-blind gap", async () => {
    const e = await createSandbox(landlockHard).then(
      async (sb) => {
        await sb.close();
        return undefined;
      },
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(SandboxRefusedError);
    expect((e as SandboxRefusedError).reasons.join("\n")).toMatch(/TCP port rules are address-blind/);
    expect((e as SandboxRefusedError).report?.status).toBe("partially");
  });

  it("with networkFence: networkpolicy the same sandbox runs, fully, and a live update keeps the fence", async () => {
    const sb = await createSandbox({ ...landlockHard, networkFence: "networkpolicy" });
    try {
      expect(sb.report.status).toBe("fully");
      expect(sb.report.items.find((i) => i.id === "net.address-blind-ports")).toMatchObject({ enforcedBy: "cluster", level: "full" });
      await sb.update({ inline: { isolation: "landlock", compat: "hard", allowHosts: ["example.com"] } });
      expect(sb.report.status).toBe("fully");
    } finally {
      await sb.close();
    }
  });

  it("rejects any other value", async () => {
    await expect(createSandbox({ ...landlockHard, networkFence: "calico" as "networkpolicy" })).rejects.toThrow(/networkFence: expected "networkpolicy"/);
  });
});
