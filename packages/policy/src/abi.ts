/**
 * Landlock kernel constants (UAPI bit values) and the per-ABI capability table.
 * Kept here rather than imported from the native package: policy has no native dependency.
 */

export const FS_ACCESS = {
  EXECUTE: 1 << 0,
  WRITE_FILE: 1 << 1,
  READ_FILE: 1 << 2,
  READ_DIR: 1 << 3,
  REMOVE_DIR: 1 << 4,
  REMOVE_FILE: 1 << 5,
  MAKE_CHAR: 1 << 6,
  MAKE_DIR: 1 << 7,
  MAKE_REG: 1 << 8,
  MAKE_SOCK: 1 << 9,
  MAKE_FIFO: 1 << 10,
  MAKE_BLOCK: 1 << 11,
  MAKE_SYM: 1 << 12,
  REFER: 1 << 13,
  TRUNCATE: 1 << 14,
  IOCTL_DEV: 1 << 15,
  RESOLVE_UNIX: 1 << 16,
} as const;

export const NET_ACCESS = {
  BIND_TCP: 1 << 0,
  CONNECT_TCP: 1 << 1,
  BIND_UDP: 1 << 2,
  CONNECT_SEND_UDP: 1 << 3,
} as const;

export const SCOPES = {
  ABSTRACT_UNIX_SOCKET: 1 << 0,
  SIGNAL: 1 << 1,
} as const;

export const RESTRICT_SELF = {
  LOG_SAME_EXEC_OFF: 1 << 0,
  LOG_NEW_EXEC_ON: 1 << 1,
  LOG_SUBDOMAINS_OFF: 1 << 2,
  TSYNC: 1 << 3,
  NO_NEW_PRIVS: 1 << 4,
} as const;

/** The only rights a rule on a non-directory may carry (still limited to the ABI). */
export const FS_FILE_RIGHTS =
  FS_ACCESS.EXECUTE | FS_ACCESS.WRITE_FILE | FS_ACCESS.READ_FILE | FS_ACCESS.TRUNCATE | FS_ACCESS.IOCTL_DEV | FS_ACCESS.RESOLVE_UNIX;

export interface AbiCapabilities {
  abi: number;
  linux: string;
  fs: number;
  net: number;
  scoped: number;
  restrictFlags: number;
  addRuleFlags: number;
  attrSize: number;
}

/** Index = ABI number. Entry 0 = no Landlock. */
export const LANDLOCK_ABI: readonly AbiCapabilities[] = [
  { abi: 0, linux: "-", fs: 0, net: 0, scoped: 0, restrictFlags: 0, addRuleFlags: 0, attrSize: 0 },
  { abi: 1, linux: "5.13", fs: 0x1fff, net: 0, scoped: 0, restrictFlags: 0, addRuleFlags: 0, attrSize: 8 },
  { abi: 2, linux: "5.19", fs: 0x3fff, net: 0, scoped: 0, restrictFlags: 0, addRuleFlags: 0, attrSize: 8 },
  { abi: 3, linux: "6.2", fs: 0x7fff, net: 0, scoped: 0, restrictFlags: 0, addRuleFlags: 0, attrSize: 8 },
  { abi: 4, linux: "6.7", fs: 0x7fff, net: 0x3, scoped: 0, restrictFlags: 0, addRuleFlags: 0, attrSize: 16 },
  { abi: 5, linux: "6.10", fs: 0xffff, net: 0x3, scoped: 0, restrictFlags: 0, addRuleFlags: 0, attrSize: 16 },
  { abi: 6, linux: "6.12", fs: 0xffff, net: 0x3, scoped: 0x3, restrictFlags: 0, addRuleFlags: 0, attrSize: 24 },
  { abi: 7, linux: "6.15", fs: 0xffff, net: 0x3, scoped: 0x3, restrictFlags: 0x7, addRuleFlags: 0, attrSize: 24 },
  { abi: 8, linux: "7.0", fs: 0xffff, net: 0x3, scoped: 0x3, restrictFlags: 0xf, addRuleFlags: 0, attrSize: 24 },
  { abi: 9, linux: "7.1", fs: 0x1ffff, net: 0x3, scoped: 0x3, restrictFlags: 0xf, addRuleFlags: 0, attrSize: 24 },
  { abi: 10, linux: "7.2", fs: 0x1ffff, net: 0xf, scoped: 0x3, restrictFlags: 0xf, addRuleFlags: 0x1, attrSize: 48 },
  { abi: 11, linux: "unreleased", fs: 0x1ffff, net: 0xf, scoped: 0x3, restrictFlags: 0x1f, addRuleFlags: 0x1, attrSize: 48 },
];

export const LATEST_KNOWN_ABI = LANDLOCK_ABI.length - 1;

/** Capabilities for a kernel ABI; an ABI newer than cordon knows is treated as the newest known. */
export function abiCapabilities(kernelAbi: number): AbiCapabilities {
  const abi = Number.isInteger(kernelAbi) && kernelAbi > 0 ? Math.min(kernelAbi, LATEST_KNOWN_ABI) : 0;
  return LANDLOCK_ABI[abi]!;
}

/** The first ABI that has every bit of `mask` in the given field. */
export function firstAbiWith(field: "fs" | "net" | "scoped" | "restrictFlags", mask: number): number {
  for (const caps of LANDLOCK_ABI) if (caps.abi > 0 && (caps[field] & mask) === mask) return caps.abi;
  return Infinity;
}

/** "ABI 4 (Linux 6.7)" */
export function describeAbi(abi: number): string {
  const caps = LANDLOCK_ABI[abi];
  if (caps === undefined || abi === 0) return `ABI ${abi}`;
  return caps.linux === "unreleased" ? `ABI ${abi} (not yet in a released kernel)` : `ABI ${abi} (Linux ${caps.linux})`;
}
