// Whether this kernel can install seccomp filters with the actions cordon uses.
import { readFileSync } from "node:fs";

/**
 * true when the kernel supports SECCOMP_MODE_FILTER with the errno and
 * kill_process actions (listed in /proc/sys/kernel/seccomp/actions_avail).
 */
export function seccompAvailable(): boolean {
  try {
    const actions = readFileSync("/proc/sys/kernel/seccomp/actions_avail", "utf8").split(/\s+/);
    return actions.includes("errno") && actions.includes("kill_process") && actions.includes("allow");
  } catch {
    return false;
  }
}
