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
    expect((e as SandboxRefusedError).errors).toContainEqual(expect.objectContaining({ code: "not-enforced", id: "net.address-blind-ports" }));
    expect((e as SandboxRefusedError).report?.status).toBe("partially");
  });

  it("with networkFence: networkpolicy the same sandbox runs, fully, and a live update keeps the fence", async () => {
    // As root, Landlock-only mode has one more gap, refused under hard: fs.metadata (root owns
    // root's files, and Landlock does not govern chmod or utime). Only that one may remain.
    const root = process.getuid?.() === 0;
    const compat = root ? ("best-effort" as const) : ("hard" as const);
    const open = (sb: { report: { items: { id?: string; kind: string; level: string }[] } }) => sb.report.items.filter((i) => i.kind === "requested" && i.level !== "full").map((i) => i.id);
    const sb = await createSandbox({ inline: { ...landlockHard.inline, compat }, networkFence: "networkpolicy" });
    try {
      expect(open(sb)).toEqual(root ? ["fs.metadata"] : []);
      expect(sb.report.items.find((i) => i.id === "net.address-blind-ports")).toMatchObject({ enforcedBy: "cluster", level: "full" });
      await sb.update({ inline: { isolation: "landlock", compat, allowHosts: ["example.com"] } });
      expect(open(sb)).toEqual(root ? ["fs.metadata"] : []);
    } finally {
      await sb.close();
    }
  });

  it("rejects any other value", async () => {
    await expect(createSandbox({ ...landlockHard, networkFence: "calico" as "networkpolicy" })).rejects.toThrow(/networkFence: expected "networkpolicy"/);
  });
});
