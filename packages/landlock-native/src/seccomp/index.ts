/** Seccomp: a declarative spec compiled to BPF, loaded by the launcher after Landlock. */
export { compileSeccomp } from "./compile.js";
export {
  AF,
  SOCK,
  IPPROTO,
  NETLINK_ROUTE,
  CLONE_NEWUSER,
  type SeccompSpec,
  type SeccompSocketRules,
  type SeccompArgRule,
} from "./spec.js";
export { seccompArch, SUPPORTED_ARCHES, AUDIT_ARCH_X86_64, AUDIT_ARCH_AARCH64, X32_SYSCALL_BIT, type SeccompArch } from "./arch.js";
export { SYSCALLS_X86_64, SYSCALLS_AARCH64, type SyscallTable } from "./syscalls.js";
export { BPF, SECCOMP_RET, SECCOMP_DATA, BPF_MAXINSNS, SOCK_FILTER_SIZE } from "./bpf.js";
export { seccompProgramFd } from "./fd.js";
export { seccompAvailable } from "./available.js";
