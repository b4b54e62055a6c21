// Per-architecture syscall numbers for the names seccomp specs may use.
// x86_64 from arch/x86/entry/syscalls/syscall_64.tbl, aarch64 from the
// asm-generic table (include/uapi/asm-generic/unistd.h). Curated, not complete:
// a name missing here is a compile error, never a silently skipped rule.
// To add one, add its number for every architecture.

export type SyscallTable = Readonly<Record<string, number>>;

const rows: ReadonlyArray<readonly [name: string, x86_64: number, aarch64: number]> = [
  ["acct", 163, 89],
  ["add_key", 248, 217],
  ["bind", 49, 200],
  ["bpf", 321, 280],
  ["chroot", 161, 51],
  ["clone", 56, 220],
  ["clone3", 435, 435],
  ["connect", 42, 203],
  ["delete_module", 176, 106],
  ["execve", 59, 221],
  ["execveat", 322, 281],
  ["finit_module", 313, 273],
  ["fsconfig", 431, 431],
  ["fsmount", 432, 432],
  ["fsopen", 430, 430],
  ["fspick", 433, 433],
  ["init_module", 175, 105],
  ["io_uring_enter", 426, 426],
  ["ioctl", 16, 29],
  ["io_uring_register", 427, 427],
  ["io_uring_setup", 425, 425],
  ["kexec_file_load", 320, 294],
  ["kexec_load", 246, 104],
  ["keyctl", 250, 219],
  ["kill", 62, 129],
  ["landlock_add_rule", 445, 445],
  ["landlock_create_ruleset", 444, 444],
  ["landlock_restrict_self", 446, 446],
  ["listen", 50, 201],
  ["memfd_create", 319, 279],
  ["mount", 165, 40],
  ["mount_setattr", 442, 442],
  ["move_mount", 429, 429],
  ["name_to_handle_at", 303, 264],
  ["open_by_handle_at", 304, 265],
  ["open_tree", 428, 428],
  ["perf_event_open", 298, 241],
  ["pidfd_getfd", 438, 438],
  ["pidfd_open", 434, 434],
  ["pivot_root", 155, 41],
  ["process_vm_readv", 310, 270],
  ["process_vm_writev", 311, 271],
  ["ptrace", 101, 117],
  ["reboot", 169, 142],
  ["request_key", 249, 218],
  ["seccomp", 317, 277],
  ["sendmsg", 46, 211],
  ["sendto", 44, 206],
  ["setns", 308, 268],
  ["socket", 41, 198],
  ["socketpair", 53, 199],
  ["swapoff", 168, 225],
  ["swapon", 167, 224],
  ["umount2", 166, 39],
  ["unshare", 272, 97],
  ["userfaultfd", 323, 282],
];

export const SYSCALLS_X86_64: SyscallTable = Object.freeze(Object.fromEntries(rows.map(([n, x]) => [n, x])));
export const SYSCALLS_AARCH64: SyscallTable = Object.freeze(Object.fromEntries(rows.map(([n, , a]) => [n, a])));
