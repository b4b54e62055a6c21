// Network escapes. Each attempt runs in a fresh sandboxed process; the expected
// errno names the layer: EACCES = Landlock (TCP port rules), EPERM from socket()
// = seccomp, EPERM on connect/kill = Landlock scopes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attempt, effectiveAbi, programsDir, runSandboxed, tempDir, type SandboxOptions } from "./support/sandbox.js";
import { flushUdp, tcpListener, udpListener, unixListener, until, type TcpListener, type UdpListener } from "./support/listeners.js";
import { spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync } from "node:fs";
import { join } from "node:path";

const hasLandlockNet = effectiveAbi() >= 4;
const hasScopes = effectiveAbi() >= 6;

let proxy: TcpListener;
let other4: TcpListener;
let other6: TcpListener;
let udp4: UdpListener;
let udp6: UdpListener;
let box: SandboxOptions;

beforeAll(async () => {
  proxy = await tcpListener("127.0.0.1");
  other4 = await tcpListener("127.0.0.1");
  other6 = await tcpListener("::1");
  udp4 = await udpListener("udp4");
  udp6 = await udpListener("udp6");
  box = { proxyPort: proxy.port, writable: tempDir("cordon-escape-net-") };
});
afterAll(async () => {
  await Promise.all([proxy.close(), other4.close(), other6.close()]);
  udp4.close();
  udp6.close();
});

/** Sends a datagram from outside, unsandboxed, to show the path works and to flush anything earlier. */
const sendOutside = (l: UdpListener, type: "udp4" | "udp6") => (msg: string) =>
  new Promise<void>((resolve, reject) => {
    const s = createSocket(type);
    s.send(msg, l.port, type === "udp4" ? "127.0.0.1" : "::1", (e) => {
      s.close();
      if (e) reject(e);
      else resolve();
    });
  });

describe.runIf(hasLandlockNet)("TCP: only the proxy port (Landlock CONNECT_TCP)", () => {
  it("reaches the proxy port (control)", async () => {
    const before = proxy.accepted;
    expect(await attempt(box, "connect4", String(proxy.port))).toBe("OK");
    await until(() => proxy.accepted > before);
  });

  it("direct connect to another port over IPv4 → EACCES; the listener saw nothing", async () => {
    expect(await attempt(box, "connect4", String(other4.port))).toBe("EACCES");
    expect(await attempt(box, "exec", process.execPath, join(programsDir, "connect.mjs"), "127.0.0.1", String(other4.port))).toBe("EACCES");
    expect(other4.accepted).toBe(0);
  });

  it("direct connect to another port over IPv6 → EACCES; the listener saw nothing", async () => {
    expect(await attempt(box, "connect6", String(other6.port))).toBe("EACCES");
    expect(other6.accepted).toBe(0);
  });

  it("DNS over TCP to a local resolver port → EACCES", async () => {
    expect(await attempt(box, "dns-tcp", String(other4.port))).toBe("EACCES");
    expect(other4.accepted).toBe(0);
  });
});

describe("UDP (seccomp: socket(SOCK_DGRAM) → EPERM)", () => {
  it.each([
    ["probe, IPv4", "udp-send4", () => udp4, "udp4"],
    ["probe, IPv6", "udp-send6", () => udp6, "udp6"],
    ["DNS query, IPv4", "dns-udp", () => udp4, "udp4"],
  ] as const)("%s → EPERM; the server received nothing", async (_name, op, listener, type) => {
    const l = listener();
    expect(await attempt(box, op, String(l.port))).toBe("EPERM");
    await flushUdp(l, sendOutside(l, type));
    expect(l.received).toEqual(["marker"]);
    l.received.length = 0;
  });

  it("a Python program → EPERM; a Node program → EPERM; nothing arrives", async () => {
    expect(await attempt(box, "exec", "/usr/bin/python3", join(programsDir, "udp_send.py"), String(udp4.port))).toBe("EPERM");
    expect(await attempt(box, "exec", process.execPath, join(programsDir, "udp-send.mjs"), String(udp4.port))).toBe("EPERM");
    await flushUdp(udp4, sendOutside(udp4, "udp4"));
    expect(udp4.received).toEqual(["marker"]);
    udp4.received.length = 0;
  });
});

describe("protocols Landlock does not see (seccomp)", () => {
  it("MPTCP connect to a non-proxy port → EPERM; the listener saw nothing", async () => {
    expect(await attempt(box, "mptcp4", String(other4.port))).toBe("EPERM");
    expect(await attempt(box, "mptcp6", String(other6.port))).toBe("EPERM");
    expect(other4.accepted).toBe(0);
    expect(other6.accepted).toBe(0);
  });

  it.each([["sctp4"], ["raw4"], ["ping4"], ["packet"], ["socket", "40", "1", "0"]])("%s socket → EPERM", async (...op) => {
    expect(await attempt(box, ...op)).toBe("EPERM");
  });

  it("io_uring_setup → EPERM", async () => {
    expect(await attempt(box, "io-uring")).toBe("EPERM");
  });
});

describe.runIf(hasScopes)("outside processes (Landlock scopes)", () => {
  it("abstract unix socket to a listener outside → EPERM; nothing accepted", async () => {
    const name = `cordon-escape-${process.pid}`;
    const l = await unixListener(`\0${name}`);
    try {
      expect(await attempt(box, "unix-connect", name)).toBe("EPERM");
      expect(l.accepted()).toBe(0);
    } finally {
      await l.close();
    }
  });

  it("a signal to a process outside (this test runner) → EPERM", async () => {
    expect(await attempt(box, "kill", String(process.pid))).toBe("EPERM");
  });
});

describe("ptrace", () => {
  it("attaching to the parent → EPERM (seccomp; Landlock also forbids tracing outside the domain)", async () => {
    expect(await attempt(box, "ptrace-attach", String(process.pid))).toBe("EPERM");
  });
});

describe("the sandbox cannot be undone from inside", () => {
  it("LD_PRELOAD set inside the sandbox: a shim running before main() still gets EACCES/EPERM; nothing planted", async () => {
    const shim = join(box.writable, "preload.so");
    const cc = spawnSync("cc", ["-shared", "-fPIC", "-o", shim, join(programsDir, "preload.c")]);
    if (cc.status !== 0) throw new Error(`cc failed: ${cc.stderr}`);
    const outside = join(tempDir("cordon-escape-outside-"), "planted");
    // The sandboxed shell sets LD_PRELOAD for its own child, as a malicious install script would.
    const r = await runSandboxed("/bin/sh", ["-c", `LD_PRELOAD=${shim} ESCAPE_TARGET=${outside} /bin/true`], box);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("preload: write EACCES");
    expect(r.stderr).toContain("preload: seccomp-off EINVAL");
    expect(r.stderr).toContain("preload: udp EPERM");
    expect(existsSync(outside)).toBe(false);
  });
});
