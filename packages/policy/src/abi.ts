/**
 * Landlock kernel facts, from @cordon/landlock-abi (shared with the native
 * layer), under the names this package has always exported, plus the helpers
 * negotiation needs.
 */
import { LANDLOCK_ABI } from "@cordon/landlock-abi";

export {
  FS as FS_ACCESS,
  NET as NET_ACCESS,
  SCOPE as SCOPES,
  RESTRICT as RESTRICT_SELF,
  FS_FILE_RIGHTS,
  LANDLOCK_ABI,
  NEWEST_KNOWN_ABI as LATEST_KNOWN_ABI,
  abiCapabilities,
  type AbiCapabilities,
} from "@cordon/landlock-abi";

/** "ABI 4 (Linux 6.7)" */
export function describeAbi(abi: number): string {
  const caps = LANDLOCK_ABI[abi];
  if (caps === undefined || abi === 0) return `ABI ${abi}`;
  return caps.linux === "unreleased" ? `ABI ${abi} (not yet in a released kernel)` : `ABI ${abi} (Linux ${caps.linux})`;
}
