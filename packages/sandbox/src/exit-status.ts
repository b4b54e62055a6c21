import { constants } from "node:os";

export const EXIT_TIMEOUT = 124;
export const EXIT_LAUNCH_FAILED = 125;

/** Shell convention: the child's code, or 128 + the signal number when it was killed. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal) return 128 + (constants.signals[signal] ?? 0);
  return 1;
}
