// The declarative seccomp spec and the specs cordon uses. Policy lives in
// @cordon/policy, which builds this same shape (structurally) without
// importing this package; compileSeccomp turns it into BPF.

/** Kernel constants the socket rules name (the same on x86_64 and aarch64). */
export const AF = { UNIX: 1, INET: 2, INET6: 10, KEY: 15, NETLINK: 16, PACKET: 17, BLUETOOTH: 31, ALG: 38, VSOCK: 40 } as const;
export const SOCK = { STREAM: 1, DGRAM: 2, RAW: 3, SEQPACKET: 5, TYPE_MASK: 0xf } as const;
export const IPPROTO = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58, SCTP: 132, UDPLITE: 136, MPTCP: 262 } as const;
export const NETLINK_ROUTE = 0;
export const CLONE_NEWUSER = 0x10000000;

export interface SeccompSocketRules {
  /** Families socket() may create; every other family fails. */
  allowFamilies: number[];
  /**
   * Type and protocol rules for AF_INET/AF_INET6 (when listed in allowFamilies).
   * Absent: any type. Present: SOCK_STREAM (only protocol 0 or IPPROTO_TCP when
   * allowStreamTcpOnly, so MPTCP and SCTP fail), SOCK_DGRAM with protocol 0 or
   * IPPROTO_UDP only when allowUdp, every other type (raw, ICMP, SCTP seqpacket) fails.
   */
  inet?: { allowStreamTcpOnly: boolean; allowUdp: boolean };
  /** AF_NETLINK (when listed) only with protocol NETLINK_ROUTE (glibc's getaddrinfo/if_nameindex). */
  netlinkRouteOnly?: boolean;
}

export interface SeccompSpec {
  /** Syscall names, looked up in the per-architecture tables; unknown names are an error. */
  denySyscalls: string[];
  /** socket() rules; socketpair() is then AF_UNIX only. Absent: sockets unfiltered. */
  socket?: SeccompSocketRules;
  /** clone/unshare with CLONE_NEWUSER fail; clone3 fails with ENOSYS so libc falls back to clone. */
  denyNewUserNamespaces?: boolean;
  /** Denied calls fail with this errno; nothing is killed (except a foreign syscall ABI). */
  errno: "EPERM";
}

export type SeccompNetworkMode = "platform" | "proxy" | "none" | "unrestricted";

export interface DefaultSeccompOptions {
  network: SeccompNetworkMode;
  /** Landlock ABI 10+ handles UDP itself: seccomp then leaves UDP sockets to it. */
  landlockHandlesUdp: boolean;
  allowUserNamespaces?: boolean;
}

/**
 * Denied in every mode: kernel attack surface the sandbox never needs, and the
 * calls that would let a program leave or widen its domain.
 */
export const ALWAYS_DENIED_SYSCALLS: readonly string[] = Object.freeze([
  // io_uring: a second syscall interface that seccomp cannot see into.
  "io_uring_setup", "io_uring_enter", "io_uring_register",
  // Other processes' memory.
  "ptrace", "process_vm_readv", "process_vm_writev",
  // Large kernel attack surface.
  "bpf", "perf_event_open", "userfaultfd",
  // The kernel itself.
  "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot", "swapon", "swapoff",
  // Mounts (old and new API) and namespaces.
  "mount", "umount2", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr", "pivot_root", "setns",
  // Kernel keyrings are shared with the user's session.
  "keyctl", "add_key", "request_key",
  // File handles bypass path lookup (the classic chroot escape; needs CAP_DAC_READ_SEARCH, which root has).
  "open_by_handle_at",
]);

/** The spec cordon applies for a network mode. */
export function defaultSeccompSpec(options: DefaultSeccompOptions): SeccompSpec {
  const spec: SeccompSpec = {
    denySyscalls: [...ALWAYS_DENIED_SYSCALLS],
    denyNewUserNamespaces: options.allowUserNamespaces !== true,
    errno: "EPERM",
  };
  if (options.network === "platform" || options.network === "none") {
    spec.socket = {
      allowFamilies: [AF.UNIX, AF.INET, AF.INET6, AF.NETLINK],
      inet: { allowStreamTcpOnly: true, allowUdp: options.landlockHandlesUdp },
      netlinkRouteOnly: true,
    };
  }
  return spec;
}
