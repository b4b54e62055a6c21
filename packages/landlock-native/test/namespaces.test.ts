// Namespace stages of the launcher on the real kernel: a network namespace with
// only loopback, the relay to a unix socket, the supervisor (signals, exit
// status, dying with its parent) and read-only protected paths.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LAUNCHER_EXIT, LandlockError, NET, launcherArgs, launcherPath, parseLauncherStatus } from "../src/index.js";
import { baseRuleset, closeServer, freePort, listen, portOf, probePath, runChild, tempDir } from "./helpers.js";

/** A unix-socket "proxy": greets, then echoes; counts connections on the receiving side. */
function unixEcho(path: string): Promise<{ server: Server; connections: () => number }> {
  let n = 0;
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    n++;
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.write("proxy says hi\n");
    s.pipe(s);
  });
  server.on("close", () => sockets.forEach((s) => s.destroy()));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve({ server, connections: () => n }));
  });
}

/** Node one-liner: connect to host:port, send "ping", print everything received until the peer ends. */
const nodeClient = (host: string, port: number) => [
  "-e",
  `const s=require("net").connect(${port},${JSON.stringify(host)});let t="";s.on("data",d=>{t+=d;if(t.includes("ping"))s.end()});` +
    `s.on("end",()=>console.log(JSON.stringify(t)));s.on("error",e=>console.log(e.code));s.write("ping\\n")`,
];

function launch(argv: string[], stdio: "pipe" | "inherit" = "pipe"): ChildProcess {
  return spawn(launcherPath, argv, { stdio: ["ignore", stdio, stdio, "ignore", "pipe"] });
}

function collect(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; status: string }> {
  const out = { stdout: "", stderr: "", status: "" };
  child.stdout?.on("data", (d: Buffer) => (out.stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out.stderr += d.toString()));
  (child.stdio[4] as NodeJS.ReadableStream | null)?.on("data", (d: Buffer) => (out.status += d.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, ...out }));
  });
}

const relayArgs = (port: number, socketPath: string, command: string, args: string[], extra: Partial<Parameters<typeof launcherArgs>[0]> = {}) =>
  launcherArgs({ statusFd: 4, netnsRelay: { port, socketPath }, command, args, ...extra });

let sockDir: string;
let sockPath: string;
let echo: Awaited<ReturnType<typeof unixEcho>>;
let hostListener: Server;
let hostConnections = 0;

beforeAll(async () => {
  sockDir = tempDir();
  chmodSync(sockDir, 0o700);
  sockPath = join(sockDir, "proxy.sock");
  echo = await unixEcho(sockPath);
  hostListener = createServer((s) => {
    hostConnections++;
    s.destroy();
  });
  await new Promise<void>((r) => hostListener.listen({ host: "127.0.0.1", port: 0 }, () => r()));
});

afterAll(async () => {
  await closeServer(echo.server);
  await closeServer(hostListener);
});

describe("launcherArgs() namespace options", () => {
  it("builds --netns, --netns-relay and --protect", () => {
    expect(launcherArgs({ netns: true, protect: ["/a", "/b c"], command: "true" })).toEqual(["--netns", "--protect", "/a", "--protect", "/b c", "--", "true"]);
    expect(launcherArgs({ netnsRelay: { port: 3128, socketPath: "/run/x.sock" }, command: "true" })).toEqual(["--netns-relay", "3128:/run/x.sock", "--", "true"]);
  });

  it("rejects a bad relay port, a relative or too long socket path, a relative protected path", () => {
    expect(() => launcherArgs({ netnsRelay: { port: 0, socketPath: "/x" }, command: "true" })).toThrow(/netnsRelay.port/);
    expect(() => launcherArgs({ netnsRelay: { port: 1, socketPath: "x.sock" }, command: "true" })).toThrow(LandlockError);
    expect(() => launcherArgs({ netnsRelay: { port: 1, socketPath: `/${"x".repeat(120)}` }, command: "true" })).toThrow(/shorter than 108/);
    expect(() => launcherArgs({ protect: [".git"], command: "true" })).toThrow(/absolute/);
  });

  it("the launcher itself refuses malformed values (exit 2)", async () => {
    for (const argv of [["--netns-relay", "3128", "--", "true"], ["--netns-relay", "0:/x", "--", "true"], ["--netns-relay", "80:rel", "--", "true"], ["--protect", "rel", "--", "true"]]) {
      expect((await runChild(launcherPath, argv)).code).toBe(LAUNCHER_EXIT.USAGE);
    }
  });
});

describe("network namespace", () => {
  it("has only loopback, up: the host's loopback listener is unreachable and nothing arrives there", async () => {
    const before = hostConnections;
    const port = portOf(hostListener);
    const r = await runChild(launcherPath, launcherArgs({ statusFd: 4, netns: true, command: "sh", args: ["-c", `cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '; ${probePath} connect4-addr 127.0.0.1 ${port}; ${probePath} connect4-addr 192.0.2.1 ${port}`] }));
    expect(r.status).toBe("");
    expect(r.stdout.trim().split("\n")).toEqual(["lo", "ECONNREFUSED", "ENETUNREACH"]);
    expect(hostConnections).toBe(before);
  });

  it("relays the proxy port to the unix socket (IPv4 and IPv6), the listener existing before exec", async () => {
    const port = await freePort();
    const before = echo.connections();
    // The first thing the command does is connect: no start-up race to lose.
    const v4 = await collect(launch(relayArgs(port, sockPath, process.execPath, nodeClient("127.0.0.1", port))));
    const v6 = await collect(launch(relayArgs(port, sockPath, process.execPath, nodeClient("::1", port))));
    expect(v4.stdout.trim()).toBe(JSON.stringify("proxy says hi\nping\n"));
    expect(v6.stdout.trim()).toBe(JSON.stringify("proxy says hi\nping\n"));
    expect([v4.code, v6.code]).toEqual([0, 0]);
    expect(echo.connections()).toBe(before + 2);
  });

  it("relays large transfers both ways intact (half-close after the upload)", async () => {
    const port = await freePort();
    const script = `const s=require("net").connect(${port},"127.0.0.1");const h=require("crypto").createHash("sha256");let n=0;` +
      `s.on("data",d=>{h.update(d);n+=d.length});s.on("end",()=>console.log(n,h.digest("hex")));` +
      `const b=Buffer.alloc(4<<20,7);s.end(b)`;
    const r = await collect(launch(relayArgs(port, sockPath, process.execPath, ["-e", script])));
    const expected = createHash("sha256").update("proxy says hi\n").update(Buffer.alloc(4 << 20, 7)).digest("hex");
    expect(r.stdout.trim()).toBe(`${14 + (4 << 20)} ${expected}`);
  });

  it("with Landlock on top, only the relay port is connectable", async () => {
    const port = await freePort();
    const other = await listen("127.0.0.1");
    const rs = baseRuleset({ fs: 0, net: NET.CONNECT_TCP });
    rs.addPort(port, NET.CONNECT_TCP);
    try {
      const argv = relayArgs(port, sockPath, "sh", ["-c", `${probePath} connect4 ${port}; ${probePath} connect4 ${portOf(other)}`], { rulesetFd: 3 });
      const r = await runChild(launcherPath, argv, { ruleset: rs });
      expect(r.stdout.trim().split("\n")).toEqual(["OK", "EACCES"]);
    } finally {
      rs.close();
      await closeServer(other);
    }
  });

  it("a relay whose socket does not exist resets the connection, and goes nowhere else", async () => {
    const port = await freePort();
    const r = await collect(launch(relayArgs(port, join(sockDir, "absent.sock"), process.execPath, nodeClient("127.0.0.1", port))));
    expect(["\"\"", "ECONNRESET", "EPIPE"]).toContain(r.stdout.trim());
  });

  it("works for an unprivileged user (user namespace mapping only its own ids)", async () => {
    const r = await runChild("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", launcherPath, ...launcherArgs({ netns: true, command: "sh", args: ["-c", "id -u; cat /proc/self/uid_map; cat /proc/net/dev | tail -n +3 | wc -l"] })]);
    const [uid, map, interfaces] = r.stdout.trim().split("\n");
    expect(uid).toBe("65534");
    expect(map!.trim().split(/\s+/)).toEqual(["65534", "65534", "1"]);
    expect(interfaces).toBe("1");
  });
});

describe("the supervisor", () => {
  const port = () => freePort();

  it("is the command's parent; the command has no unexpected child (a shell's wait returns)", async () => {
    const child = launch(relayArgs(await port(), sockPath, "sh", ["-c", "wait; echo waited; grep PPid /proc/$$/status | cut -f2"]));
    const r = await collect(child);
    expect(r.stdout.trim().split("\n")).toEqual(["waited", String(child.pid)]);
    expect(r.status).toBe("");
  });

  it("passes the exit status through, and a launch failure's status line and 127", async () => {
    expect((await collect(launch(relayArgs(await port(), sockPath, "sh", ["-c", "exit 7"])))).code).toBe(7);
    const missing = await collect(launch(relayArgs(await port(), sockPath, "cordon-no-such-command", [])));
    expect(missing.code).toBe(LAUNCHER_EXIT.NOT_FOUND);
    expect(parseLauncherStatus(missing.status)?.stage).toBe("exec");
  });

  it("dies of the same signal as the command", async () => {
    const r = await collect(launch(relayArgs(await port(), sockPath, "sh", ["-c", "kill -TERM $$"])));
    expect(r).toMatchObject({ code: null, signal: "SIGTERM" });
  });

  it.each(["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"] as const)("forwards %s to the command", async (sig) => {
    const script = `process.on(${JSON.stringify(sig)},()=>{console.log("got ${sig}");process.exit(5)});console.log("ready");setInterval(()=>{},1000)`;
    const child = launch(relayArgs(await port(), sockPath, process.execPath, ["-e", script]));
    const done = collect(child);
    child.stdout!.once("data", () => child.kill(sig));
    const r = await done;
    expect(r.stdout).toBe(`ready\ngot ${sig}\n`);
    expect(r.code).toBe(5);
  });

  it("exits, taking the command with it, when its parent (the CLI) is SIGKILLed", async () => {
    // A stand-in CLI: spawns the launcher with its own stdout, prints the launcher's pid.
    const argv = launcherArgs({ netnsRelay: { port: await port(), socketPath: sockPath }, command: "sh", args: ["-c", "echo $$; exec sleep 1000"] });
    const cli = `const c=require("child_process").spawn(${JSON.stringify(launcherPath)},${JSON.stringify(argv)},{stdio:["ignore","inherit","inherit"]});console.log(c.pid)`;
    const standIn = spawn(process.execPath, ["-e", cli], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    standIn.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.trim().split("\n").length === 2) standIn.kill("SIGKILL");
    });
    // EOF arrives only once every holder of the pipe (stand-in, supervisor, command) has exited.
    await new Promise((r) => standIn.stdout!.on("end", r));
    const pids = out.trim().split("\n").map(Number);
    expect(pids).toHaveLength(2);
    // Dead but maybe not yet reaped by whoever inherited it: give the reaper a moment.
    for (const pid of pids) {
      for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
      expect(alive(pid)).toBe(false);
    }
  });
});

describe("protected paths (mount namespace)", () => {
  let tree: string;
  const hashTree = (dir: string): string => {
    const h = createHash("sha256");
    const walk = (d: string) => {
      for (const name of readdirSync(d).sort()) {
        const p = join(d, name);
        const st = statSync(p);
        h.update(`${p.slice(tree.length)} ${st.mode} ${st.size}\n`);
        if (st.isDirectory()) walk(p);
        else h.update(readFileSync(p));
      }
    };
    walk(dir);
    return h.digest("hex");
  };

  beforeAll(() => {
    tree = tempDir();
    mkdirSync(join(tree, ".git", "hooks"), { recursive: true });
    writeFileSync(join(tree, ".git", "config"), "[core]\n");
    writeFileSync(join(tree, ".env"), "SECRET=1\n");
  });

  it("makes existing paths read-only (EROFS), readable, not removable, and leaves the tree unchanged", async () => {
    const before = hashTree(tree);
    const p = (op: string, ...a: string[]) => `${probePath} ${op} ${a.join(" ")}`;
    const script = [
      p("write", join(tree, ".env")),
      p("read", join(tree, ".env")),
      p("creat", join(tree, ".git", "hooks", "pre-commit")),
      p("write", join(tree, ".git", "config")),
      p("unlink", join(tree, ".env")),
      p("rename", join(tree, ".git", "config"), join(tree, "moved")),
      p("creat", join(tree, "ordinary")),
      p("unlink", join(tree, "ordinary")),
    ].join("; ");
    const r = await runChild(launcherPath, launcherArgs({ statusFd: 4, protect: [join(tree, ".env"), join(tree, ".git", "hooks"), join(tree, ".git", "config")], command: "sh", args: ["-c", script] }));
    expect(r.stdout.trim().split("\n")).toEqual(["EROFS", "OK", "EROFS", "EROFS", "EBUSY", "EBUSY", "OK", "OK"]);
    expect(hashTree(tree)).toBe(before);
  });

  it("a pinned parent cannot be moved aside and replaced by a writable copy, but stays writable inside", async () => {
    const before = hashTree(tree);
    const git = join(tree, ".git");
    const script = [
      `${probePath} rename ${git} ${join(tree, "moved")}`,
      `${probePath} rmdir ${git}`,
      `${probePath} creat ${join(git, "scratch")}`,
      `${probePath} unlink ${join(git, "scratch")}`,
      `${probePath} creat ${join(git, "hooks", "pre-commit")}`,
    ].join("; ");
    const r = await runChild(launcherPath, launcherArgs({ statusFd: 4, pin: [git], protect: [join(git, "hooks")], command: "sh", args: ["-c", script] }));
    expect(r.stdout.trim().split("\n")).toEqual(["EBUSY", "EBUSY", "OK", "OK", "EROFS"]);
    expect(hashTree(tree)).toBe(before);
  });

  it("fails closed (125, stage mounts) when a protected path has gone", async () => {
    const r = await runChild(launcherPath, launcherArgs({ statusFd: 4, protect: [join(tree, "gone")], command: "true" }));
    expect(r.code).toBe(LAUNCHER_EXIT.SETUP_FAILED);
    expect(parseLauncherStatus(r.status)).toMatchObject({ stage: "mounts", errno: "ENOENT" });
  });
});

function alive(pid: number): boolean {
  try {
    // A zombie waiting for init to reap it has exited too.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}
