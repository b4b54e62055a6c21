import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The README's runnable example stays runnable, and says what it claims.
describe("examples/embed.mjs", () => {
  it("runs two isolated sandboxes in one process", () => {
    const out = execFileSync(process.execPath, [fileURLToPath(new URL("../examples/embed.mjs", import.meta.url))], { encoding: "utf8", timeout: 60_000 });
    expect(out).toMatch(/docs\.example\.test: HTTP 200/);
    expect(out).toMatch(/api\.example\.test: HTTP 403/);
    expect(out).toMatch(/\[docs sandbox\] deny api\.example\.test:\d+ \(host-not-allowed\)/);
    expect(out).toMatch(/hello, api\.example\.test/);
  });
});
