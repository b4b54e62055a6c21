// SeccompSpec → BPF program (raw sock_filter array). Layout:
//   arch check (foreign ABI → KILL_PROCESS) → x32 check (x86_64) → deny list →
//   ENOSYS list → dispatch socket/socketpair/ioctl/clone/unshare/clone3 and the
//   argument rules → ALLOW.
// Every denial returns SECCOMP_RET_ERRNO: programs see a failing call, never a kill.
import { seccompArch } from "./arch.js";
import { Assembler, BPF, SECCOMP_DATA, SECCOMP_RET } from "./bpf.js";
import { AF, CLONE_NEWUSER, IPPROTO, NETLINK_ROUTE, SOCK, type SeccompArgRule, type SeccompSocketRules, type SeccompSpec } from "./spec.js";

const ERRNO = { EPERM: 1, ENOSYS: 38 } as const;

/** The call's number, or null when this architecture has no such call; an unknown name is an error. */
function lookup(table: Readonly<Record<string, number | null>>, name: string, arch: string): number | null {
  const nr = Object.hasOwn(table, name) ? table[name] : undefined;
  if (nr === undefined) throw new RangeError(`seccomp: unknown syscall "${name}" for ${arch}`);
  return nr;
}

/** Calls the compiler dispatches itself: an argument rule on them would never be reached. */
const DISPATCHED = new Set(["socket", "socketpair", "ioctl", "clone", "unshare", "clone3"]);

function checkArgRule(r: SeccompArgRule): void {
  const bits = (n: unknown) => Number.isInteger(n) && (n as number) > 0 && (n as number) <= 0xffffffff;
  const arg = (n: unknown) => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 5;
  if (typeof r.syscall !== "string" || DISPATCHED.has(r.syscall)) throw new RangeError(`seccomp: no argument rule possible for ${String(r.syscall)}`);
  if (!arg(r.arg) || !bits(r.anyBits)) throw new RangeError(`seccomp: ${r.syscall}: argument rule needs arg 0..5 and anyBits 1..0xffffffff`);
  if (r.when && (!arg(r.when.arg) || !bits(r.when.anyBits))) throw new RangeError(`seccomp: ${r.syscall}: invalid "when" condition`);
}

function checkSpec(spec: SeccompSpec): void {
  if (spec.errno !== "EPERM") throw new RangeError(`seccomp: errno must be "EPERM", got ${String(spec.errno)}`);
  if (!Array.isArray(spec.denySyscalls)) throw new TypeError("seccomp: denySyscalls must be an array of names");
  for (const cmd of spec.denyIoctls ?? []) {
    if (!Number.isInteger(cmd) || cmd < 0 || cmd > 0xffffffff) throw new RangeError(`seccomp: invalid ioctl request ${String(cmd)}`);
  }
  for (const r of spec.denyArgs ?? []) checkArgRule(r);
  for (const f of spec.socket?.allowFamilies ?? []) {
    if (!Number.isInteger(f) || f < 0 || f > 0xffff) throw new RangeError(`seccomp: invalid address family ${String(f)}`);
  }
}

/** Emits the socket() rules; expects nothing loaded, ends in allow/deny jumps. */
function socketRules(a: Assembler, rules: SeccompSocketRules): void {
  const families = [...new Set(rules.allowFamilies)];
  a.stmt(BPF.LD_W_ABS, SECCOMP_DATA.argLow(0));
  for (const family of families) {
    const isInet = family === AF.INET || family === AF.INET6;
    const target = isInet && rules.inet ? "sock_inet" : family === AF.NETLINK && rules.netlinkRouteOnly ? "sock_netlink" : "allow";
    a.jump(BPF.JEQ_K, family, target, "next");
  }
  a.stmt(BPF.RET_K, SECCOMP_RET.ERRNO | ERRNO.EPERM);

  if (rules.inet && families.some((f) => f === AF.INET || f === AF.INET6)) {
    const { allowStreamTcpOnly, allowUdp } = rules.inet;
    a.label("sock_inet");
    a.stmt(BPF.LD_W_ABS, SECCOMP_DATA.argLow(1));
    a.stmt(BPF.ALU_AND_K, SOCK.TYPE_MASK); // ignore SOCK_NONBLOCK / SOCK_CLOEXEC
    a.jump(BPF.JEQ_K, SOCK.STREAM, allowStreamTcpOnly ? "sock_tcp" : "allow", "next");
    if (allowUdp) a.jump(BPF.JEQ_K, SOCK.DGRAM, "sock_udp", "next");
    a.stmt(BPF.RET_K, SECCOMP_RET.ERRNO | ERRNO.EPERM);
    if (allowStreamTcpOnly) protocolIn(a, "sock_tcp", [0, IPPROTO.TCP]);
    if (allowUdp) protocolIn(a, "sock_udp", [0, IPPROTO.UDP]);
  }
  if (rules.netlinkRouteOnly && families.includes(AF.NETLINK)) protocolIn(a, "sock_netlink", [NETLINK_ROUTE]);
}

/** label: allow when socket()'s protocol (arg 2) is one of `allowed`, else EPERM. */
function protocolIn(a: Assembler, label: string, allowed: number[]): void {
  a.label(label);
  a.stmt(BPF.LD_W_ABS, SECCOMP_DATA.argLow(2));
  for (const p of allowed) a.jump(BPF.JEQ_K, p, "allow", "next");
  a.stmt(BPF.RET_K, SECCOMP_RET.ERRNO | ERRNO.EPERM);
}

/**
 * Compiles `spec` for `arch` (a `process.arch` name) into a seccomp BPF program:
 * the raw `struct sock_filter` array the launcher loads (`bytes / 8` instructions).
 */
export function compileSeccomp(spec: SeccompSpec, arch: string = process.arch): Buffer {
  const target = seccompArch(arch);
  checkSpec(spec);
  const known = (name: string) => lookup(target.syscalls, name, arch);
  const nr = (name: string) => {
    const n = known(name);
    if (n === null) throw new RangeError(`seccomp: ${arch} has no syscall "${name}"`);
    return n;
  };
  const present = (names: readonly string[]) => [...new Set(names.map(known).filter((n): n is number => n !== null))];
  const deny = present(spec.denySyscalls);
  const enosys = present(spec.enosysSyscalls ?? []);
  // Argument rules grouped per call number; a call this architecture lacks has nothing to filter.
  const argRules = new Map<number, SeccompArgRule[]>();
  for (const r of spec.denyArgs ?? []) {
    const n = known(r.syscall);
    if (n === null) continue;
    argRules.set(n, [...(argRules.get(n) ?? []), r]);
  }
  const a = new Assembler();

  // A syscall made through another ABI has other numbers: never judge it by this table.
  a.stmt(BPF.LD_W_ABS, SECCOMP_DATA.arch);
  a.jump(BPF.JEQ_K, target.auditArch, "arch_ok", "next");
  a.stmt(BPF.RET_K, SECCOMP_RET.KILL_PROCESS);
  a.label("arch_ok");
  a.stmt(BPF.LD_W_ABS, SECCOMP_DATA.nr);
  if (target.x32Bit !== undefined) {
    a.jump(BPF.JGE_K, target.x32Bit, "next", "native_abi");
    a.stmt(BPF.RET_K, SECCOMP_RET.KILL_PROCESS);
    a.label("native_abi");
  }

  // Inline returns: the deny list may be long, and BPF jumps reach only 255 ahead.
  deny.forEach((n, i) => {
    a.jump(BPF.JEQ_K, n, "next", `deny_${i}_done`);
    a.stmt(BPF.RET_K, SECCOMP_RET.ERRNO | ERRNO.EPERM);
    a.label(`deny_${i}_done`);
  });
  enosys.forEach((n, i) => {
    a.jump(BPF.JEQ_K, n, "next", `enosys_${i}_done`);
    a.stmt(BPF.RET_K, SECCOMP_RET.ERRNO | ERRNO.ENOSYS);
    a.label(`enosys_${i}_done`);
  });
  for (const n of argRules.keys()) a.jump(BPF.JEQ_K, n, `args_${n}`, "next");
  if (spec.socket || spec.denyUnixSocket) a.jump(BPF.JEQ_K, nr("socket"), "socket", "next");
  if (spec.socket) a.jump(BPF.JEQ_K, nr("socketpair"), "socketpair", "next");
  const ioctls = [...new Set(spec.denyIoctls ?? [])];
  if (ioctls.length > 0) a.jump(BPF.JEQ_K, nr("ioctl"), "ioctl", "next");
  if (spec.denyNewUserNamespaces) {
    a.jump(BPF.JEQ_K, nr("clone"), "newuser", "next");
    a.jump(BPF.JEQ_K, nr("unshare"), "newuser", "next");
    // clone3 passes its flags in a struct seccomp cannot read: ENOSYS makes glibc fall back to clone.
    a.jump(BPF.JEQ_K, nr("clone3"), "next", "after_clone3");
    a.stmt(BPF.RET_K, SECCOMP_RET.ERRNO | ERRNO.ENOSYS);
    a.label("after_clone3");
  }
  a.stmt(BPF.RET_K, SECCOMP_RET.ALLOW);

  if (spec.socket) {
    a.label("socket");
    const families = spec.denyUnixSocket ? spec.socket.allowFamilies.filter((f) => f !== AF.UNIX) : spec.socket.allowFamilies;
    socketRules(a, { ...spec.socket, allowFamilies: families });
    a.label("socketpair");
    a.stmt(BPF.LD_W_ABS, SECCOMP_DATA.argLow(0));
    a.jump(BPF.JEQ_K, AF.UNIX, "allow", "next");
    a.stmt(BPF.RET_K, SECCOMP_RET.ERRNO | ERRNO.EPERM);
  } else if (spec.denyUnixSocket) {
    a.label("socket");
    a.stmt(BPF.LD_W_ABS, SECCOMP_DATA.argLow(0));
    a.jump(BPF.JEQ_K, AF.UNIX, "next", "allow");
    a.stmt(BPF.RET_K, SECCOMP_RET.ERRNO | ERRNO.EPERM);
  }
  if (ioctls.length > 0) {
    a.label("ioctl");
    a.stmt(BPF.LD_W_ABS, SECCOMP_DATA.argLow(1));
    ioctls.forEach((cmd, i) => {
      a.jump(BPF.JEQ_K, cmd, "next", `ioctl_${i}_done`);
      a.stmt(BPF.RET_K, SECCOMP_RET.ERRNO | ERRNO.EPERM);
      a.label(`ioctl_${i}_done`);
    });
    a.stmt(BPF.RET_K, SECCOMP_RET.ALLOW);
  }
  if (spec.denyNewUserNamespaces) {
    a.label("newuser");
    a.stmt(BPF.LD_W_ABS, SECCOMP_DATA.argLow(0));
    a.jump(BPF.JSET_K, CLONE_NEWUSER, "next", "allow");
    a.stmt(BPF.RET_K, SECCOMP_RET.ERRNO | ERRNO.EPERM);
  }
  for (const [n, rules] of argRules) {
    a.label(`args_${n}`);
    rules.forEach((r, i) => {
      const done = `args_${n}_${i}_done`;
      if (r.when) {
        a.stmt(BPF.LD_W_ABS, SECCOMP_DATA.argLow(r.when.arg));
        a.jump(BPF.JSET_K, r.when.anyBits, "next", done);
      }
      a.stmt(BPF.LD_W_ABS, SECCOMP_DATA.argLow(r.arg));
      a.jump(BPF.JSET_K, r.anyBits, "next", done);
      a.stmt(BPF.RET_K, SECCOMP_RET.ERRNO | ERRNO.EPERM);
      a.label(done);
    });
    a.stmt(BPF.RET_K, SECCOMP_RET.ALLOW);
  }
  a.label("allow");
  a.stmt(BPF.RET_K, SECCOMP_RET.ALLOW);
  return a.assemble();
}
