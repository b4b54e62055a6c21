import { constants } from "node:os";

// Linux gives some numbers two names; prefer the ones the kernel docs use.
const PREFERRED = new Set(["EOPNOTSUPP", "EAGAIN", "EDEADLK"]);
const NAMES = new Map<number, string>();
for (const [name, num] of Object.entries(constants.errno)) {
  if (!NAMES.has(num) || PREFERRED.has(name)) NAMES.set(num, name);
}

/** The symbolic name of an errno number, e.g. 24 → `EMFILE`. */
export function errnoName(errno: number): string {
  return NAMES.get(errno) ?? `E${errno}`;
}

/** A relay that could not be set up (EMFILE, EBADF, ...): `code` is the errno name. */
export class SpliceRelayError extends Error {
  readonly errno: number;
  readonly code: string;

  constructor(errno: number) {
    const code = errnoName(errno);
    super(`spliceRelay failed: ${code}`);
    this.name = "SpliceRelayError";
    this.errno = errno;
    this.code = code;
  }
}
