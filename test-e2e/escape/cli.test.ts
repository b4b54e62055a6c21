// A few escapes through the real CLI (`cordon run`), black-box, seccomp layer included.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { effectiveAbi, probePath, tempDir } from "./support/sandbox.js";
import { flushUdp, sendUdp, tcpListener, udpListener, type TcpListener, type UdpListener } from "./support/listeners.js";

const bin = join(import.meta.dirname, "..", "..", "apps", "cli", "dist", "bin.js");

function cordon(cwd: string, ...probeArgs: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, "run", "-q", "--exec", dirname(probePath), "--proxy-port", "0", "--", probePath, ...probeArgs], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

// `cordon run` picks namespace isolation where it can (root, or unprivileged user namespaces).
const namespaces = process.getuid?.() === 0 || Number(readFileSyncSafe("/proc/sys/user/max_user_namespaces")) > 0;

function readFileSyncSafe(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "0";
  }
}

let other: TcpListener;
let udp: UdpListener;
let cwd: string;

beforeAll(async () => {
  other = await tcpListener("127.0.0.1");
  udp = await udpListener("udp4");
  cwd = tempDir("cordon-escape-cli-");
});
afterAll(async () => {
  await other.close();
  udp.close();
});

describe("through `cordon run`", () => {
  it.runIf(effectiveAbi() >= 4)("direct TCP to a non-proxy port → EACCES; nothing accepted", async () => {
    expect(await cordon(cwd, "connect4", String(other.port))).toMatchObject({ code: 0, stdout: "EACCES\n" });
    expect(other.accepted).toBe(0);
  });

  it("creating a file outside the working directory → EACCES (Landlock), EROFS first under namespace isolation (read-only tree)", async () => {
    const outside = join(tempDir("cordon-escape-outside-"), "planted");
    expect(await cordon(cwd, "creat", outside)).toMatchObject({ code: 0, stdout: namespaces ? "EROFS\n" : "EACCES\n" });
    expect(existsSync(outside)).toBe(false);
  });

  it.runIf(effectiveAbi() >= 6)("a signal to the CLI's own test runner → EPERM (Landlock scope); ESRCH under namespace isolation (not in the PID namespace)", async () => {
    expect(await cordon(cwd, "kill", String(process.pid))).toMatchObject({ code: 0, stdout: namespaces ? "ESRCH\n" : "EPERM\n" });
  });

  describe("with the seccomp layer", () => {
    it("the command runs under a seccomp filter (mode 2)", async () => {
      expect((await cordon(cwd, "seccomp-status")).stdout).toMatch(/^mode=2/);
    });

    it("UDP → EPERM; nothing arrives", async () => {
      expect(await cordon(cwd, "udp-send4", String(udp.port))).toMatchObject({ stdout: "EPERM\n" });
      await flushUdp(udp, (msg) => sendUdp(udp.port, msg));
      expect(udp.received).toEqual(["marker"]);
    });

    it("typing into the terminal cordon was started from (TIOCSTI on stdin) → EPERM; without cordon it works", async () => {
      // `script` gives the command a real pty on stdin, as an interactive shell would.
      const viaPty = (command: string) =>
        new Promise<string>((resolve, reject) => {
          const c = spawn("script", ["-qec", command, "/dev/null"], { cwd, stdio: ["ignore", "pipe", "pipe"] });
          let out = "";
          c.stdout.on("data", (d: Buffer) => (out += d.toString()));
          c.on("error", reject);
          c.on("close", () => resolve(out));
        });
      expect(await viaPty(`${probePath} tiocsti-stdin`)).toMatch(/OK/);
      const inside = await viaPty(`${process.execPath} ${bin} run -q --exec ${dirname(probePath)} --proxy-port 0 -- ${probePath} tiocsti-stdin`);
      expect(inside).toMatch(/EPERM/);
      expect(inside).not.toMatch(/OK/);
    });

    it("MPTCP to a non-proxy port → EPERM; nothing accepted", async () => {
      const before = other.accepted;
      expect(await cordon(cwd, "mptcp4", String(other.port))).toMatchObject({ stdout: "EPERM\n" });
      expect(other.accepted).toBe(before);
    });
  });
});
