// BPF-level tests of compileSeccomp: the program is run in a test-only
// interpreter against synthetic seccomp_data, covering both architectures and
// the foreign-ABI paths.
import { describe, expect, it } from "vitest";
import {
  AF,
  AUDIT_ARCH_AARCH64,
  AUDIT_ARCH_X86_64,
  CLONE_NEWUSER,
  IPPROTO,
  SOCK,
  SYSCALLS_AARCH64,
  SYSCALLS_X86_64,
  X32_SYSCALL_BIT,
  compileSeccomp,
  seccompProgramFd,
  type SeccompSpec,
} from "../src/index.js";
import { ALWAYS_DENIED_SYSCALLS, cordonSpec } from "./cordon-specs.js";
import { action, runFilter } from "./seccomp-bpf-interpreter.js";

const AUDIT_ARCH_I386 = 0x40000003;
const AUDIT_ARCH_ARM = 0x40000028;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;

const platform = cordonSpec("platform", { landlockHandlesUdp: false });

const arches = [
  { name: "x64", audit: AUDIT_ARCH_X86_64, table: SYSCALLS_X86_64 },
  { name: "arm64", audit: AUDIT_ARCH_AARCH64, table: SYSCALLS_AARCH64 },
] as const;

describe.each(arches)("compileSeccomp for $name", ({ name, audit, table }) => {
  const prog = compileSeccomp(platform, name);
  const run = (sys: string, args: Array<number | bigint> = []) => action(runFilter(prog, { nr: table[sys]!, arch: audit, args }));
  const socket = (family: number, type: number, proto: number) => run("socket", [family, type, proto]);

  it("kills a syscall made through any other ABI", () => {
    const getpid = name === "x64" ? 39 : 172;
    expect(action(runFilter(prog, { nr: getpid, arch: audit }))).toBe("ALLOW");
    for (const foreign of [AUDIT_ARCH_I386, AUDIT_ARCH_ARM, name === "x64" ? AUDIT_ARCH_AARCH64 : AUDIT_ARCH_X86_64]) {
      expect(action(runFilter(prog, { nr: getpid, arch: foreign }))).toBe("KILL_PROCESS");
    }
  });

  it.each(ALWAYS_DENIED_SYSCALLS)("denies %s with EPERM", (sys) => {
    expect(run(sys)).toBe("ERRNO(1)");
  });

  it("allows TCP streams (with or without SOCK_NONBLOCK/SOCK_CLOEXEC), AF_UNIX and NETLINK_ROUTE", () => {
    for (const family of [AF.INET, AF.INET6]) {
      expect(socket(family, SOCK.STREAM, 0)).toBe("ALLOW");
      expect(socket(family, SOCK.STREAM, IPPROTO.TCP)).toBe("ALLOW");
      expect(socket(family, SOCK.STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)).toBe("ALLOW");
    }
    for (const type of [SOCK.STREAM, SOCK.DGRAM, SOCK.SEQPACKET]) expect(socket(AF.UNIX, type, 0)).toBe("ALLOW");
    expect(socket(AF.NETLINK, SOCK.RAW, 0)).toBe("ALLOW");
    expect(socket(AF.NETLINK, SOCK.DGRAM | SOCK_CLOEXEC, 0)).toBe("ALLOW");
  });

  it("denies UDP, ICMP, raw, MPTCP, SCTP, other netlink protocols and other families", () => {
    for (const family of [AF.INET, AF.INET6]) {
      expect(socket(family, SOCK.DGRAM, 0)).toBe("ERRNO(1)");
      expect(socket(family, SOCK.DGRAM | SOCK_NONBLOCK, IPPROTO.UDP)).toBe("ERRNO(1)");
      expect(socket(family, SOCK.DGRAM, IPPROTO.ICMP)).toBe("ERRNO(1)");
      expect(socket(family, SOCK.RAW, IPPROTO.ICMP)).toBe("ERRNO(1)");
      expect(socket(family, SOCK.STREAM, IPPROTO.MPTCP)).toBe("ERRNO(1)");
      expect(socket(family, SOCK.STREAM, IPPROTO.SCTP)).toBe("ERRNO(1)");
      expect(socket(family, SOCK.SEQPACKET, IPPROTO.SCTP)).toBe("ERRNO(1)");
    }
    expect(socket(AF.NETLINK, SOCK.RAW, 9 /* NETLINK_AUDIT */)).toBe("ERRNO(1)");
    for (const family of [AF.PACKET, AF.VSOCK, AF.BLUETOOTH, AF.ALG, AF.KEY, 0, 255]) {
      expect(socket(family, SOCK.RAW, 0)).toBe("ERRNO(1)");
    }
  });

  it("reads only the low 32 bits of int arguments, as the kernel does", () => {
    expect(socket(AF.INET, SOCK.STREAM, 0x1_0000_0000 + IPPROTO.MPTCP)).toBe("ERRNO(1)");
    expect(run("socket", [AF.INET + 0x1_0000_0000, SOCK.STREAM, 0])).toBe("ALLOW");
  });

  it("allows socketpair only for AF_UNIX", () => {
    expect(run("socketpair", [AF.UNIX, SOCK.STREAM, 0])).toBe("ALLOW");
    expect(run("socketpair", [AF.INET, SOCK.STREAM, 0])).toBe("ERRNO(1)");
  });

  it("denies TCP Fast Open's implicit connect: MSG_FASTOPEN in sendto, sendmsg and sendmmsg flags", () => {
    const MSG_FASTOPEN = 0x20000000;
    const MSG_NOSIGNAL = 0x4000;
    expect(run("sendto", [3, 0, 6, MSG_FASTOPEN, 0, 16])).toBe("ERRNO(1)");
    expect(run("sendto", [3, 0, 6, MSG_FASTOPEN | MSG_NOSIGNAL, 0, 16])).toBe("ERRNO(1)");
    expect(run("sendto", [3, 0, 6, MSG_NOSIGNAL, 0, 16])).toBe("ALLOW");
    expect(run("sendmsg", [3, 0, MSG_FASTOPEN])).toBe("ERRNO(1)");
    expect(run("sendmsg", [3, 0, 0])).toBe("ALLOW");
    expect(run("sendmmsg", [3, 0, 1, MSG_FASTOPEN])).toBe("ERRNO(1)");
    expect(run("sendmmsg", [3, 0, 1, 0])).toBe("ALLOW");
    // The flag in a high word the kernel never reads changes nothing.
    expect(run("sendto", [3, 0, 6, 0x1_0000_0000n * BigInt(MSG_FASTOPEN), 0, 16])).toBe("ALLOW");
  });

  it("denies set-id modes through every call that sets one; plain modes pass", () => {
    const O_CREAT = 0o100;
    const O_TMPFILE = 0o20200000;
    const AT_FDCWD = -100;
    expect(run("fchmod", [3, 0o4755])).toBe("ERRNO(1)");
    expect(run("fchmod", [3, 0o2755])).toBe("ERRNO(1)");
    expect(run("fchmod", [3, 0o1777])).toBe("ALLOW"); // sticky is fine
    expect(run("fchmodat", [AT_FDCWD, 0, 0o4755, 0])).toBe("ERRNO(1)");
    expect(run("fchmodat", [AT_FDCWD, 0, 0o755, 0])).toBe("ALLOW");
    expect(run("fchmodat2", [AT_FDCWD, 0, 0o6755, 0])).toBe("ERRNO(1)");
    expect(run("mkdirat", [AT_FDCWD, 0, 0o2775])).toBe("ERRNO(1)");
    expect(run("mknodat", [AT_FDCWD, 0, 0o104755, 0])).toBe("ERRNO(1)");
    expect(run("mknodat", [AT_FDCWD, 0, 0o10644, 0])).toBe("ALLOW"); // a FIFO
    expect(run("openat", [AT_FDCWD, 0, O_CREAT | 1, 0o4755])).toBe("ERRNO(1)");
    expect(run("openat", [AT_FDCWD, 0, O_TMPFILE | 2, 0o4755])).toBe("ERRNO(1)");
    expect(run("openat", [AT_FDCWD, 0, O_CREAT | 1, 0o644])).toBe("ALLOW");
    // Without O_CREAT the mode register is garbage: never judged.
    expect(run("openat", [AT_FDCWD, 0, 0, 0o4755])).toBe("ALLOW");
    // openat2's flags sit in a struct: ENOSYS, libc falls back to openat.
    expect(run("openat2", [AT_FDCWD, 0, 0, 24])).toBe("ERRNO(38)");
    if (name === "x64") {
      expect(run("chmod", [0, 0o4755])).toBe("ERRNO(1)");
      expect(run("creat", [0, 0o2755])).toBe("ERRNO(1)");
      expect(run("mkdir", [0, 0o2755])).toBe("ERRNO(1)");
      expect(run("mknod", [0, 0o104755, 0])).toBe("ERRNO(1)");
      expect(run("open", [0, O_CREAT, 0o4755])).toBe("ERRNO(1)");
      expect(run("open", [0, 0, 0o4755])).toBe("ALLOW");
      expect(run("chmod", [0, 0o755])).toBe("ALLOW");
    } else {
      expect(table.chmod).toBeNull(); // aarch64 has only the *at calls
    }
  });

  it("denies SysV IPC (no IPC namespace assumed)", () => {
    for (const sys of ["shmget", "shmat", "shmctl", "msgget", "msgsnd", "msgrcv", "msgctl", "semget", "semop", "semtimedop", "semctl"]) {
      expect(run(sys)).toBe("ERRNO(1)");
    }
  });

  it("denies new user namespaces: clone/unshare with CLONE_NEWUSER, clone3 with ENOSYS", () => {
    expect(run("clone", [0x11 /* SIGCHLD */])).toBe("ALLOW");
    expect(run("clone", [CLONE_NEWUSER | 0x11])).toBe("ERRNO(1)");
    expect(run("unshare", [0x20000 /* CLONE_NEWNS */])).toBe("ALLOW");
    expect(run("unshare", [CLONE_NEWUSER])).toBe("ERRNO(1)");
    expect(run("clone3")).toBe("ERRNO(38)");
  });
});

describe("compileSeccomp options", () => {
  const x64 = (spec: SeccompSpec, sys: string, args: number[] = []) =>
    action(runFilter(compileSeccomp(spec, "x64"), { nr: SYSCALLS_X86_64[sys]!, arch: AUDIT_ARCH_X86_64, args }));

  it("refuses the x32 ABI on x86_64 (syscall numbers with __X32_SYSCALL_BIT)", () => {
    const prog = compileSeccomp(platform, "x64");
    expect(action(runFilter(prog, { nr: X32_SYSCALL_BIT | 39, arch: AUDIT_ARCH_X86_64 }))).toBe("KILL_PROCESS");
    expect(action(runFilter(prog, { nr: X32_SYSCALL_BIT | SYSCALLS_X86_64.socket!, arch: AUDIT_ARCH_X86_64, args: [AF.INET, SOCK.DGRAM, 0] }))).toBe(
      "KILL_PROCESS",
    );
  });

  it("allows UDP (protocol 0 or IPPROTO_UDP only) when Landlock handles it", () => {
    const spec = cordonSpec("platform", { landlockHandlesUdp: true });
    expect(x64(spec, "socket", [AF.INET6, SOCK.DGRAM, 0])).toBe("ALLOW");
    expect(x64(spec, "socket", [AF.INET, SOCK.DGRAM, IPPROTO.UDP])).toBe("ALLOW");
    expect(x64(spec, "socket", [AF.INET, SOCK.DGRAM, IPPROTO.ICMP])).toBe("ERRNO(1)");
    expect(x64(spec, "socket", [AF.INET, SOCK.DGRAM, IPPROTO.UDPLITE])).toBe("ERRNO(1)");
    expect(x64(spec, "socket", [AF.INET, SOCK.STREAM, IPPROTO.MPTCP])).toBe("ERRNO(1)");
  });

  it.each(["proxy", "unrestricted"] as const)("leaves sockets alone in %s mode but still denies the dangerous calls", (network) => {
    const spec = cordonSpec(network, { landlockHandlesUdp: false });
    expect(spec.socket).toBeUndefined();
    expect(x64(spec, "socket", [AF.PACKET, SOCK.RAW, 0])).toBe("ALLOW");
    expect(x64(spec, "io_uring_setup")).toBe("ERRNO(1)");
  });

  it("denyUnixSocket fails socket(AF_UNIX) alone, with or without socket rules; socketpair stays", () => {
    const alone: SeccompSpec = { denySyscalls: [], errno: "EPERM", denyUnixSocket: true };
    expect(x64(alone, "socket", [AF.UNIX, SOCK.STREAM, 0])).toBe("ERRNO(1)");
    expect(x64(alone, "socket", [AF.INET, SOCK.DGRAM, 0])).toBe("ALLOW");
    expect(x64(alone, "socketpair", [AF.UNIX, SOCK.STREAM, 0])).toBe("ALLOW");
    const withRules: SeccompSpec = { ...platform, denyUnixSocket: true };
    expect(x64(withRules, "socket", [AF.UNIX, SOCK.STREAM, 0])).toBe("ERRNO(1)");
    expect(x64(withRules, "socket", [AF.INET, SOCK.STREAM, 0])).toBe("ALLOW");
    expect(x64(withRules, "socketpair", [AF.UNIX, SOCK.STREAM, 0])).toBe("ALLOW");
    expect(x64(platform, "socket", [AF.UNIX, SOCK.STREAM, 0])).toBe("ALLOW");
  });

  it("denyIoctls fails exactly the listed ioctl requests, judged on the low 32 bits", () => {
    const TIOCSTI = 0x5412;
    const spec: SeccompSpec = { denySyscalls: [], errno: "EPERM", denyIoctls: [TIOCSTI] };
    expect(x64(spec, "ioctl", [0, TIOCSTI])).toBe("ERRNO(1)");
    expect(x64(spec, "ioctl", [0, 0x5401])).toBe("ALLOW"); // TCGETS
    expect(action(runFilter(compileSeccomp(spec, "x64"), { nr: SYSCALLS_X86_64.ioctl!, arch: AUDIT_ARCH_X86_64, args: [0, 0x1_0000_0000n + BigInt(TIOCSTI)] }))).toBe("ERRNO(1)");
    expect(x64(cordonSpec("proxy"), "ioctl", [0, TIOCSTI])).toBe("ERRNO(1)");
  });

  it("allows user namespaces only when asked", () => {
    const spec = cordonSpec("none", { landlockHandlesUdp: false, allowUserNamespaces: true });
    expect(x64(spec, "unshare", [CLONE_NEWUSER])).toBe("ALLOW");
    expect(x64(spec, "clone3")).toBe("ALLOW");
  });

  it("lets allowStreamTcpOnly: false allow any stream protocol", () => {
    const spec: SeccompSpec = { denySyscalls: [], errno: "EPERM", socket: { allowFamilies: [AF.INET], inet: { allowStreamTcpOnly: false, allowUdp: false } } };
    expect(x64(spec, "socket", [AF.INET, SOCK.STREAM, IPPROTO.MPTCP])).toBe("ALLOW");
    expect(x64(spec, "socket", [AF.INET, SOCK.DGRAM, 0])).toBe("ERRNO(1)");
    expect(x64(spec, "socket", [AF.INET6, SOCK.STREAM, 0])).toBe("ERRNO(1)");
  });

  it("keeps a long deny list in range (inline returns, no far jumps)", () => {
    const spec: SeccompSpec = { ...platform, denySyscalls: Object.keys(SYSCALLS_X86_64).filter((s) => s !== "execve") };
    expect(x64(spec, "kill")).toBe("ERRNO(1)");
    expect(x64(spec, "execve")).toBe("ALLOW");
  });

  it("rejects an unsupported architecture, an unknown syscall and another errno", () => {
    expect(() => compileSeccomp(platform, "riscv64")).toThrow(/unsupported architecture "riscv64" \(supported: x64, arm64\)/);
    expect(() => compileSeccomp({ ...platform, denySyscalls: ["not_a_syscall"] }, "x64")).toThrow(/unknown syscall "not_a_syscall" for x64/);
    expect(() => compileSeccomp({ ...platform, denySyscalls: ["toString"] }, "x64")).toThrow(/unknown syscall "toString"/);
    expect(() => compileSeccomp({ ...platform, errno: "EACCES" as "EPERM" }, "x64")).toThrow(/errno must be "EPERM"/);
  });

  it("argument rules: skips calls an architecture lacks, rejects dispatched calls and bad indexes", () => {
    const rule = (r: object): SeccompSpec => ({ denySyscalls: [], errno: "EPERM", denyArgs: [r as never] });
    const arm = (spec: SeccompSpec, sys: string, args: number[]) => action(runFilter(compileSeccomp(spec, "arm64"), { nr: SYSCALLS_AARCH64[sys]!, arch: AUDIT_ARCH_AARCH64, args }));
    expect(arm(rule({ syscall: "chmod", arg: 1, anyBits: 0o4000 }), "fchmod", [3, 0o4755])).toBe("ALLOW");
    expect(() => compileSeccomp(rule({ syscall: "nope", arg: 1, anyBits: 1 }), "x64")).toThrow(/unknown syscall "nope"/);
    expect(() => compileSeccomp(rule({ syscall: "socket", arg: 1, anyBits: 1 }), "x64")).toThrow(/no argument rule possible for socket/);
    expect(() => compileSeccomp(rule({ syscall: "sendto", arg: 6, anyBits: 1 }), "x64")).toThrow(/arg 0..5/);
    expect(() => compileSeccomp(rule({ syscall: "sendto", arg: 3, anyBits: 0 }), "x64")).toThrow(/anyBits/);
    expect(() => compileSeccomp(rule({ syscall: "openat", arg: 3, anyBits: 1, when: { arg: 9, anyBits: 1 } }), "x64")).toThrow(/"when"/);
    expect(() => compileSeccomp({ ...platform, denySyscalls: ["chmod"] }, "arm64")).not.toThrow();
  });

  it("seccompProgramFd refuses what is not a whole program", () => {
    expect(() => seccompProgramFd(Buffer.alloc(0))).toThrow(RangeError);
    expect(() => seccompProgramFd(Buffer.alloc(12))).toThrow(RangeError);
    expect(() => seccompProgramFd(Buffer.alloc(4097 * 8))).toThrow(RangeError);
  });
});
