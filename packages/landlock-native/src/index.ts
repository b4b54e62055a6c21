/**
 * @cordon/landlock-native: the kernel layer. Landlock ABI query, rulesets and
 * rules (through a Node-API addon), and the exec launcher that enforces a
 * ruleset in a child process. Kernel facts only; no policy.
 */
export { FS, NET, SCOPE, RESTRICT, FS_FILE_RIGHTS, NEWEST_KNOWN_ABI, abiMasks, type AbiMasks } from "./constants.js";
export { LandlockError, errnoName, type LandlockErrorDetails } from "./errors.js";
export { ABI_OVERRIDE_ENV } from "./override.js";
export { status, abi, errata, type LandlockStatus, type UnavailableReason } from "./status.js";
export { createRuleset, Ruleset, type RulesetSpec } from "./ruleset.js";
export {
  launcherPath,
  launcherArgs,
  parseLauncherStatus,
  LAUNCHER_EXIT,
  KILL_TREE_SIGNAL,
  type LauncherOptions,
  type LauncherStatus,
} from "./launcher.js";
export { removeTree } from "./remove-tree.js";
export * from "./seccomp/index.js";
