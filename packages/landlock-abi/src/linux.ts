/**
 * The Linux constants cordon's seccomp rules name (include/uapi: socket.h, in.h, fcntl.h,
 * stat.h, sched.h, ioctls.h). The same on x86_64 and aarch64, the architectures cordon
 * compiles filters for.
 */

/** Address families (`AF_*`). */
export const AF = { UNIX: 1, INET: 2, INET6: 10, KEY: 15, NETLINK: 16, PACKET: 17, BLUETOOTH: 31, ALG: 38, VSOCK: 40 } as const;
/** Socket types (`SOCK_*`); the low bits of socket()'s type argument. */
export const SOCK = { STREAM: 1, DGRAM: 2, RAW: 3, SEQPACKET: 5, TYPE_MASK: 0xf } as const;
/** IP protocols (`IPPROTO_*`). */
export const IPPROTO = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58, SCTP: 132, UDPLITE: 136, MPTCP: 262 } as const;
/** The netlink protocol of routing (what glibc's getaddrinfo and if_nameindex open). */
export const NETLINK_ROUTE = 0;
/** clone/unshare flag: a new user namespace. */
export const CLONE_NEWUSER = 0x10000000;

/** Terminal ioctls that type into a terminal's input queue (TIOCSTI) or act on a virtual console (TIOCLINUX). */
export const TIOCSTI = 0x5412;
export const TIOCLINUX = 0x541c;

/** send flag: TCP Fast Open's implicit connect. */
export const MSG_FASTOPEN = 0x20000000;
/** Mode bits: set-user-ID and set-group-ID. */
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
/** open flags. */
export const O_CREAT = 0o100;
/** __O_TMPFILE without O_DIRECTORY: an unnamed file created with the given mode, linkable later. */
export const O_TMPFILE_BIT = 0o20000000;

/** The architectures cordon has syscall tables for (`process.arch` names). */
export const SECCOMP_ARCHES: readonly string[] = ["x64", "arm64"];
