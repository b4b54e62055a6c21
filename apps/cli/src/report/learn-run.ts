import { writeFileSync } from "node:fs";
import { RESTRICT_SELF } from "@cordon/policy";
import type { RunReport, Sandbox } from "@cordon/sandbox";
import { adviseHosts, presetForCommand } from "./hints.js";
import { openKernelLog } from "./kernel-log.js";
import { flagFor, parseLandlockDenials } from "./landlock-denials.js";
import { learnedPolicyYaml } from "./learned-policy.js";

/**
 * `run --learn`: on Landlock ABI 7 the kernel can log each denial with its path (audit records;
 * it needs the kernel's audit on, and root to read the kernel log). The log flag is asked for in
 * this run's plan before the command starts.
 */
export function startLearning(sandbox: Sandbox) {
  const plan = sandbox.plan.landlock;
  let why: string | undefined;
  let log: ReturnType<typeof openKernelLog> | undefined;
  if (!plan) why = "no Landlock layer this run";
  else if (plan.abi < 7) why = `the kernel reports denied paths from Landlock ABI 7 (this run: ABI ${plan.abi})`;
  else {
    log = openKernelLog();
    if ("why" in log) why = log.why;
    // Landlock logs denials after exec only when asked (the plan is read when the command starts).
    else plan.restrictFlags |= RESTRICT_SELF.LOG_NEW_EXEC_ON;
  }
  return {
    finish(file: string, about: string, report: RunReport, inUse: readonly string[]): string[] {
      let paths: ReturnType<typeof parseLandlockDenials> | undefined;
      if (log && !("why" in log)) {
        paths = parseLandlockDenials(log.read());
        log.close();
        if (paths.length === 0) why = "the kernel reported no denied path (it does when its audit is on: 'auditctl -e 1' as root, or boot with audit=1; with auditd running, look in /var/log/audit/audit.log for type=LANDLOCK_ACCESS)";
      }
      const advice = adviseHosts(report.network.deniedHosts, inUse);
      writeFileSync(file, learnedPolicyYaml({ about: `\`${about}\``, advice, paths, ...(why ? { pathsWhy: why } : {}) }));
      const lines = (paths ?? []).slice(0, 10).map((d) => `cordon:   the kernel refused ${d.blockers.join(", ")} on ${d.path}: ${flagFor(d)} ${d.path}`);
      if (why && !paths?.length) lines.push(`cordon: --learn: paths: ${why}`);
      lines.push(`cordon: --learn: wrote ${file}; review it before using any of it (nothing was applied)`);
      return lines;
    },
  };
}

/** After a failed command: the preset its tool needs, and where denied paths show. */
export function failureHints(command: string, inUse: readonly string[]): string[] {
  const preset = presetForCommand(command, inUse);
  const lines: string[] = [];
  if (preset) lines.push(`cordon: hint: ${command} usually needs --preset ${preset} (its registry hosts and cache directories)`);
  lines.push("cordon: hint: a \"Permission denied\" on a path was the sandbox: --ro PATH (read), --rw PATH (write), --exec PATH (run); --learn writes the paths the kernel reports");
  return lines;
}
