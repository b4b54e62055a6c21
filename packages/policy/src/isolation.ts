// Isolation beyond Landlock: which network fence a run gets (a network
// namespace or Landlock port rules only) and which protected paths the mount
// namespace keeps read-only. Pure: the CLI probes the namespace facts and
// expands the protected candidates.
import { posix } from "node:path";
import type { ResolvedPolicy } from "./model.js";
import { isStrictlyInside, protectedCandidates, sweepCandidates } from "./protected.js";
import type { DecisionError, IsolationPlan, KernelFacts, ReportItem } from "./report.js";
import { planContainment } from "./containment.js";

export interface IsolationOutcome {
  plan: IsolationPlan;
  items: ReportItem[];
  warnings: string[];
  errors: DecisionError[];
  /** Absent git redirect files to remove after each command if it created them (protected.ts). */
  sweep: string[];
}

const LISTED = 6;

/** undefined when the namespace facts were not probed (callers that only know Landlock). */
export function planIsolation(policy: ResolvedPolicy, facts: KernelFacts, writableDirs: readonly string[]): IsolationOutcome | undefined {
  const ns = facts.namespaces;
  if (ns === undefined) return undefined;
  const hard = policy.compat === "hard";
  const unavailable = `namespaces are unavailable here${ns.reason ? ` (${ns.reason})` : ""}`;
  // The process tree, /proc, IPC, terminals and the read-only tree: namespaces unless opted out.
  const optedOut = policy.network.isolation === "landlock";
  const contained = planContainment(policy, facts, ns.available && !optedOut, optedOut ? "--isolation landlock (network.isolation) opts out of namespaces" : unavailable);
  const out: IsolationOutcome = {
    plan: { network: "landlock", why: "", protect: [], pin: [], ...contained.plan },
    items: contained.items,
    warnings: contained.warnings,
    errors: contained.errors,
    sweep: [],
  };
  if (policy.network.isolation === "namespace" && !ns.available && (policy.network.mode === "proxy" || policy.network.mode === "unrestricted")) {
    if (hard) out.errors.push({ code: "feature-missing", id: "net.namespace", message: `compat hard: network.isolation namespace: ${unavailable}` });
  }

  // Network.
  const net = policy.network;
  if (net.mode !== "platform" && net.mode !== "none") {
    out.plan.why = `network.mode ${net.mode} has no network fence`;
  } else {
    // Local ports are relayed by the launcher in platform mode; mode none has no relay.
    const conflicts: string[] = [];
    if (net.mode === "none" && net.bindPorts.length > 0) conflicts.push(`network.bindPorts (${net.bindPorts.join(", ")}) would listen inside the namespace, unreachable from the host (network.mode none has no relay)`);
    if (net.isolation === "landlock") {
      out.plan.why = "network.isolation: landlock";
    } else if (conflicts.length > 0) {
      out.plan.why = conflicts.join("; ");
      // A contradiction in the policy itself, whatever the compat level.
      if (net.isolation === "namespace") out.errors.push({ code: "unsatisfiable", id: "net.namespace", message: `network.isolation namespace: ${out.plan.why}` });
    } else if (!ns.available) {
      out.plan.why = unavailable;
      if (net.isolation === "namespace") {
        if (hard) out.errors.push({ code: "feature-missing", id: "net.namespace", message: `compat hard: network.isolation namespace: ${unavailable}` });
        else out.warnings.push(`NOT ENFORCED: network.isolation namespace: ${unavailable}; falling back to Landlock port rules (any host on an allowed port stays reachable)`);
      }
    } else {
      out.plan.network = "namespace";
      out.plan.why = net.isolation === "namespace" ? "network.isolation: namespace" : `auto: namespaces are available${ns.how ? ` (${ns.how})` : ""}`;
    }
  }

  // Protected paths: existing ones strictly inside a writable directory.
  const found = facts.protectedPaths;
  if (found === undefined) return out;
  const protect = new Set<string>();
  const missing: string[] = [];
  for (const c of protectedCandidates(policy)) {
    const matches = (found[c.pattern] ?? []).filter((m) => isStrictlyInside(m, writableDirs));
    for (const m of matches) protect.add(m);
    // A glob's directory may itself be the writable root (./.env* in the workdir).
    const place = c.pattern.includes("*") ? posix.dirname(c.pattern) : c.pattern;
    const applies = isStrictlyInside(place, writableDirs) || (c.pattern.includes("*") && writableDirs.includes(place));
    // A pattern with "*" above its last segment (.git/modules/*/hooks) applies only where its directories exist.
    if (matches.length === 0 && applies && !place.includes("*")) missing.push(c.pattern);
  }
  const paths = [...protect].sort();
  const list = (xs: string[]) => `${xs.slice(0, LISTED).join(", ")}${xs.length > LISTED ? `, … (${xs.length - LISTED} more)` : ""}`;
  if (paths.length > 0) {
    const requested = `${paths.length} existing path(s) read-only inside writable directories: ${list(paths)}`;
    if (ns.available) {
      out.plan.protect = paths;
      const pins = new Set<string>();
      for (const p of paths) {
        for (let dir = posix.dirname(p); dir !== "/" && isStrictlyInside(dir, writableDirs); dir = posix.dirname(dir)) pins.add(dir);
      }
      out.plan.pin = [...pins].sort();
      out.items.push({ id: "fs.protected", protection: "protected paths", requested, enforcedBy: "kernel", mechanism: "mount namespace (read-only bind mounts)", level: "full", why: `writes fail with EROFS, removing or renaming them with EBUSY; reads work${out.plan.pin.length ? `; their parent directories (${list(out.plan.pin)}) cannot be renamed or removed (EBUSY)` : ""}`, kind: "requested" });
    } else {
      const why = `Landlock cannot deny a path inside a writable directory, and ${unavailable}`;
      out.items.push({ id: "fs.protected", protection: "protected paths", requested, enforcedBy: "nothing", level: "none", why, hint: "run where user namespaces are enabled (or as root)", kind: "requested" });
      if (hard) out.errors.push({ code: "not-enforced", id: "fs.protected", message: `compat hard: protected paths stay writable: ${why}` });
      else out.warnings.push(`NOT ENFORCED: ${paths.length} protected path(s) stay writable (${list(paths)}): ${why}`);
    }
  }
  out.sweep = sweepCandidates(found, writableDirs);
  const swept = new Set(out.sweep);
  if (out.sweep.length > 0) {
    out.items.push({
      id: "fs.git-redirect",
      protection: "git redirect files",
      requested: "-",
      enforcedBy: "nothing",
      mechanism: "cordon removes them after the command has exited",
      level: "partial",
      why: `${out.sweep.length} absent commondir file(s) (${list(out.sweep)}) cannot be bound read-only; git never writes one there, so one that appears is removed after the command exits. During the run, a git command run outside in this repository would read it`,
      kind: "limitation",
    });
  }
  for (let i = missing.length - 1; i >= 0; i--) if (swept.has(missing[i]!)) missing.splice(i, 1);
  if (missing.length > 0) {
    out.items.push({
      id: "fs.protected-missing",
      protection: "protected paths not present",
      requested: "-",
      enforcedBy: "nothing",
      level: "none",
      why: `${missing.length} protected path(s) do not exist at start, so the sandbox may create them: ${list(missing)}. cordon never creates stub files in your tree to hold their place`,
      kind: "limitation",
    });
  }
  return out;
}
