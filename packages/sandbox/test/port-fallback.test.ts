import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { createSandbox, defaultPolicy } from "../src/index.js";

// Several sandboxes (or another program) may want the policy's proxy port: the
// later ones take a free port, and the kernel rule follows the port they got.
describe("a taken proxy port", () => {
  it.each(["worker", "main"] as const)("falls back to a free port (%s thread) and says so", async (thread) => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, "127.0.0.1", () => r()));
    const taken = (holder.address() as { port: number }).port;
    const base = defaultPolicy();
    const sb = await createSandbox({ policy: { ...base, network: { ...base.network, proxyPort: taken } }, proxyThread: thread, inline: { isolation: "landlock" } });
    try {
      expect(sb.notes.join("\n")).toMatch(new RegExp(`proxy port ${taken} is in use; using \\d+`));
      expect(sb.policy.network.proxyPort).not.toBe(taken);
      expect(sb.plan.landlock?.ports.map((p) => p.port)).toContain(sb.policy.network.proxyPort);
    } finally {
      await sb.close();
      await new Promise((r) => holder.close(r));
    }
  });
});
