import { binding, CREATE_RULESET_ERRATA, CREATE_RULESET_VERSION } from "./binding.js";
import { errnoName } from "./errors.js";
import { ABI_OVERRIDE_ENV, abiOverride } from "./override.js";

/** Why Landlock is unavailable. */
export interface UnavailableReason {
  /** `ENOSYS`, `EOPNOTSUPP`, `EPERM` (or another errno name), or `OVERRIDE`. */
  code: string;
  message: string;
}

export interface LandlockStatus {
  /** True when rulesets can be created and enforced (abi > 0). */
  available: boolean;
  /** The ABI cordon uses: the kernel's, capped by the override. 0 = none. */
  abi: number;
  /** What the kernel itself reports (0 when Landlock is unavailable). */
  kernelAbi: number;
  /** Fixed errata bitmask: bit N-1 set means erratum N is fixed (0 on kernels without the query). */
  errata: number;
  /** The value of CORDON_LANDLOCK_ABI_MAX, when set. */
  override?: number;
  /** Set when `available` is false. */
  reason?: UnavailableReason;
}

const KERNEL_REASONS: Record<string, string> = {
  ENOSYS: "the kernel was built without Landlock (CONFIG_SECURITY_LANDLOCK)",
  EOPNOTSUPP: "Landlock is built into the kernel but not enabled at boot (add landlock to the lsm= boot parameter)",
  EPERM: "the Landlock system calls are blocked by a seccomp filter (typical inside a container)",
};

/** Why the kernel's VERSION query failed with `errno`. */
export function unavailableReason(errno: number): UnavailableReason {
  const code = errnoName(errno);
  return { code, message: KERNEL_REASONS[code] ?? `the Landlock ABI query failed with ${code}` };
}

interface KernelFacts {
  kernelAbi: number;
  /** errno of the VERSION query when it failed. */
  errno?: number;
  errata: number;
}

function kernelFacts(): KernelFacts {
  const version = binding.query(CREATE_RULESET_VERSION);
  if (version < 0) return { kernelAbi: 0, errno: -version, errata: 0 };
  // Kernels that predate the errata query reject it with EINVAL: no errata fixed.
  const errata = binding.query(CREATE_RULESET_ERRATA);
  return { kernelAbi: version, errata: errata < 0 ? 0 : errata };
}

/** The effective ABI, and whether an older kernel must be emulated on this one. */
export interface EffectiveAbi {
  abi: number;
  kernelAbi: number;
  /** The override is below the kernel's ABI: reject what that older kernel would. */
  emulated: boolean;
}

export function effectiveAbi(): EffectiveAbi {
  const override = abiOverride();
  const { kernelAbi } = kernelFacts();
  if (override === undefined || override >= kernelAbi) return { abi: kernelAbi, kernelAbi, emulated: false };
  return { abi: override, kernelAbi, emulated: true };
}

/**
 * Landlock availability, honouring CORDON_LANDLOCK_ABI_MAX (read now).
 * @throws LandlockError (EINVAL) when the override is not a non-negative integer.
 */
export function status(): LandlockStatus {
  const override = abiOverride();
  const facts = kernelFacts();
  const abi = override === undefined ? facts.kernelAbi : Math.min(facts.kernelAbi, override);
  const result: LandlockStatus = { available: abi > 0, abi, kernelAbi: facts.kernelAbi, errata: facts.errata };
  if (override !== undefined) result.override = override;
  if (facts.errno !== undefined) {
    result.reason = unavailableReason(facts.errno);
  } else if (abi === 0) {
    result.reason = { code: "OVERRIDE", message: `${ABI_OVERRIDE_ENV}=0 disables Landlock` };
  }
  return result;
}

/** The effective Landlock ABI (0 = unavailable). */
export function abi(): number {
  return status().abi;
}

/** The kernel's fixed-errata bitmask (0 when unavailable or not reported). */
export function errata(): number {
  return status().errata;
}
