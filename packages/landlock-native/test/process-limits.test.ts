import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { launcherArgs, launcherPath } from "../src/index.js";
import { runLauncher } from "./helpers.js";

const capLine = (status: string, name: string) => new RegExp(`^${name}:\\s*([0-9a-f]+)$`, "m").exec(status)?.[1];

describe("--drop-caps", () => {
  it("leaves the command with no capability at all, root included", async () => {
    const withCaps = await runLauncher("cat", ["/proc/self/status"]);
    expect(capLine(withCaps.stdout, "CapEff")).not.toMatch(/^0+$/); // the test runs as root: the control
    const dropped = await runLauncher("cat", ["/proc/self/status"], {
      rawArgs: launcherArgs({ statusFd: 4, dropCapabilities: true, command: "cat", args: ["/proc/self/status"] }),
    });
    expect(dropped.code).toBe(0);
    for (const set of ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"]) expect(capLine(dropped.stdout, set)).toMatch(/^0+$/);
  });

  it("takes away what root could do outside Landlock's reach (chown of a file)", async () => {
    const r = await runLauncher("sh", [], {
      rawArgs: launcherArgs({ statusFd: 4, dropCapabilities: true, command: "sh", args: ["-c", 'f=$(mktemp); chown 65534 "$f"; echo $?; rm -f "$f"'] }),
    });
    expect(r.stdout.trim()).not.toBe("0");
    expect(r.stderr).toMatch(/Operation not permitted/);
  });
});

describe("--die-with-parent", () => {
  it("kills the command when the launcher's parent is SIGKILLed", async () => {
    // A shell stands in for cordon: it starts the launcher, prints the command's pid, then waits.
    const argv = launcherArgs({ dieWithParent: true, command: "sh", args: ["-c", "echo $$; exec sleep 30"] });
    const parent = spawn("sh", ["-c", `"$0" "$@" & wait`, launcherPath, ...argv], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    parent.stdout.on("data", (d: Buffer) => (out += d.toString()));
    while (!out.includes("\n")) await new Promise((r) => setTimeout(r, 10));
    const pid = Number(out.trim());
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive()).toBe(true);
    parent.kill("SIGKILL");
    for (let i = 0; i < 200 && alive(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(alive()).toBe(false);
  });
});
