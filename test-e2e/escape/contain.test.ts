// Escapes the seccomp layer closes in every isolation mode, through the real CLI, as root and as
// nobody: TCP Fast Open's hidden connect, set-id files left for the user to run later, and SysV
// IPC objects of processes outside. Each case checks the receiving side too (the listener accepted
// nothing, no set-id file exists, the outside segment's secret never printed).
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeNamespaces } from "@cordon/sandbox";
import { attempt, programsDir, runSandboxed, tempDir, type SandboxOptions } from "./support/sandbox.js";
import { tcpListener, type TcpListener } from "./support/listeners.js";

const bin = join(import.meta.dirname, "..", "..", "apps", "cli", "dist", "bin.js");
const NOBODY = 65534;
const isolations = probeNamespaces().available ? ["landlock", "namespace"] : ["landlock"];
const users = process.getuid?.() === 0 ? (["root", "nobody"] as const) : (["root"] as const);

interface Out {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], cwd: string, user: "root" | "nobody", env: NodeJS.ProcessEnv = {}): Promise<Out> {
  const child = spawn(file, args, {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...(user === "nobody" ? { HOME: "/nonexistent" } : {}), ...env },
    ...(user === "nobody" ? { uid: NOBODY, gid: NOBODY } : {}),
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

const cordon = (isolation: string, user: "root" | "nobody", command: string[]) =>
  run(process.execPath, [bin, "run", "-q", "--isolation", isolation, "--", ...command], work, user);

/** "name RESULT" lines → { name: RESULT }. */
const lines = (s: string) => Object.fromEntries(s.trim().split("\n").map((l) => l.split(" ") as [string, string]));

let work: string;
let listener: TcpListener;
const SYSV_KEY = 0x0c0d0000 + (process.pid % 0xffff);

beforeAll(async () => {
  // The programs sit in the working directory, readable by nobody.
  work = tempDir("cordon-escape-contain-");
  chmodSync(work, 0o777);
  for (const p of ["fastopen.py", "setid.py", "ipc.py"]) copyFileSync(join(programsDir, p), join(work, p));
  listener = await tcpListener("127.0.0.1");
  // An outside segment, queue and semaphore set anyone may use (0666): only seccomp keeps them out.
  expect(spawnSync("python3", [join(programsDir, "ipc.py"), "create", String(SYSV_KEY)], { encoding: "utf8" }).stdout).toBe("OK\n");
});
afterAll(async () => {
  spawnSync("python3", [join(programsDir, "ipc.py"), "remove", String(SYSV_KEY)]);
  await listener.close();
});

describe.each(isolations)("--isolation %s", (isolation) => {
  describe.each(users)("as %s", (user) => {
    it("TCP Fast Open (sendto, sendmsg, sendmmsg with MSG_FASTOPEN) → EPERM; nothing accepted", async () => {
      for (const how of ["sendto", "sendmsg", "sendmmsg"]) {
        const r = await cordon(isolation, user, ["python3", "./fastopen.py", how, "127.0.0.1", String(listener.port)]);
        expect(r.stdout, `${how}: ${r.stderr}`).toBe("EPERM\n");
      }
      expect(listener.accepted).toBe(0);
    });

    it("TCP_FASTOPEN_CONNECT + connect() is judged by the connect hook → EACCES; nothing accepted", async () => {
      const r = await cordon(isolation, user, ["python3", "./fastopen.py", "connect", "127.0.0.1", String(listener.port)]);
      expect(r.stdout, r.stderr).toBe("EACCES\n");
      expect(listener.accepted).toBe(0);
    });

    it("no set-id file: every mode-setting call with S_ISUID/S_ISGID → EPERM (openat2 → ENOSYS); plain modes work", async () => {
      const dir = join(work, `setid-${isolation}-${user}`);
      mkdirSync(dir, { mode: 0o777 });
      chmodSync(dir, 0o777);
      const r = await cordon(isolation, user, ["python3", "./setid.py", dir]);
      const got = lines(r.stdout);
      expect(got["plain-chmod"], r.stderr).toBe("OK");
      for (const [name, result] of Object.entries(got)) {
        if (name === "plain-chmod" || name === "setid-files") continue;
        expect(result, name).toBe(name === "openat2-suid" ? "ENOSYS" : "EPERM");
      }
      expect(got["setid-files"]).toBe("none");
      // `chmod u+s` from coreutils, as a build script would run it.
      const chmod = await cordon(isolation, user, ["sh", "-c", `chmod u+s ${dir}/plain 2>&1; echo "exit $?"`]);
      expect(chmod.stdout).toMatch(/Operation not permitted\nexit 1\n$/);
      expect(readdirSync(dir).length).toBeGreaterThan(0);
    });

    it("IPC of processes outside: SysV shm, msg, sem → EPERM, a POSIX queue → EACCES (ENOENT in a private IPC namespace); the secret is never read", async () => {
      const r = await cordon(isolation, user, ["python3", "./ipc.py", "read", String(SYSV_KEY)]);
      const got = lines(r.stdout);
      // Without an IPC namespace seccomp denies the SysV calls and Landlock the POSIX queue (the
      // mqueue mount is outside every rule); with one (namespace process isolation) the outside
      // objects do not exist in it.
      const privateIpc = isolation === "landlock" ? [] : ["ENOENT"];
      for (const kind of ["shm", "msg", "sem"]) expect(["EPERM", ...privateIpc], `${kind}: ${r.stdout} ${r.stderr}`).toContain(got[kind]);
      expect(["EACCES", ...privateIpc], `mq: ${r.stdout}`).toContain(got.mq);
      // The control: the same program, same user, outside cordon reads it.
      const outside = await run("python3", ["./ipc.py", "read", String(SYSV_KEY)], work, user);
      expect(lines(outside.stdout)).toMatchObject({ shm: "outside-secret", mq: "outside-secret" });
    });
  });
});

describe("the kernel layers alone (what seccomp adds)", () => {
  let box: SandboxOptions;
  beforeAll(() => {
    box = { proxyPort: 1, writable: tempDir("cordon-escape-contain-ll-") };
  });
  const py = (layers: SandboxOptions["layers"], ...args: string[]) =>
    runSandboxed("/usr/bin/python3", args, { ...box, layers: layers ?? "landlock+seccomp" }).then((r) => r.stdout);

  it("Landlock alone: a setuid file is left behind (root) and the outside segment is read; seccomp closes both", async () => {
    const alone = lines(await py("landlock-only", join(programsDir, "setid.py"), box.writable));
    expect(alone["chmod-suid"]).toBe("OK");
    expect(alone["setid-files"]).not.toBe("none");
    expect(lines(await py("landlock-only", join(programsDir, "ipc.py"), "read", String(SYSV_KEY))).shm).toBe("outside-secret");
    rmSync(box.writable, { recursive: true, force: true });
    mkdirSync(box.writable);
    expect(lines(await py("landlock+seccomp", join(programsDir, "setid.py"), box.writable))["setid-files"]).toBe("none");
    expect(lines(await py("landlock+seccomp", join(programsDir, "ipc.py"), "read", String(SYSV_KEY))).shm).toBe("EPERM");
  });

  it("Fast Open with Landlock alone: this kernel's connect check catches it too (EACCES); seccomp fails it first (EPERM)", async () => {
    // landlock-lsm/linux#41: kernels without the fix connect here. The seccomp rule makes the result
    // the same on every kernel.
    expect(await py("landlock-only", join(programsDir, "fastopen.py"), "sendto", "127.0.0.1", String(listener.port))).toBe("EACCES\n");
    expect(await py("landlock+seccomp", join(programsDir, "fastopen.py"), "sendto", "127.0.0.1", String(listener.port))).toBe("EPERM\n");
    expect(await attempt(box, "connect4", String(listener.port))).toBe("EACCES");
    expect(listener.accepted).toBe(0);
  });
});

describe("Landlock-only mode reports itself honestly (item 10)", () => {
  const explain = (env: NodeJS.ProcessEnv, ...args: string[]) => run(process.execPath, [bin, "explain", "--isolation", "landlock", ...args], work, "root", env);

  it("partially, the address-blind row naming the cluster NetworkPolicy; hard refuses (exit 3)", async () => {
    const r = await explain({ CORDON_NETWORK_FENCE: "" }, "--json");
    const { report } = JSON.parse(r.stdout);
    expect(report.status).toBe("partially");
    expect(report.items.find((i: { id?: string }) => i.id === "net.address-blind-ports")).toMatchObject({
      enforcedBy: "nothing",
      weakens: "net.host-allowlist",
      hint: expect.stringMatching(/NetworkPolicy \(tier 3\)/),
    });
    expect((await explain({ CORDON_NETWORK_FENCE: "" }, "--compat", "hard")).code).toBe(3);
    const refused = await run(process.execPath, [bin, "run", "--isolation", "landlock", "--compat", "hard", "--", "true"], work, "root", { CORDON_NETWORK_FENCE: "" });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/compat hard: TCP port rules are address-blind/);
  });

  it("the user's statement (--network-fence or CORDON_NETWORK_FENCE) makes it fully, enforced by the cluster; hard runs", async () => {
    // As nobody: as root, Landlock-only mode keeps another gap refused under hard (fs.metadata).
    const asNobody = users.includes("nobody" as never) ? ("nobody" as const) : ("root" as const);
    for (const [env, args] of [[{ CORDON_NETWORK_FENCE: "" }, ["--network-fence", "networkpolicy"]], [{ CORDON_NETWORK_FENCE: "networkpolicy" }, []]] as const) {
      const { report } = JSON.parse((await run(process.execPath, [bin, "explain", "--isolation", "landlock", "--json", ...args], work, asNobody, env)).stdout);
      expect(report.status).toBe("fully");
      expect(report.items.find((i: { id?: string }) => i.id === "net.address-blind-ports")).toMatchObject({ enforcedBy: "cluster", level: "full" });
      const ok = await run(process.execPath, [bin, "run", "-q", "--isolation", "landlock", "--compat", "hard", ...args, "--", "true"], work, asNobody, env);
      expect(ok.code, ok.stderr).toBe(0);
    }
    // --network-fence none overrides the environment.
    const { report } = JSON.parse((await explain({ CORDON_NETWORK_FENCE: "networkpolicy" }, "--json", "--network-fence", "none")).stdout);
    expect(report.status).toBe("partially");
  });

  it("a policy file in the project cannot state the fence", async () => {
    const file = join(work, "fence-policy.yaml");
    writeFileSync(file, "version: 1\nnetwork: {fence: networkpolicy}\n");
    const r = await explain({ CORDON_NETWORK_FENCE: "" }, "--policy", file);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/fence/);
  });
});
