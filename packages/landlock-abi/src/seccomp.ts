/**
 * The declarative seccomp spec: the one shape between the decision and the mechanism.
 * @cordon/policy decides what to deny and builds it; @cordon/landlock-native's
 * compileSeccomp turns it into BPF. Neither imports the other.
 */

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

/**
 * A call that fails with EPERM when one of its register arguments has any of `anyBits` set (the
 * low 32 bits, as the kernel reads int, unsigned int and umode_t), optionally only when another
 * argument also has one of its bits set. Pointer contents (structs) cannot be read by seccomp.
 */
export interface SeccompArgRule {
  /** A syscall name; one this architecture does not have (null in its table) is skipped. */
  syscall: string;
  /** Argument index, 0..5. */
  arg: number;
  anyBits: number;
  /** Only when this argument also has one of these bits set (e.g. openat's O_CREAT). */
  when?: { arg: number; anyBits: number };
}

export interface SeccompSpec {
  /** Syscall names, looked up in the per-architecture tables; unknown names are an error. */
  denySyscalls: string[];
  /** socket() rules; socketpair() is then AF_UNIX only. Absent: sockets unfiltered. */
  socket?: SeccompSocketRules;
  /**
   * socket(AF_UNIX) fails, whatever `socket` says; socketpair() still works. Below Landlock ABI 9
   * nothing else can stop connect() to a pathname socket the sandbox can name (docker.sock, ssh-agent).
   */
  denyUnixSocket?: boolean;
  /**
   * ioctl() requests (the low 32 bits of arg 1) that fail with EPERM on any fd, e.g. TIOCSTI:
   * fds inherited from before the sandbox (a terminal on stdin) keep every ioctl Landlock would deny.
   */
  denyIoctls?: number[];
  /** Argument rules (MSG_FASTOPEN in send flags, S_ISUID in a chmod mode …). */
  denyArgs?: SeccompArgRule[];
  /**
   * Calls that fail with ENOSYS, for calls whose arguments sit in a struct seccomp cannot read and
   * that have an older, filterable equivalent libc falls back to (openat2 → openat).
   * Names this architecture does not have are skipped.
   */
  enosysSyscalls?: string[];
  /** clone/unshare with CLONE_NEWUSER fail; clone3 fails with ENOSYS so libc falls back to clone. */
  denyNewUserNamespaces?: boolean;
  /** Denied calls fail with this errno; nothing is killed (except a foreign syscall ABI). */
  errno: "EPERM";
}
