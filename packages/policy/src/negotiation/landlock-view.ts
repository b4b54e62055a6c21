// What every Landlock-backed layer needs to word its report items: the plan (null when no
// Landlock layer applies), why not, and the one way a kernel-enforced item is phrased.
import { describeAbi } from "../abi.js";
import type { LandlockPlan, ReportItem } from "../report.js";

export interface LandlockView {
  plan: LandlockPlan | null;
  /** The ABI negotiated against (the kernel's, capped). */
  abi: number;
  /** Why there is no Landlock layer ("" when there is one). */
  offWhy: string;
  mech(what: string): string;
  /** Whether the plan handles every bit of `bit` in `field`. */
  has(field: "handledFs" | "handledNet" | "scoped", bit: number): boolean;
  /** A protection the kernel enforces when `available`, else one that needs `needAbi`. */
  kernelItem(id: string, protection: string, requested: string, available: boolean, mechanism: string, needAbi: number, hint?: string): ReportItem;
}

export function landlockView(plan: LandlockPlan | null, abi: number, unavailableReason: string | undefined, softDropped: boolean): LandlockView {
  const off = plan === null;
  const offWhy =
    abi === 0
      ? `Landlock is unavailable${unavailableReason ? ` (${unavailableReason})` : ""}`
      : softDropped
        ? "compat soft dropped the whole Landlock layer because a requested feature is missing"
        : "";
  const mech = (what: string) => `Landlock ABI ${plan?.abi ?? abi} ${what}`;
  return {
    plan,
    abi,
    offWhy,
    mech,
    has: (field, bit) => plan !== null && (plan[field] & bit) === bit,
    kernelItem(id, protection, requested, available, mechanism, needAbi, hint) {
      if (!off && available) return { id, protection, requested, enforcedBy: "kernel", mechanism: mech(mechanism), level: "full", why: "handled by the kernel", kind: "requested" };
      const why = off ? offWhy : `needs Landlock ${describeAbi(needAbi)}; this kernel has ABI ${abi}`;
      return { id, protection, requested, enforcedBy: "nothing", level: "none", why, kind: "requested", ...(hint ? { hint } : {}) };
    },
  };
}
