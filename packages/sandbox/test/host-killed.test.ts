import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createSandbox } from "../src/index.js";

// An embedding program killed with SIGKILL cannot clean up. The kernel kills
// its sandboxed commands (PR_SET_PDEATHSIG), its proxy dies with it, and the
// next sandbox created anywhere sweeps the private directories it left.
const api = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "cordon-cli-host-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("a host process killed with SIGKILL", () => {
  it("leaves no command running and no directory once the next sandbox starts", async () => {
    const script = `
      const { createSandbox } = await import(${JSON.stringify(api)});
      const sb = await createSandbox({ cwd: ${JSON.stringify(work)}, proxyThread: "worker" });
      const p = sb.spawn("sleep", ["30"], { stdio: "ignore" });
      console.log(JSON.stringify({ pid: p.pid, tmpdir: sb.tmpdir }));
      setInterval(() => {}, 1000);`;
    const host = spawn(process.execPath, ["--input-type=module", "-e", script], { cwd: work, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    host.stdout.on("data", (d: Buffer) => (out += d.toString()));
    while (!out.includes("\n")) await new Promise((r) => setTimeout(r, 20));
    const { pid, tmpdir: left } = JSON.parse(out) as { pid: number; tmpdir: string };
    expect(alive(pid)).toBe(true);
    expect(existsSync(left)).toBe(true);

    host.kill("SIGKILL");
    await new Promise((r) => host.on("close", r));
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive(pid)).toBe(false);

    const next = await createSandbox({ cwd: work, inline: { network: "none" } });
    await next.close();
    expect(existsSync(left)).toBe(false);
  });
});
