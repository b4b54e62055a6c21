import { LandlockError } from "./errors.js";

/** Name of the environment variable that caps the Landlock ABI cordon uses. */
export const ABI_OVERRIDE_ENV = "CORDON_LANDLOCK_ABI_MAX";

/**
 * The ABI cap from `CORDON_LANDLOCK_ABI_MAX`, read at every call (so tests and
 * the CLI can change it), or undefined when unset or empty.
 * @throws LandlockError (EINVAL) when the value is not a non-negative integer.
 */
export function abiOverride(): number | undefined {
  const text = process.env[ABI_OVERRIDE_ENV];
  if (text === undefined || text === "") return undefined;
  if (!/^\d{1,9}$/.test(text)) {
    throw LandlockError.of("EINVAL", {
      syscall: ABI_OVERRIDE_ENV,
      hint: `${ABI_OVERRIDE_ENV}='${text}' must be a non-negative integer ABI (0 disables Landlock)`,
    });
  }
  return Number(text);
}
