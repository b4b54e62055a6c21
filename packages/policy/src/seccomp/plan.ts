// seccompPlan: which seccomp filter a run gets, and what the report says about
// it. Pure: the CLI gathers the facts (seccompAvailable(), process.arch, the
// negotiated Landlock ABI) and compiles the spec with @cordon/landlock-native.
import type { NetworkMode } from "../model.js";
import type { ReportItem } from "../report.js";
import {
  AF_INET,
  AF_INET6,
  AF_NETLINK,
  AF_UNIX,
  ALWAYS_DENIED,
  FASTOPEN_RULES,
  SECCOMP_ARCHES,
  SETID_ENOSYS,
  SETID_RULES,
  SYSV_IPC,
  TIOCLINUX,
  TIOCSTI,
  type SeccompSpecData,
} from "./spec.js";

export interface SeccompFacts {
  /** The Landlock ABI this run uses (0 = none); ABI 10+ handles UDP itself. */
  landlockAbi: number;
  /** The kernel can install seccomp filters (SECCOMP_MODE_FILTER with errno and kill_process). */
  seccomp: boolean;
  /** `process.arch`. */
  arch: string;
  /**
   * The command gets its own IPC namespace (namespace isolation): SysV IPC then only reaches the
   * sandbox's own objects and stays allowed. Absent or false: SysV IPC calls fail with EPERM.
   */
  ipcNamespace?: boolean;
}

/** What the spec needs besides the network mode and the Landlock ABI. */
export interface SeccompSpecOptions {
  /** socket(AF_UNIX) fails (below Landlock ABI 9, unless network.allowUnixSockets). */
  denyUnixSocket?: boolean;
  /** See SeccompFacts.ipcNamespace. */
  ipcNamespace?: boolean;
}

export interface SeccompPlan {
  /** null: no filter this run (the items say why). */
  spec: SeccompSpecData | null;
  items: ReportItem[];
}

const UDP_LANDLOCK_ABI = 10;
/** From this ABI on, Landlock's RESOLVE_UNIX confines connect() to pathname sockets by path. */
const RESOLVE_UNIX_ABI = 9;

/** The policy fields the seccomp plan reads. */
export interface SeccompPolicy {
  network: { mode: NetworkMode; allowUnixSockets?: boolean };
}

/** Below ABI 9 nothing but seccomp can keep a command from connecting to a socket it can name. */
function deniesUnixSockets(policy: SeccompPolicy, landlockAbi: number): boolean {
  return policy.network.allowUnixSockets !== true && landlockAbi < RESOLVE_UNIX_ABI;
}

/** Modes with a TCP rule: socket rules and no Fast Open. */
const hasTcpRule = (mode: NetworkMode) => mode === "platform" || mode === "none";

/** The spec for a network mode (platform and none also get socket and Fast Open rules). */
export function seccompSpecFor(mode: NetworkMode, landlockAbi: number, opts: SeccompSpecOptions | boolean = {}): SeccompSpecData {
  // A boolean is the older denyUnixSocket argument.
  const options: SeccompSpecOptions = typeof opts === "boolean" ? { denyUnixSocket: opts } : opts;
  const spec: SeccompSpecData = {
    denySyscalls: [...ALWAYS_DENIED, ...(options.ipcNamespace ? [] : SYSV_IPC)],
    denyIoctls: [TIOCSTI, TIOCLINUX],
    denyNewUserNamespaces: true,
    denyArgs: [...SETID_RULES, ...(hasTcpRule(mode) ? FASTOPEN_RULES : [])],
    enosysSyscalls: [...SETID_ENOSYS],
    errno: "EPERM",
  };
  if (options.denyUnixSocket) spec.denyUnixSocket = true;
  if (hasTcpRule(mode)) {
    spec.socket = {
      allowFamilies: [AF_UNIX, AF_INET, AF_INET6, AF_NETLINK],
      inet: { allowStreamTcpOnly: true, allowUdp: landlockAbi >= UDP_LANDLOCK_ABI },
      netlinkRouteOnly: true,
    };
  }
  return spec;
}

interface Protection {
  id: string;
  protection: string;
  requested: string;
  why: string;
}

function hardening(ipcNamespace: boolean): Protection[] {
  return [
    { id: "process.kernel-surface", protection: "kernel attack surface", requested: "no io_uring, bpf, perf_event_open or userfaultfd", why: "these calls fail with EPERM (io_uring would also bypass syscall filtering)" },
    { id: "process.ptrace", protection: "other processes", requested: "no ptrace or process_vm_readv/writev", why: "these calls fail with EPERM" },
    { id: "process.mounts-namespaces", protection: "mounts and namespaces", requested: "no mount API, pivot_root, setns or new user namespaces", why: "these calls fail with EPERM; clone3 fails with ENOSYS so libc falls back to clone, whose CLONE_NEWUSER is denied" },
    { id: "process.kernel-admin", protection: "kernel, keyrings and file handles", requested: "no kexec, modules, reboot, swap, keyctl or open_by_handle_at", why: "these calls fail with EPERM" },
    { id: "process.terminal-injection", protection: "terminal input injection", requested: "no typing into the terminal cordon was started from", why: "ioctl TIOCSTI and TIOCLINUX fail with EPERM on every fd, the inherited terminal included" },
    {
      id: "fs.setid-files",
      protection: "set-user-ID and set-group-ID files",
      requested: "no setuid/setgid file left behind for the user to run later",
      why: "chmod, fchmod, fchmodat(2), mkdir(at), mknod(at), creat and open(at) with O_CREAT or O_TMPFILE fail with EPERM when the mode has S_ISUID or S_ISGID (as systemd's RestrictSUIDSGID); openat2 fails with ENOSYS so libc falls back to openat",
    },
    ...(ipcNamespace
      ? []
      : [
          {
            id: "process.sysv-ipc",
            protection: "SysV IPC",
            requested: "no SysV shared memory, message queues or semaphores of processes outside",
            why: "shmget/shmat/shmctl, msgget/msgsnd/msgrcv/msgctl and semget/semop/semtimedop/semctl fail with EPERM (no IPC namespace in this mode; POSIX shared memory in /dev/shm is a file, governed by the filesystem rules)",
          },
        ]),
  ];
}

function unixSockets(policy: SeccompPolicy, landlockAbi: number): Protection[] {
  if (!deniesUnixSockets(policy, landlockAbi)) return [];
  return [
    {
      id: "net.unix-sockets",
      protection: "pathname UNIX sockets",
      requested: "no connect to UNIX sockets outside the sandbox (docker.sock, ssh-agent …)",
      why: `socket(AF_UNIX) fails with EPERM (socketpair still works): Landlock governs pathname sockets only from ABI 9 (this run: ABI ${landlockAbi}); network.allowUnixSockets: true lifts it`,
    },
  ];
}

function network(mode: NetworkMode, landlockAbi: number): Protection[] {
  if (!hasTcpRule(mode)) return [];
  const udpByLandlock = landlockAbi >= UDP_LANDLOCK_ABI;
  return [
    {
      id: "net.fastopen",
      protection: "TCP Fast Open",
      requested: "no TCP connect hidden in a send (TCP Fast Open)",
      why: "sendto, sendmsg and sendmmsg with MSG_FASTOPEN fail with EPERM: their implicit connect skips the connect() hook on kernels without the fix (landlock-lsm/linux#41); TCP_FASTOPEN_CONNECT + connect() goes through the hook",
    },
    {
      id: "net.udp",
      protection: "UDP",
      requested: mode === "none" ? "no UDP" : "no UDP (DNS goes through the proxy)",
      why: udpByLandlock
        ? `Landlock ABI ${landlockAbi} denies UDP by port; the seccomp filter leaves UDP sockets to it`
        : "socket(AF_INET/AF_INET6, SOCK_DGRAM) fails with EPERM, DNS over UDP included",
    },
    {
      id: "net.other-protocols",
      protection: "other protocols",
      requested: "TCP only: no MPTCP, SCTP, ICMP or raw sockets",
      why: "socket() with IPPROTO_MPTCP, IPPROTO_SCTP, SOCK_RAW or ICMP fails with EPERM (Landlock's TCP rules do not cover them)",
    },
    {
      id: "net.socket-families",
      protection: "socket families",
      requested: "only AF_UNIX, AF_INET, AF_INET6 and NETLINK_ROUTE sockets",
      why: "packet, vsock, bluetooth, alg, key and other netlink sockets fail with EPERM; NETLINK_ROUTE stays for glibc's getaddrinfo",
    },
  ];
}

/** The seccomp part of a run: the spec to compile (or null) and its report items. */
export function seccompPlan(policy: SeccompPolicy, facts: SeccompFacts): SeccompPlan {
  const mode = policy.network.mode;
  const net = network(mode, facts.landlockAbi);
  const networkIds = new Set(net.map((p) => p.id));
  const ipcNamespace = facts.ipcNamespace === true;
  const all = [...hardening(ipcNamespace), ...unixSockets(policy, facts.landlockAbi), ...net];
  const missing = !facts.seccomp
    ? "this kernel cannot install seccomp filters (needs CONFIG_SECCOMP_FILTER)"
    : !SECCOMP_ARCHES.includes(facts.arch)
      ? `no seccomp filter for architecture ${facts.arch} (cordon has syscall tables for ${SECCOMP_ARCHES.join(", ")})`
      : null;

  if (missing !== null) {
    const items = all.map((p): ReportItem => {
      if (p.id === "net.udp" && facts.landlockAbi >= UDP_LANDLOCK_ABI) {
        return { ...p, enforcedBy: "kernel", mechanism: `Landlock ABI ${facts.landlockAbi} UDP rights`, level: "full", why: "UDP sends and binds are denied by port", kind: "requested" };
      }
      const isNetwork = networkIds.has(p.id);
      return {
        ...p,
        enforcedBy: "nothing",
        level: "none",
        why: missing,
        hint: isNetwork ? "a cluster NetworkPolicy (tier 3) can block non-TCP egress" : "run on x86_64 or aarch64 Linux with seccomp enabled",
        // What the mode asks of the network is requested; syscall hardening is a reported gap.
        kind: isNetwork ? "requested" : "limitation",
      };
    });
    return { spec: null, items };
  }

  const items = all.map((p): ReportItem => {
    const viaLandlock = p.id === "net.udp" && facts.landlockAbi >= UDP_LANDLOCK_ABI;
    return {
      ...p,
      enforcedBy: "kernel",
      mechanism: viaLandlock ? `Landlock ABI ${facts.landlockAbi} UDP rights` : "seccomp",
      level: "full",
      kind: "requested",
    };
  });
  return { spec: seccompSpecFor(mode, facts.landlockAbi, { denyUnixSocket: deniesUnixSockets(policy, facts.landlockAbi), ipcNamespace }), items };
}
