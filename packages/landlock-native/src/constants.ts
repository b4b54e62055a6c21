/**
 * Landlock bit values and per-ABI masks (kernel facts, no policy). The facts
 * themselves live in @cordon/landlock-abi, shared with @cordon/policy.
 */
import { LANDLOCK_ABI, NEWEST_KNOWN_ABI } from "@cordon/landlock-abi";

export { FS, NET, SCOPE, RESTRICT, FS_FILE_RIGHTS, NEWEST_KNOWN_ABI } from "@cordon/landlock-abi";

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

/**
 * The rights, scopes and restrict flags a kernel of `abi` accepts.
 * ABI 0 (no Landlock) accepts nothing; an ABI above the newest known one is
 * treated as the newest known.
 */
export function abiMasks(abi: number): AbiMasks {
  if (!Number.isInteger(abi) || abi < 0) throw new RangeError(`abiMasks: ABI must be a non-negative integer, got ${String(abi)}`);
  const { fs, net, scoped, restrictFlags } = LANDLOCK_ABI[Math.min(abi, NEWEST_KNOWN_ABI)]!;
  return { fs, net, scoped, restrictFlags };
}
