import { homedir } from "node:os";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { cordon } from "./support/cordon.js";

describe("cordon demo", () => {
  it("runs from the home directory, shows each attack step blocked beside what it did without cordon, exit 0", async () => {
    const r = await cordon(["demo"], { cwd: homedir(), timeoutMs: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/1\. Read your SSH private key[^\n]*\n {3}without cordon {2}it read the key \(\d+ bytes\)\n {3}with cordon {5}BLOCKED: the kernel refused to open it/);
    expect(r.stdout).toMatch(/with cordon {5}BLOCKED: cordon's proxy refused it: collect\.evil\.test is not on the list/);
    expect(r.stdout).toMatch(/Without cordon: \d+ bytes of secrets reached collect\.evil\.test/);
    expect(r.stdout).toMatch(/With cordon: nothing reached the attacker; the allowed download worked\./);
    expect(r.stdout).toMatch(/6\/6 steps behaved as this machine's enforcement report predicts/);
    // Plain words, not errno strings or a refusal shown as success.
    expect(r.stdout).not.toMatch(/EACCES|\(exit 0\)/);
    // The next step is a command that works as typed: cordon is not on PATH in a clone, and npm needs its registry.
    const bin = fileURLToPath(new URL("../../apps/cli/bin/cordon", import.meta.url));
    expect(r.stdout).toContain(`Next: in your own project, '${bin} run --preset node -- npm install'`);
  }, 70_000);
});
