// What cordon's seccomp filter denies: policy decisions, written against the spec shape and the
// Linux constants of @cordon/landlock-abi (which @cordon/landlock-native's compileSeccomp compiles).
import { AF, MSG_FASTOPEN, O_CREAT, O_TMPFILE_BIT, S_ISGID, S_ISUID, type SeccompArgRule, type SeccompSpec } from "@cordon/landlock-abi";

export { SECCOMP_ARCHES, TIOCSTI, TIOCLINUX, MSG_FASTOPEN, S_ISUID, S_ISGID, O_CREAT, O_TMPFILE_BIT } from "@cordon/landlock-abi";

/** The spec this package builds (the shape compileSeccomp takes). */
export type SeccompSpecData = SeccompSpec;
export type SeccompArgRuleData = SeccompArgRule;

/** The address families the socket rules name. */
export const AF_UNIX = AF.UNIX;
export const AF_INET = AF.INET;
export const AF_INET6 = AF.INET6;
export const AF_NETLINK = AF.NETLINK;

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
