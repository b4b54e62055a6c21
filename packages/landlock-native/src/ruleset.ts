import { binding } from "./binding.js";
import { abiMasks } from "./constants.js";
import { LandlockError, type LandlockErrorDetails } from "./errors.js";
import { ABI_OVERRIDE_ENV } from "./override.js";
import { effectiveAbi, type EffectiveAbi } from "./status.js";

/** What a ruleset handles (denies by default). Unhandled rights stay allowed. */
export interface RulesetSpec {
  /** Handled filesystem rights (FS bits). */
  fs: number;
  /** Handled network rights (NET bits, ABI 4+). */
  net?: number;
  /** Scopes (SCOPE bits, ABI 6+). */
  scoped?: number;
}

function emulationHint(e: EffectiveAbi): string {
  return `emulating Landlock ABI ${e.abi} via ${ABI_OVERRIDE_ENV}`;
}

function checkBits(value: unknown, what: string, details: LandlockErrorDetails): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw LandlockError.of("EINVAL", { ...details, hint: `${what} must be a non-negative integer, got ${String(value)}` });
  }
  return value;
}

/**
 * A Landlock ruleset fd (close-on-exec) being filled with rules. Hand `fd` to
 * the launcher (spawn stdio), then `close()` it in the parent.
 */
export class Ruleset {
  #fd: number;

  /** @internal use createRuleset(). */
  constructor(fd: number) {
    this.#fd = fd;
  }

  /** The ruleset file descriptor (-1 once closed). */
  get fd(): number {
    return this.#fd;
  }

  /**
   * Allows `access` (FS bits) beneath `path`. The path is opened O_PATH|O_CLOEXEC
   * here and closed after the rule is added. `label` names the rule in errors.
   */
  addPath(path: string, access: number, label?: string): void {
    const details: LandlockErrorDetails = { syscall: "landlock_add_rule", path };
    if (label !== undefined) details.label = label;
    if (typeof path !== "string" || path === "") {
      throw LandlockError.of("EINVAL", { ...details, path: String(path), hint: "path must be a non-empty string" });
    }
    checkBits(access, "access", details);
    this.#checkOpen(details);
    const e = effectiveAbi();
    if (e.emulated) {
      // An older kernel: nothing at all without Landlock; unknown bits are EINVAL.
      if (e.abi === 0) throw LandlockError.of("ENOSYS", { ...details, hint: emulationHint(e) });
      if ((access & ~abiMasks(e.abi).fs) !== 0) throw LandlockError.of("EINVAL", { ...details, hint: emulationHint(e) });
    }
    const failure = binding.addPathRule(this.#fd, path, access);
    if (failure !== null) throw new LandlockError(failure.errno, { ...details, syscall: failure.syscall });
  }

  /** Allows `access` (NET bits) on TCP `port` (host byte order, 0..65535). */
  addPort(port: number, access: number): void {
    const details: LandlockErrorDetails = { syscall: "landlock_add_rule", port };
    checkBits(port, "port", details);
    checkBits(access, "access", details);
    this.#checkOpen(details);
    const e = effectiveAbi();
    if (e.emulated) {
      if (e.abi === 0) throw LandlockError.of("ENOSYS", { ...details, hint: emulationHint(e) });
      // Before ABI 4 the net-port rule type does not exist.
      if (e.abi < 4 || (access & ~abiMasks(e.abi).net) !== 0) {
        throw LandlockError.of("EINVAL", { ...details, hint: emulationHint(e) });
      }
    }
    const r = binding.addPortRule(this.#fd, port, access);
    if (r < 0) throw new LandlockError(-r, details);
  }

  /** Closes the fd. Idempotent. */
  close(): void {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    const r = binding.closeFd(fd);
    if (r < 0) throw new LandlockError(-r, { syscall: "close" });
  }

  #checkOpen(details: LandlockErrorDetails): void {
    if (this.#fd < 0) throw LandlockError.of("EBADF", { ...details, hint: "the ruleset is closed" });
  }
}

/**
 * Creates a ruleset handling `fs`, `net` and `scoped`. Under CORDON_LANDLOCK_ABI_MAX
 * an older kernel is emulated: ABI 0 → ENOSYS; a field that kernel's struct lacks
 * (net before ABI 4, scoped before 6) → E2BIG, as a non-zero struct tail is;
 * a bit it lacks in a known field → EINVAL.
 * @throws LandlockError with the kernel's errno.
 */
export function createRuleset(spec: RulesetSpec): Ruleset {
  const details: LandlockErrorDetails = { syscall: "landlock_create_ruleset" };
  if (typeof spec !== "object" || spec === null) {
    throw LandlockError.of("EINVAL", { ...details, hint: "expected { fs, net?, scoped? }" });
  }
  const fs = checkBits(spec.fs, "fs", details);
  const net = checkBits(spec.net ?? 0, "net", details);
  const scoped = checkBits(spec.scoped ?? 0, "scoped", details);
  const e = effectiveAbi();
  if (e.emulated) {
    const hint = emulationHint(e);
    const masks = abiMasks(e.abi);
    if (e.abi === 0) throw LandlockError.of("ENOSYS", { ...details, hint });
    if ((net !== 0 && e.abi < 4) || (scoped !== 0 && e.abi < 6)) throw LandlockError.of("E2BIG", { ...details, hint });
    if ((fs & ~masks.fs) !== 0 || (net & ~masks.net) !== 0 || (scoped & ~masks.scoped) !== 0) {
      throw LandlockError.of("EINVAL", { ...details, hint });
    }
  }
  const fd = binding.createRuleset(fs, net, scoped);
  if (fd < 0) throw new LandlockError(-fd, details);
  return new Ruleset(fd);
}
