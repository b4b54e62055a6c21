// An interactive shell under a real pseudo-terminal: a prompt, a command, Ctrl-C interrupting a
// long command (the shell survives), exit. The attack: TIOCSTI still cannot type into the
// terminal cordon runs on.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CORDON_BIN } from "../test/support/cordon.js";
import { workspace, type Workspace } from "./support/workspace.js";

let ws: Workspace;
beforeAll(() => {
  ws = workspace("pty");
});
afterAll(() => ws?.cleanup());

// Python's pty module drives the session: it is the terminal a user would type into.
const DRIVER = `
import os, pty, sys, time, select
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
def read_until(token, limit=15):
    global out
    end = time.time() + limit
    while token not in out and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try: out += os.read(fd, 4096)
            except OSError: break
def send(b): os.write(fd, b)
read_until(b"$ ")
send(b"echo one-$((20+22))\\n"); read_until(b"one-42")
send(b"sleep 30; echo sl''ept\\n"); time.sleep(0.5)
send(b"\\x03"); read_until(b"$ ")
send(b"echo after-$((1+1))\\n"); read_until(b"after-2")
send(b"exit 3\\n")
_, status = os.waitpid(pid, 0)
read_until(b"never", 0.5)
sys.stdout.write(out.decode(errors="replace"))
print("\\nSTATUS", os.waitstatus_to_exitcode(status))
`;

describe("an interactive shell under a pty", () => {
  it("runs commands, survives Ctrl-C and exits with the shell's status", () => {
    const r = spawnSync("/usr/bin/python3", ["-c", DRIVER, process.execPath, CORDON_BIN, "run", "--", "sh", "-i"], {
      cwd: ws.write(join(ws.root, "shell"), { "README": "a project\n" }),
      env: { ...process.env, ...ws.env, PS1: "$ ", NO_COLOR: "1" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("one-42");
    expect(r.stdout).toContain("after-2");
    expect(r.stdout).not.toContain("slept");
    expect(r.stdout).toContain("STATUS 3");
  }, 40_000);

  it("attack: TIOCSTI cannot push input into the terminal", () => {
    const poke = "import fcntl, termios; fcntl.ioctl(0, termios.TIOCSTI, b'x'); print('INJECTED')";
    const r = spawnSync("/usr/bin/python3", ["-c", `import pty, sys; pty.spawn(sys.argv[1:])`, process.execPath, CORDON_BIN, "run", "--", "python3", "-c", poke], {
      cwd: ws.write(join(ws.root, "shell"), { "README": "a project\n" }),
      env: { ...process.env, ...ws.env, NO_COLOR: "1" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.stdout).not.toContain("INJECTED");
    expect(r.stdout).toMatch(/Operation not permitted|PermissionError/);
  }, 40_000);
});
