import { constants } from "node:os";
import { binding } from "./binding.js";

/** Where and why a Landlock operation failed. */
export interface LandlockErrorDetails {
  /** The system call (or step) that failed, e.g. `landlock_add_rule`, `open`. */
  syscall: string;
  path?: string;
  port?: number;
  /** The caller's name for the rule, e.g. `read_only`. */
  label?: string;
  /** Extra context appended to the message. */
  hint?: string;
}

// Linux gives some numbers two names; prefer the ones the kernel docs use.
const PREFERRED = new Set(["EOPNOTSUPP", "EAGAIN", "EDEADLK"]);
const NAMES = new Map<number, string>();
for (const [name, num] of Object.entries(constants.errno)) {
  if (!NAMES.has(num) || PREFERRED.has(name)) NAMES.set(num, name);
}

/** The symbolic name of an errno number, e.g. 13 → `EACCES`. */
export function errnoName(errno: number): string {
  return NAMES.get(errno) ?? `E${errno}`;
}

/** The number of an errno name, e.g. `EINVAL` → 22. */
export function errnoNumber(code: string): number {
  const n = (constants.errno as Record<string, number>)[code];
  if (n === undefined) throw new RangeError(`unknown errno name ${code}`);
  return n;
}

function describe(errno: number): string {
  const text = binding.strerror(errno);
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * Every failure of this package. `code` is the errno name the kernel (or an
 * emulated older kernel) returned, `errno` its number.
 * Message: `ENOENT: /opt/missing (read_only rule): no such file or directory`.
 */
export class LandlockError extends Error {
  override readonly name = "LandlockError";
  readonly code: string;
  readonly errno: number;
  readonly syscall: string;
  readonly path?: string;
  readonly port?: number;
  readonly label?: string;

  constructor(errno: number, details: LandlockErrorDetails) {
    const code = errnoName(errno);
    const subject = details.path ?? (details.port !== undefined ? `port ${details.port}` : details.syscall);
    const label = details.label !== undefined ? ` (${details.label} rule)` : "";
    const hint = details.hint !== undefined ? ` (${details.hint})` : "";
    super(`${code}: ${subject}${label}: ${describe(errno)}${hint}`);
    this.code = code;
    this.errno = errno;
    this.syscall = details.syscall;
    if (details.path !== undefined) this.path = details.path;
    if (details.port !== undefined) this.port = details.port;
    if (details.label !== undefined) this.label = details.label;
  }

  /** A failure with a given errno name (used for argument checks and emulation). */
  static of(code: string, details: LandlockErrorDetails): LandlockError {
    return new LandlockError(errnoNumber(code), details);
  }
}
