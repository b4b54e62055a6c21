/**
 * Landlock bit values and per-ABI capability masks (kernel facts, no policy).
 * Source: include/uapi/linux/landlock.h; table in docs of this package.
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
} as const;

/** The file-only rights: the only ones a rule on a non-directory may carry (before ABI masking). */
export const FS_FILE_RIGHTS = FS.EXECUTE | FS.WRITE_FILE | FS.READ_FILE | FS.TRUNCATE | FS.IOCTL_DEV | FS.RESOLVE_UNIX;

/** The newest ABI whose facts this package knows; a newer kernel is treated as this one. */
export const NEWEST_KNOWN_ABI = 11;

/** What a kernel of one ABI accepts. */
export interface AbiMasks {
  /** Handled/allowed filesystem rights. */
  fs: number;
  /** Handled/allowed network rights (0 before ABI 4). */
  net: number;
  /** Scopes (0 before ABI 6). */
  scoped: number;
  /** restrict_self flags (0 before ABI 7). */
  restrictFlags: number;
}

// Index = ABI. Derived from the ABI table in landlock.md section 1.
const MASKS: readonly AbiMasks[] = [
  { fs: 0, net: 0, scoped: 0, restrictFlags: 0 },
  { fs: 0x1fff, net: 0, scoped: 0, restrictFlags: 0 },
  { fs: 0x3fff, net: 0, scoped: 0, restrictFlags: 0 },
  { fs: 0x7fff, net: 0, scoped: 0, restrictFlags: 0 },
  { fs: 0x7fff, net: 0x3, scoped: 0, restrictFlags: 0 },
  { fs: 0xffff, net: 0x3, scoped: 0, restrictFlags: 0 },
  { fs: 0xffff, net: 0x3, scoped: 0x3, restrictFlags: 0 },
  { fs: 0xffff, net: 0x3, scoped: 0x3, restrictFlags: 0x7 },
  { fs: 0xffff, net: 0x3, scoped: 0x3, restrictFlags: 0xf },
  { fs: 0x1ffff, net: 0x3, scoped: 0x3, restrictFlags: 0xf },
  { fs: 0x1ffff, net: 0xf, scoped: 0x3, restrictFlags: 0xf },
  { fs: 0x1ffff, net: 0xf, scoped: 0x3, restrictFlags: 0x1f },
];

/**
 * The rights, scopes and restrict flags a kernel of `abi` accepts.
 * ABI 0 (no Landlock) accepts nothing; an ABI above the newest known one is
 * treated as the newest known.
 */
export function abiMasks(abi: number): AbiMasks {
  if (!Number.isInteger(abi) || abi < 0) throw new RangeError(`abiMasks: ABI must be a non-negative integer, got ${String(abi)}`);
  const masks = MASKS[Math.min(abi, NEWEST_KNOWN_ABI)];
  if (masks === undefined) throw new RangeError(`abiMasks: no masks for ABI ${abi}`);
  return { ...masks };
}
