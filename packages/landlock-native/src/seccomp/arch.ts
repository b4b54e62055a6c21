// The architectures a filter can be compiled for. The filter's first check is
// seccomp_data.arch: a syscall made through another ABI (i386 int 0x80 on
// x86_64, x32, compat arm32) has different numbers, so it must never reach the
// number checks written for this one.
import { SYSCALLS_AARCH64, SYSCALLS_X86_64, type SyscallTable } from "./syscalls.js";

export interface SeccompArch {
  /** `process.arch` name. */
  node: string;
  /** AUDIT_ARCH_* value compared against seccomp_data.arch. */
  auditArch: number;
  /** x86_64 only: syscall numbers with __X32_SYSCALL_BIT are the x32 ABI. */
  x32Bit?: number;
  syscalls: SyscallTable;
}

// AUDIT_ARCH_* = EM_* | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE (linux/audit.h).
const AUDIT_ARCH_64BIT = 0x80000000;
const AUDIT_ARCH_LE = 0x40000000;
export const AUDIT_ARCH_X86_64 = (62 | AUDIT_ARCH_64BIT | AUDIT_ARCH_LE) >>> 0; // 0xc000003e
export const AUDIT_ARCH_AARCH64 = (183 | AUDIT_ARCH_64BIT | AUDIT_ARCH_LE) >>> 0; // 0xc00000b7
export const X32_SYSCALL_BIT = 0x40000000;

const ARCHES: Readonly<Record<string, SeccompArch>> = {
  x64: { node: "x64", auditArch: AUDIT_ARCH_X86_64, x32Bit: X32_SYSCALL_BIT, syscalls: SYSCALLS_X86_64 },
  arm64: { node: "arm64", auditArch: AUDIT_ARCH_AARCH64, syscalls: SYSCALLS_AARCH64 },
};

export const SUPPORTED_ARCHES: readonly string[] = Object.keys(ARCHES);

/** The architecture description for a `process.arch` name; a clear error for any other. */
export function seccompArch(arch: string): SeccompArch {
  const a = ARCHES[arch];
  if (a === undefined) {
    throw new RangeError(`seccomp: unsupported architecture "${arch}" (supported: ${SUPPORTED_ARCHES.join(", ")})`);
  }
  return a;
}
