// The compatibility level, applied in one place for every layer (the model of the Rust landlock
// crate's CompatLevel): each layer says which kernel features it needs and reports each protection
// with a level; this file decides what a missing feature or an unenforced protection means.
//   best-effort: enforce what the kernel supports, say the rest (warnings, report levels);
//   soft: if any requested Landlock feature is missing, apply no Landlock layer at all;
//   hard: refuse, naming each missing feature and each requested protection not enforced.
import { describeAbi, LATEST_KNOWN_ABI, type AbiCapabilities } from "./abi.js";
import type { Compat } from "./model.js";
import type { DecisionError, ReportItem } from "./report.js";

/** A kernel feature a layer asks for. */
export interface Feature {
  /** The report item of the protection it provides. */
  id: string;
  name: string;
  /** The Landlock ABI that brings it. */
  abi: number;
  /** Missing, it is said in the report only, not as a warning (its gap is harmless for this policy). */
  quiet?: boolean;
}

export interface FeatureCompat {
  missing: Feature[];
  /** compat soft dropped the Landlock layer. */
  soft: boolean;
  /** Whether a Landlock layer applies. */
  kernelOn: boolean;
  warnings: string[];
  errors: DecisionError[];
}

/** Before planning: which requested features the kernel lacks, and whether Landlock applies at all. */
export function featureCompat(compat: Compat, kernelAbi: number, caps: AbiCapabilities, features: readonly Feature[], unavailableReason: string | undefined): FeatureCompat {
  const missing = features.filter((f) => f.abi > caps.abi);
  const soft = compat === "soft" && missing.length > 0 && caps.abi > 0;
  const warnings: string[] = [];
  const errors: DecisionError[] = [];
  if (kernelAbi > LATEST_KNOWN_ABI) warnings.push(`kernel Landlock ABI ${kernelAbi} is newer than cordon knows; using ABI ${LATEST_KNOWN_ABI}`);
  if (caps.abi === 0) {
    const reason = unavailableReason ? ` (${unavailableReason})` : "";
    warnings.push(`Landlock is unavailable${reason}: NO Landlock layer — filesystem access and TCP connect are not restricted by the kernel for this run`);
  } else if (soft) {
    warnings.push(
      `compat soft: this kernel (ABI ${caps.abi}) lacks ${missing.map((f) => `${f.name} (${describeAbi(f.abi)})`).join(", ")}, so NO Landlock layer is applied — filesystem access and TCP connect are not restricted by the kernel for this run`,
    );
  } else if (compat !== "hard") {
    for (const f of missing) if (!f.quiet) warnings.push(`NOT ENFORCED: ${f.name} needs Landlock ${describeAbi(f.abi)}; this kernel has ABI ${caps.abi}`);
  }
  if (compat === "hard") {
    if (caps.abi === 0) errors.push({ code: "landlock-unavailable", id: "fs.landlock", message: `compat hard: Landlock is unavailable${unavailableReason ? ` (${unavailableReason})` : ""}` });
    for (const f of missing) errors.push({ code: "feature-missing", id: f.id, message: `compat hard: ${f.name} needs Landlock ${describeAbi(f.abi)}; this kernel has ABI ${caps.abi}` });
  }
  return { missing, soft, kernelOn: caps.abi > 0 && !soft, warnings, errors };
}

/** One requested protection a layer could not enforce, said on its own (a warning, or a refusal under hard). */
export function itemCompat(compat: Compat, item: ReportItem): { warnings: string[]; errors: DecisionError[] } {
  const what = `${item.protection}: ${item.why}`;
  return compat === "hard"
    ? { warnings: [], errors: [{ code: "not-enforced", ...(item.id !== undefined && { id: item.id }), message: `compat hard: ${what}` }] }
    : { warnings: [`NOT ENFORCED: ${what}`], errors: [] };
}

/**
 * After planning: the protections beyond Landlock's features (seccomp's, or a limitation that leaves
 * a requested one incomplete) that are not enforced. Under hard each refuses; otherwise the
 * unenforced requested ones are said once (a weakening limitation is already in the report).
 */
export function protectionCompat(compat: Compat, unenforced: readonly ReportItem[], weakened: readonly ReportItem[]): { warnings: string[]; errors: DecisionError[] } {
  const warnings: string[] = [];
  const errors: DecisionError[] = [];
  if (compat === "hard") {
    for (const i of unenforced) errors.push({ code: "not-enforced", id: i.id!, message: `compat hard: ${i.protection}: ${i.why}` });
  } else if (unenforced.length > 0) {
    warnings.push(`NOT ENFORCED: ${unenforced.map((i) => i.protection).join(", ")}: ${unenforced[0]!.why}`);
  }
  if (compat === "hard") {
    for (const w of weakened) errors.push({ code: "not-enforced", id: w.id!, message: `compat hard: ${w.protection}: ${w.why}${w.hint ? ` (${w.hint})` : ""}` });
  }
  return { warnings, errors };
}
