// The seccomp spec as data. @cordon/landlock-native's compileSeccomp accepts
// this same shape (structural typing); policy never imports the native package.

/** Kernel constants the socket rules name (the same on x86_64 and aarch64). */
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;

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
