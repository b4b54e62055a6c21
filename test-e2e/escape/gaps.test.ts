// What each layer leaves open, shown rather than claimed: the "landlock only"
// variant is cordon without seccomp, the ABI 3 variant a kernel without
// Landlock networking, and the residual gaps stay open with both layers on.
import { createSocket } from "node:dgram";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attempt, effectiveAbi, tempDir, type SandboxOptions } from "./support/sandbox.js";
import { tcpListener, udpListener, unixListener, until, type TcpListener, type UdpListener } from "./support/listeners.js";

let proxy: TcpListener;
let other: TcpListener;
let udp: UdpListener;
let box: SandboxOptions;

beforeAll(async () => {
  proxy = await tcpListener("127.0.0.1");
  other = await tcpListener("127.0.0.1");
  udp = await udpListener("udp4");
  box = { proxyPort: proxy.port, writable: tempDir("cordon-escape-gaps-") };
});
afterAll(async () => {
  await Promise.all([proxy.close(), other.close()]);
  udp.close();
});

describe("landlock only (no seccomp): the doors seccomp closes", () => {
  const landlockOnly = () => ({ ...box, layers: "landlock-only" as const });

  it("MPTCP connects to a non-proxy port, past Landlock's TCP rules (erratum 1: MPTCP is not TCP)", async () => {
    const before = other.accepted;
    expect(await attempt(landlockOnly(), "mptcp4", String(other.port))).toBe("OK");
    await until(() => other.accepted > before);
    // With seccomp the same attempt fails at socket().
    expect(await attempt(box, "mptcp4", String(other.port))).toBe("EPERM");
  });

  it.runIf(effectiveAbi() < 10)("UDP below Landlock ABI 10 is sent and arrives", async () => {
    expect(await attempt(landlockOnly(), "udp-send4", String(udp.port))).toBe("OK");
    await until(() => udp.received.includes("cordon-udp"));
  });

  it("raw and packet sockets (as root), io_uring and new user namespaces are available", async () => {
    for (const op of ["raw4", "packet", "io-uring", "unshare-user"]) expect(await attempt(landlockOnly(), op)).toBe("OK");
  });
});

describe("CORDON_LANDLOCK_ABI_MAX=3: no Landlock networking, seccomp still closes the rest", () => {
  const abi3 = () => ({ ...box, abiMax: 3 });

  it("direct TCP to any port connects: nothing in the kernel restricts TCP below ABI 4 (reported, not hidden)", async () => {
    const before = other.accepted;
    expect(await attempt(abi3(), "connect4", String(other.port))).toBe("OK");
    await until(() => other.accepted > before);
  });

  it.each([["udp-send4"], ["mptcp4"], ["dns-udp"]])("%s → EPERM (seccomp)", async (op) => {
    const port = op === "mptcp4" ? other.port : udp.port;
    const before = other.accepted;
    const received = udp.received.length;
    expect(await attempt(abi3(), op, String(port))).toBe("EPERM");
    await flush();
    expect(other.accepted).toBe(before);
    expect(udp.received.length).toBe(received + 1); // only the flush marker
  });

  it.each([["raw4"], ["packet"], ["io-uring"]])("%s → EPERM (seccomp)", async (op) => {
    expect(await attempt(abi3(), op)).toBe("EPERM");
  });

  it("the filesystem is still Landlock's (ABI 3 has write, create, truncate)", async () => {
    const outside = tempDir("cordon-escape-outside-");
    expect(await attempt(abi3(), "creat", join(outside, "planted"))).toBe("EACCES");
  });
});

/** A marker datagram from outside: arriving proves nothing sent earlier is still in flight. */
async function flush(): Promise<void> {
  const before = udp.received.length;
  const s = createSocket("udp4");
  await new Promise<void>((resolve, reject) => s.send("marker", udp.port, "127.0.0.1", (e) => (s.close(), e ? reject(e) : resolve())));
  await until(() => udp.received.length > before);
}

describe("residual gaps with both layers on (documented in README.md)", () => {
  it.runIf(effectiveAbi() >= 4)("port-only rules: any host on the proxy port is reachable (127.0.0.2 here)", async () => {
    const impostor = await tcpListener("127.0.0.2", proxy.port);
    try {
      expect(await attempt(box, "connect4-addr", "127.0.0.2", String(proxy.port))).toBe("OK");
      await until(() => impostor.accepted === 1);
      // Any other port on that host is still refused.
      expect(await attempt(box, "connect4-addr", "127.0.0.2", String(other.port))).toBe("EACCES");
    } finally {
      await impostor.close();
    }
  });

  it.runIf(effectiveAbi() >= 4)("listen() auto-binds an ephemeral port even when bind() is denied", async () => {
    const noBind = { ...box, denyBind: true };
    expect(await attempt(noBind, "bind4", "0")).toBe("EACCES");
    expect(await attempt(noBind, "listen-autobind")).toBe("OK");
  });

  it("pathname UNIX sockets outside the sandbox: closed by seccomp below ABI 9, by Landlock from ABI 9", async () => {
    const path = join(tempDir("cordon-escape-sock-"), "agent.sock");
    const l = await unixListener(path);
    try {
      // Landlock alone below ABI 9 does not govern connect() to pathname sockets (ssh-agent, docker.sock) ...
      if (effectiveAbi() < 9) {
        expect(await attempt({ ...box, layers: "landlock-only" as const }, "unix-path-connect", path)).toBe("OK");
        await until(() => l.accepted() === 1);
      }
      // ... so with both layers socket(AF_UNIX) itself fails (network.allowUnixSockets: false, the default).
      const before = l.accepted();
      expect(await attempt(box, "unix-path-connect", path)).toBe(effectiveAbi() >= 9 ? "EACCES" : "EPERM");
      expect(l.accepted()).toBe(before);
    } finally {
      await l.close();
    }
  });
});
