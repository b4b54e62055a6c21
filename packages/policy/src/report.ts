import type { SeccompSpecData } from "./seccomp/spec.js";
/** What the enforcement report says about one protection. */
export interface ReportItem {
  protection: string;
  requested: string;
  enforcedBy: "kernel" | "proxy" | "cluster" | "nothing";
  mechanism?: string;
  level: "full" | "partial" | "none";
  why: string;
  hint?: string;
  /**
   * "requested": part of what the policy asks for; decides the status and compat.
   * "limitation": a gap the kernel leaves (or the policy opts out of); shown so the report
   * never claims more than is enforced, but it does not change the status.
   */
  kind: "requested" | "limitation";
}

export interface EnforcementReport {
  status: "fully" | "partially" | "not";
  landlockAbi: { kernel: number; used: number };
  items: ReportItem[];
  /** One line each, printed by the CLI before a run. */
  warnings: string[];
}

export interface PlannedPath {
  path: string;
  access: number;
  source: "readOnly" | "readWrite" | "exec" | "workdir" | "tmpdir" | "default";
}

export interface PlannedPort {
  port: number;
  access: number;
  why: string;
}

export interface LandlockPlan {
  abi: number;
  handledFs: number;
  handledNet: number;
  scoped: number;
  restrictFlags: number;
  paths: PlannedPath[];
  ports: PlannedPort[];
}

export interface EnforcementPlan {
  landlock: null | LandlockPlan;
  /** The seccomp filter to compile and install (null: none this run; absent: seccomp was not probed). */
  seccomp?: SeccompSpecData | null;
  network: { mode: import("./model.js").NetworkMode; proxyPort: number };
}

export interface KernelFacts {
  landlock: { abi: number; errata: number; reason?: string };
  /** Whether seccomp filters can be installed; undefined = not probed (no seccomp layer is planned or reported). */
  seccomp?: boolean;
  /** `process.arch`, for the seccomp syscall tables. */
  arch?: string;
  userns?: boolean;
  /** Every path of policyPaths(policy), stat'ed by the CLI. */
  paths: Record<string, "directory" | "file" | "missing">;
}

export type Decision = { run: true } | { run: false; errors: string[] };

export interface Negotiation {
  plan: EnforcementPlan;
  report: EnforcementReport;
  decision: Decision;
}
