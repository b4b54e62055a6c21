/**
 * Landlock kernel facts as data (include/uapi/linux/landlock.h and the ABI
 * history of Documentation/userspace-api/landlock.rst). The one place they are
 * written down: @cordon/landlock-native passes them to the kernel and
 * @cordon/policy negotiates against them, and neither depends on the other.
 */

/** Filesystem access rights (`LANDLOCK_ACCESS_FS_*`). */
export const FS = {
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
  /** ABI 2: cross-directory rename and link. */
  REFER: 1 << 13,
  /** ABI 3: truncate(2), ftruncate(2), O_TRUNC. */
  TRUNCATE: 1 << 14,
  /** ABI 5: ioctl on character and block devices. */
  IOCTL_DEV: 1 << 15,
  /** ABI 9: connect/sendmsg on pathname UNIX sockets. */
  RESOLVE_UNIX: 1 << 16,
} as const;

/** Network access rights (`LANDLOCK_ACCESS_NET_*`); rules key on the port only. */
export const NET = {
  /** ABI 4. */
  BIND_TCP: 1 << 0,
  /** ABI 4. */
  CONNECT_TCP: 1 << 1,
  /** ABI 10. */
  BIND_UDP: 1 << 2,
  /** ABI 10. */
  CONNECT_SEND_UDP: 1 << 3,
} as const;

/** IPC scopes (`LANDLOCK_SCOPE_*`, ABI 6); they take no rules. */
export const SCOPE = {
  ABSTRACT_UNIX_SOCKET: 1 << 0,
  SIGNAL: 1 << 1,
} as const;

/** `landlock_restrict_self` flags (`LANDLOCK_RESTRICT_SELF_*`). */
export const RESTRICT = {
  /** ABI 7. */
  LOG_SAME_EXEC_OFF: 1 << 0,
  /** ABI 7. */
  LOG_NEW_EXEC_ON: 1 << 1,
  /** ABI 7. */
  LOG_SUBDOMAINS_OFF: 1 << 2,
  /** ABI 8: enforce on every thread of the process at once. */
  TSYNC: 1 << 3,
  /** ABI 11 (in development): set no_new_privs atomically. */
  NO_NEW_PRIVS: 1 << 4,
} as const;

/** The file-only rights: the only ones a rule on a non-directory may carry (before ABI masking). */
export const FS_FILE_RIGHTS = FS.EXECUTE | FS.WRITE_FILE | FS.READ_FILE | FS.TRUNCATE | FS.IOCTL_DEV | FS.RESOLVE_UNIX;

/** What a kernel of one Landlock ABI accepts. */
export interface AbiCapabilities {
  abi: number;
  /** The first Linux release with it ("-" for none, "unreleased" when not yet released). */
  linux: string;
  fs: number;
  net: number;
  scoped: number;
  restrictFlags: number;
  addRuleFlags: number;
  /** sizeof(struct landlock_ruleset_attr) at that ABI. */
  attrSize: number;
}

/** Index = ABI. Entry 0 = no Landlock. */
export const LANDLOCK_ABI: readonly AbiCapabilities[] = Object.freeze([
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
].map((c) => Object.freeze(c)));

/** The newest ABI whose facts are known here; a newer kernel is treated as this one. */
export const NEWEST_KNOWN_ABI = LANDLOCK_ABI.length - 1;

/** What a kernel of `abi` accepts; a non-positive or non-integer ABI is 0, a newer one the newest known. */
export function abiCapabilities(abi: number): AbiCapabilities {
  const known = Number.isInteger(abi) && abi > 0 ? Math.min(abi, NEWEST_KNOWN_ABI) : 0;
  return LANDLOCK_ABI[known]!;
}
