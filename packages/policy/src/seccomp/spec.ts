// The seccomp spec as data. @cordon/landlock-native's compileSeccomp accepts
// this same shape (structural typing); policy never imports the native package.

/** Kernel constants the socket rules name (the same on x86_64 and aarch64). */
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;

/** Same shape as @cordon/landlock-native's SeccompArgRule. */
export interface SeccompArgRuleData {
  syscall: string;
  arg: number;
  anyBits: number;
  when?: { arg: number; anyBits: number };
}

export interface SeccompSpecData {
  /** Syscall names; the native compiler looks them up per architecture. */
  denySyscalls: string[];
  /** socket() rules; socketpair() is then AF_UNIX only. */
  socket?: {
    allowFamilies: number[];
    inet?: { allowStreamTcpOnly: boolean; allowUdp: boolean };
    netlinkRouteOnly?: boolean;
  };
  /** socket(AF_UNIX) → EPERM whatever `socket` says; socketpair() still works. */
  denyUnixSocket?: boolean;
  /** ioctl() requests that fail with EPERM on any fd. */
  denyIoctls?: number[];
  /** A call fails with EPERM when an argument has one of the bits set (see SeccompArgRuleData). */
  denyArgs?: SeccompArgRuleData[];
  /** Calls that fail with ENOSYS so libc falls back to a filterable one (openat2 → openat). */
  enosysSyscalls?: string[];
  /** clone/unshare with CLONE_NEWUSER → EPERM; clone3 → ENOSYS. */
  denyNewUserNamespaces?: boolean;
  errno: "EPERM";
}

/**
 * Terminal ioctls that act on someone else's input or screen: TIOCSTI types into the terminal's
 * input queue (the shell that started cordon), TIOCLINUX can do the same on a virtual console.
 * Landlock's IOCTL_DEV binds at open time, so a terminal inherited on stdin keeps them.
 */
export const TIOCSTI = 0x5412;
export const TIOCLINUX = 0x541c;

/** The architectures the native compiler ships syscall tables for (`process.arch` names). */
export const SECCOMP_ARCHES: readonly string[] = ["x64", "arm64"];

/** Denied in every network mode. Same list as @cordon/landlock-native's ALWAYS_DENIED_SYSCALLS (test-e2e/escape compares both). */
export const ALWAYS_DENIED: readonly string[] = [
  "io_uring_setup", "io_uring_enter", "io_uring_register",
  "ptrace", "process_vm_readv", "process_vm_writev",
  "bpf", "perf_event_open", "userfaultfd",
  "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot", "swapon", "swapoff",
  "mount", "umount2", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr", "pivot_root", "setns",
  "keyctl", "add_key", "request_key",
  "open_by_handle_at",
];

/** send flags, open flags and mode bits (the same on x86_64 and aarch64). */
export const MSG_FASTOPEN = 0x20000000;
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const O_CREAT = 0o100;
/** __O_TMPFILE without O_DIRECTORY: an unnamed file created with the given mode, linkable later. */
export const O_TMPFILE_BIT = 0o20000000;

/**
 * TCP Fast Open's implicit connect: sendto/sendmsg/sendmmsg with MSG_FASTOPEN connect an
 * unconnected TCP socket without the connect() LSM hook on kernels without the fix
 * (landlock-lsm/linux issue 41). The flags are a register argument in all three.
 */
export const FASTOPEN_RULES: readonly SeccompArgRuleData[] = [
  { syscall: "sendto", arg: 3, anyBits: MSG_FASTOPEN },
  { syscall: "sendmsg", arg: 2, anyBits: MSG_FASTOPEN },
  { syscall: "sendmmsg", arg: 3, anyBits: MSG_FASTOPEN },
];

const SETID = S_ISUID | S_ISGID;
const CREATES = O_CREAT | O_TMPFILE_BIT;
/**
 * No set-user-ID or set-group-ID file (systemd's RestrictSUIDSGID list, plus O_TMPFILE): every call
 * that sets a file mode. openat2 keeps its flags in a struct: it fails with ENOSYS (SETID_ENOSYS)
 * and libc falls back to openat. Calls an architecture lacks (chmod, open … on aarch64) are skipped.
 */
export const SETID_RULES: readonly SeccompArgRuleData[] = [
  { syscall: "chmod", arg: 1, anyBits: SETID },
  { syscall: "fchmod", arg: 1, anyBits: SETID },
  { syscall: "fchmodat", arg: 2, anyBits: SETID },
  { syscall: "fchmodat2", arg: 2, anyBits: SETID },
  { syscall: "mkdir", arg: 1, anyBits: SETID },
  { syscall: "mkdirat", arg: 2, anyBits: SETID },
  { syscall: "mknod", arg: 1, anyBits: SETID },
  { syscall: "mknodat", arg: 2, anyBits: SETID },
  { syscall: "creat", arg: 1, anyBits: SETID },
  { syscall: "open", arg: 2, anyBits: SETID, when: { arg: 1, anyBits: CREATES } },
  { syscall: "openat", arg: 3, anyBits: SETID, when: { arg: 2, anyBits: CREATES } },
];
export const SETID_ENOSYS: readonly string[] = ["openat2"];

/**
 * SysV IPC: without an IPC namespace these reach the host's segments, queues and semaphores.
 * x86_64 and aarch64 have no ipc() multiplexer (i386's is behind the architecture check, which
 * kills). shmdt stays: it only detaches what shmat attached. POSIX message queues need no rule:
 * Landlock denies mq_open (the mqueue mount is outside every rule).
 */
export const SYSV_IPC: readonly string[] = [
  "shmget", "shmat", "shmctl",
  "msgget", "msgsnd", "msgrcv", "msgctl",
  "semget", "semop", "semtimedop", "semctl",
];
