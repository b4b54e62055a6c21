import { RESTRICT_SELF } from "@cordon/policy";
import type { RunReport, Sandbox } from "@cordon/sandbox";
import { adviseHosts, presetForCommand } from "./hints.js";
import { kernelLogSince } from "./kernel-log.js";
import { flagFor, parseLandlockDenials, type PathDenial } from "./landlock-denials.js";
import { learnedPolicyYaml } from "./learned-policy.js";
import { writeNoFollow } from "./write-no-follow.js";

const WHERE_TO_LOOK =
  "the kernel names denied paths when its audit is on (as root: 'auditctl -e 1', or boot with audit=1; with auditd running they are type=LANDLOCK_ACCESS records in /var/log/audit/audit.log, which 'cordon policy suggest' reads)";

/**
 * The paths the kernel refused this run, where it can say: Landlock ABI 7 logs each denial as an
 * audit record when asked to (the sandbox was created with logDenials, so the plan asks), the
 * kernel's audit is on, and cordon, as root, can read the kernel log.
 */
export function watchDenials(sandbox: Sandbox): { collect(): { paths: PathDenial[] } | { why: string } } {
  const plan = sandbox.plan.landlock;
  const since = process.hrtime.bigint();
  let why: string | undefined;
  if (!plan) why = "no Landlock layer this run";
  else if (plan.abi < 7) why = `the kernel names denied paths from Landlock ABI 7 (this run: ABI ${plan.abi})`;
  else if (process.getuid?.() !== 0) why = "the kernel log (where Landlock's audit records go) is readable by root only";
  else if ((plan.restrictFlags & RESTRICT_SELF.LOG_NEW_EXEC_ON) === 0) why = "this run's plan does not ask the kernel to log denials (SandboxOptions.logDenials)";
  return {
    collect() {
      if (why) return { why };
      const log = kernelLogSince(since);
      if ("why" in log) return log;
      const paths = parseLandlockDenials(log.text);
      return paths.length > 0 ? { paths } : { why: `no denied path was logged: ${WHERE_TO_LOOK}` };
    },
  };
}

/** `run --learn`: writes the additions for review and says so. */
export function writeLearned(file: string, about: string, found: { paths: PathDenial[] } | { why: string }, report: RunReport, inUse: readonly string[]): string[] {
  const advice = adviseHosts(report.network.deniedHosts, inUse);
  const paths = "paths" in found ? found.paths : undefined;
  let refused: string | undefined;
  try {
    refused = writeNoFollow(file, learnedPolicyYaml({ about: `\`${about}\``, advice, paths, ...("why" in found ? { pathsWhy: found.why } : {}) }));
  } catch (e) {
    refused = (e as NodeJS.ErrnoException).code ?? String(e);
  }
  if (refused) return [...deniedPathLines(found), `cordon: --learn: did not write ${file}: ${refused}`];
  const lines = deniedPathLines(found);
  lines.push(`cordon: --learn: wrote ${file}; review it before using any of it (nothing was applied)`);
  return lines;
}

/** After a failed command: the paths the kernel refused (or where to look), and the preset its tool needs. */
export function failureHints(command: string, found: { paths: PathDenial[] } | { why: string }, report: RunReport, inUse: readonly string[]): string[] {
  const lines: string[] = [];
  const preset = presetForCommand(command, inUse);
  if (preset) lines.push(`cordon: hint: ${command} usually needs --preset ${preset} (its registry hosts and cache directories)`);
  if ("paths" in found) lines.push(...deniedPathLines(found));
  else if (report.network.denied === 0) {
    lines.push('cordon: hint: if it failed on "Permission denied", the sandbox refused a path: --ro PATH (read), --rw PATH (write) or --exec PATH (run) grants it');
    lines.push(`cordon: hint: which path: ${found.why}`);
  }
  return lines;
}

function deniedPathLines(found: { paths: PathDenial[] } | { why: string }): string[] {
  if (!("paths" in found)) return [`cordon: --learn: paths: ${found.why}`];
  const lines = found.paths.slice(0, 10).map((d) => `cordon:   the kernel refused ${d.blockers.map((b) => b.replace(/^fs\./, "")).join(", ")} on ${d.path}: ${flagFor(d)} ${d.path}`);
  if (found.paths.length > 10) lines.push(`cordon:   … and ${found.paths.length - 10} more`);
  return lines;
}
