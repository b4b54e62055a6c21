import { FS_ACCESS } from "./abi.js";
import type { PathAccess } from "./model.js";

/** Every filesystem right cordon knows (through ABI 9). */
export const FS_ALL = Object.values(FS_ACCESS).reduce((a, b) => a | b, 0);

/**
 * What each path kind grants, before masking to the kernel's ABI:
 * - readOnly: read files, list directories;
 * - exec: readOnly + execute;
 * - readWrite: every right except EXECUTE (so a writable directory cannot be used to drop and
 *   run a binary), including REFER (rename/link within writable trees), TRUNCATE, IOCTL_DEV
 *   (terminals under /dev/pts) and RESOLVE_UNIX (connect to sockets inside writable trees).
 */
export const ACCESS_RIGHTS: Record<PathAccess, number> = {
  readOnly: FS_ACCESS.READ_FILE | FS_ACCESS.READ_DIR,
  exec: FS_ACCESS.EXECUTE | FS_ACCESS.READ_FILE | FS_ACCESS.READ_DIR,
  readWrite: FS_ALL & ~FS_ACCESS.EXECUTE,
};
